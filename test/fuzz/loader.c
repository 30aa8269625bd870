// SPDX-License-Identifier: MIT
/*
 * The Multiboot/ELF loader on arbitrary images.  Input: one byte picks
 * the guest RAM size, the rest is the image.  RAM is a malloc'd buffer
 * of exactly that size (ASan sees any stray byte), filled with a canary:
 * a refused image must leave all of it untouched, an accepted one may
 * only change [lo, hi), which must hold the entry point.  Bits 2-3 of the
 * first byte choose the way in: the image in memory, the image as a file
 * (loader_load_file), the check vmm makes before the VM exists (no RAM:
 * nothing may be written), or a path that is no image file at all.
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

/* The image through a file, as vmm reads the guest named in its config. */
static int load_file(const struct guest_mem *m, const struct in *in, int how,
		     struct load_info *li)
{
	static char dir[] = "/tmp/vmm-fuzz-loader.XXXXXX", path[64];

	if (!path[0]) {
		if (!mkdtemp(dir))
			abort();
		snprintf(path, sizeof(path), "%s/guest.elf", dir);
	}
	if (how == 3) {	/* a folder, and nothing at all */
		FUZZ_ASSERT(loader_load_file(m, dir, li) == -1);
		FUZZ_ASSERT(loader_load_file(m, "/nonexistent", li) == -1);
		return -1;
	}
	FILE *f = fopen(path, "w");

	if (!f || fwrite(in->p, 1, in->n, f) != in->n || fclose(f))
		abort();
	return loader_load_file(m, path, li);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	uint8_t first = (uint8_t)take(&in, 1);
	uint64_t ram = sizes[first % 4];
	int how = (first >> 2) & 3;
	struct guest_mem m = { .base = malloc(ram), .size = ram };
	struct load_info li;
	char err[200] = "";
	int r;

	if (!canary[0])
		memset(canary, CANARY, sizeof(canary));
	memset(m.base, CANARY, ram);
	if (how == 2) {
		struct guest_mem none = { .size = ram };

		r = loader_load(&none, in.p, in.n, &li, err, sizeof(err));
		FUZZ_ASSERT(untouched(&m, 0, ram));
	} else if (how) {
		r = load_file(&m, &in, how, &li);
		err[0] = 'x';	/* the message went to stderr */
	} else {
		r = loader_load(&m, in.p, in.n, &li, err, sizeof(err));
	}
	if (how == 3) {
		FUZZ_ASSERT(r == -1);
	} else if (r) {
		FUZZ_ASSERT(err[0]);
		FUZZ_ASSERT(untouched(&m, 0, ram));
	} else if (how == 2) {
		FUZZ_ASSERT(li.lo >= VMM_RESERVED_END && li.lo < li.hi && li.hi <= ram);
	} else {
		FUZZ_ASSERT(li.lo >= VMM_RESERVED_END && li.lo < li.hi && li.hi <= ram);
		FUZZ_ASSERT(li.entry >= li.lo && li.entry < li.hi);
		FUZZ_ASSERT(untouched(&m, 0, li.lo));
		FUZZ_ASSERT(untouched(&m, li.hi, ram));
	}
	free(m.base);
	return 0;
}
