// SPDX-License-Identifier: MIT
/*
 * Taking a snapshot of the running VM (see snapshot.h): the folders opened
 * before the sandbox, the requests other threads hand to the main thread,
 * and the save itself, written under a temporary name in the target
 * folder and renamed into place only once it is whole and on disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../config.h"
#include "../json.h"
#include "../state.h"
#include "../vm.h"
#include "internal.h"

#define NAME_TRIES	1000
/* a dirty set this small is sent with the guest paused (1 MiB) */
#define LIVE_DONE_PAGES	256
#define HOLE_FIRST	(GUEST_HOLE_START >> 12)
#define HOLE_END	(GUEST_HOLE_END >> 12)

/* ---- set-up ----------------------------------------------------------- */

int snap_init(struct vm *vm, struct snap_ctl *c, const char *home)
{
	*c = (struct snap_ctl){ .pagemap_fd = -1, .efd = -1, .next_n = 1,
				    .source_fd = -1 };
	for (int i = 0; i < SNAP_MAX_DISKS; i++)
		c->disk[i].fd = -1;
	snap_migrate_init(&c->mig);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	vm->snap = c;
	c->config_text = config_to_text(vm->cfg);
	c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!c->config_text || c->efd < 0) {
		perror("vmm: snapshot set-up");
		return -1;
	}
	/* without it every page is read to find the zero ones: slower, same file */
	c->pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	c->file_pages = calloc(vm->mem.size / SNAP_PAGE / 64 + 1, sizeof(uint64_t));
	if (!c->file_pages) {
		perror("vmm: snapshot set-up");
		return -1;
	}
	if (snap_kvm_probe(vm) || snap_add_dir(vm, home))
		return -1;
	c->home = c->ndirs - 1;
	return 0;
}

void snap_destroy(struct snap_ctl *c)
{
	for (int i = 0; i < c->ndirs; i++) {
		close(c->dir[i].fd);
		free(c->dir[i].path);
	}
	c->ndirs = 0;
	snap_migrate_close(&c->mig);
	if (c->pagemap_fd >= 0)
		close(c->pagemap_fd);
	if (c->efd >= 0)
		close(c->efd);
	if (c->source_fd >= 0)
		close(c->source_fd);
	c->pagemap_fd = c->efd = c->source_fd = -1;
	free(c->config_text);
	free(c->file_pages);
	c->config_text = NULL;
	c->file_pages = NULL;
}

/* FILE's folder ("." for a bare name) into dir, its name into base. */
static int split(const char *file, char *dir, size_t dirlen, const char **base)
{
	const char *slash = strrchr(file, '/');

	*base = slash ? slash + 1 : file;
	if (!slash)
		return snprintf(dir, dirlen, ".") < 0 ? -1 : 0;
	size_t n = slash == file ? 1 : (size_t)(slash - file);

	if (n >= dirlen)
		return -1;
	memcpy(dir, file, n);
	dir[n] = 0;
	return 0;
}

static int find_dir(const struct snap_ctl *c, const char *dir)
{
	for (int i = 0; i < c->ndirs; i++)
		if (!strcmp(c->dir[i].path, dir))
			return i;
	return -1;
}

int snap_add_dir(struct vm *vm, const char *file)
{
	struct snap_ctl *c = vm->snap;
	char dir[SNAP_PATH_MAX];
	const char *base;

	if (!c || split(file, dir, sizeof(dir), &base)) {
		fprintf(stderr, "vmm: %s: path too long\n", file);
		return -1;
	}
	if (find_dir(c, dir) >= 0)
		return 0;
	if (c->ndirs == SNAP_MAX_DIRS) {
		fprintf(stderr, "vmm: %s: snapshots go to at most %d folders\n",
			file, SNAP_MAX_DIRS);
		return -1;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "vmm: snapshot folder '%s': %s\n", dir, strerror(errno));
		return -1;
	}
	c->dir[c->ndirs].fd = fd;
	c->dir[c->ndirs++].path = strdup(dir);
	return c->dir[c->ndirs - 1].path ? 0 : -1;
}

int snap_dir_fds(const struct vm *vm, int *fds, int max)
{
	const struct snap_ctl *c = vm->snap;
	int n = 0;

	for (int i = 0; c && i < c->ndirs && n < max; i++)
		fds[n++] = c->dir[i].fd;
	return n;
}

/* ---- the file ----------------------------------------------------------- */

struct target {
	int dirfd;
	bool replace;		/* a named file is replaced; NAME-N.snap never */
	char name[NAME_MAX + 1], tmp[NAME_MAX + 1];
	char shown[SNAP_PATH_MAX];	/* for messages */
};

static int target(struct snap_ctl *c, const char *path, const char *vm_name,
		  struct target *t, char *msg, size_t msglen)
{
	char dir[SNAP_PATH_MAX];
	const char *base;
	int d = c->home;

	if (path) {
		if (split(path, dir, sizeof(dir), &base) || !*base ||
		    strlen(base) > NAME_MAX - 16 || (d = find_dir(c, dir)) < 0) {
			snprintf(msg, msglen, "cannot save %s: %s", path, !*base ?
				 "no file name" : d < 0 ?
				 "its folder was not opened before the sandbox" :
				 "name too long");
			return -1;
		}
		snprintf(t->name, sizeof(t->name), "%s", base);
		snprintf(t->shown, sizeof(t->shown), "%s", path);
	} else {
		snprintf(t->name, sizeof(t->name), "%s-%u.snap", vm_name, c->next_n);
		snprintf(t->shown, sizeof(t->shown), "%s%s%s",
			 strcmp(c->dir[d].path, ".") ? c->dir[d].path : "",
			 strcmp(c->dir[d].path, ".") ? "/" : "", t->name);
	}
	t->dirfd = c->dir[d].fd;
	t->replace = path != NULL;
	snprintf(t->tmp, sizeof(t->tmp), ".%.200s.%d.tmp", t->name, (int)getpid());
	return 0;
}

/*
 * The temporary file becomes the snapshot: renamed over a named file, or
 * linked as NAME-N.snap with the first N not taken (link never replaces).
 */
static int commit(struct snap_ctl *c, struct target *t, const char *vm_name)
{
	if (t->replace)
		return renameat(t->dirfd, t->tmp, t->dirfd, t->name);
	for (int i = 0; i < NAME_TRIES; i++) {
		if (linkat(t->dirfd, t->tmp, t->dirfd, t->name, 0) == 0) {
			c->next_n++;
			return unlinkat(t->dirfd, t->tmp, 0);
		}
		if (errno != EEXIST)
			return -1;
		c->next_n++;
		snprintf(t->name, sizeof(t->name), "%s-%u.snap", vm_name, c->next_n);
		char *slash = strrchr(t->shown, '/');

		snprintf(slash ? slash + 1 : t->shown,
			 sizeof(t->shown) - (size_t)(slash ? slash + 1 - t->shown : 0),
			 "%s", t->name);
	}
	errno = EEXIST;
	return -1;
}

/* ---- writing a running VM, to a file or a socket ------------------------ */

int snap_write_prologue(struct vm *vm, struct snap_writer *w, uint32_t flags)
{
	const struct snap_ctl *c = vm->snap;
	struct snap_header h = { .ram_bytes = vm->mem.size, .flags = flags };

	snap_write_header(w, &h);
	snap_section(w, SNAP_CONFIG, c->config_text, strlen(c->config_text));
	return w->err ? -1 : 0;
}

static uint64_t count_bits(const uint64_t *map, size_t words)
{
	uint64_t n = 0;

	for (size_t i = 0; i < words; i++)
		n += (uint64_t)__builtin_popcountll(map[i]);
	return n;
}

/* Adds what KVM logged and what vmm touched since the last call to dirty. */
static int collect_dirty(struct vm *vm, struct snap_live *lc)
{
	for (size_t i = 0; i < lc->words; i++)
		lc->dirty[i] |= __atomic_exchange_n(&lc->touched[i], 0, __ATOMIC_RELAXED);
	return vm_get_dirty(vm, lc->dirty);
}

/*
 * KVM's log for the guest's stores (on since the RAM slots were made,
 * vmm/kvm.c), vm->mem.touched for vmm's own.  A device that took a
 * pointer before the bitmap was in place did so under io_lock: taking the
 * lock once lets any such access finish before the first pass reads RAM.
 */
int snap_live_start(struct vm *vm, struct snap_live *lc)
{
	*lc = (struct snap_live){ .words = (size_t)(vm->mem.size / SNAP_PAGE / 64 + 1) };
	if (!vm->snap || !vm->snap->live)
		return -1;	/* the sandbox refuses the dirty log */
	lc->dirty = calloc(lc->words, sizeof(uint64_t));
	lc->touched = calloc(lc->words, sizeof(uint64_t));
	if (!lc->dirty || !lc->touched) {
		free(lc->dirty);
		free(lc->touched);
		lc->dirty = lc->touched = NULL;
		return -1;
	}
	__atomic_store_n(&vm->mem.touched, lc->touched, __ATOMIC_RELEASE);
	pthread_mutex_lock(&vm->io_lock);
	pthread_mutex_unlock(&vm->io_lock);
	if (vm_get_dirty(vm, lc->dirty) == 0)	/* starts the log afresh */
		return 0;
	snap_live_stop(vm, lc);
	return -1;
}

void snap_live_stop(struct vm *vm, struct snap_live *lc)
{
	if (!lc->dirty)
		return;
	__atomic_store_n(&vm->mem.touched, NULL, __ATOMIC_RELEASE);
	free(lc->dirty);
	free(lc->touched);
	lc->dirty = lc->touched = NULL;
}

int snap_live_passes(struct vm *vm, struct snap_live *lc, struct snap_writer *w,
		     int (*ready)(int fd))
{
	uint64_t prev = UINT64_MAX, pages;

	if (snap_write_pages(vm, w, NULL, &pages) || snap_flush(w) ||
	    (ready && ready(w->fd)))
		return -1;
	lc->pages[lc->passes++] = pages;
	while (lc->passes <= SNAP_LIVE_MAX_PASSES) {
		memset(lc->dirty, 0, lc->words * sizeof(uint64_t));
		if (collect_dirty(vm, lc))
			return -1;
		uint64_t n = count_bits(lc->dirty, lc->words);

		/* small, or no longer shrinking: the rest goes with the guest paused */
		if (n <= LIVE_DONE_PAGES || n >= prev || lc->passes == SNAP_LIVE_MAX_PASSES)
			return 0;
		if (snap_write_pages(vm, w, lc->dirty, &pages) || snap_flush(w))
			return -1;
		lc->pages[lc->passes++] = pages;
		prev = n;
	}
	return 0;
}

/*
 * The vCPU is parked: devices, KVM's state and RAM in one consistent
 * stop.  io_lock is held throughout, so no other thread (the I/O thread,
 * input, the UI) changes a device or guest RAM meanwhile.
 */
int snap_write_paused(struct vm *vm, struct snap_live *lc, struct snap_writer *w)
{
	static struct snap_vcpu v;	/* 10 KiB: main thread only */
	static struct snap_machine m;
	uint64_t pages;
	int ret = -1;

	/* every write the guest saw acknowledged is in the image */
	if (vm_devices_flush(vm) || (lc->dirty && collect_dirty(vm, lc)))
		return -1;
	/* the VGA window's slots are not logged: always sent */
	for (uint64_t p = HOLE_FIRST; lc->dirty && p < HOLE_END; p++)
		lc->dirty[p / 64] |= 1ull << (p % 64);
	pthread_mutex_lock(&vm->io_lock);
	vm_sync(vm);	/* stores still queued belong to RAM and devices */
	if (snap_vcpu_get(vm, &v) || snap_machine_get(vm, &m)) {
		if (!w->err)
			w->err = errno ? errno : EIO;
	} else if (!snap_write_pages(vm, w, lc->dirty, &pages) &&
		   !snap_write_state(vm, w, &v, &m)) {
		ret = 0;
	}
	pthread_mutex_unlock(&vm->io_lock);
	if (ret || snap_finish(w))
		return -1;
	lc->pages[lc->passes++] = pages;
	return 0;
}

/*
 * Into a temporary file in the target folder, renamed into place once it
 * is whole and on disk.  The guest's RAM is copied while it runs, and it
 * is paused only for the last dirty pages and the state; without a dirty
 * log, for the whole write.  It goes on before the file is synced, unless
 * it is to quit: then it stays parked until the save is known good.
 */
static int save(struct vm *vm, const char *path, bool quit, char *msg, size_t msglen)
{
	struct snap_ctl *c = vm->snap;
	struct target t;
	struct snap_writer w;
	struct snap_live lc = { 0 };
	uint64_t t0 = now_ns(), paused_at = 0, pause = 0;
	int fd, r = -1;

	/* RAM restored from a corrupt file is not saved as if it were good */
	if (!snap_ram_verified(vm)) {
		snprintf(msg, msglen, "no snapshot: %s", snap_verify_error(vm));
		return -1;
	}
	if (target(c, path, vm->cfg->name, &t, msg, msglen))
		return -1;
	/* guest RAM is the guest's secrets: for the user alone */
	fd = openat(t.dirfd, t.tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(msg, msglen, "cannot save %s: %s", t.shown, strerror(errno));
		return -1;
	}
	if (snap_writer_init(&w, fd))
		goto written;
	w.align = true;		/* a restore maps the RAM runs from the file */

	/* the guest runs: the header, the config, then RAM, pass after pass */
	bool live = snap_live_start(vm, &lc) == 0;

	if (snap_write_prologue(vm, &w, 0) || (live && snap_live_passes(vm, &lc, &w, NULL)))
		goto written;

	/* paused: the disks flushed, the last pages, the state, the end */
	paused_at = now_ns();
	vcpu_pause(vm);
	if (vm_stopping(vm))
		w.err = ESRCH;	/* the guest ended while its RAM was copied */
	else
		r = snap_write_paused(vm, &lc, &w);
	if (!quit)
		vcpu_resume(vm);
	pause = now_ns() - paused_at;
	c->last_passes = lc.passes;
written:
	if (r)
		errno = w.err == ESRCH ? 0 : w.err ? w.err : EIO;
	snap_live_stop(vm, &lc);
	uint64_t bytes = w.bytes;

	snap_writer_free(&w);

	/* on disk, then in place */
	r = r || fsync(fd) || close(fd) || (fd = -1, commit(c, &t, vm->cfg->name)) ||
	    fsync(t.dirfd);
	if (r) {
		snprintf(msg, msglen, "cannot save %s: %s", t.shown,
			 errno ? strerror(errno) : "the VM stopped first");
		if (fd >= 0)
			close(fd);
		unlinkat(t.dirfd, t.tmp, 0);
	}
	/* save-and-quit: the parked guest runs no further (the image stays as saved) */
	if (quit) {
		if (r)
			vm_stop(vm, STOP_ERROR, VMM_EXIT_SETUP, "%s", msg);
		else
			vm_stop(vm, STOP_USER, 0, "snapshot saved; the VM stopped");
		vcpu_resume(vm);
	}
	if (r)
		return -1;
	c->saves++;
	c->last_bytes = bytes;
	c->last_pause_ns = pause;
	c->last_total_ns = now_ns() - t0;
	snprintf(msg, msglen, "saved %s (%.1f MiB; the guest paused %.1f ms)", t.shown,
		 (double)bytes / (1 << 20), (double)pause / 1e6);
	return 0;
}

int snap_save(struct vm *vm, const char *path, char *msg, size_t msglen)
{
	return save(vm, path, false, msg, msglen);
}

/* ---- requests ----------------------------------------------------------- */

int snap_ask(struct vm *vm, const char *path, bool quit, bool migrate,
	     char *msg, size_t msglen)
{
	struct snap_ctl *c = vm->snap;
	uint64_t one = 1;
	int r = -1;

	if (!c) {
		snprintf(msg, msglen, "snapshots are not available");
		return -1;
	}
	pthread_mutex_lock(&c->lock);
	while (c->pending && !c->closed)
		pthread_cond_wait(&c->cond, &c->lock);
	if (c->closed) {
		snprintf(msg, msglen, "no snapshot: the VM has stopped");
		goto out;
	}
	c->pending = true;
	c->done = false;
	c->quit = quit;
	c->migrate = migrate;
	snprintf(c->path, sizeof(c->path), "%s", path ? path : "");
	if (write(c->efd, &one, sizeof(one)) < 0)
		perror("vmm: snapshot request");
	while (!c->done && !c->closed)
		pthread_cond_wait(&c->cond, &c->lock);
	r = c->done ? c->result : -1;
	snprintf(msg, msglen, "%s", c->done ? c->msg : "no snapshot: the VM has stopped");
	c->pending = false;
	pthread_cond_broadcast(&c->cond);
out:
	pthread_mutex_unlock(&c->lock);
	return r;
}

int snap_request(struct vm *vm, const char *path, bool quit, char *msg, size_t msglen)
{
	return snap_ask(vm, path, quit, false, msg, msglen);
}

int snap_request_fd(const struct vm *vm)
{
	return vm->snap ? vm->snap->efd : -1;
}

void snap_serve(struct vm *vm)
{
	struct snap_ctl *c = vm->snap;
	char path[SNAP_PATH_MAX], msg[sizeof(c->msg)];
	uint64_t n;
	bool quit, migrate;

	if (read(c->efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&c->lock);
	if (!c->pending || c->done) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	memcpy(path, c->path, sizeof(path));
	quit = c->quit;
	migrate = c->migrate;
	pthread_mutex_unlock(&c->lock);

	int r = migrate ? snap_migrate_out(vm, path, msg, sizeof(msg)) :
		save(vm, path[0] ? path : NULL, quit, msg, sizeof(msg));

	pthread_mutex_lock(&c->lock);
	c->result = r;
	c->done = true;
	memcpy(c->msg, msg, sizeof(msg));
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

void snap_close_requests(struct vm *vm)
{
	struct snap_ctl *c = vm->snap;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->closed = true;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

void snap_stats(const struct vm *vm, struct json *j)
{
	const struct snap_ctl *c = vm->snap;

	if (!c)
		return;
	json_object_begin(j, "snapshot");
	json_u64(j, "saves", c->saves);
	json_u64(j, "last_bytes", c->last_bytes);
	json_u64(j, "last_passes", c->last_passes);
	json_double(j, "last_pause_ms", (double)c->last_pause_ns / 1e6, 3);
	json_double(j, "last_total_ms", (double)c->last_total_ns / 1e6, 3);
	json_double(j, "restore_ms", (double)c->restore_ns / 1e6, 3);
	/* the file's RAM, checked while the VM ran (verify.c); 0: nothing left to check */
	json_double(j, "restore_verify_ms", (double)c->verify.ns / 1e6, 3);
	json_object_end(j);
	snap_migrate_stats(vm, j);
}
