/* SPDX-License-Identifier: MIT */
/*
 * The guest SDK: a freestanding mini libc, printf to serial and screen,
 * the command line, and exit.  A guest program defines
 *     int main(const char *cmdline);
 * and its return value becomes the VM's exit status.
 */
#ifndef SDK_H
#define SDK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "multiboot.h"	/* hypercalls/, installed next to this file */
#include "io.h"
#include "vmm.h"

int main(const char *cmdline);

/* The Multiboot info the loader left, for guests that read more of it; NULL without one. */
extern const struct multiboot_info *sdk_mbi;

/* Ends the VM with this status: a hypercall on vmm, isa-debug-exit elsewhere
 * (where QEMU reports (status << 1) | 1). */
void exit(int status) __attribute__((noreturn));

void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
long strtol(const char *s, const char **end, int base);

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* printf writes to serial and to the screen console */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* serial only */
int serial_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void serial_putc(char c);
void serial_write(const char *s, size_t n);
int serial_getc(void);		/* -1 when nothing was received */

/* "key=value" words of the Multiboot command line */
const char *cmdline_get(const char *key, char *buf, size_t n);
long cmdline_int(const char *key, long dflt);

/*
 * Quotient and remainder at once.  Plain / and % on 64-bit values work too:
 * the SDK provides the helpers gcc -m32 calls for them (arith.c).
 */
uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t *rem);

#endif
