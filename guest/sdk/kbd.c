// SPDX-License-Identifier: MIT
#include "irq.h"
#include "kbd.h"
#include "sdk.h"

#define DATA	0x60
#define CMD	0x64
#define OBF	0x01
#define IBF	0x02
#define AUXB	0x20

static volatile int ring[64];
static volatile unsigned int head, tail;
volatile unsigned int kbd_bytes;
static int e0, shift, ctrl, alt, caps;

/* set 1 make codes 0x00-0x39 */
static const char plain[] =
	"\0\0331234567890-=\b\tqwertyuiop[]\r\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
static const char shifted[] =
	"\0\033!@#$%^&*()_+\b\tQWERTYUIOP{}\r\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";

static void put(int k)
{
	if (head - tail < sizeof(ring) / sizeof(ring[0]))
		ring[head++ % (sizeof(ring) / sizeof(ring[0]))] = k;
}

static int special(unsigned int code)
{
	switch (code) {
	case 0x48: return KBD_UP;
	case 0x50: return KBD_DOWN;
	case 0x4b: return KBD_LEFT;
	case 0x4d: return KBD_RIGHT;
	case 0x47: return KBD_HOME;
	case 0x4f: return KBD_END;
	case 0x49: return KBD_PGUP;
	case 0x51: return KBD_PGDN;
	case 0x52: return KBD_INS;
	case 0x53: return KBD_DEL;
	case 0x1c: return '\r';		/* keypad Enter */
	case 0x35: return '/';		/* keypad slash */
	}
	return 0;
}

static void scancode(uint8_t b)
{
	if (b == 0xe0) {
		e0 = 1;
		return;
	}
	int up = b & 0x80, ext = e0;
	unsigned int code = b & 0x7f;

	e0 = 0;
	switch (code) {
	case 0x2a:
	case 0x36:
		if (!ext)
			shift = !up;
		return;
	case 0x1d:
		ctrl = !up;
		return;
	case 0x38:
		alt = !up;
		return;
	case 0x3a:
		if (!up)
			caps = !caps;
		return;
	}
	if (up)
		return;
	int k = 0;

	if (ext)
		k = special(code);
	else if (code >= 0x3b && code <= 0x44)
		k = KBD_F1 + (int)(code - 0x3b);
	else if (code == 0x57 || code == 0x58)
		k = KBD_F1 + 10 + (int)(code - 0x57);
	else if (code >= 0x47 && code <= 0x53 && code != 0x4a && code != 0x4e)
		k = special(code);	/* keypad with Num Lock off */
	else if (code < sizeof(plain) - 1) {
		char c = shift ? shifted[code] : plain[code];

		if (caps && c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		else if (caps && c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (ctrl && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			c &= 0x1f;
		k = (unsigned char)c;
	}
	if (k)
		put(alt ? k | KBD_ALT : k);
}

static void on_irq(unsigned int irq)
{
	(void)irq;
	uint8_t st = inb(CMD);

	if (!(st & OBF) || (st & AUXB))
		return;		/* spurious, or the mouse's */
	uint8_t b = inb(DATA);

	kbd_bytes++;
	if (b == 0xfa || b == 0xfe)
		return;		/* answers to commands */
	scancode(b);
}

static int wait_obf(void)
{
	for (int i = 0; i < 100000; i++)
		if (inb(CMD) & OBF)
			return inb(DATA);
	return -1;
}

static void wait_ibf(void)
{
	for (int i = 0; i < 100000 && (inb(CMD) & IBF); i++)
		;
}

int kbd_init(void)
{
	irq_init_once();
	outb(CMD, 0xad);		/* keyboard off while we set up */
	while (inb(CMD) & OBF)
		inb(DATA);
	outb(CMD, 0xaa);
	if (wait_obf() != 0x55)
		return -1;
	outb(CMD, 0x20);
	int cb = wait_obf();

	if (cb < 0)
		return -1;
	cb = (cb | 0x41) & ~0x10;	/* IRQ 1, translation, clock on */
	wait_ibf();
	outb(CMD, 0x60);
	wait_ibf();
	outb(DATA, (uint8_t)cb);
	irq_register(1, on_irq);
	outb(CMD, 0xae);
	wait_ibf();
	outb(DATA, 0xf4);		/* scanning on; the ACK comes by IRQ */
	return 0;
}

int kbd_trykey(void)
{
	int k = -1;

	cli();
	if (head != tail)
		k = ring[tail++ % (sizeof(ring) / sizeof(ring[0]))];
	sti();
	return k;
}

int kbd_getkey(void)
{
	for (;;) {
		cli();
		if (head != tail) {
			int k = ring[tail++ % (sizeof(ring) / sizeof(ring[0]))];

			sti();
			return k;
		}
		irq_wait();	/* sti; hlt: no wake-up lost in between */
	}
}
