// SPDX-License-Identifier: MIT
/*
 * QEMU's isa-debug-exit at port 0xf4: writing v ends the VM with status
 * (v << 1) | 1, so the same guest binary reports the same status on both.
 */
#include "../hypercalls/vmm_abi.h"
#include "../vmm/state.h"
#include "../vmm/vm.h"

static void debug_exit_io(void *opaque, struct bus_access *a)
{
	if (!a->write) {
		bus_put(a, 0xffffffff);
		return;
	}
	uint32_t status = ((bus_get(a) << 1) | 1) & 0xff;

	vm_stop(opaque, STOP_GUEST, (int)status,
		"guest wrote %#x to the debug-exit port",
		bus_get(a));
}

static int debug_exit_create(struct vm *vm, void **dev)
{
	if (bus_register(&vm->pio, VMM_DEBUG_EXIT_PORT, 4, debug_exit_io, vm,
			 "debug-exit"))
		return VMM_EXIT_SETUP;
	*dev = vm;	/* no state of its own */
	return 0;
}

const struct device_model debug_exit_device = {
	.name = "debug-exit",
	.create_vm = debug_exit_create,
	.state = state_none,
	.version = 1,
	.reset_ok = true,	/* no state */
};
