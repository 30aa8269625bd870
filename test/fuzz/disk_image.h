/* SPDX-License-Identifier: MIT */
/*
 * A disk image for the harnesses: a memfd of FUZZ_DISK_SECTORS sectors.
 * After every input the file must still have exactly that size: the
 * device models never write outside the image.
 */
#ifndef TEST_FUZZ_DISK_IMAGE_H
#define TEST_FUZZ_DISK_IMAGE_H

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../devices/disk_image.h"
#include "fuzz.h"

#define FUZZ_DISK_SECTORS 64

static inline void fuzz_disk_open(struct disk_image *d, struct vm_stats *stats)
{
	*d = (struct disk_image){
		.fd = memfd_create("fuzz-disk", MFD_CLOEXEC), .path = "fuzz-disk",
		.sectors = FUZZ_DISK_SECTORS, .cache = CACHE_UNSAFE, .stats = stats,
	};
	if (d->fd < 0 || ftruncate(d->fd, FUZZ_DISK_SECTORS * 512) < 0)
		abort();
}

static inline void fuzz_disk_check(const struct disk_image *d)
{
	struct stat st;

	FUZZ_ASSERT(fstat(d->fd, &st) == 0);
	FUZZ_ASSERT(st.st_size == FUZZ_DISK_SECTORS * 512);
}

#endif
