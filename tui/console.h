/* SPDX-License-Identifier: MIT */
/*
 * The serial console view's scrollback: every byte the guest writes to
 * COM1 arrives through console_sink() (any thread), is laid out as a
 * terminal would (CR, LF, BS, TAB, wrapping at the width) and kept as
 * lines of cells, the oldest dropped past max_lines.  UTF-8 sequences stay
 * whole even when split across calls; what cannot be shown as text shows
 * as an escape: ^X for C0 controls and DEL, \xNN for bytes that are not
 * UTF-8, <U+XXXX> for characters of no width.
 *
 * Lines are numbered from 0 since creation; the last line is the one
 * being written (the cursor's), so a console always has one line.
 */
#ifndef TUI_CONSOLE_H
#define TUI_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

/* A cell: a Unicode code point, 0 for never written (blank), or: */
#define CONSOLE_WIDE_TAIL	0xffffffffu	/* right half of a wide character */

struct console;

struct console_state {
	uint64_t first, end;	/* the lines kept: [first, end) */
	unsigned int col;	/* the cursor, on line end - 1 (may equal cols) */
	unsigned int cols;
	uint64_t gen;		/* grows with every change */
};

struct console *console_create(unsigned int max_lines, unsigned int cols);
void console_destroy(struct console *c);
/* The serial sink: opaque is the console.  Never blocks on the reader. */
void console_sink(void *opaque, const uint8_t *buf, size_t n);
/* Cheap: has anything changed since gen? */
uint64_t console_gen(struct console *c);
/*
 * Copies lines [from, from + n) into cells (n * cols cells; lines not kept
 * are blank) and the state the copy belongs to.
 */
void console_read(struct console *c, uint64_t from, unsigned int n,
		  uint32_t *cells, struct console_state *st);

#endif
