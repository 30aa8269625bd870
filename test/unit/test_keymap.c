// SPDX-License-Identifier: MIT
/* Terminal keys -> set-1 scancodes, escape decoding, names, --keys scripts. */
#include <curses.h>

#include "../../tui/keymap.h"
#include "../../tui/script.h"
#include "../unit.h"

static uint8_t sc[KM_MAX_SCAN];
static size_t n;

/* Scancodes of one key, compared with the expected bytes. */
static int same(const uint8_t *want, size_t len)
{
	return n == len && !memcmp(sc, want, len);
}

static size_t ch(unsigned int c, unsigned int mods)
{
	struct km_key k = { false, c, mods };

	return n = keymap_scancodes(&k, sc);
}

static size_t kc(unsigned int code, unsigned int mods)
{
	struct km_key k = { true, code, mods };

	return n = keymap_scancodes(&k, sc);
}

#define EXPECT_SC(...)                                          \
	do {                                                    \
		const uint8_t w[] = { __VA_ARGS__ };            \
		EXPECT(same(w, sizeof(w)));                     \
	} while (0)

static void printable_with_shift(void)
{
	ch('a', 0);
	EXPECT_SC(0x1e, 0x9e);
	ch('A', 0);
	EXPECT_SC(0x2a, 0x1e, 0x9e, 0xaa);
	ch('1', 0);
	EXPECT_SC(0x02, 0x82);
	ch('!', 0);
	EXPECT_SC(0x2a, 0x02, 0x82, 0xaa);
	ch(' ', 0);
	EXPECT_SC(0x39, 0xb9);
	ch('/', 0);
	EXPECT_SC(0x35, 0xb5);
	ch('?', 0);
	EXPECT_SC(0x2a, 0x35, 0xb5, 0xaa);
	ch('~', 0);
	EXPECT_SC(0x2a, 0x29, 0xa9, 0xaa);
	ch('"', 0);
	EXPECT_SC(0x2a, 0x28, 0xa8, 0xaa);
	ch('|', 0);
	EXPECT_SC(0x2a, 0x2b, 0xab, 0xaa);
	/* every printable ASCII character has a key */
	for (unsigned int c = 0x20; c < 0x7f; c++)
		EXPECT(ch(c, 0) >= 2);
	/* and none outside the US layout */
	EXPECT_EQ(ch(0xe9, 0), 0);
}

static void control_keys(void)
{
	ch('\r', 0);
	EXPECT_SC(0x1c, 0x9c);
	ch('\n', 0);
	EXPECT_SC(0x1c, 0x9c);
	kc(KEY_ENTER, 0);
	EXPECT_SC(0x1c, 0x9c);
	ch(0x7f, 0);
	EXPECT_SC(0x0e, 0x8e);
	ch(0x08, 0);
	EXPECT_SC(0x0e, 0x8e);
	kc(KEY_BACKSPACE, 0);
	EXPECT_SC(0x0e, 0x8e);
	ch('\t', 0);
	EXPECT_SC(0x0f, 0x8f);
	kc(KEY_BTAB, 0);
	EXPECT_SC(0x2a, 0x0f, 0x8f, 0xaa);
	ch(0x1b, 0);
	EXPECT_SC(0x01, 0x81);
}

static void ctrl_and_alt(void)
{
	ch(0x03, 0);			/* Ctrl-C as the terminal sends it */
	EXPECT_SC(0x1d, 0x2e, 0xae, 0x9d);
	ch(0x01, 0);
	EXPECT_SC(0x1d, 0x1e, 0x9e, 0x9d);
	ch(0x1a, 0);
	EXPECT_SC(0x1d, 0x2c, 0xac, 0x9d);
	ch(0x1c, 0);			/* Ctrl-backslash */
	EXPECT_SC(0x1d, 0x2b, 0xab, 0x9d);
	ch('x', KM_ALT);
	EXPECT_SC(0x38, 0x2d, 0xad, 0xb8);
	/* all three, pressed in order and released in reverse */
	ch('X', KM_ALT | KM_CTRL);
	EXPECT_SC(0x1d, 0x2a, 0x38, 0x2d, 0xad, 0xb8, 0xaa, 0x9d);
}

static void e0_keys(void)
{
	kc(KEY_UP, 0);
	EXPECT_SC(0xe0, 0x48, 0xe0, 0xc8);
	kc(KEY_DOWN, 0);
	EXPECT_SC(0xe0, 0x50, 0xe0, 0xd0);
	kc(KEY_LEFT, 0);
	EXPECT_SC(0xe0, 0x4b, 0xe0, 0xcb);
	kc(KEY_RIGHT, 0);
	EXPECT_SC(0xe0, 0x4d, 0xe0, 0xcd);
	kc(KEY_HOME, 0);
	EXPECT_SC(0xe0, 0x47, 0xe0, 0xc7);
	kc(KEY_END, 0);
	EXPECT_SC(0xe0, 0x4f, 0xe0, 0xcf);
	kc(KEY_PPAGE, 0);
	EXPECT_SC(0xe0, 0x49, 0xe0, 0xc9);
	kc(KEY_NPAGE, 0);
	EXPECT_SC(0xe0, 0x51, 0xe0, 0xd1);
	kc(KEY_IC, 0);
	EXPECT_SC(0xe0, 0x52, 0xe0, 0xd2);
	kc(KEY_DC, 0);
	EXPECT_SC(0xe0, 0x53, 0xe0, 0xd3);
	kc(KM_RCTRL, 0);
	EXPECT_SC(0xe0, 0x1d, 0xe0, 0x9d);
	kc(KM_RALT, 0);
	EXPECT_SC(0xe0, 0x38, 0xe0, 0xb8);
	kc(KM_KPENTER, 0);
	EXPECT_SC(0xe0, 0x1c, 0xe0, 0x9c);
	kc(KM_KPSLASH, 0);
	EXPECT_SC(0xe0, 0x35, 0xe0, 0xb5);
	kc(KEY_SLEFT, 0);		/* Shift-Left as ncurses names it */
	EXPECT_SC(0x2a, 0xe0, 0x4b, 0xe0, 0xcb, 0xaa);
	kc(KEY_SDC, 0);
	EXPECT_SC(0x2a, 0xe0, 0x53, 0xe0, 0xd3, 0xaa);
	kc(KEY_UP, KM_CTRL);
	EXPECT_SC(0x1d, 0xe0, 0x48, 0xe0, 0xc8, 0x9d);
}

static void function_keys(void)
{
	kc(KEY_F(1), 0);
	EXPECT_SC(0x3b, 0xbb);
	kc(KEY_F(10), 0);
	EXPECT_SC(0x44, 0xc4);
	kc(KEY_F(11), 0);
	EXPECT_SC(0x57, 0xd7);
	kc(KEY_F(12), 0);
	EXPECT_SC(0x58, 0xd8);
	kc(KEY_F(13), 0);		/* xterm's Shift-F1 */
	EXPECT_SC(0x2a, 0x3b, 0xbb, 0xaa);
	kc(KEY_F(29), 0);		/* Ctrl-F5 */
	EXPECT_SC(0x1d, 0x3f, 0xbf, 0x9d);
	for (int f = 1; f <= 48; f++)
		EXPECT(kc((unsigned int)KEY_F(f), 0) >= 2);
	EXPECT_EQ(kc(KEY_MOUSE, 0), 0);
	EXPECT_EQ(kc(KEY_RESIZE, 0), 0);
}

static void modifier_keys_alone(void)
{
	kc(KM_LSHIFT, 0);
	EXPECT_SC(0x2a, 0xaa);
	kc(KM_LCTRL, KM_CTRL);		/* not wrapped in itself */
	EXPECT_SC(0x1d, 0x9d);
	kc(KM_RSHIFT, 0);
	EXPECT_SC(0x36, 0xb6);
	kc(KM_LALT, 0);
	EXPECT_SC(0x38, 0xb8);
	kc(KM_CAPSLOCK, 0);
	EXPECT_SC(0x3a, 0xba);
}

static size_t dec(const char *s, bool final, struct km_key *k)
{
	return keymap_decode((const uint8_t *)s, strlen(s), final, k);
}

static void decoding(void)
{
	struct km_key k;

	EXPECT_EQ(dec("ab", true, &k), 1);
	EXPECT(!k.is_keycode && k.key == 'a' && !k.mods);
	EXPECT_EQ(dec("\033[A", true, &k), 3);
	EXPECT(k.is_keycode && k.key == KEY_UP);
	EXPECT_EQ(dec("\033OB", true, &k), 3);
	EXPECT(k.key == KEY_DOWN);
	EXPECT_EQ(dec("\033[3~x", true, &k), 4);
	EXPECT(k.key == KEY_DC);
	EXPECT_EQ(dec("\033[1~", true, &k), 4);
	EXPECT(k.key == KEY_HOME);
	EXPECT_EQ(dec("\033[F", true, &k), 3);
	EXPECT(k.key == KEY_END);
	EXPECT_EQ(dec("\033[6~", true, &k), 4);
	EXPECT(k.key == KEY_NPAGE);
	EXPECT_EQ(dec("\033OP", true, &k), 3);
	EXPECT(k.key == (unsigned int)KEY_F(1));
	EXPECT_EQ(dec("\033[24~", true, &k), 5);
	EXPECT(k.key == (unsigned int)KEY_F(12));
	EXPECT_EQ(dec("\033[[C", true, &k), 4);	/* linux console F3 */
	EXPECT(k.key == (unsigned int)KEY_F(3));
	EXPECT_EQ(dec("\033[1;5C", true, &k), 6);	/* Ctrl-Right */
	EXPECT(k.key == KEY_RIGHT && k.mods == KM_CTRL);
	EXPECT_EQ(dec("\033[15;2~", true, &k), 7);	/* Shift-F5 */
	EXPECT(k.key == (unsigned int)KEY_F(5) && k.mods == KM_SHIFT);
	EXPECT_EQ(dec("\033x", true, &k), 2);		/* Alt-x */
	EXPECT(!k.is_keycode && k.key == 'x' && k.mods == KM_ALT);
	EXPECT_EQ(dec("\033\033[A", true, &k), 1);	/* Esc, then Up */
	EXPECT(k.key == 0x1b && !k.mods);
	/* incomplete: wait for more unless this is all */
	EXPECT_EQ(dec("\033", false, &k), 0);
	EXPECT_EQ(dec("\033[1", false, &k), 0);
	EXPECT_EQ(dec("\033", true, &k), 1);
	EXPECT(k.key == 0x1b);
	EXPECT_EQ(dec("\033[", true, &k), 2);		/* Alt-[ */
	EXPECT(k.key == '[' && k.mods == KM_ALT);
	/* unknown sequences are used up and give no key */
	EXPECT_EQ(dec("\033[99~z", true, &k), 5);
	EXPECT_EQ(k.key, 0);
	/* UTF-8 */
	EXPECT_EQ(dec("\xc3\xa9!", true, &k), 2);
	EXPECT_EQ(k.key, 0xe9);
	EXPECT_EQ(dec("\xe2\x82", false, &k), 0);
	EXPECT_EQ(dec("\xe2\x82\xac", false, &k), 3);
	EXPECT_EQ(k.key, 0x20ac);
	EXPECT_EQ(dec("\x80", true, &k), 1);
	EXPECT_EQ(k.key, 0);
}

static size_t ser(bool is_keycode, unsigned int key, unsigned int mods, char *out)
{
	struct km_key k = { is_keycode, key, mods };
	uint8_t b[KM_MAX_SERIAL + 1];
	size_t len = keymap_serial(&k, b);

	memcpy(out, b, len);
	out[len] = 0;
	return len;
}

static void serial_bytes(void)
{
	char s[KM_MAX_SERIAL + 1];

	ser(false, 'a', 0, s);
	EXPECT(!strcmp(s, "a"));
	ser(false, '\n', 0, s);
	EXPECT(!strcmp(s, "\r"));
	ser(false, 'c', KM_CTRL, s);
	EXPECT(!strcmp(s, "\003"));
	ser(false, 'x', KM_ALT, s);
	EXPECT(!strcmp(s, "\033x"));
	ser(true, KEY_UP, 0, s);
	EXPECT(!strcmp(s, "\033[A"));
	ser(true, KEY_DC, 0, s);
	EXPECT(!strcmp(s, "\033[3~"));
	ser(true, KEY_F(1), 0, s);
	EXPECT(!strcmp(s, "\033OP"));
	ser(true, KEY_F(12), 0, s);
	EXPECT(!strcmp(s, "\033[24~"));
	ser(true, KEY_SLEFT, 0, s);
	EXPECT(!strcmp(s, "\033[1;2D"));
	ser(true, KEY_F(17), 0, s);	/* Shift-F5 */
	EXPECT(!strcmp(s, "\033[15;2~"));
	ser(true, KEY_BACKSPACE, 0, s);
	EXPECT(!strcmp(s, "\177"));
	EXPECT_EQ(ser(false, 0x20ac, 0, s), 3);
	/* what the decoder reads back is the key we encoded */
	static const unsigned int keys[] = {
		KEY_UP, KEY_DOWN, KEY_LEFT, KEY_RIGHT, KEY_HOME, KEY_END,
		KEY_IC, KEY_DC, KEY_PPAGE, KEY_NPAGE, KEY_F(1), KEY_F(5), KEY_F(12),
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct km_key k;
		size_t len = ser(true, keys[i], KM_CTRL, s);

		EXPECT_EQ(keymap_decode((uint8_t *)s, len, true, &k), len);
		EXPECT_EQ(k.key, keys[i]);
		EXPECT_EQ(k.mods, KM_CTRL);
	}
}

static void names(void)
{
	struct km_key k;

	EXPECT(keymap_named("Up", &k) && k.is_keycode && k.key == KEY_UP);
	EXPECT(keymap_named("f11", &k) && k.key == (unsigned int)KEY_F(11));
	EXPECT(!keymap_named("F13", &k));
	EXPECT(!keymap_named("F0", &k));
	EXPECT(keymap_named("Ctrl-c", &k) && !k.is_keycode && k.key == 'c' &&
	       k.mods == KM_CTRL);
	EXPECT(keymap_named("C-M-x", &k) && k.key == 'x' &&
	       k.mods == (KM_CTRL | KM_ALT));
	EXPECT(keymap_named("Shift-Tab", &k) && k.key == '\t' && k.mods == KM_SHIFT);
	EXPECT(keymap_named("RCtrl", &k) && k.key == KM_RCTRL);
	EXPECT(keymap_named("RAlt", &k) && k.key == KM_RALT);
	EXPECT(keymap_named("kpenter", &k) && k.key == KM_KPENTER);
	EXPECT(keymap_named("-", &k) && k.key == '-' && !k.mods);
	EXPECT(keymap_named("Del", &k) && k.key == KEY_DC);
	EXPECT(!keymap_named("Nope", &k));
	EXPECT(!keymap_named("", &k));
}

static void scripts(void)
{
	struct script s;
	char err[128];
	const char *src = "ls -l\\n{Up}{wait:250}x\\x41\\101\\{{{{until:$ }\\e";

	EXPECT_EQ(script_parse(src, strlen(src), &s, err, sizeof(err)), 0);
	EXPECT_EQ(s.n, 6);
	if (s.n == 6) {
		EXPECT(s.steps[0].kind == STEP_TEXT && !strcmp(s.steps[0].text, "ls -l\n"));
		EXPECT(s.steps[1].kind == STEP_KEY && s.steps[1].key.key == KEY_UP);
		EXPECT(s.steps[2].kind == STEP_WAIT && s.steps[2].ms == 250);
		EXPECT(s.steps[3].kind == STEP_TEXT && !strcmp(s.steps[3].text, "xAA{{"));
		EXPECT(s.steps[4].kind == STEP_UNTIL && !strcmp(s.steps[4].text, "$ "));
		EXPECT(s.steps[5].kind == STEP_TEXT && !strcmp(s.steps[5].text, "\033"));
	}
	script_free(&s);
	EXPECT_EQ(script_parse("a{Bogus}", 8, &s, err, sizeof(err)), -1);
	EXPECT(strstr(err, "Bogus") != NULL);
	EXPECT_EQ(script_parse("a{Up", 4, &s, err, sizeof(err)), -1);
	EXPECT_EQ(script_parse("{wait:x}", 8, &s, err, sizeof(err)), -1);
	EXPECT_EQ(script_parse("{until:}", 8, &s, err, sizeof(err)), -1);
	EXPECT_EQ(script_parse("\\x", 2, &s, err, sizeof(err)), -1);
	EXPECT_EQ(script_parse("", 0, &s, err, sizeof(err)), 0);
	EXPECT_EQ(s.n, 0);
}

int main(void)
{
	RUN(printable_with_shift);
	RUN(control_keys);
	RUN(ctrl_and_alt);
	RUN(e0_keys);
	RUN(function_keys);
	RUN(modifier_keys_alone);
	RUN(decoding);
	RUN(serial_bytes);
	RUN(names);
	RUN(scripts);
	UNIT_EXIT();
}
