// SPDX-License-Identifier: MIT
/*
 * A migration stream as `vmm --incoming` reads it: through a socket,
 * section by section (snap_reader_fd), by snap_incoming_accept() (the socket,
 * header and config) and snap_incoming_receive() (RAM into guest memory as it
 * comes, the bounds on passes and repeated sections, the rest into the
 * image), then snap_incoming_confirm() and the stats.  Input: a mode byte
 *   bits 0-1  how the stream comes: 0 fd:N, a connected socket; 1 fd:N, a
 *             listening socket with the source's connection waiting; 2
 *             unix:PATH, which a thread connects to once vmm listens; 3 a
 *             target that is no socket, or a path that cannot be bound
 *             (the next byte picks which)
 *   bit 2     a signal waits on the stop fd (the next byte: SIGINT, SIGTERM,
 *             SIGHUP, SIGQUIT or SIGUSR1, which is not a stop)
 *   bit 3     the source stays connected after its last byte (the idle
 *             timeout, 1 ms here, ends the wait)
 *   bit 4     a stream that loads whole is confirmed (snap_incoming_confirm)
 *   bit 5     the source hangs up before the confirmation
 * then as the snapshot harness's framed inputs: a u64 RAM size, then
 * sections {type u8, length u16, payload}, written with valid checksums
 * and the migration flag, so the decoders behind the CRCs get arbitrary
 * payloads.  Guest RAM is 1 MiB; nothing may land outside it.
 * Covers: vmm/snapshot/migrate.c vmm/snapshot/stream.c vmm/snapshot/sections.c vmm/snapshot/ram.c
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../../vmm/json.h"
#include "../../vmm/snapshot/internal.h"
#include "../../vmm/vm.h"
#include "fuzz.h"
#include "snap_frame.h"

#define RAM	(1u << 20)

static struct vm vm;
static struct snap_ctl ctl;
static uint8_t *guard;		/* the page after guest RAM, never written */
static int memfd = -1;		/* the stream, written before it is sent */
static char dir[64], sock_path[96];
static FILE *devnull;

static void remove_dir(void)
{
	rmdir(dir);	/* vmm unlinked its socket */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	vm_init(&vm);
	vm.mem.size = RAM;
	vm.mem.base = mmap(NULL, RAM + SNAP_PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm.mem.base == MAP_FAILED)
		abort();
	guard = vm.mem.base + RAM;
	ctl = (struct snap_ctl){ .source_fd = -1, .pagemap_fd = -1, .efd = -1 };
	vm.snap = &ctl;
	memfd = memfd_create("incoming-fuzz", MFD_CLOEXEC);
	snprintf(dir, sizeof(dir), "/tmp/vmm-fuzz-incoming-XXXXXX");
	if (memfd < 0 || !mkdtemp(dir) || !(devnull = fopen("/dev/null", "w")))
		abort();
	snprintf(sock_path, sizeof(sock_path), "%s/sock", dir);
	atexit(remove_dir);
	signal(SIGPIPE, SIG_IGN);	/* as vmm: a source gone is an error, not a signal */
	return 0;
}

/* The input as a stream with valid checksums, in a malloc'd buffer. */
static uint8_t *stream(struct in *in, size_t *len)
{
	struct snap_writer w;
	struct snap_header h = { .ram_bytes = take(in, 8), .flags = SNAP_F_MIGRATION };
	uint8_t *buf;

	if (ftruncate(memfd, 0) || lseek(memfd, 0, SEEK_SET) || snap_writer_init(&w, memfd))
		abort();
	snap_write_header(&w, &h);
	fuzz_snap_sections(in, &w);
	/* odd lengths leave the end off: a sender that hangs up early */
	if (!(in->n & 1))
		snap_finish(&w);
	else
		snap_flush(&w);
	snap_writer_free(&w);
	*len = (size_t)w.bytes;
	buf = malloc(*len ? *len : 1);
	if (!buf || pread(memfd, buf, *len, 0) != (ssize_t)*len)
		abort();
	return buf;
}

static void send_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);

		if (k <= 0)
			return;		/* the destination gave up */
		p += k;
		n -= (size_t)k;
	}
}

static int stream_socket(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), big = 1 << 20;

	if (fd < 0)
		abort();
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	return fd;
}

/* unix:PATH: the source connects once vmm listens, sends, and waits for the end. */
struct source {
	const uint8_t *buf;
	size_t len;
	bool hold;		/* stays connected after the last byte */
	atomic_bool done;	/* the harness is through with the stream */
	int fd;
};

static void *source_thread(void *arg)
{
	struct source *s = arg;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct timespec ms = { 0, 1000000 };

	memcpy(a.sun_path, sock_path, strlen(sock_path) + 1);
	s->fd = stream_socket();
	while (connect(s->fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (atomic_load(&s->done))
			return NULL;
		nanosleep(&ms, NULL);
	}
	send_all(s->fd, s->buf, s->len);
	if (!s->hold)
		shutdown(s->fd, SHUT_WR);
	while (!atomic_load(&s->done))
		nanosleep(&ms, NULL);
	return NULL;
}

/* fd:N of a listening socket, the source's connection waiting with the stream. */
static int listening(const uint8_t *buf, size_t len, bool hold, int *src)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 1 +
		(socklen_t)snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1,
				    "vmm-fuzz-incoming-%d", (int)getpid());
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	/* abstract: nothing in the file system to clean up */
	if (l < 0 || bind(l, (struct sockaddr *)&a, alen) || listen(l, 1))
		abort();
	*src = stream_socket();
	if (connect(*src, (struct sockaddr *)&a, alen))
		abort();
	send_all(*src, buf, len);
	if (!hold)
		shutdown(*src, SHUT_WR);
	return l;
}

/* A signal as the signalfd would give it, waiting on a pipe. */
static int stop_pipe(uint8_t pick, int *w)
{
	static const int sig[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 };
	struct signalfd_siginfo si = { .ssi_signo = (uint32_t)sig[pick % 5] };
	int p[2];

	if (pipe2(p, O_CLOEXEC) || write(p[1], &si, sizeof(si)) != (ssize_t)sizeof(si))
		abort();
	*w = p[1];
	return p[0];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	static struct snap_image im;
	static struct source s;
	uint8_t mode = (uint8_t)take(&in, 1);
	uint8_t pick = mode & 7 ? (uint8_t)take(&in, 1) : 0;
	bool hold = mode & 8;
	int src = -1, stop = -1, stop_w = -1, fd = -1, given = -1;
	pthread_t t;
	char spec[128];
	size_t len;
	uint8_t *buf;

	/* the whole stream fits the socket's buffer, but for unix:PATH's thread */
	if (size > 60000)
		return 0;
	buf = stream(&in, &len);
	if (mode & 4)
		stop = stop_pipe(pick, &stop_w);
	switch (mode & 3) {
	case 0: {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			abort();
		src = sv[0];
		given = sv[1];
		int big = 1 << 20;

		setsockopt(src, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
		send_all(src, buf, len);
		if (!hold)
			shutdown(src, SHUT_WR);
		snprintf(spec, sizeof(spec), "fd:%d", given);
		break;
	}
	case 1:
		snprintf(spec, sizeof(spec), "fd:%d", listening(buf, len, hold, &src));
		break;
	case 2:
		s = (struct source){ .buf = buf, .len = len, .hold = hold, .fd = -1 };
		snprintf(spec, sizeof(spec), "unix:%s", sock_path);
		if (pthread_create(&t, NULL, source_thread, &s))
			abort();
		break;
	default: {
		static const char *const bad[] = { "fd:", "fd:70000", "fd:-1", "unix:",
			"tcp:127.0.0.1:4444", "fd:0x3", "unix:/nonexistent/vmm-fuzz/sock" };

		if (pick % 8 == 7) {	/* fd:N of a pipe */
			int p[2];

			if (pipe2(p, O_CLOEXEC))
				abort();
			src = p[1];
			given = p[0];
			snprintf(spec, sizeof(spec), "fd:%d", given);
		} else {
			snprintf(spec, sizeof(spec), "%s", bad[pick % 8]);
		}
	}
	}
	if (snap_incoming_accept(&im, spec, &fd, stop, hold ? 1 : 0) == 0) {
		FUZZ_ASSERT(im.config_text);
		FUZZ_ASSERT(fd >= 0 && (given < 0 || fd == given));
		if (snap_incoming_receive(&im, &vm, fd) == 0) {
			FUZZ_ASSERT(im.have_vcpu && im.have_machine && im.have_devices);
			FUZZ_ASSERT(ctl.mig.last.incoming);
			struct json j;

			json_init(&j, devnull, false);
			json_object_begin(&j, NULL);
			snap_migrate_stats(&vm, &j);
			json_object_end(&j);
		}
		FUZZ_ASSERT(im.ndisks <= SNAP_MAX_DISKS);
		FUZZ_ASSERT(im.ram_pages_loaded <= im.ram_pages_max);
	}
	FUZZ_ASSERT(fd < 0 || fd != stop);
	if (fd >= 0 && (mode & 0x10)) {
		/* the vCPU ran; the source hears it, or has gone (the VM stops) */
		vm.stats.first_run_ns = 1;
		vm.stopping = 0;
		if (mode & 0x20 && src >= 0) {
			close(src);
			src = -1;
		}
		snap_incoming_confirm(&vm, fd);	/* closes fd */
		if (given == fd)
			given = -1;
		fd = -1;
	}
	if (fd >= 0 && fd != given)
		close(fd);
	if (given >= 0)
		close(given);
	if ((mode & 3) == 2) {
		atomic_store(&s.done, true);
		pthread_join(t, NULL);
		if (s.fd >= 0)
			close(s.fd);
	}
	if (src >= 0)
		close(src);
	if (stop >= 0) {
		close(stop);
		close(stop_w);
	}
	for (size_t i = 0; i < SNAP_PAGE; i++)
		FUZZ_ASSERT(!guard[i]);
	snap_image_free(&im);
	ctl.mig.last.incoming = false;
	free(buf);
	return 0;
}
