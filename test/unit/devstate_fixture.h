/* SPDX-License-Identifier: MIT */
/*
 * Saving and loading device state in tests: a record from a device, a
 * record into a device, and the two properties every device must have.
 *   round trip: save A, load into a fresh B, save B: the same bytes; then
 *               the same port sequence on both (twin_io) reads the same.
 *   damage:     a cut, lengthened or altered record is either refused,
 *               leaving the device exactly as it was, or taken whole (it
 *               then saves back as loaded).
 */
#ifndef TEST_DEVSTATE_FIXTURE_H
#define TEST_DEVSTATE_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "../../vmm/bus.h"
#include "../../vmm/device.h"
#include "../../vmm/screen.h"
#include "../../vmm/state.h"
#include "../unit.h"

/* A saved record (free with state_free). */
static inline struct state rec_save(const struct device_model *m, void *dev)
{
	struct state s;

	state_init_save(&s);
	EXPECT_EQ(device_state(m, dev, &s), 0);
	return s;
}

static const char *rec_why;	/* the last refusal's reason */

static inline int rec_load(const struct device_model *m, void *dev,
			   const void *buf, size_t len)
{
	struct state s;
	int r;

	state_init_load(&s, buf, len);
	r = device_state(m, dev, &s);
	rec_why = s.why;
	return r;
}

static inline bool rec_same(const struct state *a, const struct state *b)
{
	return a->len == b->len && !memcmp(a->buf, b->buf, a->len);
}

/* src's record loads into dst, which then saves the same bytes. */
static inline void round_trip(const struct device_model *m, void *src, void *dst)
{
	struct state a = rec_save(m, src), b;

	EXPECT_EQ(rec_load(m, dst, a.buf, a.len), 0);
	b = rec_save(m, dst);
	EXPECT(rec_same(&a, &b));
	state_free(&a);
	state_free(&b);
}

/*
 * buf, loaded into dev: refused with dev unchanged, or taken, and then
 * (exact) saved back byte for byte, or at least saved back the same way
 * twice.  Returns 1 when refused.  dev ends as it began.
 */
static inline int damaged_load(const struct device_model *m, void *dev,
			       const uint8_t *buf, size_t len, bool exact)
{
	struct state before = rec_save(m, dev), after;
	int refused = rec_load(m, dev, buf, len) != 0;

	after = rec_save(m, dev);
	if (refused) {
		EXPECT(rec_same(&before, &after));
	} else if (exact) {
		EXPECT(after.len == len && !memcmp(after.buf, buf, len));
	} else {
		struct state again;

		EXPECT_EQ(rec_load(m, dev, after.buf, after.len), 0);
		again = rec_save(m, dev);
		EXPECT(rec_same(&after, &again));
		state_free(&again);
	}
	EXPECT_EQ(rec_load(m, dev, before.buf, before.len), 0);
	state_free(&before);
	state_free(&after);
	return refused;
}

/*
 * Every cut of good's record (all of the first 512 lengths, then a few),
 * one byte too many, and bytes [from, to) each set to four other values,
 * loaded into victim.  Returns how many altered records were refused.
 */
static inline int damage(const struct device_model *m, const struct state *good,
			 void *victim, size_t from, size_t to, bool exact)
{
	uint8_t *b = malloc(good->len + 1);
	int refused = 0;

	memcpy(b, good->buf, good->len);
	for (size_t n = 0; n < good->len; n = n < 512 ? n + 1 : n + good->len / 7 + 1)
		EXPECT_EQ(damaged_load(m, victim, b, n, exact), 1);
	if (good->len)
		EXPECT_EQ(damaged_load(m, victim, b, good->len - 1, exact), 1);
	b[good->len] = 0;
	EXPECT_EQ(damaged_load(m, victim, b, good->len + 1, exact), 1);
	for (size_t i = from; i < to && i < good->len; i++) {
		uint8_t x = good->buf[i];
		const uint8_t v[] = { x ^ 0x01, x ^ 0x80, 0xff, 0x00 };

		for (size_t j = 0; j < sizeof(v); j++) {
			if (v[j] == x)
				continue;
			b[i] = v[j];
			refused += damaged_load(m, victim, b, good->len, exact);
		}
		b[i] = x;
	}
	free(b);
	return refused;
}

/* Two devices, each on its own bus: A before the save, both after. */
static struct bus twin_a, twin_b;

static inline uint32_t io_a(uint64_t port, uint32_t size, bool write, uint32_t v)
{
	bus_access(&twin_a, port, &v, size, write);
	return v;
}

/* The same access on both; a read must give the same on both. */
static inline uint32_t twin_io(uint64_t port, uint32_t size, bool write, uint32_t v)
{
	uint32_t w = v;

	bus_access(&twin_a, port, &v, size, write);
	bus_access(&twin_b, port, &w, size, write);
	if (!write)
		EXPECT_EQ(v, w);
	return v;
}

/* What two screens show: cells, cursor, colours, blink. */
static inline bool same_screen(struct screen *a, struct screen *b)
{
	struct screen_frame fa, fb;

	screen_snapshot(a, &fa);
	screen_snapshot(b, &fb);
	return !memcmp(fa.cells, fb.cells, sizeof(fa.cells)) &&
	       fa.cursor == fb.cursor && fa.cursor_on == fb.cursor_on &&
	       fa.blink == fb.blink && fa.palette_default == fb.palette_default &&
	       !memcmp(fa.palette, fb.palette, sizeof(fa.palette));
}

#endif
