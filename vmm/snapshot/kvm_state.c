// SPDX-License-Identifier: MIT
/*
 * KVM's part of a snapshot (see internal.h).  The restore order
 * follows what each SET ioctl depends on: special registers (CR0, EFER,
 * the APIC base) before the general ones; FPU, XCRs; the MSRs; the MP
 * state and LAPIC once the APIC base is set; the TSC deadline after the
 * LAPIC (setting the LAPIC rearms its timer); pending events last, since
 * every earlier SET may clear them.  The PICs and IOAPIC come before the
 * vCPU, the clock after everything.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../state.h"
#include "../vm.h"
#include "internal.h"

#define MSR_IA32_TSC_DEADLINE	0x6e0

/* Probed once before the sandbox: KVM's list needs the /dev/kvm fd. */
static struct {
	uint32_t nmsrs;
	uint32_t msrs[SNAP_MAX_MSRS];
	uint32_t xsave_size;	/* 0: no XSAVE */
	bool xsave2, xcrs, debugregs;
} kp;

static int kvm_cap(struct vm *vm, int cap)
{
	int r = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, cap);

	return r > 0 ? r : 0;
}

/* struct kvm_msrs with room for every MSR we save */
static struct kvm_msrs *msrs_alloc(void)
{
	return calloc(1, sizeof(struct kvm_msrs) +
			 SNAP_MAX_MSRS * sizeof(struct kvm_msr_entry));
}

int snap_kvm_probe(struct vm *vm)
{
	struct kvm_msr_list *l = calloc(1, sizeof(*l) + SNAP_MAX_MSRS * sizeof(uint32_t));

	if (!l)
		return -1;
	l->nmsrs = SNAP_MAX_MSRS;
	if (ioctl(vm->kvm_fd, KVM_GET_MSR_INDEX_LIST, l) < 0) {
		fprintf(stderr, "vmm: KVM_GET_MSR_INDEX_LIST: %s\n", strerror(errno));
		free(l);
		return -1;
	}
	kp.nmsrs = l->nmsrs;
	memcpy(kp.msrs, l->indices, kp.nmsrs * sizeof(uint32_t));
	free(l);
	if (kvm_cap(vm, KVM_CAP_XSAVE)) {
		int x2 = kvm_cap(vm, KVM_CAP_XSAVE2);

		kp.xsave2 = x2 > (int)sizeof(struct kvm_xsave);
		kp.xsave_size = kp.xsave2 ? (uint32_t)x2 : sizeof(struct kvm_xsave);
		if (kp.xsave_size > SNAP_XSAVE_MAX) {
			fprintf(stderr, "vmm: XSAVE area of %u bytes: too large\n",
				kp.xsave_size);
			return -1;
		}
	}
	kp.xcrs = kvm_cap(vm, KVM_CAP_XCRS);
	kp.debugregs = kvm_cap(vm, KVM_CAP_DEBUGREGS);
	return 0;
}

/* KVM_GET_MSRS stops at the first MSR it cannot read: skip it, go on. */
static int get_msrs(struct vm *vm, struct snap_vcpu *v)
{
	struct kvm_msrs *m = msrs_alloc();
	uint32_t i = 0;
	int ret = -1;

	v->nmsrs = 0;
	while (m && i < kp.nmsrs) {
		uint32_t n = kp.nmsrs - i;

		m->nmsrs = n;
		for (uint32_t k = 0; k < n; k++)
			m->entries[k] = (struct kvm_msr_entry){ .index = kp.msrs[i + k] };
		int got = ioctl(vm->vcpu_fd, KVM_GET_MSRS, m);

		if (got < 0)
			goto out;
		for (int k = 0; k < got; k++)
			v->msrs[v->nmsrs++] = (struct snap_msr){ m->entries[k].index,
								 m->entries[k].data };
		i += (uint32_t)got + 1;		/* the one after the refused one */
	}
	ret = m ? 0 : -1;
out:
	free(m);
	return ret;
}

static int get_fpu(struct vm *vm, struct snap_vcpu *v)
{
	if (!kp.xsave_size) {
		v->xsave_size = 0;
		return ioctl(vm->vcpu_fd, KVM_GET_FPU, &v->fpu);
	}
	free(v->xsave);
	v->xsave = calloc(1, kp.xsave_size);
	if (!v->xsave)
		return -1;
	v->xsave_size = kp.xsave_size;
	return ioctl(vm->vcpu_fd, kp.xsave2 ? KVM_GET_XSAVE2 : KVM_GET_XSAVE, v->xsave);
}

int snap_vcpu_get(struct vm *vm, struct snap_vcpu *v)
{
	int fd = vm->vcpu_fd;

	v->has_xcrs = kp.xcrs;
	v->has_debugregs = kp.debugregs;
	if (ioctl(fd, KVM_GET_REGS, &v->regs) < 0 ||
	    ioctl(fd, KVM_GET_SREGS, &v->sregs) < 0 ||
	    get_fpu(vm, v) < 0 ||
	    (kp.xcrs && ioctl(fd, KVM_GET_XCRS, &v->xcrs) < 0) ||
	    get_msrs(vm, v) < 0 ||
	    ioctl(fd, KVM_GET_VCPU_EVENTS, &v->events) < 0 ||
	    ioctl(fd, KVM_GET_MP_STATE, &v->mp) < 0 ||
	    (kp.debugregs && ioctl(fd, KVM_GET_DEBUGREGS, &v->debugregs) < 0) ||
	    ioctl(fd, KVM_GET_LAPIC, &v->lapic) < 0)
		return -1;
	return 0;
}

int snap_machine_get(struct vm *vm, struct snap_machine *m)
{
	for (uint32_t i = 0; i < 3; i++) {
		m->chip[i] = (struct kvm_irqchip){ .chip_id = i };
		if (ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &m->chip[i]) < 0)
			return -1;
	}
	if (ioctl(vm->vm_fd, KVM_GET_PIT2, &m->pit) < 0 ||
	    ioctl(vm->vm_fd, KVM_GET_CLOCK, &m->clock) < 0)
		return -1;
	return 0;
}

/* ---- the record ------------------------------------------------------- */

/* A KVM struct as its size and bytes; loading, the size must be this one's. */
static void blob(struct state *s, void *p, uint32_t size)
{
	uint32_t n = size;

	state_u32(s, &n);
	if (s->loading && n != size)
		s->bad = true;
	state_bytes(s, p, size);
}

int snap_vcpu_state(struct state *s, struct snap_vcpu *v)
{
	blob(s, &v->regs, sizeof(v->regs));
	blob(s, &v->sregs, sizeof(v->sregs));
	uint32_t xs = v->xsave_size;

	state_u32(s, &xs);
	if (s->loading && !s->bad) {
		/* the old area goes first, so size and buffer always agree */
		free(v->xsave);
		v->xsave = NULL;
		v->xsave_size = 0;
		if (xs && (xs < sizeof(struct kvm_xsave) || xs > SNAP_XSAVE_MAX))
			return -1;
		v->xsave = xs ? calloc(1, xs) : NULL;
		if (xs && !v->xsave)
			return -1;
		v->xsave_size = xs;
	}
	if (v->xsave_size)
		state_bytes(s, v->xsave, v->xsave_size);
	else
		blob(s, &v->fpu, sizeof(v->fpu));
	state_bool(s, &v->has_xcrs);
	if (v->has_xcrs)
		blob(s, &v->xcrs, sizeof(v->xcrs));
	state_u32(s, &v->nmsrs);
	if (s->loading && v->nmsrs > SNAP_MAX_MSRS)
		return -1;
	for (uint32_t i = 0; i < v->nmsrs && !s->bad; i++) {
		state_u32(s, &v->msrs[i].index);
		state_u64(s, &v->msrs[i].data);
	}
	blob(s, &v->events, sizeof(v->events));
	blob(s, &v->mp, sizeof(v->mp));
	state_bool(s, &v->has_debugregs);
	if (v->has_debugregs)
		blob(s, &v->debugregs, sizeof(v->debugregs));
	blob(s, &v->lapic, sizeof(v->lapic));
	return state_failed(s);
}

int snap_machine_state(struct state *s, struct snap_machine *m)
{
	for (int i = 0; i < 3; i++) {
		blob(s, &m->chip[i], sizeof(m->chip[i]));
		if (s->loading && !s->bad && m->chip[i].chip_id != (uint32_t)i)
			return -1;
	}
	blob(s, &m->pit, sizeof(m->pit));
	blob(s, &m->clock, sizeof(m->clock));
	return state_failed(s);
}

void snap_vcpu_free(struct snap_vcpu *v)
{
	free(v->xsave);
	v->xsave = NULL;
}

/* ---- restore ---------------------------------------------------------- */

static int refused(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "KVM refused the saved %s: %s", what, strerror(errno));
	return -1;
}

/* All MSRs but the TSC deadline (want_deadline false), or only that one. */
static int set_msrs(struct vm *vm, const struct snap_vcpu *v, bool want_deadline,
		    char *err, size_t errlen)
{
	struct kvm_msrs *m = msrs_alloc();
	uint32_t n = 0;
	int got, ret = -1;

	if (!m)
		return refused(err, errlen, "MSRs (out of memory)");
	for (uint32_t i = 0; i < v->nmsrs; i++)
		if ((v->msrs[i].index == MSR_IA32_TSC_DEADLINE) == want_deadline)
			m->entries[n++] = (struct kvm_msr_entry){
				.index = v->msrs[i].index, .data = v->msrs[i].data };
	/*
	 * KVM_SET_MSRS stops at the first MSR it refuses.  One this host's
	 * KVM does not hold, saved at 0 (the reset value of every MSR that
	 * can be missing: LBR, PMU, AMD's own), is left out: the guest here
	 * sees it as a new VM would.  A snapshot from a kvm_pvm host failed
	 * on nested KVM for MSR 0x1db (LastBranchFromIP) = 0 that way.
	 */
	for (;;) {
		m->nmsrs = n;
		got = ioctl(vm->vcpu_fd, KVM_SET_MSRS, m);
		if (got < 0 || (uint32_t)got >= n || m->entries[got].data)
			break;
		if (vm->verbose)
			fprintf(stderr, "vmm: this KVM has no MSR %#x: left out (saved as 0)\n",
				m->entries[got].index);
		n -= (uint32_t)got + 1;
		memmove(m->entries, m->entries + got + 1, n * sizeof(m->entries[0]));
	}
	if (got < 0)
		refused(err, errlen, "MSRs");
	else if ((uint32_t)got < n)
		snprintf(err, errlen, "KVM refused the saved MSR %#x = %#llx",
			 m->entries[got].index, (unsigned long long)m->entries[got].data);
	else
		ret = 0;
	free(m);
	return ret;
}

static int set_fpu(struct vm *vm, const struct snap_vcpu *v, char *err, size_t errlen)
{
	if (!v->xsave_size)
		return ioctl(vm->vcpu_fd, KVM_SET_FPU, &v->fpu) < 0 ?
		       refused(err, errlen, "FPU state") : 0;
	if (v->xsave_size != kp.xsave_size) {
		snprintf(err, errlen, "the saved XSAVE area has %u bytes, this host's %u",
			 v->xsave_size, kp.xsave_size);
		return -1;
	}
	return ioctl(vm->vcpu_fd, KVM_SET_XSAVE, v->xsave) < 0 ?
	       refused(err, errlen, "XSAVE area") : 0;
}

int snap_vcpu_set(struct vm *vm, const struct snap_vcpu *v, char *err, size_t errlen)
{
	int fd = vm->vcpu_fd;

	if (ioctl(fd, KVM_SET_SREGS, &v->sregs) < 0)
		return refused(err, errlen, "special registers");
	if (ioctl(fd, KVM_SET_REGS, &v->regs) < 0)
		return refused(err, errlen, "registers");
	if (set_fpu(vm, v, err, errlen))
		return -1;
	if (v->has_xcrs && ioctl(fd, KVM_SET_XCRS, &v->xcrs) < 0)
		return refused(err, errlen, "XCRs");
	if (set_msrs(vm, v, false, err, errlen))
		return -1;
	if (ioctl(fd, KVM_SET_MP_STATE, &v->mp) < 0)
		return refused(err, errlen, "MP state");
	if (ioctl(fd, KVM_SET_LAPIC, &v->lapic) < 0)
		return refused(err, errlen, "LAPIC");
	if (set_msrs(vm, v, true, err, errlen))
		return -1;
	if (v->has_debugregs && ioctl(fd, KVM_SET_DEBUGREGS, &v->debugregs) < 0)
		return refused(err, errlen, "debug registers");
	if (ioctl(fd, KVM_SET_VCPU_EVENTS, &v->events) < 0)
		return refused(err, errlen, "pending events");
	return 0;
}

int snap_machine_set(struct vm *vm, const struct snap_machine *m, char *err,
		     size_t errlen)
{
	for (int i = 0; i < 3; i++)
		if (ioctl(vm->vm_fd, KVM_SET_IRQCHIP, &m->chip[i]) < 0)
			return refused(err, errlen, i < 2 ? "PIC" : "IOAPIC");
	if (ioctl(vm->vm_fd, KVM_SET_PIT2, &m->pit) < 0)
		return refused(err, errlen, "PIT");
	return 0;
}

/* The clock goes on from the saved value: no time passes while saved. */
int snap_clock_set(struct vm *vm, const struct snap_machine *m, char *err,
		   size_t errlen)
{
	struct kvm_clock_data c = { .clock = m->clock.clock };

	return ioctl(vm->vm_fd, KVM_SET_CLOCK, &c) < 0 ? refused(err, errlen, "clock") : 0;
}
