// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include <string.h>

#include "term_filter.h"

#define ESC 0x1b

void term_filter_init(struct term_filter *f)
{
	memset(f, 0, sizeof(*f));
}

/* One byte as `cat -v` shows it: ^X for controls, M- for the high half. */
static size_t visible(uint8_t b, uint8_t *out)
{
	size_t n = 0;

	if (b >= 0x80) {
		out[n++] = 'M';
		out[n++] = '-';
		b &= 0x7f;
	}
	if (b < 0x20 || b == 0x7f) {
		out[n++] = '^';
		out[n++] = b == 0x7f ? '?' : (uint8_t)(b + 0x40);
	} else {
		out[n++] = b;
	}
	return n;
}

/* The held sequence turned out to be harmless: it goes out as it came. */
static size_t pass_held(struct term_filter *f, uint8_t *out)
{
	size_t n = f->n_held;

	memcpy(out, f->held, n);
	f->n_held = 0;
	f->state = TF_GROUND;
	return n;
}

/* The held sequence is not allowed (or not finished): show it. */
static size_t show_held(struct term_filter *f, uint8_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n_held; i++)
		n += visible(f->held[i], out + n);
	f->n_held = 0;
	f->state = TF_GROUND;
	return n;
}

static void hold(struct term_filter *f, uint8_t b)
{
	f->held[f->n_held++] = b;
}

/*
 * A UTF-8 lead byte: how many continuation bytes follow and the range of
 * the first, which rules out overlong forms, surrogates, code points past
 * U+10FFFF and (for 0xc2) the C1 controls.  false: not a lead byte.
 */
static bool utf8_lead(struct term_filter *f, uint8_t b)
{
	static const struct {
		uint8_t lo, hi, left, min, max;
	} leads[] = {
		{ 0xc2, 0xc2, 1, 0xa0, 0xbf }, { 0xc3, 0xdf, 1, 0x80, 0xbf },
		{ 0xe0, 0xe0, 2, 0xa0, 0xbf }, { 0xe1, 0xec, 2, 0x80, 0xbf },
		{ 0xed, 0xed, 2, 0x80, 0x9f }, { 0xee, 0xef, 2, 0x80, 0xbf },
		{ 0xf0, 0xf0, 3, 0x90, 0xbf }, { 0xf1, 0xf3, 3, 0x80, 0xbf },
		{ 0xf4, 0xf4, 3, 0x80, 0x8f },
	};

	for (size_t i = 0; i < sizeof(leads) / sizeof(leads[0]); i++) {
		if (b < leads[i].lo || b > leads[i].hi)
			continue;
		f->utf8_left = leads[i].left;
		f->utf8_min = leads[i].min;
		f->utf8_max = leads[i].max;
		return true;
	}
	return false;
}

static size_t ground(struct term_filter *f, uint8_t b, uint8_t *out)
{
	if ((b >= 0x20 && b < 0x7f) || b == '\r' || b == '\n' || b == '\t' ||
	    b == '\b') {
		out[0] = b;
		return 1;
	}
	if (b == ESC) {
		hold(f, b);
		f->state = TF_ESC;
		return 0;
	}
	if (utf8_lead(f, b)) {
		hold(f, b);
		f->state = TF_UTF8;
		return 0;
	}
	return visible(b, out);
}

static bool sgr_param(uint8_t b)
{
	return (b >= '0' && b <= '9') || b == ';' || b == ':';
}

static size_t step(struct term_filter *f, uint8_t b, uint8_t *out)
{
	size_t n;

	switch (f->state) {
	case TF_ESC:
		if (b == '[') {
			hold(f, b);
			f->state = TF_CSI;
			return 0;
		}
		break;
	case TF_CSI:
		if (sgr_param(b) && f->n_held < TERM_FILTER_HOLD - 1) {
			hold(f, b);
			return 0;
		}
		if (b == 'm') {
			hold(f, b);
			return pass_held(f, out);
		}
		break;
	case TF_UTF8:
		if (b < f->utf8_min || b > f->utf8_max)
			break;
		hold(f, b);
		f->utf8_min = 0x80;
		f->utf8_max = 0xbf;
		return --f->utf8_left ? 0 : pass_held(f, out);
	case TF_GROUND:
		return ground(f, b, out);
	}
	/* the sequence broke off: show what came so far, then this byte afresh */
	n = show_held(f, out);
	return n + ground(f, b, out + n);
}

size_t term_filter(struct term_filter *f, const uint8_t *in, size_t n, uint8_t *out)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += step(f, in[i], out + len);
	return len;
}

size_t term_filter_end(struct term_filter *f, uint8_t *out)
{
	return show_held(f, out);
}
