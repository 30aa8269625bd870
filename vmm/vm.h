/* SPDX-License-Identifier: MIT */
/*
 * One virtual machine: the KVM file descriptors, guest memory, the two
 * buses, the devices and the counters.  There is one vCPU.
 */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "config.h"
#include "guest_mem.h"
#include "../hypercalls/vmm_abi.h"
#include "stats.h"

/* Exit statuses of the vmm process that are not the guest's own. */
#define VMM_EXIT_USAGE		2	/* bad command line, config or guest file */
#define VMM_EXIT_SETUP		3	/* KVM or host resources unavailable */
#define VMM_EXIT_CRASH		120	/* triple fault, failed entry, KVM error */
#define VMM_EXIT_SIGNAL		123	/* stopped by SIGINT/SIGTERM/SIGHUP */
#define VMM_EXIT_TIMEOUT	124	/* --timeout expired */

struct screen;
struct serial;
struct vga;
struct pv_vga;
struct ata;
struct pv_disk;
struct disk_image;
struct i8042;

/* A hypercall handler gets ebx, ecx, esi, edi and returns eax. */
typedef int32_t (*hypercall_fn)(void *opaque, const uint32_t arg[4]);

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
	 * and by any other thread that replays the coalesced ring or reads
	 * device state.  Never held across KVM_RUN.
	 */
	pthread_mutex_t io_lock;
	/* vmm/iothread.c: drains the coalesced ring while a device waits on it */
	struct {
		pthread_t thread;
		pthread_cond_t cond;	/* waited on with io_lock */
		bool started, stop;
		unsigned int pollers;	/* devices that want the ring drained */
	} iot;
	struct vm_stats stats;
	struct {
		hypercall_fn fn;
		void *opaque;
	} hypercalls[VMM_HC_COUNT];

	pthread_t vcpu_thread;
	bool vcpu_started;
	int stopping;			/* set once, by vm_stop() */
	int wake_fd;			/* eventfd: vm_stop() wakes the main thread */
	int exit_status;
	char exit_note[256];
	uint64_t start_ns;

	struct screen *screen;
	struct serial *serial;
	struct vga *vga;
	struct pv_vga *pv_vga;
	struct ata *ata;
	struct pv_disk *pv_disk;
	struct disk_image *disk[2];	/* master, slave; NULL when absent */
	struct i8042 *kbd;
};

/* vmm/kvm.c: the machine */
int vm_create(struct vm *vm, const struct vm_config *cfg);
void vm_destroy(struct vm *vm);
int vm_map_ram(struct vm *vm, int slot, uint64_t gpa, uint64_t size,
	       bool readonly);
/* host memory that is not guest RAM (the BIOS alias below 4 GiB) as a slot */
int vm_map_host(struct vm *vm, int slot, uint64_t gpa, uint64_t size,
		void *host, bool readonly);
int vm_unmap_slot(struct vm *vm, int slot);
int vm_coalesce(struct vm *vm, uint64_t addr, uint32_t len, bool pio);
void vm_irq_line(struct vm *vm, unsigned int irq, int level);
void vm_dump_regs(struct vm *vm, FILE *f);
uint64_t now_ns(void);

/* vmm/vcpu.c: the exit loop */
/* The thread waits at a gate until vcpu_release(): set up the sandbox between. */
int vcpu_start(struct vm *vm);
void vcpu_release(struct vm *vm);
void vcpu_join(struct vm *vm);
void vcpu_kick(struct vm *vm);
bool vcpu_idle(struct vm *vm, uint64_t *last_exits);
/* The first caller wins: its status and note are what the VM ends with. */
void vm_stop(struct vm *vm, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool vm_stopping(const struct vm *vm);
void coalesced_drain(struct vm *vm);

/*
 * vmm/iothread.c: a thread that replays the coalesced ring while any device
 * asked for it; iothread_poll() is called with io_lock held.
 */
int iothread_start(struct vm *vm);
void iothread_stop(struct vm *vm);
void iothread_poll(struct vm *vm, bool on);

/* hypercalls/hypercall.c: the table behind port 0xABBA */
int hypercall_init(struct vm *vm);
void hypercall_register(struct vm *vm, enum vmm_hypercall nr, hypercall_fn fn,
			void *opaque);

#endif
