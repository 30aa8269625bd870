/* SPDX-License-Identifier: MIT */
/*
 * A raw disk image: an existing file whose size is a whole number of
 * 512-byte sectors, opened in one of the cache modes of QEMU/KVM.  Every
 * request is checked against the size before any I/O; every function
 * returns VMM_OK or a VMM_E_* status that the ATA and PV devices map to
 * their own error reporting.
 */
#ifndef DEVICES_DISK_IMAGE_H
#define DEVICES_DISK_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "../vmm/config.h"

struct vm_stats;

struct disk_image {
	int fd;
	const char *path;	/* for messages; owned by the caller */
	uint64_t sectors;
	bool readonly;
	enum cache_mode cache;
	uint8_t *bounce;	/* aligned buffer for O_DIRECT (cache=none) */
	struct vm_stats *stats;	/* sectors and flushes are counted here, or NULL */
	/*
	 * Set while a restore still checks the RAM it mapped from its file
	 * (vmm/snapshot/verify.c): a write waits for the verdict and fails
	 * when that RAM is corrupt, so a guest running on it changes no image.
	 */
	bool (*write_gate)(void *arg);
	void *gate_arg;
};

/*
 * Opens an existing image; never creates or truncates it.  On error prints
 * one line naming the file and returns -1 (the caller exits with status 2).
 */
int disk_image_open(struct disk_image *d, const char *path, bool readonly,
		    enum cache_mode cache, struct vm_stats *stats);
/*
 * boot = FILE: a small file (at most DISK_COPY_MAX) copied into memory and
 * padded with zeros to whole sectors; read only, the file is never written.
 */
#define DISK_COPY_MAX	(16u << 20)
int disk_image_open_copy(struct disk_image *d, const char *path, struct vm_stats *stats);
/* Flushes (fsync unless cache=unsafe) and closes; -1 when the flush failed. */
int disk_image_close(struct disk_image *d);

/* true when [lba, lba + count) lies inside the image (overflow-safe) */
bool disk_image_range_ok(const struct disk_image *d, uint64_t lba,
			 uint64_t count);
int disk_image_read(struct disk_image *d, uint64_t lba, uint64_t count,
		    void *buf);
/* Returns only once the data is in the page cache (or on disk, per mode). */
int disk_image_write(struct disk_image *d, uint64_t lba, uint64_t count,
		     const void *buf);
int disk_image_flush(struct disk_image *d);
/*
 * Takes (exclusive, shared when read only) or drops the image's lock,
 * without waiting; open takes it.  A migration hands it to the other vmm.
 * -1 with errno EWOULDBLOCK when another process holds it.
 */
int disk_image_lock(struct disk_image *d, bool lock);

/* "64M", "1G", "4096" -> bytes; -1 when malformed or not a sector multiple */
int disk_parse_size(const char *s, uint64_t *bytes);
/* vmm --create-image: a new sparse image; refuses to replace a file. */
int disk_image_create(const char *path, uint64_t bytes);

#endif
