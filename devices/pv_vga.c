// SPDX-License-Identifier: MIT
/*
 * Paravirtual VGA: the guest writes into a shared page and rings port
 * 0xABBA.  The lab's call moves one cell per hypercall; the frame call
 * publishes a whole 80x25 frame (or a range of rows) and the cursor in one.
 * Every IN field is read once into a local, checked, then used, so a guest
 * changing the page meanwhile cannot get an unchecked value through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vmm/json.h"
#include "../vmm/state.h"
#include "../vmm/config.h"
#include "../vmm/device.h"
#include "pv_vga.h"
#include "table.h"
#include "vga.h"

static struct vmm_pv_vga *page(struct pv_vga *p)
{
	return gpa_ptr(p->mem, VMM_PV_VGA_GPA, sizeof(struct vmm_pv_vga));
}

int32_t pv_vga_putc(void *opaque, const uint32_t arg[4])
{
	struct pv_vga *p = opaque;
	struct vmm_pv_vga *pg = page(p);

	(void)arg;
	if (!pg)
		return VMM_E_FAULT;
	uint16_t x = __atomic_load_n(&pg->putc.x, __ATOMIC_RELAXED);
	uint16_t y = __atomic_load_n(&pg->putc.y, __ATOMIC_RELAXED);
	uint8_t ch = __atomic_load_n(&pg->putc.ch, __ATOMIC_RELAXED);
	uint8_t attr = __atomic_load_n(&pg->putc.attr, __ATOMIC_RELAXED);

	if (x >= VMM_VGA_COLS || y >= VMM_VGA_ROWS)
		return VMM_E_INVAL;
	vga_set_cell(p->vga, (unsigned int)y * VMM_VGA_COLS + x,
		     (uint16_t)(attr << 8 | ch));
	p->cells++;
	return VMM_OK;
}

/* ebx = first row, ecx = last row (inclusive) */
int32_t pv_vga_frame(void *opaque, const uint32_t arg[4])
{
	struct pv_vga *p = opaque;
	struct vmm_pv_vga *pg = page(p);
	uint16_t cells[VMM_VGA_COLS * VMM_VGA_ROWS];
	uint32_t first = arg[0], last = arg[1];

	if (!pg)
		return VMM_E_FAULT;
	if (first > last || last >= VMM_VGA_ROWS)
		return VMM_E_INVAL;
	uint16_t cursor = __atomic_load_n(&pg->cursor, __ATOMIC_RELAXED);

	if (cursor != VMM_VGA_CURSOR_OFF && cursor >= VMM_VGA_COLS * VMM_VGA_ROWS)
		return VMM_E_INVAL;
	unsigned int a = first * VMM_VGA_COLS, n = (last - first + 1) * VMM_VGA_COLS;

	memcpy(cells, &pg->frame[a], n * sizeof(cells[0]));
	for (unsigned int i = 0; i < n; i++)
		vga_set_cell(p->vga, a + i, cells[i]);
	vga_set_cursor(p->vga, cursor == VMM_VGA_CURSOR_OFF ? 0 : cursor,
		       cursor != VMM_VGA_CURSOR_OFF);
	p->cells += n;
	return VMM_OK;
}

struct pv_vga *pv_vga_create(struct device_host *h, struct vga *vga)
{
	struct pv_vga *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->mem = h->mem;
	p->vga = vga;
	struct vmm_pv_vga *pg = page(p);

	if (pg) {
		memset(pg, 0, sizeof(*pg));
		pg->cursor = 0;
	}
	dev_hypercall(h, VMM_HC_VGA_PUTC, pv_vga_putc, p);
	dev_hypercall(h, VMM_HC_VGA_FRAME, pv_vga_frame, p);
	return p;
}

void pv_vga_destroy(struct pv_vga *p)
{
	free(p);
}

/* vga.mode = "pv": the screen hypercalls, drawing through the VGA */
static int pv_vga_dev_create(struct device_host *h, void **dev)
{
	struct vga *v = dev_find(h, &vga_device);

	if (h->cfg->vga.mode != VMM_MODE_PV)
		return 0;
	if (!v) {
		fprintf(stderr, "vmm: pv-vga needs the vga device\n");
		return VMM_EXIT_SETUP;
	}
	*dev = pv_vga_create(h, v);
	return *dev ? 0 : VMM_EXIT_SETUP;
}

static void pv_vga_dev_destroy(void *dev)
{
	pv_vga_destroy(dev);
}

static void pv_vga_stats(const void *dev, struct json *j)
{
	json_u64(j, "cells", ((const struct pv_vga *)dev)->cells);
}

const struct device_model pv_vga_device = {
	.name = "pv-vga",
	.create = pv_vga_dev_create,
	.destroy = pv_vga_dev_destroy,
	.stats = pv_vga_stats,
	.state = state_none,	/* its page is guest RAM; the cells are the VGA's */
	.version = 1,
	.reset_ok = true,	/* no state of its own */
};
