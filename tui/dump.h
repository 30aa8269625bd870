/* SPDX-License-Identifier: MIT */
#ifndef TUI_DUMP_H
#define TUI_DUMP_H

#include <stdbool.h>
#include <stdio.h>

#include "../vmm/screen.h"

enum dump_format { DUMP_NONE, DUMP_TEXT, DUMP_ANSI };

/*
 * The screen as 25 lines of UTF-8 text (trailing blanks dropped), or with
 * ANSI SGR colours for a terminal (every line complete, colours reset at
 * each line end).  utf8 = false writes the ASCII fallback.  In a VGA
 * graphics mode, one line saying which instead.
 */
void dump_frame(const struct screen_frame *f, enum dump_format fmt, bool utf8,
		FILE *out);
/*
 * One attribute of frame f as an ANSI SGR sequence (reset first): the
 * terminal's 16 colours for the default palette, else 24-bit colour.
 */
void dump_sgr(uint8_t attr, const struct screen_frame *f, FILE *out);
/* One CP437 glyph. */
void dump_glyph(uint8_t ch, bool utf8, FILE *out);
/* VGA numbers colours blue = 1, red = 4; ANSI and curses the other way. */
extern const unsigned char vga_to_ansi[8];

#endif
