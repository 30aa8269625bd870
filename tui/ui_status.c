// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

#include "../vmm/vm.h"
#include "ui_status.h"

#define RATE_NS		1000000000ull

/* 1234 -> "1234", 123456 -> "123k", 12345678 -> "12.3M" */
static void compact(char *buf, size_t n, double v)
{
	if (v < 10000)
		snprintf(buf, n, "%.0f", v);
	else if (v < 1e6)
		snprintf(buf, n, "%.0fk", v / 1e3);
	else
		snprintf(buf, n, "%.1fM", v / 1e6);
}

static void sample_rates(struct vm *vm, struct rates *r)
{
	struct vm_stats *s = &vm->stats;

	r->at = now_ns();
	/* exits counts only the guest's own (kicks apart): an idle guest shows 0 */
	r->exits = STAT_GET(s->exits);
	r->hypercalls = STAT_GET(vm->hc.calls);
	r->sectors = STAT_GET(s->sectors_read) + STAT_GET(s->sectors_written);
	r->frames = STAT_GET(s->frames);
}

void status_init(struct ui_status *st, struct vm *vm)
{
	memset(st, 0, sizeof(*st));
	st->vm = vm;
	sample_rates(vm, &st->r0);
}

static void update_rates(struct ui_status *st, uint64_t now)
{
	struct rates r;
	char ex[16], hc[16], sec[16], fps[16];

	if (now - st->r0.at < RATE_NS && st->rate_text[0])
		return;
	sample_rates(st->vm, &r);
	double dt = (double)(r.at - st->r0.at) / 1e9;

	if (dt <= 0)
		dt = 1;
	compact(ex, sizeof(ex), (double)(r.exits - st->r0.exits) / dt);
	compact(hc, sizeof(hc), (double)(r.hypercalls - st->r0.hypercalls) / dt);
	compact(sec, sizeof(sec), (double)(r.sectors - st->r0.sectors) / dt);
	compact(fps, sizeof(fps), (double)(r.frames - st->r0.frames) / dt);
	snprintf(st->rate_text, sizeof(st->rate_text),
		 "ex/s %s|hc/s %s|sec/s %s|fps %s", ex, hc, sec, fps);
	st->r0 = r;
}

static const char *mode_name(int mode)
{
	return mode == VMM_MODE_PV ? "pv" : mode == VMM_MODE_EMULATED ? "emu" : "none";
}

void status_text(struct ui_status *st, uint64_t now, const char *note, int w,
		 char *line, size_t n)
{
	static const char *const strat[] = { "trap", "coal", "ram" };
	const struct vm_config *c = st->vm->cfg;
	const char *hint = "^A x quit ^A h help";
	char left[192];
	int hl = (int)strlen(hint);

	if (w > (int)n - 1)
		w = (int)n - 1;
	update_rates(st, now);
	if (note) {
		snprintf(left, sizeof(left), " %s", note);
	} else {
		char rest[160];
		int room;

		snprintf(rest, sizeof(rest), "|vga %s/%s|disk %s|%s",
			 mode_name(c->vga.mode),
			 c->vga.strategy <= VGA_RAM ? strat[c->vga.strategy] : "?",
			 mode_name(c->disk.mode), st->rate_text);
		/* a long VM name gives way before the numbers do */
		room = w - hl - 2 - (int)strlen(rest);
		snprintf(left, sizeof(left), " %.*s%s", room > 0 ? room : 0, c->name, rest);
	}
	int ll = (int)strlen(left);

	/* the quit hint always shows; the left part gives way */
	if (ll > w - hl - 1)
		ll = w - hl - 1 > 0 ? w - hl - 1 : 0;
	snprintf(line, n, "%.*s%*s", ll, left, w - ll, hint);
}
