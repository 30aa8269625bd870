// SPDX-License-Identifier: MIT
/*
 * The VGA register file (devices/vga_regs.h).  Masks follow the register
 * layouts of the IBM VGA as FreeVGA documents them: reserved bits read 0.
 * The CRTC index keeps all 8 bits, as on VGA-compatibles with extension
 * registers; this one has none, so CRTC 0x19-0xff read 0xff.
 */
#include <stdio.h>
#include <string.h>

#include "../vmm/bus.h"
#include "../vmm/screen.h"
#include "../vmm/state.h"
#include "vga.h"

#define MISC_COLOR	0x01	/* CRTC and input status 1 at 0x3dx, else 0x3bx */
#define MISC_MASK	0xef
#define FEATURE_MASK	0x0b
#define SEQ_INDEX_MASK	0x07
#define GC_INDEX_MASK	0x0f
#define AC_INDEX_MASK	0x3f
#define AC_REG(i)	((i) & 0x1f)
#define AC_PAS		0x20	/* palette address source: palette locked, shown */
#define AC_MODE_P54S	0x80	/* DAC index bits 5-4 come from colour select */
#define AC_PLANE_ENABLE	0x12
#define AC_COLOR_SELECT	0x14
#define CRTC_HDISP_END	0x01
#define CRTC_OVERFLOW	0x07
#define CRTC_MAX_SCAN	0x09
#define CRTC_VDISP_END	0x12
#define SEQ_CLOCKING	0x01
#define SEQ_8DOT	0x01	/* characters 8 dots wide, else 9 */
#define GC_MODE		0x05
#define GC_MODE_SHIFT_CGA 0x20	/* 2 bits a pixel, interleaved: 4 colours */
#define GC_MISC		0x06
#define GC_MISC_GRAPHICS 0x01	/* graphics, not alphanumeric */
#define AC_MODE_8BIT	0x40	/* 256 colours: two dots a pixel */
#define CRTC_VRETRACE_END 0x11
#define CRTC_PROTECT	0x80	/* in 0x11: CRTC 0-7 ignore writes... */
#define OVERFLOW_LC8	0x10	/* ...except this bit of the overflow register */
#define STATUS1_RETRACE	0x09	/* display disabled | vertical retrace */
#define DAC_BITS	0x3f

/* The bits each register keeps. */
static const uint8_t seq_mask[VGA_SEQ_REGS] = { 0x03, 0x3d, 0x0f, 0x3f, 0x0e };
static const uint8_t gc_mask[VGA_GC_REGS] = {
	0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff,
};
static const uint8_t ac_mask[VGA_AC_REGS] = {
	0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
	0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
	0xef, 0xff, 0x3f, 0x0f, 0x0f,
};
static const uint8_t crtc_mask[VGA_CRTC_REGS] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0x7f, 0xff, 0x3f, 0x7f, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xef, 0xff,
};

/* Mode 3 (80x25 colour text, 9x16 cells) as SeaVGABIOS programs it. */
static const uint8_t seq_mode3[VGA_SEQ_REGS] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
static const uint8_t gc_mode3[VGA_GC_REGS] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x0f, 0xff,
};
static const uint8_t ac_mode3[VGA_AC_REGS] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07,
	0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
	0x0c, 0x00, 0x0f, 0x08, 0x00,
};
static const uint8_t crtc_mode3[VGA_CRTC_REGS] = {
	0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e,
	0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3,
	0xff,
};

/*
 * The BIOS loads DAC entries 0-63 with the EGA's 64 colours and clears
 * the rest: index bits 2/1/0 add 2/3 of full red/green/blue, 5/4/3 add 1/3.
 */
static void dac_ega(uint8_t rgb[3], unsigned int i)
{
	for (unsigned int c = 0; c < 3; c++) {
		unsigned int shift = 2 - c;	/* red is bit 2, blue bit 0 */

		rgb[c] = (uint8_t)((i >> shift & 1) * 0x2a + (i >> (shift + 3) & 1) * 0x15);
	}
}

void vga_regs_reset(struct vga_regs *r, bool blink)
{
	memset(r, 0, sizeof(*r));
	r->misc = 0x67;			/* colour ports, RAM on, 28 MHz (720 dots), 400 lines */
	memcpy(r->seq, seq_mode3, sizeof(r->seq));
	memcpy(r->gc, gc_mode3, sizeof(r->gc));
	memcpy(r->ac, ac_mode3, sizeof(r->ac));
	memcpy(r->crtc, crtc_mode3, sizeof(r->crtc));
	if (!blink)
		r->ac[AC_MODE] &= (uint8_t)~AC_MODE_BLINK;
	r->ac_index = AC_PAS;		/* the BIOS leaves the display on */
	r->pel_mask = 0xff;
	for (unsigned int i = 0; i < 64; i++)
		dac_ega(r->dac[i], i);
}

/* 6-bit DAC level to 8 bits: 0x3f -> 0xff, 0x2a -> 0xaa, 0x15 -> 0x55. */
static uint32_t widen(uint8_t v)
{
	return (uint32_t)(v << 2 | v >> 4);
}

void vga_regs_palette(const struct vga_regs *r, uint32_t pal[16])
{
	uint8_t sel = r->ac[AC_COLOR_SELECT];

	for (unsigned int c = 0; c < 16; c++) {
		uint8_t p = r->ac[c & r->ac[AC_PLANE_ENABLE] & 0x0f];
		unsigned int i = r->ac[AC_MODE] & AC_MODE_P54S ?
				 (p & 0x0f) | (sel & 0x03) << 4 : p;
		const uint8_t *rgb = r->dac[(i | (sel & 0x0c) << 4) & r->pel_mask];

		pal[c] = widen(rgb[0]) << 16 | widen(rgb[1]) << 8 | widen(rgb[2]);
	}
}

void vga_regs_graphics(const struct vga_regs *r, char *buf, size_t size)
{
	const uint8_t *c = r->crtc;
	unsigned int w, h, scan, colours, planes = r->ac[AC_PLANE_ENABLE] & 0x0f;

	if (!(r->gc[GC_MISC] & GC_MISC_GRAPHICS)) {
		snprintf(buf, size, "%s", "");
		return;
	}
	/* display-end counts, in characters of 8 or 9 dots, and in lines */
	w = (c[CRTC_HDISP_END] + 1u) * (r->seq[SEQ_CLOCKING] & SEQ_8DOT ? 8 : 9);
	h = (c[CRTC_VDISP_END] | (c[CRTC_OVERFLOW] & 0x02u) << 7 |
	     (c[CRTC_OVERFLOW] & 0x40u) << 3) + 1;
	scan = ((c[CRTC_MAX_SCAN] & 0x1f) + 1u) * (c[CRTC_MAX_SCAN] & 0x80 ? 2 : 1);
	h /= scan;
	if (r->ac[AC_MODE] & AC_MODE_8BIT) {
		colours = 256;
		w /= 2;		/* a pixel takes two dot clocks */
	} else if (r->gc[GC_MODE] & GC_MODE_SHIFT_CGA) {
		colours = 4;
	} else {
		colours = 1u << __builtin_popcount(planes);
	}
	snprintf(buf, size, "%ux%u, %u colours", w, h, colours);
}

void vga_mode_changed(struct vga *v)
{
	char mode[sizeof(((struct screen_frame *)0)->graphics)];

	vga_regs_graphics(&v->regs, mode, sizeof(mode));
	screen_set_graphics(v->screen, mode);
}

static void palette_changed(struct vga *v)
{
	uint32_t pal[16];

	vga_regs_palette(&v->regs, pal);
	screen_set_palette(v->screen, pal);
}

static uint8_t reg_get(const uint8_t *regs, unsigned int n, unsigned int i)
{
	return i < n ? regs[i] : 0xff;
}

static void reg_set(uint8_t *regs, const uint8_t *mask, unsigned int n,
		    unsigned int i, uint8_t val)
{
	if (i < n)
		regs[i] = val & mask[i];
}

/* 0x3c0: index and data by turns; reading 0x3da makes the next an index. */
static void ac_write(struct vga *v, uint8_t val)
{
	struct vga_regs *r = &v->regs;
	unsigned int i = AC_REG(r->ac_index);

	r->ac_flipflop = !r->ac_flipflop;
	if (r->ac_flipflop) {
		r->ac_index = val & AC_INDEX_MASK;
		return;
	}
	/* the palette can only change while the display does not use it */
	if (i >= VGA_AC_REGS || (i < 16 && (r->ac_index & AC_PAS)))
		return;
	r->ac[i] = val & ac_mask[i];
	if (i == AC_MODE)
		screen_set_blink(v->screen, r->ac[i] & AC_MODE_BLINK);
	if (i != 0x11 && i != 0x13)	/* overscan and panning: no text colour */
		palette_changed(v);
}

static void crtc_write(struct vga *v, uint8_t val)
{
	struct vga_regs *r = &v->regs;
	uint8_t i = r->crtc_index;

	if (i >= VGA_CRTC_REGS)
		return;
	if (i <= CRTC_OVERFLOW && (r->crtc[CRTC_VRETRACE_END] & CRTC_PROTECT)) {
		if (i != CRTC_OVERFLOW)
			return;
		val = (uint8_t)((r->crtc[i] & ~OVERFLOW_LC8) | (val & OVERFLOW_LC8));
	}
	r->crtc[i] = val & crtc_mask[i];
	vga_crtc_written(v, i);
}

/* 0x3c9 reads and writes go red, green, blue, then on to the next entry. */
static uint8_t dac_read(struct vga_regs *r)
{
	uint8_t c = r->dac[r->dac_read][r->dac_read_rgb % 3];

	if (++r->dac_read_rgb >= 3) {
		r->dac_read_rgb = 0;
		r->dac_read++;
	}
	return c;
}

static void dac_write(struct vga *v, uint8_t val)
{
	struct vga_regs *r = &v->regs;

	r->dac_latch[r->dac_write_rgb % 3] = val & DAC_BITS;
	if (++r->dac_write_rgb < 3)
		return;
	memcpy(r->dac[r->dac_write], r->dac_latch, 3);
	r->dac_write_rgb = 0;
	r->dac_write++;
	palette_changed(v);
}

/*
 * The port a guest's port number reaches: the CRTC and input status 1
 * answer at 0x3dx or 0x3bx as misc output bit 0 selects; -1: nobody.
 */
static int decode(const struct vga_regs *r, unsigned int port)
{
	bool color = r->misc & MISC_COLOR;

	if (port < 0x3c0)
		return color ? -1 : (int)port + 0x20;
	if (port >= 0x3d0 && !color)
		return -1;
	return (int)port;
}

static uint8_t port_read(struct vga *v, int port)
{
	struct vga_regs *r = &v->regs;

	switch (port) {
	case 0x3c0: return r->ac_index;
	case 0x3c1: return reg_get(r->ac, VGA_AC_REGS, AC_REG(r->ac_index));
	case 0x3c2: return 0x00;	/* input status 0: no retrace interrupt */
	case 0x3c4: return r->seq_index;
	case 0x3c5: return reg_get(r->seq, VGA_SEQ_REGS, r->seq_index);
	case 0x3c6: return r->pel_mask;
	case 0x3c7: return r->dac_reading ? 0x03 : 0x00;
	case 0x3c8: return r->dac_write;
	case 0x3c9: return dac_read(r);
	case 0x3ca: return r->feature;
	case 0x3cc: return r->misc;
	case 0x3ce: return r->gc_index;
	case 0x3cf: return reg_get(r->gc, VGA_GC_REGS, r->gc_index);
	case 0x3d4: return r->crtc_index;
	case 0x3d5: return reg_get(r->crtc, VGA_CRTC_REGS, r->crtc_index);
	case 0x3da:
		/* toggling retrace bits end both halves of a wait-for-retrace loop */
		r->ac_flipflop = false;
		r->status1 ^= STATUS1_RETRACE;
		return r->status1;
	default: return 0xff;
	}
}

static void port_write(struct vga *v, int port, uint8_t val)
{
	struct vga_regs *r = &v->regs;

	switch (port) {
	case 0x3c0: ac_write(v, val); break;
	case 0x3c2: r->misc = val & MISC_MASK; break;
	case 0x3c4: r->seq_index = val & SEQ_INDEX_MASK; break;
	case 0x3c5: reg_set(r->seq, seq_mask, VGA_SEQ_REGS, r->seq_index, val); break;
	case 0x3c6:
		r->pel_mask = val;
		palette_changed(v);
		break;
	case 0x3c7:
		r->dac_read = val;
		r->dac_read_rgb = 0;
		r->dac_reading = true;
		break;
	case 0x3c8:
		r->dac_write = val;
		r->dac_write_rgb = 0;
		r->dac_reading = false;
		break;
	case 0x3c9: dac_write(v, val); break;
	case 0x3ce: r->gc_index = val & GC_INDEX_MASK; break;
	case 0x3cf: reg_set(r->gc, gc_mask, VGA_GC_REGS, r->gc_index, val); break;
	case 0x3d4: r->crtc_index = val; break;
	case 0x3d5: crtc_write(v, val); break;
	case 0x3da: r->feature = val & FEATURE_MASK; break;
	default: break;
	}
	/* a register that shapes the display: the mode may have changed */
	if (port == 0x3c0 || port == 0x3c5 || port == 0x3cf || port == 0x3d5)
		vga_mode_changed(v);
}

void vga_port_io(void *opaque, struct bus_access *a)
{
	struct vga *v = opaque;

	/* a 16-bit out to an index port writes index, then data (out dx, ax) */
	for (uint32_t i = 0; i < a->size; i++) {
		int port = decode(&v->regs, (unsigned int)a->addr + i);

		if (a->write)
			port_write(v, port, a->data[i]);
		else
			a->data[i] = port < 0 ? 0xff : port_read(v, port);
	}
}

/* ---- saved state ---- */

/* Every bit set in v[0..n) is one its mask keeps. */
static bool masked(const uint8_t *v, const uint8_t *mask, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (v[i] & ~mask[i])
			return false;
	return true;
}

static bool dac_levels(const uint8_t *v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (v[i] & ~DAC_BITS)
			return false;
	return true;
}

static bool regs_possible(const struct vga_regs *r)
{
	return !(r->misc & ~MISC_MASK) && !(r->feature & ~FEATURE_MASK) &&
	       !(r->seq_index & ~SEQ_INDEX_MASK) && !(r->gc_index & ~GC_INDEX_MASK) &&
	       !(r->ac_index & ~AC_INDEX_MASK) && !(r->status1 & ~STATUS1_RETRACE) &&
	       masked(r->seq, seq_mask, VGA_SEQ_REGS) &&
	       masked(r->gc, gc_mask, VGA_GC_REGS) &&
	       masked(r->crtc, crtc_mask, VGA_CRTC_REGS) &&
	       masked(r->ac, ac_mask, VGA_AC_REGS) &&
	       r->dac_read_rgb < 3 && r->dac_write_rgb < 3 &&
	       dac_levels(r->dac_latch, sizeof(r->dac_latch)) &&
	       dac_levels(&r->dac[0][0], sizeof(r->dac));
}

int vga_regs_fields(struct vga_regs *r, struct state *s)
{
	uint8_t *bytes[] = {
		&r->misc, &r->feature, &r->seq_index, &r->gc_index, &r->crtc_index,
		&r->ac_index, &r->status1, &r->pel_mask, &r->dac_read,
		&r->dac_write, &r->dac_read_rgb, &r->dac_write_rgb,
	};

	for (size_t i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++)
		state_u8(s, bytes[i]);
	state_bytes(s, r->seq, sizeof(r->seq));
	state_bytes(s, r->gc, sizeof(r->gc));
	state_bytes(s, r->crtc, sizeof(r->crtc));
	state_bytes(s, r->ac, sizeof(r->ac));
	state_bool(s, &r->ac_flipflop);
	state_bool(s, &r->dac_reading);
	state_bytes(s, r->dac_latch, sizeof(r->dac_latch));
	state_bytes(s, r->dac, sizeof(r->dac));
	if (s->loading && !s->bad && !regs_possible(r))
		return state_fail(s, "a VGA register holds bits no write leaves");
	return 0;
}
