// SPDX-License-Identifier: MIT
#include "../vmm/vm.h"
#include "refresh.h"

bool screen_refresh(struct vm *vm, uint64_t *gen, struct screen_frame *out)
{
	vm_sync_locked(vm);
	if (screen_gen(&vm->screen) == *gen)
		return false;
	screen_snapshot(&vm->screen, out);
	*gen = out->gen;
	return true;
}
