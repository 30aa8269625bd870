// SPDX-License-Identifier: MIT
/*
 * The state a Multiboot loader leaves: the info structure with a memory
 * map and the command line, our boot info page for paravirtual drivers,
 * and the vCPU in flat 32-bit protected mode with paging off.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "../hypercalls/multiboot.h"
#include "../hypercalls/vmm_abi.h"
#include "boot.h"
#include "config.h"

#define E820_RAM		MULTIBOOT_MEMORY_AVAILABLE
#define E820_RESERVED		MULTIBOOT_MEMORY_RESERVED
#define EBDA_START		0x9fc00u
#define BIOS_START		0xf0000u

static const char loader_name[] = "vmm";

_Static_assert(sizeof(struct multiboot_info) + 5 * sizeof(struct multiboot_mmap_entry) +
	       sizeof(loader_name) + CONFIG_CMDLINE_MAX + 1 <= 4096,
	       "a command line of CONFIG_CMDLINE_MAX must fit the info page");

void boot_write_info(const struct guest_mem *m, const struct boot_params *p)
{
	uint8_t *page = gpa_ptr(m, VMM_MB_INFO_GPA, 4096);
	struct multiboot_info *mbi = (void *)page;
	struct multiboot_mmap_entry map[] = {
		{ 20, 0, VMM_RESERVED_END, E820_RESERVED },
		{ 20, VMM_RESERVED_END, EBDA_START - VMM_RESERVED_END, E820_RAM },
		{ 20, EBDA_START, GUEST_HOLE_START - EBDA_START, E820_RESERVED },
		{ 20, BIOS_START, 0x100000 - BIOS_START, E820_RESERVED },
		{ 20, 0x100000, m->size - 0x100000, E820_RAM },
	};
	uint32_t off = sizeof(*mbi);
	struct vmm_boot_info *bi = gpa_ptr(m, VMM_BOOT_INFO_GPA, sizeof(*bi));

	if (!page || !bi)
		return;		/* guest RAM is at least 2 MiB: cannot happen */
	memset(page, 0, 4096);
	mbi->flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE |
		     MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_LOADER_NAME;
	mbi->mem_lower = EBDA_START / 1024;
	mbi->mem_upper = (uint32_t)((m->size - 0x100000) / 1024);
	mbi->boot_device = 0xffffffffu;
	mbi->mmap_addr = VMM_MB_INFO_GPA + off;
	mbi->mmap_length = sizeof(map);
	memcpy(page + off, map, sizeof(map));
	off += sizeof(map);
	mbi->boot_loader_name = VMM_MB_INFO_GPA + off;
	memcpy(page + off, loader_name, sizeof(loader_name));
	off += sizeof(loader_name);
	/* The command line gets the rest of the page, cut to fit. */
	mbi->cmdline = VMM_MB_INFO_GPA + off;
	snprintf((char *)page + off, 4096 - off, "%s", p->cmdline ? p->cmdline : "");

	memset(bi, 0, sizeof(*bi));
	bi->magic = VMM_BOOT_MAGIC;
	bi->version = VMM_ABI_VERSION;
	bi->size = sizeof(*bi);
	bi->vga_mode = (uint32_t)p->vga_mode;
	bi->vga_page = p->vga_mode == VMM_MODE_PV ? VMM_PV_VGA_GPA : 0;
	bi->disk_mode = (uint32_t)p->disk_mode;
	if (p->disk_mode == VMM_MODE_PV) {
		bi->disk_page = VMM_PV_DISK_GPA;
		bi->disk_ring = VMM_PV_RING_GPA;
		bi->disk_ring_entries = VMM_PV_RING_ENTRIES;
	}
	bi->disk_readonly = p->disk_readonly;
	bi->disk_sectors = p->disk_sectors;
	bi->mem_bytes = m->size;
	snprintf(bi->name, sizeof(bi->name), "%s", p->name ? p->name : "");
}

static void flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffffu, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .g = 1,
	};
}

int boot_vcpu_state(int vcpu_fd, boot_state_fn fill, const void *arg,
		    const char *what)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	/* GET first: the APIC base and the interrupt bitmap stay KVM's */
	if (ioctl(vcpu_fd, KVM_GET_SREGS, &s) < 0)
		goto fail;
	fill(&r, &s, arg);
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &s) < 0 ||
	    ioctl(vcpu_fd, KVM_SET_REGS, &r) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "vmm: cannot set the %s registers: %s\n", what, strerror(errno));
	return -1;
}

/* What a Multiboot loader leaves: flat 32-bit protected mode, paging off. */
static void multiboot_state(struct kvm_regs *r, struct kvm_sregs *s, const void *arg)
{
	*r = (struct kvm_regs){
		.rip = *(const uint32_t *)arg,
		.rax = MULTIBOOT_BOOT_MAGIC,
		.rbx = VMM_MB_INFO_GPA,
		.rflags = 0x2,
	};
	flat_segment(&s->cs, 0x08, 0xb);	/* code, execute/read, accessed */
	flat_segment(&s->ds, 0x10, 0x3);	/* data, read/write, accessed */
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->tr = (struct kvm_segment){ .limit = 0x67, .type = 0xb, .present = 1 };
	s->ldt = (struct kvm_segment){ .type = 0x2, .unusable = 1 };
	s->gdt.base = s->idt.base = 0;
	s->gdt.limit = s->idt.limit = 0xffff;
	s->cr0 = 0x11;			/* PE | ET, paging off */
	s->cr4 = 0;
	s->efer = 0;
}

int boot_set_regs(int vcpu_fd, uint32_t entry)
{
	return boot_vcpu_state(vcpu_fd, multiboot_state, &entry, "boot");
}
