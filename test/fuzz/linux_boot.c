// SPDX-License-Identifier: MIT
/*
 * Linux's boot protocol on arbitrary kernel files.  Input: one byte picks
 * the guest RAM size, two more the initramfs's size in pages, the rest is
 * the kernel.  RAM is a malloc'd buffer of exactly that size (ASan sees a
 * stray byte), filled with a canary: a refused kernel must leave all of
 * it untouched, and so must the check vmm makes before the VM exists; an
 * accepted one has its entry 0x200 into the kernel (a vmlinux: inside its
 * segments), which lies in RAM
 * with the initramfs above it, below initrd_addr_max, and the zero page
 * says where both are.  Kernels are placed at their pref_address, so two
 * sizes reach past 16 MiB, just.
 *
 * Covers: vmm/linux_boot.c
 */
#include <stdbool.h>
#include <string.h>

#include "../../vmm/linux_boot.h"
#include "fuzz.h"

#define CANARY 0xa5

static const uint64_t sizes[] = { 0x200000, 0x400000, 0x1100000, 0x1400000 };
static uint8_t *canary;

static bool untouched(const struct guest_mem *m)
{
	return !memcmp(m->base, canary, m->size);
}

static uint32_t zp32(const struct guest_mem *m, size_t off)
{
	uint32_t v;

	memcpy(&v, m->base + LINUX_ZERO_PAGE_GPA + off, 4);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	uint8_t first = (uint8_t)take(&in, 1);
	uint64_t rd_size = take(&in, 2) * 4096 + (first >> 4);
	struct guest_mem m = { .size = sizes[first % 4] };
	struct guest_mem none = { .size = m.size };
	static uint8_t rd[4 << 20];
	struct linux_boot b;
	char err[200] = "";
	int r;

	if (!canary) {
		canary = malloc(sizes[3]);
		memset(canary, CANARY, sizes[3]);
		memset(rd, 0x5a, sizeof(rd));
	}
	if (rd_size > sizeof(rd))
		rd_size = sizeof(rd);
	m.base = malloc(m.size);
	memset(m.base, CANARY, m.size);
	if (first & 4) {
		r = linux_load(&none, in.p, in.n, NULL, rd_size, "console=ttyS0", &b, err,
			       sizeof(err));
		FUZZ_ASSERT(untouched(&m));
	} else {
		r = linux_load(&m, in.p, in.n, rd, rd_size, "console=ttyS0", &b, err, sizeof(err));
	}
	if (r) {
		FUZZ_ASSERT(err[0] && untouched(&m));
	} else {
		FUZZ_ASSERT(b.vmlinux ? b.entry >= b.h.load_addr &&
				      b.entry < b.h.load_addr + b.h.init_size :
				      b.entry == b.h.load_addr + 0x200);
		FUZZ_ASSERT(b.h.load_addr >= 0x100000 && b.h.load_addr + b.h.init_size <= m.size);
		FUZZ_ASSERT(b.initrd_size == rd_size);
		FUZZ_ASSERT(!rd_size || (b.initrd_gpa >= b.h.load_addr + b.h.init_size &&
					 b.initrd_gpa + rd_size <= m.size &&
					 b.initrd_gpa + rd_size - 1 <= b.h.initrd_addr_max));
		if (!(first & 4)) {
			FUZZ_ASSERT(zp32(&m, LH_RAMDISK_IMAGE) == b.initrd_gpa);
			FUZZ_ASSERT(zp32(&m, LH_CMD_LINE_PTR) == LINUX_CMDLINE_GPA);
			FUZZ_ASSERT(!rd_size || !memcmp(m.base + b.initrd_gpa, rd, rd_size));
		}
	}
	free(m.base);
	return 0;
}
