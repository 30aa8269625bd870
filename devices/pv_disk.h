/* SPDX-License-Identifier: MIT */
#ifndef DEVICES_PV_DISK_H
#define DEVICES_PV_DISK_H

#include <stdint.h>

struct device_host;
struct guest_mem;
struct disk_image;

struct pv_disk {
	struct device_host *host;	/* asked to stop? (between descriptors) */
	const struct guest_mem *mem;
	struct disk_image *img;
	uint32_t cons;		/* the ring's consumer index: ours, not the guest's */
	uint64_t budget;	/* bytes per ring call: VMM_PV_RING_BUDGET (tests shrink it) */
	uint64_t requests, bad_requests;
};

/* Clears the shared pages and registers VMM_HC_DISK_SECTOR and VMM_HC_DISK_RING. */
struct pv_disk *pv_disk_create(struct device_host *h, struct disk_image *img);
void pv_disk_destroy(struct pv_disk *p);
int32_t pv_disk_sector(void *opaque, const uint32_t arg[4]);
int32_t pv_disk_ring(void *opaque, const uint32_t arg[4]);

#endif
