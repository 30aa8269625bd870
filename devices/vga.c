// SPDX-License-Identifier: MIT
/*
 * Emulated VGA in colour text mode: the 32 KiB window at 0xb8000 and what
 * the screen shows of it; the register file is devices/vga_regs.c.
 * Three ways to back the window, one screen result:
 *   trap      - no memory slot: every load and store exits (the lab's way);
 *   coalesced - stores queue in KVM's coalesced ring and are replayed here
 *               in order before any other exit and before each redraw;
 *               loads still exit, after the replay, so they see every store;
 *   ram       - plain guest memory, no exits; vga_poll() finds changes.
 */
#include <stdlib.h>
#include <string.h>

#include "../vmm/screen.h"
#include "../vmm/json.h"
#include "../vmm/state.h"
#include "../vmm/config.h"
#include "../vmm/device.h"
#include "vga.h"

#define CURSOR_DISABLE	0x20

static unsigned int start_offset(const struct vga *v)
{
	/* the start address counts 16-bit cells */
	unsigned int start = ((unsigned int)v->regs.crtc[CRTC_START_HI] << 8) |
			     v->regs.crtc[CRTC_START_LO];

	return (start * 2) % VMM_VGA_TEXT_SIZE;
}

static uint16_t vram_cell(const struct vga *v, unsigned int off)
{
	off %= VMM_VGA_TEXT_SIZE;
	return (uint16_t)(v->vram[off] | (v->vram[(off + 1) % VMM_VGA_TEXT_SIZE] << 8));
}

/* Pushes the cells that cover vram bytes [off, off + len) to the screen. */
static void show_bytes(struct vga *v, unsigned int off, unsigned int len)
{
	unsigned int start = start_offset(v);

	for (unsigned int b = off & ~1u; b < off + len; b += 2) {
		unsigned int rel = (b - start) % VMM_VGA_TEXT_SIZE;

		if (rel < SCREEN_CELLS * 2)
			screen_put(v->screen, rel / 2, vram_cell(v, b));
	}
}

static void show_all(struct vga *v)
{
	unsigned int start = start_offset(v);

	for (unsigned int i = 0; i < SCREEN_CELLS; i++) {
		uint16_t c = vram_cell(v, start + 2 * i);

		screen_put(v->screen, i, c);
		v->shadow[i] = c;
	}
}

static void show_cursor(struct vga *v)
{
	unsigned int pos = ((unsigned int)v->regs.crtc[CRTC_CURSOR_HI] << 8) |
			   v->regs.crtc[CRTC_CURSOR_LO];
	unsigned int start = start_offset(v) / 2;
	bool on = !(v->regs.crtc[CRTC_CURSOR_START] & CURSOR_DISABLE) &&
		  (v->regs.crtc[CRTC_CURSOR_START] & 0x1f) <= (v->regs.crtc[CRTC_CURSOR_END] & 0x1f);
	unsigned int rel = (pos - start) & 0xffff;

	screen_set_cursor(v->screen, (uint16_t)(rel < SCREEN_CELLS ? rel : 0xffff), on);
}

void vga_mem_io(void *opaque, struct bus_access *a)
{
	struct vga *v = opaque;
	unsigned int off = (unsigned int)a->off;

	/* the bus keeps [off, off + size) inside the window */
	if (a->write) {
		memcpy(v->vram + off, a->data, a->size);
		show_bytes(v, off, a->size);
	} else {
		memcpy(a->data, v->vram + off, a->size);
	}
}

void vga_poll(struct vga *v)
{
	if (v->strategy != VGA_RAM)
		return;
	unsigned int start = start_offset(v);

	for (unsigned int i = 0; i < SCREEN_CELLS; i++) {
		uint16_t c = vram_cell(v, start + 2 * i);

		if (c != v->shadow[i]) {
			v->shadow[i] = c;
			screen_put(v->screen, i, c);
		}
	}
}

void vga_set_cell(struct vga *v, unsigned int idx, uint16_t cell)
{
	if (idx >= SCREEN_CELLS)
		return;
	unsigned int off = (start_offset(v) + 2 * idx) % VMM_VGA_TEXT_SIZE;

	v->vram[off] = (uint8_t)cell;
	v->vram[(off + 1) % VMM_VGA_TEXT_SIZE] = (uint8_t)(cell >> 8);
	show_bytes(v, off, 2);
	v->shadow[idx] = cell;
}

void vga_set_cursor(struct vga *v, uint16_t pos, bool on)
{
	unsigned int abs = (start_offset(v) / 2 + pos) & 0xffff;

	v->regs.crtc[CRTC_CURSOR_HI] = (uint8_t)(abs >> 8);
	v->regs.crtc[CRTC_CURSOR_LO] = (uint8_t)abs;
	if (on)
		v->regs.crtc[CRTC_CURSOR_START] &= (uint8_t)~CURSOR_DISABLE;
	else
		v->regs.crtc[CRTC_CURSOR_START] |= CURSOR_DISABLE;
	show_cursor(v);
}

void vga_crtc_written(struct vga *v, unsigned int i)
{
	if (i == CRTC_START_HI || i == CRTC_START_LO) {
		show_all(v);
		show_cursor(v);
	} else if (i >= CRTC_CURSOR_START && i <= CRTC_CURSOR_LO) {
		show_cursor(v);
	}
}

struct vga *vga_create(struct device_host *h, struct screen *screen,
		       enum vga_strategy strategy, bool blink)
{
	struct vga *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->screen = screen;
	v->strategy = strategy;
	vga_regs_reset(&v->regs, blink);
	screen_set_blink(screen, blink);
	uint32_t pal[16];

	vga_regs_palette(&v->regs, pal);
	screen_set_palette(screen, pal);
	v->vram = v->own_vram;
	if (strategy == VGA_RAM && h) {
		v->vram = dev_map_ram(h, SLOT_VGA_TEXT, VMM_VGA_TEXT_GPA, VMM_VGA_TEXT_SIZE);
		if (!v->vram)
			goto fail;
	}
	for (unsigned int i = 0; i < VMM_VGA_TEXT_SIZE; i += 2) {
		v->vram[i] = ' ';
		v->vram[i + 1] = 0x07;
	}
	show_all(v);
	show_cursor(v);
	if (!h)
		return v;
	if (strategy != VGA_RAM &&
	    dev_register_mmio(h, VMM_VGA_TEXT_GPA, VMM_VGA_TEXT_SIZE, vga_mem_io,
			      v, "vga-mem"))
		goto fail;
	if (strategy == VGA_COALESCED &&
	    dev_coalesce_mmio(h, VMM_VGA_TEXT_GPA, VMM_VGA_TEXT_SIZE))
		goto fail;
	if (dev_register_pio(h, 0x3c0, 0x20, vga_port_io, v, "vga-ports") ||
	    dev_register_pio(h, 0x3b4, 2, vga_port_io, v, "vga-mono-crtc") ||
	    dev_register_pio(h, 0x3ba, 1, vga_port_io, v, "vga-mono-status"))
		goto fail;
	/*
	 * A VGA BIOS setting a mode writes ~770 DAC and ~300 CRTC values;
	 * none needs an answer, and every read exits after the ring is
	 * replayed, so read-back stays exact.
	 */
	dev_coalesce_pio(h, 0x3c0, 0x20);
	dev_coalesce_pio(h, 0x3b4, 2);
	return v;
fail:
	free(v);
	return NULL;
}

int vga_map_planes(struct vga *v, struct device_host *h)
{
	(void)v;
	return dev_map(h, SLOT_VGA_PLANES, VGA_PLANE_GPA, VGA_PLANE_SIZE, NULL, false);
}

void vga_destroy(struct vga *v)
{
	free(v);
}

static int vga_dev_create(struct device_host *h, void **dev)
{
	const struct vm_config *c = h->cfg;

	struct vga *v = vga_create(h, h->screen, c->vga.strategy, c->vga.blink);

	if (!v)
		return VMM_EXIT_SETUP;
	/* the VGA BIOS a firmware runs loads its font into plane 2 */
	if (c->firmware.image && vga_map_planes(v, h)) {
		vga_destroy(v);
		return VMM_EXIT_SETUP;
	}
	*dev = v;
	return 0;
}

static void vga_dev_destroy(void *dev)
{
	vga_destroy(dev);
}

static void vga_sync(void *dev)
{
	vga_poll(dev);
}

/* ---- saved state ---- */

/*
 * Text memory is saved when it is vmm's own buffer; in the "ram" strategy
 * it is guest RAM and travels with it, and the shadow (what the screen
 * shows) is saved instead, so the restored screen does not depend on
 * whether RAM or the devices load first.
 */
static int vga_fields(void *dev, struct state *s)
{
	struct vga *v = dev;
	uint8_t strategy = (uint8_t)v->strategy;

	state_u8(s, &strategy);
	if (s->loading && !s->bad && strategy != v->strategy)
		return state_fail(s, "saved with another vga.strategy");
	if (v->strategy == VGA_RAM) {
		for (unsigned int i = 0; i < SCREEN_CELLS; i++)
			state_u16(s, &v->shadow[i]);
	} else {
		state_bytes(s, v->own_vram, sizeof(v->own_vram));
	}
	return vga_regs_fields(&v->regs, s);
}

/* The screen as the loaded state shows it: cells, cursor, colours, blink. */
static void redraw(struct vga *v)
{
	uint32_t pal[16];

	vga_regs_palette(&v->regs, pal);
	screen_set_palette(v->screen, pal);
	screen_set_blink(v->screen, v->regs.ac[AC_MODE] & AC_MODE_BLINK);
	vga_mode_changed(v);
	if (v->strategy == VGA_RAM) {
		for (unsigned int i = 0; i < SCREEN_CELLS; i++)
			screen_put(v->screen, i, v->shadow[i]);
	} else {
		show_all(v);
	}
	show_cursor(v);
}

static void vga_loaded(void *dev)
{
	struct vga *v = dev;

	redraw(v);
}

const struct device_model vga_device = {
	.name = "vga",
	.create = vga_dev_create,
	.destroy = vga_dev_destroy,
	.sync = vga_sync,
	.fields = vga_fields,
	.size = sizeof(struct vga),
	.loaded = vga_loaded,
	.version = 1,
};
