/* SPDX-License-Identifier: MIT */
/*
 * The PC keyboard through the 8042: interrupt-driven (IRQ 1), scancode
 * set 1 as the controller translates it, US layout.  Keys come back as
 * characters (control characters for Ctrl-letter) or KBD_* codes, with
 * KBD_ALT added while Alt is down.
 */
#ifndef SDK_KBD_H
#define SDK_KBD_H

enum {
	KBD_UP = 0x100, KBD_DOWN, KBD_LEFT, KBD_RIGHT, KBD_HOME, KBD_END,
	KBD_PGUP, KBD_PGDN, KBD_INS, KBD_DEL, KBD_F1,
	KBD_F12 = KBD_F1 + 11,
	KBD_ALT = 0x1000,
};

/*
 * Self-tests the controller, turns on IRQ 1 and translation (setting up
 * interrupts with irq_init_once()); 0, or -1 without a working 8042.
 */
int kbd_init(void);
/* The next key, sleeping in hlt until one comes. */
int kbd_getkey(void);
/* The next key, or -1 at once. */
int kbd_trykey(void);
/* Raw bytes read from port 0x60 so far (for tests). */
extern volatile unsigned int kbd_bytes;

#endif
