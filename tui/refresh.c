// SPDX-License-Identifier: MIT
#include "../devices/vga.h"
#include "../vmm/vm.h"
#include "refresh.h"

void vm_sync_screen(struct vm *vm)
{
	pthread_mutex_lock(&vm->io_lock);
	coalesced_drain(vm);
	if (vm->vga)
		vga_poll(vm->vga);
	pthread_mutex_unlock(&vm->io_lock);
}

bool screen_refresh(struct vm *vm, uint64_t *gen, struct screen_frame *out)
{
	vm_sync_screen(vm);
	if (screen_gen(vm->screen) == *gen)
		return false;
	screen_snapshot(vm->screen, out);
	*gen = out->gen;
	return true;
}
