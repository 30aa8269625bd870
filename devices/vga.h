/* SPDX-License-Identifier: MIT */
#ifndef DEVICES_VGA_H
#define DEVICES_VGA_H

#include <stdbool.h>
#include <stdint.h>

#include "../hypercalls/vmm_abi.h"
#include "../vmm/config.h"

struct vm;
struct screen;
struct bus_access;

#define VGA_CRTC_REGS	0x19

struct vga {
	struct screen *screen;
	enum vga_strategy strategy;
	uint8_t *vram;			/* 32 KiB text window at 0xb8000 */
	uint8_t own_vram[VMM_VGA_TEXT_SIZE];	/* backing store unless "ram" */
	uint16_t shadow[VMM_VGA_ROWS * VMM_VGA_COLS]; /* "ram": last frame seen */
	uint8_t crtc_index, crtc[VGA_CRTC_REGS];
	uint8_t ac_index, ac[0x15];
	bool ac_flipflop;		/* false: next 0x3c0 write is an index */
	uint8_t seq_index, seq[5], gc_index, gc[9], misc;
	uint8_t dac_index, status_toggle;
};

/* Registers 0xb8000-0xbffff and ports 0x3c0-0x3df per the strategy. */
struct vga *vga_create(struct vm *vm, struct screen *screen,
		       enum vga_strategy strategy, bool blink);
void vga_destroy(struct vga *v);
/* Makes the screen match text memory: "ram" compares it with a shadow. */
void vga_poll(struct vga *v);
/* For PV VGA: one cell of the visible screen, and the cursor. */
void vga_set_cell(struct vga *v, unsigned int idx, uint16_t cell);
void vga_set_cursor(struct vga *v, uint16_t pos, bool on);
/* Handlers, for the bus and for unit tests. */
void vga_mem_io(void *opaque, struct bus_access *a);
void vga_port_io(void *opaque, struct bus_access *a);

#endif
