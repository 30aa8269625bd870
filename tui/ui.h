/* SPDX-License-Identifier: MIT */
/*
 * The terminal UI: an ncurses thread that redraws the cell buffer at 60 Hz
 * when it changed, shows a status line, and turns typed keys into guest
 * input.  ui_stop() always leaves the terminal as it found it.
 *
 * Keys: Ctrl-A x quits (status 0), Ctrl-A h help, Ctrl-A c switches
 * between the screen and the serial console, Ctrl-A t shows or hides the
 * status line, Ctrl-A arrows and PgUp/PgDn scroll a view bigger than the
 * terminal, Ctrl-A s saves the screen as text, Ctrl-A Ctrl-A sends
 * Ctrl-A; all else goes to input_key().
 */
#ifndef TUI_UI_H
#define TUI_UI_H

struct vm;
struct recorder;
struct serial_out;

/* Before any set-up: 0 when TERM names a terminal the UI can drive. */
int ui_check_terminal(void);
/*
 * Takes over the terminal; rec (may be NULL) gets every changed frame,
 * the serial console every byte sout (may be NULL) takes from COM1.
 */
int ui_start(struct vm *vm, struct recorder *rec, struct serial_out *sout);
void ui_stop(void);
/*
 * After the VM stopped, unless the user quit it or a signal or --timeout
 * did: keeps the last screen with "guest exited with status N" until a
 * key (or SIGINT, SIGTERM, SIGHUP) closes it.  Reads sig_fd (a signalfd)
 * meanwhile, for SIGWINCH.
 */
void ui_linger(int sig_fd);
/* Called by the main thread on SIGWINCH; the UI thread re-reads the size. */
void ui_resize(void);
/* Puts the terminal back (also from a crash handler: async-signal-safe). */
void ui_emergency_restore(void);

#endif
