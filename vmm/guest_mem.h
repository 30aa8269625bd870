/* SPDX-License-Identifier: MIT */
/*
 * Guest-physical memory as the host sees it.  Every pointer a guest hands
 * us goes through gpa_ptr() before use: the whole [gpa, gpa + len) must lie
 * in RAM, computed without overflow, else NULL (Solo5's hvt does the same).
 */
#ifndef VMM_GUEST_MEM_H
#define VMM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The legacy hole between 640 KiB and 768 KiB holds the VGA window, not RAM. */
#define GUEST_HOLE_START	0xa0000ull
#define GUEST_HOLE_END		0xc0000ull

struct guest_mem {
	uint8_t *base;		/* host mapping of guest-physical 0 */
	uint64_t size;		/* bytes of guest-physical address space backed */
	/*
	 * While a migration runs (vmm/snapshot/migrate.c): one bit per page that vmm
	 * itself may have written, which KVM's dirty log does not see.  Every
	 * range gpa_ptr() hands out is marked, reads too: a page sent once
	 * more is cheaper than a page missed.
	 */
	uint64_t *touched;
};

static inline bool gpa_range_ok(const struct guest_mem *m, uint64_t gpa,
				uint64_t len)
{
	if (gpa > m->size || len > m->size - gpa)
		return false;
	/* [gpa, gpa + len) must not touch the hole */
	if (len && gpa < GUEST_HOLE_END && gpa + len > GUEST_HOLE_START)
		return false;
	return true;
}

static inline void gpa_touch(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t *t = __atomic_load_n(&m->touched, __ATOMIC_ACQUIRE);

	if (!t || !len)
		return;
	for (uint64_t p = gpa >> 12; p <= (gpa + len - 1) >> 12; p++)
		__atomic_fetch_or(&t[p / 64], 1ull << (p % 64), __ATOMIC_RELAXED);
}

static inline void *gpa_ptr(const struct guest_mem *m, uint64_t gpa,
			    uint64_t len)
{
	if (!gpa_range_ok(m, gpa, len))
		return NULL;
	gpa_touch(m, gpa, len);
	return m->base + gpa;
}

#endif
