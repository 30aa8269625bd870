/* SPDX-License-Identifier: MIT */
#ifndef DEVICES_PV_VGA_H
#define DEVICES_PV_VGA_H

#include <stdint.h>

struct device_host;
struct vga;
struct guest_mem;

struct pv_vga {
	const struct guest_mem *mem;
	struct vga *vga;
	uint64_t cells;		/* cells written through hypercalls */
};

/* Registers VMM_HC_VGA_PUTC and VMM_HC_VGA_FRAME. */
struct pv_vga *pv_vga_create(struct device_host *h, struct vga *vga);
void pv_vga_destroy(struct pv_vga *p);
int32_t pv_vga_putc(void *opaque, const uint32_t arg[4]);
int32_t pv_vga_frame(void *opaque, const uint32_t arg[4]);

#endif
