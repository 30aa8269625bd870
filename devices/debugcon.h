/* SPDX-License-Identifier: MIT */
/*
 * The debug console at port 0x402 (QEMU's "debugcon"): every byte the
 * firmware writes there goes to its log, a file or stderr, a line at a
 * time.  Reading the port answers 0xE9, which is how SeaBIOS knows its
 * log has a listener; with log = "none" the port is left unclaimed, so
 * SeaBIOS does not spend an exit per character.
 */
#ifndef DEVICES_DEBUGCON_H
#define DEVICES_DEBUGCON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bus_access;
struct device_model;

#define DEBUGCON_PORT		0x402
#define DEBUGCON_READBACK	0xe9

struct debugcon {
	int fd;			/* -1 once writing failed, or discarding */
	bool discard;		/* log = "none": bytes are counted, not kept */
	bool own_fd;		/* a file we opened, not stderr */
	char line[256];		/* bytes wait here until a newline or a flush */
	size_t len;
	uint64_t bytes, lost;
};

/* A console writing to fd (closed at the end when own_fd); fd -1 discards. */
struct debugcon *debugcon_new(int fd, bool own_fd);
void debugcon_free(struct debugcon *d);
void debugcon_flush(struct debugcon *d);
void debugcon_io(void *opaque, struct bus_access *a);

extern const struct device_model debugcon_device;

#endif
