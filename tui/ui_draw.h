/* SPDX-License-Identifier: MIT */
/* Drawing for the terminal UI (tui/ui.c): cells, status line, overlays. */
#ifndef TUI_UI_DRAW_H
#define TUI_UI_DRAW_H

#include <stdbool.h>
#include <wchar.h>

#include "attr.h"
#include "layout.h"
#include "../vmm/screen.h"

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
	/* DEPTH_DIRECT: cells to repaint in 24-bit colour after refresh() */
	bool rgb_pending;
	bool help_on;			/* the help box covers help_box */
	int help_box[4];		/* top, left, rows, cols */
};

/*
 * After newterm(): colours and glyphs.  COLORTERM=truecolor or 24bit adds
 * exact colours for a palette the guest changed; VMM_COLORS=none|8|16|256
 * asks for less than the terminal has.
 */
void draw_init(struct ui_draw *d);
/*
 * The cells of f that differ from old (all of them when old is NULL) and
 * that the viewport shows, at their place in the layout.
 */
void draw_cells(struct ui_draw *d, const struct layout *l, const struct viewport *v,
		const struct screen_frame *f, const struct screen_frame *old);
/* The console's l->rows lines from v->top (cells: rows of cols code points). */
void draw_console(struct ui_draw *d, const struct layout *l, const struct viewport *v,
		  const uint32_t *cells, int cols);
/* The status line: text, padded to cols, at (row, left). */
void draw_status(struct ui_draw *d, int row, int left, int cols, const char *text);
/* The "what is hidden" tag, in the status line's colours, at most cols wide. */
void draw_tag(struct ui_draw *d, int row, int col, int cols, const char *text);
void draw_help(struct ui_draw *d);
void draw_too_small(int rows, int cols);
/* The cursor at virtual (row, col) if on and shown, else hidden. */
void draw_cursor(struct ui_draw *d, const struct layout *l, const struct viewport *v,
		 int64_t row, int col, bool on);
/*
 * After refresh(): the visible cells of f, again in the 24-bit colours of
 * its palette, written past ncurses (which knows only the nearest of
 * 256); DECSC/DECRC keep the cursor and attributes ncurses believes the
 * terminal has.  Only when draw_cells() drew a cell in such a colour.
 * tui/draw_rgb.c.
 */
void draw_rgb(struct ui_draw *d, const struct layout *l, const struct viewport *v,
	      const struct screen_frame *f);

#endif
