// SPDX-License-Identifier: MIT
/*
 * serout: what a guest sends towards the user's terminal, by case=NAME.
 *
 *   flood n=N [irq=1]  N bytes of lines on COM1 (n=0: for ever), waiting
 *                      for THRE before each, then on a line of its own
 *                      "serout: N bytes, sum S, hash H, busy B, spells P,
 *                      temt-while-busy T, thre-irqs I".  busy counts LSR
 *                      reads with THRE clear (the host's queue was full),
 *                      and the first one puts SEROUT-BUSY on the screen's
 *                      top row for the host to see; irq=1 waits for the
 *                      THRE interrupt instead of polling
 *   escapes [key=1]    control sequences a terminal would obey, in raw bytes;
 *                      key=1: only after a key, "SEROUT-KEY" on the screen
 *                      meanwhile (a snapshot taken there sends them later)
 *   vgabytes           every byte 0-255 as a character on the VGA screen
 */
#include "sdk/irq.h"
#include "sdk/kbd.h"
#include "sdk/sdk.h"

#define COM1		0x3f8
#define IER		1
#define IIR		2
#define LSR		5
#define IER_THRI	0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40

static volatile uint32_t thre_irqs;
static uint32_t busy, spells, temt_wrong;
static bool use_irq;

static void on_com1(unsigned int irq)
{
	(void)irq;
	if ((inb(COM1 + IIR) & 0x0f) == 0x02)	/* reading IIR acknowledges it */
		thre_irqs++;
}

/* Sleeps until the UART says THR is empty again. */
static void wait_thre_irq(void)
{
	cli();
	outb(COM1 + IER, IER_THRI);
	if (!(inb(COM1 + LSR) & LSR_THRE))
		irq_wait();
	else
		sti();
	outb(COM1 + IER, 0);
}

static void show(unsigned int row, const char *text)
{
	volatile uint16_t *cell = (volatile uint16_t *)0xb8000 + row * 80;

	for (unsigned int i = 0; text[i] && i < 80; i++)
		cell[i] = (uint16_t)(0x0700 | (uint8_t)text[i]);
}

static void put(uint8_t b)
{
	uint8_t l;
	bool first = true;

	while (!((l = inb(COM1 + LSR)) & LSR_THRE)) {
		if (!busy++)
			show(0, "SEROUT-BUSY");
		temt_wrong += !!(l & LSR_TEMT);
		spells += first;
		first = false;
		if (use_irq)
			wait_thre_irq();
	}
	outb(COM1, b);
}

static uint8_t pattern(uint32_t i)
{
	return i % 64 == 63 ? '\n' : (uint8_t)('a' + (i / 64 + i) % 26);
}

static int flood(void)
{
	uint32_t n = (uint32_t)cmdline_int("n", 0), sum = 0, hash = 0;

	use_irq = cmdline_int("irq", 0);
	if (use_irq) {
		irq_init();
		irq_register(4, on_com1);
	}
	for (uint32_t i = 0; n == 0 || i < n; i++) {
		uint8_t b = pattern(i);

		put(b);
		sum += b;
		hash = hash * 31 + b;
	}
	serial_printf("\nserout: %u bytes, sum %u, hash %u, busy %u, spells %u, "
		      "temt-while-busy %u, thre-irqs %u\n", n, sum, hash, busy,
		      spells, temt_wrong, thre_irqs);
	return 0;
}

static const char escapes_text[] =
	"plain text\r\n"
	"tab\there\r\n"
	"bs x\bX\r\n"
	"sgr \x1b[1;31mred\x1b[0m \x1b[38;5;208morange\x1b[m \x1b[38:2::10:20:30mrgb\x1b[0m\r\n"
	"utf8 h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80\r\n"
	"title \x1b]0;pwned\x07\r\n"
	"osc52 \x1b]52;c;cHduZWQ=\x1b\\\r\n"
	"altscreen \x1b[?1049h\r\n"
	"query \x1b[6n \x1b[21t \x1bP$qm\x1b\\\r\n"
	"c1 \x9b" "6n \xc2\x9b" "6n\r\n"
	"bell \x07 nul \x00 del \x7f\r\n"
	"bad \xc0\xaf \xed\xa0\x80 \xff\r\n"
	"split \xe2\x9c";	/* ends inside a character */

static int escapes(void)
{
	if (cmdline_int("key", 0)) {
		show(0, "SEROUT-KEY");
		if (kbd_init())
			return 3;
		kbd_getkey();
	}
	for (size_t i = 0; i < sizeof(escapes_text) - 1; i++)
		put((uint8_t)escapes_text[i]);
	return 0;
}

static int vgabytes(void)
{
	volatile uint16_t *cell = (volatile uint16_t *)0xb8000;

	for (unsigned int c = 0; c < 256; c++)
		cell[c] = (uint16_t)(0x0700 | c);
	return 0;
}

int main(const char *cmdline)
{
	char name[16];

	(void)cmdline;
	if (!cmdline_get("case", name, sizeof(name)))
		name[0] = 0;
	if (!strcmp(name, "flood"))
		return flood();
	if (!strcmp(name, "escapes"))
		return escapes();
	if (!strcmp(name, "vgabytes"))
		return vgabytes();
	serial_printf("serout: case=flood, escapes or vgabytes\n");
	return 2;
}
