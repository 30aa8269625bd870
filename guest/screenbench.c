// SPDX-License-Identifier: MIT
/*
 * screenbench: what a full 80x25 screen costs under each screen strategy.
 *
 * frames=N: writes N full screens through the SDK's screen driver (the
 * one the boot info picks; vga=pvchar forces the lab's per-character PV
 * call), cell by cell with screen_put() and one screen_flush() per frame,
 * and prints at fixed width (so every run makes the same serial exits):
 *   BENCH screen driver=D frames=N cells=C cycles=T tsc_khz=K tsc_src=S
 * The guest-side loop is the same for every strategy: the "ram" strategy
 * (no exits at all) is its cost, and bench/ subtracts it.
 *
 * ui=idle|cell|full seconds=S: a steady load for the terminal UI, paced
 * by PIT interrupts at 60 Hz with the vCPU halted in between: draw one
 * screen then nothing (idle), one cell per tick (cell), or the whole
 * screen per tick from two prepared frames, copied with rep movsw (full).
 * Emulated VGA only.  Prints nothing on serial, so the terminal's bytes
 * are the UI's.
 */
#include "sdk/irq.h"
#include "sdk/screen.h"
#include "sdk/sdk.h"
#include "sdk/tsc.h"

#define CELLS (SCREEN_COLS * SCREEN_ROWS)
#define VGA_TEXT ((volatile uint16_t *)0xb8000)
#define PIT_HZ 1193182u
#define UI_HZ 60u

static volatile uint32_t ticks;
static uint16_t prepared[2][CELLS];

static void on_tick(unsigned int irq)
{
	(void)irq;
	ticks++;
}

static void frames_bench(long n)
{
	struct tsc_freq f = tsc_calibrate();
	uint64_t t = rdtsc();

	for (long i = 0; i < n; i++) {
		uint8_t ch = (uint8_t)('A' + i % 26), attr = (uint8_t)(0x10 + i % 0x70);

		for (unsigned int y = 0; y < SCREEN_ROWS; y++)
			for (unsigned int x = 0; x < SCREEN_COLS; x++)
				screen_put(x, y, ch, attr);
		screen_flush();
	}
	t = rdtsc() - t;
	serial_printf("BENCH screen driver=%-9s frames=%010ld cells=%06u cycles=%016llu "
		      "tsc_khz=%010u tsc_src=%s\n", screen_driver()->name, n, CELLS,
		      (unsigned long long)t, f.khz, f.source);
}

/* A varied pair of frames: every cell changes glyph and colour each tick. */
static void prepare(void)
{
	uint32_t r = 12345;

	for (int k = 0; k < 2; k++)
		for (int i = 0; i < CELLS; i++) {
			r = r * 1103515245u + 12345u;
			prepared[k][i] = (uint16_t)((r >> 8) & 0x7fff);
		}
}

static void copy_frame(const uint16_t *src)
{
	void *d = (void *)VGA_TEXT;
	uint32_t n = CELLS;

	__asm__ volatile("rep movsw" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
}

static int ui_load(const char *mode, long seconds)
{
	uint32_t div = PIT_HZ / UI_HZ, end = (uint32_t)(seconds * UI_HZ);

	if (screen_driver() != &screen_vga) {
		serial_printf("screenbench: ui= needs the emulated VGA\n");
		return 1;
	}
	prepare();
	copy_frame(prepared[0]);
	irq_init();
	outb(0x43, 0x34);		/* channel 0, lo/hi, rate generator */
	outb(0x40, (uint8_t)div);
	outb(0x40, (uint8_t)(div >> 8));
	irq_register(0, on_tick);
	for (uint32_t last = 0; ticks < end;) {
		irq_wait();
		if (ticks == last)
			continue;
		last = ticks;
		if (!strcmp(mode, "cell"))
			VGA_TEXT[last % CELLS] = (uint16_t)(0x1f00 | ('0' + last % 10));
		else if (!strcmp(mode, "full"))
			copy_frame(prepared[last & 1]);
	}
	cli();
	return 0;
}

int main(const char *cmdline)
{
	char mode[8];
	long n = cmdline_int("frames", 10);

	(void)cmdline;
	if (cmdline_get("ui", mode, sizeof(mode)))
		return ui_load(mode, cmdline_int("seconds", 3));
	if (n < 0 || n > 1000000)
		n = 10;
	frames_bench(n);
	return 0;
}
