/* SPDX-License-Identifier: MIT */
/*
 * Snapshots and live migration: the whole VM as one stream, written to a
 * file (Ctrl-A w, {save:FILE}, SIGUSR2) or to a socket (Ctrl-A m,
 * {migrate:TARGET}), and read back by `vmm --restore FILE` or
 * `vmm --incoming SPEC`.  This is everything the rest of vmm uses of
 * vmm/snapshot/; the folder's own files share internal.h (the stream
 * format, the writer and reader, the sections).
 *
 * Saving (save.c, save()): any thread asks (snap_request()); the main
 * thread serves it (snap_serve()): it writes guest RAM while the guest
 * runs, pauses the vCPU, flushes the disks, writes the last pages, the
 * devices and KVM's state, resumes the guest, and syncs and renames the
 * file into place.  Migrating (migrate.c) writes the same stream to a
 * socket, and this VM stops once the destination runs it.
 *
 * Restoring (restore.c): snap_read() checks the whole file before
 * anything is set up (a bad one is status 2); the config comes from it,
 * then the usual set-up steps, with snap_apply() instead of loading a
 * guest.  --incoming: snap_incoming_accept(), then snap_incoming_receive()
 * and snap_apply(), and snap_incoming_confirm() once the vCPU runs.
 *
 * The sandbox allows no open() once the VM runs, so every folder a
 * snapshot may go to and every migration target is named before it.
 */
#ifndef VMM_SNAPSHOT_H
#define VMM_SNAPSHOT_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct json;

#define SNAP_MAX_DIRS		8
#define SNAP_MAX_SOCKETS	8
#define SNAP_MAX_DISKS		2
#define SNAP_PATH_MAX		4096
#define SNAP_MAX_MSRS		512
/* RAM copied while the guest runs: at most this many passes, then the last */
#define SNAP_LIVE_MAX_PASSES	30

/* ---- what a restore holds (struct snap_image) ------------------------- */

struct snap_header {
	uint32_t version;
	char vmm_version[16];	/* NUL-terminated */
	uint64_t ram_bytes;
	uint32_t flags;
};

/* What the disk image was when saved: restore refuses one that changed. */
struct snap_disk_id {
	uint32_t slot;		/* 0 master, 1 slave */
	char path[SNAP_PATH_MAX];
	uint64_t dev, ino, size;
	int64_t mtime_s;
	uint32_t mtime_ns;
};

/*
 * What KVM holds of a VM (kvm_state.c): the vCPU (registers, FPU/XSAVE,
 * XCRs, the MSRs KVM reports as saveable, events, MP state, debug
 * registers, LAPIC) and the machine (both PICs, the IOAPIC, the PIT, the
 * clock).
 */
struct snap_msr {
	uint32_t index;
	uint64_t data;
};

struct snap_vcpu {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;		/* when there is no XSAVE */
	uint32_t xsave_size;		/* 0: fpu holds the FPU state */
	uint8_t *xsave;			/* struct kvm_xsave, xsave_size bytes */
	bool has_xcrs;
	struct kvm_xcrs xcrs;
	uint32_t nmsrs;
	struct snap_msr msrs[SNAP_MAX_MSRS];
	struct kvm_vcpu_events events;
	struct kvm_mp_state mp;
	bool has_debugregs;
	struct kvm_debugregs debugregs;
	struct kvm_lapic_state lapic;
};

struct snap_machine {
	struct kvm_irqchip chip[3];	/* PIC master, PIC slave, IOAPIC */
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock;
};

/* A snapshot file, mapped whole and checked; or an incoming stream. */
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
	bool deferred;			/* RAM's CRCs left for snap_verify_start() */
	int stop_signo;			/* --incoming: the signal that ended the wait */
	uint64_t ram_pages_max;		/* --incoming: RAM pages a stream may bring (0: any) */
};

/* ---- vm->snap ---------------------------------------------------------- */

/*
 * Migration's own (migrate.c): each target named before the sandbox, used
 * once: fd:N's socket, or unix:PATH's that the broker connects
 * (vmm/sock_broker.c, over broker_fd); and the last migration's figures.
 */
struct snap_migration {
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
		uint64_t bytes, pages[SNAP_LIVE_MAX_PASSES + 2];
		uint64_t downtime_ns, total_ns;
		char result[240];
	} last;
};

/* What saving needs besides the VM, and the requests. */
/* verify.c: a restore's file, checked whole while the VM starts */
struct snap_verify {
	bool active, started, stop;
	int verdict;			/* 0 pending, 1 good, -1 corrupt (err) */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	const uint8_t *data;		/* the file's mapping, the thread's */
	size_t len;
	uint64_t t0, ns;		/* when it began, how long it took */
	char path[SNAP_PATH_MAX];
	char err[512];			/* as said when the VM stops */
};

struct snap_ctl {
	char *config_text;		/* config_to_text() at set-up */
	struct {
		const char *path;
		int fd;
	} disk[SNAP_MAX_DISKS];
	int pagemap_fd;			/* /proc/self/pagemap, or -1 */
	/*
	 * KVM's dirty log may be read (no sandbox, or one that allows it
	 * because this VM can migrate): saves then copy RAM while the guest
	 * runs, else they pause it for the whole write.
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

	struct snap_migration mig;

	/* for --stats */
	uint64_t saves, last_bytes, last_pause_ns, last_total_ns;
	uint32_t last_passes;
	uint64_t restore_ns;		/* snap_apply(), when restored */
	/* the file a restore mapped RAM from, to tell a shrink from a crash */
	int source_fd;
	uint64_t source_len;
	struct snap_verify verify;
};

/* ---- set-up (before the sandbox) -------------------------------------- */

/*
 * Sets vm->snap up; home is the folder of NAME-N.snap files.  (Named as
 * it was: the lines around its call in main.c are another change's.)
 */
int snap_init(struct vm *vm, struct snap_ctl *c, const char *home);
void snap_destroy(struct snap_ctl *c);
/*
 * Opens the folder of `file` (a --keys {save:FILE}) for later saves.
 * 0, or -1 after a line on stderr.
 */
int snap_add_dir(struct vm *vm, const char *file);
/* For the sandbox: the folders' fds. */
int snap_dir_fds(const struct vm *vm, int *fds, int max);
/*
 * One later migration to target ("unix:PATH", which the broker connects,
 * vmm/sock_broker.h; or "fd:N").  0, or -1 after a line on stderr.
 */
int snap_migrate_prepare(struct vm *vm, const char *target);
/* How many were named (a VM that can migrate gets KVM's dirty log). */
int snap_migrate_targets(const struct vm *vm);
/* Ctrl-A m's target: unix:NAME.sock in the home folder. */
void snap_default_target(const struct vm *vm, char *buf, size_t len);

/* ---- taking one, or migrating ----------------------------------------- */

/*
 * From any thread but the main one: asks for a snapshot to path (NULL:
 * NAME-N.snap in the home folder) and waits.  quit: the VM stops after a
 * successful save.  0 or -1; msg says what happened either way.
 */
int snap_request(struct vm *vm, const char *path, bool quit, char *msg,
		 size_t msglen);
/*
 * The same for a migration to target (NULL: unix:NAME.sock in the home
 * folder).  0: the destination runs the VM, which stops here.
 */
int snap_migrate_request(struct vm *vm, const char *target, char *msg, size_t msglen);
/* The main thread: the fd to poll, and serving what it signals. */
int snap_request_fd(const struct vm *vm);
void snap_serve(struct vm *vm);
/* The main thread, when the VM stopped: pending requests fail. */
void snap_close_requests(struct vm *vm);
/* The main thread: saves now (SIGUSR2). */
int snap_save(struct vm *vm, const char *path, char *msg, size_t msglen);

/* ---- restoring one ---------------------------------------------------- */

/*
 * Reads and checks the whole file: magic, version, checksums, every
 * section's layout.  0, or -1 after one line on stderr (status 2).
 */
int snap_read(struct snap_image *im, const char *path);
void snap_image_free(struct snap_image *im);
/* The config's RAM matches the header's?  0, or -1 after a line on stderr. */
int snap_check_ram(const struct snap_image *im, uint32_t mem_mib);
/*
 * The images open now are the ones saved (device, inode, size, mtime)?
 * force: only warn.  0, or -1 after a line on stderr.
 */
int snap_check_disks(const struct snap_image *im, const int *fds,
		     const char *const *paths, bool force);
/* RAM, devices, PICs/IOAPIC/PIT, vCPU, clock: before the vCPU runs. */
int snap_apply(struct vm *vm, struct snap_image *im);
/*
 * After snap_apply(), while im's fd is open: RAM mapped from the file
 * stays backed by it, so vm->snap keeps the fd to tell a file that shrank
 * under the VM (KVM_RUN's EFAULT, a host thread's SIGBUS) from a crash.
 */
void snap_keep_source(struct vm *vm, struct snap_image *im);
/* The file shrank?  Then the VM is stopped with a message saying so. */
bool snap_source_shrank(struct vm *vm);
/*
 * verify.c.  After snap_apply(): the RAM sections snap_read() left
 * unchecked are checked on a thread of their own; the caller has the
 * disk images wait for the verdict before any write (snap_ram_verified()).
 * -1: no thread and the check, made at once, failed (said).
 */
int snap_verify_start(struct vm *vm, struct snap_image *im);
/* Waits for the verdict (at once when there is nothing to check). */
bool snap_ram_verified(struct vm *vm);
/* After a bad verdict: what is wrong with the file, as said; else NULL. */
const char *snap_verify_error(const struct vm *vm);
/* Stops the check (a set-up that failed) and lets the file's mapping go. */
void snap_verify_end(struct vm *vm);

/* ---- an incoming migration (vmm --incoming) --------------------------- */

/*
 * Before anything is set up: waits for a source on spec ("unix:PATH":
 * listens there; "fd:N": a listening or connected socket) and reads the
 * header and config into im.  0, or -1 after a line.  Throughout the
 * stream, a stop signal on stop_fd (the signalfd) ends the wait
 * (im->stop_signo), and so does a sender silent for idle_ms.
 */
int snap_incoming_accept(struct snap_image *im, const char *spec, int *fd, int stop_fd,
			 int idle_ms);
/*
 * The rest of the stream into the machine (RAM as it comes), bounded: at
 * most the sender's own SNAP_LIVE_MAX_PASSES passes (and the last) over
 * every page of RAM, and each other section once.  Then snap_apply().
 */
int snap_incoming_receive(struct snap_image *im, struct vm *vm, int fd);
/* Once the vCPU runs: tells the source, and closes fd. */
void snap_incoming_confirm(struct vm *vm, int fd);

/* "snapshot": {...} and "migration": {...} in --stats */
void snap_stats(const struct vm *vm, struct json *j);

#endif
