/* SPDX-License-Identifier: MIT */
#ifndef VMM_BOOT_H
#define VMM_BOOT_H

#include <stdint.h>

#include "guest_mem.h"

struct boot_params {
	const char *name, *cmdline;
	int vga_mode, disk_mode;	/* enum vmm_dev_mode */
	uint32_t disk_readonly;
	uint64_t disk_sectors;
};

/* Fills the Multiboot info page and the vmm boot info page. */
void boot_write_info(const struct guest_mem *m, const struct boot_params *p);
/* Multiboot entry state: flat protected mode, EAX magic, EBX info. */
int boot_set_regs(int vcpu_fd, uint32_t entry);

#endif
