// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

#include "screen.h"

/* 6-bit DAC levels 0, 0x15, 0x2a, 0x3f widened to 8 bits; colour 6 is brown */
const uint32_t screen_std_palette[16] = {
	0x000000, 0x0000aa, 0x00aa00, 0x00aaaa, 0xaa0000, 0xaa00aa, 0xaa5500, 0xaaaaaa,
	0x555555, 0x5555ff, 0x55ff55, 0x55ffff, 0xff5555, 0xff55ff, 0xffff55, 0xffffff,
};

void screen_init(struct screen *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	/* a powered-on VGA shows blanks in light grey on black */
	for (int i = 0; i < SCREEN_CELLS; i++)
		s->f.cells[i] = 0x0720;
	s->f.cursor_on = true;
	s->f.blink = true;
	memcpy(s->f.palette, screen_std_palette, sizeof(s->f.palette));
	s->f.palette_default = true;
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

void screen_set_palette(struct screen *s, const uint32_t pal[16])
{
	pthread_mutex_lock(&s->lock);
	if (memcmp(s->f.palette, pal, sizeof(s->f.palette))) {
		memcpy(s->f.palette, pal, sizeof(s->f.palette));
		s->f.palette_default = !memcmp(pal, screen_std_palette,
					       sizeof(s->f.palette));
		s->f.gen++;
	}
	pthread_mutex_unlock(&s->lock);
}

void screen_set_graphics(struct screen *s, const char *mode)
{
	pthread_mutex_lock(&s->lock);
	if (strcmp(s->f.graphics, mode)) {
		snprintf(s->f.graphics, sizeof(s->f.graphics), "%s", mode);
		s->f.gen++;
	}
	pthread_mutex_unlock(&s->lock);
}

bool screen_graphics(struct screen *s, char *buf, size_t size)
{
	pthread_mutex_lock(&s->lock);
	snprintf(buf, size, "%s", s->f.graphics);
	pthread_mutex_unlock(&s->lock);
	return buf[0] != 0;
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
