/* SPDX-License-Identifier: MIT */
/*
 * Snapshots: the whole VM in one file (format: vmm/snapshot/stream.h), taken
 * while it runs and restored by `vmm --restore FILE`.
 *
 * Taking one.  Any thread may ask (snapshot_request(): the --keys
 * script, Ctrl-A w); the main thread does the work (snapshot_save(), also
 * for SIGUSR2): into a temporary file in the target folder it writes
 * guest RAM while the guest runs, then passes of the pages dirtied
 * meanwhile (vmm/snapshot/live_copy.h; when the sandbox allows the dirty log, else all
 * of it below), parks the vCPU at an exit boundary, flushes the disk
 * images and writes the last pages, the devices (under io_lock, after
 * vm_sync()) and KVM's state; the guest goes on, and the file is synced
 * and renamed into place.  The sandbox allows no open() once the VM runs,
 * so every folder a snapshot may go to is opened before it
 * (snapshot_add_dir()) and files are created relative to it.
 *
 * Restoring one: snapshot_read() checks the whole file before anything is
 * set up (a bad one is status 2); the config comes from it, then the
 * usual set-up steps, with snapshot_apply() instead of loading a guest.
 */
#ifndef VMM_SNAPSHOT_H
#define VMM_SNAPSHOT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "migrate.h"
#include "stream.h"
#include "kvm_state.h"

struct vm;
struct json;

#define SNAP_MAX_DIRS	8
#define SNAP_MAX_SOCKETS	8
#define SNAP_MAX_DISKS	2
#define SNAP_PATH_MAX	4096

/* What the disk image was when saved: restore refuses one that changed. */
struct snap_disk_id {
	uint32_t slot;		/* 0 master, 1 slave */
	char path[SNAP_PATH_MAX];
	uint64_t dev, ino, size;
	int64_t mtime_s;
	uint32_t mtime_ns;
};

/* vm->snap: what saving needs besides the VM, and the requests. */
struct snapshot_ctl {
	char *config_text;		/* config_to_text() at set-up */
	int (*flush_disks)(struct vm *vm);
	int (*lock_disks)(struct vm *vm, bool lock);	/* migration hands them over */
	struct {
		const char *path;
		int fd;
	} disk[SNAP_MAX_DISKS];
	int pagemap_fd;			/* /proc/self/pagemap, or -1 */
	/*
	 * KVM's dirty log may be read (no sandbox, or one that allows it
	 * because this VM can migrate): saves then copy RAM while the guest
	 * runs (vmm/snapshot/live_copy.h), else they pause it for the whole write.
	 */
	bool live;
	uint64_t *file_pages;		/* bitmap: pages a restore mapped from its file */
	struct {
		char *path;		/* as the user wrote it */
		int fd;
	} dir[SNAP_MAX_DIRS];
	int ndirs;
	int home;			/* dir[] index for NAME-N.snap */
	unsigned int next_n;

	/* one request at a time, from any thread to the main thread */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int efd;			/* eventfd: the main thread polls it */
	bool pending, done, closed, quit, migrate;
	int result;
	char path[SNAP_PATH_MAX], msg[256];

	/*
	 * migration (vmm/snapshot/migrate.c): each target named before the sandbox,
	 * used once: fd:N's socket, or unix:PATH's that the broker connects
	 * (vmm/sock_broker.c, over broker_fd)
	 */
	struct {
		char target[SNAP_PATH_MAX + 8];
		int fd;
		bool used;
	} sock[SNAP_MAX_SOCKETS];
	int nsock;
	int broker_fd;
	struct {
		char target[SNAP_PATH_MAX + 8];
		bool tried, done, incoming;
		uint32_t passes;
		uint64_t bytes, pages[LIVE_MAX_PASSES + 2];
		uint64_t downtime_ns, total_ns;
		char result[240];
	} mig;

	/* for --stats */
	uint64_t saves, last_bytes, last_pause_ns, last_total_ns;
	uint32_t last_passes;
	uint64_t restore_ns;		/* snapshot_apply(), when restored */
	/* the file a restore mapped RAM from, to tell a shrink from a crash */
	int source_fd;
	uint64_t source_len;
};

/* ---- set-up (before the sandbox) -------------------------------------- */

/* Sets vm->snap up; home is the folder of NAME-N.snap files. */
int snapshot_init(struct vm *vm, struct snapshot_ctl *c, const char *home);
void snapshot_destroy(struct snapshot_ctl *c);
/*
 * Opens the folder of `file` (a --keys {save:FILE}) for later saves.
 * 0, or -1 after a line on stderr.
 */
int snapshot_add_dir(struct vm *vm, const char *file);
/* For the sandbox: the folders' fds. */
int snapshot_dir_fds(const struct vm *vm, int *fds, int max);

/* ---- taking one ------------------------------------------------------- */

/*
 * From any thread but the main one: asks for a snapshot to path (NULL:
 * NAME-N.snap in the home folder) and waits.  quit: the VM stops after a
 * successful save.  0 or -1; msg says what happened either way.
 */
int snapshot_request(struct vm *vm, const char *path, bool quit, char *msg,
		     size_t msglen);
/* The same for a migration to target (NULL: unix:NAME.sock in the home folder). */
int migrate_request(struct vm *vm, const char *target, char *msg, size_t msglen);
/* Ctrl-A m's target: unix:NAME.sock in the home folder. */
void snapshot_default_target(const struct vm *vm, char *buf, size_t len);
/* The main thread: the fd to poll, and serving what it signals. */
int snapshot_request_fd(const struct vm *vm);
void snapshot_serve(struct vm *vm);
/* The main thread, when the VM stopped: pending requests fail. */
void snapshot_close_requests(struct vm *vm);
/* The main thread: saves now (SIGUSR2 and served requests). */
int snapshot_save(struct vm *vm, const char *path, char *msg, size_t msglen);

/* ---- restoring one ---------------------------------------------------- */

/* A snapshot file, mapped whole and checked. */
struct snap_image {
	const char *path;
	int fd;
	uint8_t *data;			/* the file's mapping */
	size_t len;
	struct {			/* the RAM sections, found by the check */
		const uint8_t *p;
		uint64_t len;
	} *ram;
	uint32_t nram;
	struct snap_header h;
	char *config_text;
	struct snap_disk_id disk[SNAP_MAX_DISKS];
	uint32_t ndisks;
	uint8_t *devices;
	size_t devices_len;
	bool have_vcpu, have_machine, have_devices;
	struct snap_vcpu vcpu;
	struct snap_machine machine;
	uint64_t ram_pages_loaded;
	bool copied;			/* others may write the file: read, not mapped */
	int stop_signo;			/* --incoming: the signal that ended the wait */
	uint64_t ram_pages_max;		/* --incoming: RAM pages a stream may bring (0: any) */
};

/*
 * Reads and checks the whole file: magic, version, checksums, every
 * section's layout.  0, or -1 after one line on stderr (status 2).
 */
int snapshot_read(struct snap_image *im, const char *path);
void snapshot_image_free(struct snap_image *im);
/*
 * One section of a stream, checked; with vm, RAM goes into guest memory
 * (without: only checked against the header's RAM size).  0, or -1 with
 * err.  Shared by file restore, the fuzz harness and migration.
 */
int snapshot_load_section(struct snap_image *im, struct vm *vm, uint32_t type,
			  const uint8_t *p, uint64_t len, char *err, size_t errlen);
/* The config's RAM matches the header's?  0, or -1 after a line on stderr. */
int snapshot_check_ram(const struct snap_image *im, uint32_t mem_mib);
/*
 * The images open now are the ones saved (device, inode, size, mtime)?
 * force: only warn.  0, or -1 after a line on stderr.
 */
int snapshot_check_disks(const struct snap_image *im, const int *fds,
			 const char *const *paths, bool force);
/* RAM, devices, PICs/IOAPIC/PIT, vCPU, clock: before the vCPU runs. */
int snapshot_apply(struct vm *vm, struct snap_image *im);
/*
 * After snapshot_apply(), while im's fd is open: RAM mapped from the file
 * stays backed by it, so vm->snap keeps the fd to tell a file that shrank
 * under the VM (KVM_RUN's EFAULT, a host thread's SIGBUS) from a crash.
 */
void snapshot_keep_source(struct vm *vm, struct snap_image *im);
/* The file shrank?  Then the VM is stopped with a message saying so. */
bool snapshot_source_shrank(struct vm *vm);

/* ---- shared with migration -------------------------------------------- */

/* The header and config: what a receiver sets up from. */
int snapshot_write_prologue(struct vm *vm, struct snap_writer *w, uint32_t flags);
/*
 * As RAM sections: the pages whose bit is set in dirty (zero or not), or
 * (dirty NULL) every page that holds data; *pages counts them.
 */
int snap_write_pages(struct vm *vm, struct snap_writer *w, const uint64_t *dirty,
		     uint64_t *pages);
/*
 * With the vCPU paused and the disks flushed: RAM (dirty, or all), then
 * the disks, devices, vCPU and machine sections, under io_lock.
 */
int snap_write_final(struct vm *vm, struct snap_writer *w, const uint64_t *dirty,
		     uint64_t *pages);
/* Guest RAM as a new VM's: all zero, before a snapshot's RAM goes in. */
int snap_ram_clear(struct vm *vm);
/* Where a RAM section's bytes came from, when it is a mapped file. */
struct snap_ram_src {
	const uint8_t *base;	/* the file's mapping, or its copy in memory */
	int fd;			/* -1: a copy, whose pages are moved, not copied */
};
/*
 * The RAM record's decoder; vm NULL: check only.  With src, page-aligned
 * data is mapped from the file into guest RAM (copy-on-write).  *pages
 * counts the pages the runs cover; past max_pages (0: no bound) a run is
 * refused, as a stream's are once they exceed what a sender sends.
 */
int snap_ram_load(struct vm *vm, uint64_t ram_bytes, const uint8_t *p,
		  uint64_t len, const struct snap_ram_src *src, uint64_t max_pages,
		  uint64_t *pages, char *err, size_t errlen);

/* "snapshot": {...} in --stats */
void snapshot_stats(const struct vm *vm, struct json *j);

#endif
