/* SPDX-License-Identifier: MIT */
/*
 * The CPU identity of the VM: KVM_GET_SUPPORTED_CPUID rewritten for one
 * vCPU with APIC ID 0 (vmm/cpuid.c says leaf by leaf).
 */
#ifndef VMM_CPUID_H
#define VMM_CPUID_H

#include <stdint.h>
#include <linux/kvm.h>

/* XCR0 bits the VM may offer: x87, SSE, AVX, and AVX-512's three states. */
#define CPUID_XCR0_X87		(1u << 0)
#define CPUID_XCR0_SSE		(1u << 1)
#define CPUID_XCR0_AVX		(1u << 2)
#define CPUID_XCR0_AVX512	(7u << 5)

/* KVM's timing leaf: eax = TSC kHz, ebx = APIC timer (bus) kHz. */
#define CPUID_KVM_TIMING	0x40000010u
#define CPUID_KVM_APIC_KHZ	1000000u	/* KVM's LAPIC timer counts at 1 GHz */

/*
 * Rewrites c (room for max entries) in place: returns 0, or -1 when the
 * entries do not fit.  brand is at most 47 characters (cut otherwise).
 */
int cpuid_build(struct kvm_cpuid2 *c, uint32_t max, uint32_t tsc_khz,
		const char *brand);

/* The entry for (function, index), or NULL. */
struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t function,
				    uint32_t index);

#endif
