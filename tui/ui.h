/* SPDX-License-Identifier: MIT */
/*
 * The terminal UI: an ncurses thread that redraws the cell buffer at 60 Hz
 * when it changed, shows a status line, and turns typed keys into guest
 * input.  ui_stop() always leaves the terminal as it found it.
 */
#ifndef TUI_UI_H
#define TUI_UI_H

struct vm;

int ui_start(struct vm *vm);
void ui_stop(void);
/* Called by the main thread on SIGWINCH; the UI thread re-reads the size. */
void ui_resize(void);
/* Puts the terminal back (also from a crash handler: async-signal-safe). */
void ui_emergency_restore(void);

#endif
