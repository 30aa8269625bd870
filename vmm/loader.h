/* SPDX-License-Identifier: MIT */
#ifndef VMM_LOADER_H
#define VMM_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "../hypercalls/multiboot.h"
#include "guest_mem.h"

/* The guest file loaders' way to fail: the message into err[n], then -1. */
__attribute__((format(printf, 3, 4)))
int loader_fail(char *err, size_t n, const char *fmt, ...);

#define LOADER_MAX_IMAGE	(64u << 20)	/* larger guest files are refused */

struct load_info {
	uint32_t entry;
	uint32_t lo, hi;	/* lowest and highest guest-physical byte loaded + 1 */
};

/*
 * Checks a Multiboot v1 image (a 32-bit ELF, or the a.out kludge of
 * header flag 16) against guest memory, then copies it in.  Nothing is
 * written unless every check passed; with m->base NULL nothing is written
 * at all (a check before the VM exists).  On error, returns -1 and leaves
 * a one-line reason in err.
 */
int loader_load(const struct guest_mem *m, const uint8_t *img, size_t len,
		struct load_info *out, char *err, size_t errlen);
int loader_load_file(const struct guest_mem *m, const char *path,
		     struct load_info *out);
/*
 * The same checks and copy for a 64-bit x86-64 ELF executable (a Linux
 * vmlinux): its PT_LOAD segments at their physical addresses.
 */
int loader_load_elf64(const struct guest_mem *m, const uint8_t *img, size_t len,
		      struct load_info *out, char *err, size_t errlen);
/*
 * A whole regular file of at most max bytes, mapped read-only, its length
 * in *len; NULL after "PATH: why" on stderr.  Until released, a file that
 * shrinks under the mapping ends vmm with status 2 and a line naming it.
 */
const uint8_t *loader_read_file(const char *path, uint64_t max, size_t *len);
void loader_release_file(const uint8_t *img, size_t len);

#endif
