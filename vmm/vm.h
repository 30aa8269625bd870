/* SPDX-License-Identifier: MIT */
/*
 * One virtual machine: the KVM file descriptors, guest memory, the two
 * buses, the devices built from devices/table.h, the screen they draw on
 * and the counters.  There is one vCPU.
 */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../hypercalls/hypercall.h"
#include "bus.h"
#include "config.h"
#include "device.h"
#include "guest_mem.h"
#include "screen.h"
#include "stats.h"


/* Who ended the VM; --stats reports it as "stop": {"by": ...}. */
enum vm_stop_by {
	STOP_GUEST,		/* exit hypercall, debug-exit port, power off */
	STOP_HALT,		/* halted for good (interrupts disabled) */
	STOP_RESET,		/* asked for a reset: vmm does not reboot */
	STOP_CRASH,		/* triple fault, failed entry, KVM error */
	STOP_SIGNAL,		/* SIGINT/SIGTERM/SIGHUP, a closed stdout */
	STOP_TIMEOUT,		/* --timeout */
	STOP_USER,		/* Ctrl-A x in the terminal UI */
	STOP_ERROR,		/* vmm itself failed */
	STOP_MIGRATED,		/* the VM went on in another vmm (vmm/snapshot/migrate.c) */
};
/* "guest", "crash", "signal", "timeout", "user", "error" or "migrated": who */
const char *vm_stop_name(enum vm_stop_by by);
/* how the guest ended it: "exit", "halt" or "reset"; NULL for the others */
const char *vm_stop_how(enum vm_stop_by by);

#define VM_MAX_DEVICES 24


struct disk_image;
struct snap_ctl;
struct state;

/* vmm/vcpu.c's own state: the thread, the gate before the first KVM_RUN, kicks */
struct vcpu_ctl {
	pthread_t thread;
	bool started;
	/*
	 * Kicks come from any thread while the main thread may be joining
	 * the vCPU: a kick is sent only while the thread says, under
	 * kick_lock, that it is alive, so pthread_kill() never reaches a
	 * joined thread.
	 */
	pthread_mutex_t kick_lock;
	bool alive;
	/*
	 * vcpu_pause(): a thread that reads or sets vCPU state (a snapshot)
	 * asks, kicks, and waits on pause_cond (with kick_lock) until the
	 * thread parks out of KVM_RUN at an exit boundary; vcpu_resume()
	 * lets it go on.
	 */
	pthread_cond_t pause_cond;
	bool pause_req, paused;
	/* The thread exists before the sandbox, but runs no guest code until released. */
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_cond;
	bool gate_open, gate_reached;
	/*
	 * When each IRQ line a device raised went up (0: down), written by
	 * vm_irq_line() under io_lock, read by vcpu_nudge() on the main thread.
	 */
	uint64_t irq_up_ns[16];
};

struct vm {
	const struct vm_config *cfg;
	int verbose;

	int kvm_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	struct kvm_coalesced_mmio_ring *ring;	/* NULL until a zone is registered */

	struct guest_mem mem;
	struct bus pio, mmio;
	/*
	 * Held while a device is touched: by the vCPU thread around each exit,
	 * and by any other thread that brings devices up to date (vm_sync())
	 * or reads device state.  Never held across KVM_RUN or a blocking call.
	 */
	pthread_mutex_t io_lock;
	/* vmm/iothread.c: drains the coalesced ring while a device waits on it */
	struct {
		pthread_t thread;
		pthread_cond_t cond;	/* waited on with io_lock */
		bool started, stop;
		unsigned int pollers;	/* devices that want the ring drained */
	} iot;
	struct vcpu_ctl vcpu;
	struct vm_stats stats;
	struct hypercall_table hc;

	int stopping;			/* set once, by vm_stop() */
	int wake_fd;			/* eventfd: vm_stop() wakes the main thread */
	int exit_status;
	enum vm_stop_by stop_by;
	char exit_note[256];
	/* what a reset request ends with (vmm does not reboot); see vm_request_reset() */
	struct {
		int status;
		char why[192];
	} reset;
	uint64_t start_ns;

	struct screen screen;		/* what the VGA shows */
	/* all the devices see of the VM, the disk images too (vmm/device.h) */
	struct device_host host;
	/* built from devices/table.h, in order; dev is NULL when left out */
	struct vm_device {
		const struct device_model *model;
		void *dev;
	} devices[VM_MAX_DEVICES];
	int ndevices;
	struct snap_ctl *snap;	/* vmm/snapshot/save.c; NULL: no snapshots */
	int stats_dirfd;		/* --stats FILE's folder (stats.h), -1 */
};

/* vmm/kvm.c: the machine; vm_init() first, vm_destroy() undoes both */
void vm_init(struct vm *vm);
/*
 * /dev/kvm, checked for the API and capabilities vmm needs: 0, or
 * VMM_EXIT_NO_KVM after one line.  vm_create() calls it unless done.
 */
int vm_open_kvm(struct vm *vm);
/* 0, or VMM_EXIT_NO_KVM / VMM_EXIT_SETUP after one line on stderr */
int vm_create(struct vm *vm, const struct vm_config *cfg);
void vm_destroy(struct vm *vm);
int vm_map_ram(struct vm *vm, int slot, uint64_t gpa, uint64_t size,
	       bool readonly);
/* host memory that is not guest RAM (the BIOS alias below 4 GiB) as a slot */
int vm_map_host(struct vm *vm, int slot, uint64_t gpa, uint64_t size,
		void *host, bool readonly);
/* KVM's dirty log on the RAM slots, for a VM that will read it (before the guest runs) */
int vm_dirty_log_start(struct vm *vm);
/* The RAM pages the guest dirtied since the last call (KVM's log), ORed into bitmap */
int vm_get_dirty(struct vm *vm, uint64_t *bitmap);
int vm_coalesce(struct vm *vm, uint64_t addr, uint32_t len, bool pio);
/*
 * Writes to these ports queue in the coalesced ring instead of exiting;
 * they reach the device, in order, at the next exit or vm_sync().  For
 * registers whose writes need no answer before the guest's next access.
 * False (quietly: every access then exits) without KVM_CAP_COALESCED_PIO.
 */
bool vm_coalesce_pio(struct vm *vm, uint16_t port, uint32_t len);
/* A device drives one of the 16 ISA IRQ lines (the in-kernel irqchip's). */
void vm_irq_line(struct vm *vm, unsigned int irq, int level);
/* false: the registers could not be read, or KVM no longer has them */
bool vm_dump_regs(struct vm *vm, FILE *f);

/* vmm/devices.c: building, finding and tearing down the device table */
/* The instance of type t in this VM, or NULL when it has none. */
void *vm_device(const struct vm *vm, const struct device_model *t);
/* vm->host, for the devices (and devices/disk.c before them); vm_init() calls it */
void vm_host_init(struct vm *vm);
int vm_add_devices(struct vm *vm, const struct device_model *const *table,
		   int n);
void vm_remove_devices(struct vm *vm);
/*
 * The state of every present device, in table order, appended to out (a state
 * set up with state_init_save()); the layout is in vmm/devices.c.  Calls
 * vm_sync() first: io_lock must be held.  0, or -1 after a line on stderr.
 */
int vm_devices_save(struct vm *vm, struct state *out);
/*
 * Loads what vm_devices_save() wrote into this VM's devices, each record
 * found by name, after checking every record (known, present here, a
 * version its model loads) and every device without one (.reset_ok).
 * 0, or -1 after
 * a line on stderr naming the device; the devices before it may then
 * hold loaded state, so a VM whose load failed must not run.
 */
int vm_devices_load(struct vm *vm, const void *buf, size_t len);
/*
 * The devices' .flush and .hold (the disk images): 0, or -1 when one
 * failed, after trying every device.
 */
int vm_devices_flush(struct vm *vm);
int vm_devices_hold(struct vm *vm, bool lock);
/*
 * Brings devices up to date: replays the coalesced ring, then each
 * device's sync hook.  Called with io_lock held; see vmm/devices.c for
 * the threads that do.
 */
void vm_sync(struct vm *vm);
/* vm_sync() under io_lock, for threads that do not hold it. */
void vm_sync_locked(struct vm *vm);

/* vmm/vcpu.c: the exit loop */
/* The thread waits at a gate until vcpu_release(): set up the sandbox between. */
int vcpu_start(struct vm *vm);
void vcpu_release(struct vm *vm);
void vcpu_join(struct vm *vm);
void vcpu_kick(struct vm *vm);
/*
 * Parks the vCPU thread out of KVM_RUN with every exit it took completed
 * (the guest state is then whole: registers, pending I/O).  Returns at
 * once when the thread is not running.  Not from the vCPU thread.
 */
void vcpu_pause(struct vm *vm);
void vcpu_resume(struct vm *vm);
bool vcpu_idle(struct vm *vm, uint64_t *last_exits);
/* Kicks the vCPU while an interrupt waits to be taken (see vcpu.c); main calls it. */
#define NUDGE_MS	1
#define NUDGE_FOR_NS	10000000000ull
bool vcpu_nudge(struct vm *vm);
/* The first caller wins: who, the status and the note are what the VM ends with. */
void vm_stop(struct vm *vm, enum vm_stop_by by, int status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool vm_stopping(const struct vm *vm);
/* The guest asked for a reset (how: "8042 pulse 0xfe"): the VM stops. */
void vm_request_reset(struct vm *vm, const char *how);

/*
 * vmm/iothread.c: a thread that replays the coalesced ring while any device
 * asked for it; iothread_poll() is called with io_lock held.
 */
int iothread_start(struct vm *vm);
void iothread_stop(struct vm *vm);
void iothread_poll(struct vm *vm, bool on);

/* vmm/doorbell.c: port 0xABBA and the hypercalls that are the machine's own */
int doorbell_init(struct vm *vm);
void hypercall_register(struct vm *vm, enum vmm_hypercall nr, hypercall_fn fn,
			void *opaque);

#endif
