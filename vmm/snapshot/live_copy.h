/* SPDX-License-Identifier: MIT */
/*
 * Copying guest RAM while the guest runs, for migration and for saves: a
 * first pass sends every page with data, later passes the pages dirtied
 * meanwhile (KVM_GET_DIRTY_LOG on the RAM slots, and every range gpa_ptr()
 * handed out, since KVM does not see vmm's own stores), until the dirty
 * set is small, stops shrinking, or after LIVE_MAX_PASSES; the guest is
 * paused only for the last pages and the state.  A later run of a page
 * wins on restore, so the stream stays a valid snapshot.
 */
#ifndef VMM_LIVE_COPY_H
#define VMM_LIVE_COPY_H

#include <stddef.h>
#include <stdint.h>

struct vm;
struct snap_writer;

#define LIVE_MAX_PASSES		30
/* a dirty set this small is sent with the guest paused (1 MiB) */
#define LIVE_DONE_PAGES		256

struct live_copy {
	uint64_t *dirty, *touched;	/* one bit per page of guest RAM */
	size_t words;
	uint32_t passes;
	uint64_t pages[LIVE_MAX_PASSES + 2];	/* pages sent by each pass */
};

/* Dirty tracking on; 0, or -1 (nothing changed; also when snapshot_ctl.live is false). */
int live_copy_start(struct vm *vm, struct live_copy *lc);
/*
 * The passes, the guest running; ready (may be NULL) is called after the
 * first: a migration waits there for the destination.  0 or -1.
 */
int live_copy_passes(struct vm *vm, struct live_copy *lc, struct snap_writer *w,
		     int (*ready)(int fd));
/* With the vCPU paused: flush, the last pages, the state, the end. */
int live_copy_final(struct vm *vm, struct live_copy *lc, struct snap_writer *w);
/* Tracking off, memory freed. */
void live_copy_stop(struct vm *vm, struct live_copy *lc);

#endif
