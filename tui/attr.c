// SPDX-License-Identifier: MIT
#include "../vmm/screen.h"
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

/* xterm's 16-231 are a 6x6x6 cube on these levels, 232-255 a grey ramp. */
static const uint8_t cube[6] = { 0, 95, 135, 175, 215, 255 };

uint32_t xterm_rgb(int i)
{
	if (i >= 232) {
		uint32_t g = (uint32_t)(8 + 10 * (i - 232));

		return g << 16 | g << 8 | g;
	}
	i -= 16;
	return (uint32_t)cube[i / 36] << 16 | (uint32_t)cube[i / 6 % 6] << 8 | cube[i % 6];
}

/* Squared distance, green weighted most and blue least, as the eye does. */
static unsigned int distance(uint32_t a, uint32_t b)
{
	int dr = (int)(a >> 16 & 0xff) - (int)(b >> 16 & 0xff);
	int dg = (int)(a >> 8 & 0xff) - (int)(b >> 8 & 0xff);
	int db = (int)(a & 0xff) - (int)(b & 0xff);

	return (unsigned int)(2 * dr * dr + 4 * dg * dg + 3 * db * db);
}

short nearest_xterm(uint32_t rgb)
{
	short best = 16;

	for (int i = 17; i < 256; i++)
		if (distance(rgb, xterm_rgb(i)) < distance(rgb, xterm_rgb(best)))
			best = (short)i;
	return best;
}

unsigned int nearest_vga(uint32_t rgb)
{
	unsigned int best = 0;

	for (unsigned int c = 1; c < 16; c++)
		if (distance(rgb, screen_std_palette[c]) <
		    distance(rgb, screen_std_palette[best]))
			best = c;
	return best;
}

void term_palette_make(const uint32_t pal[16], bool is_default, struct term_palette *tp)
{
	tp->custom = !is_default;
	for (unsigned int c = 0; c < 16; c++) {
		tp->rgb[c] = pal[c];
		tp->near16[c] = (uint8_t)nearest_vga(pal[c]);
		tp->near256[c] = nearest_xterm(pal[c]);
	}
}

/*
 * Pair numbers put VGA 0x07 at 0, which ncurses reserves for the default
 * colours (set to white on black with assume_default_colors): fg ^ 7.
 * A custom palette has its own 256 pairs, where 0x07 is no special case.
 */
void attr_style(uint8_t attr, bool blink_mode, enum color_depth d,
		const struct term_palette *tp, struct cell_style *s)
{
	unsigned int fg = attr & 0x0f;
	unsigned int bg = blink_mode ? (attr >> 4) & 7 : attr >> 4;
	bool custom = tp && tp->custom;

	s->blink = blink_mode && (attr & 0x80);
	s->reverse = false;
	s->invisible = false;
	s->rgb = custom && d == DEPTH_DIRECT;
	s->fg_rgb = custom ? tp->rgb[fg] : screen_std_palette[fg];
	s->bg_rgb = custom ? tp->rgb[bg] : screen_std_palette[bg];
	if (custom && d >= DEPTH_256) {
		s->fg = tp->near256[fg];
		s->bg = tp->near256[bg];
		s->pair = (short)(ATTR_CUSTOM_PAIRS + bg * 16 + fg);
		s->bold = false;
		return;
	}
	if (custom) {
		fg = tp->near16[fg];
		bg = tp->near16[bg];
	}
	switch (d) {
	case DEPTH_NONE:
		s->fg = s->bg = -1;
		s->pair = 0;
		s->bold = fg & 8;
		s->reverse = luma[bg] > luma[fg];
		s->invisible = fg == bg;
		break;
	case DEPTH_8:
		bg &= 7;
		s->fg = vga_color_to_curses(fg & 7);
		s->bg = vga_color_to_curses(bg);
		s->pair = (short)(bg * 8 + ((fg & 7) ^ 7));
		s->bold = fg & 8;
		break;
	default:
		s->fg = vga_color_to_curses(fg);
		s->bg = vga_color_to_curses(bg);
		s->pair = (short)(bg * 16 + (fg ^ 7));
		s->bold = false;
		break;
	}
}

int attr_pairs_needed(enum color_depth d)
{
	return d >= DEPTH_256 ? ATTR_CUSTOM_PAIRS + 256 : d == DEPTH_16 ? 256 :
	       d == DEPTH_8 ? 64 : 0;
}

void attr_pair_colors(enum color_depth d, const struct term_palette *tp, int p,
		      short *fg, short *bg)
{
	unsigned int n = d == DEPTH_8 ? 8 : 16;

	if (p >= ATTR_CUSTOM_PAIRS) {
		p -= ATTR_CUSTOM_PAIRS;
		*fg = tp ? tp->near256[p % 16] : nearest_xterm(screen_std_palette[p % 16]);
		*bg = tp ? tp->near256[p / 16] : nearest_xterm(screen_std_palette[p / 16]);
		return;
	}
	*fg = vga_color_to_curses(((unsigned int)p % n) ^ 7);
	*bg = vga_color_to_curses((unsigned int)p / n);
}
