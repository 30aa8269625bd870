// SPDX-License-Identifier: MIT
#include <string.h>

#include "screen.h"

void screen_init(struct screen *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	/* a powered-on VGA shows blanks in light grey on black */
	for (int i = 0; i < SCREEN_CELLS; i++)
		s->f.cells[i] = 0x0720;
	s->f.cursor_on = true;
	s->f.blink = true;
}

void screen_destroy(struct screen *s)
{
	pthread_mutex_destroy(&s->lock);
}

void screen_put(struct screen *s, unsigned int idx, uint16_t cell)
{
	if (idx >= SCREEN_CELLS)
		return;
	pthread_mutex_lock(&s->lock);
	if (s->f.cells[idx] != cell) {
		s->f.cells[idx] = cell;
		s->f.gen++;
	}
	pthread_mutex_unlock(&s->lock);
}

void screen_set_cursor(struct screen *s, uint16_t pos, bool on)
{
	pthread_mutex_lock(&s->lock);
	if (pos >= SCREEN_CELLS)
		on = false;
	if (s->f.cursor != pos || s->f.cursor_on != on) {
		s->f.cursor = pos;
		s->f.cursor_on = on;
		s->f.gen++;
	}
	pthread_mutex_unlock(&s->lock);
}

void screen_set_blink(struct screen *s, bool blink)
{
	pthread_mutex_lock(&s->lock);
	if (s->f.blink != blink) {
		s->f.blink = blink;
		s->f.gen++;
	}
	pthread_mutex_unlock(&s->lock);
}

uint64_t screen_gen(struct screen *s)
{
	pthread_mutex_lock(&s->lock);
	uint64_t g = s->f.gen;

	pthread_mutex_unlock(&s->lock);
	return g;
}

void screen_snapshot(struct screen *s, struct screen_frame *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->f;
	pthread_mutex_unlock(&s->lock);
}
