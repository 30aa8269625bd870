// SPDX-License-Identifier: MIT
/*
 * demo: what a VGA text screen can show, through the SDK screen driver
 * (emulated or PV, the boot info picks; vga=pvchar forces per-character
 * hypercalls): a title, the 16x16 colour combinations, the CP437 table,
 * box drawing, a bouncing ball, a frame counter and the cursor at a
 * prompt that echoes what is typed.  The PIT paces it at 30 frames per
 * second and the CPU sleeps in between.  Runs until the VMM quits, or for
 * frames=N frames and then exits 0, so it also works headless.
 * For measuring the UI: idle=1 draws once and sleeps, full=1 rewrites all
 * 2000 cells (new characters and colours) every frame.
 */
#include "sdk/irq.h"
#include "sdk/kbd.h"
#include "sdk/screen.h"
#include "sdk/sdk.h"

#define PIT_HZ		1193182u
#define FPS		30
#define BALL_ROW	21
#define PROMPT_ROW	23

static volatile uint32_t ticks;

static void on_tick(unsigned int irq)
{
	(void)irq;
	ticks++;
}

static void text(unsigned int x, unsigned int y, const char *s, uint8_t attr)
{
	for (; *s && x < SCREEN_COLS; s++, x++)
		screen_put(x, y, (uint8_t)*s, attr);
}

static char hex(unsigned int v)
{
	return "0123456789ABCDEF"[v & 15];
}

/* A box in CP437 line drawing: double = 1 uses the double-line set. */
static void box(unsigned int x0, unsigned int y0, unsigned int x1,
		unsigned int y1, int dbl, uint8_t attr)
{
	const uint8_t *g = dbl ? (const uint8_t *)"\xc9\xbb\xc8\xbc\xcd\xba" :
				 (const uint8_t *)"\xda\xbf\xc0\xd9\xc4\xb3";

	for (unsigned int x = x0 + 1; x < x1; x++) {
		screen_put(x, y0, g[4], attr);
		screen_put(x, y1, g[4], attr);
	}
	for (unsigned int y = y0 + 1; y < y1; y++) {
		screen_put(x0, y, g[5], attr);
		screen_put(x1, y, g[5], attr);
	}
	screen_put(x0, y0, g[0], attr);
	screen_put(x1, y0, g[1], attr);
	screen_put(x0, y1, g[2], attr);
	screen_put(x1, y1, g[3], attr);
}

static void draw_static(void)
{
	char title[80];

	for (unsigned int y = 0; y < SCREEN_ROWS; y++)
		for (unsigned int x = 0; x < SCREEN_COLS; x++)
			screen_put(x, y, ' ', 0x07);
	for (unsigned int x = 0; x < SCREEN_COLS; x++)
		screen_put(x, 0, ' ', 0x1f);
	snprintf(title, sizeof(title), "vmm demo - VGA text mode, driver %s",
		 screen_driver()->name);
	text((SCREEN_COLS - (unsigned int)strlen(title)) / 2, 0, title, 0x1e);

	/* colours: the cell shows its own attribute byte, background by row */
	text(1, 2, "attribute = bg fg", 0x0f);
	for (unsigned int bg = 0; bg < 16; bg++)
		for (unsigned int fg = 0; fg < 16; fg++) {
			uint8_t a = (uint8_t)(bg << 4 | fg);

			screen_put(1 + fg * 2, 3 + bg, (uint8_t)hex(bg), a);
			screen_put(2 + fg * 2, 3 + bg, (uint8_t)hex(fg), a);
		}

	/* CP437 in a double box, row label = high nibble */
	box(35, 1, 69, 19, 1, 0x0b);
	text(37, 1, " CP437 ", 0x0e);
	for (unsigned int lo = 0; lo < 16; lo++)
		screen_put(38 + lo * 2, 2, (uint8_t)hex(lo), 0x0e);
	for (unsigned int hi = 0; hi < 16; hi++) {
		screen_put(36, 3 + hi, (uint8_t)hex(hi), 0x0e);
		for (unsigned int lo = 0; lo < 16; lo++)
			screen_put(38 + lo * 2, 3 + hi, (uint8_t)(hi << 4 | lo), 0x07);
	}

	/* box drawing: single, double and the junctions */
	box(71, 1, 78, 6, 0, 0x0a);
	screen_put(71, 3, 0xc3, 0x0a);
	screen_put(78, 3, 0xb4, 0x0a);
	for (unsigned int x = 72; x < 78; x++)
		screen_put(x, 3, 0xc4, 0x0a);
	screen_put(74, 1, 0xc2, 0x0a);
	screen_put(74, 3, 0xc5, 0x0a);
	screen_put(74, 2, 0xb3, 0x0a);
	box(71, 8, 78, 12, 1, 0x0d);
	text(72, 10, "\xb0\xb1\xb2\xdb\xdc\xdf", 0x0d);
	text(72, 14, "\x01\x02\x03\x04\x05\x06", 0x0c);
	text(72, 16, "\x18\x19\x1a\x1b\x1e\x1f", 0x0f);

	box(0, 20, 79, 22, 0, 0x03);
	text(2, 20, " moving element ", 0x03);
	text(0, 24, "Ctrl-A h: help   Ctrl-A x: quit   typed keys echo at the prompt",
	     0x08);
	text(0, PROMPT_ROW, "guest> ", 0x0a);
}

static unsigned int prompt_x = 7;

/* Typed keys come from the keyboard in the terminal UI, from COM1 headless. */
static int next_key(void)
{
	int c = kbd_trykey();

	return c >= 0 ? c : serial_getc();
}

static void echo_input(void)
{
	int c;

	while ((c = next_key()) >= 0) {
		if (c == '\r' || c == '\n' || prompt_x >= 60) {
			for (unsigned int x = 7; x < 60; x++)
				screen_put(x, PROMPT_ROW, ' ', 0x07);
			prompt_x = 7;
		} else if ((c == 0x7f || c == '\b') && prompt_x > 7) {
			screen_put(--prompt_x, PROMPT_ROW, ' ', 0x07);
		} else if (c >= 0x20 && c < 0x7f) {
			screen_put(prompt_x++, PROMPT_ROW, (uint8_t)c, 0x0f);
		}
	}
}

/* Every cell changes: character and attribute move with the frame number. */
static void full_frame(long n)
{
	for (unsigned int y = 0; y < SCREEN_ROWS; y++)
		for (unsigned int x = 0; x < SCREEN_COLS; x++) {
			unsigned int v = (unsigned int)n + x + y * 3;

			screen_put(x, y, (uint8_t)(0x21 + v % 94), (uint8_t)(v * 7));
		}
}

int main(const char *cmdline)
{
	long frames = cmdline_int("frames", 0);
	int idle = cmdline_int("idle", 0), full = cmdline_int("full", 0);
	unsigned int x = 1;
	int dx = 1;
	char buf[32];

	(void)cmdline;
	draw_static();
	irq_init();
	kbd_init();			/* no keyboard: keys still come on COM1 */
	irq_register(0, on_tick);
	outb(0x43, 0x34);		/* PIT channel 0, rate generator */
	outb(0x40, (uint8_t)(PIT_HZ / FPS));
	outb(0x40, (uint8_t)((PIT_HZ / FPS) >> 8));
	if (idle) {
		screen_cursor(prompt_x, PROMPT_ROW, 1);
		screen_flush();
		irq_mask(0);
		for (;;)
			irq_wait();	/* nothing will come: the VMM ends it */
	}
	for (long n = 1; frames <= 0 || n <= frames; n++) {
		if (full)
			full_frame(n);
		screen_put(x, BALL_ROW, ' ', 0x07);
		if (x + (unsigned int)dx < 1 || x + (unsigned int)dx > 78)
			dx = -dx;
		x += (unsigned int)dx;
		screen_put(x, BALL_ROW, 0x02, 0x0e);
		snprintf(buf, sizeof(buf), "frame %ld", n);
		text(66, PROMPT_ROW, buf, 0x07);
		echo_input();
		screen_cursor(prompt_x, PROMPT_ROW, 1);
		screen_flush();
		uint32_t t = ticks;

		while (ticks == t)
			irq_wait();
	}
	serial_printf("demo: %ld frames\n", frames);
	return 0;
}
