/* SPDX-License-Identifier: MIT */
/*
 * The disk a program uses, whichever driver the boot info selects (ATA
 * or paravirtual).  The disk driver provides blkdev_get(); without one,
 * a weak default says there is no disk, so programs build either way.
 */
#ifndef SDK_BLKDEV_H
#define SDK_BLKDEV_H

#include <stdint.h>

struct blkdev {
	const char *name;	/* "ata", "pv-sector", "pv-ring", ... */
	uint64_t sectors;
	/* 0 or a negative VMM_E* status; n sectors of 512 bytes */
	int (*read)(uint64_t lba, void *buf, uint32_t n);
	int (*write)(uint64_t lba, const void *buf, uint32_t n);
};

/* The disk the boot info selects, set up on first use; NULL for none. */
const struct blkdev *blkdev_get(void);

#endif
