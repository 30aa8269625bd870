// SPDX-License-Identifier: MIT
/* VGA attributes to terminal styles, and CP437 to Unicode. */
#include <wchar.h>
#include <locale.h>

#include "../../tui/attr.h"
#include "../../tui/cp437.h"
#include "../../tui/dump.h"
#include "../../vmm/screen.h"
#include "../unit.h"

static void blue_and_red_swap(void)
{
	/* VGA 1 is blue, curses/ANSI 4 is blue; VGA 4 red is curses 1 */
	EXPECT_EQ(vga_color_to_curses(1), 4);
	EXPECT_EQ(vga_color_to_curses(4), 1);
	EXPECT_EQ(vga_color_to_curses(9), 12);
	EXPECT_EQ(vga_color_to_curses(12), 9);
	EXPECT_EQ(vga_color_to_curses(2), 2);
	EXPECT_EQ(vga_color_to_curses(6), 3);	/* brown is ANSI yellow */
	EXPECT_EQ(vga_color_to_curses(3), 6);
	EXPECT_EQ(vga_color_to_curses(15), 15);
}

static void sixteen_colors_exact(void)
{
	struct cell_style s;

	attr_style(0x1e, true, DEPTH_16, NULL, &s);	/* yellow on blue */
	EXPECT_EQ(s.fg, 11);
	EXPECT_EQ(s.bg, 4);
	EXPECT(!s.bold && !s.blink);
	attr_style(0x9e, true, DEPTH_16, NULL, &s);	/* same, blinking */
	EXPECT_EQ(s.bg, 4);
	EXPECT(s.blink);
	attr_style(0x9e, false, DEPTH_16, NULL, &s);	/* bright blue background */
	EXPECT_EQ(s.bg, 12);
	EXPECT(!s.blink);
	attr_style(0x07, true, DEPTH_16, NULL, &s);
	EXPECT_EQ(s.pair, 0);			/* ncurses' default pair */
}

static void pairs_cover_every_attribute(void)
{
	for (int d = DEPTH_8; d <= DEPTH_16; d++) {
		int n = attr_pairs_needed(d);
		static unsigned char used[256];

		memset(used, 0, sizeof(used));
		for (int a = 0; a < 256; a++) {
			struct cell_style s;
			short fg, bg;

			attr_style((uint8_t)a, d == DEPTH_8, d, NULL, &s);
			EXPECT(s.pair >= 0 && s.pair < n);
			attr_pair_colors(d, NULL, s.pair, &fg, &bg);
			EXPECT_EQ(fg, s.fg);
			EXPECT_EQ(bg, s.bg);
			used[s.pair] = 1;
		}
		for (int p = 0; p < n; p++)
			EXPECT(used[p]);
	}
}

static void eight_colors_bold_for_bright(void)
{
	struct cell_style s;

	attr_style(0x0e, true, DEPTH_8, NULL, &s);	/* yellow = bold brown */
	EXPECT_EQ(s.fg, 3);
	EXPECT(s.bold);
	attr_style(0xf1, false, DEPTH_8, NULL, &s);	/* bright bg cannot show */
	EXPECT_EQ(s.bg, 7);
	EXPECT_EQ(s.fg, 4);
	EXPECT(!s.bold);
}

static void no_colors_plain_and_reverse(void)
{
	struct cell_style s;

	attr_style(0x07, true, DEPTH_NONE, NULL, &s);
	EXPECT(!s.reverse && !s.bold && !s.invisible);
	attr_style(0x70, true, DEPTH_NONE, NULL, &s);	/* black on grey */
	EXPECT(s.reverse);
	attr_style(0x1f, true, DEPTH_NONE, NULL, &s);	/* white on blue */
	EXPECT(!s.reverse);
	EXPECT(s.bold);
	attr_style(0x00, true, DEPTH_NONE, NULL, &s);
	EXPECT(s.invisible);
	attr_style(0x87, true, DEPTH_NONE, NULL, &s);
	EXPECT(s.blink);
}

static void cp437_every_byte_width_one(void)
{
	unsigned char seen[65536 / 8] = { 0 };
	int dup = 0;

	setlocale(LC_ALL, "C.UTF-8");
	for (int c = 0; c < 256; c++) {
		wchar_t w = cp437_unicode[c];

		EXPECT(w != 0);
		EXPECT_EQ(wcwidth(w), 1);
		EXPECT(cp437_ascii[c] >= 0x20 && cp437_ascii[c] < 0x7f);
		if (c >= 0x20 && c < 0x7f) {
			EXPECT_EQ(cp437_unicode[c], c);
			EXPECT_EQ(cp437_ascii[c], c);
		}
		if (c > 0 && c != 0xff) {	/* 0 and 0xff are both blanks */
			dup += (seen[w / 8] >> (w % 8)) & 1;
			seen[w / 8] |= (unsigned char)(1 << (w % 8));
		}
	}
	EXPECT_EQ(dup, 0);
	EXPECT_EQ(cp437_unicode[0xc9], 0x2554);	/* ╔ */
	EXPECT_EQ(cp437_unicode[0xdb], 0x2588);	/* █ */
	EXPECT_EQ(cp437_unicode[0x01], 0x263a);	/* ☺ */
}

static void utf8_round_trip(void)
{
	char buf[4];

	for (int c = 0; c < 256; c++) {
		size_t n = utf8_encode(cp437_unicode[c], buf);
		wchar_t w;
		mbstate_t st = { 0 };

		EXPECT(n >= 1 && n <= 3);
		EXPECT_EQ(mbrtowc(&w, buf, n, &st), n);
		EXPECT_EQ(w, cp437_unicode[c]);
	}
}

/* A palette with colour 1 orange instead of blue, as a guest's DAC write makes it. */
static void orange_palette(uint32_t pal[16], struct term_palette *tp)
{
	memcpy(pal, screen_std_palette, 16 * sizeof(pal[0]));
	pal[1] = 0xff8200;
	term_palette_make(pal, false, tp);
}

static void xterm_colors(void)
{
	EXPECT_EQ(xterm_rgb(16), 0x000000);
	EXPECT_EQ(xterm_rgb(21), 0x0000ff);
	EXPECT_EQ(xterm_rgb(196), 0xff0000);
	EXPECT_EQ(xterm_rgb(208), 0xff8700);
	EXPECT_EQ(xterm_rgb(231), 0xffffff);
	EXPECT_EQ(xterm_rgb(232), 0x080808);
	EXPECT_EQ(xterm_rgb(255), 0xeeeeee);
	for (int i = 16; i < 256; i++)
		EXPECT_EQ(nearest_xterm(xterm_rgb(i)), i);
	EXPECT_EQ(nearest_xterm(0x414141), 238);	/* grey ramp 0x444444 */
	EXPECT_EQ(nearest_xterm(0xaaaaaa), 248);	/* 0xa8a8a8 */
	for (unsigned int c = 0; c < 16; c++)
		EXPECT_EQ(nearest_vga(screen_std_palette[c]), c);
	EXPECT_EQ(nearest_vga(0xff8200), 6);		/* orange is nearest brown */
}

static void default_palette_uses_the_standard_16(void)
{
	struct term_palette tp;
	struct cell_style s;

	term_palette_make(screen_std_palette, true, &tp);
	for (int d = DEPTH_16; d <= DEPTH_DIRECT; d++) {
		attr_style(0x1e, true, d, &tp, &s);
		EXPECT_EQ(s.fg, 11);
		EXPECT_EQ(s.bg, 4);
		EXPECT_EQ(s.pair, 1 * 16 + (0xe ^ 7));
		EXPECT(!s.rgb);
	}
}

static void changed_dac_entry_nearest_256(void)
{
	uint32_t pal[16];
	struct term_palette tp;
	struct cell_style s;
	short fg, bg;

	orange_palette(pal, &tp);
	attr_style(0x17, true, DEPTH_256, &tp, &s);	/* grey on (orange) colour 1 */
	EXPECT_EQ(s.bg, 208);
	EXPECT_EQ(s.fg, 248);
	EXPECT(!s.rgb);
	EXPECT_EQ(s.pair, ATTR_CUSTOM_PAIRS + 1 * 16 + 7);
	attr_pair_colors(DEPTH_256, &tp, s.pair, &fg, &bg);
	EXPECT_EQ(fg, 248);
	EXPECT_EQ(bg, 208);
	EXPECT(s.pair < attr_pairs_needed(DEPTH_256));
	/* 16 colours: the nearest standard one */
	attr_style(0x17, true, DEPTH_16, &tp, &s);
	EXPECT_EQ(s.bg, 3);				/* brown is curses yellow */
	attr_style(0x71, true, DEPTH_8, &tp, &s);
	EXPECT_EQ(s.fg, 3);
}

static void truecolor_exact(void)
{
	uint32_t pal[16];
	struct term_palette tp;
	struct cell_style s;

	orange_palette(pal, &tp);
	attr_style(0x9f, true, DEPTH_DIRECT, &tp, &s);	/* white on orange, blinking */
	EXPECT(s.rgb);
	EXPECT(s.blink);
	EXPECT_EQ(s.fg_rgb, 0xffffff);
	EXPECT_EQ(s.bg_rgb, 0xff8200);
	EXPECT_EQ(s.bg, 208);				/* what ncurses draws first */
	attr_style(0x9f, false, DEPTH_DIRECT, &tp, &s);	/* bright bg 9 */
	EXPECT_EQ(s.bg_rgb, 0x5555ff);
	EXPECT(!s.blink);
}

static void custom_pairs_cover_every_attribute(void)
{
	uint32_t pal[16];
	struct term_palette tp;
	static unsigned char used[256];

	orange_palette(pal, &tp);
	memset(used, 0, sizeof(used));
	for (int a = 0; a < 256; a++) {
		struct cell_style s;

		attr_style((uint8_t)a, false, DEPTH_256, &tp, &s);
		EXPECT(s.pair >= ATTR_CUSTOM_PAIRS && s.pair < attr_pairs_needed(DEPTH_256));
		used[s.pair - ATTR_CUSTOM_PAIRS] = 1;
	}
	for (int p = 0; p < 256; p++)
		EXPECT(used[p]);
}

static char *sgr(uint8_t attr, const struct screen_frame *f)
{
	static char buf[64];
	FILE *m = fmemopen(buf, sizeof(buf), "w");

	dump_sgr(attr, f, m);
	fclose(m);
	return buf;
}

static void dump_sgr_16_or_24_bit(void)
{
	struct screen_frame f = { .blink = true, .palette_default = true };

	memcpy(f.palette, screen_std_palette, sizeof(f.palette));
	EXPECT(!strcmp(sgr(0x1f, &f), "\033[0;97;44m"));
	EXPECT(!strcmp(sgr(0x9f, &f), "\033[0;97;44;5m"));
	f.blink = false;
	EXPECT(!strcmp(sgr(0x9f, &f), "\033[0;97;104m"));
	f.palette[1] = 0xff8200;
	f.palette_default = false;
	EXPECT(!strcmp(sgr(0x9f, &f), "\033[0;38;2;255;255;255;48;2;85;85;255m"));
	EXPECT(!strcmp(sgr(0x1f, &f), "\033[0;38;2;255;255;255;48;2;255;130;0m"));
	f.blink = true;
	EXPECT(!strcmp(sgr(0x9f, &f), "\033[0;38;2;255;255;255;48;2;255;130;0;5m"));
}

int main(void)
{
	RUN(blue_and_red_swap);
	RUN(sixteen_colors_exact);
	RUN(pairs_cover_every_attribute);
	RUN(eight_colors_bold_for_bright);
	RUN(no_colors_plain_and_reverse);
	RUN(cp437_every_byte_width_one);
	RUN(utf8_round_trip);
	RUN(xterm_colors);
	RUN(default_palette_uses_the_standard_16);
	RUN(changed_dac_entry_nearest_256);
	RUN(truecolor_exact);
	RUN(custom_pairs_cover_every_attribute);
	RUN(dump_sgr_16_or_24_bit);
	UNIT_EXIT();
}
