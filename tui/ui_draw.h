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
	/* the guest's palette as drawn, and its custom pairs' colours */
	uint32_t palette[16];
	bool palette_default;
	struct term_palette tp;
	/* DEPTH_DIRECT: rows to repaint in 24-bit colour after refresh() */
	bool rgb_row[SCREEN_ROWS];
	bool help_on;			/* the help box covers help_box */
	int help_box[4];		/* top, left, rows, cols */
};

/*
 * After newterm(): colours and glyphs.  COLORTERM=truecolor or 24bit adds
 * exact colours for a palette the guest changed; VMM_COLORS=none|8|16|256
 * asks for less than the terminal has.
 */
void draw_init(struct ui_draw *d);
/* Where cell i of the guest screen is on the terminal. */
void draw_cell_pos(const struct ui_draw *d, int i, int *y, int *x);
/* The cells of f that differ from old (all of them when old is NULL). */
void draw_cells(struct ui_draw *d, const struct screen_frame *f,
		const struct screen_frame *old);
void draw_status(struct ui_draw *d, const char *text);
void draw_help(struct ui_draw *d);
void draw_too_small(int rows, int cols);
void draw_cursor(struct ui_draw *d, const struct screen_frame *f, bool hide);
/*
 * After refresh(): the rows draw_cells() marked, again in the 24-bit
 * colours of f's palette, written past ncurses (which knows only the
 * nearest of 256); DECSC/DECRC keep the cursor and attributes ncurses
 * believes the terminal has.  tui/draw_rgb.c.
 */
void draw_rgb(struct ui_draw *d, const struct screen_frame *f);

#endif
