// SPDX-License-Identifier: MIT
/* The terminal filter: each class of byte, and sequences split across calls. */
#include "../../tui/term_filter.h"
#include "../unit.h"

static char got[1024];

/* Filters s (len bytes) in pieces of `piece` bytes, then ends; into got. */
static const char *run(const char *s, size_t len, size_t piece)
{
	static uint8_t out[TERM_FILTER_OUT(1024)];
	struct term_filter f;
	size_t n = 0;

	term_filter_init(&f);
	for (size_t i = 0; i < len; i += piece) {
		size_t k = len - i < piece ? len - i : piece;

		n += term_filter(&f, (const uint8_t *)s + i, k, out + n);
	}
	n += term_filter_end(&f, out + n);
	memcpy(got, out, n);
	got[n] = 0;
	return got;
}

/* Whole, byte by byte and in threes, the result is the same. */
#define EXPECT_FILTERED(in, want)                                              \
	do {                                                                   \
		for (size_t _p = 1; _p <= sizeof(in); _p = _p == 1 ? 3 : sizeof(in) + 1) \
			EXPECT(!strcmp(run(in, sizeof(in) - 1, _p), want));   \
		EXPECT(!strcmp(run(in, sizeof(in) - 1, sizeof(in)), want));    \
	} while (0)

static void printable_and_layout(void)
{
	EXPECT_FILTERED("Hello, world! ~{}", "Hello, world! ~{}");
	EXPECT_FILTERED("a\r\nb\tc\bd", "a\r\nb\tc\bd");
}

static void utf8_passes(void)
{
	EXPECT_FILTERED("h\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80 \xc2\xa0",
			"h\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80 \xc2\xa0");
}

static void utf8_invalid_shown(void)
{
	EXPECT_FILTERED("\xc0\xaf", "M-@M-/");			/* overlong */
	EXPECT_FILTERED("\xed\xa0\x80", "M-mM- M-^@");		/* surrogate */
	EXPECT_FILTERED("\xf4\x90\x80\x80", "M-tM-^PM-^@M-^@");	/* > U+10FFFF */
	EXPECT_FILTERED("\xff\xfe", "M-^?M-~");
	EXPECT_FILTERED("\xe2\x9cx", "M-bM-^\\x");		/* cut short */
	EXPECT_FILTERED("end \xe2\x9c", "end M-bM-^\\");		/* at the end */
}

static void c1_controls_shown(void)
{
	EXPECT_FILTERED("\x9b" "6n", "M-^[6n");			/* 8-bit CSI */
	EXPECT_FILTERED("\xc2\x9b" "6n", "M-BM-^[6n");		/* U+009B */
	EXPECT_FILTERED("\xc2\x85", "M-BM-^E");			/* NEL */
}

static void c0_controls_shown(void)
{
	EXPECT_FILTERED("bell\a del\x7f vt\v ff\f so\x0e", "bell^G del^? vt^K ff^L so^N");
	EXPECT(!strcmp(run("a\0b", 3, 1), "a^@b"));
}

static void sgr_passes(void)
{
	EXPECT_FILTERED("\x1b[1;31mred\x1b[0m", "\x1b[1;31mred\x1b[0m");
	EXPECT_FILTERED("\x1b[m\x1b[38;5;208m\x1b[38:2::1:2:3m",
			"\x1b[m\x1b[38;5;208m\x1b[38:2::1:2:3m");
}

static void other_sequences_shown(void)
{
	EXPECT_FILTERED("\x1b]0;title\a", "^[]0;title^G");
	EXPECT_FILTERED("\x1b]52;c;cHduZWQ=\x1b\\", "^[]52;c;cHduZWQ=^[\\");
	EXPECT_FILTERED("\x1b[?1049h", "^[[?1049h");
	EXPECT_FILTERED("\x1b[6n\x1b[21t", "^[[6n^[[21t");
	EXPECT_FILTERED("\x1bP$qm\x1b\\", "^[P$qm^[\\");
	EXPECT_FILTERED("\x1b[2J\x1b" "c", "^[[2J^[c");
	EXPECT_FILTERED("\x1b\x1b[1m", "^[\x1b[1m");
	EXPECT_FILTERED("\x1b[1;2", "^[[1;2");			/* at the end */
}

static void long_sgr_shown(void)
{
	char in[80], want[90];

	memset(in, 0, sizeof(in));
	memcpy(in, "\x1b[", 2);
	memset(in + 2, '1', 60);
	in[62] = 'm';
	/* too long to be a colour: shown, and the rest shown as text */
	snprintf(want, sizeof(want), "^[[%.*sm", 60, in + 2);
	EXPECT(!strcmp(run(in, 63, 63), want));
	EXPECT(!strcmp(run(in, 63, 1), want));
}

static void worst_case_fits(void)
{
	static uint8_t in[1024], out[TERM_FILTER_OUT(1024)];
	struct term_filter f;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(0x80 + i % 32);	/* M-^X: 4 bytes each */
	term_filter_init(&f);
	EXPECT_EQ(term_filter(&f, (const uint8_t *)"\x1b[11111111111111111111", 22, out), 0);
	size_t n = term_filter(&f, in, sizeof(in), out);

	EXPECT(n <= sizeof(out));
	EXPECT_EQ(n, 2 + 21 + 4 * sizeof(in));
}

int main(void)
{
	RUN(printable_and_layout);
	RUN(utf8_passes);
	RUN(utf8_invalid_shown);
	RUN(c1_controls_shown);
	RUN(c0_controls_shown);
	RUN(sgr_passes);
	RUN(other_sequences_shown);
	RUN(long_sgr_shown);
	RUN(worst_case_fits);
	UNIT_EXIT();
}
