/* SPDX-License-Identifier: MIT */
/*
 * The machine's 80x25 cell buffer between the vCPU thread (emulated and PV VGA write
 * into it) and whoever shows it (the ncurses thread, the headless dump,
 * the recorder).  A mutex keeps frames whole; gen grows with every change
 * so a reader can skip a frame that did not change.
 */
#ifndef VMM_SCREEN_H
#define VMM_SCREEN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCREEN_COLS	80
#define SCREEN_ROWS	25
#define SCREEN_CELLS	(SCREEN_COLS * SCREEN_ROWS)

struct screen_frame {
	uint16_t cells[SCREEN_CELLS];	/* (attribute << 8) | CP437 code */
	uint16_t cursor;		/* row * 80 + col */
	bool cursor_on;			/* shown and inside the screen */
	bool blink;			/* attribute bit 7 blinks (else bright bg) */
	/*
	 * What VGA colours 0-15 look like as 0xRRGGBB after the attribute
	 * controller and the DAC; palette_default when they are the standard
	 * 16, so a display may use the terminal's own 16 colours.
	 */
	uint32_t palette[16];
	bool palette_default;
	/*
	 * "" in text mode; in a VGA graphics mode, which one ("320x200, 256
	 * colours"): the cells then hold the last text screen, not what the
	 * guest shows, and displays say so instead.
	 */
	char graphics[32];
	uint64_t gen;
};

struct screen {
	pthread_mutex_t lock;
	struct screen_frame f;
};

/* The 16 colours of a VGA in text mode after power-on, 0xRRGGBB. */
extern const uint32_t screen_std_palette[16];

void screen_init(struct screen *s);
void screen_destroy(struct screen *s);
void screen_put(struct screen *s, unsigned int idx, uint16_t cell);
void screen_set_cursor(struct screen *s, uint16_t pos, bool on);
void screen_set_blink(struct screen *s, bool blink);
void screen_set_palette(struct screen *s, const uint32_t pal[16]);
/* "" for text mode, else the graphics mode's description */
void screen_set_graphics(struct screen *s, const char *mode);
/* The same, read: false in text mode (buf ""), without copying the cells. */
bool screen_graphics(struct screen *s, char *buf, size_t size);
uint64_t screen_gen(struct screen *s);
/* Copies the whole frame under the lock: never torn. */
void screen_snapshot(struct screen *s, struct screen_frame *out);

#endif
