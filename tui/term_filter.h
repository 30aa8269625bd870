/* SPDX-License-Identifier: MIT */
/*
 * What a guest may send to the user's terminal.  Printable ASCII, valid
 * UTF-8 (but not the C1 controls U+0080-U+009F), CR, LF, TAB, BS and SGR
 * colour sequences (ESC [ digits ; : m) pass; every other byte is shown
 * visibly, as `cat -v` does: ^[ for ESC, ^G, ^? for DEL, M-x for a byte
 * that is not part of valid UTF-8.  So a guest cannot retitle the window,
 * set the clipboard, switch screens or make the terminal answer a query
 * into someone's input.  The filter keeps its state between calls: a
 * sequence may be split across two writes.
 */
#ifndef TUI_TERM_FILTER_H
#define TUI_TERM_FILTER_H

#include <stddef.h>
#include <stdint.h>

#define TERM_FILTER_HOLD 32	/* longest sequence held back */
/* Output room that one call with n input bytes may need. */
#define TERM_FILTER_OUT(n) (4 * ((n) + TERM_FILTER_HOLD))

struct term_filter {
	enum { TF_GROUND, TF_ESC, TF_CSI, TF_UTF8 } state;
	uint8_t held[TERM_FILTER_HOLD];
	size_t n_held;
	size_t utf8_left;	/* continuation bytes still expected */
	uint8_t utf8_min, utf8_max;	/* range of the next continuation byte */
};

void term_filter_init(struct term_filter *f);
/* Filters n bytes into out (TERM_FILTER_OUT(n) bytes); returns the length. */
size_t term_filter(struct term_filter *f, const uint8_t *in, size_t n, uint8_t *out);
/* At the end: whatever is held back, shown escaped; returns the length. */
size_t term_filter_end(struct term_filter *f, uint8_t *out);

#endif
