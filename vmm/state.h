/* SPDX-License-Identifier: MIT */
/*
 * A device's state as a flat little-endian record, for snapshots and
 * migration.  The same function walks the fields to save and to load
 * (s->loading says which), so the two can never disagree on the layout:
 *
 *	static int cmos_state(void *dev, struct state *s)
 *	{
 *		struct cmos *c = dev;
 *
 *		state_u8(s, &c->index);
 *		state_bytes(s, c->ram, sizeof(c->ram));
 *		if (s->loading && c->index >= 128)
 *			return -1;
 *		return state_ok(s);
 *	}
 *
 * A short record or a failed allocation sets s->bad; later calls do
 * nothing, and state_ok() reports it once at the end.
 */
#ifndef VMM_STATE_H
#define VMM_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct state {
	bool loading;
	bool bad;
	uint8_t *buf;
	size_t len;		/* bytes in buf (saving: written so far) */
	size_t cap;		/* saving: allocated */
	size_t pos;		/* loading: bytes consumed */
};

/* A state to save into (grows as needed; free with state_free). */
void state_init_save(struct state *s);
/* A state to load from buf[0..len); buf is not copied or freed. */
void state_init_load(struct state *s, const void *buf, size_t len);
void state_free(struct state *s);

void state_bytes(struct state *s, void *p, size_t n);
void state_u8(struct state *s, uint8_t *v);
void state_u16(struct state *s, uint16_t *v);
void state_u32(struct state *s, uint32_t *v);
void state_u64(struct state *s, uint64_t *v);
/* Stored as one byte; loading anything but 0 or 1 marks the state bad. */
void state_bool(struct state *s, bool *v);

/* 0 when every field was saved or loaded (and, loading, nothing is left over). */
int state_ok(const struct state *s);

#endif
