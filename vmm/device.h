/* SPDX-License-Identifier: MIT */
/*
 * What a device is to the machine.  Every device file under devices/
 * defines one `const struct device_model` and is listed once in
 * devices/table.h; main builds the devices in that order and tears them
 * down in reverse.  A device finds another one it needs (PV VGA needs the
 * VGA, the UI's input needs the keyboard) with vm_device(), never through
 * a global.
 */
#ifndef VMM_DEVICE_H
#define VMM_DEVICE_H

#include <stdbool.h>

struct vm;
struct json;
struct state;

struct device_model {
	const char *name;	/* unique; the device's key in --stats */
	/*
	 * Builds the device for vm->cfg and registers its ranges.  Returns 0
	 * with *dev set (NULL when the config leaves this device out), or a
	 * VMM_EXIT_* status after one line on stderr.
	 */
	int (*create)(struct vm *vm, void **dev);
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
	 *  - IRQ lines: a device saves the level it last gave vm_irq_line()
	 *    and loads it back WITHOUT calling vm_irq_line().  The in-kernel
	 *    irqchip, which the snapshot restores, already holds what that
	 *    level did (PIC IRR/ISR and edge latch, IOAPIC IRR); asserting it
	 *    again would inject a second interrupt through an edge-triggered
	 *    IOAPIC pin.  KVM's per-source record of the line starts low in
	 *    a new VM, and the device's next change (a fall, for a line that
	 *    was high) puts the two back in step.
	 *  - After a load the device makes what the host holds follow the
	 *    loaded state: the screen, I/O-thread polling, timers.
	 * Called with io_lock held, after vm_sync().
	 */
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
};

/* The instance of type t in this VM, or NULL when it has none. */
void *vm_device(const struct vm *vm, const struct device_model *t);

#endif
