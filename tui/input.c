// SPDX-License-Identifier: MIT
/*
 * Host keys to the guest: keymap.c turns them into scancodes for the 8042
 * and bytes for COM1; this file moves them there, waits for room, runs
 * --keys scripts and reads stdin in headless mode on a feeder thread.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../devices/i8042.h"
#include "../devices/serial.h"
#include "../devices/table.h"
#include "../vmm/snapshot/snapshot.h"
#include "../vmm/vm.h"
#include "input.h"
#include "keymap.h"
#include "script.h"

#define ALT_WINDOW_NS	30000000ull	/* ESC then a key this soon: Alt+key */
#define STALL_NS	2000000000ull	/* guest read nothing for this long: drop */
#define RETRY_MS	2
#define SCRIPT_MAX	(1 << 20)

enum sink { SINK_KBD, SINK_SERIAL };

static struct {
	pthread_mutex_t lock;		/* the ESC state; taken before io_lock */
	bool to_kbd, to_serial;
	bool esc_pending;
	uint64_t esc_ns;
	/* the feeder thread */
	pthread_t thread;
	bool started;
	struct script script;
	bool read_stdin;
	unsigned int until_s;		/* {until:} bound; 0: --timeout's */
	/* per sink: a stall was reported; when the guest reads again */
	bool warned[2], stalled[2];
	uint64_t stall_mark[2];
	size_t dropped[2];
} in = { .lock = PTHREAD_MUTEX_INITIALIZER, .to_kbd = true };

void input_route(bool keyboard, bool serial)
{
	__atomic_store_n(&in.to_kbd, keyboard, __ATOMIC_RELAXED);
	__atomic_store_n(&in.to_serial, serial, __ATOMIC_RELAXED);
}

static void pause_ms(struct vm *vm, int ms)
{
	struct pollfd p = { .fd = vm->wake_fd, .events = POLLIN };

	if (poll(&p, vm->wake_fd >= 0 ? 1 : 0, ms) < 0 && errno != EINTR)
		usleep((useconds_t)ms * 1000);
}

static void report_drop(enum sink sk, size_t n, const char *why)
{
	in.dropped[sk] += n;
	/* once per sink and run: enough to explain, not a flood */
	if (in.warned[sk])
		return;
	in.warned[sk] = true;
	fprintf(stderr, "vmm: %s: input dropped: %s\n",
		sk == SINK_KBD ? "keyboard" : "COM1", why);
}

/*
 * Hands n bytes to a sink (a keyboard key is all or nothing).  With wait,
 * keeps trying while the guest reads; gives up when it has read nothing
 * for STALL_NS, and from then on does not wait for that sink again until
 * the guest reads from it.  Keys for a keyboard the guest never enabled
 * wait in its queue (type-ahead) until that is full.
 */
static bool push(struct vm *vm, enum sink sk, const uint8_t *b, size_t n, bool wait,
		 bool optional)
{
	struct i8042 *kbd = vm_device(vm, &i8042_device);
	struct serial *com1 = vm_device(vm, &serial_device);
	size_t done = 0;
	uint64_t mark = ~0ull, since = now_ns();
	const char *why = NULL;

	for (;;) {
		uint64_t consumed = 0;

		pthread_mutex_lock(&vm->io_lock);
		if (sk == SINK_KBD && kbd) {
			if (i8042_push(kbd, b, n))
				done = n;
			consumed = kbd->bytes_read;
			if (!kbd->opened)
				why = "the guest has not enabled its keyboard";
		} else if (sk == SINK_SERIAL && com1 && serial_rx_ready(com1)) {
			done += serial_receive(com1, b + done, n - done);
			consumed = com1->rx_bytes - com1->rx_len;
		} else {
			why = sk == SINK_KBD ? "no keyboard" :
				"the guest has not opened COM1 (DTR or RTS is low)";
		}
		pthread_mutex_unlock(&vm->io_lock);
		if (done == n) {
			if (wait)	/* the stall state belongs to the feeder */
				in.stalled[sk] = false;
			return true;
		}
		if (!wait || vm_stopping(vm))
			return false;
		/* a closed sink the key also went past (COM1 beside the keyboard) */
		if (why && optional && done == 0)
			return false;
		if (why || (in.stalled[sk] && consumed == in.stall_mark[sk]))
			break;
		uint64_t t = now_ns();

		if (consumed != mark) {
			mark = consumed;
			since = t;
		} else if (t - since > STALL_NS) {
			why = "the guest stopped reading its input";
			in.stalled[sk] = true;
			in.stall_mark[sk] = consumed;
			break;
		}
		pause_ms(vm, RETRY_MS);
	}
	report_drop(sk, n - done, why ? why : "the guest stopped reading its input");
	return false;
}

/* One key; raw is what the terminal sent for it (COM1 gets that as is). */
static bool deliver(struct vm *vm, const struct km_key *k, const uint8_t *raw,
		    size_t raw_n, bool wait)
{
	uint8_t sc[KM_MAX_SCAN], ser[KM_MAX_SERIAL];
	bool ok = true, kbd_took = false;

	if (__atomic_load_n(&in.to_kbd, __ATOMIC_RELAXED) && k->key) {
		size_t n = keymap_scancodes(k, sc);

		if (n)
			ok &= kbd_took = push(vm, SINK_KBD, sc, n, wait, false);
	}
	if (__atomic_load_n(&in.to_serial, __ATOMIC_RELAXED)) {
		if (!raw) {
			raw_n = keymap_serial(k, ser);
			raw = ser;
		}
		/*
		 * Headless, a key goes to both; a guest reads one of them, so
		 * a COM1 it never opened is no loss when the keyboard took it.
		 */
		if (raw_n)
			ok &= push(vm, SINK_SERIAL, raw, raw_n, wait, kbd_took);
	}
	return ok;
}

static void send_esc(struct vm *vm)
{
	struct km_key esc = { .key = 0x1b };

	deliver(vm, &esc, NULL, 0, false);
}

bool input_key(struct vm *vm, bool is_keycode, unsigned int key)
{
	struct km_key k = { .is_keycode = is_keycode, .key = key };
	uint64_t t = now_ns();
	bool ok = true;

	pthread_mutex_lock(&in.lock);
	if (in.esc_pending) {
		in.esc_pending = false;
		if (!is_keycode && key >= 0x20 && key != 0x7f &&
		    t - in.esc_ns < ALT_WINDOW_NS)
			k.mods |= KM_ALT;
		else
			send_esc(vm);
	}
	if (!is_keycode && key == 0x1b && !k.mods) {
		in.esc_pending = true;
		in.esc_ns = t;
	} else {
		ok = deliver(vm, &k, NULL, 0, false);
	}
	pthread_mutex_unlock(&in.lock);
	return ok;
}

void input_tick(struct vm *vm)
{
	pthread_mutex_lock(&in.lock);
	if (in.esc_pending && now_ns() - in.esc_ns >= ALT_WINDOW_NS) {
		in.esc_pending = false;
		send_esc(vm);
	}
	pthread_mutex_unlock(&in.lock);
}

/* Decodes and delivers whole keys; returns the bytes used. */
static size_t feed(struct vm *vm, const uint8_t *buf, size_t n, bool final)
{
	size_t off = 0;

	while (off < n && !vm_stopping(vm)) {
		struct km_key k;
		size_t used = keymap_decode(buf + off, n - off, final, &k);

		if (!used)
			break;
		deliver(vm, &k, buf + off, used, true);
		off += used;
	}
	return off;
}

/* The screen's text, rows joined by newlines, non-ASCII as '.'. */
static bool screen_shows(struct vm *vm, const char *text)
{
	static struct screen_frame f;
	static char s[SCREEN_ROWS * (SCREEN_COLS + 1) + 1];
	size_t n = 0;

	vm_sync_locked(vm);
	screen_snapshot(&vm->screen, &f);
	for (int r = 0; r < SCREEN_ROWS; r++) {
		for (int c = 0; c < SCREEN_COLS; c++) {
			uint8_t ch = (uint8_t)f.cells[r * SCREEN_COLS + c];

			s[n++] = ch >= 0x20 && ch < 0x7f ? (char)ch : ch ? '.' : ' ';
		}
		s[n++] = '\n';
	}
	s[n] = 0;
	return strstr(s, text) != NULL;
}

/*
 * Before the first key: COM1 opened by the guest (DTR and RTS up) when it gets
 * input, or else the keyboard enabled by the guest's driver.
 */
static void wait_for_sink(struct vm *vm)
{
	struct i8042 *kbd = vm_device(vm, &i8042_device);
	struct serial *com1 = vm_device(vm, &serial_device);

	while (!vm_stopping(vm)) {
		bool ready;

		pthread_mutex_lock(&vm->io_lock);
		ready = (kbd && kbd->opened) || (com1 && serial_rx_ready(com1)) ||
			!__atomic_load_n(&in.to_serial, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&vm->io_lock);
		if (ready)
			return;
		pause_ms(vm, 5);
	}
}

/*
 * {save:FILE}: the main thread takes the snapshot while this thread waits,
 * so the keys after it reach the guest only once it is written.  A failed
 * {save-and-quit:} stops the VM all the same, with an error status: a
 * script that meant to end there must not go on silently.
 */
static void save_step(struct vm *vm, const struct step *st)
{
	char msg[300];
	int r = snap_request(vm, st->text, st->quit, msg, sizeof(msg));

	if (r)
		fprintf(stderr, "vmm: --keys: %s\n", msg);
	else if (vm->verbose)
		fprintf(stderr, "vmm: %s\n", msg);
	if (r && st->quit)
		vm_stop(vm, STOP_ERROR, VMM_EXIT_SETUP, "--keys {save-and-quit:%s}: %s",
			st->text, msg);
}

/* {migrate:TARGET}: a failed one leaves the VM running here; say why. */
static void migrate_step(struct vm *vm, const struct step *st)
{
	char msg[400];

	if (snap_migrate_request(vm, st->text, msg, sizeof(msg)) || vm->verbose)
		fprintf(stderr, "vmm: %s\n", msg);
}

static void run_script(struct vm *vm)
{
	for (size_t i = 0; i < in.script.n && !vm_stopping(vm); i++) {
		struct step *st = &in.script.steps[i];
		uint64_t end;

		switch (st->kind) {
		case STEP_TEXT:
			feed(vm, (const uint8_t *)st->text, st->len, true);
			break;
		case STEP_KEY:
			deliver(vm, &st->key, NULL, 0, true);
			break;
		case STEP_WAIT:
			end = now_ns() + st->ms * 1000000ull;
			while (!vm_stopping(vm) && now_ns() < end) {
				uint64_t left = (end - now_ns()) / 1000000 + 1;

				pause_ms(vm, left > 100 ? 100 : (int)left);
			}
			break;
		case STEP_UNTIL:
			end = now_ns() + in.until_s * 1000000000ull;
			while (!vm_stopping(vm) && !screen_shows(vm, st->text)) {
				if (in.until_s && now_ns() > end) {
					vm_stop(vm, STOP_TIMEOUT, VMM_EXIT_TIMEOUT,
						"--keys: '%s' did not show on the screen within %u s",
						st->text, in.until_s);
					return;
				}
				pause_ms(vm, 10);
			}
			break;
		case STEP_SAVE:
			save_step(vm, st);
			break;
		case STEP_MIGRATE:
			migrate_step(vm, st);
			break;
		}
		stats_step(&vm->stats, "kkwusm"[st->kind]);
	}
}

static void read_stdin(struct vm *vm)
{
	uint8_t buf[512];
	size_t have = 0;

	while (!vm_stopping(vm)) {
		struct pollfd p[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = vm->wake_fd, .events = POLLIN },
		};
		/* a partial escape sequence: wait a moment for the rest */
		int r = poll(p, 2, have ? 30 : -1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || vm_stopping(vm))
			break;
		if (r == 0) {
			feed(vm, buf, have, true);
			have = 0;
			continue;
		}
		if (p[0].revents & POLLNVAL)
			break;
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t got = read(STDIN_FILENO, buf + have, sizeof(buf) - have);

		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0) {
			/* end of input: the guest runs on without it */
			feed(vm, buf, have, true);
			break;
		}
		have += (size_t)got;
		size_t used = feed(vm, buf, have, have == sizeof(buf));

		memmove(buf, buf + used, have - used);
		have -= used;
	}
}

static void *feeder(void *arg)
{
	struct vm *vm = arg;

	wait_for_sink(vm);
	run_script(vm);
	if (in.read_stdin)
		read_stdin(vm);
	return NULL;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;

	if (!f) {
		fprintf(stderr, "vmm: --keys-file %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf = malloc(SCRIPT_MAX);
	if (buf) {
		*len = fread(buf, 1, SCRIPT_MAX, f);
		if (ferror(f) || *len == SCRIPT_MAX) {
			fprintf(stderr, "vmm: --keys-file %s: %s\n", path,
				ferror(f) ? strerror(errno) : "larger than 1 MiB");
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

static int parse(const char *what, const char *src, size_t len)
{
	struct script s;
	char err[160];

	if (script_parse(src, len, &s, err, sizeof(err))) {
		fprintf(stderr, "vmm: %s: %s\n", what, err);
		return -1;
	}
	/* --keys and --keys-file run one after the other */
	struct step *n = realloc(in.script.steps,
				 (in.script.n + s.n + 1) * sizeof(*n));

	if (!n) {
		script_free(&s);
		return -1;
	}
	in.script.steps = n;
	memcpy(n + in.script.n, s.steps, s.n * sizeof(*n));
	in.script.n += s.n;
	free(s.steps);
	return 0;
}

/*
 * The sandbox allows no open() and no new socket later: the folders of
 * {save:} files and a socket for each {migrate:} now.
 */
static int open_save_dirs(struct vm *vm)
{
	for (size_t i = 0; i < in.script.n; i++) {
		const struct step *st = &in.script.steps[i];

		if ((st->kind == STEP_SAVE && snap_add_dir(vm, st->text)) ||
		    (st->kind == STEP_MIGRATE && snap_migrate_prepare(vm, st->text)))
			return -1;
	}
	return 0;
}

int input_parse(const struct input_opts *o)
{
	if (o->keys && parse("--keys", o->keys, strlen(o->keys)))
		return -1;
	if (o->keys_file) {
		size_t len = 0;
		char *src = read_file(o->keys_file, &len);

		if (!src || parse("--keys-file", src, len)) {
			free(src);
			return -1;
		}
		free(src);
	}
	return 0;
}

void input_discard(void)
{
	if (!in.started)
		script_free(&in.script);
}

/* The sandbox allows no open() and no new socket later: see open_save_dirs(). */
int input_prepare(struct vm *vm)
{
	return open_save_dirs(vm);
}

int input_start(struct vm *vm, const struct input_opts *o)
{
	in.read_stdin = o->read_stdin;
	in.until_s = o->until_s;
	if (!in.script.n && !in.read_stdin)
		return 0;
	int e = pthread_create(&in.thread, NULL, feeder, vm);

	if (e) {
		fprintf(stderr, "vmm: cannot start the input thread: %s\n", strerror(e));
		return -1;
	}
	in.started = true;
	return 0;
}

void input_stop(struct vm *vm)
{
	(void)vm;
	if (in.started)
		pthread_join(in.thread, NULL);
	in.started = false;
	for (int i = 0; i < 2; i++)
		if (in.dropped[i])
			fprintf(stderr, "vmm: %s: %zu input %s dropped in all\n",
				i == SINK_KBD ? "keyboard" : "COM1", in.dropped[i],
				i == SINK_KBD ? "scancode bytes" : "bytes");
	memset(in.dropped, 0, sizeof(in.dropped));
	script_free(&in.script);
}
