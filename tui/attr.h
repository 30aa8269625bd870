/* SPDX-License-Identifier: MIT */
/*
 * VGA attribute byte -> terminal style.  Bits 0-3 are the foreground,
 * bits 4-6 the background, bit 7 blinks or (with blink off in the attribute
 * controller) makes the background bright.  VGA numbers its colours
 * blue = 1 and red = 4; curses and ANSI number them the other way round.
 * Pure functions, so the mapping is unit-tested without a terminal.
 */
#ifndef TUI_ATTR_H
#define TUI_ATTR_H

#include <stdbool.h>
#include <stdint.h>

enum color_depth {
	DEPTH_NONE,	/* vt100: bold, reverse, blink, no colours */
	DEPTH_8,	/* 8 colours: bright foreground shown as bold */
	DEPTH_16,	/* 16 colours or more: exact */
};

struct cell_style {
	short fg, bg;		/* curses colour numbers (-1 with DEPTH_NONE) */
	short pair;		/* the pair attr_init_pairs() made for (fg, bg) */
	bool bold, blink, reverse, invisible;
};

/* The curses/ANSI number of VGA colour c (0-15). */
short vga_color_to_curses(unsigned int c);
void attr_style(uint8_t attr, bool blink_mode, enum color_depth d,
		struct cell_style *s);
/* Pairs needed for a depth; pair 0 is VGA 0x07 (white on black). */
int attr_pairs_needed(enum color_depth d);
/* The (fg, bg) of pair p, as curses colour numbers. */
void attr_pair_colors(enum color_depth d, int p, short *fg, short *bg);

#endif
