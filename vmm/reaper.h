/* SPDX-License-Identifier: MIT */
#ifndef VMM_REAPER_H
#define VMM_REAPER_H

struct vm;

struct reaper_hooks {
	/* run in the child before it waits: async-signal-safe only; 0 = ok */
	int (*enter)(void *opaque);
	void *opaque;
};

/*
 * Forks the child that destroys the VM after vmm exits (see reaper.c).
 * Call before any thread starts.  -1 when it could not be forked: the VM
 * is then destroyed by vmm's own exit, a few milliseconds later.
 */
int reaper_start(struct vm *vm, const struct reaper_hooks *h);

#endif
