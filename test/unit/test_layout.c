// SPDX-License-Identifier: MIT
/*
 * Terminal sizes against the 80x25 screen: centring, the status line
 * giving way, the window that follows the cursor, the user's scrolling
 * and the text that says what is hidden.
 */
#include "../../tui/layout.h"
#include "../unit.h"

static void big_terminals_centre_the_screen(void)
{
	struct layout l;

	layout_compute(&l, 26, 80, true);
	EXPECT(!l.too_small);
	EXPECT_EQ(l.top, 0);
	EXPECT_EQ(l.left, 0);
	EXPECT_EQ(l.rows, 25);
	EXPECT_EQ(l.cols, 80);
	EXPECT_EQ(l.status_row, 25);
	layout_compute(&l, 40, 120, true);
	EXPECT_EQ(l.top, 7);
	EXPECT_EQ(l.left, 20);
	EXPECT_EQ(l.status_row, 32);
	EXPECT_EQ(l.status_left, 20);
	EXPECT_EQ(l.status_cols, 80);
	layout_compute(&l, 41, 81, false);	/* odd spare rows: the extra one below */
	EXPECT_EQ(l.top, 8);
	EXPECT_EQ(l.left, 0);
	EXPECT_EQ(l.status_row, -1);
}

static void small_terminals_shrink_the_view(void)
{
	struct layout l;

	EXPECT(layout_status_fits(26));
	EXPECT(!layout_status_fits(25));
	layout_compute(&l, 25, 80, false);
	EXPECT_EQ(l.rows, 25);
	EXPECT_EQ(l.status_row, -1);
	layout_compute(&l, 25, 80, true);
	EXPECT_EQ(l.rows, 24);
	EXPECT_EQ(l.status_row, 24);
	layout_compute(&l, 30, 60, true);
	EXPECT_EQ(l.cols, 60);
	EXPECT_EQ(l.left, 0);
	EXPECT_EQ(l.top, 2);
	EXPECT_EQ(l.status_cols, 60);
	layout_compute(&l, 10, 40, true);
	EXPECT(!l.too_small);
	EXPECT_EQ(l.rows, 9);
	layout_compute(&l, 9, 80, false);
	EXPECT(l.too_small);
	layout_compute(&l, 30, 39, false);
	EXPECT(l.too_small);
	layout_compute(&l, 0, 0, false);
	EXPECT(l.too_small);
}

static struct vspace screen_at(int row, int col)
{
	return (struct vspace){ .lo = 0, .hi = SCREEN_ROWS, .cols = SCREEN_COLS,
				.cur_row = row, .cur_col = col, .cursor = true };
}

static void window_follows_the_cursor(void)
{
	struct layout l;
	struct viewport v = { 0 };
	struct vspace s = screen_at(23, 7);
	char tag[64];

	layout_compute(&l, 24, 80, false);
	viewport_reset(&v, &l, &s);
	EXPECT_EQ(v.top, 0);
	EXPECT_EQ(viewport_hidden(&v, &l, &s, false, true, tag, sizeof(tag)), 10);
	EXPECT(!strcmp(tag, " ▼ row 25 "));
	s = screen_at(24, 0);
	viewport_follow(&v, &l, &s);
	EXPECT_EQ(v.top, 1);
	viewport_hidden(&v, &l, &s, false, false, tag, sizeof(tag));
	EXPECT(!strcmp(tag, " ^ row 1 "));
	s = screen_at(10, 0);			/* in view: no move */
	viewport_follow(&v, &l, &s);
	EXPECT_EQ(v.top, 1);
	s = screen_at(0, 0);
	viewport_follow(&v, &l, &s);
	EXPECT_EQ(v.top, 0);
	layout_compute(&l, 12, 80, false);	/* a resize starts from the top */
	s = screen_at(15, 0);
	viewport_reset(&v, &l, &s);
	EXPECT_EQ(v.top, 4);
	viewport_hidden(&v, &l, &s, false, true, tag, sizeof(tag));
	EXPECT(!strcmp(tag, " ▲ rows 1-4 ▼ rows 17-25 "));
	s.cursor = false;			/* no cursor: stay */
	s.cur_row = 24;
	viewport_follow(&v, &l, &s);
	EXPECT_EQ(v.top, 4);
}

static void user_scrolls_until_the_cursor_moves(void)
{
	struct layout l;
	struct viewport v = { 0 };
	struct vspace s = screen_at(24, 3);
	char tag[64];

	layout_compute(&l, 24, 80, false);
	viewport_reset(&v, &l, &s);
	EXPECT(!viewport_scroll(&v, &l, &s, 1, 0));	/* already at the end */
	EXPECT(viewport_scroll(&v, &l, &s, -10, 0));
	EXPECT_EQ(v.top, 0);
	EXPECT(v.manual);
	viewport_follow(&v, &l, &s);		/* same cursor: stays */
	EXPECT_EQ(v.top, 0);
	s.cur_col = 4;				/* the cursor moved: follow */
	viewport_follow(&v, &l, &s);
	EXPECT_EQ(v.top, 1);
	EXPECT(!v.manual);
	layout_compute(&l, 20, 80, false);
	s = screen_at(15, 0);
	viewport_reset(&v, &l, &s);
	EXPECT_EQ(v.top, 0);
	viewport_scroll(&v, &l, &s, 3, 0);
	s.cur_row = 16;				/* still in view: back to the start */
	viewport_follow(&v, &l, &s);
	EXPECT_EQ(v.top, 0);
	viewport_scroll(&v, &l, &s, 5, 0);
	viewport_release(&v, &l, &s);		/* a key typed: the same */
	EXPECT_EQ(v.top, 0);
	EXPECT(!v.manual);
	layout_compute(&l, 30, 60, true);	/* columns too */
	s = screen_at(3, 70);
	viewport_reset(&v, &l, &s);
	EXPECT_EQ(v.left, 11);
	viewport_hidden(&v, &l, &s, false, true, tag, sizeof(tag));
	EXPECT(!strcmp(tag, " ◀ cols 1-11 ▶ cols 72-80 "));
	EXPECT(viewport_scroll(&v, &l, &s, 0, -100));
	EXPECT_EQ(v.left, 0);
	viewport_hidden(&v, &l, &s, false, false, tag, sizeof(tag));
	EXPECT(!strcmp(tag, " > cols 61-80 "));
	layout_compute(&l, 26, 80, true);	/* everything shows: nothing to say */
	viewport_reset(&v, &l, &s);
	EXPECT_EQ(viewport_hidden(&v, &l, &s, false, true, tag, sizeof(tag)), 0);
	EXPECT(!strcmp(tag, ""));
}

static void scrollback_stays_until_its_end(void)
{
	struct layout l;
	struct viewport v = { .sticky = true };
	struct vspace s = { .lo = 0, .hi = 100, .cols = 80, .cur_row = 99, .cursor = true };
	char tag[64];

	layout_compute(&l, 26, 80, true);
	viewport_reset(&v, &l, &s);
	EXPECT_EQ(v.top, 75);
	EXPECT(viewport_scroll(&v, &l, &s, -10, 0));
	s.hi = 110;				/* new output: stay where the user is */
	s.cur_row = 109;
	viewport_follow(&v, &l, &s);
	EXPECT_EQ(v.top, 65);
	viewport_hidden(&v, &l, &s, true, true, tag, sizeof(tag));
	EXPECT(!strcmp(tag, " ▲ 65 lines ▼ 20 lines "));
	s.lo = 70;				/* the ring dropped what was shown */
	viewport_follow(&v, &l, &s);
	EXPECT_EQ(v.top, 70);
	EXPECT(viewport_scroll(&v, &l, &s, 1000, 0));	/* to the end: follow */
	EXPECT(!v.manual);
	s.hi = 111;
	s.cur_row = 110;
	viewport_follow(&v, &l, &s);
	EXPECT_EQ(v.top, 86);
	s = (struct vspace){ .lo = 0, .hi = 1, .cols = 80, .cursor = true };
	viewport_reset(&v, &l, &s);		/* one line: shown at the top */
	EXPECT_EQ(v.top, 0);
	viewport_hidden(&v, &l, &s, true, true, tag, sizeof(tag));
	EXPECT(!strcmp(tag, ""));
}

int main(void)
{
	RUN(big_terminals_centre_the_screen);
	RUN(small_terminals_shrink_the_view);
	RUN(window_follows_the_cursor);
	RUN(user_scrolls_until_the_cursor_moves);
	RUN(scrollback_stays_until_its_end);
	UNIT_EXIT();
}
