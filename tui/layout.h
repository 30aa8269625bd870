/* SPDX-License-Identifier: MIT */
/*
 * Where the view (the guest's 80x25 screen, or the serial console in the
 * same area) and the status line go in a terminal of any size, and which
 * part of the view shows when the terminal is smaller than it.
 *
 * 80x26 and more: the view and the status line below it, centred.  Fewer
 * rows: the status line gives way (it comes back for a note, or with
 * Ctrl-A t), and the view shows a window of rows that follows the guest's
 * cursor, so what the user types is always in sight; fewer than 80
 * columns: the same for columns.  The user can move the window (Ctrl-A
 * arrows) until the cursor moves or a key goes to the guest.  Below
 * UI_MIN_ROWS x UI_MIN_COLS nothing useful fits: the UI says so.
 *
 * Virtual rows are the screen's 0-24, or the console's line numbers.
 */
#ifndef TUI_LAYOUT_H
#define TUI_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../vmm/screen.h"

#define UI_MIN_ROWS	10
#define UI_MIN_COLS	40

struct layout {
	int term_rows, term_cols;
	bool too_small;
	int top, left, rows, cols;	/* the view's place on the terminal */
	int status_row;			/* -1: no status line */
	int status_left, status_cols;
};

/* Does the terminal have a row for the status line below the screen? */
bool layout_status_fits(int term_rows);
void layout_compute(struct layout *l, int term_rows, int term_cols, bool status);

struct viewport {
	int64_t top;			/* the first virtual row shown */
	int left;			/* the first column shown */
	bool manual;			/* the user moved it */
	bool sticky;			/* cursor moves do not end manual (console) */
	int64_t mark_row;		/* the cursor when the user moved it */
	int mark_col;
};

/* The virtual area: rows [lo, hi), cols columns, and the cursor in it. */
struct vspace {
	int64_t lo, hi;
	int cols;
	int64_t cur_row;
	int cur_col;
	bool cursor;			/* false: no cursor to follow */
};

/* The view as if never scrolled: from the top, far enough to show the cursor. */
void viewport_reset(struct viewport *v, const struct layout *l, const struct vspace *s);
/*
 * Each frame: keeps the cursor in view, moving as little as it can;
 * a manual view stays until the cursor moves (not when sticky), then
 * resets.
 */
void viewport_follow(struct viewport *v, const struct layout *l, const struct vspace *s);
/* The user's scroll keys; true when the view moved. */
bool viewport_scroll(struct viewport *v, const struct layout *l, const struct vspace *s,
		     int64_t drows, int dcols);
/* A key went to the guest: a manual view resets. */
void viewport_release(struct viewport *v, const struct layout *l, const struct vspace *s);

/*
 * What is hidden, e.g. "▲ row 1 ▼ rows 24-25 ▶ cols 61-80" (1-based), or
 * with as_lines "▲ 120 lines"; ASCII arrows unless utf8.  Returns the
 * number of columns it takes (0: nothing hidden).
 */
int viewport_hidden(const struct viewport *v, const struct layout *l,
		    const struct vspace *s, bool as_lines, bool utf8, char *buf, size_t n);

#endif
