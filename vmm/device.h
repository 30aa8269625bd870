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
	 * Optional.  Saves or loads the device's state (vmm/state.h): one
	 * function for both directions.  On load the device checks every
	 * value as it would a guest's and returns -1 when one is impossible.
	 */
	int (*state)(void *dev, struct state *s);
};

/* The instance of type t in this VM, or NULL when it has none. */
void *vm_device(const struct vm *vm, const struct device_model *t);

#endif
