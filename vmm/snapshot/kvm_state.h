/* SPDX-License-Identifier: MIT */
/*
 * What KVM holds of a VM: the vCPU (registers, FPU/XSAVE, XCRs, the MSRs
 * KVM reports as saveable, events, MP state, debug registers, LAPIC) and
 * the machine (both PICs, the IOAPIC, the PIT, the clock).
 *
 * Each is collected with KVM's GET ioctls into a plain struct, written as
 * a record (vmm/state.h: every KVM struct as its size and its bytes), and
 * on restore decoded (pure: checked sizes and counts, no KVM; the fuzz
 * harness calls it) and applied with the SET ioctls in the order KVM
 * needs.
 */
#ifndef VMM_SNAPSHOT_VCPU_H
#define VMM_SNAPSHOT_VCPU_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct state;

/*
 * The records' versions (vmm/state.h's scheme; the version leads the
 * section, vmm/snapshot/sections.c): what this vmm writes, the oldest it loads.
 * Every KVM struct is led by its size, so a struct that grows is a new
 * version with the old size still loaded.
 */
#define SNAP_VCPU_VERSION		1
#define SNAP_VCPU_MIN_VERSION		1
#define SNAP_MACHINE_VERSION		1
#define SNAP_MACHINE_MIN_VERSION	1

#define SNAP_MAX_MSRS		512
#define SNAP_XSAVE_MAX		(64u << 10)

struct snap_msr {
	uint32_t index;
	uint64_t data;
};

struct snap_vcpu {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;		/* when there is no XSAVE */
	uint32_t xsave_size;		/* 0: fpu holds the FPU state */
	uint8_t *xsave;			/* struct kvm_xsave, xsave_size bytes */
	bool has_xcrs;
	struct kvm_xcrs xcrs;
	uint32_t nmsrs;
	struct snap_msr msrs[SNAP_MAX_MSRS];
	struct kvm_vcpu_events events;
	struct kvm_mp_state mp;
	bool has_debugregs;
	struct kvm_debugregs debugregs;
	struct kvm_lapic_state lapic;
};

struct snap_machine {
	struct kvm_irqchip chip[3];	/* PIC master, PIC slave, IOAPIC */
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock;
};

/*
 * Before the sandbox: which MSRs KVM can save, and the XSAVE size.  0, or
 * -1 after a line on stderr.
 */
int snap_kvm_probe(struct vm *vm);

/* With the vCPU paused (vcpu_pause) or not yet run: 0, or -1 and errno. */
int snap_vcpu_get(struct vm *vm, struct snap_vcpu *v);
int snap_machine_get(struct vm *vm, struct snap_machine *m);

/* The record, both ways (one walker, vmm/state.h); loading checks bounds. */
int snap_vcpu_state(struct state *s, struct snap_vcpu *v);
int snap_machine_state(struct state *s, struct snap_machine *m);
void snap_vcpu_free(struct snap_vcpu *v);

/*
 * Before the vCPU first runs.  0, or -1 with what KVM refused in err
 * (a value from the snapshot it does not accept).
 */
int snap_vcpu_set(struct vm *vm, const struct snap_vcpu *v, char *err, size_t errlen);
/* The PICs, IOAPIC and PIT: before snap_vcpu_set(). */
int snap_machine_set(struct vm *vm, const struct snap_machine *m, char *err,
		     size_t errlen);
/* The clock: last. */
int snap_clock_set(struct vm *vm, const struct snap_machine *m, char *err,
		   size_t errlen);

#endif
