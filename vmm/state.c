// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

void state_init_save(struct state *s)
{
	*s = (struct state){ .loading = false };
}

void state_init_load(struct state *s, const void *buf, size_t len)
{
	*s = (struct state){ .loading = true, .buf = (uint8_t *)buf, .len = len,
			     .version = STATE_VERSION_CURRENT };
}

bool state_since(const struct state *s, uint32_t since)
{
	return !s->loading || s->version >= since;
}

int state_version_check(const char *what, uint32_t v, uint32_t min, uint32_t cur,
			char *err, size_t errlen)
{
	if (v >= min && v <= cur)
		return 0;
	char range[32];

	if (min == cur)
		snprintf(range, sizeof(range), "version %u", cur);
	else
		snprintf(range, sizeof(range), "versions %u to %u", min, cur);
	snprintf(err, errlen, "%s: the snapshot's record is version %u, %s than this "
		 "vmm %s (%s)", what, v, v > cur ? "newer" : "older",
		 v > cur ? "knows" : "still loads", range);
	return -1;
}

void state_free(struct state *s)
{
	if (!s->loading)
		free(s->buf);
	s->buf = NULL;
	s->len = s->cap = s->pos = 0;
}

static bool reserve(struct state *s, size_t n)
{
	if (n > SIZE_MAX - s->len)
		return false;
	if (s->len + n <= s->cap)
		return true;
	size_t cap = s->cap ? s->cap : 256;

	while (cap < s->len + n)
		cap *= 2;
	uint8_t *b = realloc(s->buf, cap);

	if (!b)
		return false;
	s->buf = b;
	s->cap = cap;
	return true;
}

void state_bytes(struct state *s, void *p, size_t n)
{
	if (s->bad || !n)
		return;
	if (s->loading) {
		if (n > s->len - s->pos) {
			state_fail(s, "the record is too short");
			return;
		}
		memcpy(p, s->buf + s->pos, n);
		s->pos += n;
		return;
	}
	if (!reserve(s, n)) {
		state_fail(s, "out of memory");
		return;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

/* little-endian on the wire whatever the host */
static void state_le(struct state *s, uint64_t *v, size_t n)
{
	uint8_t b[8];

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(*v >> (8 * i));
	state_bytes(s, b, n);
	if (!s->loading || s->bad)
		return;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v |= (uint64_t)b[i] << (8 * i);
}

void state_u8(struct state *s, uint8_t *v)
{
	state_bytes(s, v, 1);
}

void state_u16(struct state *s, uint16_t *v)
{
	uint64_t x = *v;

	state_le(s, &x, 2);
	*v = (uint16_t)x;
}

void state_u32(struct state *s, uint32_t *v)
{
	uint64_t x = *v;

	state_le(s, &x, 4);
	*v = (uint32_t)x;
}

void state_u64(struct state *s, uint64_t *v)
{
	state_le(s, v, 8);
}

void state_bool(struct state *s, bool *v)
{
	uint8_t b = *v;

	state_u8(s, &b);
	if (s->loading && !s->bad) {
		if (b > 1)
			state_fail(s, "a flag is neither 0 nor 1");
		else
			*v = b;
	}
}

int state_failed(const struct state *s)
{
	if (s->bad)
		return -1;
	return s->loading && s->pos != s->len ? -1 : 0;
}

int state_fail(struct state *s, const char *why)
{
	if (!s->bad)
		s->why = why;
	s->bad = true;
	return -1;
}

int state_fields(struct state *s, void *obj, size_t size,
		 int (*fields)(void *obj, struct state *s))
{
	if (!s->loading)
		return fields(obj, s) ? -1 : state_failed(s);
	void *copy = malloc(size);

	if (!copy)
		return state_fail(s, "out of memory");
	memcpy(copy, obj, size);
	int r = fields(copy, s);

	if (r == 0 && !s->bad && s->pos != s->len)
		r = state_fail(s, "the record is too long");
	else if (r || s->bad)
		r = state_fail(s, "a value is out of range");
	else
		memcpy(obj, copy, size);
	free(copy);
	return r;
}

int state_none(void *dev, struct state *s)
{
	(void)dev;
	return state_failed(s);
}

uint64_t state_digest(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

int state_expect_u64(struct state *s, uint64_t v, const char *why)
{
	uint64_t got = v;

	state_u64(s, &got);
	if (s->loading && !s->bad && got != v)
		return state_fail(s, why);
	return s->bad ? -1 : 0;
}

int state_ring(struct state *s, uint8_t *q, size_t size, size_t *head, size_t *len)
{
	uint32_t n = (uint32_t)*len;

	state_u32(s, &n);
	if (s->loading && !s->bad) {
		if (n > size)
			return state_fail(s, "a queue holds more than it can");
		*head = 0;
		*len = n;
	}
	for (size_t i = 0; i < *len && !s->bad; i++)
		state_u8(s, &q[(*head + i) % size]);
	return 0;
}
