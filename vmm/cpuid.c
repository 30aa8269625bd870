// SPDX-License-Identifier: MIT
/*
 * CPUID written for the VM, not copied from the host.  KVM_GET_SUPPORTED_CPUID
 * says what KVM can virtualise, but its topology fields describe whichever
 * host CPU ran the ioctl (APIC ID 1 of 2, say) while the vCPU's LAPIC ID is
 * 0: firmware then builds an MP table without the boot CPU and Linux gets
 * no timer ticks.  Its leaf 0xD also offers XSAVE states whose features it
 * hides (AVX-512 states without AVX512F), which Linux warns about.  So:
 * one package, one core, one thread, APIC ID 0 everywhere, XCR0 cut to the
 * states whose features are shown, a brand string, KVM's paravirtual
 * leaves at 0x40000000 (Linux finds kvm-clock there and reads the TSC rate
 * from it, never calibrating against the PIT) and vmm's own ABI leaves one
 * hypervisor base further, at VMM_CPUID_BASE (hypercalls/vmm_abi.h).
 */
#include <stdbool.h>
#include <string.h>

#include "../hypercalls/vmm_abi.h"
#include "cpuid.h"

#define SIGNIFICANT	KVM_CPUID_FLAG_SIGNIFCANT_INDEX
#define XSAVE_LEGACY	576u	/* FXSAVE area and the XSAVE header */
#define BIT(n)		(1u << (n))

struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t function,
				    uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == function &&
		    (!(e->flags & SIGNIFICANT) || e->index == index))
			return e;
	}
	return NULL;
}

static int put(struct kvm_cpuid2 *c, uint32_t max, struct kvm_cpuid_entry2 e)
{
	struct kvm_cpuid_entry2 *old = cpuid_find(c, e.function, e.index);

	if (old) {
		*old = e;
		return 0;
	}
	if (c->nent >= max)
		return -1;
	c->entries[c->nent++] = e;
	return 0;
}

/* Drops every entry whose function is in [first, last] (leaf 0xD: see below). */
static void drop(struct kvm_cpuid2 *c, uint32_t first, uint32_t last,
		 uint32_t keep_xcr0)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		bool gone = e->function >= first && e->function <= last;

		/* leaf 0xD: sub-leaves 0, 1 and those of the states kept stay */
		if (gone && e->function == 0xd)
			gone = e->index >= 32 ||
			       (e->index >= 2 && !(keep_xcr0 & BIT(e->index)));
		if (!gone)
			c->entries[n++] = *e;
	}
	c->nent = n;
}

static uint32_t basic_max(struct kvm_cpuid2 *c, uint32_t base)
{
	struct kvm_cpuid_entry2 *e = cpuid_find(c, base, 0);

	return e ? e->eax : 0;
}

/* Leaf 1, 4, the 0x8000xxxx topology leaves: one thread of one core, APIC ID 0. */
static void one_cpu(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *e;

	if ((e = cpuid_find(c, 1, 0))) {
		e->ebx = (e->ebx & 0xffffu) | (1u << 16);	/* APIC ID 0, 1 logical CPU */
		e->ecx |= BIT(31);				/* hypervisor present */
		e->edx &= ~BIT(28);				/* no HTT */
	}
	for (uint32_t i = 0; i < c->nent; i++) {
		e = &c->entries[i];
		if (e->function == 4)		/* cores - 1, sharing threads - 1 */
			e->eax &= 0x3fffu;
		if (e->function == 0x8000001d)	/* sharing threads - 1 */
			e->eax &= ~(0xfffu << 14);
	}
	if ((e = cpuid_find(c, 0x80000001, 0)))
		e->ecx &= ~BIT(1);		/* CmpLegacy: no multi-core */
	if ((e = cpuid_find(c, 0x80000008, 0)))
		e->ecx &= ~0xf0ffu;		/* NC = 0, ApicIdSize = 0 */
	if ((e = cpuid_find(c, 0x8000001e, 0)))
		e->eax = e->ebx = e->ecx = e->edx = 0;
}

/* x2APIC topology (0xB, 0x1F): an SMT level and a core level of one each. */
static int topology(struct kvm_cpuid2 *c, uint32_t max, uint32_t leaf)
{
	drop(c, leaf, leaf, 0);
	if (basic_max(c, 0) < leaf)
		return 0;
	for (uint32_t i = 0; i < 3; i++) {
		uint32_t type = i < 2 ? i + 1 : 0;	/* SMT, core, invalid */

		if (put(c, max, (struct kvm_cpuid_entry2){
			.function = leaf, .index = i, .flags = SIGNIFICANT,
			.ebx = i < 2 ? 1 : 0, .ecx = type << 8 | i }))
			return -1;
	}
	return 0;
}

/* Features that need an XSAVE state the VM no longer offers. */
static void hide_stateful_features(struct kvm_cpuid2 *c, uint32_t xcr0)
{
	struct kvm_cpuid_entry2 *l1 = cpuid_find(c, 1, 0);
	struct kvm_cpuid_entry2 *l7 = cpuid_find(c, 7, 0);
	struct kvm_cpuid_entry2 *l71 = cpuid_find(c, 7, 1);

	if (!(xcr0 & CPUID_XCR0_AVX)) {
		if (l1)		/* FMA, AVX, F16C */
			l1->ecx &= ~(BIT(12) | BIT(28) | BIT(29));
		if (l7)		/* AVX2 */
			l7->ebx &= ~BIT(5);
	}
	if (l7) {
		l7->ebx &= ~BIT(14);			/* MPX */
		l7->ecx &= ~(BIT(3) | BIT(4) | BIT(7));	/* PKU, OSPKE, CET shadow stack */
		l7->edx &= ~(BIT(20) | BIT(22) | BIT(24) | BIT(25));	/* IBT, AMX */
	}
	if (!(xcr0 & CPUID_XCR0_AVX512)) {
		if (l7) {
			l7->ebx &= ~(BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) |
				     BIT(28) | BIT(30) | BIT(31));
			l7->ecx &= ~(BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14));
			l7->edx &= ~(BIT(2) | BIT(3) | BIT(8) | BIT(23));
		}
		if (l71)	/* AVX512_BF16 */
			l71->eax &= ~BIT(5);
	}
}

/*
 * Leaf 0xD for the states whose features the VM shows: Linux clears a state
 * whose feature is hidden, and then its sizes disagree with CPUID's.
 */
static int xsave(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *d0 = cpuid_find(c, 0xd, 0);
	struct kvm_cpuid_entry2 *d1 = cpuid_find(c, 0xd, 1);
	struct kvm_cpuid_entry2 *l1 = cpuid_find(c, 1, 0);
	struct kvm_cpuid_entry2 *l7 = cpuid_find(c, 7, 0);
	uint32_t allowed = CPUID_XCR0_X87 | CPUID_XCR0_SSE;

	if (l1 && (l1->ecx & BIT(28)))
		allowed |= CPUID_XCR0_AVX;
	if (l7 && (l7->ebx & BIT(16)) && (allowed & CPUID_XCR0_AVX))
		allowed |= CPUID_XCR0_AVX512;
	uint32_t xcr0 = d0 ? d0->eax & allowed : 0;

	if ((xcr0 & CPUID_XCR0_AVX512) != CPUID_XCR0_AVX512)
		xcr0 &= ~CPUID_XCR0_AVX512;	/* all three or none */
	hide_stateful_features(c, xcr0);
	drop(c, 0xd, 0xd, xcr0);
	if (!d0)
		return 0;
	uint32_t size = XSAVE_LEGACY;

	for (uint32_t i = 2; i < 32; i++) {
		struct kvm_cpuid_entry2 *s = cpuid_find(c, 0xd, i);

		if (s && s->index == i && (xcr0 & BIT(i)) && s->eax + s->ebx > size)
			size = s->eax + s->ebx;
	}
	/* drop() moved the entries: find them again */
	d0 = cpuid_find(c, 0xd, 0);
	d1 = cpuid_find(c, 0xd, 1);
	if (d0) {
		d0->eax = xcr0;
		d0->edx = 0;
		d0->ebx = d0->ecx = size;
	}
	if (d1) {	/* XSAVEOPT, XSAVEC, XGETBV1; no supervisor states */
		d1->eax &= 0x7u;
		d1->ebx = d1->ecx = d1->edx = 0;
	}
	return 0;
}

static void brand_string(struct kvm_cpuid2 *c, const char *brand)
{
	char b[48] = { 0 };

	strncpy(b, brand, sizeof(b) - 1);
	for (uint32_t i = 0; i < 3; i++) {
		struct kvm_cpuid_entry2 *e = cpuid_find(c, 0x80000002 + i, 0);

		if (e) {
			memcpy(&e->eax, b + 16 * i, 4);
			memcpy(&e->ebx, b + 16 * i + 4, 4);
			memcpy(&e->ecx, b + 16 * i + 8, 4);
			memcpy(&e->edx, b + 16 * i + 12, 4);
		}
	}
}

/* KVM's leaves (with its features and a timing leaf), then vmm's. */
static int hypervisor_leaves(struct kvm_cpuid2 *c, uint32_t max, uint32_t tsc_khz)
{
	struct kvm_cpuid_entry2 *f = cpuid_find(c, 0x40000001, 0);
	uint32_t kvm_features = f ? f->eax : 0;
	uint32_t sig[3];

	memcpy(sig, "KVMKVMKVM\0\0\0", 12);
	drop(c, 0x40000000, 0x4000ffff, 0);
	struct kvm_cpuid_entry2 leaves[] = {
		{ .function = 0x40000000, .eax = CPUID_KVM_TIMING,
		  .ebx = sig[0], .ecx = sig[1], .edx = sig[2] },
		{ .function = 0x40000001, .eax = kvm_features },
		{ .function = CPUID_KVM_TIMING, .eax = tsc_khz,
		  .ebx = tsc_khz ? CPUID_KVM_APIC_KHZ : 0 },
		{ .function = VMM_CPUID_BASE, .eax = VMM_CPUID_INFO,
		  .ebx = VMM_CPUID_SIG_EBX, .ecx = VMM_CPUID_SIG_ECX,
		  .edx = VMM_CPUID_SIG_EDX },
		{ .function = VMM_CPUID_INFO, .eax = VMM_ABI_VERSION,
		  .ebx = VMM_BOOT_INFO_GPA },
	};
	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
		if (put(c, max, leaves[i]))
			return -1;
	return 0;
}

int cpuid_build(struct kvm_cpuid2 *c, uint32_t max, uint32_t tsc_khz,
		const char *brand)
{
	one_cpu(c);
	brand_string(c, brand);
	return topology(c, max, 0xb) || topology(c, max, 0x1f) || xsave(c) ||
	       hypervisor_leaves(c, max, tsc_khz) ? -1 : 0;
}
