// SPDX-License-Identifier: MIT
/*
 * Linux's x86 boot protocol without firmware, as kvmtool and Firecracker
 * do it: vmm is the boot loader.  The kernel file is hostile input like
 * any guest file: every offset and size in its setup header is checked
 * before a byte reaches guest memory.  The entry is the 64-bit one (why:
 * DEVELOPERS.md, "Booting Linux").  A vmlinux ELF boots too, as
 * Firecracker boots it: no decompressor to run in the guest.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvm.h>
#include <sys/stat.h>

#include "boot.h"
#include "linux_boot.h"
#include "loader.h"

#define SETUP_HDR_MAGIC		0x53726448u	/* "HdrS" */
#define BOOT_FLAG		0xaa55u
#define LINUX_MAX_KERNEL	(1ull << 30)	/* a vmlinux with its debug info is hundreds of MiB */
#define E820_RAM		1
#define E820_RESERVED		2
#define EBDA_START		0x9fc00u
#define BIOS_START		0xf0000u
#define HIGH_RAM		0x100000u
#define PAGE			4096u

static uint32_t get(const uint8_t *p, size_t off, size_t bytes)
{
	uint32_t v = 0;

	memcpy(&v, p + off, bytes);	/* little-endian, as x86 is */
	return v;
}

static void put(uint8_t *p, size_t off, uint32_t v, size_t bytes)
{
	memcpy(p + off, &v, bytes);
}

int linux_check_header(const uint8_t *img, size_t len, struct linux_header *h,
		       char *err, size_t n)
{
	if (len < LH_MAGIC + 4 || get(img, LH_MAGIC, 4) != SETUP_HDR_MAGIC ||
	    get(img, LH_BOOT_FLAG, 2) != BOOT_FLAG)
		return loader_fail(err, n, "not a Linux kernel (no bzImage setup header \"HdrS\" at %#x)",
			     LH_MAGIC);
	h->version = (uint16_t)get(img, LH_VERSION, 2);
	if (h->version < LINUX_MIN_PROTOCOL)
		return loader_fail(err, n, "Linux boot protocol %u.%02u is too old: vmm needs %u.%02u "
			     "or later (the 64-bit entry)", h->version >> 8, h->version & 0xff,
			     LINUX_MIN_PROTOCOL >> 8, LINUX_MIN_PROTOCOL & 0xff);
	/* the header is as long as its jump says; 2.12 has fields to 0x264 */
	size_t hdr_end = LH_MAGIC + img[LH_JUMP_LEN];

	if (hdr_end < LH_INIT_SIZE + 4 || hdr_end > len)
		return loader_fail(err, n, "setup header of protocol %u.%02u ends at %#zx, %s",
			     h->version >> 8, h->version & 0xff, hdr_end,
			     hdr_end > len ? "past the end of the file" : "before its last field");
	if (!(img[LH_LOADFLAGS] & LF_LOADED_HIGH))
		return loader_fail(err, n, "not a bzImage (loadflags %#x: a zImage loaded low)",
			     img[LH_LOADFLAGS]);
	if (!(get(img, LH_XLOADFLAGS, 2) & XLF_KERNEL_64))
		return loader_fail(err, n, "no 64-bit entry (xloadflags %#x): vmm boots x86-64 kernels",
			     get(img, LH_XLOADFLAGS, 2));
	uint32_t sects = img[LH_SETUP_SECTS] ? img[LH_SETUP_SECTS] : 4;

	h->setup_bytes = (sects + 1) * 512;
	if (h->setup_bytes >= len)
		return loader_fail(err, n, "%u setup sectors and no kernel after them", sects);
	h->initrd_addr_max = get(img, LH_INITRD_ADDR_MAX, 4);
	h->cmdline_size = get(img, LH_CMDLINE_SIZE, 4);
	uint64_t pref;

	memcpy(&pref, img + LH_PREF_ADDRESS, 8);
	uint32_t align = get(img, LH_KERNEL_ALIGNMENT, 4);

	/* where a relocatable kernel unpacks itself anyway: load it there */
	h->load_addr = pref ? pref : HIGH_RAM;
	if (h->load_addr < HIGH_RAM || h->load_addr >= (1ull << 32) ||
	    (img[LH_RELOCATABLE] && align && (align & (align - 1))) ||
	    (img[LH_RELOCATABLE] && align && h->load_addr % align))
		return loader_fail(err, n, "preferred load address %#llx (alignment %#x) is not usable",
			     (unsigned long long)h->load_addr, align);
	h->init_size = get(img, LH_INIT_SIZE, 4);
	if (h->init_size < len - h->setup_bytes)
		h->init_size = (uint32_t)(len - h->setup_bytes);
	return 0;
}

/* Kernel at its load address, initramfs at the top of what it may reach. */
static int place(const struct guest_mem *m, const struct linux_header *h,
		 uint64_t initrd_size, struct linux_boot *out, char *err, size_t n)
{
	uint64_t kend = h->load_addr + h->init_size;

	if (kend > m->size)
		return loader_fail(err, n, "the kernel needs %llu MiB of RAM (it unpacks to %u MiB at "
			     "%llu MiB); memory is %llu MiB", (unsigned long long)(kend + (1 << 20) - 1) >> 20,
			     (h->init_size + (1 << 20) - 1) >> 20,
			     (unsigned long long)h->load_addr >> 20,
			     (unsigned long long)m->size >> 20);
	out->initrd_gpa = out->initrd_size = 0;
	if (!initrd_size)
		return 0;
	uint64_t top = m->size;

	if ((uint64_t)h->initrd_addr_max + 1 < top)
		top = (uint64_t)h->initrd_addr_max + 1;
	uint64_t at = top >= initrd_size ? (top - initrd_size) & ~(uint64_t)(PAGE - 1) : 0;

	if (at < kend)
		return loader_fail(err, n, "the initramfs (%llu KiB) does not fit in RAM above the "
			     "kernel (%llu MiB); raise memory",
			     (unsigned long long)initrd_size >> 10,
			     (unsigned long long)(kend + (1 << 20) - 1) >> 20);
	out->initrd_gpa = at;
	out->initrd_size = initrd_size;
	return 0;
}

/* The e820 map: RAM around the EBDA, the VGA window and the BIOS area. */
static void e820(uint8_t *zp, uint64_t ram)
{
	const struct { uint64_t addr, len; uint32_t type; } map[] = {
		{ 0, EBDA_START, E820_RAM },
		{ EBDA_START, GUEST_HOLE_START - EBDA_START, E820_RESERVED },
		{ BIOS_START, HIGH_RAM - BIOS_START, E820_RESERVED },
		{ HIGH_RAM, ram - HIGH_RAM, E820_RAM },
	};
	size_t k = sizeof(map) / sizeof(map[0]);

	for (size_t i = 0; i < k; i++) {
		uint8_t *e = zp + ZP_E820_TABLE + 20 * i;

		memcpy(e, &map[i].addr, 8);
		memcpy(e + 8, &map[i].len, 8);
		memcpy(e + 16, &map[i].type, 4);
	}
	zp[ZP_E820_ENTRIES] = (uint8_t)k;
}

/* screen_info: 80x25 colour VGA text, cursor home, so vgacon draws on vmm's screen. */
static void screen_info(uint8_t *zp, uint64_t ram)
{
	uint64_t ext_k = (ram - HIGH_RAM) >> 10;

	put(zp, 0x02, ext_k > 0xffff ? 0xffff : (uint32_t)ext_k, 2);	/* ext_mem_k */
	zp[0x06] = 3;		/* orig_video_mode: 80x25 colour text */
	zp[0x07] = 80;		/* orig_video_cols */
	put(zp, 0x0a, 0x0003, 2);	/* orig_video_ega_bx: colour, 256 KiB: not CGA */
	zp[0x0e] = 25;		/* orig_video_lines */
	zp[0x0f] = 1;		/* orig_video_isVGA */
	put(zp, 0x10, 16, 2);	/* orig_video_points: 16-line font */
}

/*
 * img: a bzImage, whose setup header goes in as the protocol says; NULL for
 * a vmlinux, which has none: then the fields a boot loader would find in
 * one (kvmtool and Firecracker fill the same).
 */
static void zero_page(uint8_t *zp, const uint8_t *img, const struct linux_boot *b,
		      uint64_t ram)
{
	memset(zp, 0, PAGE);
	if (img) {
		size_t hdr_end = LH_MAGIC + img[LH_JUMP_LEN];

		memcpy(zp + LH_SETUP_SECTS, img + LH_SETUP_SECTS, hdr_end - LH_SETUP_SECTS);
	} else {
		put(zp, LH_BOOT_FLAG, BOOT_FLAG, 2);
		put(zp, LH_MAGIC, SETUP_HDR_MAGIC, 4);
		put(zp, LH_VERSION, b->h.version, 2);
		zp[LH_LOADFLAGS] = LF_LOADED_HIGH;
		put(zp, LH_KERNEL_ALIGNMENT, VMLINUX_ALIGN, 4);
		put(zp, LH_CMDLINE_SIZE, b->h.cmdline_size, 4);
		put(zp, LH_INITRD_ADDR_MAX, b->h.initrd_addr_max, 4);
	}
	zp[LH_TYPE_OF_LOADER] = LINUX_LOADER_TYPE;
	zp[LH_LOADFLAGS] |= LF_CAN_USE_HEAP;
	put(zp, LH_HEAP_END_PTR, 0xfe00, 2);
	put(zp, LH_CMD_LINE_PTR, LINUX_CMDLINE_GPA, 4);
	put(zp, LH_RAMDISK_IMAGE, (uint32_t)b->initrd_gpa, 4);
	put(zp, LH_RAMDISK_SIZE, (uint32_t)b->initrd_size, 4);
	put(zp, ZP_EXT_RAMDISK_IMAGE, (uint32_t)(b->initrd_gpa >> 32), 4);
	put(zp, ZP_EXT_RAMDISK_SIZE, (uint32_t)(b->initrd_size >> 32), 4);
	screen_info(zp, ram);
	e820(zp, ram);
}

/* 4 GiB identity-mapped in 2 MiB pages, and a GDT with the kernel's boot selectors. */
static void page_tables_and_gdt(uint8_t *base)
{
	uint64_t *pml4 = (uint64_t *)(base + LINUX_PML4_GPA);
	uint64_t *pdpt = pml4 + 512;
	uint64_t *pd = pdpt + 512;
	uint64_t *gdt = (uint64_t *)(base + LINUX_GDT_GPA);

	memset(pml4, 0, 6 * PAGE);
	pml4[0] = (LINUX_PML4_GPA + PAGE) | 0x3;		/* present, writable */
	for (uint64_t i = 0; i < 4; i++)
		pdpt[i] = (LINUX_PML4_GPA + (2 + i) * PAGE) | 0x3;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | 0x83;			/* present, writable, 2 MiB */
	memset(gdt, 0, 4 * 8);
	gdt[2] = 0x00af9b000000ffffull;		/* 0x10: 64-bit code, ring 0 */
	gdt[3] = 0x00cf93000000ffffull;		/* 0x18: flat data */
}

/*
 * A vmlinux (the ELF a kernel build leaves, before compression): its
 * segments where it was linked to run, entered at startup_64 as a bzImage's
 * decompressor would; no setup header, so the protocol's defaults.
 */
static int vmlinux_header(const struct guest_mem *m, const uint8_t *img, size_t len,
			  struct linux_boot *b, char *err, size_t n)
{
	struct guest_mem sizing = { .base = NULL, .size = m->size };
	struct load_info li;
	char why[160];

	if (len > EI_CLASS && img[EI_CLASS] != ELFCLASS64)
		return loader_fail(err, n, "not a Linux kernel: a 32-bit ELF (vmm boots a bzImage "
				   "or an x86-64 vmlinux)");
	if (loader_load_elf64(&sizing, img, len, &li, why, sizeof(why)))
		return loader_fail(err, n, "vmlinux: %s", why);
	if (li.lo < HIGH_RAM)
		return loader_fail(err, n, "vmlinux: a segment at %#x lies below 1 MiB", li.lo);
	b->h = (struct linux_header){
		.version = VMLINUX_PROTOCOL, .initrd_addr_max = VMLINUX_INITRD_MAX,
		.cmdline_size = VMLINUX_CMDLINE_SIZE, .load_addr = li.lo,
		.init_size = li.hi - li.lo,
	};
	b->entry = li.entry;
	b->vmlinux = true;
	return 0;
}

/* The kernel's bytes in RAM: a vmlinux's segments, or a bzImage past its setup code. */
static int put_kernel(const struct guest_mem *m, const uint8_t *img, size_t len,
		      const struct linux_boot *b, char *err, size_t n)
{
	struct load_info li;
	uint8_t *k;

	if (b->vmlinux)
		return loader_load_elf64(m, img, len, &li, err, n);
	k = gpa_ptr(m, b->h.load_addr, len - b->h.setup_bytes);
	if (!k)
		return loader_fail(err, n, "guest RAM too small for the boot pages");
	memcpy(k, img + b->h.setup_bytes, len - b->h.setup_bytes);
	return 0;
}

int linux_load(const struct guest_mem *m, const uint8_t *img, size_t len,
	       const uint8_t *initrd, uint64_t initrd_size, const char *cmdline,
	       struct linux_boot *out, char *err, size_t n)
{
	struct linux_boot b = { 0 };
	size_t cl = strlen(cmdline);

	if (len >= SELFMAG && !memcmp(img, ELFMAG, SELFMAG)) {
		if (vmlinux_header(m, img, len, &b, err, n))
			return -1;
	} else if (linux_check_header(img, len, &b.h, err, n)) {
		return -1;
	} else {
		b.entry = b.h.load_addr + 0x200;
	}
	if (cl > b.h.cmdline_size || cl >= LINUX_CMDLINE_ROOM)
		return loader_fail(err, n, "the command line has %zu characters; this kernel takes %u",
			     cl, b.h.cmdline_size);
	int r = place(m, &b.h, initrd_size, &b, err, n);

	if (r)
		return initrd_size && b.h.load_addr + b.h.init_size <= m->size ? -2 : -1;
	if (m->base) {
		uint8_t *zp = gpa_ptr(m, LINUX_ZERO_PAGE_GPA, PAGE);
		uint8_t *c = gpa_ptr(m, LINUX_CMDLINE_GPA, cl + 1);
		uint8_t *rd = initrd_size ? gpa_ptr(m, b.initrd_gpa, initrd_size) : NULL;

		if (!zp || !c || !gpa_ptr(m, LINUX_PML4_GPA, 6 * PAGE) ||
		    (initrd_size && (!rd || !initrd)))
			return loader_fail(err, n, "guest RAM too small for the boot pages");
		if (put_kernel(m, img, len, &b, err, n))
			return -1;
		memcpy(c, cmdline, cl + 1);
		if (rd)
			memcpy(rd, initrd, initrd_size);
		zero_page(zp, b.vmlinux ? NULL : img, &b, m->size);
		page_tables_and_gdt(m->base);
	}
	*out = b;
	return 0;
}

/* The initramfs's size, and its bytes unless only checking. */
static const uint8_t *initramfs(const struct guest_mem *m, const char *path, uint64_t *size)
{
	struct stat st;

	errno = 0;
	if (!m->base) {
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			fprintf(stderr, "%s: %s\n", path,
				errno ? strerror(errno) : "not a regular file");
			return NULL;
		}
		*size = (uint64_t)st.st_size;
		return (const uint8_t *)"";
	}
	size_t len;
	const uint8_t *rd = loader_read_file(path, m->size, &len);

	*size = len;
	return rd;
}

int linux_load_files(const struct guest_mem *m, const char *kernel,
		     const char *initrd, const char *cmdline, struct linux_boot *out)
{
	char err[200];
	size_t len;
	uint64_t rd_size = 0;
	const uint8_t *img = loader_read_file(kernel, LINUX_MAX_KERNEL, &len);
	const uint8_t *rd = NULL;
	int r = -1;

	if (!img)
		return -1;
	if (initrd && !(rd = initramfs(m, initrd, &rd_size)))
		goto out;
	r = linux_load(m, img, len, m->base ? rd : NULL, rd_size, cmdline ? cmdline : "",
		       out, err, sizeof(err));
	if (r)
		fprintf(stderr, "%s: %s\n", r == -2 ? initrd : kernel, err);
out:
	if (m->base)
		loader_release_file(rd, rd_size);
	loader_release_file(img, len);
	return r ? -1 : 0;
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, int l)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffffu, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = !l, .l = (uint8_t)l, .s = 1, .g = 1,
	};
}

/* What the 64-bit boot protocol asks: long mode, identity paging, RSI = zero page. */
static void linux_state(struct kvm_regs *r, struct kvm_sregs *s, const void *arg)
{
	const struct linux_boot *b = arg;

	*r = (struct kvm_regs){ .rip = b->entry, .rsi = LINUX_ZERO_PAGE_GPA, .rflags = 0x2 };
	seg(&s->cs, 0x10, 0xb, 1);
	seg(&s->ds, 0x18, 0x3, 0);
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->tr = (struct kvm_segment){ .limit = 0x67, .type = 0xb, .present = 1 };
	s->ldt = (struct kvm_segment){ .type = 0x2, .unusable = 1 };
	s->gdt.base = LINUX_GDT_GPA;
	s->gdt.limit = 4 * 8 - 1;
	s->idt.base = 0;
	s->idt.limit = 0;
	s->cr0 = 0x80000033;		/* PG, NE, ET, MP, PE */
	s->cr3 = LINUX_PML4_GPA;
	s->cr4 = 0x20;			/* PAE */
	s->efer = 0x500;		/* LME, LMA */
}

int linux_set_regs(int vcpu_fd, const struct linux_boot *b)
{
	return boot_vcpu_state(vcpu_fd, linux_state, b, "Linux boot");
}
