// SPDX-License-Identifier: MIT
#include "attr.h"
#include "dump.h"

/*
 * Perceived brightness of the 16 VGA colours (0.30 R + 0.59 G + 0.11 B of
 * the standard palette), for terminals without colour: the lighter of
 * foreground and background becomes the text, so black-on-grey turns into
 * reverse video and white-on-blue stays plain.
 */
static const uint8_t luma[16] = {
	0, 19, 100, 119, 51, 70, 101, 170, 85, 104, 185, 204, 136, 155, 236, 255,
};

short vga_color_to_curses(unsigned int c)
{
	return (short)(vga_to_ansi[c & 7] + (c & 8 ? 8 : 0));
}

/*
 * Pair numbers put VGA 0x07 at 0, which ncurses reserves for the default
 * colours (set to white on black with assume_default_colors): fg ^ 7.
 */
void attr_style(uint8_t attr, bool blink_mode, enum color_depth d,
		struct cell_style *s)
{
	unsigned int fg = attr & 0x0f;
	unsigned int bg = blink_mode ? (attr >> 4) & 7 : attr >> 4;

	s->blink = blink_mode && (attr & 0x80);
	s->reverse = false;
	s->invisible = false;
	switch (d) {
	case DEPTH_16:
		s->fg = vga_color_to_curses(fg);
		s->bg = vga_color_to_curses(bg);
		s->pair = (short)(bg * 16 + (fg ^ 7));
		s->bold = false;
		break;
	case DEPTH_8:
		bg &= 7;
		s->fg = vga_color_to_curses(fg & 7);
		s->bg = vga_color_to_curses(bg);
		s->pair = (short)(bg * 8 + ((fg & 7) ^ 7));
		s->bold = fg & 8;
		break;
	default:
		s->fg = s->bg = -1;
		s->pair = 0;
		s->bold = fg & 8;
		s->reverse = luma[bg] > luma[fg];
		s->invisible = fg == bg;
		break;
	}
}

int attr_pairs_needed(enum color_depth d)
{
	return d == DEPTH_16 ? 256 : d == DEPTH_8 ? 64 : 0;
}

void attr_pair_colors(enum color_depth d, int p, short *fg, short *bg)
{
	unsigned int n = d == DEPTH_16 ? 16 : 8;

	*fg = vga_color_to_curses(((unsigned int)p % n) ^ 7);
	*bg = vga_color_to_curses((unsigned int)p / n);
}
