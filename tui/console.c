// SPDX-License-Identifier: MIT
/*
 * One mutex guards everything: the writer (the thread that transmits on
 * COM1, holding the VM's io_lock) takes it per call, the UI thread per
 * frame, and neither takes another lock under it, so the two never wait
 * on each other for longer than a copy.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "console.h"

#define TAB_STOP	8

struct console {
	pthread_mutex_t lock;
	unsigned int max_lines, cols;
	uint32_t *cells;		/* max_lines rings of cols cells */
	uint64_t first, end;
	unsigned int col;
	uint64_t gen;
	uint8_t pend[4];		/* a UTF-8 sequence not yet whole */
	unsigned int pend_n, need;
};

static uint32_t *line_cells(struct console *c, uint64_t line)
{
	return c->cells + (size_t)(line % c->max_lines) * c->cols;
}

static void new_line(struct console *c)
{
	c->end++;
	if (c->end - c->first > c->max_lines)
		c->first++;
	memset(line_cells(c, c->end - 1), 0, c->cols * sizeof(uint32_t));
	c->col = 0;
}

/* One character of width w (1 or 2), wrapping first when it does not fit. */
static void put_char(struct console *c, uint32_t cp, unsigned int w)
{
	if (c->col + w > c->cols)
		new_line(c);
	uint32_t *l = line_cells(c, c->end - 1);
	unsigned int at = c->col;

	/* half a wide character left behind would draw as garbage */
	if (l[at] == CONSOLE_WIDE_TAIL && at > 0)
		l[at - 1] = ' ';
	if (at + w < c->cols && l[at + w] == CONSOLE_WIDE_TAIL)
		l[at + w] = ' ';
	l[at] = cp;
	if (w == 2)
		l[at + 1] = CONSOLE_WIDE_TAIL;
	c->col = at + w;
}

static void put_text(struct console *c, const char *s)
{
	while (*s)
		put_char(c, (uint8_t)*s++, 1);
}

static void put_escaped_byte(struct console *c, uint8_t b)
{
	char s[8];

	snprintf(s, sizeof(s), "\\x%02X", b);
	put_text(c, s);
}

static void put_codepoint(struct console *c, uint32_t cp)
{
	int w = cp < 0x7f ? 1 : wcwidth((wchar_t)cp);

	if (w == 1 || w == 2) {
		put_char(c, cp, (unsigned int)w);
	} else {
		/* C1 controls, combining marks, and all but ASCII in a C locale */
		char s[16];

		snprintf(s, sizeof(s), "<U+%04X>", cp);
		put_text(c, s);
	}
}

static void control(struct console *c, uint8_t b)
{
	switch (b) {
	case '\r':
		c->col = 0;
		break;
	case '\n':
		new_line(c);
		break;
	case '\b':
		if (c->col > 0)
			c->col = c->col < c->cols ? c->col - 1 : c->cols - 1;
		break;
	case '\t':
		c->col = (c->col / TAB_STOP + 1) * TAB_STOP;
		if (c->col > c->cols)
			c->col = c->cols;
		break;
	default: {
		char s[3] = { '^', (char)(b == 0x7f ? '?' : b + 0x40), 0 };

		put_text(c, s);
	}
	}
}

static void flush_pending_as_escapes(struct console *c)
{
	for (unsigned int i = 0; i < c->pend_n; i++)
		put_escaped_byte(c, c->pend[i]);
	c->pend_n = c->need = 0;
}

/* The sequence in pend is complete: a character, or escapes if invalid. */
static void finish_sequence(struct console *c)
{
	static const uint32_t lowest[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	uint32_t cp = c->pend[0] & (0x7f >> c->need);

	for (unsigned int i = 1; i < c->need; i++)
		cp = cp << 6 | (c->pend[i] & 0x3f);
	/* overlong forms, surrogates and beyond U+10FFFF are not UTF-8 */
	if (cp < lowest[c->need] || (cp >= 0xd800 && cp < 0xe000) || cp > 0x10ffff) {
		flush_pending_as_escapes(c);
		return;
	}
	c->pend_n = c->need = 0;
	put_codepoint(c, cp);
}

static void feed(struct console *c, uint8_t b)
{
	if (c->need) {
		if ((b & 0xc0) == 0x80) {
			c->pend[c->pend_n++] = b;
			if (c->pend_n == c->need)
				finish_sequence(c);
			return;
		}
		flush_pending_as_escapes(c);	/* cut short: b starts afresh */
	}
	if (b < 0x20 || b == 0x7f) {
		control(c, b);
	} else if (b < 0x80) {
		put_char(c, b, 1);
	} else if (b >= 0xc2 && b <= 0xf4) {
		c->need = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
		c->pend[0] = b;
		c->pend_n = 1;
	} else {
		put_escaped_byte(c, b);
	}
}

void console_sink(void *opaque, const uint8_t *buf, size_t n)
{
	struct console *c = opaque;

	if (!n)
		return;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < n; i++)
		feed(c, buf[i]);
	c->gen++;
	pthread_mutex_unlock(&c->lock);
}

uint64_t console_gen(struct console *c)
{
	pthread_mutex_lock(&c->lock);
	uint64_t g = c->gen;

	pthread_mutex_unlock(&c->lock);
	return g;
}

void console_read(struct console *c, uint64_t from, unsigned int n,
		  uint32_t *cells, struct console_state *st)
{
	size_t row = c->cols * sizeof(uint32_t);

	pthread_mutex_lock(&c->lock);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t l = from + i;

		if (l >= c->first && l < c->end)
			memcpy(cells + (size_t)i * c->cols, line_cells(c, l), row);
		else
			memset(cells + (size_t)i * c->cols, 0, row);
	}
	*st = (struct console_state){ .first = c->first, .end = c->end, .col = c->col,
				      .cols = c->cols, .gen = c->gen };
	pthread_mutex_unlock(&c->lock);
}

struct console *console_create(unsigned int max_lines, unsigned int cols)
{
	struct console *c;

	if (!max_lines || cols < 2 || !(c = calloc(1, sizeof(*c))))
		return NULL;
	c->cells = calloc((size_t)max_lines * cols, sizeof(uint32_t));
	if (!c->cells) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	c->max_lines = max_lines;
	c->cols = cols;
	c->end = 1;
	return c;
}

void console_destroy(struct console *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->cells);
	free(c);
}
