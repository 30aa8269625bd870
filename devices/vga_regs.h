/* SPDX-License-Identifier: MIT */
/*
 * The VGA's register file, part of the one VGA device (devices/vga.c):
 * sequencer, graphics controller, attribute controller, CRTC, misc output,
 * feature control, input status and the DAC, as the ports 0x3c0-0x3df
 * (and 0x3b4/0x3b5/0x3ba when misc output selects mono) show them.
 * Every index and value a guest writes is masked the way the IBM VGA
 * reads it back; registers that do not exist read 0xff and ignore writes.
 */
#ifndef DEVICES_VGA_REGS_H
#define DEVICES_VGA_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VGA_SEQ_REGS	5
#define VGA_GC_REGS	9
#define VGA_AC_REGS	0x15
#define VGA_CRTC_REGS	0x19
#define VGA_DAC_SIZE	256

/* Registers the text screen depends on (devices/vga.c). */
#define CRTC_CURSOR_START 0x0a
#define CRTC_CURSOR_END	0x0b
#define CRTC_START_HI	0x0c
#define CRTC_START_LO	0x0d
#define CRTC_CURSOR_HI	0x0e
#define CRTC_CURSOR_LO	0x0f
#define AC_MODE		0x10
#define AC_MODE_BLINK	0x08

struct vga_regs {
	uint8_t misc, feature;
	uint8_t seq_index, seq[VGA_SEQ_REGS];
	uint8_t gc_index, gc[VGA_GC_REGS];
	uint8_t crtc_index, crtc[VGA_CRTC_REGS];
	uint8_t ac_index, ac[VGA_AC_REGS];	/* ac_index keeps bit 5, PAS */
	bool ac_flipflop;			/* false: next 0x3c0 write is an index */
	uint8_t status1;			/* retrace bits, toggled per read */
	uint8_t pel_mask;
	uint8_t dac_read, dac_write;		/* entries the next 0x3c9 access uses */
	uint8_t dac_read_rgb, dac_write_rgb;	/* component 0-2 within the entry */
	bool dac_reading;			/* 0x3c7 was written last, not 0x3c8 */
	uint8_t dac_latch[3];			/* an entry is stored on its third byte */
	uint8_t dac[VGA_DAC_SIZE][3];		/* 6-bit red, green, blue */
};

/* What SeaVGABIOS leaves after setting mode 3; blink sets AC mode bit 3. */
void vga_regs_reset(struct vga_regs *r, bool blink);
/*
 * The graphics mode the registers select, as "320x200, 256 colours", or
 * "" in text mode: the resolution from the CRTC's display-end counts and
 * scan-line doubling, the colours from the attribute controller's 8-bit
 * mode, the CGA shift mode and the planes enabled.
 */
void vga_regs_graphics(const struct vga_regs *r, char *buf, size_t size);
/* Colours 0-15 through plane enable, palette, colour select, pel mask and DAC. */
void vga_regs_palette(const struct vga_regs *r, uint32_t pal[16]);
/*
 * Saves or loads the registers (vmm/state.h); loading, -1 for a value
 * no port write could have left (a bit outside a register's mask, a DAC
 * component past its third).
 */
struct state;
int vga_regs_fields(struct vga_regs *r, struct state *s);

#endif
