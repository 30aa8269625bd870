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
/* The vCPU at a Multiboot entry point. */
int boot_set_regs(int vcpu_fd, uint32_t entry);

/*
 * Loads registers into the vCPU: fill() edits what KVM holds, so what it
 * leaves alone (APIC base, interrupt bitmap) stays KVM's.  -1 after a
 * message naming what ("boot", "reset").
 */
struct kvm_regs;
struct kvm_sregs;
typedef void (*boot_state_fn)(struct kvm_regs *r, struct kvm_sregs *s, const void *arg);
int boot_vcpu_state(int vcpu_fd, boot_state_fn fill, const void *arg, const char *what);

#endif
