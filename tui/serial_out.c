// SPDX-License-Identifier: MIT
/*
 * The serial writer thread.  Each round it takes what the UART queued
 * (under io_lock, a copy and nothing more), gives it to the sink, filters
 * it for a terminal and writes it without blocking, waiting in poll() for
 * the output to take more or for the UART's "a line is ready" eventfd.
 *
 * The output fd must not block, yet stdout is shared with the shell that
 * started vmm (O_NONBLOCK on it would reach the shell and, on a terminal,
 * vmm's own stdin).  So vmm opens its own description of the same pipe,
 * FIFO or terminal through /proc/self/fd/1 and makes that one
 * non-blocking.  Regular files never block for long and are written as
 * they are.  Where reopening fails (a socket) the fd stays blocking and is
 * written PIPE_BUF bytes at a time after poll() reports room, which a
 * pipe or socket then takes without waiting.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../devices/serial.h"
#include "../vmm/snapshot/snapshot.h"
#include "../vmm/vm.h"
#include "serial_out.h"
#include "term_filter.h"

#define TICK_MS		20	/* a line without its newline waits this long */
#define RETRY_MS	10	/* after a write refused what poll() offered */

struct serial_out {
	int fd;			/* -1: only the sink sees the bytes */
	bool own_fd, to_stdout, blocking, regular, filter;
	bool tui;		/* the UI may offer a sink at any time */
	struct term_filter tf;
	pthread_mutex_t sink_lock;	/* held while the sink runs */
	serial_out_sink sink;
	void *sink_opaque;
	struct vm *vm;
	struct serial *uart;
	int wake_fd;		/* eventfd: the UART has a line, or finish */
	int done_fd;		/* eventfd: the thread wrote everything */
	pthread_t thread;
	bool started, finished;
	/* atomics: set by serial_out_finish(), read by the thread */
	bool finishing, giving_up;
	uint64_t written;	/* atomic: bytes the output took */
	FILE *tail_file;
	char *tail;
	size_t tail_len;
	int stage;		/* at the finish: 0 held bytes, 1 separator, 2 tail */
	char last;		/* the last byte written */
	char sep[48];
	bool dead;		/* the output failed or stalled: drop the rest */
	bool stalled;
	uint64_t lost;		/* bytes dropped after a stall */
	const uint8_t *chunk;	/* being written: chunk[off..len) */
	size_t off, len;
	uint8_t raw[SERIAL_TX_QUEUE];
	uint8_t shown[TERM_FILTER_OUT(SERIAL_TX_QUEUE)];
};

static bool finishing(const struct serial_out *w)
{
	return __atomic_load_n(&w->finishing, __ATOMIC_ACQUIRE);
}

static void signal_fd(int fd)
{
	uint64_t one = 1;

	/* a full counter (never in practice) already means "wake up" */
	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		perror("vmm: serial: eventfd");
}

static void wake(void *opaque)
{
	signal_fd(((struct serial_out *)opaque)->wake_fd);
}

/* Waits up to timeout_ms for a wake-up, or for room in the output; true: room. */
static bool wait_for(struct serial_out *w, bool for_output, int timeout_ms)
{
	struct pollfd p[2] = {
		{ .fd = w->wake_fd, .events = POLLIN },
		{ .fd = w->fd, .events = POLLOUT },
	};
	uint64_t n;

	if (poll(p, for_output ? 2 : 1, timeout_ms) <= 0)
		return false;
	if ((p[0].revents & POLLIN) && read(w->wake_fd, &n, sizeof(n)) < 0 &&
	    errno != EAGAIN)
		perror("vmm: serial: eventfd");
	return for_output && p[1].revents;
}

/* One write of what the output takes now: >0 bytes, 0 none, <0 failed. */
static ssize_t write_some(struct serial_out *w)
{
	size_t n = w->len - w->off;
	ssize_t r;

	if (w->blocking && !w->regular && n > PIPE_BUF)
		n = PIPE_BUF;
	r = write(w->fd, w->chunk + w->off, n);
	if (r > 0) {
		w->off += (size_t)r;
		return r;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	/* the reader went away (a closed pipe): stop the VM, drop the rest */
	if (w->vm)
		vm_stop(w->vm, STOP_SIGNAL, VMM_EXIT_SIGNAL, "serial output closed: %s",
			r < 0 ? strerror(errno) : "wrote nothing");
	w->dead = true;
	return -1;
}

/*
 * Writes the current chunk out as fast as the reader takes it: a write
 * first, poll() for room only after the output refused one (or before each
 * write on a blocking fd).
 */
static void drain(struct serial_out *w)
{
	bool guarded = w->blocking && !w->regular, wait = guarded;

	while (w->off < w->len && !w->dead) {
		ssize_t r;

		if (__atomic_load_n(&w->giving_up, __ATOMIC_ACQUIRE)) {
			w->stalled = w->dead = true;
			break;
		}
		if (wait && !wait_for(w, true, -1))
			continue;
		r = write_some(w);
		if (r > 0) {
			__atomic_add_fetch(&w->written, (uint64_t)r, __ATOMIC_RELAXED);
			w->last = (char)w->chunk[w->off - 1];
			wait = guarded;
		} else if (r == 0) {
			/* poll() offered room the write did not find: do not spin */
			if (wait)
				wait_for(w, false, RETRY_MS);
			wait = true;
		}
	}
	if (w->stalled)
		w->lost += w->len - w->off;
	w->off = w->len = 0;
}

static void set_chunk(struct serial_out *w, const void *buf, size_t n)
{
	w->chunk = buf;
	w->off = 0;
	w->len = n;
}

/* Takes what the UART queued; false when there was nothing. */
static bool take(struct serial_out *w)
{
	size_t n = 0;

	if (w->uart) {
		pthread_mutex_lock(&w->vm->io_lock);
		n = serial_tx_take(w->uart, w->raw, sizeof(w->raw));
		pthread_mutex_unlock(&w->vm->io_lock);
	}
	if (!n)
		return false;
	pthread_mutex_lock(&w->sink_lock);
	if (w->sink)
		w->sink(w->sink_opaque, w->raw, n);
	pthread_mutex_unlock(&w->sink_lock);
	if (w->stalled)
		w->lost += n;
	if (w->dead || w->fd < 0)
		return true;
	if (w->filter)
		set_chunk(w, w->shown, term_filter(&w->tf, w->raw, n, w->shown));
	else
		set_chunk(w, w->raw, n);
	return true;
}

/* After the guest's last byte: what the filter held back, then the tail. */
static bool next_final_chunk(struct serial_out *w)
{
	switch (w->stage++) {
	case 0:
		if (w->filter && !w->dead)
			set_chunk(w, w->shown, term_filter_end(&w->tf, w->shown));
		return true;
	case 1:
		/*
		 * Serial text, then the screen dump, on one stdout: a line of
		 * its own between them says where the screen begins.  It ends
		 * in CR LF as the serial lines do, so that "the lines without
		 * CR" stays exactly the screen.
		 */
		if (!w->dead && w->tail_len && __atomic_load_n(&w->written, __ATOMIC_RELAXED)) {
			int n = snprintf(w->sep, sizeof(w->sep), "%s%s\r\n",
					 w->last == '\n' ? "" : "\r\n", SERIAL_OUT_SCREEN_LINE);

			set_chunk(w, (const uint8_t *)w->sep, (size_t)n);
		}
		return true;
	case 2:
		if (w->dead)
			w->lost += w->stalled ? w->tail_len : 0;
		else
			set_chunk(w, w->tail, w->tail_len);
		return true;
	default:
		return false;
	}
}

static void *writer_main(void *arg)
{
	struct serial_out *w = arg;

	/* a restored VM says nothing before its RAM's verdict, nor after a bad one */
	if (!snap_ram_verified(w->vm))
		w->dead = true;
	for (;;) {
		drain(w);
		if (take(w))
			continue;
		if (!finishing(w))
			wait_for(w, false, TICK_MS);
		else if (!next_final_chunk(w))
			break;
	}
	signal_fd(w->done_fd);
	return NULL;
}

/* Our own non-blocking description of stdout's pipe, FIFO or terminal. */
static int reopen_nonblocking(int fd)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
}

static int open_output(struct serial_out *w, const struct vm_config *cfg, bool tui)
{
	const char *out = cfg->serial.output;
	struct stat st;

	if (!strcmp(out, "none") || (!strcmp(out, "stdout") && tui))
		return 0;
	if (!strcmp(out, "stdout")) {
		w->to_stdout = true;
		w->fd = STDOUT_FILENO;
	} else {
		w->fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_CLOEXEC,
			     0644);
		if (w->fd < 0)
			return -1;
		w->own_fd = true;
	}
	w->regular = !fstat(w->fd, &st) && S_ISREG(st.st_mode);
	w->blocking = !w->regular;
	if (w->blocking && w->own_fd) {
		int fl = fcntl(w->fd, F_GETFL);

		w->blocking = fl < 0 || fcntl(w->fd, F_SETFL, fl | O_NONBLOCK) < 0;
	} else if (w->blocking) {
		int fd = reopen_nonblocking(w->fd);

		w->blocking = fd < 0;
		if (fd >= 0) {
			w->fd = fd;
			w->own_fd = true;
		}
	}
	w->filter = !cfg->serial.raw && isatty(w->fd);
	return 0;
}

struct serial_out *serial_out_open(const struct vm_config *cfg, bool tui)
{
	struct serial_out *w = calloc(1, sizeof(*w));

	if (!w) {
		perror("vmm: serial output");
		return NULL;
	}
	term_filter_init(&w->tf);
	pthread_mutex_init(&w->sink_lock, NULL);
	w->tui = tui;
	w->fd = -1;
	w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->wake_fd < 0 || w->done_fd < 0 || open_output(w, cfg, tui)) {
		fprintf(stderr, "%s: serial.output '%s': %s\n", cfg->file,
			cfg->serial.output, strerror(errno));
		serial_out_close(w);
		return NULL;
	}
	return w;
}

void serial_out_set_sink(struct serial_out *w, serial_out_sink fn, void *opaque)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->sink_lock);
	w->sink = fn;
	w->sink_opaque = opaque;
	pthread_mutex_unlock(&w->sink_lock);
}

int serial_out_start(struct serial_out *w, struct vm *vm, struct serial *s)
{
	sigset_t all, old;
	int err;

	w->vm = vm;
	if (!s || (w->fd < 0 && !w->tui && !w->sink))
		return 0;
	w->uart = s;
	pthread_mutex_lock(&vm->io_lock);
	serial_tx_attach(s, wake, w);
	pthread_mutex_unlock(&vm->io_lock);
	/* signals belong to the main thread's signalfd and the vCPU's kick */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&w->thread, NULL, writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		fprintf(stderr, "vmm: serial output thread: %s\n", strerror(err));
		return -1;
	}
	w->started = true;
	return 0;
}

FILE *serial_out_tail(struct serial_out *w)
{
	if (!w || !w->to_stdout)
		return stdout;
	if (!w->tail_file)
		w->tail_file = open_memstream(&w->tail, &w->tail_len);
	return w->tail_file ? w->tail_file : stdout;
}

/* A signal that asks vmm to stop (not SIGWINCH or SIGUSR1) came in. */
static bool stop_signal(int stop_fd)
{
	struct signalfd_siginfo si;

	if (read(stop_fd, &si, sizeof(si)) != sizeof(si))
		return false;
	return si.ssi_signo != SIGWINCH && si.ssi_signo != SIGUSR1;
}

/*
 * Waits for the thread to write everything.  false: it is to give up, as
 * a signal came in, or (hurry) the reader took nothing for LINGER.
 */
static bool wait_for_reader(struct serial_out *w, int stop_fd, bool hurry)
{
	uint64_t seen = __atomic_load_n(&w->written, __ATOMIC_RELAXED), now;
	bool told = false;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = w->done_fd, .events = POLLIN },
			{ .fd = stop_fd, .events = POLLIN },
		};
		int r = poll(p, stop_fd >= 0 ? 2 : 1, SERIAL_OUT_LINGER_MS);

		if (r > 0 && p[0].revents)
			return true;
		if (r > 0 && p[1].revents && stop_signal(stop_fd))
			return false;
		if (r != 0)
			continue;
		now = __atomic_load_n(&w->written, __ATOMIC_RELAXED);
		if (now != seen) {
			seen = now;
			continue;
		}
		if (hurry)
			return false;
		if (!told)
			fprintf(stderr, "vmm: serial output: waiting for the reader "
				"(Ctrl-C or SIGTERM drops what is left)\n");
		told = true;
	}
}

void serial_out_finish(struct serial_out *w, int stop_fd, bool hurry)
{
	if (!w || w->finished)
		return;
	w->finished = true;
	if (w->tail_file)
		fclose(w->tail_file);	/* sets tail and tail_len */
	w->tail_file = NULL;
	__atomic_store_n(&w->finishing, true, __ATOMIC_RELEASE);
	if (w->started) {
		wake(w);
		if (!wait_for_reader(w, stop_fd, hurry)) {
			__atomic_store_n(&w->giving_up, true, __ATOMIC_RELEASE);
			wake(w);
		}
		pthread_join(w->thread, NULL);
		pthread_mutex_lock(&w->vm->io_lock);
		serial_tx_attach(w->uart, NULL, NULL);
		pthread_mutex_unlock(&w->vm->io_lock);
	}
	if (w->stalled)
		fprintf(stderr, "vmm: serial output: %llu bytes not written: the "
			"reader stopped taking them\n", (unsigned long long)w->lost);
}

void serial_out_close(struct serial_out *w)
{
	if (!w)
		return;
	serial_out_finish(w, -1, true);
	if (w->own_fd)
		close(w->fd);
	if (w->wake_fd >= 0)
		close(w->wake_fd);
	if (w->done_fd >= 0)
		close(w->done_fd);
	free(w->tail);
	pthread_mutex_destroy(&w->sink_lock);
	free(w);
}
