/* SPDX-License-Identifier: MIT */
/* Drawing for the terminal UI (tui/ui.c): cells, status line, overlays. */
#ifndef TUI_UI_DRAW_H
#define TUI_UI_DRAW_H

#include <stdbool.h>
#include <wchar.h>

#include "attr.h"
#include "../vmm/screen.h"

#define STATUS_ROW	SCREEN_ROWS
#define UI_MIN_ROWS	(SCREEN_ROWS + 1)
#define UI_MIN_COLS	SCREEN_COLS

struct ui_draw {
	bool utf8;			/* the locale speaks UTF-8 */
	enum color_depth depth;
	wchar_t glyph[256];		/* what each CP437 byte is drawn as */
	unsigned int glyph_attr[256];	/* A_ALTCHARSET for line drawing */
	int cursor_vis;			/* last curs_set(), -1 unknown */
};

/* After newterm(): colours (VMM_COLORS=none|8|16 overrides) and glyphs. */
void draw_init(struct ui_draw *d);
/* The cells of f that differ from old (all of them when old is NULL). */
void draw_cells(struct ui_draw *d, const struct screen_frame *f,
		const struct screen_frame *old);
void draw_status(struct ui_draw *d, const char *text);
void draw_help(struct ui_draw *d);
void draw_too_small(int rows, int cols);
void draw_cursor(struct ui_draw *d, const struct screen_frame *f, bool hide);

#endif
