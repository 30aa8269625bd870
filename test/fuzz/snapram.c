// SPDX-License-Identifier: MIT
/*
 * Guest RAM through a snapshot and back: the writer's walk (pages with
 * data, or a dirty set with its zero pages, /proc/self/pagemap's window,
 * runs, padding for a file) and the reader's three ways into guest RAM
 * (copied, mapped from the file, moved from a copy in memory).  Input: a
 * flags byte (bit 0: a dirty set follows as 8 bytes; bit 1: padded as a
 * file; bits 2-3: copied, mapped or moved), then {page, offset, value}
 * stores into a 64-page guest.  What comes back must be the guest's RAM:
 * every page (zero pages left out come back zero), or each dirty one.
 * Covers: vmm/snapshot/ram.c
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../vmm/snapshot/internal.h"
#include "../../vmm/vm.h"
#include "fuzz.h"

#define PAGES	64
#define RAM	(PAGES * SNAP_PAGE)

static struct vm src, dst;
static struct snap_ctl sctl, dctl;
static uint64_t src_pages[2], dst_pages[2];
static int memfd = -1;

static uint8_t *fresh(uint8_t *at)
{
	uint8_t *p = mmap(at, RAM, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | (at ? MAP_FIXED : 0), -1, 0);

	if (p == MAP_FAILED)
		abort();
	return p;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	vm_init(&src);
	vm_init(&dst);
	src.mem.size = dst.mem.size = RAM;
	src.mem.base = fresh(NULL);
	dst.mem.base = fresh(NULL);
	/* the writer reads which pages were ever touched */
	sctl = (struct snap_ctl){ .file_pages = src_pages, .efd = -1 };
	sctl.pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	dctl = (struct snap_ctl){ .file_pages = dst_pages, .pagemap_fd = -1, .efd = -1 };
	src.snap = &sctl;
	dst.snap = &dctl;
	memfd = memfd_create("snapram-fuzz", MFD_CLOEXEC);
	if (memfd < 0)
		abort();
	return 0;
}

/* The guest's RAM, written as a snapshot into memfd; its length. */
static size_t write_ram(const uint64_t *dirty, bool align)
{
	struct snap_writer w;
	struct snap_header h = { .ram_bytes = RAM };
	uint64_t pages;

	if (ftruncate(memfd, 0) || lseek(memfd, 0, SEEK_SET) || snap_writer_init(&w, memfd))
		abort();
	w.align = align;
	snap_write_header(&w, &h);
	FUZZ_ASSERT(snap_write_pages(&src, &w, dirty, &pages) == 0);
	FUZZ_ASSERT(snap_finish(&w) == 0);
	snap_writer_free(&w);
	return (size_t)w.bytes;
}

/* The file back into dst's RAM, as `how` says (0 copy, 1 map, 2 move). */
static void read_ram(size_t len, int how)
{
	uint8_t *file = mmap(NULL, len, PROT_READ, MAP_PRIVATE, memfd, 0), *copy = NULL;
	struct snap_ram_src from = { file, memfd };
	struct snap_reader r;
	uint64_t pages = 0, n;
	const uint8_t *p;
	uint32_t type;
	char err[200];

	FUZZ_ASSERT(file != MAP_FAILED);
	if (how == 2) {
		copy = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		FUZZ_ASSERT(copy != MAP_FAILED);
		memcpy(copy, file, len);
		from = (struct snap_ram_src){ copy, -1 };
	}
	snap_reader_buffer(&r, "snapram", from.base, len);
	FUZZ_ASSERT(snap_read_header(&r) == 0);
	FUZZ_ASSERT(snap_ram_clear(&dst) == 0);
	while (snap_next(&r, &type, &p, &n) > 0)
		FUZZ_ASSERT(snap_ram_load(&dst, RAM, p, n, how ? &from : NULL, 0, &pages,
					  err, sizeof(err)) == 0);
	munmap(file, len);
	if (copy)
		munmap(copy, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	uint8_t flags = (uint8_t)take(&in, 1);
	uint64_t dirty = flags & 1 ? take(&in, 8) : 0;

	/* untouched pages: pagemap says so */
	fresh(src.mem.base);
	while (in.n) {
		uint32_t page = (uint32_t)take(&in, 1) % PAGES;
		uint32_t off = (uint32_t)take(&in, 2) % SNAP_PAGE;

		src.mem.base[page * SNAP_PAGE + off] = (uint8_t)take(&in, 1);
	}
	size_t len = write_ram(flags & 1 ? &dirty : NULL, flags & 2);

	read_ram(len, (flags >> 2) % 3);
	for (uint32_t i = 0; i < PAGES; i++) {
		const uint8_t *a = src.mem.base + i * SNAP_PAGE, *b = dst.mem.base + i * SNAP_PAGE;
		static const uint8_t zero[SNAP_PAGE];

		if (!(flags & 1) || (dirty >> i & 1))
			FUZZ_ASSERT(!memcmp(a, b, SNAP_PAGE));
		else
			FUZZ_ASSERT(!memcmp(b, zero, SNAP_PAGE));
	}
	/* mapped pages come back as anonymous memory for the next input */
	fresh(dst.mem.base);
	return 0;
}
