// SPDX-License-Identifier: MIT
/*
 * Port 0xABBA: the hypercall doorbell.  The number written is an index
 * into a table of handlers, bounds-checked (the lab's table was not).
 * Arguments and the result travel in registers that KVM syncs into
 * kvm_run with every exit, so a hypercall costs exactly one exit.
 */
#include "../vmm/vm.h"

static int32_t hc_version(void *opaque, const uint32_t arg[4])
{
	(void)opaque;
	(void)arg;
	return VMM_ABI_VERSION;
}

static int32_t hc_exit(void *opaque, const uint32_t arg[4])
{
	vm_stop(opaque, (int)(arg[0] & 0xff), "guest exit hypercall, status %u",
		arg[0] & 0xff);
	return VMM_OK;
}

static void hc_port(void *opaque, struct bus_access *a)
{
	struct vm *vm = opaque;
	struct kvm_regs *r = &vm->run->s.regs.regs;

	if (!a->write) {
		bus_put(a, 0xffffffff);
		return;
	}
	if (a->size != 4 || a->off != 0)
		return;		/* a hypercall is a 32-bit write */

	uint32_t nr = bus_get(a);
	const uint32_t arg[4] = {
		(uint32_t)r->rbx, (uint32_t)r->rcx, (uint32_t)r->rsi, (uint32_t)r->rdi,
	};
	int32_t ret = VMM_E_NOSYS;

	STAT_INC(vm->stats.hypercalls);
	if (nr < VMM_HC_COUNT && vm->hypercalls[nr].fn) {
		STAT_INC(vm->stats.hypercall_nr[nr]);
		ret = vm->hypercalls[nr].fn(vm->hypercalls[nr].opaque, arg);
	} else {
		STAT_INC(vm->stats.hypercall_bad);
	}
	r->rax = (uint32_t)ret;
	vm->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
}

void hypercall_register(struct vm *vm, enum vmm_hypercall nr, hypercall_fn fn,
			void *opaque)
{
	if ((unsigned int)nr < VMM_HC_COUNT) {
		vm->hypercalls[nr].fn = fn;
		vm->hypercalls[nr].opaque = opaque;
	}
}

int hypercall_init(struct vm *vm)
{
	hypercall_register(vm, VMM_HC_VERSION, hc_version, vm);
	hypercall_register(vm, VMM_HC_EXIT, hc_exit, vm);
	return bus_register(&vm->pio, VMM_HC_PORT, 4, hc_port, vm, "hypercall");
}
