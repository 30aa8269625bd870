// SPDX-License-Identifier: MIT
/*
 * The UI thread owns ncurses between ui_start() and ui_stop(): it wakes at
 * 60 Hz (or on a key, a resize or stop), brings the cell buffer up to date,
 * and draws only when something it shows changed, so an idle guest costs
 * one lock and compare per tick and sends no bytes.  Signals are blocked in
 * every thread; the main thread reads them and calls ui_resize()/ui_stop().
 * Crashes (SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL) restore the terminal
 * from saved termios and terminfo strings before the default action.
 * What goes where is tui/ui_frame.c's; this file has the thread, the
 * keys, the notes and the terminal's set-up and restore.
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
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "../vmm/snapshot/snapshot.h"
#include "../vmm/vm.h"
#include "console.h"
#include "dump.h"
#include "input.h"
#include "refresh.h"
#include "serial_out.h"
#include "ui.h"
#include "ui_frame.h"

#define CTRL_A		0x01
#define REFRESH_NS	(1000000000ull / 60)
#define NOTE_NS		3000000000ull
#define CONSOLE_LINES	2000

static struct {
	struct vm *vm;
	struct recorder *rec;
	struct serial_out *sout;	/* COM1's writer: its sink feeds the console */
	SCREEN *term;
	pthread_t thread;
	bool started;
	int wake[2];			/* pipe: stop, resize and linger poke the thread */
	int done[2];			/* pipe: a key ends ui_linger() */
	int stop, resized, repaint, lingering;	/* atomics */
	int stdin_ok;			/* atomic: written by the thread */

	struct ui_frame f;
	struct console *con;
	bool help, prefix;
	char note[96];
	uint64_t note_until;
	char exit_text[160];
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

static bool lingering(void)
{
	return __atomic_load_n(&ui.lingering, __ATOMIC_ACQUIRE);
}

/* What the status line says instead of the numbers, if anything. */
static const char *current_note(uint64_t now)
{
	static char label[sizeof(ui.note) + sizeof(ui.exit_text)];
	const char *note = NULL;

	static char gfx[sizeof(ui.vm->screen.f.graphics) + 48];
	char mode[sizeof(ui.vm->screen.f.graphics)];

	if (ui.prefix)
		note = lingering() ?
		       "^A: x close, c console, h help, t status, s save, arrows" :
		       "^A: x quit, h help, c console, t status, s save, w snapshot, m migrate";
	else if (ui.note[0] && now < ui.note_until)
		note = ui.note;
	else if (lingering())
		note = ui.exit_text;
	/* the cells are the last text screen: say the guest draws pixels now */
	else if (screen_graphics(&ui.vm->screen, mode, sizeof(mode)) &&
		 snprintf(gfx, sizeof(gfx), "VGA graphics mode %s: not shown", mode) > 0)
		note = gfx;
	if (ui.f.view == VIEW_SCREEN || ui.prefix)
		return note;
	/* the console's status line always says which view this is */
	snprintf(label, sizeof(label), "COM1|%s",
		 note ? note : "serial console; Ctrl-A c: the screen");
	return label;
}

static void handle_resize(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resize_term(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	frame_relayout(&ui.f, true);
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

/* Ctrl-A w: the main thread writes NAME-N.snap; the screen waits that long. */
static void save_vm(void)
{
	char msg[sizeof(ui.note)];

	if (lingering()) {
		set_note("no snapshot: the VM has stopped");
		return;
	}
	snap_request(ui.vm, NULL, false, msg, sizeof(msg));
	set_note(msg);
}

/* Ctrl-A m: to a vmm --incoming unix:NAME.sock beside the config. */
static void migrate_vm(void)
{
	char msg[sizeof(ui.note)];

	if (lingering()) {
		set_note("no migration: the VM has stopped");
		return;
	}
	set_note("migrating...");
	snap_migrate_request(ui.vm, NULL, msg, sizeof(msg));
	set_note(msg);
}

static void end_linger(void)
{
	char c = 0;

	if (write(ui.done[1], &c, 1) < 0 && errno != EAGAIN)
		perror("vmm: ui linger");
}

static void toggle_console(void)
{
	if (!frame_toggle_view(&ui.f)) {
		set_note("no serial console: out of memory");
		return;
	}
	/* as QEMU's serial console: what is typed there goes to COM1 */
	input_route(ui.f.view == VIEW_SCREEN, ui.f.view == VIEW_CONSOLE);
}

/*
 * Ctrl-A and a key that means nothing: said, never swallowed silently (the
 * key does not go to the guest either: Ctrl-A Ctrl-A sends a Ctrl-A).
 */
static void not_a_command(bool keycode, wint_t k)
{
	char key[40], msg[sizeof(ui.note)];
	const char *name = keycode ? keyname((int)k) : NULL;

	if (keycode)
		snprintf(key, sizeof(key), "%s", name ? name + (strncmp(name, "KEY_", 4) ? 0 : 4) :
			 "that key");
	else if (k < 0x20)
		snprintf(key, sizeof(key), "Ctrl-%c", (char)(k + '@'));
	else if (k < 0x7f)
		snprintf(key, sizeof(key), "%c", (char)k);
	else
		snprintf(key, sizeof(key), "%lc", (wint_t)k);
	snprintf(msg, sizeof(msg), "Ctrl-A %s: not a command (Ctrl-A h for help)", key);
	set_note(msg);
}

static void scroll_key(wint_t k)
{
	int r = frame_scroll_key(&ui.f, (int)k);

	if (r < 0)
		not_a_command(true, k);
	else if (r == 0)
		set_note(ui.f.tag[0] ? "nothing more that way" : "everything is in view");
}

static void send_key(bool keycode, wint_t k)
{
	frame_release(&ui.f);
	if (!input_key(ui.vm, keycode, (unsigned int)k))
		set_note(ui.f.view == VIEW_CONSOLE ?
			 "key not sent: the guest does not read COM1" :
			 "key not sent: the guest does not read its keyboard");
}

static void prefixed_key(bool keycode, wint_t k)
{
	if (keycode) {
		scroll_key(k);
		return;
	}
	switch (k) {
	case 'x': case 'X':
		if (lingering()) {
			end_linger();
			break;
		}
		vm_stop(ui.vm, STOP_USER, 0, "quit from the terminal (Ctrl-A x)");
		break;
	case 'h': case 'H': case '?':
		ui.help = true;
		ui.f.full = true;
		break;
	case 's': case 'S':
		save_snapshot();
		break;
	case 'w': case 'W':
		save_vm();
		break;
	case 'm': case 'M':
		migrate_vm();
		break;
	case 'c': case 'C':
		toggle_console();
		break;
	case 't': case 'T':
		ui.f.status_toggled = !ui.f.status_toggled;
		break;
	case CTRL_A:
		if (!lingering())
			send_key(false, CTRL_A);
		break;
	default:
		not_a_command(false, k);
	}
}

static void handle_key(bool keycode, wint_t k)
{
	bool ctrl_a = !keycode && k == CTRL_A;

	if (keycode && k == KEY_RESIZE)
		return;			/* sizes come through ui_resize() */
	if (ui.help && !ui.prefix) {
		ui.help = false;	/* any key closes the help and is eaten */
		ui.f.full = true;
		if (!ctrl_a)
			return;
	}
	if (ui.prefix) {
		ui.prefix = false;
		prefixed_key(keycode, k);
	} else if (ctrl_a) {
		ui.prefix = true;
	} else if (lingering()) {
		end_linger();
	} else {
		send_key(keycode, k);
	}
}

static void read_keys(void)
{
	wint_t k;
	int r;

	while ((r = get_wch(&k)) != ERR)
		handle_key(r == KEY_CODE_YES, k);
}

/* Sleeps until the next frame is due, a key, or a poke; handles them. */
static void wait_events(uint64_t next)
{
	uint64_t now = now_ns();
	struct pollfd p[2] = {
		{ .fd = ui.wake[0], .events = POLLIN },
		{ .fd = STDIN_FILENO, .events = POLLIN },
	};
	int ms = next > now ? (int)((next - now + 999999) / 1000000) : 0;
	bool in_ok = __atomic_load_n(&ui.stdin_ok, __ATOMIC_RELAXED);

	if (poll(p, in_ok ? 2 : 1, ms) > 0) {
		char buf[64];

		if (p[0].revents & POLLIN)
			while (read(ui.wake[0], buf, sizeof(buf)) > 0)
				;
		if (p[1].revents & POLLIN) {
			read_keys();
		} else if (p[1].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			/* the terminal went away: nobody is left to press a key */
			__atomic_store_n(&ui.stdin_ok, 0, __ATOMIC_RELAXED);
			end_linger();
		}
	}
	if (__atomic_exchange_n(&ui.resized, 0, __ATOMIC_ACQ_REL))
		handle_resize();
	if (__atomic_exchange_n(&ui.repaint, 0, __ATOMIC_ACQ_REL)) {
		/*
		 * Someone else wrote to the terminal (a crash report on
		 * stderr) and moved the cursor behind ncurses' back: leave
		 * and resume, which repaints all from scratch.
		 */
		endwin();
		frame_relayout(&ui.f, true);
	}
}

static void *ui_main(void *arg)
{
	uint64_t next = now_ns();

	(void)arg;
	frame_init(&ui.f, ui.vm, ui.rec, ui.con);
	/* no row for the status line: say once how to reach vmm */
	if (!layout_status_fits(LINES))
		set_note("Ctrl-A h: help, Ctrl-A x: quit");
	while (!__atomic_load_n(&ui.stop, __ATOMIC_ACQUIRE)) {
		uint64_t now = now_ns();

		if (now >= next) {
			if (lingering())
				ui.f.status_pinned = true;
			frame_tick(&ui.f, now, current_note(now), ui.help);
			next += REFRESH_NS;
			if (next <= now)
				next = now + REFRESH_NS;	/* late: skip, do not burst */
		}
		wait_events(next);
	}
	return NULL;
}

int ui_check_terminal(void)
{
	const char *t = getenv("TERM");
	const char *cup;
	int err = 0;

	if (!t || !*t) {
		fprintf(stderr, "vmm: TERM is not set, so the terminal UI cannot draw: "
			"set it (e.g. TERM=xterm-256color) or use --headless\n");
		return -1;
	}
	if (setupterm(t, STDOUT_FILENO, &err) != OK) {
		fprintf(stderr, "vmm: terminal type '%s' is not in the terminfo database: "
			"run with TERM=xterm-256color (or install its entry), or use --headless\n",
			t);
		return -1;
	}
	cup = tigetstr("cup");
	del_curterm(cur_term);
	if (!cup || cup == (char *)-1) {
		fprintf(stderr, "vmm: terminal type '%s' cannot move the cursor: "
			"run with TERM=xterm-256color, or use --headless\n", t);
		return -1;
	}
	return 0;
}

static void close_pipes(void)
{
	for (int i = 0; i < 2; i++) {
		if (ui.wake[i] >= 0)
			close(ui.wake[i]);
		if (ui.done[i] >= 0)
			close(ui.done[i]);
		ui.wake[i] = ui.done[i] = -1;
	}
}

/* Everything ncurses does not do: the pipes and the console. */
static int prepare(struct vm *vm)
{
	ui.wake[0] = ui.wake[1] = ui.done[0] = ui.done[1] = -1;
	if (pipe2(ui.wake, O_CLOEXEC | O_NONBLOCK) || pipe2(ui.done, O_CLOEXEC | O_NONBLOCK)) {
		perror("vmm: pipe");
		close_pipes();
		return -1;
	}
	/* no console is no reason to refuse the UI: Ctrl-A c says so */
	ui.con = console_create(CONSOLE_LINES, SCREEN_COLS);
	if (ui.con)
		serial_out_set_sink(ui.sout, console_sink, ui.con);
	return 0;
}

static void unprepare(void)
{
	serial_out_set_sink(ui.sout, NULL, NULL);
	console_destroy(ui.con);
	ui.con = NULL;
	close_pipes();
}

int ui_start(struct vm *vm, struct recorder *rec, struct serial_out *sout)
{
	memset(&ui, 0, sizeof(ui));
	ui.vm = vm;
	ui.rec = rec;
	ui.sout = sout;
	ui.stdin_ok = 1;
	if (prepare(vm))
		return -1;
	have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
	ui.term = newterm(NULL, stdout, stdin);
	if (!ui.term) {
		const char *t = getenv("TERM");

		fprintf(stderr, "vmm: cannot drive terminal type '%s'; try --headless\n",
			t ? t : "(unset)");
		unprepare();
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
	if (pthread_create(&ui.thread, NULL, ui_main, NULL)) {
		fprintf(stderr, "vmm: cannot start the UI thread\n");
		endwin();
		delscreen(ui.term);
		term_active = 0;
		unprepare();
		return -1;
	}
	pthread_setname_np(ui.thread, "vmm-ui");
	ui.started = true;
	return 0;
}

void ui_linger(int sig_fd)
{
	struct vm *vm = ui.vm;

	if (!ui.started || !__atomic_load_n(&ui.stdin_ok, __ATOMIC_RELAXED))
		return;
	/* only an end the user did not ask for: not Ctrl-A x, a signal, --timeout */
	switch (vm->stop_by) {
	case STOP_CRASH:
		snprintf(ui.exit_text, sizeof(ui.exit_text),
			 "guest crashed: press a key to close (%.100s)", vm->exit_note);
		break;
	case STOP_GUEST:
	case STOP_HALT:
		snprintf(ui.exit_text, sizeof(ui.exit_text),
			 "guest exited with status %d: press a key to close", vm->exit_status);
		break;
	default:
		return;
	}
	__atomic_store_n(&ui.lingering, 1, __ATOMIC_RELEASE);
	/* the crash report on stderr went over the screen */
	if (vm->stop_by == STOP_CRASH)
		__atomic_store_n(&ui.repaint, 1, __ATOMIC_RELEASE);
	poke();
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = sig_fd, .events = POLLIN },
			{ .fd = ui.done[0], .events = POLLIN },
		};
		struct signalfd_siginfo si;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN) || read(sig_fd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGWINCH)
			ui_resize();
		else if (si.ssi_signo != SIGUSR1)
			break;	/* SIGINT, SIGTERM, SIGHUP: close, as a key would */
	}
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
	unprepare();
}

void ui_resize(void)
{
	if (!ui.started)
		return;
	__atomic_store_n(&ui.resized, 1, __ATOMIC_RELEASE);
	poke();
}
