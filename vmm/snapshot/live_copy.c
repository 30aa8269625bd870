// SPDX-License-Identifier: MIT
/* RAM copied while the guest runs (see vmm/snapshot/live_copy.h). */
#include <stdlib.h>
#include <string.h>

#include "live_copy.h"
#include "snapshot.h"
#include "../vm.h"

#define HOLE_FIRST	(GUEST_HOLE_START >> 12)
#define HOLE_END	(GUEST_HOLE_END >> 12)

static uint64_t count_bits(const uint64_t *map, size_t words)
{
	uint64_t n = 0;

	for (size_t i = 0; i < words; i++)
		n += (uint64_t)__builtin_popcountll(map[i]);
	return n;
}

/* Adds what KVM logged and what vmm touched since the last call to dirty. */
static int collect_dirty(struct vm *vm, struct live_copy *lc)
{
	for (size_t i = 0; i < lc->words; i++)
		lc->dirty[i] |= __atomic_exchange_n(&lc->touched[i], 0, __ATOMIC_RELAXED);
	return vm_get_dirty(vm, lc->dirty);
}

/*
 * KVM's log for the guest's stores (on since the RAM slots were made,
 * vmm/kvm.c), vm->mem.touched for vmm's own.  A
 * device that took a pointer before the bitmap was in place did so under
 * io_lock: taking the lock once lets any such access finish before the
 * first pass reads RAM.
 */
int live_copy_start(struct vm *vm, struct live_copy *lc)
{
	*lc = (struct live_copy){ .words = (size_t)(vm->mem.size / SNAP_PAGE / 64 + 1) };
	if (!vm->snap || !vm->snap->live)
		return -1;	/* the sandbox refuses the dirty log */
	lc->dirty = calloc(lc->words, sizeof(uint64_t));
	lc->touched = calloc(lc->words, sizeof(uint64_t));
	if (!lc->dirty || !lc->touched) {
		free(lc->dirty);
		free(lc->touched);
		lc->dirty = lc->touched = NULL;
		return -1;
	}
	__atomic_store_n(&vm->mem.touched, lc->touched, __ATOMIC_RELEASE);
	pthread_mutex_lock(&vm->io_lock);
	pthread_mutex_unlock(&vm->io_lock);
	if (vm_get_dirty(vm, lc->dirty) == 0)	/* starts the log afresh */
		return 0;
	live_copy_stop(vm, lc);
	return -1;
}

void live_copy_stop(struct vm *vm, struct live_copy *lc)
{
	if (!lc->dirty)
		return;
	__atomic_store_n(&vm->mem.touched, NULL, __ATOMIC_RELEASE);
	free(lc->dirty);
	free(lc->touched);
	lc->dirty = lc->touched = NULL;
}

int live_copy_passes(struct vm *vm, struct live_copy *lc, struct snap_writer *w,
		     int (*ready)(int fd))
{
	uint64_t prev = UINT64_MAX, pages;

	if (snap_write_pages(vm, w, NULL, &pages) || snap_flush(w) ||
	    (ready && ready(w->fd)))
		return -1;
	lc->pages[lc->passes++] = pages;
	while (lc->passes <= LIVE_MAX_PASSES) {
		memset(lc->dirty, 0, lc->words * sizeof(uint64_t));
		if (collect_dirty(vm, lc))
			return -1;
		uint64_t n = count_bits(lc->dirty, lc->words);

		/* small, or no longer shrinking: the rest goes with the guest paused */
		if (n <= LIVE_DONE_PAGES || n >= prev || lc->passes == LIVE_MAX_PASSES)
			return 0;
		if (snap_write_pages(vm, w, lc->dirty, &pages) || snap_flush(w))
			return -1;
		lc->pages[lc->passes++] = pages;
		prev = n;
	}
	return 0;
}

int live_copy_final(struct vm *vm, struct live_copy *lc, struct snap_writer *w)
{
	struct snapshot_ctl *c = vm->snap;
	uint64_t pages;

	/* every write the guest saw acknowledged is in the image */
	if ((c->flush_disks && c->flush_disks(vm)) || collect_dirty(vm, lc))
		return -1;
	/* the VGA window's slots are not logged: always sent */
	for (uint64_t p = HOLE_FIRST; p < HOLE_END; p++)
		lc->dirty[p / 64] |= 1ull << (p % 64);
	if (snap_write_final(vm, w, lc->dirty, &pages) || snap_finish(w))
		return -1;
	lc->pages[lc->passes++] = pages;
	return 0;
}
