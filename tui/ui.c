// SPDX-License-Identifier: MIT
/*
 * The UI thread owns ncurses between ui_start() and ui_stop(): it wakes at
 * 60 Hz (or on a key, a resize or stop), brings the cell buffer up to date,
 * and draws only when the buffer's generation moved, so an idle guest costs
 * one lock and compare per tick and sends no bytes.  Signals are blocked in
 * every thread; the main thread reads them and calls ui_resize()/ui_stop().
 * Crashes (SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL) restore the terminal
 * from saved termios and terminfo strings before the default action.
 */
#include <errno.h>
#include <fcntl.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "../vmm/vm.h"
#include "dump.h"
#include "input.h"
#include "record.h"
#include "refresh.h"
#include "ui.h"
#include "ui_draw.h"

#define CTRL_A		0x01
#define REFRESH_NS	(1000000000ull / 60)
#define RATE_NS		1000000000ull
#define NOTE_NS		3000000000ull

struct rates {
	uint64_t at, exits, hypercalls, sectors, frames;
};

static struct {
	struct vm *vm;
	struct recorder *rec;
	SCREEN *term;
	struct ui_draw d;
	pthread_t thread;
	bool started;
	int wake[2];			/* pipe: stop and resize poke the thread */
	int stop, resized;		/* atomics */

	struct screen_frame cur, last;	/* last: what the terminal shows */
	uint64_t gen;
	bool full;			/* redraw every cell and the status line */
	bool too_small, help, prefix, stdin_ok;
	struct rates r0;
	char rate_text[128], status[256];
	char note[96];
	uint64_t note_until;
	unsigned int snapshots;
} ui;

/* For ui_emergency_restore(): all prepared before the terminal changes. */
static struct termios saved_tio;
static bool have_tio;
static char restore_seq[256];
static size_t restore_len;
static volatile sig_atomic_t term_active;

void ui_emergency_restore(void)
{
	if (!term_active)
		return;
	term_active = 0;
	if (restore_len && write(STDOUT_FILENO, restore_seq, restore_len) < 0) {
		/* nothing better to do in a dying process */
	}
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
}

static void crash_handler(int sig)
{
	ui_emergency_restore();
	/* SA_RESETHAND put the default action back; SA_NODEFER lets it through */
	raise(sig);
}

static void add_restore(const char *cap)
{
	const char *s = tigetstr(cap);

	if (!s || s == (char *)-1)
		return;
	size_t n = strlen(s);

	if (restore_len + n < sizeof(restore_seq)) {
		memcpy(restore_seq + restore_len, s, n);
		restore_len += n;
	}
}

static void install_crash_handlers(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
	struct sigaction sa = { .sa_handler = crash_handler,
				.sa_flags = SA_RESETHAND | SA_NODEFER };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static void poke(void)
{
	char c = 0;

	if (write(ui.wake[1], &c, 1) < 0 && errno != EAGAIN)
		perror("vmm: ui wake");
}

static void set_note(const char *msg)
{
	snprintf(ui.note, sizeof(ui.note), "%s", msg);
	ui.note_until = now_ns() + NOTE_NS;
}

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

static void sample_rates(struct rates *r)
{
	struct vm_stats *s = &ui.vm->stats;

	r->at = now_ns();
	/* exits counts only the guest's own (kicks apart): an idle guest shows 0 */
	r->exits = STAT_GET(s->exits);
	r->hypercalls = STAT_GET(ui.vm->hc.calls);
	r->sectors = STAT_GET(s->sectors_read) + STAT_GET(s->sectors_written);
	r->frames = STAT_GET(s->frames);
}

static void update_rates(uint64_t now)
{
	struct rates r;
	char ex[16], hc[16], sec[16], fps[16];

	if (now - ui.r0.at < RATE_NS && ui.rate_text[0])
		return;
	sample_rates(&r);
	double dt = (double)(r.at - ui.r0.at) / 1e9;

	if (dt <= 0)
		dt = 1;
	compact(ex, sizeof(ex), (double)(r.exits - ui.r0.exits) / dt);
	compact(hc, sizeof(hc), (double)(r.hypercalls - ui.r0.hypercalls) / dt);
	compact(sec, sizeof(sec), (double)(r.sectors - ui.r0.sectors) / dt);
	compact(fps, sizeof(fps), (double)(r.frames - ui.r0.frames) / dt);
	snprintf(ui.rate_text, sizeof(ui.rate_text),
		 "ex/s %s|hc/s %s|sec/s %s|fps %s", ex, hc, sec, fps);
	ui.r0 = r;
}

static const char *mode_name(int mode)
{
	return mode == VMM_MODE_PV ? "pv" : mode == VMM_MODE_EMULATED ? "emu" : "none";
}

/* The status line's text; true when it differs from what is shown. */
static bool make_status(uint64_t now)
{
	static const char *const strat[] = { "trap", "coal", "ram" };
	const struct vm_config *c = ui.vm->cfg;
	const char *hint = "^A x quit ^A h help";
	char left[192], line[256];
	int w = COLS < (int)sizeof(line) ? COLS : (int)sizeof(line) - 1;
	int hl = (int)strlen(hint);

	update_rates(now);
	if (ui.note[0] && now < ui.note_until) {
		snprintf(left, sizeof(left), " %s", ui.note);
	} else {
		char rest[160];
		int room;

		snprintf(rest, sizeof(rest), "|vga %s/%s|disk %s|%s",
			 mode_name(c->vga.mode),
			 c->vga.strategy <= VGA_RAM ? strat[c->vga.strategy] : "?",
			 mode_name(c->disk.mode), ui.rate_text);
		/* a long VM name gives way before the numbers do */
		room = w - hl - 2 - (int)strlen(rest);
		snprintf(left, sizeof(left), " %.*s%s", room > 0 ? room : 0, c->name, rest);
	}
	int ll = (int)strlen(left);

	/* the quit hint always shows; the left part gives way */
	if (ll > w - hl - 1)
		ll = w - hl - 1 > 0 ? w - hl - 1 : 0;
	snprintf(line, sizeof(line), "%.*s%*s", ll, left, w - ll, hint);
	if (!strcmp(line, ui.status))
		return false;
	strcpy(ui.status, line);
	return true;
}

static void check_size(void)
{
	bool small = LINES < UI_MIN_ROWS || COLS < UI_MIN_COLS;

	if (small)
		draw_too_small(LINES, COLS);
	else if (ui.too_small)
		erase();
	ui.too_small = small;
	ui.full = true;
}

static void handle_resize(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resize_term(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	check_size();
	if (ui.too_small)
		refresh();
}

static void tick(uint64_t now)
{
	bool changed = screen_refresh(ui.vm, &ui.gen, &ui.cur);
	bool draw = false;

	if (changed && ui.rec)
		record_frame(ui.rec, &ui.cur);
	if (ui.too_small)
		return;
	if (make_status(now) || ui.full) {
		draw_status(&ui.d, ui.status);
		draw = true;
	}
	if (changed || ui.full) {
		draw_cells(&ui.d, &ui.cur, ui.full ? NULL : &ui.last);
		ui.last = ui.cur;
		STAT_INC(ui.vm->stats.frames);
		if (ui.help)
			draw_help(&ui.d);
		draw = true;
	}
	ui.full = false;
	if (draw) {
		draw_cursor(&ui.d, &ui.last, ui.help);
		refresh();
		draw_rgb(&ui.d, &ui.last);
	}
}

static void save_snapshot(void)
{
	struct screen_frame f;
	char name[64], msg[96];
	int fd = -1;

	for (unsigned int tries = 0; fd < 0 && tries < 1000; tries++) {
		snprintf(name, sizeof(name), "%s-screen-%u.txt", ui.vm->cfg->name,
			 ++ui.snapshots);
		fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!out) {
		/* the sandbox refuses every open after set-up, by design */
		snprintf(msg, sizeof(msg), "cannot save the screen: %s%s", strerror(errno),
			 errno == EACCES ? " (the sandbox: use --no-sandbox)" : "");
		if (fd >= 0)
			close(fd);
	} else {
		vm_sync_locked(ui.vm);
		screen_snapshot(&ui.vm->screen, &f);
		dump_frame(&f, DUMP_TEXT, true, out);
		snprintf(msg, sizeof(msg), fclose(out) ? "cannot save %s" : "saved %s", name);
	}
	set_note(msg);
}

static void prefixed_key(bool keycode, wint_t k)
{
	if (keycode) {
		set_note("unknown Ctrl-A command; Ctrl-A h shows the keys");
		return;
	}
	switch (k) {
	case 'x': case 'X':
		vm_stop(ui.vm, STOP_USER, 0, "quit from the terminal (Ctrl-A x)");
		break;
	case 'h': case 'H': case '?':
		ui.help = true;
		ui.full = true;
		break;
	case 's': case 'S':
		save_snapshot();
		break;
	case CTRL_A:
		input_key(ui.vm, false, CTRL_A);
		break;
	default:
		set_note("unknown Ctrl-A command; Ctrl-A h shows the keys");
	}
}

static void handle_key(bool keycode, wint_t k)
{
	bool ctrl_a = !keycode && k == CTRL_A;

	if (keycode && k == KEY_RESIZE)
		return;			/* sizes come through ui_resize() */
	if (ui.help && !ui.prefix) {
		ui.help = false;	/* any key closes the help and is eaten */
		ui.full = true;
		if (!ctrl_a)
			return;
	}
	if (ui.prefix) {
		ui.prefix = false;
		ui.note_until = 0;
		prefixed_key(keycode, k);
	} else if (ctrl_a) {
		ui.prefix = true;
		set_note("Ctrl-A: x quit, h help, s save screen, Ctrl-A send Ctrl-A");
	} else {
		input_key(ui.vm, keycode, (unsigned int)k);
	}
}

static void read_keys(void)
{
	wint_t k;
	int r;

	while ((r = get_wch(&k)) != ERR)
		handle_key(r == KEY_CODE_YES, k);
}

static void *ui_main(void *arg)
{
	uint64_t next = now_ns();

	(void)arg;
	sample_rates(&ui.r0);
	check_size();
	if (ui.too_small)
		refresh();
	while (!__atomic_load_n(&ui.stop, __ATOMIC_ACQUIRE)) {
		uint64_t now = now_ns();

		if (now >= next) {
			tick(now);
			next += REFRESH_NS;
			if (next <= now)
				next = now + REFRESH_NS;	/* late: skip, do not burst */
		}
		now = now_ns();
		struct pollfd p[2] = {
			{ .fd = ui.wake[0], .events = POLLIN },
			{ .fd = STDIN_FILENO, .events = POLLIN },
		};
		int ms = next > now ? (int)((next - now + 999999) / 1000000) : 0;

		if (poll(p, ui.stdin_ok ? 2 : 1, ms) > 0) {
			char buf[64];

			if (p[0].revents & POLLIN)
				while (read(ui.wake[0], buf, sizeof(buf)) > 0)
					;
			if (p[1].revents & POLLIN)
				read_keys();
			else if (p[1].revents & (POLLHUP | POLLERR | POLLNVAL))
				ui.stdin_ok = false;	/* the terminal went away */
		}
		if (__atomic_exchange_n(&ui.resized, 0, __ATOMIC_ACQ_REL))
			handle_resize();
	}
	return NULL;
}

int ui_start(struct vm *vm, struct recorder *rec)
{
	memset(&ui, 0, sizeof(ui));
	ui.vm = vm;
	ui.rec = rec;
	ui.gen = UINT64_MAX;
	ui.stdin_ok = true;
	have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
	ui.term = newterm(NULL, stdout, stdin);
	if (!ui.term) {
		const char *t = getenv("TERM");

		fprintf(stderr, "vmm: cannot drive terminal type '%s'; try --headless\n",
			t ? t : "(unset)");
		return -1;
	}
	restore_len = 0;
	add_restore("sgr0");
	add_restore("cnorm");
	add_restore("rmkx");
	add_restore("rmcup");
	term_active = 1;
	install_crash_handlers();
	raw();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	draw_init(&ui.d);
	if (pipe2(ui.wake, O_CLOEXEC | O_NONBLOCK)) {
		perror("vmm: pipe");
		goto fail;
	}
	if (pthread_create(&ui.thread, NULL, ui_main, NULL)) {
		fprintf(stderr, "vmm: cannot start the UI thread\n");
		close(ui.wake[0]);
		close(ui.wake[1]);
		goto fail;
	}
	pthread_setname_np(ui.thread, "vmm-ui");
	ui.started = true;
	return 0;
fail:
	endwin();
	delscreen(ui.term);
	term_active = 0;
	return -1;
}

void ui_stop(void)
{
	if (!ui.started)
		return;
	__atomic_store_n(&ui.stop, 1, __ATOMIC_RELEASE);
	poke();
	pthread_join(ui.thread, NULL);
	ui.started = false;
	curs_set(1);
	endwin();
	delscreen(ui.term);
	term_active = 0;
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	close(ui.wake[0]);
	close(ui.wake[1]);
}

void ui_resize(void)
{
	if (!ui.started)
		return;
	__atomic_store_n(&ui.resized, 1, __ATOMIC_RELEASE);
	poke();
}
