/* SPDX-License-Identifier: MIT */
/*
 * The whole guest/host ABI of vmm, in one header shared by the VMM and the
 * guest SDK.  Nothing here may depend on a hosted C library: the guest
 * builds it with -m32 -ffreestanding.
 *
 * Fields are marked IN (written by the guest, read by the VMM) or OUT
 * (written by the VMM, read by the guest).  The VMM treats every IN field
 * as hostile: it copies it once, checks it, and only then uses it.
 *
 * Discovery (in the spirit of Xen's start_info page):
 *   CPUID VMM_CPUID_BASE: eax = highest leaf of this base, ebx:ecx:edx = signature
 *   CPUID VMM_CPUID_INFO: eax = VMM_ABI_VERSION, ebx = boot info address
 *   KVM's own leaves come first, at 0x40000000 ("KVMKVMKVM", kvm-clock, the
 *   TSC rate at 0x40000010), so that Linux finds them where it looks first;
 *   vmm's base is the next one.  A guest finds vmm as Linux finds a
 *   hypervisor: the signature at a base from VMM_CPUID_SEARCH_FIRST to
 *   VMM_CPUID_SEARCH_LAST in steps of VMM_CPUID_SEARCH_STEP (guest/sdk/sdk.c),
 *   then the info leaf at that base + 1.
 *   The boot info page also lives at the fixed address VMM_BOOT_INFO_GPA.
 *
 * Hypercalls: "out %eax, %dx" with dx = VMM_HC_PORT and eax = hypercall
 * number; arguments in ebx, ecx, esi, edi; the status comes back in eax
 * (VMM_OK or a negative VMM_E* value).  A hypercall is one exit.
 */
#ifndef VMM_ABI_H
#define VMM_ABI_H

#include <stdint.h>

#define VMM_ABI_VERSION		1

#define VMM_CPUID_BASE		0x40000100u
#define VMM_CPUID_INFO		(VMM_CPUID_BASE + 1)
#define VMM_CPUID_SEARCH_FIRST	0x40000000u
#define VMM_CPUID_SEARCH_LAST	0x4000ff00u
#define VMM_CPUID_SEARCH_STEP	0x100u
/* "vmmTUIvmmTUI" as ebx, ecx, edx */
#define VMM_CPUID_SIG_EBX	0x546d6d76u	/* "vmmT" */
#define VMM_CPUID_SIG_ECX	0x6d764955u	/* "UIvm" */
#define VMM_CPUID_SIG_EDX	0x4955546du	/* "mTUI" */

/* I/O ports */
#define VMM_HC_PORT		0xABBA	/* hypercall doorbell (32-bit out) */
#define VMM_DEBUG_EXIT_PORT	0xf4	/* QEMU isa-debug-exit: status = (v << 1) | 1 */
#define VMM_COM1_PORT		0x3f8

/* Guest-physical layout; every page below 64 KiB is reserved in the e820 map. */
#define VMM_MB_INFO_GPA		0x00001000u	/* Multiboot info, memory map, cmdline */
#define VMM_BOOT_INFO_GPA	0x00002000u	/* struct vmm_boot_info */
#define VMM_PV_VGA_GPA		0x00003000u	/* struct vmm_pv_vga, 1 page */
#define VMM_PV_DISK_GPA		0x00004000u	/* struct vmm_pv_disk, 1 page */
#define VMM_PV_RING_GPA		0x00005000u	/* struct vmm_pv_ring, 2 pages */
#define VMM_RESERVED_END	0x00010000u
#define VMM_VGA_TEXT_GPA	0x000b8000u	/* 32 KiB colour text window */
#define VMM_VGA_TEXT_SIZE	0x8000u

/* Hypercall numbers.  The lab's VGA call keeps its number, 1. */
enum vmm_hypercall {
	VMM_HC_VERSION = 0,	/* -> VMM_ABI_VERSION */
	VMM_HC_VGA_PUTC = 1,	/* one cell from vmm_pv_vga.putc */
	VMM_HC_VGA_FRAME = 2,	/* ebx = first row, ecx = last row (inclusive) */
	VMM_HC_DISK_SECTOR = 3,	/* one sector through vmm_pv_disk */
	VMM_HC_DISK_RING = 4,	/* process vmm_pv_ring up to its producer index */
	VMM_HC_EXIT = 5,	/* ebx = exit status of the VM (0-255) */
	VMM_HC_COUNT		/* first unused number */
};

/* Hypercall and request statuses (eax, or a ring descriptor's status) */
#define VMM_OK		0
#define VMM_PENDING	1	/* VMM_HC_DISK_RING: descriptors remain; call again */
#define VMM_E_NOSYS	(-1)	/* unknown hypercall number */
#define VMM_E_INVAL	(-2)	/* bad argument (coordinates, operation, count) */
#define VMM_E_RANGE	(-3)	/* sector range outside the disk image */
#define VMM_E_FAULT	(-4)	/* guest-physical buffer outside guest RAM */
#define VMM_E_IO	(-5)	/* host I/O error */
#define VMM_E_ROFS	(-6)	/* write to a read-only disk */
#define VMM_E_NODEV	(-7)	/* device not configured as paravirtual */

enum vmm_dev_mode {
	VMM_MODE_NONE = 0,
	VMM_MODE_EMULATED = 1,
	VMM_MODE_PV = 2,
};

#define VMM_BOOT_MAGIC		0x564d4d42u	/* "BMMV" */

/* Filled by the VMM before the first instruction; read-only for the guest. */
struct vmm_boot_info {
	uint32_t magic;		/* OUT: VMM_BOOT_MAGIC */
	uint32_t version;	/* OUT: VMM_ABI_VERSION */
	uint32_t size;		/* OUT: sizeof(struct vmm_boot_info) */
	uint32_t vga_mode;	/* OUT: enum vmm_dev_mode */
	uint32_t vga_page;	/* OUT: gpa of struct vmm_pv_vga, 0 if not PV */
	uint32_t disk_mode;	/* OUT: enum vmm_dev_mode, NONE without a disk */
	uint32_t disk_page;	/* OUT: gpa of struct vmm_pv_disk, 0 if not PV */
	uint32_t disk_ring;	/* OUT: gpa of struct vmm_pv_ring, 0 if not PV */
	uint32_t disk_ring_entries; /* OUT: descriptors in the ring */
	uint32_t disk_readonly;	/* OUT: 1 if writes will fail */
	uint64_t disk_sectors;	/* OUT: image size in 512-byte sectors */
	uint64_t mem_bytes;	/* OUT: guest RAM size */
	char name[32];		/* OUT: VM name, NUL-terminated */
};

/* Paravirtual VGA ------------------------------------------------------ */

#define VMM_VGA_COLS	80
#define VMM_VGA_ROWS	25
#define VMM_VGA_CURSOR_OFF 0xffffu

struct vmm_pv_vga {
	/* the lab's per-character call */
	struct {
		uint16_t x, y;		/* IN: column 0-79, row 0-24 */
		uint8_t ch, attr;	/* IN: CP437 code and VGA attribute */
		uint16_t pad;
	} putc;
	/* the frame call */
	uint16_t cursor;	/* IN: row * 80 + col, or VMM_VGA_CURSOR_OFF */
	uint16_t pad;
	uint16_t frame[VMM_VGA_ROWS * VMM_VGA_COLS]; /* IN: (attr << 8) | ch */
};

/* Paravirtual disk ------------------------------------------------------ */

#define VMM_SECTOR_SIZE	512

enum vmm_disk_op {
	VMM_DISK_READ = 0,
	VMM_DISK_WRITE = 1,
	VMM_DISK_FLUSH = 2,
};

/* The lab's call: one sector per hypercall, data in the shared page. */
struct vmm_pv_disk {
	uint32_t op;		/* IN: VMM_DISK_READ or VMM_DISK_WRITE */
	uint32_t pad;
	uint64_t sector;	/* IN: LBA */
	uint8_t data[VMM_SECTOR_SIZE]; /* IN for writes, OUT for reads */
};

/*
 * Request ring, in the spirit of a virtio queue: the guest fills
 * descriptors, advances prod and makes a VMM_HC_DISK_RING hypercall; the
 * VMM completes descriptors in order from cons towards prod, writes each
 * one's status and advances cons.  Indices run freely and wrap modulo
 * 2^32; a descriptor lives at index % VMM_PV_RING_ENTRIES.
 *
 * One call moves at most VMM_PV_RING_BUDGET bytes, so that no exit holds
 * the VMM for long (a full ring of the largest descriptors is 4 GiB): it
 * completes whole descriptors while their data fits in the budget (the
 * first one always; refused descriptors and flushes move no data), and
 * stops early when the VMM is asked to stop.  The call returns
 *   VMM_OK       cons == prod: every descriptor is complete;
 *   VMM_PENDING  descriptors from cons to prod are not done yet and their
 *                status fields are untouched: make the call again (with
 *                the same or a later prod) to go on;
 *   VMM_E_INVAL  prod is more than VMM_PV_RING_ENTRIES ahead of cons.
 * A descriptor's status is written only when it is complete, and only
 * complete descriptors are behind cons.
 */
#define VMM_PV_RING_ENTRIES	128
#define VMM_PV_RING_MAX_SECTORS	65536	/* per descriptor (32 MiB) */
#define VMM_PV_RING_BUDGET	(32u << 20)	/* bytes per call */

struct vmm_pv_desc {
	uint32_t op;		/* IN: enum vmm_disk_op */
	uint32_t count;		/* IN: sectors, 1..VMM_PV_RING_MAX_SECTORS */
	uint64_t sector;	/* IN: first LBA */
	uint64_t buf;		/* IN: gpa of count * 512 bytes */
	int32_t status;		/* OUT: VMM_OK or VMM_E* */
	uint32_t pad;
};

struct vmm_pv_ring {
	uint32_t prod;		/* IN: next index the guest will fill */
	uint32_t cons;		/* OUT: next index the VMM will complete */
	uint32_t pad[2];
	struct vmm_pv_desc desc[VMM_PV_RING_ENTRIES];
};

/*
 * Layout checks: this header is compiled by the 32-bit guest SDK and the
 * 64-bit host, and both must see the same bytes.  uint64_t fields are
 * 8-aligned on x86-64 but only 4-aligned in the i386 ABI, so every one
 * sits at an offset that is a multiple of 8 already.
 */
#define VMM_ABI_AT(type, field, off) \
	_Static_assert(__builtin_offsetof(struct type, field) == (off), \
		       #type "." #field " moved")
_Static_assert(sizeof(struct vmm_boot_info) == 88, "vmm_boot_info size");
VMM_ABI_AT(vmm_boot_info, disk_readonly, 36);
VMM_ABI_AT(vmm_boot_info, disk_sectors, 40);
VMM_ABI_AT(vmm_boot_info, mem_bytes, 48);
VMM_ABI_AT(vmm_boot_info, name, 56);
_Static_assert(sizeof(struct vmm_pv_vga) == 12 + 2 * VMM_VGA_ROWS * VMM_VGA_COLS,
	       "vmm_pv_vga size");
VMM_ABI_AT(vmm_pv_vga, cursor, 8);
VMM_ABI_AT(vmm_pv_vga, frame, 12);
_Static_assert(sizeof(struct vmm_pv_disk) == 16 + VMM_SECTOR_SIZE, "vmm_pv_disk size");
VMM_ABI_AT(vmm_pv_disk, sector, 8);
VMM_ABI_AT(vmm_pv_disk, data, 16);
_Static_assert(sizeof(struct vmm_pv_desc) == 32, "vmm_pv_desc size");
VMM_ABI_AT(vmm_pv_desc, sector, 8);
VMM_ABI_AT(vmm_pv_desc, buf, 16);
VMM_ABI_AT(vmm_pv_desc, status, 24);
_Static_assert(sizeof(struct vmm_pv_ring) == 16 + 32 * VMM_PV_RING_ENTRIES,
	       "vmm_pv_ring size");
VMM_ABI_AT(vmm_pv_ring, cons, 4);
VMM_ABI_AT(vmm_pv_ring, desc, 16);
#undef VMM_ABI_AT

#endif /* VMM_ABI_H */
