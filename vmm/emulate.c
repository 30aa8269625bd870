// SPDX-License-Identifier: MIT
/*
 * A fallback for the few instructions KVM's own emulator gives up on.
 *
 * On hosts without hardware virtualisation for the guest's mode (nested
 * KVM such as kvm_pvm), every protected-mode instruction is run by KVM's
 * instruction emulator, which cannot do a protected-mode IRET or INT n:
 * the VM would stop with an emulation failure at the first interrupt
 * return of any ordinary PC kernel.  Here we finish those two, for the
 * simple case real kernels use (ring 0 to ring 0, paging off, 32-bit
 * code, no task gates), and resume.  Anything else still stops the VM.
 */
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>

#include "emulate.h"
#include "vm.h"

#define EFLAGS_TF	(1u << 8)
#define EFLAGS_IF	(1u << 9)
#define EFLAGS_NT	(1u << 14)
#define EFLAGS_RF	(1u << 16)
#define EFLAGS_VM	(1u << 17)
/* what IRET may change at CPL 0 (no VM86, no IOPL games needed) */
#define EFLAGS_IRET_MASK 0x00254fd5u
#define GATE_INT32	0xe
#define GATE_TRAP32	0xf

struct cpu {
	struct kvm_regs r;
	struct kvm_sregs s;
};

static void *lin(struct vm *vm, const struct kvm_segment *seg, uint32_t off,
		 uint32_t len)
{
	/* paging is off: linear = physical; the segment's limit still applies */
	if ((uint64_t)off + len - 1 > seg->limit)
		return NULL;
	return gpa_ptr(&vm->mem, (uint32_t)(seg->base + off), len);
}

/* Loads a flat-model code segment from the GDT, as the CPU would. */
static bool load_cs(struct vm *vm, struct cpu *c, uint16_t sel)
{
	if (sel == c->s.cs.selector)
		return true;
	if ((sel & 3) || (sel & 4) || (uint32_t)(sel | 7) > c->s.gdt.limit)
		return false;
	const uint8_t *d = gpa_ptr(&vm->mem, c->s.gdt.base + (sel & ~7u), 8);

	if (!d)
		return false;
	uint32_t lo = d[0] | d[1] << 8 | d[2] << 16 | (uint32_t)d[3] << 24;
	uint32_t hi = d[4] | d[5] << 8 | d[6] << 16 | (uint32_t)d[7] << 24;
	uint8_t type = (hi >> 8) & 0xf;
	bool s = hi & (1u << 12), p = hi & (1u << 15), g = hi & (1u << 23);
	uint32_t limit = (lo & 0xffff) | (hi & 0xf0000);

	if (!s || !p || !(type & 8) || ((hi >> 13) & 3) != 0)
		return false;	/* not a present ring-0 code segment */
	c->s.cs = (struct kvm_segment){
		.base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u),
		.limit = g ? (limit << 12) | 0xfff : limit,
		.selector = sel, .type = type | 1, .present = 1, .dpl = 0,
		.db = (hi >> 22) & 1, .s = 1, .l = 0, .g = g,
	};
	return true;
}

/* The guest's esp may have any alignment: the frame is copied, never cast. */
static bool do_iret(struct vm *vm, struct cpu *c)
{
	uint32_t esp = (uint32_t)c->r.rsp, f[3];
	const void *at = lin(vm, &c->s.ss, esp, sizeof(f));

	if (!at || (c->r.rflags & EFLAGS_NT))
		return false;
	memcpy(f, at, sizeof(f));
	uint32_t eip = f[0], cs = f[1] & 0xffff, fl = f[2];

	if ((cs & 3) || (fl & EFLAGS_VM) || !load_cs(vm, c, (uint16_t)cs))
		return false;	/* only a return to ring 0, protected mode */
	c->r.rip = eip;
	c->r.rflags = (c->r.rflags & ~(uint64_t)EFLAGS_IRET_MASK) |
		      (fl & EFLAGS_IRET_MASK) | 2;
	c->r.rsp = esp + 12;
	return true;
}

static bool do_int(struct vm *vm, struct cpu *c, uint8_t vec, uint32_t len)
{
	if ((uint32_t)vec * 8 + 7 > c->s.idt.limit)
		return false;
	const uint8_t *g = gpa_ptr(&vm->mem, c->s.idt.base + vec * 8u, 8);

	if (!g)
		return false;
	uint32_t off = g[0] | g[1] << 8 | g[6] << 16 | (uint32_t)g[7] << 24;
	uint16_t sel = (uint16_t)(g[2] | g[3] << 8);
	uint8_t type = g[5] & 0xf;
	bool present = g[5] & 0x80;

	if (!present || (type != GATE_INT32 && type != GATE_TRAP32))
		return false;
	uint32_t esp = (uint32_t)c->r.rsp - 12;
	uint32_t f[3] = { (uint32_t)c->r.rip + len, c->s.cs.selector,
			  (uint32_t)c->r.rflags };
	void *at = lin(vm, &c->s.ss, esp, sizeof(f));

	if (!at || !load_cs(vm, c, sel))
		return false;
	memcpy(at, f, sizeof(f));
	c->r.rsp = esp;
	c->r.rip = off;
	c->r.rflags &= ~(uint64_t)(EFLAGS_TF | EFLAGS_NT | EFLAGS_RF);
	if (type == GATE_INT32)
		c->r.rflags &= ~(uint64_t)EFLAGS_IF;
	return true;
}

bool emulate_unsupported(struct vm *vm)
{
	struct cpu c;

	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &c.r) < 0 ||
	    ioctl(vm->vcpu_fd, KVM_GET_SREGS, &c.s) < 0)
		return false;
	/* 32-bit protected mode, paging off, CPL 0: the SDK's world */
	if (!(c.s.cr0 & 1) || (c.s.cr0 & 0x80000000u) || (c.s.efer & 0x400) ||
	    !c.s.cs.db || (c.s.cs.selector & 3))
		return false;
	const uint8_t *insn = lin(vm, &c.s.cs, (uint32_t)c.r.rip, 2);

	if (!insn)
		return false;
	bool ok;

	switch (insn[0]) {
	case 0xcf: ok = do_iret(vm, &c); break;
	case 0xcd: ok = do_int(vm, &c, insn[1], 2); break;
	case 0xcc: ok = do_int(vm, &c, 3, 1); break;
	default: return false;
	}
	if (!ok)
		return false;
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &c.s) < 0 ||
	    ioctl(vm->vcpu_fd, KVM_SET_REGS, &c.r) < 0)
		return false;
	/* the run page's copy is stale now; do not write it back */
	vm->run->kvm_dirty_regs = 0;
	STAT_INC(vm->stats.emulated);
	return true;
}
