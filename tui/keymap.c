// SPDX-License-Identifier: MIT
/*
 * Terminal keys -> set-1 scancodes (US layout), escape-sequence decoding
 * and key names.  No state, no I/O: everything here is unit-tested.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "keymap.h"

#define E0	0x100		/* the key's codes carry the 0xE0 prefix */

#define SC_ESC		0x01
#define SC_BACKSPACE	0x0e
#define SC_TAB		0x0f
#define SC_ENTER	0x1c
#define SC_LCTRL	0x1d
#define SC_LSHIFT	0x2a
#define SC_RSHIFT	0x36
#define SC_LALT		0x38
#define SC_SPACE	0x39

/* US layout: each printable ASCII character, its key and Shift state. */
static const char row_plain[] = "1234567890-=qwertyuiop[]asdfghjkl;'`\\zxcvbnm,./";
static const char row_shift[] = "!@#$%^&*()_+QWERTYUIOP{}ASDFGHJKL:\"~|ZXCVBNM<>?";
static const uint8_t row_code[] = {
	0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
	0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,
	0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35,
};

/* A character's key (0 for none) and the modifiers it implies. */
static unsigned int char_key(unsigned int c, unsigned int *mods)
{
	switch (c) {
	case ' ': return SC_SPACE;
	case '\t': return SC_TAB;
	case '\r':
	case '\n': return SC_ENTER;
	case 0x08:
	case 0x7f: return SC_BACKSPACE;
	case 0x1b: return SC_ESC;
	case 0x00:
		*mods |= KM_CTRL;
		return SC_SPACE;
	}
	if (c < 0x20) {			/* Ctrl-letter and Ctrl-[\]^_ */
		*mods |= KM_CTRL;
		c += c <= 0x1a ? 0x60 : 0x40;
	}
	if (c > 0x7e)
		return 0;
	const char *p = strchr(row_plain, (int)c);

	if (p && c)
		return row_code[p - row_plain];
	p = strchr(row_shift, (int)c);
	if (p && c) {
		*mods |= KM_SHIFT;
		return row_code[p - row_shift];
	}
	return 0;
}

static const struct {
	unsigned int key;
	unsigned int code;
	unsigned int mods;
} keycodes[] = {
	{ KEY_UP, E0 | 0x48, 0 }, { KEY_DOWN, E0 | 0x50, 0 },
	{ KEY_LEFT, E0 | 0x4b, 0 }, { KEY_RIGHT, E0 | 0x4d, 0 },
	{ KEY_HOME, E0 | 0x47, 0 }, { KEY_END, E0 | 0x4f, 0 },
	{ KEY_PPAGE, E0 | 0x49, 0 }, { KEY_NPAGE, E0 | 0x51, 0 },
	{ KEY_IC, E0 | 0x52, 0 }, { KEY_DC, E0 | 0x53, 0 },
	{ KEY_SR, E0 | 0x48, KM_SHIFT }, { KEY_SF, E0 | 0x50, KM_SHIFT },
	{ KEY_SLEFT, E0 | 0x4b, KM_SHIFT }, { KEY_SRIGHT, E0 | 0x4d, KM_SHIFT },
	{ KEY_SHOME, E0 | 0x47, KM_SHIFT }, { KEY_SEND, E0 | 0x4f, KM_SHIFT },
	{ KEY_SPREVIOUS, E0 | 0x49, KM_SHIFT }, { KEY_SNEXT, E0 | 0x51, KM_SHIFT },
	{ KEY_SIC, E0 | 0x52, KM_SHIFT }, { KEY_SDC, E0 | 0x53, KM_SHIFT },
	{ KEY_BACKSPACE, SC_BACKSPACE, 0 }, { KEY_ENTER, SC_ENTER, 0 },
	{ KEY_BTAB, SC_TAB, KM_SHIFT },
	{ KM_LSHIFT, SC_LSHIFT, 0 }, { KM_RSHIFT, SC_RSHIFT, 0 },
	{ KM_LCTRL, SC_LCTRL, 0 }, { KM_RCTRL, E0 | 0x1d, 0 },
	{ KM_LALT, SC_LALT, 0 }, { KM_RALT, E0 | 0x38, 0 },
	{ KM_KPENTER, E0 | 0x1c, 0 }, { KM_KPSLASH, E0 | 0x35, 0 },
	{ KM_KPSTAR, 0x37, 0 }, { KM_KPMINUS, 0x4a, 0 }, { KM_KPPLUS, 0x4e, 0 },
	{ KM_CAPSLOCK, 0x3a, 0 }, { KM_NUMLOCK, 0x45, 0 },
	{ KM_SCROLLLOCK, 0x46, 0 },
};

/* F1-F10 are 0x3b-0x44, F11 and F12 0x57 and 0x58. */
static unsigned int fkey_code(unsigned int n)
{
	return n <= 10 ? 0x3a + n : 0x4c + n;
}

static unsigned int keycode_key(unsigned int key, unsigned int *mods)
{
	if (key >= (unsigned int)KEY_F(1) && key <= (unsigned int)KEY_F(48)) {
		/* xterm reports Shift-F1 as F13, Ctrl-F1 as F25, both as F37 */
		unsigned int n = key - KEY_F(1);
		static const unsigned int fmods[] = {
			0, KM_SHIFT, KM_CTRL, KM_CTRL | KM_SHIFT,
		};

		*mods |= fmods[n / 12];
		return fkey_code(n % 12 + 1);
	}
	for (size_t i = 0; i < sizeof(keycodes) / sizeof(keycodes[0]); i++)
		if (keycodes[i].key == key) {
			*mods |= keycodes[i].mods;
			return keycodes[i].code;
		}
	return 0;
}

static size_t emit(uint8_t *out, size_t n, unsigned int code, bool release)
{
	if (code & E0)
		out[n++] = 0xe0;
	out[n++] = (uint8_t)((code & 0x7f) | (release ? 0x80 : 0));
	return n;
}

size_t keymap_scancodes(const struct km_key *k, uint8_t out[KM_MAX_SCAN])
{
	static const unsigned int mod_code[] = { SC_LCTRL, SC_LSHIFT, SC_LALT };
	static const unsigned int mod_bit[] = { KM_CTRL, KM_SHIFT, KM_ALT };
	unsigned int mods = k->mods;
	unsigned int code = k->is_keycode ? keycode_key(k->key, &mods) :
					    char_key(k->key, &mods);
	size_t n = 0;

	if (!code)
		return 0;
	for (int i = 0; i < 3; i++)
		if ((mods & mod_bit[i]) && code != mod_code[i])
			n = emit(out, n, mod_code[i], false);
	n = emit(out, n, code, false);
	n = emit(out, n, code, true);
	for (int i = 2; i >= 0; i--)
		if ((mods & mod_bit[i]) && code != mod_code[i])
			n = emit(out, n, mod_code[i], true);
	return n;
}

/* Serial encoding --------------------------------------------------------- */

static const struct {
	unsigned int key;
	const char *seq;	/* CSI final or "n~" */
	bool ss3;
} term_seqs[] = {
	{ KEY_UP, "A", false }, { KEY_DOWN, "B", false },
	{ KEY_RIGHT, "C", false }, { KEY_LEFT, "D", false },
	{ KEY_HOME, "H", false }, { KEY_END, "F", false },
	{ KEY_IC, "2~", false }, { KEY_DC, "3~", false },
	{ KEY_PPAGE, "5~", false }, { KEY_NPAGE, "6~", false },
	{ KEY_F(1), "P", true }, { KEY_F(2), "Q", true },
	{ KEY_F(3), "R", true }, { KEY_F(4), "S", true },
	{ KEY_F(5), "15~", false }, { KEY_F(6), "17~", false },
	{ KEY_F(7), "18~", false }, { KEY_F(8), "19~", false },
	{ KEY_F(9), "20~", false }, { KEY_F(10), "21~", false },
	{ KEY_F(11), "23~", false }, { KEY_F(12), "24~", false },
	{ KEY_BTAB, "Z", false },
};

static size_t utf8_put(unsigned int c, uint8_t *out)
{
	if (c < 0x80) {
		out[0] = (uint8_t)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (uint8_t)(0xc0 | c >> 6);
		out[1] = (uint8_t)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (uint8_t)(0xe0 | c >> 12);
		out[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (uint8_t)(0x80 | (c & 0x3f));
		return 3;
	}
	if (c > 0x10ffff)
		return 0;
	out[0] = (uint8_t)(0xf0 | c >> 18);
	out[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (uint8_t)(0x80 | (c & 0x3f));
	return 4;
}

/* Shifted ncurses keys and F13-F48 become the plain key with modifiers. */
static unsigned int unshift(unsigned int key, unsigned int *mods)
{
	static const unsigned int shifted[][2] = {
		{ KEY_SR, KEY_UP }, { KEY_SF, KEY_DOWN }, { KEY_SLEFT, KEY_LEFT },
		{ KEY_SRIGHT, KEY_RIGHT }, { KEY_SHOME, KEY_HOME },
		{ KEY_SEND, KEY_END }, { KEY_SPREVIOUS, KEY_PPAGE },
		{ KEY_SNEXT, KEY_NPAGE }, { KEY_SIC, KEY_IC }, { KEY_SDC, KEY_DC },
	};
	static const unsigned int fmods[] = {
		0, KM_SHIFT, KM_CTRL, KM_CTRL | KM_SHIFT,
	};

	for (size_t i = 0; i < sizeof(shifted) / sizeof(shifted[0]); i++)
		if (key == shifted[i][0]) {
			*mods |= KM_SHIFT;
			return shifted[i][1];
		}
	if (key > (unsigned int)KEY_F(12) && key <= (unsigned int)KEY_F(48)) {
		unsigned int f = key - KEY_F(1);

		*mods |= fmods[f / 12];
		return KEY_F(f % 12 + 1);
	}
	return key;
}

size_t keymap_serial(const struct km_key *k, uint8_t out[KM_MAX_SERIAL])
{
	size_t n = 0;
	unsigned int key = k->key, mods = k->mods;

	if (!k->is_keycode) {
		if (mods & KM_ALT)
			out[n++] = 0x1b;
		if ((mods & KM_CTRL) && key >= 0x40 && key < 0x80)
			key &= 0x1f;
		if (key == '\n')
			key = '\r';
		return n + utf8_put(key, out + n);
	}
	if (key == KEY_ENTER || key == KM_KPENTER) {
		out[0] = '\r';
		return 1;
	}
	if (key == KEY_BACKSPACE) {
		out[0] = 0x7f;
		return 1;
	}
	key = unshift(key, &mods);
	for (size_t i = 0; i < sizeof(term_seqs) / sizeof(term_seqs[0]); i++) {
		if (term_seqs[i].key != key)
			continue;
		const char *s = term_seqs[i].seq;
		size_t l = strlen(s);
		int m = key == KEY_BTAB ? 0 : (int)mods;

		if (!m)
			return (size_t)snprintf((char *)out, KM_MAX_SERIAL, "\033%c%s",
						term_seqs[i].ss3 ? 'O' : '[', s);
		/* xterm: CSI 1;m X or CSI n;m ~, m = 1 + shift + 2 alt + 4 ctrl */
		if (s[l - 1] == '~')
			return (size_t)snprintf((char *)out, KM_MAX_SERIAL, "\033[%.*s;%d~",
						(int)(l - 1), s, m + 1);
		return (size_t)snprintf((char *)out, KM_MAX_SERIAL, "\033[1;%d%s",
					m + 1, s);
	}
	return 0;
}

/* Decoding ------------------------------------------------------------ */

/* CSI n ~ numbers */
static const struct {
	unsigned int n, key;
} tilde_keys[] = {
	{ 1, KEY_HOME }, { 2, KEY_IC }, { 3, KEY_DC }, { 4, KEY_END },
	{ 5, KEY_PPAGE }, { 6, KEY_NPAGE }, { 7, KEY_HOME }, { 8, KEY_END },
	{ 11, KEY_F(1) }, { 12, KEY_F(2) }, { 13, KEY_F(3) }, { 14, KEY_F(4) },
	{ 15, KEY_F(5) }, { 17, KEY_F(6) }, { 18, KEY_F(7) }, { 19, KEY_F(8) },
	{ 20, KEY_F(9) }, { 21, KEY_F(10) }, { 23, KEY_F(11) }, { 24, KEY_F(12) },
};

static unsigned int final_key(uint8_t f)
{
	switch (f) {
	case 'A': return KEY_UP;
	case 'B': return KEY_DOWN;
	case 'C': return KEY_RIGHT;
	case 'D': return KEY_LEFT;
	case 'H': return KEY_HOME;
	case 'F': return KEY_END;
	case 'P': return KEY_F(1);
	case 'Q': return KEY_F(2);
	case 'R': return KEY_F(3);
	case 'S': return KEY_F(4);
	case 'M': return KM_KPENTER;
	case 'Z': return KEY_BTAB;
	}
	return 0;
}

/* ESC [ params final, or ESC O final; buf[0] is ESC. */
static size_t decode_seq(const uint8_t *buf, size_t n, bool final, struct km_key *k)
{
	unsigned int p[2] = { 0, 0 }, np = 0;
	size_t i = 2;

	/* linux console: ESC [ [ A..E for F1-F5 */
	if (buf[1] == '[' && n > 2 && buf[2] == '[') {
		if (n < 4)
			return final ? 3 : 0;
		if (buf[3] >= 'A' && buf[3] <= 'E') {
			k->is_keycode = true;
			k->key = KEY_F(buf[3] - 'A' + 1);
		}
		return 4;
	}
	for (; i < n; i++) {
		uint8_t c = buf[i];

		if (c >= '0' && c <= '9') {
			if (np < 2 && p[np] < 1000)
				p[np] = p[np] * 10 + (c - '0');
		} else if (c == ';') {
			np++;
		} else if (c >= 0x40 && c <= 0x7e) {
			break;
		} else if (c < 0x20 || c > 0x7e) {
			return i;	/* broken sequence: drop what we have */
		}
	}
	if (i == n)
		return 0;	/* incomplete; if final, the caller reads Alt-[ */
	uint8_t f = buf[i];
	unsigned int m = np >= 1 && p[1] > 1 ? p[1] - 1 : 0;

	k->is_keycode = true;
	k->key = 0;
	if (f == '~') {
		for (size_t j = 0; j < sizeof(tilde_keys) / sizeof(tilde_keys[0]); j++)
			if (tilde_keys[j].n == p[0])
				k->key = tilde_keys[j].key;
	} else {
		k->key = final_key(f);
	}
	/* xterm modifier parameter: 1 + shift + 2 alt + 4 ctrl */
	k->mods |= m & 7;
	return i + 1;
}

static size_t decode_utf8(const uint8_t *buf, size_t n, bool final, struct km_key *k)
{
	uint8_t b = buf[0];
	size_t len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
	unsigned int c = b & (0x7f >> len);

	if (len == 1) {		/* a stray continuation byte */
		k->key = 0;
		return 1;
	}
	if (n < len && !final)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if (i >= n || (buf[i] & 0xc0) != 0x80) {
			k->key = 0;
			return i;
		}
		c = c << 6 | (buf[i] & 0x3f);
	}
	k->key = c;
	return len;
}

size_t keymap_decode(const uint8_t *buf, size_t n, bool final, struct km_key *k)
{
	*k = (struct km_key){ 0 };
	if (!n)
		return 0;
	if (buf[0] != 0x1b) {
		if (buf[0] >= 0x80)
			return decode_utf8(buf, n, final, k);
		k->key = buf[0];
		return 1;
	}
	if (n == 1) {
		if (!final)
			return 0;
		k->key = 0x1b;
		return 1;
	}
	if (buf[1] == '[' || buf[1] == 'O') {
		size_t used = decode_seq(buf, n, final, k);

		if (used || !final)
			return used;
	}
	if (buf[1] == 0x1b) {		/* Esc, then whatever follows */
		k->key = 0x1b;
		return 1;
	}
	/* ESC + key: the terminal's way of saying Alt */
	size_t used = keymap_decode(buf + 1, n - 1, final, k);

	if (!used)
		return 0;
	k->mods |= KM_ALT;
	return used + 1;
}

/* Names ------------------------------------------------------------------- */

static const struct {
	const char *name;
	bool is_keycode;
	unsigned int key;
} names[] = {
	{ "Enter", false, '\r' }, { "Return", false, '\r' }, { "Tab", false, '\t' },
	{ "Esc", false, 0x1b }, { "Escape", false, 0x1b },
	{ "Backspace", true, KEY_BACKSPACE }, { "BS", true, KEY_BACKSPACE },
	{ "Space", false, ' ' },
	{ "Up", true, KEY_UP }, { "Down", true, KEY_DOWN },
	{ "Left", true, KEY_LEFT }, { "Right", true, KEY_RIGHT },
	{ "Home", true, KEY_HOME }, { "End", true, KEY_END },
	{ "PgUp", true, KEY_PPAGE }, { "PageUp", true, KEY_PPAGE },
	{ "PgDn", true, KEY_NPAGE }, { "PageDown", true, KEY_NPAGE },
	{ "Ins", true, KEY_IC }, { "Insert", true, KEY_IC },
	{ "Del", true, KEY_DC }, { "Delete", true, KEY_DC },
	{ "LShift", true, KM_LSHIFT }, { "RShift", true, KM_RSHIFT },
	{ "LCtrl", true, KM_LCTRL }, { "RCtrl", true, KM_RCTRL },
	{ "LAlt", true, KM_LALT }, { "RAlt", true, KM_RALT },
	{ "KPEnter", true, KM_KPENTER }, { "KPSlash", true, KM_KPSLASH },
	{ "KPStar", true, KM_KPSTAR }, { "KPMinus", true, KM_KPMINUS },
	{ "KPPlus", true, KM_KPPLUS }, { "CapsLock", true, KM_CAPSLOCK },
	{ "NumLock", true, KM_NUMLOCK }, { "ScrollLock", true, KM_SCROLLLOCK },
};

bool keymap_named(const char *name, struct km_key *k)
{
	static const struct {
		const char *prefix;
		unsigned int mod;
	} prefixes[] = {
		{ "Shift-", KM_SHIFT }, { "S-", KM_SHIFT },
		{ "Ctrl-", KM_CTRL }, { "C-", KM_CTRL },
		{ "Alt-", KM_ALT }, { "M-", KM_ALT },
	};
	bool again = true;

	*k = (struct km_key){ 0 };
	while (again && name[0] && name[1]) {
		again = false;
		for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
			size_t l = strlen(prefixes[i].prefix);

			if (!strncasecmp(name, prefixes[i].prefix, l) && name[l]) {
				k->mods |= prefixes[i].mod;
				name += l;
				again = true;
				break;
			}
		}
	}
	if (name[0] && !name[1] && (unsigned char)name[0] >= 0x20 &&
	    (unsigned char)name[0] < 0x7f) {
		k->key = (unsigned char)name[0];
		return true;
	}
	if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
		unsigned int f = (unsigned int)(name[1] - '0');

		if (name[2] >= '0' && name[2] <= '9' && !name[3])
			f = f * 10 + (unsigned int)(name[2] - '0');
		else if (name[2])
			f = 0;
		if (f >= 1 && f <= 12) {
			k->is_keycode = true;
			k->key = KEY_F(f);
			return true;
		}
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(name, names[i].name)) {
			k->is_keycode = names[i].is_keycode;
			k->key = names[i].key;
			return true;
		}
	return false;
}
