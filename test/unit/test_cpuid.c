// SPDX-License-Identifier: MIT
/* The VM's CPUID, built from what KVM_GET_SUPPORTED_CPUID said on a 2-thread AMD host. */
#include <stdlib.h>

#include "../../hypercalls/vmm_abi.h"
#include "../../vmm/cpuid.h"
#include "../unit.h"

#define MAXE 64
#define SIG 1	/* KVM_CPUID_FLAG_SIGNIFCANT_INDEX */

/* a nested AMD EPYC host: APIC ID 1 of 2, AVX-512 states without AVX512F */
static const struct kvm_cpuid_entry2 host[] = {
	{ .function = 0, .eax = 0x1c },
	{ .function = 1, .eax = 0x00a10f11, .ebx = 0x01020800, .ecx = 0x81202000 | (1u << 28),
	  .edx = 0x178bfbff },
	{ .function = 7, .index = 0, .flags = SIG, .eax = 1, .ebx = 0x01800002 | (1u << 14),
	  .ecx = 0x104 | (1u << 3), .edx = 0x20000000 },
	{ .function = 0xb, .index = 0, .flags = SIG, .edx = 1 },
	{ .function = 0xd, .index = 0, .flags = SIG, .eax = 0xe7, .ebx = 0x980, .ecx = 0x980 },
	{ .function = 0xd, .index = 1, .flags = SIG, .eax = 0xf },
	{ .function = 0xd, .index = 2, .flags = SIG, .eax = 0x100, .ebx = 0x240 },
	{ .function = 0xd, .index = 5, .flags = SIG, .eax = 0x40, .ebx = 0x340 },
	{ .function = 0xd, .index = 6, .flags = SIG, .eax = 0x200, .ebx = 0x380 },
	{ .function = 0xd, .index = 7, .flags = SIG, .eax = 0x400, .ebx = 0x580 },
	{ .function = 0x80000000, .eax = 0x80000021 },
	{ .function = 0x80000001, .ecx = 0x00400393 },
	{ .function = 0x80000002 }, { .function = 0x80000003 }, { .function = 0x80000004 },
	{ .function = 0x80000008, .eax = 0x3030, .ecx = 0x7001 },
	{ .function = 0x8000001d, .index = 0, .flags = SIG, .eax = 0x00004121 },
	{ .function = 0x8000001e, .ebx = 0x100, .ecx = 0x1 },
	{ .function = 0x40000000, .eax = 0x40000001, .ebx = 0x4b4d564b },
	{ .function = 0x40000001, .eax = 0x01007efb },
};

static struct kvm_cpuid2 *c;

static void build(uint32_t max)
{
	free(c);
	c = calloc(1, sizeof(*c) + MAXE * sizeof(struct kvm_cpuid_entry2));
	c->nent = sizeof(host) / sizeof(host[0]);
	memcpy(c->entries, host, sizeof(host));
	EXPECT_EQ(cpuid_build(c, max, 2596144, "AMD EPYC"), 0);
}

static struct kvm_cpuid_entry2 *e(uint32_t fn, uint32_t idx)
{
	struct kvm_cpuid_entry2 *r = cpuid_find(c, fn, idx);
	static struct kvm_cpuid_entry2 none = { .eax = 0xdead };

	return r ? r : &none;
}

static void one_cpu_apic_id_0(void)
{
	build(MAXE);
	EXPECT_EQ(e(1, 0)->ebx, 0x00010800);	/* APIC ID 0, 1 logical, CLFLUSH kept */
	EXPECT(e(1, 0)->ecx & (1u << 31));
	EXPECT(!(e(1, 0)->edx & (1u << 28)));
	EXPECT_EQ(e(0x80000001, 0)->ecx, 0x00400391);
	EXPECT_EQ(e(0x80000008, 0)->ecx, 0);
	EXPECT_EQ(e(0x8000001d, 0)->eax, 0x121);
	EXPECT_EQ(e(0x8000001e, 0)->ebx, 0);
}

static void x2apic_topology(void)
{
	build(MAXE);
	EXPECT_EQ(e(0xb, 0)->edx, 0);
	EXPECT_EQ(e(0xb, 0)->ebx, 1);
	EXPECT_EQ(e(0xb, 0)->ecx, 0x100);
	EXPECT_EQ(e(0xb, 1)->ecx, 0x201);
	EXPECT_EQ(e(0xb, 2)->ecx, 2);
	EXPECT_EQ(e(0xb, 2)->ebx, 0);
	EXPECT(cpuid_find(c, 0x1f, 0) == NULL);	/* beyond leaf 0's maximum */
}

static void xsave_matches_features(void)
{
	build(MAXE);
	/* AVX-512 states go with AVX512F absent; AVX stays */
	EXPECT_EQ(e(0xd, 0)->eax, 0x7);
	EXPECT_EQ(e(0xd, 0)->edx, 0);
	EXPECT_EQ(e(0xd, 0)->ebx, 0x340);
	EXPECT_EQ(e(0xd, 0)->ecx, 0x340);
	EXPECT_EQ(e(0xd, 1)->eax, 0x7);		/* no XSAVES */
	EXPECT_EQ(e(0xd, 2)->eax, 0x100);
	EXPECT(cpuid_find(c, 0xd, 5) == NULL);
	EXPECT(cpuid_find(c, 0xd, 7) == NULL);
	EXPECT(!(e(7, 0)->ebx & (1u << 14)));	/* MPX without its state */
	EXPECT(!(e(7, 0)->ecx & (1u << 3)));	/* PKU without PKRU */
}

static void hypervisor_leaves(void)
{
	build(MAXE);
	EXPECT_EQ(e(0x40000000, 0)->eax, CPUID_KVM_TIMING);
	EXPECT(!memcmp(&e(0x40000000, 0)->ebx, "KVMK", 4));
	EXPECT(!memcmp(&e(0x40000000, 0)->edx, "M\0\0\0", 4));
	EXPECT_EQ(e(0x40000001, 0)->eax, 0x01007efb);
	EXPECT_EQ(e(CPUID_KVM_TIMING, 0)->eax, 2596144);
	EXPECT_EQ(e(CPUID_KVM_TIMING, 0)->ebx, CPUID_KVM_APIC_KHZ);
	EXPECT_EQ(e(VMM_CPUID_BASE, 0)->eax, VMM_CPUID_INFO);
	EXPECT_EQ(e(VMM_CPUID_BASE, 0)->ebx, VMM_CPUID_SIG_EBX);
	EXPECT_EQ(e(VMM_CPUID_INFO, 0)->eax, VMM_ABI_VERSION);
	EXPECT_EQ(e(VMM_CPUID_INFO, 0)->ebx, VMM_BOOT_INFO_GPA);
	EXPECT_EQ((VMM_CPUID_BASE - VMM_CPUID_SEARCH_FIRST) % VMM_CPUID_SEARCH_STEP, 0);
}

static void brand(void)
{
	char b[49] = { 0 };

	build(MAXE);
	for (int i = 0; i < 3; i++)
		memcpy(b + 16 * i, &e(0x80000002 + i, 0)->eax, 16);
	EXPECT(!strcmp(b, "AMD EPYC"));
}

static void too_many_entries(void)
{
	free(c);
	c = calloc(1, sizeof(*c) + MAXE * sizeof(struct kvm_cpuid_entry2));
	c->nent = sizeof(host) / sizeof(host[0]);
	memcpy(c->entries, host, sizeof(host));
	EXPECT_EQ(cpuid_build(c, c->nent + 1, 0, ""), -1);
}

int main(void)
{
	RUN(one_cpu_apic_id_0);
	RUN(x2apic_topology);
	RUN(xsave_matches_features);
	RUN(hypervisor_leaves);
	RUN(brand);
	RUN(too_many_entries);
	free(c);
	UNIT_EXIT();
}
