/* SPDX-License-Identifier: MIT */
/*
 * --record FILE: the session as an asciicast v2 file (a JSON header line,
 * then one [time, "o", data] event per refresh that changed the screen).
 * Each event carries only the changed cells as ANSI output for an 80x25
 * terminal, so `asciinema play` rebuilds the screen.  The terminal UI
 * feeds it from its own refresh; headless runs get a 60 Hz thread.
 */
#ifndef TUI_RECORD_H
#define TUI_RECORD_H

#include "../vmm/screen.h"

struct vm;
struct recorder;

/*
 * Creates FILE and writes the header; NULL (after a message) on error.
 * The file stops growing at max bytes (0: RECORD_MAX_DEFAULT): a frame
 * that would pass it ends the recording with a note on stderr.
 */
#define RECORD_MAX_DEFAULT (64ull << 20)
struct recorder *record_open(const char *path, const char *title, uint64_t max);
/* Appends the cells of f that differ from the last recorded frame. */
void record_frame(struct recorder *r, const struct screen_frame *f);
/* Headless: a thread that refreshes at 60 Hz and records changes. */
int record_start_thread(struct recorder *r, struct vm *vm);
/* Stops the thread, records the final screen of vm, closes the file. */
void record_close(struct recorder *r, struct vm *vm);

#endif
