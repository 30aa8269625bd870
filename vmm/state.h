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
 *		return state_failed(s);
 *	}
 *
 * A short record or a failed allocation sets s->bad; later calls do
 * nothing, and state_failed() reports it once at the end.
 *
 * Most devices walk their fields through state_fields(), which loads into
 * a copy of the device and keeps it only when the whole record was good:
 * a refused record leaves the device exactly as it was.
 *
 * Records are versioned, so that snapshots outlive vmm releases.  A field
 * added later is walked with the version that added it and the value an
 * older record stands for, in the walk itself, which is thus the record's
 * history too:
 *
 *	state_u8(s, &k->out);
 *	STATE_SINCE(s, 2, &k->aux, 0);	// 2: the AUX port; before, none
 *
 * Saving writes every field; loading a version-1 record reads no byte for
 * aux and sets it to 0 (in state_fields()'s copy: a record refused later
 * still leaves the device as it was).
 */
#ifndef VMM_STATE_H
#define VMM_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Loading a record this vmm wrote (the caller sets another version). */
#define STATE_VERSION_CURRENT	UINT32_MAX

struct state {
	bool loading;
	bool bad;
	uint32_t version;	/* loading: the record's version */
	uint8_t *buf;
	size_t len;		/* bytes in buf (saving: written so far) */
	size_t cap;		/* saving: allocated */
	size_t pos;		/* loading: bytes consumed */
	const char *why;	/* loading: why the record was refused, if known */
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

/*
 * Whether the record holds the fields added in version since: saving,
 * always; loading, when the record is that version or later.
 */
bool state_since(const struct state *s, uint32_t since);
/* One field of a fixed-size type, whatever the type. */
#define state_field(s, p) _Generic((p),				\
	uint8_t *: state_u8, uint16_t *: state_u16,			\
	uint32_t *: state_u32, uint64_t *: state_u64,			\
	bool *: state_bool)(s, p)
/* A field added in version since: an older record leaves *p = dflt. */
#define STATE_SINCE(s, since, p, dflt)					\
	(state_since(s, since) ? state_field(s, p) : (void)(*(p) = (dflt)))
/*
 * Loading version v of a record whose versions min..cur this vmm loads?
 * 0, or -1 with a message naming what (a device, "the vCPU") in err.
 */
int state_version_check(const char *what, uint32_t v, uint32_t min, uint32_t cur,
			char *err, size_t errlen);

/*
 * -1 when a field could not be saved or loaded (or, loading, bytes are left
 * over), 0 when all went well: a state function's own status, so it can end
 * with `return state_failed(s);` and a caller test `if (state_failed(s))`.
 */
int state_failed(const struct state *s);
/* Refuses the record being loaded, saying why (a constant string): -1. */
int state_fail(struct state *s, const char *why);

/*
 * Walks fields() over the size bytes at obj.  Saving, it reads obj;
 * loading, it fills a copy of obj, which replaces obj only when fields()
 * returned 0 and the record was whole with nothing left over.  fields()
 * checks what it loaded and returns -1 (state_fail()) for anything
 * impossible; it reaches the device only through its argument (a pointer
 * inside obj to obj itself still points at the original).  Returns 0 or -1.
 */
int state_fields(struct state *s, void *obj, size_t size,
		 int (*fields)(void *obj, struct state *s));
/*
 * A ring of size bytes holding len from head: saved as its length and the
 * bytes in order; loaded from the start (head 0).  A length over size is
 * refused.  Returns 0 or -1.
 */
int state_ring(struct state *s, uint8_t *q, size_t size, size_t *head, size_t *len);
/* The .state of a device without state of its own: an empty record. */
int state_none(void *dev, struct state *s);

/* FNV-1a over n bytes, going on from h (STATE_DIGEST_INIT to start). */
#define STATE_DIGEST_INIT 0xcbf29ce484222325ull
uint64_t state_digest(uint64_t h, const void *p, size_t n);
/*
 * For what the record does not carry but must match (the firmware image
 * the config names): saving, writes v; loading, refuses with why unless
 * the record holds v.  Returns 0 or -1.
 */
int state_expect_u64(struct state *s, uint64_t v, const char *why);

#endif
