// SPDX-License-Identifier: MIT
/*
 * The serial console's scrollback: terminal control bytes, wrapping,
 * UTF-8 kept whole across calls, visible escapes for everything else,
 * the ring dropping its oldest lines, and a writer thread against a
 * reader that must only ever see whole lines (run under SANITIZE=thread
 * too).
 */
#include <locale.h>
#include <pthread.h>
#include <stdlib.h>

#include "../../tui/console.h"
#include "../unit.h"

#define COLS 20

/* Line l as UTF-8, never-written cells as spaces, trailing spaces cut. */
static const char *text(struct console *c, uint64_t l)
{
	static char out[COLS * 4 + 1];
	uint32_t cells[COLS];
	struct console_state st;
	size_t n = 0, keep = 0;

	console_read(c, l, 1, cells, &st);
	for (int i = 0; i < COLS; i++) {
		uint32_t cp = cells[i] ? cells[i] : ' ';

		if (cp == CONSOLE_WIDE_TAIL)
			continue;
		int w = wctomb(out + n, (wchar_t)cp);

		n += w > 0 ? (size_t)w : 0;
		if (cp != ' ')
			keep = n;
	}
	out[keep] = 0;
	return out;
}

static void put(struct console *c, const char *s)
{
	console_sink(c, (const uint8_t *)s, strlen(s));
}

static struct console_state state(struct console *c)
{
	struct console_state st;
	uint32_t cells[COLS];

	console_read(c, 0, 1, cells, &st);
	return st;
}

static void lines_and_carriage_returns(void)
{
	struct console *c = console_create(100, COLS);

	EXPECT_EQ(state(c).end, 1);		/* one line, empty */
	put(c, "one\r\ntwo\nthree");
	EXPECT(!strcmp(text(c, 0), "one"));
	EXPECT(!strcmp(text(c, 1), "two"));
	EXPECT(!strcmp(text(c, 2), "three"));
	EXPECT_EQ(state(c).end, 3);
	EXPECT_EQ(state(c).col, 5);
	put(c, "\rTH");				/* CR alone: overwrite */
	EXPECT(!strcmp(text(c, 2), "THree"));
	put(c, "\b\bxy\b\b\b\b\b\bZ");		/* BS never leaves the line */
	EXPECT(!strcmp(text(c, 2), "Zyree"));
	console_destroy(c);
}

static void tabs_and_wrapping(void)
{
	struct console *c = console_create(100, COLS);

	put(c, "a\tb\tc\t\t\td");		/* tab stops every 8, none past the edge */
	EXPECT(!strcmp(text(c, 0), "a       b       c"));
	EXPECT(!strcmp(text(c, 1), "d"));
	put(c, "\n01234567890123456789");	/* exactly the width: wrap is pending */
	EXPECT_EQ(state(c).end, 3);
	EXPECT_EQ(state(c).col, COLS);
	put(c, "\n");				/* ... so a newline does not add a blank */
	EXPECT_EQ(state(c).end, 4);
	put(c, "01234567890123456789X");
	EXPECT(!strcmp(text(c, 3), "01234567890123456789"));
	EXPECT(!strcmp(text(c, 4), "X"));
	console_destroy(c);
}

static void utf8_whole_across_calls(void)
{
	struct console *c = console_create(100, COLS);
	const char *s = "é€😀";

	for (size_t i = 0; s[i]; i++)	/* one byte per call */
		console_sink(c, (const uint8_t *)s + i, 1);
	EXPECT(!strcmp(text(c, 0), "é€😀"));
	EXPECT_EQ(state(c).col, 4);		/* the emoji is two columns */
	console_destroy(c);
}

static void wide_characters_wrap_and_split(void)
{
	struct console *c = console_create(100, COLS);
	uint32_t cells[COLS];
	struct console_state st;

	put(c, "0123456789012345678漢");	/* 19 columns + 2: wraps whole */
	EXPECT(!strcmp(text(c, 0), "0123456789012345678"));
	EXPECT(!strcmp(text(c, 1), "漢"));
	console_read(c, 1, 1, cells, &st);
	EXPECT_EQ(cells[0], 0x6f22);
	EXPECT_EQ(cells[1], CONSOLE_WIDE_TAIL);
	put(c, "\b\bx");			/* over the left half: the right goes */
	EXPECT(!strcmp(text(c, 1), "x"));
	put(c, "\r漢字\r\bx");			/* BS at column 0 stays */
	EXPECT(!strcmp(text(c, 1), "x 字"));
	console_destroy(c);
}

/* Line l of an 80-column console, ASCII only (else '.'), blanks cut. */
static const char *ascii(struct console *c, uint64_t l)
{
	static char s[81];
	uint32_t cells[80];
	struct console_state st;
	int n = 0;

	console_read(c, l, 1, cells, &st);
	for (int i = 0; i < 80; i++) {
		s[i] = cells[i] > 0 && cells[i] < 0x7f ? (char)cells[i] : '.';
		if (cells[i])
			n = i + 1;
	}
	s[n] = 0;
	return s;
}

static void escapes_for_what_is_not_text(void)
{
	struct console *c = console_create(100, 80);

	put(c, "\a\x1b[1m\x7f\n");
	put(c, "\xff|\xc3" "A|\xc0\x80|\xe0\x80\x80|\xed\xa0\x80|\xf4\x90\x80\x80\n");
	put(c, "e\xcc\x81|\xc2\x85|\xe2\x82");	/* combining, C1, cut short */
	EXPECT(!strcmp(ascii(c, 0), "^G^[[1m^?"));
	EXPECT(!strcmp(ascii(c, 1), "\\xFF|\\xC3A|\\xC0\\x80|\\xE0\\x80\\x80|"
		       "\\xED\\xA0\\x80|\\xF4\\x90\\x80\\x80"));
	EXPECT(!strcmp(ascii(c, 2), "e<U+0301>|<U+0085>|"));
	put(c, "\n");				/* a newline ends the cut sequence */
	EXPECT(!strcmp(ascii(c, 2), "e<U+0301>|<U+0085>|\\xE2\\x82"));
	console_destroy(c);
}

static void ring_keeps_the_last_lines(void)
{
	struct console *c = console_create(3, COLS);
	uint64_t g = console_gen(c);

	put(c, "1\n2\n3\n4\n5");
	EXPECT(console_gen(c) != g);
	EXPECT_EQ(state(c).first, 2);
	EXPECT_EQ(state(c).end, 5);
	EXPECT(!strcmp(text(c, 2), "3"));
	EXPECT(!strcmp(text(c, 4), "5"));
	EXPECT(!strcmp(text(c, 1), ""));	/* dropped: blank */
	EXPECT(!strcmp(text(c, 9), ""));	/* not yet written: blank */
	g = console_gen(c);
	console_sink(c, NULL, 0);
	EXPECT_EQ(console_gen(c), g);
	EXPECT(console_create(0, COLS) == NULL);
	EXPECT(console_create(10, 1) == NULL);
	console_destroy(NULL);
	console_destroy(c);
}

#define WRITES 20000

static void *writer(void *arg)
{
	char s[32];

	for (int i = 0; i < WRITES; i++) {
		int n = snprintf(s, sizeof(s), "line %d\n", i);

		console_sink(arg, (const uint8_t *)s, (size_t)n);
	}
	return NULL;
}

static void reader_sees_whole_lines(void)
{
	struct console *c = console_create(50, COLS);
	pthread_t t;
	int torn = 0, reads = 0;

	pthread_create(&t, NULL, writer, c);
	for (struct console_state st = { 0 }; st.end < WRITES + 1; reads++) {
		uint32_t cells[COLS];
		uint64_t l = st.end >= 2 ? st.end - 2 : 0;

		console_read(c, l, 1, cells, &st);
		/* a kept line before the cursor's is complete: "line N" */
		if (l >= st.first && l + 1 < st.end &&
		    (cells[0] != 'l' || cells[4] != ' ' || !cells[5]))
			torn++;
	}
	pthread_join(t, NULL);
	EXPECT_EQ(torn, 0);
	EXPECT(!strcmp(text(c, WRITES - 1), "line 19999"));
	console_destroy(c);
}

int main(void)
{
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		printf("SKIP test_console: no C.UTF-8 locale\n");
		return 0;
	}
	RUN(lines_and_carriage_returns);
	RUN(tabs_and_wrapping);
	RUN(utf8_whole_across_calls);
	RUN(wide_characters_wrap_and_split);
	RUN(escapes_for_what_is_not_text);
	RUN(ring_keeps_the_last_lines);
	RUN(reader_sees_whole_lines);
	UNIT_EXIT();
}
