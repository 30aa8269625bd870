/* SPDX-License-Identifier: MIT */
/*
 * What a device is to the machine, and what the machine is to a device.
 * Every device file under devices/ defines one `const struct device_model`
 * and is listed once in devices/table.h; main builds the devices in that
 * order and tears them down in reverse.
 *
 * A device sees the machine only through the `struct device_host` its
 * create() is handed: the config, checked guest memory, the buses, the
 * disk images, and the services below (IRQ lines, I/O-thread polling,
 * stop and reset requests...).  It never sees `struct vm`, so a test
 * builds a device against a fake host of its own (test/unit/test_device_host.c).
 * A device finds another one it needs (PV VGA needs the VGA) with
 * dev_find(), never through a global.
 */
#ifndef VMM_DEVICE_H
#define VMM_DEVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../hypercalls/hypercall.h"
#include "bus.h"
#include "guest_mem.h"

struct json;
struct state;
struct screen;
struct vm_config;
struct vm_stats;
struct disk_image;
struct device_model;

/*
 * Exit statuses of the vmm process that are not the guest's own.  Apart
 * from 2 they sit where timeout(1) keeps its own (124-126), far from the
 * small numbers guests and examples return, so that "the guest said 3"
 * can never mean "vmm could not run it".
 */
#define VMM_EXIT_USAGE		2	/* bad command line, config or guest file */
#define VMM_EXIT_SETUP		125	/* vmm failed: a host resource, a snapshot to write */
#define VMM_EXIT_NO_KVM		126	/* KVM unavailable: device, permission, capability */
#define VMM_EXIT_CRASH		120	/* triple fault, failed entry, KVM error */
#define VMM_EXIT_SIGNAL		123	/* stopped by SIGINT/SIGTERM/SIGHUP */
#define VMM_EXIT_TIMEOUT	124	/* --timeout expired */
#define VMM_EXIT_MIGRATED	121	/* the VM now runs in another vmm */

/* KVM memory slots, in one list so that no two users take the same one. */
enum vm_slot {
	SLOT_LOW_RAM,		/* [0, 640 KiB) */
	SLOT_HIGH_RAM,		/* [768 KiB, end of RAM) */
	SLOT_VGA_TEXT,		/* 0xb8000, vga.strategy = "ram" */
	SLOT_FIRMWARE_ALIAS,	/* the BIOS below 4 GiB, read only */
	SLOT_VGA_PLANES,	/* 0xa0000, the VGA BIOS's font (with a firmware) */
};

#define DEV_MAX_DISKS 2

/*
 * What the machine does for its devices.  Any member may be NULL (a fake
 * host in a test leaves out what it does not watch): the dev_*() helpers
 * then do nothing.  ctx is the host's own (the VM, in vmm).
 */
struct device_host_ops {
	/* one of the 16 ISA IRQ lines of the in-kernel irqchip */
	void (*irq_set)(void *ctx, unsigned int irq, int level);
	/* writes to the range queue in the coalesced ring (vm_coalesce_pio()) */
	bool (*coalesce_pio)(void *ctx, uint16_t port, uint32_t len);
	int (*coalesce_mmio)(void *ctx, uint64_t gpa, uint32_t len);
	/* host memory (NULL: the guest RAM at gpa) as a KVM slot (enum vm_slot) */
	int (*map)(void *ctx, int slot, uint64_t gpa, uint64_t size, void *host,
		   bool readonly);
	/* the I/O thread drains the ring while a device waits on it; counted */
	void (*poll)(void *ctx, bool on);
	/* io_lock, for a device's own thread (a timer) */
	void (*lock)(void *ctx, bool take);
	/* the guest ended the VM (status), or asked for a reset (how) */
	void (*stop)(void *ctx, int status, const char *note);
	void (*reset)(void *ctx, const char *how);
	/* what a later reset ends with: a status and a note (firmware's "why") */
	void (*reset_note)(void *ctx, int status, const char *why);
	bool (*stopping)(void *ctx);
	void (*hypercall)(void *ctx, enum vmm_hypercall nr, hypercall_fn fn,
			  void *opaque);
	void *(*find)(void *ctx, const struct device_model *t);
};

struct device_host {
	const struct vm_config *cfg;
	int verbose;
	struct guest_mem *mem;		/* through dev_mem_*(): checked */
	struct bus *pio, *mmio;		/* through dev_register_*() */
	struct screen *screen;		/* what the VGA draws on */
	struct vm_stats *stats;		/* the disk images count their I/O here */
	/*
	 * The images as configured (master, slave; NULL when absent), opened
	 * before the machine (devices/disk.c).  The device that drives them
	 * flushes them and hands their locks over (.flush, .hold below).
	 */
	struct disk_image *disk[DEV_MAX_DISKS];
	const struct device_host_ops *ops;
	void *ctx;
};

struct device_model {
	const char *name;	/* unique; the device's key in --stats */
	/*
	 * Builds the device for h->cfg and registers its ranges.  Returns 0
	 * with *dev set (NULL when the config leaves this device out), or a
	 * VMM_EXIT_* status after one line on stderr.
	 */
	int (*create)(struct device_host *h, void **dev);
	void (*destroy)(void *dev);
	/*
	 * Optional.  Brings the device up to date with guest memory it does
	 * not see stores to (the VGA's "ram" strategy); io_lock is held.
	 */
	void (*sync)(void *dev);
	/* Optional.  The device's own counters, as members of a JSON object. */
	void (*stats)(const void *dev, struct json *j);
	/*
	 * Saves or loads the device's state (vmm/state.h): one function for
	 * both directions; vm_devices_save() refuses a VM with a device
	 * that has none (state_none() is the empty record).  The rules:
	 *  - Guest-visible state only: what the config, the host files and
	 *    guest RAM already give is not saved (at most checked, as the
	 *    firmware checks its image); --stats counters are not saved.
	 *  - On load every value is checked as a guest's would be, against
	 *    each other too (a phase must agree with its counters); anything
	 *    impossible returns -1 and leaves the device as it was
	 *    (state_fields() does that part).
	 *  - IRQ lines: a device saves the level it last gave dev_irq_set()
	 *    and loads it back WITHOUT calling dev_irq_set().  The in-kernel
	 *    irqchip, which the snapshot restores, already holds what that
	 *    level did (PIC IRR/ISR and edge latch, IOAPIC IRR); asserting it
	 *    again would inject a second interrupt through an edge-triggered
	 *    IOAPIC pin.  KVM's per-source record of the line starts low in
	 *    a new VM, and the device's next change (a fall, for a line that
	 *    was high) puts the two back in step.
	 *  - After a load the device makes what the host holds follow the
	 *    loaded state: the screen, I/O-thread polling, timers (.loaded).
	 * Called with io_lock held, after vm_sync().  Most devices give
	 * .fields and .size, the walk state_fields() runs on a copy of the
	 * device (so a refused record leaves it as it was); .state is for a
	 * record that is not the device's own struct (a check, a cursor).
	 */
	int (*fields)(void *dev, struct state *s);
	size_t size;
	void (*loaded)(void *dev);	/* optional: after a load that took */
	int (*state)(void *dev, struct state *s);
	/*
	 * The version of the record .state writes (every device says; 1 to
	 * begin with) and the oldest it still loads (0: version 1).  A field
	 * added later is walked with STATE_SINCE() (vmm/state.h), which bumps
	 * version; raising min_version breaks the snapshots users keep, and
	 * the ones under test/data/snapshots/ (DEVELOPERS.md says how).
	 */
	unsigned int version, min_version;
	/*
	 * A snapshot without this device's record (from a vmm before the
	 * device existed, or before it was in this config) leaves it as
	 * create() built it: true only where that reset state is what such a
	 * guest saw.  Else the restore is refused, naming the device.
	 */
	bool reset_ok;
	/*
	 * Optional, for a device that keeps host files the guest writes (the
	 * disk images): every acknowledged write to stable storage before a
	 * snapshot or at exit; and the files' locks, dropped while a
	 * migration's destination takes them and taken back if it fails.
	 * 0, or -1 when one failed.
	 */
	int (*flush)(void *dev);
	int (*hold)(void *dev, bool lock);
};

/* CLOCK_MONOTONIC in nanoseconds (vmm/kvm.c), for a device's own timer */
uint64_t now_ns(void);

/*
 * The services.  h may be NULL (a device built alone, in a unit test):
 * registering then claims nothing and every request is dropped.
 */

/* bus_register() on the port or MMIO bus: 0, or -1 */
static inline int dev_register_pio(struct device_host *h, uint64_t base,
				   uint64_t len, bus_handler fn, void *opaque,
				   const char *name)
{
	return h && h->pio ? bus_register(h->pio, base, len, fn, opaque, name) : 0;
}

static inline int dev_register_mmio(struct device_host *h, uint64_t base,
				    uint64_t len, bus_handler fn, void *opaque,
				    const char *name)
{
	return h && h->mmio ? bus_register(h->mmio, base, len, fn, opaque, name) : 0;
}

static inline void dev_irq_set(struct device_host *h, unsigned int irq, int level)
{
	if (h && h->ops && h->ops->irq_set)
		h->ops->irq_set(h->ctx, irq, level);
}

/* false (quietly) when the host cannot: every write then exits */
static inline bool dev_coalesce_pio(struct device_host *h, uint16_t port,
				    uint32_t len)
{
	return h && h->ops && h->ops->coalesce_pio &&
	       h->ops->coalesce_pio(h->ctx, port, len);
}

/* 0, or -1 after a line on stderr */
static inline int dev_coalesce_mmio(struct device_host *h, uint64_t gpa,
				    uint32_t len)
{
	return h && h->ops && h->ops->coalesce_mmio ?
	       h->ops->coalesce_mmio(h->ctx, gpa, len) : 0;
}

static inline int dev_map(struct device_host *h, int slot, uint64_t gpa,
			  uint64_t size, void *host, bool readonly)
{
	return h && h->ops && h->ops->map ?
	       h->ops->map(h->ctx, slot, gpa, size, host, readonly) : 0;
}

/*
 * Guest RAM at [gpa, gpa + size) as its own slot (the VGA window in the
 * hole): where it is in this process, or NULL when it is not RAM or the
 * slot could not be set.
 */
static inline void *dev_map_ram(struct device_host *h, int slot, uint64_t gpa,
				uint64_t size)
{
	if (!h || !h->mem || gpa > h->mem->size || size > h->mem->size - gpa ||
	    dev_map(h, slot, gpa, size, NULL, false))
		return NULL;
	return h->mem->base + gpa;
}

/* Each on is matched by one off: the requests are counted. */
static inline void dev_poll_request(struct device_host *h, bool on)
{
	if (h && h->ops && h->ops->poll)
		h->ops->poll(h->ctx, on);
}

static inline void dev_lock(struct device_host *h)
{
	if (h && h->ops && h->ops->lock)
		h->ops->lock(h->ctx, true);
}

static inline void dev_unlock(struct device_host *h)
{
	if (h && h->ops && h->ops->lock)
		h->ops->lock(h->ctx, false);
}

static inline void dev_stop(struct device_host *h, int status, const char *note)
{
	if (h && h->ops && h->ops->stop)
		h->ops->stop(h->ctx, status, note);
}

static inline void dev_reset(struct device_host *h, const char *how)
{
	if (h && h->ops && h->ops->reset)
		h->ops->reset(h->ctx, how);
}

static inline void dev_reset_note(struct device_host *h, int status, const char *why)
{
	if (h && h->ops && h->ops->reset_note)
		h->ops->reset_note(h->ctx, status, why);
}

static inline bool dev_stopping(struct device_host *h)
{
	return h && h->ops && h->ops->stopping && h->ops->stopping(h->ctx);
}

static inline void dev_hypercall(struct device_host *h, enum vmm_hypercall nr,
				 hypercall_fn fn, void *opaque)
{
	if (h && h->ops && h->ops->hypercall)
		h->ops->hypercall(h->ctx, nr, fn, opaque);
}

/* The instance of type t in this machine, or NULL (built after, or absent). */
static inline void *dev_find(struct device_host *h, const struct device_model *t)
{
	return h && h->ops && h->ops->find ? h->ops->find(h->ctx, t) : NULL;
}

/* Image i (0 master, 1 slave), or NULL. */
static inline struct disk_image *dev_disk(const struct device_host *h, unsigned int i)
{
	return h && i < DEV_MAX_DISKS ? h->disk[i] : NULL;
}

/*
 * Guest memory, checked as gpa_ptr() checks it (the whole range in RAM,
 * computed without overflow): a pointer, or NULL.  Without memory, NULL.
 */
static inline void *dev_mem(struct device_host *h, uint64_t gpa, uint64_t len)
{
	return h && h->mem ? gpa_ptr(h->mem, gpa, len) : NULL;
}

/* Copies to or from guest memory: 0, or -1 (and nothing copied) outside RAM. */
static inline int dev_mem_read(struct device_host *h, uint64_t gpa, void *buf,
			       uint64_t len)
{
	const void *p = dev_mem(h, gpa, len);

	if (!p)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

static inline int dev_mem_write(struct device_host *h, uint64_t gpa,
				const void *buf, uint64_t len)
{
	void *p = dev_mem(h, gpa, len);

	if (!p)
		return -1;
	memcpy(p, buf, len);
	return 0;
}

/* Walks dev's record (vmm/state.h) as its model says: 0, or -1. */
int device_state(const struct device_model *m, void *dev, struct state *s);

#endif
