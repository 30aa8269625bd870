// SPDX-License-Identifier: MIT
/*
 * 24-bit colour for a palette the guest changed.  ncurses draws those
 * cells with the nearest of xterm's 256 colours, so its idea of the
 * screen stays whole; afterwards the rows it may have touched are written
 * again with SGR 38;2/48;2, between DECSC and DECRC so that the cursor,
 * attributes and character set are back where ncurses left them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cp437.h"
#include "ui_draw.h"

static bool under_help(const struct ui_draw *d, int y, int x)
{
	const int *b = d->help_box;

	return d->help_on && y >= b[0] && y < b[0] + b[2] && x >= b[1] && x < b[1] + b[3];
}

static void write_all(const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;		/* the terminal went away: nothing to save */
		buf += n;
		len -= (size_t)n;
	}
}

/* One visible row of the guest screen, at its place in the layout. */
static void put_row(struct ui_draw *d, const struct layout *l, const struct viewport *v,
		    const struct screen_frame *f, int r, FILE *out)
{
	struct cell_style s, last = { .fg_rgb = 1u << 24 };	/* no colour yet */
	int y = l->top + r, x0 = l->left, pos = -1;

	for (int c = 0; c < l->cols; c++) {
		int i = ((int)v->top + r) * SCREEN_COLS + v->left + c;
		uint16_t cell = f->cells[i];
		char glyph[4];

		if (under_help(d, y, x0 + c)) {
			pos = -1;
			continue;
		}
		attr_style((uint8_t)(cell >> 8), f->blink, d->depth, &d->tp, &s);
		if (pos != c)
			fprintf(out, "\033[%d;%dH", y + 1, x0 + c + 1);
		if (s.fg_rgb != last.fg_rgb || s.bg_rgb != last.bg_rgb || s.blink != last.blink)
			fprintf(out, "\033[0;38;2;%u;%u;%u;48;2;%u;%u;%u%sm",
				s.fg_rgb >> 16, s.fg_rgb >> 8 & 0xff, s.fg_rgb & 0xff,
				s.bg_rgb >> 16, s.bg_rgb >> 8 & 0xff, s.bg_rgb & 0xff,
				s.blink ? ";5" : "");
		last = s;
		fwrite(glyph, 1, utf8_encode(cp437_unicode[(uint8_t)cell], glyph), out);
		/* the terminal's last column leaves the cursor waiting to wrap: go by CUP */
		pos = x0 + c + 1 < l->term_cols ? c + 1 : -1;
	}
}

void draw_rgb(struct ui_draw *d, const struct layout *l, const struct viewport *v,
	      const struct screen_frame *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	if (!d->rgb_pending)
		return;
	d->rgb_pending = false;
	if (d->depth != DEPTH_DIRECT || f->palette_default || l->too_small)
		return;
	out = open_memstream(&buf, &len);
	if (!out)
		return;
	fputs("\0337", out);
	for (int r = 0; r < l->rows; r++)
		put_row(d, l, v, f, r, out);
	fputs("\033[0m\0338", out);
	if (!fclose(out))
		write_all(buf, len);
	free(buf);
}
