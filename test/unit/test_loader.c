// SPDX-License-Identifier: MIT
/* Multiboot/ELF loading: good images load, bad ones are refused before any write. */
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "../../vmm/loader.h"
#include "../unit.h"

#define MEM (4u << 20)

static struct guest_mem mem;
static uint8_t img[16384];
static char err[256];

/* An ELF32 with one PT_LOAD of 64 bytes at paddr, and a Multiboot header in it. */
static size_t build(uint32_t paddr, uint32_t memsz, uint32_t entry)
{
	memset(img, 0, sizeof(img));
	Elf32_Ehdr *eh = (void *)img;
	Elf32_Phdr *ph = (void *)(img + sizeof(*eh));

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_386;
	eh->e_entry = entry;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph->p_type = PT_LOAD;
	ph->p_offset = 0x1000;
	ph->p_paddr = paddr;
	ph->p_filesz = 64;
	ph->p_memsz = memsz;
	uint32_t *mb = (void *)(img + 0x1000);

	mb[0] = MULTIBOOT_HEADER_MAGIC;
	mb[1] = 3;
	mb[2] = -(MULTIBOOT_HEADER_MAGIC + 3);
	img[0x1000 + 12] = 0xf4;	/* hlt */
	return 0x1000 + 64;
}

static int load(size_t len, struct load_info *li)
{
	memset(mem.base, 0xaa, mem.size);
	return loader_load(&mem, img, len, li, err, sizeof(err));
}

static int untouched(void)
{
	for (uint64_t i = 0; i < mem.size; i++)
		if (mem.base[i] != 0xaa)
			return 0;
	return 1;
}

static void loads_and_zeroes_bss(void)
{
	struct load_info li;
	size_t n = build(0x100000, 4096, 0x10000c);

	EXPECT_EQ(load(n, &li), 0);
	EXPECT_EQ(li.entry, 0x10000c);
	EXPECT_EQ(li.lo, 0x100000);
	EXPECT_EQ(li.hi, 0x101000);
	EXPECT_EQ(mem.base[0x10000c], 0xf4);
	EXPECT_EQ(mem.base[0x100000 + 64], 0);
	EXPECT_EQ(mem.base[0x100000 + 4095], 0);
	EXPECT_EQ(mem.base[0x101000], 0xaa);
}

#define REFUSED(len, msg)                                      \
	do {                                                   \
		struct load_info li;                           \
		EXPECT_EQ(load(len, &li), -1);                 \
		EXPECT(strstr(err, msg) != NULL);              \
		if (!strstr(err, msg))                         \
			printf("    err: %s\n", err);          \
		EXPECT(untouched());                           \
	} while (0)

static void refuses_bad_images(void)
{
	size_t n;

	REFUSED(100, "no Multiboot header");
	n = build(0x100000, 64, 0x10000c);
	img[0x1004] = 0xff;			/* checksum no longer matches */
	REFUSED(n, "no Multiboot header");
	n = build(0x100000, 64, 0x10000c);
	((uint32_t *)(img + 0x1000))[1] = 1u << 3;	/* unknown required flag */
	((uint32_t *)(img + 0x1000))[2] = -(MULTIBOOT_HEADER_MAGIC + (1u << 3));
	REFUSED(n, "unsupported features");
	n = build(0x100000, 64, 0x10000c);
	img[EI_CLASS] = ELFCLASS64;
	REFUSED(n, "not a 32-bit");
	n = build(0x100000, 64, 0x10000c);
	((Elf32_Ehdr *)img)->e_phoff = 0xfffffff0;
	REFUSED(n, "program headers lie outside the file");
	n = build(0x100000, 64, 0x10000c);
	((Elf32_Phdr *)(img + sizeof(Elf32_Ehdr)))->p_offset = 0xffffffc0;
	REFUSED(n, "data lies outside the file");
}

static void refuses_bad_placement(void)
{
	REFUSED(build(MEM - 32, 64, MEM - 32), "outside guest RAM");
	REFUSED(build(0xfffffff0, 64, 0xfffffff0), "outside guest RAM");
	REFUSED(build(0x100000, 0xffffffff, 0x100000), "outside guest RAM");
	REFUSED(build(0x9ff00, 0x1000, 0x9ff00), "outside guest RAM");	/* into the VGA hole */
	REFUSED(build(0x2000, 64, 0x2000), "overlaps the boot pages");
	REFUSED(build(0x100000, 64, 0x200000), "entry point 0x200000 is not inside");
	size_t n = build(0x100000, 64, 0x10000c);

	((Elf32_Phdr *)(img + sizeof(Elf32_Ehdr)))->p_memsz = 32;
	REFUSED(n, "exceeds memory size");
}

/*
 * A guest file is mapped while it loads: one that shrinks under the
 * mapping ends vmm as bad input (status 2, the file named), not with
 * SIGBUS.  In a child, which the handler ends.
 */
static void shrunk_file_is_bad_input(void)
{
	char path[] = "/tmp/vmm-unit-shrink.XXXXXX";
	int fd = mkstemp(path), pipefd[2];
	static uint8_t page[8192];
	char msg[256] = "";

	EXPECT(fd >= 0 && write(fd, page, sizeof(page)) == (ssize_t)sizeof(page));
	EXPECT(!pipe(pipefd));
	pid_t pid = fork();

	if (pid == 0) {
		size_t len;
		const uint8_t *img;

		dup2(pipefd[1], STDERR_FILENO);
		img = loader_read_file(path, 1 << 20, &len);
		if (!img || len != sizeof(page) || ftruncate(fd, 0))
			_exit(99);
		_exit(((volatile const uint8_t *)img)[4096]);	/* SIGBUS */
	}
	close(pipefd[1]);
	int st = 0;
	ssize_t n = read(pipefd[0], msg, sizeof(msg) - 1);

	waitpid(pid, &st, 0);
	msg[n > 0 ? n : 0] = 0;
	EXPECT(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 2);
	EXPECT(strstr(msg, path) && strstr(msg, ": the file shrank while vmm loaded it\n"));
	close(pipefd[0]);
	close(fd);
	unlink(path);

	/* released, the previous SIGBUS disposition is back (a sanitizer's, maybe) */
	size_t len;
	struct sigaction before, during, now;

	sigaction(SIGBUS, NULL, &before);
	const uint8_t *img = loader_read_file("/proc/self/exe", 64 << 20, &len);

	EXPECT(img != NULL);
	sigaction(SIGBUS, NULL, &during);
	EXPECT(during.sa_handler != before.sa_handler);
	loader_release_file(img, len);
	sigaction(SIGBUS, NULL, &now);
	EXPECT(now.sa_handler == before.sa_handler);
}

int main(void)
{
	mem.size = MEM;
	mem.base = malloc(MEM);
	RUN(loads_and_zeroes_bss);
	RUN(refuses_bad_images);
	RUN(refuses_bad_placement);
	RUN(shrunk_file_is_bad_input);
	free(mem.base);
	UNIT_EXIT();
}
