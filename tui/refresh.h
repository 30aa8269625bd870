/* SPDX-License-Identifier: MIT */
/*
 * Bringing the cell buffer up to date before anyone looks at it: the
 * coalesced strategy has stores waiting in KVM's ring and the ram
 * strategy has changes only guest memory knows about.  The terminal UI,
 * the recorder, the dumps and the SIGUSR1 snapshot all go through here.
 */
#ifndef TUI_REFRESH_H
#define TUI_REFRESH_H

#include <stdbool.h>
#include <stdint.h>

#include "../vmm/screen.h"

struct vm;

/*
 * vm_sync_locked() (the coalesced ring replayed, text RAM polled), then, when the screen's generation is not *gen, copies
 * the frame to out, sets *gen and returns true.  Cheap when nothing changed.
 */
bool screen_refresh(struct vm *vm, uint64_t *gen, struct screen_frame *out);

#endif
