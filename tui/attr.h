/* SPDX-License-Identifier: MIT */
/*
 * VGA attribute byte -> terminal style.  Bits 0-3 are the foreground,
 * bits 4-6 the background, bit 7 blinks or (with blink off in the attribute
 * controller) makes the background bright.  VGA numbers its colours
 * blue = 1 and red = 4; curses and ANSI number them the other way round.
 * A guest that reprogrammed the palette gets its colours: exact on a
 * 24-bit terminal, the nearest of xterm's 16-255 on a 256-colour one, the
 * nearest of the standard 16 below that.  Pure functions, so the mapping
 * is unit-tested without a terminal.
 */
#ifndef TUI_ATTR_H
#define TUI_ATTR_H

#include <stdbool.h>
#include <stdint.h>

enum color_depth {
	DEPTH_NONE,	/* vt100: bold, reverse, blink, no colours */
	DEPTH_8,	/* 8 colours: bright foreground shown as bold */
	DEPTH_16,	/* 16 colours: the default palette exactly */
	DEPTH_256,	/* and a changed palette as the nearest of 16-255 */
	DEPTH_DIRECT,	/* and a changed palette exactly, in 24-bit SGR */
};

/* What a terminal makes of one frame's palette (vmm/screen.h). */
struct term_palette {
	bool custom;		/* not the standard 16: the guest chose colours */
	uint32_t rgb[16];	/* 0xRRGGBB */
	uint8_t near16[16];	/* the nearest standard VGA colour */
	short near256[16];	/* the nearest xterm colour 16-255 */
};

struct cell_style {
	short fg, bg;		/* curses colour numbers (-1 with DEPTH_NONE) */
	short pair;		/* the pair attr_pair_colors() describes */
	bool bold, blink, reverse, invisible;
	bool rgb;		/* DEPTH_DIRECT and custom: draw fg_rgb on bg_rgb */
	uint32_t fg_rgb, bg_rgb;
};

/* The curses/ANSI number of VGA colour c (0-15). */
short vga_color_to_curses(unsigned int c);
/* xterm's colour i (16-255) as 0xRRGGBB, and the nearest to rgb. */
uint32_t xterm_rgb(int i);
short nearest_xterm(uint32_t rgb);
/* The nearest of the standard 16 VGA colours. */
unsigned int nearest_vga(uint32_t rgb);
void term_palette_make(const uint32_t pal[16], bool is_default, struct term_palette *tp);
/* tp NULL: the standard palette (vmm's own status line and help). */
void attr_style(uint8_t attr, bool blink_mode, enum color_depth d,
		const struct term_palette *tp, struct cell_style *s);
/* Pairs needed for a depth; pair 0 is VGA 0x07 (white on black). */
int attr_pairs_needed(enum color_depth d);
/* Pairs from this one on show a custom palette (DEPTH_256 and up). */
#define ATTR_CUSTOM_PAIRS 256
/* The (fg, bg) of pair p, as curses colour numbers. */
void attr_pair_colors(enum color_depth d, const struct term_palette *tp, int p,
		      short *fg, short *bg);

#endif
