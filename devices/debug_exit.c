// SPDX-License-Identifier: MIT
/*
 * QEMU's isa-debug-exit at port 0xf4: writing v ends the VM with status
 * (v << 1) | 1, so the same guest binary reports the same status on both.
 */
#include <stdio.h>

#include "../hypercalls/vmm_abi.h"
#include "../vmm/device.h"
#include "../vmm/state.h"

static void debug_exit_io(void *opaque, struct bus_access *a)
{
	if (!a->write) {
		bus_put(a, 0xffffffff);
		return;
	}
	uint32_t status = ((bus_get(a) << 1) | 1) & 0xff;
	char note[64];

	snprintf(note, sizeof(note), "guest wrote %#x to the debug-exit port",
		 bus_get(a));
	dev_stop(opaque, (int)status, note);
}

static int debug_exit_create(struct device_host *h, void **dev)
{
	if (dev_register_pio(h, VMM_DEBUG_EXIT_PORT, 4, debug_exit_io, h,
			     "debug-exit"))
		return VMM_EXIT_SETUP;
	*dev = h;	/* no state of its own */
	return 0;
}

const struct device_model debug_exit_device = {
	.name = "debug-exit",
	.create = debug_exit_create,
	.state = state_none,
	.version = 1,
	.reset_ok = true,	/* no state */
};
