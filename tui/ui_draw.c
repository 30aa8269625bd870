// SPDX-License-Identifier: MIT
/*
 * Cells go to ncurses one by one and only when they changed, because each
 * add_wch costs ~60 ns even for an unchanged cell and 60 Hz should be free
 * when the guest is idle.  Glyphs: CP437 as Unicode on UTF-8 locales; on
 * other locales the box, block and arrow characters become the terminal's
 * line-drawing set (ACS) and everything else the closest ASCII character.
 */
#include <langinfo.h>
#include <ncursesw/curses.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "cp437.h"
#include "ui_draw.h"

/* CP437 bytes the ACS set can draw, with the ACS letter (double lines as single). */
static const struct {
	uint8_t ch;
	char acs;
} acs_map_437[] = {
	{ 0xc4, 'q' }, { 0xcd, 'q' }, { 0xb3, 'x' }, { 0xba, 'x' },
	{ 0xda, 'l' }, { 0xc9, 'l' }, { 0xd5, 'l' }, { 0xd6, 'l' },
	{ 0xbf, 'k' }, { 0xbb, 'k' }, { 0xb8, 'k' }, { 0xb7, 'k' },
	{ 0xc0, 'm' }, { 0xc8, 'm' }, { 0xd4, 'm' }, { 0xd3, 'm' },
	{ 0xd9, 'j' }, { 0xbc, 'j' }, { 0xbe, 'j' }, { 0xbd, 'j' },
	{ 0xc3, 't' }, { 0xcc, 't' }, { 0xc6, 't' }, { 0xc7, 't' },
	{ 0xb4, 'u' }, { 0xb9, 'u' }, { 0xb5, 'u' }, { 0xb6, 'u' },
	{ 0xc2, 'w' }, { 0xcb, 'w' }, { 0xd1, 'w' }, { 0xd2, 'w' },
	{ 0xc1, 'v' }, { 0xca, 'v' }, { 0xcf, 'v' }, { 0xd0, 'v' },
	{ 0xc5, 'n' }, { 0xce, 'n' }, { 0xd8, 'n' }, { 0xd7, 'n' },
	{ 0xdb, '0' }, { 0xdc, '0' }, { 0xdd, '0' }, { 0xde, '0' }, { 0xdf, '0' },
	{ 0xb0, 'h' }, { 0xb1, 'a' }, { 0xb2, 'a' },
	{ 0xf8, 'f' }, { 0xf1, 'g' }, { 0x07, '~' }, { 0xf9, '~' }, { 0xfa, '~' },
	{ 0x04, '`' }, { 0xf3, 'y' }, { 0xf2, 'z' }, { 0xe3, '{' }, { 0x9c, '}' },
	{ 0x18, '-' }, { 0x1e, '-' }, { 0x19, '.' }, { 0x1f, '.' },
	{ 0x1a, '+' }, { 0x10, '+' }, { 0x1b, ',' }, { 0x11, ',' },
};

static bool truecolor_terminal(void)
{
	const char *ct = getenv("COLORTERM");

	return ct && (!strcmp(ct, "truecolor") || !strcmp(ct, "24bit"));
}

static enum color_depth pick_depth(bool utf8)
{
	static const char *const names[] = { "none", "8", "16", "256" };
	const char *want = getenv("VMM_COLORS");
	enum color_depth d = DEPTH_NONE;

	if (has_colors() && start_color() == OK) {
		for (d = DEPTH_256; d > DEPTH_NONE; d--)
			if (COLORS >= (d == DEPTH_256 ? 256 : d == DEPTH_16 ? 16 : 8) &&
			    COLOR_PAIRS >= attr_pairs_needed(d))
				break;
	}
	/* 24-bit cells go out as UTF-8 past ncurses: no ACS charset there */
	if (d == DEPTH_256 && utf8 && truecolor_terminal())
		d = DEPTH_DIRECT;
	/* only ever ask for less than the terminal has */
	for (int i = 0; want && i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (!strcmp(want, names[i]) && (int)d > i)
			d = (enum color_depth)i;
	return d;
}

void draw_init(struct ui_draw *d)
{
	d->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	d->depth = pick_depth(d->utf8);
	d->cursor_vis = -1;
	memcpy(d->palette, screen_std_palette, sizeof(d->palette));
	d->palette_default = true;
	term_palette_make(d->palette, true, &d->tp);
	if (d->depth != DEPTH_NONE) {
		assume_default_colors(COLOR_WHITE, COLOR_BLACK);
		for (int p = 1; p < attr_pairs_needed(d->depth); p++) {
			short fg, bg;

			attr_pair_colors(d->depth, &d->tp, p, &fg, &bg);
			init_pair((short)p, fg, bg);
		}
	}
	for (int c = 0; c < 256; c++) {
		d->glyph[c] = d->utf8 ? (wchar_t)cp437_unicode[c] :
			      (wchar_t)(unsigned char)cp437_ascii[c];
		d->glyph_attr[c] = 0;
	}
	if (d->utf8)
		return;
	for (size_t i = 0; i < sizeof(acs_map_437) / sizeof(acs_map_437[0]); i++) {
		wchar_t w[CCHARW_MAX + 1];
		attr_t a;
		short pair;

		if (getcchar(NCURSES_WACS(acs_map_437[i].acs), w, &a, &pair, NULL) == OK &&
		    w[0]) {
			d->glyph[acs_map_437[i].ch] = w[0];
			d->glyph_attr[acs_map_437[i].ch] = (unsigned int)(a & A_ALTCHARSET);
		}
	}
}

static attr_t style_attrs(const struct cell_style *s)
{
	return (s->bold ? A_BOLD : 0) | (s->blink ? A_BLINK : 0) |
	       (s->reverse ? A_REVERSE : 0) | (s->invisible ? A_INVIS : 0);
}

static void put_cell(struct ui_draw *d, int row, int col, uint16_t cell, bool blink)
{
	struct cell_style s;
	uint8_t ch = (uint8_t)cell;
	wchar_t w[2] = { d->glyph[ch], 0 };
	cchar_t cc;

	attr_style((uint8_t)(cell >> 8), blink, d->depth, &d->tp, &s);
	setcchar(&cc, w, style_attrs(&s) | d->glyph_attr[ch], s.pair, NULL);
	mvadd_wch(row, col, &cc);
	/* ncurses may clear the rest of a row with el: repaint whole rows */
	if (s.rgb)
		d->rgb_pending = true;
}

/* A new guest palette: the custom pairs get its nearest xterm colours. */
static void take_palette(struct ui_draw *d, const struct screen_frame *f)
{
	memcpy(d->palette, f->palette, sizeof(d->palette));
	d->palette_default = f->palette_default;
	term_palette_make(d->palette, d->palette_default, &d->tp);
	if (d->depth < DEPTH_256 || d->palette_default)
		return;
	for (int p = ATTR_CUSTOM_PAIRS; p < attr_pairs_needed(d->depth); p++) {
		short fg, bg;

		attr_pair_colors(d->depth, &d->tp, p, &fg, &bg);
		init_pair((short)p, fg, bg);
	}
}

void draw_cells(struct ui_draw *d, const struct layout *l, const struct viewport *v,
		const struct screen_frame *f, const struct screen_frame *old)
{
	if (f->palette_default != d->palette_default ||
	    memcmp(f->palette, d->palette, sizeof(d->palette))) {
		take_palette(d, f);
		old = NULL;
	}
	if (old && old->blink != f->blink)
		old = NULL;
	if (!old)
		d->help_on = false;
	for (int r = 0; r < l->rows; r++) {
		int i = ((int)v->top + r) * SCREEN_COLS + v->left;

		for (int c = 0; c < l->cols; c++, i++)
			if (!old || old->cells[i] != f->cells[i])
				put_cell(d, l->top + r, l->left + c, f->cells[i], f->blink);
	}
}

void draw_console(struct ui_draw *d, const struct layout *l, const struct viewport *v,
		  const uint32_t *cells, int cols)
{
	int avail = cols - v->left, n = avail < l->cols ? avail : l->cols;

	for (int r = 0; r < l->rows; r++) {
		const uint32_t *line = cells + (size_t)r * (size_t)cols + v->left;

		for (int c = 0; c < n; c++) {
			uint32_t cp = line[c];
			/* a wide character cut in half by an edge shows as a blank */
			bool cut = cp == CONSOLE_WIDE_TAIL ||
				   (c + 1 == n && c + 1 < avail && line[c + 1] == CONSOLE_WIDE_TAIL);
			wchar_t w[2] = { !cp || cut ? L' ' : (wchar_t)cp, 0 };
			cchar_t cc;

			if (cp == CONSOLE_WIDE_TAIL && c > 0)
				continue;	/* drawn with its left half */
			setcchar(&cc, w, A_NORMAL, 0, NULL);
			mvadd_wch(l->top + r, l->left + c, &cc);
		}
	}
}

/* The status line and the help box use the colours of VGA attribute attr. */
static void set_style(struct ui_draw *d, uint8_t attr)
{
	struct cell_style s;

	attr_style(attr, true, d->depth, NULL, &s);
	attr_set(style_attrs(&s) | (d->depth == DEPTH_NONE ? A_REVERSE : 0), s.pair, NULL);
}

void draw_status(struct ui_draw *d, int row, int left, int cols, const char *text)
{
	int n = (int)strlen(text);

	set_style(d, 0x70);
	mvaddnstr(row, left, text, cols);
	if (n < cols)
		mvhline(row, left + n, ' ', cols - n);
	attr_set(A_NORMAL, 0, NULL);
}

void draw_tag(struct ui_draw *d, int row, int col, int cols, const char *text)
{
	wchar_t w[128];

	/* wide characters: the arrows are one column each, as counted */
	if (mbstowcs(w, text, sizeof(w) / sizeof(w[0])) == (size_t)-1)
		return;
	w[sizeof(w) / sizeof(w[0]) - 1] = 0;
	set_style(d, 0x70);
	mvaddnwstr(row, col, w, cols);
	attr_set(A_NORMAL, 0, NULL);
}

static const char *const help_text[] = {
	"vmm keys",
	"",
	"Ctrl-A x        quit: the VM ends, vmm exits with 0",
	"Ctrl-A h        this help (any key closes it)",
	"Ctrl-A c        serial console (COM1) / the screen",
	"Ctrl-A t        show or hide the status line",
	"Ctrl-A arrows   scroll a view bigger than the terminal",
	"   PgUp PgDn    (the cursor moving or a typed key ends it)",
	"Ctrl-A s        save the screen as text in NAME-screen-N.txt",
	"Ctrl-A w        save a snapshot NAME-N.snap beside the config",
	"Ctrl-A m        migrate to vmm --incoming unix:NAME.sock there",
	"Ctrl-A Ctrl-A   send one Ctrl-A to the guest",
	"any other key   goes to the guest (COM1 in the console)",
	"",
	"Status line: VGA and disk modes, VM exits, hypercalls",
	"and disk sectors per second, frames drawn per second.",
};

void draw_help(struct ui_draw *d)
{
	const int n = (int)(sizeof(help_text) / sizeof(help_text[0]));
	int widest = 0;

	for (int i = 0; i < n; i++)
		widest = (int)strlen(help_text[i]) > widest ? (int)strlen(help_text[i]) : widest;
	/* centred, as wide as its text (80x24 shows it all); a small terminal what fits */
	const int w = COLS < widest + 4 ? COLS : widest + 4, h = n + 2;
	const int top = LINES > h ? (LINES - h) / 2 : 0, left = (COLS - w) / 2;

	d->help_on = true;
	d->help_box[0] = top;
	d->help_box[1] = left;
	d->help_box[2] = h;
	d->help_box[3] = w;
	set_style(d, 0x1f);
	for (int r = 0; r < h; r++) {
		mvhline(top + r, left, ' ', w);
		if (r > 0 && r <= n)
			mvaddnstr(top + r, left + 2, help_text[r - 1], w - 3);
	}
	mvadd_wch(top, left, WACS_ULCORNER);
	mvadd_wch(top, left + w - 1, WACS_URCORNER);
	mvadd_wch(top + n + 1, left, WACS_LLCORNER);
	mvadd_wch(top + n + 1, left + w - 1, WACS_LRCORNER);
	mvhline_set(top, left + 1, WACS_HLINE, w - 2);
	mvhline_set(top + n + 1, left + 1, WACS_HLINE, w - 2);
	mvvline_set(top + 1, left, WACS_VLINE, n);
	mvvline_set(top + 1, left + w - 1, WACS_VLINE, n);
	attr_set(A_NORMAL, 0, NULL);
}

void draw_too_small(int rows, int cols)
{
	char msg[160];

	erase();
	snprintf(msg, sizeof(msg),
		 "vmm needs a terminal of at least %dx%d; this one is %dx%d. "
		 "Make it bigger to see the guest. Ctrl-A x quits.",
		 UI_MIN_COLS, UI_MIN_ROWS, cols, rows);
	/* wrap at word boundaries, by hand: no scrolling in a tiny window */
	int len = (int)strlen(msg), w = cols > 0 ? cols : 1;

	for (int r = 0, off = 0; r < rows && off < len; r++) {
		int n = len - off;

		if (n > w) {
			n = w;
			while (n > 0 && msg[off + n] != ' ')
				n--;
			if (n == 0)
				n = w;
		}
		mvaddnstr(r, 0, msg + off, n);
		off += n;
		while (msg[off] == ' ')
			off++;
	}
}

void draw_cursor(struct ui_draw *d, const struct layout *l, const struct viewport *v,
		 int64_t row, int col, bool on)
{
	int64_t r = row - v->top;
	int c = col - v->left;
	int vis = on && r >= 0 && r < l->rows && c >= 0 && c < l->cols;

	if (vis)
		move(l->top + (int)r, l->left + c);
	leaveok(stdscr, !vis);
	if (vis != d->cursor_vis) {
		curs_set(vis);
		d->cursor_vis = vis;
	}
}
