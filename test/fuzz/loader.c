// SPDX-License-Identifier: MIT
/*
 * The Multiboot/ELF loader on arbitrary images.  Input: one byte picks
 * the guest RAM size, the rest is the image.  RAM is a malloc'd buffer
 * of exactly that size (ASan sees any stray byte), filled with a canary:
 * a refused image must leave all of it untouched, an accepted one may
 * only change [lo, hi), which must hold the entry point.
 *
 * Covers: vmm/loader.c
 */
#include <stdbool.h>
#include <string.h>

#include "../../hypercalls/vmm_abi.h"
#include "../../vmm/loader.h"
#include "fuzz.h"

#define CANARY 0xa5

static const uint64_t sizes[] = { 0x10000, 0x20000, 0xc1000, 0x200000 };
static uint8_t canary[0x200000];

/* [from, to) of guest RAM still holds the canary */
static bool untouched(const struct guest_mem *m, uint64_t from, uint64_t to)
{
	return from >= to || !memcmp(m->base + from, canary, to - from);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	uint64_t ram = sizes[take(&in, 1) % 4];
	struct guest_mem m = { malloc(ram), ram };
	struct load_info li;
	char err[200];

	if (!canary[0])
		memset(canary, CANARY, sizeof(canary));
	memset(m.base, CANARY, ram);
	int r = loader_load(&m, in.p, in.n, &li, err, sizeof(err));

	if (r) {
		FUZZ_ASSERT(err[0]);
		FUZZ_ASSERT(untouched(&m, 0, ram));
	} else {
		FUZZ_ASSERT(li.lo >= VMM_RESERVED_END && li.lo < li.hi && li.hi <= ram);
		FUZZ_ASSERT(li.entry >= li.lo && li.entry < li.hi);
		FUZZ_ASSERT(untouched(&m, 0, li.lo));
		FUZZ_ASSERT(untouched(&m, li.hi, ram));
	}
	free(m.base);
	return 0;
}
