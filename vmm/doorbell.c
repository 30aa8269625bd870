// SPDX-License-Identifier: MIT
/*
 * Port 0xABBA: the hypercall doorbell.  A 32-bit write of the number;
 * the arguments and the result travel in registers that KVM syncs into
 * kvm_run with every exit, so a hypercall costs exactly one exit.
 */
#include "vm.h"

static int32_t hc_version(void *opaque, const uint32_t arg[4])
{
	(void)opaque;
	(void)arg;
	return VMM_ABI_VERSION;
}

static int32_t hc_exit(void *opaque, const uint32_t arg[4])
{
	vm_stop(opaque, STOP_GUEST, (int)(arg[0] & 0xff),
		"guest exit hypercall, status %u", arg[0] & 0xff);
	return VMM_OK;
}

static void doorbell_io(void *opaque, struct bus_access *a)
{
	struct vm *vm = opaque;
	struct kvm_regs *r = &vm->run->s.regs.regs;

	if (!a->write) {
		bus_put(a, 0xffffffff);
		return;
	}
	if (a->size != 4 || a->off != 0)
		return;		/* a hypercall is a 32-bit write */
	const uint32_t arg[4] = {
		(uint32_t)r->rbx, (uint32_t)r->rcx, (uint32_t)r->rsi, (uint32_t)r->rdi,
	};

	r->rax = (uint32_t)hypercall_dispatch(&vm->hc, bus_get(a), arg);
	vm->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
}

void hypercall_register(struct vm *vm, enum vmm_hypercall nr, hypercall_fn fn,
			void *opaque)
{
	hypercall_set(&vm->hc, nr, fn, opaque);
}

int doorbell_init(struct vm *vm)
{
	hypercall_register(vm, VMM_HC_VERSION, hc_version, vm);
	hypercall_register(vm, VMM_HC_EXIT, hc_exit, vm);
	return bus_register(&vm->pio, VMM_HC_PORT, 4, doorbell_io, vm, "hypercall");
}
