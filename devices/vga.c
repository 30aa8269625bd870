// SPDX-License-Identifier: MIT
/*
 * Emulated VGA in colour text mode: the 32 KiB window at 0xb8000 and the
 * CRTC, attribute, sequencer, graphics and DAC ports a text driver uses.
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
#include "../vmm/vm.h"
#include "vga.h"

#define VGA_SLOT	2
#define CRTC_CURSOR_START 0x0a
#define CRTC_CURSOR_END	0x0b
#define CRTC_START_HI	0x0c
#define CRTC_START_LO	0x0d
#define CRTC_CURSOR_HI	0x0e
#define CRTC_CURSOR_LO	0x0f
#define CURSOR_DISABLE	0x20
#define AC_MODE		0x10
#define AC_MODE_BLINK	0x08

/* The CRTC of BIOS mode 3 (80x25 colour text). */
static const uint8_t crtc_mode3[VGA_CRTC_REGS] = {
	0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e,
	0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3,
	0xff,
};

static unsigned int start_offset(const struct vga *v)
{
	/* the start address counts 16-bit cells */
	unsigned int start = ((unsigned int)v->crtc[CRTC_START_HI] << 8) |
			     v->crtc[CRTC_START_LO];

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
	unsigned int pos = ((unsigned int)v->crtc[CRTC_CURSOR_HI] << 8) |
			   v->crtc[CRTC_CURSOR_LO];
	unsigned int start = start_offset(v) / 2;
	bool on = !(v->crtc[CRTC_CURSOR_START] & CURSOR_DISABLE) &&
		  (v->crtc[CRTC_CURSOR_START] & 0x1f) <= (v->crtc[CRTC_CURSOR_END] & 0x1f);
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

	v->crtc[CRTC_CURSOR_HI] = (uint8_t)(abs >> 8);
	v->crtc[CRTC_CURSOR_LO] = (uint8_t)abs;
	if (on)
		v->crtc[CRTC_CURSOR_START] &= (uint8_t)~CURSOR_DISABLE;
	else
		v->crtc[CRTC_CURSOR_START] |= CURSOR_DISABLE;
	show_cursor(v);
}

static uint8_t crtc_read(struct vga *v)
{
	return v->crtc_index < VGA_CRTC_REGS ? v->crtc[v->crtc_index] : 0xff;
}

static void crtc_write(struct vga *v, uint8_t val)
{
	uint8_t i = v->crtc_index;

	if (i >= VGA_CRTC_REGS)
		return;
	v->crtc[i] = val;
	if (i == CRTC_START_HI || i == CRTC_START_LO) {
		show_all(v);
		show_cursor(v);
	} else if (i >= CRTC_CURSOR_START && i <= CRTC_CURSOR_LO) {
		show_cursor(v);
	}
}

static uint8_t port_read(struct vga *v, unsigned int port)
{
	switch (port) {
	case 0x3c0: return v->ac_index;
	case 0x3c1: return (v->ac_index & 0x1f) < sizeof(v->ac) ?
			   v->ac[v->ac_index & 0x1f] : 0;
	case 0x3c4: return v->seq_index;
	case 0x3c5: return v->seq_index < sizeof(v->seq) ? v->seq[v->seq_index] : 0xff;
	case 0x3c7: return 0x03;		/* DAC in write mode */
	case 0x3c8: return v->dac_index;
	case 0x3cc: return v->misc;
	case 0x3ce: return v->gc_index;
	case 0x3cf: return v->gc_index < sizeof(v->gc) ? v->gc[v->gc_index] : 0xff;
	case 0x3d4: return v->crtc_index;
	case 0x3d5: return crtc_read(v);
	case 0x3da:
		/*
		 * Input status 1 resets the attribute flip-flop.  Retrace and
		 * display-enable toggle so that retrace-waiting loops finish.
		 */
		v->ac_flipflop = false;
		v->status_toggle ^= 0x09;
		return v->status_toggle;
	default: return 0xff;
	}
}

static void port_write(struct vga *v, unsigned int port, uint8_t val)
{
	switch (port) {
	case 0x3c0:
		if (!v->ac_flipflop) {
			v->ac_index = val & 0x3f;
		} else if ((v->ac_index & 0x1f) < sizeof(v->ac)) {
			v->ac[v->ac_index & 0x1f] = val;
			if ((v->ac_index & 0x1f) == AC_MODE)
				screen_set_blink(v->screen, val & AC_MODE_BLINK);
		}
		v->ac_flipflop = !v->ac_flipflop;
		break;
	case 0x3c2: v->misc = val; break;
	case 0x3c4: v->seq_index = val; break;
	case 0x3c5:
		if (v->seq_index < sizeof(v->seq))
			v->seq[v->seq_index] = val;
		break;
	case 0x3c8: v->dac_index = val; break;
	case 0x3ce: v->gc_index = val; break;
	case 0x3cf:
		if (v->gc_index < sizeof(v->gc))
			v->gc[v->gc_index] = val;
		break;
	case 0x3d4: v->crtc_index = val; break;
	case 0x3d5: crtc_write(v, val); break;
	default: break;			/* DAC data, feature control: accepted */
	}
}

void vga_port_io(void *opaque, struct bus_access *a)
{
	struct vga *v = opaque;

	/* a 16-bit out to an index port writes index, then data (out dx, ax) */
	for (uint32_t i = 0; i < a->size; i++) {
		unsigned int port = (unsigned int)a->addr + i;

		if (a->write)
			port_write(v, port, a->data[i]);
		else
			a->data[i] = port_read(v, port);
	}
}

struct vga *vga_create(struct vm *vm, struct screen *screen,
		       enum vga_strategy strategy, bool blink)
{
	struct vga *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->screen = screen;
	v->strategy = strategy;
	memcpy(v->crtc, crtc_mode3, sizeof(v->crtc));
	v->misc = 0x67;			/* colour, CRTC at 0x3d4 */
	v->ac[AC_MODE] = blink ? 0x0c : 0x04;
	screen_set_blink(screen, blink);
	v->vram = v->own_vram;
	if (strategy == VGA_RAM && vm) {
		v->vram = vm->mem.base + VMM_VGA_TEXT_GPA;
		if (vm_map_ram(vm, VGA_SLOT, VMM_VGA_TEXT_GPA, VMM_VGA_TEXT_SIZE, false))
			goto fail;
	}
	for (unsigned int i = 0; i < VMM_VGA_TEXT_SIZE; i += 2) {
		v->vram[i] = ' ';
		v->vram[i + 1] = 0x07;
	}
	show_all(v);
	show_cursor(v);
	if (!vm)
		return v;
	if (strategy != VGA_RAM &&
	    bus_register(&vm->mmio, VMM_VGA_TEXT_GPA, VMM_VGA_TEXT_SIZE, vga_mem_io,
			 v, "vga-mem"))
		goto fail;
	if (strategy == VGA_COALESCED &&
	    vm_coalesce(vm, VMM_VGA_TEXT_GPA, VMM_VGA_TEXT_SIZE, false))
		goto fail;
	if (bus_register(&vm->pio, 0x3c0, 0x20, vga_port_io, v, "vga-ports"))
		goto fail;
	return v;
fail:
	free(v);
	return NULL;
}

void vga_destroy(struct vga *v)
{
	free(v);
}

static int vga_dev_create(struct vm *vm, void **dev)
{
	const struct vm_config *c = vm->cfg;

	*dev = vga_create(vm, &vm->screen, c->vga.strategy, c->vga.blink);
	return *dev ? 0 : VMM_EXIT_SETUP;
}

static void vga_dev_destroy(void *dev)
{
	vga_destroy(dev);
}

static void vga_sync(void *dev)
{
	vga_poll(dev);
}

const struct device_model vga_device = {
	.name = "vga",
	.create = vga_dev_create,
	.destroy = vga_dev_destroy,
	.sync = vga_sync,
};
