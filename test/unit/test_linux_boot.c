// SPDX-License-Identifier: MIT
/* The Linux boot protocol: setup header checks, placement and the zero page. */
#include <elf.h>
#include <stdlib.h>

#include "../../vmm/linux_boot.h"
#include "../unit.h"

#define MIB (1ull << 20)
#define KLEN (8 * 512 + 4096)	/* 7 setup sectors + boot sector, then the kernel */

static uint8_t img[KLEN];
static struct guest_mem mem;
static char err[200];

static void put(size_t off, uint64_t v, size_t n)
{
	memcpy(img + off, &v, n);
}

static uint64_t get(const uint8_t *p, size_t off, size_t n)
{
	uint64_t v = 0;

	memcpy(&v, p + off, n);
	return v;
}

/* A bzImage's header as Debian's 6.1 kernel has it, with a small kernel. */
static void bzimage(void)
{
	memset(img, 0, sizeof(img));
	img[LH_SETUP_SECTS] = 7;
	put(LH_BOOT_FLAG, 0xaa55, 2);
	img[LH_JUMP_LEN] = 0x6a;
	memcpy(img + LH_MAGIC, "HdrS", 4);
	put(LH_VERSION, 0x020f, 2);
	img[LH_LOADFLAGS] = LF_LOADED_HIGH;
	put(LH_INITRD_ADDR_MAX, 0x7fffffff, 4);
	put(LH_KERNEL_ALIGNMENT, 0x200000, 4);
	img[LH_RELOCATABLE] = 1;
	put(LH_XLOADFLAGS, 0x7f, 2);
	put(LH_CMDLINE_SIZE, 2047, 4);
	put(LH_PREF_ADDRESS, 16 * MIB, 8);
	put(LH_INIT_SIZE, (uint32_t)(2 * MIB), 4);
	for (size_t i = 8 * 512; i < KLEN; i++)
		img[i] = (uint8_t)(i * 7);
}

static int load(uint64_t ram_mib, const uint8_t *rd, uint64_t rd_size, const char *cmd,
		struct linux_boot *b)
{
	free(mem.base);
	mem = (struct guest_mem){ .size = ram_mib * MIB };
	mem.base = calloc(1, mem.size);
	err[0] = 0;
	return linux_load(&mem, img, sizeof(img), rd, rd_size, cmd, b, err, sizeof(err));
}

static void header_fields(void)
{
	struct linux_header h;

	bzimage();
	EXPECT_EQ(linux_check_header(img, sizeof(img), &h, err, sizeof(err)), 0);
	EXPECT_EQ(h.version, 0x020f);
	EXPECT_EQ(h.setup_bytes, 8 * 512);
	EXPECT_EQ(h.load_addr, 16 * MIB);
	EXPECT_EQ(h.init_size, 2 * MIB);
	EXPECT_EQ(h.cmdline_size, 2047);
	/* setup_sects 0 means 4 */
	img[LH_SETUP_SECTS] = 0;
	EXPECT_EQ(linux_check_header(img, sizeof(img), &h, err, sizeof(err)), 0);
	EXPECT_EQ(h.setup_bytes, 5 * 512);
}

static void refused_files(void)
{
	struct linux_header h;
	static const struct { size_t off, n; uint64_t v; const char *why; } bad[] = {
		{ LH_MAGIC, 4, 0x464c457f, "not a Linux kernel (no bzImage setup header \"HdrS\" at 0x202)" },
		{ LH_BOOT_FLAG, 2, 0, "not a Linux kernel (no bzImage setup header \"HdrS\" at 0x202)" },
		{ LH_VERSION, 2, 0x020b, "Linux boot protocol 2.11 is too old: vmm needs 2.12 or later (the 64-bit entry)" },
		{ LH_LOADFLAGS, 1, 0, "not a bzImage (loadflags 0: a zImage loaded low)" },
		{ LH_XLOADFLAGS, 2, 0x2, "no 64-bit entry (xloadflags 0x2): vmm boots x86-64 kernels" },
		{ LH_JUMP_LEN, 1, 0x40, "setup header of protocol 2.15 ends at 0x242, before its last field" },
		{ LH_SETUP_SECTS, 1, 200, "200 setup sectors and no kernel after them" },
		{ LH_PREF_ADDRESS, 8, 0x1234567, "preferred load address 0x1234567 (alignment 0x200000) is not usable" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bzimage();
		put(bad[i].off, bad[i].v, bad[i].n);
		EXPECT_EQ(linux_check_header(img, sizeof(img), &h, err, sizeof(err)), -1);
		if (strcmp(err, bad[i].why))
			printf("    got '%s'\n", err);
		EXPECT(!strcmp(err, bad[i].why));
	}
	bzimage();
	EXPECT_EQ(linux_check_header(img, 0x203, &h, err, sizeof(err)), -1);
	EXPECT_EQ(linux_check_header(img, 0x250, &h, err, sizeof(err)), -1);
	EXPECT(!strcmp(err, "setup header of protocol 2.15 ends at 0x26c, past the end of the file"));
}

static void zero_page(void)
{
	static uint8_t rd[5000];
	struct linux_boot b;

	bzimage();
	memset(rd, 0x5a, sizeof(rd));
	EXPECT_EQ(load(64, rd, sizeof(rd), "console=ttyS0 quiet", &b), 0);
	const uint8_t *zp = mem.base + LINUX_ZERO_PAGE_GPA;

	EXPECT_EQ(b.entry, 16 * MIB + 0x200);
	/* the header as in the file, then what the loader fills */
	EXPECT(!memcmp(zp + LH_MAGIC, "HdrS", 4));
	EXPECT_EQ(get(zp, LH_VERSION, 2), 0x020f);
	EXPECT_EQ(zp[LH_TYPE_OF_LOADER], LINUX_LOADER_TYPE);
	EXPECT_EQ(get(zp, LH_CMD_LINE_PTR, 4), LINUX_CMDLINE_GPA);
	EXPECT(!strcmp((char *)mem.base + LINUX_CMDLINE_GPA, "console=ttyS0 quiet"));
	/* the initramfs at the top of RAM, page-aligned, whole */
	EXPECT_EQ(b.initrd_gpa, (64 * MIB - sizeof(rd)) & ~4095ull);
	EXPECT_EQ(get(zp, LH_RAMDISK_IMAGE, 4), b.initrd_gpa);
	EXPECT_EQ(get(zp, LH_RAMDISK_SIZE, 4), sizeof(rd));
	EXPECT(!memcmp(mem.base + b.initrd_gpa, rd, sizeof(rd)));
	/* the protected-mode kernel at its load address */
	EXPECT(!memcmp(mem.base + 16 * MIB, img + 8 * 512, KLEN - 8 * 512));
	/* e820: low RAM, EBDA, BIOS area, then RAM from 1 MiB */
	EXPECT_EQ(zp[ZP_E820_ENTRIES], 4);
	EXPECT_EQ(get(zp, ZP_E820_TABLE + 8, 8), 0x9fc00);
	EXPECT_EQ(get(zp, ZP_E820_TABLE + 16, 4), 1);
	EXPECT_EQ(get(zp, ZP_E820_TABLE + 20 + 16, 4), 2);
	EXPECT_EQ(get(zp, ZP_E820_TABLE + 60, 8), MIB);
	EXPECT_EQ(get(zp, ZP_E820_TABLE + 68, 8), 63 * MIB);
	EXPECT_EQ(get(zp, ZP_E820_TABLE + 76, 4), 1);
	/* screen_info: 80x25 colour VGA text */
	EXPECT_EQ(zp[0x06], 3);
	EXPECT_EQ(zp[0x07], 80);
	EXPECT_EQ(zp[0x0e], 25);
	EXPECT_EQ(zp[0x0f], 1);
	EXPECT_EQ(get(zp, 0x10, 2), 16);
	/* identity paging: 2 MiB pages over 4 GiB, and the boot GDT */
	EXPECT_EQ(get(mem.base, LINUX_PML4_GPA, 8), (LINUX_PML4_GPA + 4096) | 3);
	EXPECT_EQ(get(mem.base, LINUX_PML4_GPA + 4096 + 3 * 8, 8), (LINUX_PML4_GPA + 5 * 4096) | 3);
	EXPECT_EQ(get(mem.base, LINUX_PML4_GPA + 2 * 4096 + 8 * 8, 8), (8ull << 21) | 0x83);
	EXPECT_EQ(get(mem.base, LINUX_PML4_GPA + 6 * 4096 - 8, 8), (2047ull << 21) | 0x83);
	EXPECT_EQ(get(mem.base, LINUX_GDT_GPA + 0x10, 8), 0x00af9b000000ffffull);
}

/* A vmlinux: an x86-64 ELF, its segments where linked, the protocol's defaults. */
static void vmlinux(void)
{
	static uint8_t elf[0x3000];
	static uint8_t rd[100];
	Elf64_Ehdr eh = { .e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = 1,
			  .e_entry = 16 * MIB + 0x10, .e_phoff = 64,
			  .e_ehsize = 64, .e_phentsize = 56, .e_phnum = 2 };
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_LOAD, .p_offset = 0x1000, .p_paddr = 16 * MIB,
		  .p_filesz = 0x1000, .p_memsz = 0x1000 },
		/* bss: the rest of the segment is zeroed */
		{ .p_type = PT_LOAD, .p_offset = 0x2000, .p_paddr = 17 * MIB,
		  .p_filesz = 0x800, .p_memsz = 0x3000 },
	};
	struct linux_boot b;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	memset(elf, 0, sizeof(elf));
	memcpy(elf, &eh, sizeof(eh));
	memcpy(elf + 64, ph, sizeof(ph));
	for (size_t i = 0x1000; i < sizeof(elf); i++)
		elf[i] = (uint8_t)(i * 5 + 1);
	free(mem.base);
	mem = (struct guest_mem){ .size = 64 * MIB };
	mem.base = calloc(1, mem.size);
	memset(mem.base + 17 * MIB, 0xee, 0x3000);	/* what the bss must not keep */
	EXPECT_EQ(linux_load(&mem, elf, sizeof(elf), rd, sizeof(rd), "quiet", &b, err,
			     sizeof(err)), 0);
	EXPECT(b.vmlinux);
	EXPECT_EQ(b.entry, 16 * MIB + 0x10);
	EXPECT_EQ(b.h.load_addr, 16 * MIB);
	EXPECT_EQ(b.h.init_size, MIB + 0x3000);
	EXPECT(!memcmp(mem.base + 16 * MIB, elf + 0x1000, 0x1000));
	EXPECT(!memcmp(mem.base + 17 * MIB, elf + 0x2000, 0x800));
	EXPECT_EQ(mem.base[17 * MIB + 0x800], 0);
	EXPECT_EQ(mem.base[17 * MIB + 0x2fff], 0);
	/* no setup header in the file: the fields a boot loader's would hold */
	const uint8_t *zp = mem.base + LINUX_ZERO_PAGE_GPA;

	EXPECT(!memcmp(zp + LH_MAGIC, "HdrS", 4));
	EXPECT_EQ(get(zp, LH_BOOT_FLAG, 2), 0xaa55);
	EXPECT_EQ(get(zp, LH_VERSION, 2), VMLINUX_PROTOCOL);
	EXPECT_EQ(zp[LH_LOADFLAGS] & LF_LOADED_HIGH, LF_LOADED_HIGH);
	EXPECT_EQ(get(zp, LH_CMDLINE_SIZE, 4), VMLINUX_CMDLINE_SIZE);
	EXPECT_EQ(get(zp, LH_RAMDISK_SIZE, 4), sizeof(rd));
	EXPECT_EQ(zp[0x07], 80);
	/* an entry outside every segment is refused */
	eh.e_entry = 20 * MIB;
	memcpy(elf, &eh, sizeof(eh));
	EXPECT_EQ(linux_load(&mem, elf, sizeof(elf), NULL, 0, "", &b, err, sizeof(err)), -1);
	EXPECT(!strcmp(err, "vmlinux: entry point 0x1400000 is not inside a loaded segment"));
}

static void initrd_below_its_limit(void)
{
	static uint8_t rd[100];
	struct linux_boot b;

	bzimage();
	put(LH_INITRD_ADDR_MAX, 32 * MIB - 1, 4);
	EXPECT_EQ(load(64, rd, sizeof(rd), "", &b), 0);
	EXPECT_EQ(b.initrd_gpa, 32 * MIB - 4096);
}

static void too_small(void)
{
	struct linux_boot b;

	bzimage();
	EXPECT_EQ(load(16, NULL, 0, "", &b), -1);
	EXPECT(!strcmp(err, "the kernel needs 18 MiB of RAM (it unpacks to 2 MiB at 16 MiB); memory is 16 MiB"));
	/* a large initramfs: -2, its own fault */
	EXPECT_EQ(load(20, NULL, 3 * MIB, "", &b), -2);
	EXPECT(!strcmp(err, "the initramfs (3072 KiB) does not fit in RAM above the kernel (18 MiB); raise memory"));
	char cmd[2100];

	memset(cmd, 'x', sizeof(cmd) - 1);
	cmd[sizeof(cmd) - 1] = 0;
	EXPECT_EQ(load(64, NULL, 0, cmd, &b), -1);
	EXPECT(!strcmp(err, "the command line has 2099 characters; this kernel takes 2047"));
}

static void check_only_writes_nothing(void)
{
	struct guest_mem check = { .size = 64 * MIB };
	struct linux_boot b;

	bzimage();
	EXPECT_EQ(linux_load(&check, img, sizeof(img), NULL, 1000, "", &b, err, sizeof(err)), 0);
	EXPECT_EQ(b.initrd_size, 1000);
}

int main(void)
{
	RUN(header_fields);
	RUN(refused_files);
	RUN(zero_page);
	RUN(vmlinux);
	RUN(initrd_below_its_limit);
	RUN(too_small);
	RUN(check_only_writes_nothing);
	free(mem.base);
	UNIT_EXIT();
}
