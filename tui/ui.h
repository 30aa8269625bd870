/* SPDX-License-Identifier: MIT */
/*
 * The terminal UI: an ncurses thread that redraws the cell buffer at 60 Hz
 * when it changed, shows a status line, and turns typed keys into guest
 * input.  ui_stop() always leaves the terminal as it found it.
 *
 * Keys: Ctrl-A x quits (status 0), Ctrl-A h help, Ctrl-A s saves the
 * screen as text, Ctrl-A Ctrl-A sends Ctrl-A; all else goes to input_key().
 */
#ifndef TUI_UI_H
#define TUI_UI_H

struct vm;
struct recorder;

/* Takes over the terminal; rec (may be NULL) gets every changed frame. */
int ui_start(struct vm *vm, struct recorder *rec);
void ui_stop(void);
/* Called by the main thread on SIGWINCH; the UI thread re-reads the size. */
void ui_resize(void);
/* Puts the terminal back (also from a crash handler: async-signal-safe). */
void ui_emergency_restore(void);

#endif
