/* SPDX-License-Identifier: MIT */
/*
 * Terminal keys -> PC keyboard scancodes (set 1, US layout), pure
 * functions.  A key is what ncurses reports (a character or a KEY_* code)
 * plus modifiers; terminals send no key-up, so each key becomes a press
 * and a release wrapped in the presses and releases of its modifiers.
 * The same keys can come from a raw byte stream (escape sequences decoded
 * here) or by name ("Up", "F5", "Ctrl-c", "RAlt") for scripts.
 */
#ifndef TUI_KEYMAP_H
#define TUI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KM_SHIFT	0x1
#define KM_ALT		0x2
#define KM_CTRL		0x4

/* Keys a terminal cannot send, above ncurses' KEY_MAX (0777). */
enum km_extra_key {
	KM_KEY_BASE = 0x1000,
	KM_LSHIFT, KM_RSHIFT, KM_LCTRL, KM_RCTRL, KM_LALT, KM_RALT,
	KM_KPENTER, KM_KPSLASH, KM_KPSTAR, KM_KPMINUS, KM_KPPLUS,
	KM_CAPSLOCK, KM_NUMLOCK, KM_SCROLLLOCK,
	KM_KEY_END
};

struct km_key {
	bool is_keycode;	/* key is a KEY_* or KM_* code, else a character */
	unsigned int key;	/* Unicode code point, or the code */
	unsigned int mods;	/* KM_SHIFT | KM_ALT | KM_CTRL, added to the key's own */
};

#define KM_MAX_SCAN	24	/* longest scancode sequence of one key */
#define KM_MAX_SERIAL	16

/* The key's press and release in set 1; 0 when the keyboard has no such key. */
size_t keymap_scancodes(const struct km_key *k, uint8_t out[KM_MAX_SCAN]);
/* The bytes an xterm sends for the key (for a serial console); 0 for none. */
size_t keymap_serial(const struct km_key *k, uint8_t out[KM_MAX_SERIAL]);
/*
 * Decodes one key from the start of a terminal byte stream: characters
 * (UTF-8), control characters, CSI/SS3 escape sequences, ESC+key as Alt.
 * Returns the bytes used; 0 when buf holds only the start of a sequence
 * and more may come (final = false).  With final = true a lone ESC is the
 * Esc key.  An unknown sequence is used up and gives key 0.
 */
size_t keymap_decode(const uint8_t *buf, size_t n, bool final, struct km_key *k);
/*
 * A key by name, for --keys "{Name}": Enter, Tab, Esc, Backspace, Space,
 * Up, Down, Left, Right, Home, End, PgUp, PgDn, Ins, Del, F1-F12,
 * LShift, RShift, LCtrl, RCtrl, LAlt, RAlt, KPEnter, KPSlash, ...
 * a single character, all with optional Shift-, Ctrl- (C-), Alt- (M-)
 * prefixes, e.g. "Ctrl-c", "Alt-x", "Shift-Tab".  Case-insensitive.
 */
bool keymap_named(const char *name, struct km_key *k);

#endif
