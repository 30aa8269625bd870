// SPDX-License-Identifier: MIT
/* VGA attributes to terminal styles, and CP437 to Unicode. */
#include <wchar.h>
#include <locale.h>

#include "../../tui/attr.h"
#include "../../tui/cp437.h"
#include "../../tui/dump.h"
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

	attr_style(0x1e, true, DEPTH_16, &s);	/* yellow on blue */
	EXPECT_EQ(s.fg, 11);
	EXPECT_EQ(s.bg, 4);
	EXPECT(!s.bold && !s.blink);
	attr_style(0x9e, true, DEPTH_16, &s);	/* same, blinking */
	EXPECT_EQ(s.bg, 4);
	EXPECT(s.blink);
	attr_style(0x9e, false, DEPTH_16, &s);	/* bright blue background */
	EXPECT_EQ(s.bg, 12);
	EXPECT(!s.blink);
	attr_style(0x07, true, DEPTH_16, &s);
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

			attr_style((uint8_t)a, d == DEPTH_8, d, &s);
			EXPECT(s.pair >= 0 && s.pair < n);
			attr_pair_colors(d, s.pair, &fg, &bg);
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

	attr_style(0x0e, true, DEPTH_8, &s);	/* yellow = bold brown */
	EXPECT_EQ(s.fg, 3);
	EXPECT(s.bold);
	attr_style(0xf1, false, DEPTH_8, &s);	/* bright bg cannot show */
	EXPECT_EQ(s.bg, 7);
	EXPECT_EQ(s.fg, 4);
	EXPECT(!s.bold);
}

static void no_colors_plain_and_reverse(void)
{
	struct cell_style s;

	attr_style(0x07, true, DEPTH_NONE, &s);
	EXPECT(!s.reverse && !s.bold && !s.invisible);
	attr_style(0x70, true, DEPTH_NONE, &s);	/* black on grey */
	EXPECT(s.reverse);
	attr_style(0x1f, true, DEPTH_NONE, &s);	/* white on blue */
	EXPECT(!s.reverse);
	EXPECT(s.bold);
	attr_style(0x00, true, DEPTH_NONE, &s);
	EXPECT(s.invisible);
	attr_style(0x87, true, DEPTH_NONE, &s);
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

int main(void)
{
	RUN(blue_and_red_swap);
	RUN(sixteen_colors_exact);
	RUN(pairs_cover_every_attribute);
	RUN(eight_colors_bold_for_bright);
	RUN(no_colors_plain_and_reverse);
	RUN(cp437_every_byte_width_one);
	RUN(utf8_round_trip);
	UNIT_EXIT();
}
