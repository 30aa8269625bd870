/* SPDX-License-Identifier: MIT */
#ifndef DEVICES_VGA_H
#define DEVICES_VGA_H

#include <stdbool.h>
#include <stdint.h>

#include "../hypercalls/vmm_abi.h"
#include "../vmm/config.h"
#include "vga_regs.h"

struct device_host;
struct screen;
struct bus_access;

#define VGA_PLANE_GPA	0xa0000ull	/* where the BIOS loads fonts (plane 2) */
#define VGA_PLANE_SIZE	0x10000ull

struct vga {
	struct screen *screen;
	enum vga_strategy strategy;
	uint8_t *vram;			/* 32 KiB text window at 0xb8000 */
	uint8_t own_vram[VMM_VGA_TEXT_SIZE];	/* backing store unless "ram" */
	uint16_t shadow[VMM_VGA_ROWS * VMM_VGA_COLS]; /* "ram": last frame seen */
	struct vga_regs regs;		/* devices/vga_regs.c */
};

/*
 * Registers 0xb8000-0xbffff per the strategy, ports 0x3c0-0x3df and the
 * mono CRTC ports 0x3b4/0x3b5/0x3ba; the registers start as the VGA BIOS
 * leaves them in mode 3.
 */
struct vga *vga_create(struct device_host *h, struct screen *screen,
		       enum vga_strategy strategy, bool blink);
/*
 * Plane memory for a VGA BIOS: 0xa0000-0xaffff becomes plain RAM, where
 * SeaVGABIOS loads its font (text mode never reads it back).  Only for a
 * machine with firmware: without one the hole stays unbacked (all-ones).
 */
int vga_map_planes(struct vga *v, struct device_host *h);
void vga_destroy(struct vga *v);
/* Makes the screen match text memory: "ram" compares it with a shadow. */
void vga_poll(struct vga *v);
/* For PV VGA: one cell of the visible screen, and the cursor. */
void vga_set_cell(struct vga *v, unsigned int idx, uint16_t cell);
void vga_set_cursor(struct vga *v, uint16_t pos, bool on);
/* Handlers, for the bus and for unit tests. */
void vga_mem_io(void *opaque, struct bus_access *a);
void vga_port_io(void *opaque, struct bus_access *a);
/* devices/vga_regs.c: CRTC register i changed; the screen follows. */
void vga_crtc_written(struct vga *v, unsigned int i);
/* The screen says which graphics mode the registers select, if any. */
void vga_mode_changed(struct vga *v);

#endif
