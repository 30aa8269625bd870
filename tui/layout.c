// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

#include "layout.h"

static int min_int(int a, int b)
{
	return a < b ? a : b;
}

bool layout_status_fits(int term_rows)
{
	return term_rows > SCREEN_ROWS;
}

void layout_compute(struct layout *l, int term_rows, int term_cols, bool status)
{
	int s = status ? 1 : 0;

	memset(l, 0, sizeof(*l));
	l->term_rows = term_rows;
	l->term_cols = term_cols;
	l->status_row = -1;
	l->too_small = term_rows < UI_MIN_ROWS || term_cols < UI_MIN_COLS;
	if (l->too_small)
		return;
	l->rows = min_int(SCREEN_ROWS, term_rows - s);
	l->cols = min_int(SCREEN_COLS, term_cols);
	/* QEMU's way: the screen in the middle of a bigger terminal */
	l->top = (term_rows - l->rows - s) / 2;
	l->left = (term_cols - l->cols) / 2;
	if (status) {
		l->status_row = l->top + l->rows;
		l->status_left = l->left;
		l->status_cols = l->cols;
	}
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v > hi ? hi : v < lo ? lo : v;
}

/* The first row or column of a window of size n over [lo, hi) showing cur. */
static int64_t follow(int64_t start, int64_t n, int64_t lo, int64_t hi, int64_t cur)
{
	if (cur < start)
		start = cur;
	else if (cur >= start + n)
		start = cur - n + 1;
	return clamp64(start, lo, hi - n > lo ? hi - n : lo);
}

static void clamp_view(struct viewport *v, const struct layout *l, const struct vspace *s)
{
	v->top = clamp64(v->top, s->lo, s->hi - l->rows > s->lo ? s->hi - l->rows : s->lo);
	v->left = (int)clamp64(v->left, 0, s->cols > l->cols ? s->cols - l->cols : 0);
}

void viewport_reset(struct viewport *v, const struct layout *l, const struct vspace *s)
{
	v->manual = false;
	v->top = s->lo;
	v->left = 0;
	viewport_follow(v, l, s);
}

void viewport_follow(struct viewport *v, const struct layout *l, const struct vspace *s)
{
	if (v->manual && !v->sticky && s->cursor &&
	    (s->cur_row != v->mark_row || s->cur_col != v->mark_col)) {
		viewport_reset(v, l, s);	/* back to where it was before */
		return;
	}
	if (v->manual || !s->cursor) {
		clamp_view(v, l, s);
		return;
	}
	v->top = follow(v->top, l->rows, s->lo, s->hi, s->cur_row);
	v->left = (int)follow(v->left, l->cols, 0, s->cols, s->cur_col < s->cols ?
			      s->cur_col : s->cols - 1);
}

bool viewport_scroll(struct viewport *v, const struct layout *l, const struct vspace *s,
		     int64_t drows, int dcols)
{
	int64_t top = v->top;
	int left = v->left;

	v->top += drows;
	v->left += dcols;
	clamp_view(v, l, s);
	if (v->top == top && v->left == left)
		return false;
	v->manual = true;
	v->mark_row = s->cur_row;
	v->mark_col = s->cur_col;
	/* a scrollback scrolled to its end follows new output again */
	if (v->sticky && v->top + l->rows >= s->hi && v->left == 0)
		v->manual = false;
	return true;
}

void viewport_release(struct viewport *v, const struct layout *l, const struct vspace *s)
{
	if (v->manual)
		viewport_reset(v, l, s);
}

/* " ▲ rows 1-3": a hidden span [a, b] of n (1-based), in words. */
static size_t hidden_part(char *buf, size_t n, const char *arrow, const char *what,
			  int64_t a, int64_t b, bool count)
{
	int r;

	if (count)
		r = snprintf(buf, n, " %s %lld %s%s", arrow, (long long)(b - a + 1), what,
			     b > a ? "s" : "");
	else if (a == b)
		r = snprintf(buf, n, " %s %s %lld", arrow, what, (long long)a);
	else
		r = snprintf(buf, n, " %s %ss %lld-%lld", arrow, what, (long long)a,
			     (long long)b);
	return r < 0 ? 0 : (size_t)r < n ? (size_t)r : n ? n - 1 : 0;
}

int viewport_hidden(const struct viewport *v, const struct layout *l,
		    const struct vspace *s, bool as_lines, bool utf8, char *buf, size_t n)
{
	const char *up = utf8 ? "▲" : "^", *down = utf8 ? "▼" : "v";
	const char *lt = utf8 ? "◀" : "<", *rt = utf8 ? "▶" : ">";
	const char *row = as_lines ? "line" : "row";
	int64_t below = s->hi - (v->top + l->rows);
	size_t len = 0;

	if (!n)
		return 0;
	buf[0] = 0;
	if (v->top > s->lo)
		len += hidden_part(buf + len, n - len, up, row, 1, v->top - s->lo, as_lines);
	if (below > 0)
		len += hidden_part(buf + len, n - len, down, row, s->hi - s->lo - below + 1,
				   s->hi - s->lo, as_lines);
	if (v->left > 0)
		len += hidden_part(buf + len, n - len, lt, "col", 1, v->left, false);
	if (v->left + l->cols < s->cols)
		len += hidden_part(buf + len, n - len, rt, "col", v->left + l->cols + 1,
				   s->cols, false);
	if (!len)
		return 0;
	/* one more blank after, so the tag stands apart from the guest's text */
	if (len + 1 < n) {
		buf[len++] = ' ';
		buf[len] = 0;
	}
	/* columns, not bytes: each arrow is one column */
	int cols = 0;

	for (size_t i = 0; i < len; i++)
		cols += ((uint8_t)buf[i] & 0xc0) != 0x80;
	return cols;
}
