// SPDX-License-Identifier: MIT
#include <string.h>

#include "cp437.h"
#include "dump.h"

const unsigned char vga_to_ansi[8] = { 0, 4, 2, 6, 1, 5, 3, 7 };

void dump_glyph(uint8_t ch, bool utf8, FILE *out)
{
	char buf[4];

	if (!utf8) {
		fputc(cp437_ascii[ch], out);
		return;
	}
	fwrite(buf, 1, utf8_encode(cp437_unicode[ch], buf), out);
}

/*
 * The standard palette as the terminal's own 16 colours; one the guest
 * changed as 24-bit colour, which asciinema players and most terminals
 * show: a file cannot ask the terminal it will meet.
 */
void dump_sgr(uint8_t attr, const struct screen_frame *f, FILE *out)
{
	unsigned int fg = attr & 0x0f, bg = (attr >> 4) & 0x07;
	bool blink = f->blink && (attr & 0x80);

	if (!f->blink && (attr & 0x80))
		bg |= 8;
	if (!f->palette_default) {
		uint32_t a = f->palette[fg], b = f->palette[bg];

		fprintf(out, "\033[0;38;2;%u;%u;%u;48;2;%u;%u;%u%sm", a >> 16, a >> 8 & 0xff,
			a & 0xff, b >> 16, b >> 8 & 0xff, b & 0xff, blink ? ";5" : "");
		return;
	}
	fprintf(out, "\033[0;%u;%u%sm",
		(fg & 8 ? 90 : 30) + vga_to_ansi[fg & 7],
		(bg & 8 ? 100 : 40) + vga_to_ansi[bg & 7], blink ? ";5" : "");
}

void dump_frame(const struct screen_frame *f, enum dump_format fmt, bool utf8,
		FILE *out)
{
	/* the cells are the last text screen, which the guest no longer shows */
	if (f->graphics[0]) {
		fprintf(out, "(VGA graphics mode %s: no text to show)\n", f->graphics);
		return;
	}
	for (int r = 0; r < SCREEN_ROWS; r++) {
		const uint16_t *row = &f->cells[r * SCREEN_COLS];
		int end = SCREEN_COLS;

		if (fmt == DUMP_TEXT) {
			while (end > 0 && cp437_unicode[row[end - 1] & 0xff] == ' ')
				end--;
		}
		int last_attr = -1;

		for (int c = 0; c < end; c++) {
			uint8_t attr = (uint8_t)(row[c] >> 8);

			if (fmt == DUMP_ANSI && attr != last_attr) {
				dump_sgr(attr, f, out);
				last_attr = attr;
			}
			dump_glyph((uint8_t)row[c], utf8, out);
		}
		if (fmt == DUMP_ANSI)
			fputs("\033[0m", out);
		fputc('\n', out);
	}
}
