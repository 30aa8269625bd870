/* SPDX-License-Identifier: MIT */
/*
 * Linux's x86 boot protocol without firmware (Documentation/arch/x86/boot.rst):
 * a bzImage's setup header checked, the protected-mode kernel and an
 * initramfs placed in guest RAM, the zero page (struct boot_params) filled,
 * and the vCPU at the kernel's 64-bit entry with identity page tables.
 */
#ifndef VMM_LINUX_BOOT_H
#define VMM_LINUX_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_mem.h"

/* Guest-physical layout of a Linux boot (all below the EBDA, all RAM). */
#define LINUX_GDT_GPA		0x00001000u	/* null, null, __BOOT_CS 0x10, __BOOT_DS 0x18 */
#define LINUX_ZERO_PAGE_GPA	0x00007000u	/* struct boot_params */
#define LINUX_PML4_GPA		0x00009000u	/* then the PDPT, then 4 PDs: 4 GiB in 2 MiB pages */
#define LINUX_CMDLINE_GPA	0x00020000u
#define LINUX_CMDLINE_ROOM	0x00010000u

#define LINUX_MIN_PROTOCOL	0x020c	/* 2.12: xloadflags says the 64-bit entry exists */
/* A vmlinux has no setup header: what the zero page says for it */
#define VMLINUX_PROTOCOL	0x020f	/* the protocol of the kernels that have a vmlinux entry this way */
#define VMLINUX_ALIGN		0x01000000u	/* CONFIG_PHYSICAL_ALIGN's x86-64 default */
#define VMLINUX_CMDLINE_SIZE	2047	/* x86's COMMAND_LINE_SIZE, less the NUL */
#define VMLINUX_INITRD_MAX	0x7fffffffu
#define LINUX_LOADER_TYPE	0xff	/* "undefined": vmm has no boot loader ID */

/* Setup header offsets in the bzImage file (and in the zero page). */
#define LH_SETUP_SECTS		0x1f1
#define LH_BOOT_FLAG		0x1fe
#define LH_JUMP_LEN		0x201	/* the header ends at 0x202 + this byte */
#define LH_MAGIC		0x202
#define LH_VERSION		0x206
#define LH_TYPE_OF_LOADER	0x210
#define LH_LOADFLAGS		0x211
#define LH_RAMDISK_IMAGE	0x218
#define LH_RAMDISK_SIZE		0x21c
#define LH_HEAP_END_PTR		0x224
#define LH_CMD_LINE_PTR		0x228
#define LH_INITRD_ADDR_MAX	0x22c
#define LH_KERNEL_ALIGNMENT	0x230
#define LH_RELOCATABLE		0x234
#define LH_XLOADFLAGS		0x236
#define LH_CMDLINE_SIZE		0x238
#define LH_PREF_ADDRESS		0x258
#define LH_INIT_SIZE		0x260

/* Zero page fields outside the setup header. */
#define ZP_EXT_RAMDISK_IMAGE	0x0c0
#define ZP_EXT_RAMDISK_SIZE	0x0c4
#define ZP_EXT_CMD_LINE_PTR	0x0c8
#define ZP_E820_ENTRIES		0x1e8
#define ZP_E820_TABLE		0x2d0
#define ZP_E820_MAX		128

#define LF_LOADED_HIGH		0x01
#define LF_CAN_USE_HEAP		0x80
#define XLF_KERNEL_64		0x01

/* What the setup header says, once checked. */
struct linux_header {
	uint16_t version;
	uint32_t setup_bytes;		/* the real-mode part: (setup_sects + 1) * 512 */
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
	uint64_t load_addr;		/* pref_address: where the kernel runs anyway */
	uint32_t init_size;		/* bytes the kernel needs from load_addr */
};

/* Where things went, for the registers and -v. */
struct linux_boot {
	struct linux_header h;
	uint64_t entry;			/* startup_64: load_addr + 0x200, or the ELF's */
	bool vmlinux;			/* an ELF vmlinux, not a bzImage */
	uint64_t initrd_gpa, initrd_size;
};

/*
 * Checks a bzImage's setup header (len bytes of the file).  0, or -1 with
 * a one-line reason in err.
 */
int linux_check_header(const uint8_t *img, size_t len, struct linux_header *h,
		       char *err, size_t errlen);

/*
 * Places kernel (a bzImage, or an x86-64 vmlinux ELF), initramfs
 * (initrd_size bytes; NULL and 0 for none) and
 * command line in m, and fills the zero page, page tables and GDT.  With
 * m->base NULL or initrd NULL only the checks run (nothing is written).
 * 0, or -1 with a one-line reason in err.
 */
int linux_load(const struct guest_mem *m, const uint8_t *img, size_t len,
	       const uint8_t *initrd, uint64_t initrd_size, const char *cmdline,
	       struct linux_boot *out, char *err, size_t errlen);

/*
 * The same from files, reporting "FILE: message" on stderr: with m->base
 * NULL the kernel is read and checked and the initramfs only measured.
 */
int linux_load_files(const struct guest_mem *m, const char *kernel,
		     const char *initrd, const char *cmdline, struct linux_boot *out);

/* The vCPU at the 64-bit entry: long mode, paging on, RSI = zero page. */
int linux_set_regs(int vcpu_fd, const struct linux_boot *b);

#endif
