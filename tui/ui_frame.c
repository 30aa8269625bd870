// SPDX-License-Identifier: MIT
#include <ncursesw/curses.h>
#include <string.h>

#include "../vmm/vm.h"
#include "record.h"
#include "refresh.h"
#include "ui_frame.h"

#define SCROLL_COLS	8

/* Does the status line get a row of its own (else notes cover the view)? */
static bool status_in_layout(const struct ui_frame *f)
{
	bool fits = f->view == VIEW_CONSOLE || layout_status_fits(LINES);

	return fits != f->status_toggled || f->status_pinned;
}

/* The current view's virtual area and cursor. */
static void vspace_now(const struct ui_frame *f, struct vspace *s)
{
	if (f->view == VIEW_CONSOLE) {
		const struct console_state *c = &f->cs;

		*s = (struct vspace){
			.lo = (int64_t)c->first, .hi = (int64_t)c->end, .cols = (int)c->cols,
			.cur_row = (int64_t)c->end - 1,
			.cur_col = c->col < c->cols ? (int)c->col : (int)c->cols - 1,
			.cursor = true,
		};
	} else {
		*s = (struct vspace){
			.lo = 0, .hi = SCREEN_ROWS, .cols = SCREEN_COLS,
			.cur_row = f->cur.cursor / SCREEN_COLS,
			.cur_col = f->cur.cursor % SCREEN_COLS,
			.cursor = f->cur.cursor_on,
		};
	}
}

/* The terminal row of the cursor, -1 when it is not in view. */
static int cursor_term_row(const struct ui_frame *f)
{
	const struct viewport *v = &f->vp[f->view];
	struct vspace s;

	vspace_now(f, &s);
	if (!s.cursor || s.cur_row < v->top || s.cur_row >= v->top + f->lay.rows)
		return -1;
	return f->lay.top + (int)(s.cur_row - v->top);
}

void frame_relayout(struct ui_frame *f, bool resized)
{
	struct viewport *v = &f->vp[f->view];
	struct vspace s;

	layout_compute(&f->lay, LINES, COLS, status_in_layout(f));
	f->full = true;
	f->overlay_row = -1;
	f->tag[0] = 0;
	if (f->lay.too_small) {
		draw_too_small(LINES, COLS);
		refresh();
		return;
	}
	vspace_now(f, &s);
	if (resized || !v->manual)
		viewport_reset(v, &f->lay, &s);
	else
		viewport_follow(v, &f->lay, &s);
}

void frame_init(struct ui_frame *f, struct vm *vm, struct recorder *rec,
		struct console *con)
{
	memset(f, 0, sizeof(*f));
	f->vm = vm;
	f->rec = rec;
	f->con = con;
	f->gen = UINT64_MAX;
	f->con_gen = UINT64_MAX;
	f->overlay_row = -1;
	f->vp[VIEW_CONSOLE].sticky = true;
	draw_init(&f->d);
	status_init(&f->st, vm);
	frame_relayout(f, true);
}

/* New console output since it was last read? Then read its state. */
static bool console_changed(struct ui_frame *f)
{
	if (!f->con || console_gen(f->con) == f->con_gen)
		return false;
	console_read(f->con, 0, 0, NULL, &f->cs);
	return true;
}

/* The cursor keeps the view; a view that moved is drawn whole. */
static void follow_view(struct ui_frame *f)
{
	struct viewport *v = &f->vp[f->view];
	int64_t top = v->top;
	int left = v->left;
	struct vspace s;

	vspace_now(f, &s);
	viewport_follow(v, &f->lay, &s);
	if (v->top != top || v->left != left)
		f->full = true;
}

/* Where a note goes when the status line has no row: away from the cursor. */
static void place_overlay(struct ui_frame *f, const char *note)
{
	int row = -1;

	if (note && f->lay.status_row < 0) {
		row = f->lay.top + f->lay.rows - 1;
		if (cursor_term_row(f) == row)
			row = f->lay.top;
	}
	if (row != f->overlay_row)
		f->full = true;
	f->overlay_row = row;
}

/* The tag: top right, or bottom right when the cursor is under it. */
static void place_tag(struct ui_frame *f)
{
	struct vspace s;
	char t[sizeof(f->tag)];
	int w, row = f->lay.top, col;

	vspace_now(f, &s);
	w = viewport_hidden(&f->vp[f->view], &f->lay, &s, f->view == VIEW_CONSOLE,
			    f->d.utf8, t, sizeof(t));
	if (w > f->lay.cols)
		w = f->lay.cols;
	col = f->lay.left + f->lay.cols - w;
	if (w && cursor_term_row(f) == row &&
	    s.cur_col - f->vp[f->view].left >= col - f->lay.left)
		row = f->lay.top + f->lay.rows - 1;
	if (strcmp(t, f->tag) || row != f->tag_row || col != f->tag_col)
		f->full = true;
	strcpy(f->tag, t);
	f->tag_row = row;
	f->tag_col = col;
	f->tag_w = w;
}

static void draw_view(struct ui_frame *f)
{
	if (f->view == VIEW_SCREEN) {
		draw_cells(&f->d, &f->lay, &f->vp[VIEW_SCREEN], &f->cur,
			   f->full ? NULL : &f->last);
		f->last = f->cur;
		STAT_INC(f->vm->stats.frames);
	} else {
		console_read(f->con, (uint64_t)f->vp[VIEW_CONSOLE].top,
			     (unsigned int)f->lay.rows, f->con_cells, &f->cs);
		f->con_gen = f->cs.gen;
		draw_console(&f->d, &f->lay, &f->vp[VIEW_CONSOLE], f->con_cells,
			     (int)f->cs.cols);
	}
	if (f->tag[0])
		draw_tag(&f->d, f->tag_row, f->tag_col, f->tag_w, f->tag);
}

void frame_tick(struct ui_frame *f, uint64_t now, const char *note, bool help)
{
	bool changed = screen_refresh(f->vm, &f->gen, &f->cur);
	char line[sizeof(f->status)];
	bool status_new = false;
	struct vspace s;

	if (changed && f->rec)
		record_frame(f->rec, &f->cur);
	if (!f->lay.too_small && status_in_layout(f) != (f->lay.status_row >= 0))
		frame_relayout(f, false);
	if (f->lay.too_small)
		return;
	if (f->view == VIEW_CONSOLE)
		changed = console_changed(f);
	follow_view(f);
	place_overlay(f, note);
	place_tag(f);
	int srow = f->lay.status_row >= 0 ? f->lay.status_row : f->overlay_row;

	if (srow >= 0) {
		status_text(&f->st, now, note, f->lay.cols, line, sizeof(line));
		status_new = strcmp(line, f->status) != 0;
		strcpy(f->status, line);
	}
	if (!changed && !f->full && !status_new)
		return;
	if (f->full)
		erase();
	if (changed || f->full)
		draw_view(f);
	if (srow >= 0)
		draw_status(&f->d, srow, f->lay.left, f->lay.cols, f->status);
	if (help)
		draw_help(&f->d);
	vspace_now(f, &s);
	draw_cursor(&f->d, &f->lay, &f->vp[f->view], s.cur_row, s.cur_col, s.cursor && !help);
	f->full = false;
	refresh();
	if (f->view == VIEW_SCREEN)
		draw_rgb(&f->d, &f->lay, &f->vp[VIEW_SCREEN], &f->cur);
}

int frame_scroll_key(struct ui_frame *f, int key)
{
	struct vspace s;
	int64_t page = f->lay.rows > 1 ? f->lay.rows - 1 : 1, all;
	int64_t dr = 0;
	int dc = 0;

	vspace_now(f, &s);
	all = s.hi - s.lo;
	switch (key) {
	case KEY_UP: dr = -1; break;
	case KEY_DOWN: dr = 1; break;
	case KEY_PPAGE: dr = -page; break;
	case KEY_NPAGE: dr = page; break;
	case KEY_HOME: dr = -all; break;
	case KEY_END: dr = all; break;
	case KEY_LEFT: dc = -SCROLL_COLS; break;
	case KEY_RIGHT: dc = SCROLL_COLS; break;
	default: return -1;
	}
	if (f->lay.too_small || !viewport_scroll(&f->vp[f->view], &f->lay, &s, dr, dc))
		return 0;
	f->full = true;
	return 1;
}

void frame_release(struct ui_frame *f)
{
	struct vspace s;

	if (f->lay.too_small)
		return;
	vspace_now(f, &s);
	viewport_release(&f->vp[f->view], &f->lay, &s);
}

bool frame_toggle_view(struct ui_frame *f)
{
	if (!f->con)
		return false;
	f->view = f->view == VIEW_SCREEN ? VIEW_CONSOLE : VIEW_SCREEN;
	f->con_gen = UINT64_MAX;
	console_changed(f);
	frame_relayout(f, true);
	return true;
}
