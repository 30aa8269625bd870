// SPDX-License-Identifier: MIT
/*
 * The cell buffer: generations, cursor checks, and a writer thread against
 * a snapshot reader that must never see a half-written frame (run it under
 * make SANITIZE=thread too).
 */
#include <pthread.h>

#include "../../vmm/screen.h"
#include "../unit.h"

static void starts_blank(void)
{
	struct screen s;
	struct screen_frame f;

	screen_init(&s);
	screen_snapshot(&s, &f);
	for (int i = 0; i < SCREEN_CELLS; i++)
		EXPECT_EQ(f.cells[i], 0x0720);
	EXPECT(f.cursor_on);
	screen_destroy(&s);
}

static void generation_moves_only_on_change(void)
{
	struct screen s;

	screen_init(&s);
	uint64_t g = screen_gen(&s);

	screen_put(&s, 5, 0x0720);		/* same as before */
	EXPECT_EQ(screen_gen(&s), g);
	screen_put(&s, 5, 0x1f41);
	EXPECT_EQ(screen_gen(&s), g + 1);
	screen_put(&s, SCREEN_CELLS, 0x1f41);	/* outside: ignored */
	EXPECT_EQ(screen_gen(&s), g + 1);
	screen_set_cursor(&s, 81, true);
	EXPECT_EQ(screen_gen(&s), g + 2);
	screen_set_cursor(&s, 81, true);
	EXPECT_EQ(screen_gen(&s), g + 2);
	screen_set_blink(&s, false);
	EXPECT_EQ(screen_gen(&s), g + 3);
	screen_destroy(&s);
}

static void cursor_outside_is_off(void)
{
	struct screen s;
	struct screen_frame f;

	screen_init(&s);
	screen_set_cursor(&s, SCREEN_CELLS, true);
	screen_snapshot(&s, &f);
	EXPECT(!f.cursor_on);
	screen_destroy(&s);
}

/*
 * The writer fills whole frames, each with one value in every cell, under
 * one lock hold per frame as the PV frame call does, then changes one
 * cell through the API.  Every reader snapshot must show one value in all
 * cells but that one.  The writer runs until the reader has checked
 * enough distinct frames (a mutex is not fair: a tight writer could
 * otherwise finish before the reader ever gets in).
 */
#define WANT_FRAMES 100
#define MAX_FRAMES 50000000u

struct shared {
	struct screen s;
	int ready, stop;
	unsigned int written;
};

static void *writer(void *arg)
{
	struct shared *sh = arg;
	unsigned int n;

	while (!__atomic_load_n(&sh->ready, __ATOMIC_ACQUIRE))
		;
	for (n = 1; n < MAX_FRAMES && !__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE); n++) {
		pthread_mutex_lock(&sh->s.lock);
		for (int i = 0; i < SCREEN_CELLS; i++)
			sh->s.f.cells[i] = (uint16_t)(n & 0x7fff);
		sh->s.f.cursor = (uint16_t)(n % SCREEN_CELLS);
		sh->s.f.gen++;
		pthread_mutex_unlock(&sh->s.lock);
		screen_put(&sh->s, n % SCREEN_CELLS, (uint16_t)(n | 0x8000));
	}
	sh->written = n - 1;
	return NULL;
}

static void no_torn_frames(void)
{
	static struct shared sh;
	struct screen_frame f;
	pthread_t t;
	unsigned int torn = 0, seen = 0;
	uint64_t last_gen = 0;

	screen_init(&sh.s);
	EXPECT_EQ(pthread_create(&t, NULL, writer, &sh), 0);
	__atomic_store_n(&sh.ready, 1, __ATOMIC_RELEASE);
	for (unsigned long spins = 0; seen < WANT_FRAMES && spins < MAX_FRAMES; spins++) {
		screen_snapshot(&sh.s, &f);
		if (f.gen == last_gen)
			continue;
		if (f.gen < last_gen)
			torn++;
		last_gen = f.gen;
		seen++;
		uint16_t v = f.cells[(f.cursor + 1) % SCREEN_CELLS];
		unsigned int odd = 0;

		for (int i = 0; i < SCREEN_CELLS; i++)
			odd += f.cells[i] != v;
		if (odd > 1)
			torn++;
	}
	__atomic_store_n(&sh.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	EXPECT_EQ(torn, 0);
	EXPECT_EQ(seen, WANT_FRAMES);
	screen_snapshot(&sh.s, &f);
	EXPECT_EQ(f.gen, 2ull * sh.written);
	screen_destroy(&sh.s);
}

int main(void)
{
	RUN(starts_blank);
	RUN(generation_moves_only_on_change);
	RUN(cursor_outside_is_off);
	RUN(no_torn_frames);
	UNIT_EXIT();
}
