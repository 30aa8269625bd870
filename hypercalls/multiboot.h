/* SPDX-License-Identifier: MIT */
/*
 * Multiboot v1, the boot protocol between vmm (or GRUB, or QEMU -kernel)
 * and a guest: the header the loader looks for in the guest file and the
 * information it hands over in EBX.  One definition for the loader
 * (vmm/loader.c, vmm/boot.c) and the guest SDK; assembler sources may
 * include it for the constants.
 */
#ifndef HYPERCALLS_MULTIBOOT_H
#define HYPERCALLS_MULTIBOOT_H

#define MULTIBOOT_HEADER_MAGIC	0x1badb002	/* in the guest file */
#define MULTIBOOT_BOOT_MAGIC	0x2badb002	/* in EAX at entry */

/* header flags */
#define MULTIBOOT_PAGE_ALIGN	(1u << 0)
#define MULTIBOOT_MEMORY_INFO	(1u << 1)
#define MULTIBOOT_AOUT_KLUDGE	(1u << 16)

/* info flags: which fields are valid */
#define MULTIBOOT_INFO_MEMORY	(1u << 0)
#define MULTIBOOT_INFO_CMDLINE	(1u << 2)
#define MULTIBOOT_INFO_MEM_MAP	(1u << 6)
#define MULTIBOOT_INFO_LOADER_NAME (1u << 9)

/* memory map entry types (the BIOS e820 types) */
#define MULTIBOOT_MEMORY_AVAILABLE 1
#define MULTIBOOT_MEMORY_RESERVED  2

#ifndef __ASSEMBLER__
#include <stdint.h>

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;		/* KiB below 640 KiB / above 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;			/* physical address of a C string */
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;	/* bytes of mmap entries, where */
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
};

/* size does not count itself: the next entry is at (addr of size) + size + 4 */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

/* the offsets the Multiboot specification gives */
_Static_assert(__builtin_offsetof(struct multiboot_info, cmdline) == 16, "Multiboot info");
_Static_assert(__builtin_offsetof(struct multiboot_info, mmap_addr) == 48, "Multiboot info");
_Static_assert(sizeof(struct multiboot_info) == 68, "Multiboot info, up to the loader name");
_Static_assert(sizeof(struct multiboot_mmap_entry) == 24, "Multiboot mmap layout");
#endif

#endif
