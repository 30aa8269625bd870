// SPDX-License-Identifier: MIT
/*
 * palette: a guest that chooses its own colours, as DOS-era programs and
 * boot menus do.  It writes a title (white on blue) and the 16 colours as
 * text, then reprograms the VGA:
 *   DAC entry 0x01 (colour 1, blue)   -> orange      (0x3f, 0x20, 0x00)
 *   DAC entry 0x3f (colour 15, white) -> pale yellow (0x3f, 0x3f, 0x28)
 *   attribute palette 2 (green)       -> DAC entry 0x2a, made purple (0x20, 0x00, 0x3f)
 * and reads every register back (checks on serial; the exit status is the
 * number that failed).  First it checks which bits of the sequencer,
 * graphics and attribute registers keep a written 0xff, then puts mode 3
 * back: QEMU's VGA and vmm's must agree (test/integration/qemu.sh).  restore=1 puts the BIOS colours back before the
 * end; hold=1 waits for the VMM to end it, for the terminal UI test.
 */
#include "sdk/irq.h"
#include "sdk/screen.h"
#include "sdk/sdk.h"

static int failures;

static void check(const char *name, int ok)
{
	failures += !ok;
	serial_printf("%s %s\n", ok ? "ok  " : "FAIL", name);
}

static void dac_set(uint8_t i, uint8_t r, uint8_t g, uint8_t b)
{
	outb(0x3c8, i);
	outb(0x3c9, r);
	outb(0x3c9, g);
	outb(0x3c9, b);
}

static uint32_t dac_get(uint8_t i)
{
	uint32_t v = 0;

	outb(0x3c7, i);
	for (int c = 0; c < 3; c++)
		v = v << 8 | inb(0x3c9);
	return v;
}

/* Index with the palette unlocked, the value, then the display back on. */
static void ac_set(uint8_t i, uint8_t v)
{
	inb(0x3da);
	outb(0x3c0, i);
	outb(0x3c0, v);
	outb(0x3c0, 0x20);
}

static uint8_t ac_get(uint8_t i)
{
	inb(0x3da);
	outb(0x3c0, (uint8_t)(i | 0x20));
	uint8_t v = inb(0x3c1);

	inb(0x3da);
	return v;
}

/* Writes 0xff to registers 0..n-1 behind index port p, checks, restores. */
static int keeps(uint16_t p, const uint8_t *mask, const uint8_t *mode3, unsigned int n)
{
	int ok = 1;

	for (unsigned int i = 0; i < n; i++) {
		outb(p, (uint8_t)i);
		outb(p + 1, 0xff);
		ok &= inb(p + 1) == mask[i];
		outb(p + 1, mode3[i]);
	}
	return ok;
}

static void masks(void)
{
	static const uint8_t seq[] = { 0x03, 0x3d, 0x0f, 0x3f, 0x0e };
	static const uint8_t seq3[] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
	static const uint8_t gc[] = { 0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff };
	static const uint8_t gc3[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x0f, 0xff };
	static const uint8_t ac[] = { 0xef, 0xff, 0x3f, 0x0f, 0x0f };	/* 0x10-0x14 */
	static const uint8_t ac3[] = { 0x0c, 0x00, 0x0f, 0x08, 0x00 };
	int ok = 1;

	check("sequencer-masks", keeps(0x3c4, seq, seq3, sizeof(seq)));
	check("graphics-masks", keeps(0x3ce, gc, gc3, sizeof(gc)));
	outb(0x3c4, 0xff);
	outb(0x3ce, 0xff);
	check("index-widths", inb(0x3c4) == 0x07 && inb(0x3ce) == 0x0f);
	for (unsigned int i = 0; i < sizeof(ac); i++) {
		ac_set((uint8_t)(0x10 + i), 0xff);
		ok &= ac_get((uint8_t)(0x10 + i)) == ac[i];
		ac_set((uint8_t)(0x10 + i), ac3[i]);
	}
	ac_set(0x05, 0xff);
	ok &= ac_get(0x05) == 0x3f;
	ac_set(0x05, 0x05);
	check("attribute-masks", ok);
}

static void text(unsigned int x, unsigned int y, const char *s, uint8_t attr)
{
	for (; *s; s++)
		screen_put(x++, y, (uint8_t)*s, attr);
}

static void draw(void)
{
	char buf[32];

	for (unsigned int x = 0; x < SCREEN_COLS; x++)
		screen_put(x, 0, ' ', 0x1f);
	text(1, 0, "palette: colours the guest chose", 0x1f);
	for (unsigned int c = 0; c < 16; c++) {
		snprintf(buf, sizeof(buf), "colour %2u \xdb\xdb\xdb\xdb", c);
		text(2, 2 + c, buf, (uint8_t)c);
	}
	screen_cursor(0, 0, 0);
	screen_flush();
}

static void reprogram(void)
{
	dac_set(0x01, 0x3f, 0x20, 0x00);
	dac_set(0x3f, 0x3f, 0x3f, 0x28);
	dac_set(0x2a, 0x20, 0x00, 0x3f);
	ac_set(0x02, 0x2a);
	check("dac-write-index-advanced", inb(0x3c8) == 0x2b);
	check("dac-entry-1", dac_get(0x01) == 0x3f2000);
	check("dac-entry-3f", dac_get(0x3f) == 0x3f3f28);
	check("dac-entry-2a", dac_get(0x2a) == 0x20003f);
	check("dac-read-mode", inb(0x3c7) == 0x03);
	check("attribute-palette-2", ac_get(0x02) == 0x2a);
	check("attribute-palette-3", ac_get(0x03) == 0x03);
}

/* The EGA colours SeaVGABIOS loads for mode 3. */
static void restore(void)
{
	dac_set(0x01, 0x00, 0x00, 0x2a);
	dac_set(0x3f, 0x3f, 0x3f, 0x3f);
	dac_set(0x2a, 0x15, 0x2a, 0x15);
	ac_set(0x02, 0x02);
	check("restored-dac-2a", dac_get(0x2a) == 0x152a15);
}

int main(const char *cmdline)
{
	(void)cmdline;
	masks();
	draw();
	reprogram();
	if (cmdline_int("restore", 0))
		restore();
	serial_printf("palette: %d failed\n", failures);
	if (cmdline_int("hold", 0)) {
		irq_init();
		for (;;)
			irq_wait();	/* every line masked: the VMM ends it */
	}
	return failures;
}
