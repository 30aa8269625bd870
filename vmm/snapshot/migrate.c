// SPDX-License-Identifier: MIT
/*
 * Live migration between two vmm processes on one machine, over a UNIX
 * socket, in the snapshot stream format (internal.h), written by the same
 * steps as a save (save.c):
 *
 *	source                                destination (vmm --incoming)
 *	header, config ---------------------> sets the machine up from them
 *	RAM: every page with data, while the guest runs
 *	                       <------------- 'R': its machine is built
 *	RAM: the pages dirtied meanwhile, pass after pass
 *	guest paused; disks flushed
 *	RAM: the last dirty pages; disks, devices, vCPU, machine, end ------->
 *	                                      applies them, runs the vCPU
 *	exits with VMM_EXIT_MIGRATED <------- "VMM-RUN" and its first KVM_RUN time
 *
 * If anything fails before the destination says it runs, the source's
 * guest goes on as if nothing happened.  No TCP: moving a VM between hosts
 * (and its disks) is an orchestrator's business; a script that has a
 * connected socket can pass it as fd:N.
 *
 * The source's work runs on the main thread, like a save's; the
 * destination's is two set-up steps and a confirmation once its vCPU
 * runs.  The targets' sockets, opened before the sandbox, are vm->snap->mig.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../json.h"
#include "../sock_broker.h"
#include "../vm.h"
#include "internal.h"

#define ACK_MAGIC	"VMM-RUN"	/* 8 bytes with its NUL, then u64 ns */
#define READY		'R'		/* the destination's machine exists */
/* how long the source waits for the destination to run */
#define ACK_MS		30000

/* ---- targets ------------------------------------------------------------- */

/* "unix:PATH" into addr, "fd:N" into *fd; -1 for anything else. */
static int parse_target(const char *t, struct sockaddr_un *addr, int *fd)
{
	char *end;

	*fd = -1;
	if (!strncmp(t, "unix:", 5) && t[5] && strlen(t + 5) < sizeof(addr->sun_path)) {
		*addr = (struct sockaddr_un){ .sun_family = AF_UNIX };
		memcpy(addr->sun_path, t + 5, strlen(t + 5) + 1);
		return 0;
	}
	if (!strncmp(t, "fd:", 3) && t[3]) {
		long n = strtol(t + 3, &end, 10);

		if (!*end && n >= 0 && n < 65536) {
			*fd = (int)n;
			return 0;
		}
	}
	return -1;
}

static bool is_socket(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

int snap_migrate_prepare(struct vm *vm, const char *target)
{
	struct snap_ctl *c = vm->snap;
	struct sockaddr_un addr;
	int fd;

	if (!c || parse_target(target, &addr, &fd) || (fd >= 0 && !is_socket(fd))) {
		fprintf(stderr, "vmm: migrate to '%s': expected unix:PATH (a UNIX socket, "
			"at most %zu bytes) or fd:N (an open socket)\n", target,
			sizeof(addr.sun_path) - 1);
		return -1;
	}
	if (c->mig.nsock == SNAP_MAX_SOCKETS) {
		fprintf(stderr, "vmm: at most %d migrations a run\n", SNAP_MAX_SOCKETS);
		return -1;
	}
	/* unix:PATH: the broker connects a socket to exactly PATH when asked */
	c->mig.sock[c->mig.nsock].fd = fd;
	c->mig.sock[c->mig.nsock].used = false;
	snprintf(c->mig.sock[c->mig.nsock++].target, sizeof(c->mig.sock[0].target), "%s", target);
	return 0;
}

int snap_migrate_targets(const struct vm *vm)
{
	return vm->snap ? vm->snap->mig.nsock : 0;
}

void snap_migrate_init(struct snap_migration *mg)
{
	*mg = (struct snap_migration){ .broker_fd = -1 };
	for (int i = 0; i < SNAP_MAX_SOCKETS; i++)
		mg->sock[i].fd = -1;
}

void snap_migrate_close(struct snap_migration *mg)
{
	for (int i = 0; i < mg->nsock; i++)
		if (mg->sock[i].fd >= 0)
			close(mg->sock[i].fd);
	mg->nsock = 0;
	if (mg->broker_fd >= 0)
		close(mg->broker_fd);	/* the broker's cue to exit */
	mg->broker_fd = -1;
}

void snap_default_target(const struct vm *vm, char *buf, size_t len)
{
	const struct snap_ctl *c = vm->snap;

	snprintf(buf, len, "unix:%s/%s.sock", c->dir[c->home].path, vm->cfg->name);
}

/* The main thread does the work (snap_migrate_out()), as it does a save's. */
int snap_migrate_request(struct vm *vm, const char *target, char *msg, size_t msglen)
{
	char dflt[SNAP_PATH_MAX + 8];

	if (!target && vm->snap) {
		snap_default_target(vm, dflt, sizeof(dflt));
		target = dflt;
	}
	return snap_ask(vm, target, false, true, msg, msglen);
}

/* The first unused target named target, connected; it is used up either way. */
static int take_socket(struct vm *vm, const char *target, char *why, size_t n)
{
	struct snap_ctl *c = vm->snap;
	int i = 0;

	while (i < c->mig.nsock && (c->mig.sock[i].used || strcmp(c->mig.sock[i].target, target)))
		i++;
	if (i == c->mig.nsock) {
		snprintf(why, n, "'%s' was not named before the sandbox "
			 "(one per {migrate:} step, two for Ctrl-A m)", target);
		return -1;
	}
	c->mig.sock[i].used = true;
	if (c->mig.sock[i].fd >= 0) {
		int fd = c->mig.sock[i].fd;

		c->mig.sock[i].fd = -1;
		return fd;
	}
	int fd = broker_connect(vm, i);

	if (fd < 0)
		snprintf(why, n, "%s: %s", target, strerror(errno));
	return fd;
}

/* ---- the source ------------------------------------------------------------ */

/* n bytes from the destination within ACK_MS. */
static int await_bytes(int fd, uint8_t *b, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, ACK_MS);
		ssize_t k = r > 0 ? read(fd, b + got, n - got) : -1;

		if (r < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

/*
 * The destination builds its machine while the first pass arrives; the
 * guest keeps running here until it says it is ready, so that the
 * downtime holds only the last pages and the state.
 */
static int await_ready(int fd)
{
	uint8_t b;

	return await_bytes(fd, &b, 1) || b != READY ? -1 : 0;
}

/* The destination's "running", with the time of its first KVM_RUN. */
static int await_ack(int fd, uint64_t *run_ns)
{
	uint8_t b[16];

	if (await_bytes(fd, b, sizeof(b)) || memcmp(b, ACK_MAGIC, 8))
		return -1;
	*run_ns = 0;
	for (int i = 0; i < 8; i++)
		*run_ns |= (uint64_t)b[8 + i] << (8 * i);
	return 0;
}

static int send_vm(struct vm *vm, int fd, struct snap_live *lc, uint64_t *paused_at,
		   uint64_t *run_ns, const char **step)
{
	struct snap_writer w;
	int r = -1;

	*step = "set-up";
	if (snap_writer_init(&w, fd))
		return -1;
	*step = "dirty log";
	if (snap_live_start(vm, lc))
		goto out;
	*step = "sending";
	if (snap_write_prologue(vm, &w, SNAP_F_MIGRATION) ||
	    snap_live_passes(vm, lc, &w, await_ready))
		goto out;
	*paused_at = now_ns();
	vcpu_pause(vm);
	*step = "the guest ended meanwhile";
	errno = 0;
	if (vm_stopping(vm))
		goto out;
	r = snap_write_paused(vm, lc, &w);
	*step = "waiting for the destination to run";
	if (!r)
		r = await_ack(fd, run_ns);
out:
	vm->snap->mig.last.bytes = w.bytes;
	snap_writer_free(&w);
	return r;
}

/*
 * The disk images' locks go to the destination, which opens the images as
 * it sets up, while this VM still writes them (it alone runs the guest).
 * A failed migration takes them back; if the destination still holds
 * them, it may run the VM: this copy must not.
 */
static bool hand_over_disks(struct vm *vm, bool give)
{
	if (give)
		return vm_devices_hold(vm, false) == 0;
	/* a destination that failed lets go as it exits: give it a moment */
	for (int i = 0; i < 200; i++) {
		if (vm_devices_hold(vm, true) == 0)
			return true;
		usleep(10000);
	}
	vm_stop(vm, STOP_ERROR, VMM_EXIT_SETUP, "migration failed, but the destination "
		"holds the disk images: the VM stopped here");
	return false;
}

int snap_migrate_out(struct vm *vm, const char *target, char *msg, size_t msglen)
{
	struct snap_ctl *c = vm->snap;
	struct snap_live lc = { 0 };
	uint64_t t0 = now_ns(), paused_at = 0, run_ns = 0;
	const char *step = "";
	char why[200] = "";
	int fd, r = -1;

	c->mig.last = (typeof(c->mig.last)){ .tried = true };
	snprintf(c->mig.last.target, sizeof(c->mig.last.target), "%s", target);
	if (!snap_ram_verified(vm)) {
		snprintf(msg, msglen, "no migration: %s", snap_verify_error(vm));
		return -1;
	}
	fd = take_socket(vm, target, why, sizeof(why));
	if (fd >= 0 && hand_over_disks(vm, true)) {
		r = send_vm(vm, fd, &lc, &paused_at, &run_ns, &step);
		c->mig.last.passes = lc.passes;
		memcpy(c->mig.last.pages, lc.pages, sizeof(lc.pages));
		if (r)
			snprintf(why, sizeof(why), "%s: %s", step, errno ? strerror(errno) :
				 "the destination did not answer");
		if (r && fd >= 0) {
			close(fd);	/* a destination still reading gives up */
			fd = -1;
		}
		if (r)
			hand_over_disks(vm, false);
	}
	if (r == 0) {
		c->mig.last.done = true;
		c->mig.last.downtime_ns = run_ns > paused_at ? run_ns - paused_at : 0;
		vm_stop(vm, STOP_MIGRATED, VMM_EXIT_MIGRATED, "migrated to %s", target);
	}
	snap_live_stop(vm, &lc);
	vcpu_resume(vm);	/* a migrated VM's vCPU sees the stop and ends */
	c->mig.last.total_ns = now_ns() - t0;
	snprintf(c->mig.last.result, sizeof(c->mig.last.result), "%s", r ? why : "done");
	if (r)
		snprintf(msg, msglen, "migration to %s failed (%s); the VM goes on here",
			 target, why);
	else
		snprintf(msg, msglen, "migrated to %s: %u passes, %.1f MiB, downtime %.1f ms",
			 target, c->mig.last.passes, (double)c->mig.last.bytes / (1 << 20),
			 (double)c->mig.last.downtime_ns / 1e6);
	if (fd >= 0)
		close(fd);
	return r;
}

/* ---- the destination --------------------------------------------------------- */

static struct snap_reader in;	/* one incoming VM a process */

/* A listening socket at PATH (a stale socket there is replaced). */
static int listen_at(const struct sockaddr_un *addr)
{
	struct stat st;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (lstat(addr->sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(addr->sun_path);
	if (bind(fd, (const struct sockaddr *)addr, sizeof(*addr)) < 0 || listen(fd, 1) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* spec's connection: accepted on a new or given listening socket, or given. */
static int connection(const char *spec, int stop_fd, int *signo)
{
	struct sockaddr_un addr = { 0 };	/* fd:N leaves it empty: nothing to unlink */
	int fd, lfd, on = 0;
	socklen_t len = sizeof(on);

	if (parse_target(spec, &addr, &fd) || (fd >= 0 && !is_socket(fd))) {
		fprintf(stderr, "vmm: --incoming %s: expected unix:PATH or fd:N (a socket)\n",
			spec);
		return -1;
	}
	if (fd >= 0 && (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) < 0 || !on))
		return fd;	/* already connected */
	lfd = fd >= 0 ? fd : listen_at(&addr);
	if (lfd < 0) {
		fprintf(stderr, "vmm: --incoming %s: %s\n", spec, strerror(errno));
		return -1;
	}
	/* waiting for a source has no end but a signal */
	if (snap_wait(lfd, stop_fd, -1, signo) < 0) {
		fd = -1;
		if (*signo)
			fprintf(stderr, "vmm: --incoming %s: stopped by SIG%s (%s) while "
				"waiting for a source\n", spec, sigabbrev_np(*signo),
				sigdescr_np(*signo));
		else
			fprintf(stderr, "vmm: --incoming %s: %s\n", spec, strerror(errno));
	} else if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		fprintf(stderr, "vmm: --incoming %s: %s\n", spec, strerror(errno));
	}
	close(lfd);
	/* one VM per socket: nobody connects to it again */
	if (addr.sun_family == AF_UNIX && addr.sun_path[0])
		unlink(addr.sun_path);
	return fd;
}

int snap_incoming_accept(struct snap_image *im, const char *spec, int *fd, int stop_fd,
			 int idle_ms)
{
	uint32_t type;
	const uint8_t *p;
	uint64_t len;
	char err[200];

	*im = (struct snap_image){ .path = spec, .fd = -1 };
	snap_reader_free(&in);		/* a stream refused before (the fuzz harness) */
	*fd = connection(spec, stop_fd, &im->stop_signo);
	if (*fd < 0)
		return *fd;
	snap_reader_fd(&in, spec, *fd);
	in.stop_fd = stop_fd;
	in.idle_ms = idle_ms;
	if (snap_read_header(&in) || snap_next(&in, &type, &p, &len) != 1) {
		im->stop_signo = in.stop_signo;
		goto bad;
	}
	im->h = in.h;
	if (!(im->h.flags & SNAP_F_MIGRATION) || type != SNAP_CONFIG) {
		fprintf(stderr, "vmm: --incoming %s: not a migration stream\n", spec);
		return -1;
	}
	if (snap_load_section(im, NULL, type, p, len, err, sizeof(err))) {
		fprintf(stderr, "vmm: --incoming %s: %s\n", spec, err);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "vmm: --incoming %s\n", in.err);
	return -1;
}

/*
 * What a sender that is not vmm could send for ever: a section other than
 * RAM twice (RAM is bounded by im->ram_pages_max).  NULL: go on.
 */
static const char *bounded(uint32_t type, uint32_t *seen)
{
	if (type == SNAP_RAM)
		return NULL;
	if (*seen & 1u << type)
		return "a section sent twice";
	*seen |= 1u << type;
	return NULL;
}

int snap_incoming_receive(struct snap_image *im, struct vm *vm, int fd)
{
	uint32_t type, seen = 0;
	const uint8_t *p;
	uint64_t len;
	char err[200];
	int k;

	uint8_t ready = READY;

	/*
	 * RAM as vmm's own source sends it at most: SNAP_LIVE_MAX_PASSES passes,
	 * then the last, each over every page; an endless stream is refused
	 */
	im->ram_pages_max = (SNAP_LIVE_MAX_PASSES + 2) * (im->h.ram_bytes / SNAP_PAGE);
	/* the machine exists: the source may stop its guest when it likes */
	if (snap_ram_clear(vm) || write(fd, &ready, 1) != 1) {
		fprintf(stderr, "vmm: --incoming %s: %s\n", im->path, strerror(errno));
		return -1;
	}
	while ((k = snap_next(&in, &type, &p, &len)) > 0) {
		const char *why = bounded(type, &seen);

		if (why) {
			fprintf(stderr, "vmm: --incoming %s: refused: %s\n", im->path, why);
			goto out;
		}
		if (snap_load_section(im, vm, type, p, len, err, sizeof(err))) {
			fprintf(stderr, "vmm: --incoming %s: corrupted: %s\n", im->path, err);
			goto out;
		}
	}
	im->stop_signo = in.stop_signo;
	if (k < 0)
		fprintf(stderr, "vmm: --incoming %s\n", in.err);
	else if (!im->have_vcpu || !im->have_machine || !im->have_devices)
		fprintf(stderr, "vmm: --incoming %s: the stream ended without the "
			"vCPU, machine or device state\n", im->path);
	else if (vm->snap) {
		vm->snap->mig.last.incoming = true;
		vm->snap->mig.last.bytes = in.got;
		snprintf(vm->snap->mig.last.target, sizeof(vm->snap->mig.last.target), "%s", im->path);
	}
out:
	snap_reader_free(&in);
	return k == 0 && im->have_vcpu && im->have_machine && im->have_devices ? 0 : -1;
}

/*
 * After vcpu_release(): once the vCPU has entered KVM_RUN, the source may
 * go.  If it cannot hear that, it will run on, so this copy must not.
 */
void snap_incoming_confirm(struct vm *vm, int fd)
{
	uint8_t b[16] = ACK_MAGIC;
	uint64_t run = 0;

	for (int i = 0; i < 2000 && !(run = __atomic_load_n(&vm->stats.first_run_ns,
							      __ATOMIC_ACQUIRE)); i++) {
		struct pollfd none = { .fd = -1 };

		poll(&none, 0, 1);
	}
	for (int i = 0; i < 8; i++)
		b[8 + i] = (uint8_t)(run >> (8 * i));
	if (write(fd, b, sizeof(b)) != (ssize_t)sizeof(b))
		vm_stop(vm, STOP_ERROR, VMM_EXIT_SETUP,
			"--incoming: the source did not get the confirmation and runs on: stopped");
	close(fd);
}

void snap_migrate_stats(const struct vm *vm, struct json *j)
{
	const struct snap_ctl *c = vm->snap;

	if (!c || (!c->mig.last.tried && !c->mig.last.incoming))
		return;
	json_object_begin(j, "migration");
	json_str(j, c->mig.last.incoming ? "from" : "to", c->mig.last.target);
	json_u64(j, "bytes", c->mig.last.bytes);
	if (c->mig.last.tried) {
		json_str(j, "result", c->mig.last.result);
		json_u64(j, "passes", c->mig.last.passes);
		json_array_begin(j, "pages_per_pass");
		for (uint32_t i = 0; i < c->mig.last.passes; i++)
			json_u64(j, NULL, c->mig.last.pages[i]);
		json_array_end(j);
		json_double(j, "downtime_ms", (double)c->mig.last.downtime_ns / 1e6, 3);
		json_double(j, "total_ms", (double)c->mig.last.total_ns / 1e6, 3);
	}
	json_object_end(j);
}
