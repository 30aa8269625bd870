/* SPDX-License-Identifier: MIT */
/*
 * Shared by the libFuzzer harnesses: a cursor over the fuzzer's input.
 * Reading past the end yields zeros, so every input decodes to something.
 */
#ifndef TEST_FUZZ_H
#define TEST_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct in {
	const uint8_t *p;
	size_t n;
};

static inline uint64_t take(struct in *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++) {
		if (in->n) {
			v |= (uint64_t)in->p[0] << (8 * i);
			in->p++;
			in->n--;
		}
	}
	return v;
}

/* An invariant broke: report it the way libFuzzer records a crash. */
#define FUZZ_ASSERT(cond)                                                  \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",   \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

/*
 * A snapshot at the end of an input: the device's state saves, loads back
 * and saves to the same bytes.  Then a copy with one byte changed by the
 * input, which the device takes or refuses (its checks run either way);
 * the device is not used after that.  Needs vmm/device.h and vmm/state.h.
 */
#ifdef VMM_STATE_H
static inline void fuzz_state_round_trip(const struct device_model *m, void *dev,
					 struct in *in)
{
	struct state s, l, again;

	if (!dev || !m->state)
		return;
	state_init_save(&s);
	FUZZ_ASSERT(m->state(dev, &s) == 0);
	state_init_load(&l, s.buf, s.len);
	FUZZ_ASSERT(m->state(dev, &l) == 0);
	state_init_save(&again);
	FUZZ_ASSERT(m->state(dev, &again) == 0);
	FUZZ_ASSERT(again.len == s.len && (!s.len || !memcmp(again.buf, s.buf, s.len)));
	state_free(&again);
	if (s.len) {
		uint8_t at = (uint8_t)take(in, 1), x = (uint8_t)take(in, 1);

		s.buf[at % s.len] ^= x ? x : 0x80;
		state_init_load(&l, s.buf, s.len - (at & 1));	/* sometimes short */
		(void)m->state(dev, &l);
	}
	state_free(&s);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif
