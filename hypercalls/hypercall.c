// SPDX-License-Identifier: MIT
#include <stddef.h>

#include "hypercall.h"

#define BUMP(x) __atomic_store_n(&(x), __atomic_load_n(&(x), __ATOMIC_RELAXED) + 1, \
				 __ATOMIC_RELAXED)

static const char *const names[VMM_HC_COUNT] = {
	[VMM_HC_VERSION] = "version",
	[VMM_HC_VGA_PUTC] = "vga_putc",
	[VMM_HC_VGA_FRAME] = "vga_frame",
	[VMM_HC_DISK_SECTOR] = "disk_sector",
	[VMM_HC_DISK_RING] = "disk_ring",
	[VMM_HC_EXIT] = "exit",
};

const char *hypercall_name(uint32_t nr)
{
	return nr < VMM_HC_COUNT ? names[nr] : NULL;
}

int hypercall_set(struct hypercall_table *t, uint32_t nr, hypercall_fn fn,
		  void *opaque)
{
	if (nr >= VMM_HC_COUNT)
		return -1;
	t->entry[nr].fn = fn;
	t->entry[nr].opaque = opaque;
	return 0;
}

int32_t hypercall_dispatch(struct hypercall_table *t, uint32_t nr,
			   const uint32_t arg[4])
{
	BUMP(t->calls);
	if (nr >= VMM_HC_COUNT || !t->entry[nr].fn) {
		BUMP(t->invalid);
		return VMM_E_NOSYS;
	}
	BUMP(t->by_nr[nr]);
	return t->entry[nr].fn(t->entry[nr].opaque, arg);
}
