/* SPDX-License-Identifier: MIT */
/*
 * What the terminal UI draws where (for tui/ui.c, on its thread): two
 * views share one area that tui/layout.h places, the guest's screen and
 * the serial console (tui/console.h).  A frame is drawn bottom up: the
 * view's cells, the tag saying what a small terminal hides, the status
 * line (or a note over the view where it has no row), the help box, and
 * the cursor last; only what changed is drawn, and nothing when nothing
 * did.
 */
#ifndef TUI_UI_FRAME_H
#define TUI_UI_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "console.h"
#include "layout.h"
#include "ui_draw.h"
#include "ui_status.h"

struct vm;
struct recorder;

enum { VIEW_SCREEN, VIEW_CONSOLE };

struct ui_frame {
	struct vm *vm;
	struct recorder *rec;		/* gets every changed screen, or NULL */
	struct console *con;		/* NULL: no console view */
	struct ui_draw d;
	struct layout lay;
	int view;
	struct viewport vp[2];		/* one per view */
	bool status_toggled;		/* Ctrl-A t: the opposite of the default */
	bool status_pinned;		/* the status line keeps a row (the guest ended) */
	struct screen_frame cur, last;	/* last: what the terminal shows */
	uint64_t gen;
	struct console_state cs;	/* the console as last read */
	uint64_t con_gen;		/* the console as last drawn */
	uint32_t con_cells[SCREEN_CELLS];
	bool full;			/* erase and draw everything */
	int overlay_row;		/* a note over the view's row; -1 none */
	char tag[96];
	int tag_row, tag_col, tag_w;
	struct ui_status st;
	char status[256];
};

/* After newterm(): colours, glyphs, the first layout. */
void frame_init(struct ui_frame *f, struct vm *vm, struct recorder *rec,
		struct console *con);
/* The terminal's size (resized) or the status line's place changed. */
void frame_relayout(struct ui_frame *f, bool resized);
/* Every 1/60 s: note (or NULL) replaces the status line's numbers. */
void frame_tick(struct ui_frame *f, uint64_t now, const char *note, bool help);
/* Ctrl-A with an ncurses key: 1 moved, 0 nothing hidden that way, -1 not a scroll key. */
int frame_scroll_key(struct ui_frame *f, int key);
/* A key went to the guest: a view the user moved follows the cursor again. */
void frame_release(struct ui_frame *f);
/* The screen <-> the console; false when there is no console. */
bool frame_toggle_view(struct ui_frame *f);

#endif
