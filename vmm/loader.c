// SPDX-License-Identifier: MIT
/*
 * Multiboot v1 loading, as QEMU's -kernel does it.  The image is hostile
 * input: every offset and size is checked with overflow-safe arithmetic
 * before a single byte reaches guest memory.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../hypercalls/multiboot.h"
#include "../hypercalls/vmm_abi.h"
#include "device.h"
#include "hostfile.h"
#include "loader.h"

#define MB_SEARCH_BYTES		8192
#define MB_FLAG_AOUT_KLUDGE	(1u << 16)
#define MB_FLAGS_SUPPORTED	(0x7u | MB_FLAG_AOUT_KLUDGE)
#define MB_MAX_SEGMENTS		32

struct mb_header {
	uint32_t magic, flags, checksum;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

struct segment {
	uint64_t file_off, file_len, gpa, mem_len;
};

int loader_fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A range in a buffer of len bytes, without overflow. */
static int in_file(uint64_t off, uint64_t n, size_t len)
{
	return off <= len && n <= len - off;
}

static int check_segment(const struct guest_mem *m, const struct segment *s,
			 int i, char *err, size_t n)
{
	if (s->mem_len < s->file_len)
		return loader_fail(err, n, "segment %d: file size %#llx exceeds memory size %#llx",
			     i, (unsigned long long)s->file_len,
			     (unsigned long long)s->mem_len);
	if (s->gpa < VMM_RESERVED_END)
		return loader_fail(err, n, "segment %d at %#llx overlaps the boot pages below %#x",
			     i, (unsigned long long)s->gpa, VMM_RESERVED_END);
	if (!gpa_range_ok(m, s->gpa, s->mem_len))
		return loader_fail(err, n, "segment %d [%#llx, +%#llx) is outside guest RAM (%llu MiB)",
			     i, (unsigned long long)s->gpa,
			     (unsigned long long)s->mem_len,
			     (unsigned long long)(m->size >> 20));
	return 0;
}

/*
 * The image need not be aligned and may end inside the header: copy what
 * there is into *h (the rest reads as zero) instead of casting pointers.
 */
static bool find_header(const uint8_t *img, size_t len, struct mb_header *h,
			size_t *where)
{
	size_t lim = len < MB_SEARCH_BYTES ? len : MB_SEARCH_BYTES;

	for (size_t off = 0; off + 12 <= lim; off += 4) {
		uint32_t w[3];

		memcpy(w, img + off, sizeof(w));
		if (w[0] == MULTIBOOT_HEADER_MAGIC && (uint32_t)(w[0] + w[1] + w[2]) == 0) {
			size_t n = len - off < sizeof(*h) ? len - off : sizeof(*h);

			memset(h, 0, sizeof(*h));
			memcpy(h, img + off, n);
			*where = off;
			return true;
		}
	}
	return false;
}

/* One program header of either class, as the 64-bit one. */
static Elf64_Phdr phdr(const uint8_t *img, uint64_t at, bool is64)
{
	Elf32_Phdr p32;
	Elf64_Phdr p;

	if (is64) {
		memcpy(&p, img + at, sizeof(p));
		return p;
	}
	memcpy(&p32, img + at, sizeof(p32));
	return (Elf64_Phdr){ .p_type = p32.p_type, .p_offset = p32.p_offset,
			     .p_paddr = p32.p_paddr, .p_filesz = p32.p_filesz,
			     .p_memsz = p32.p_memsz };
}

/*
 * The PT_LOAD segments of an executable ELF, at their physical addresses:
 * 32-bit i386 for Multiboot, 64-bit x86-64 for a Linux vmlinux.
 */
static int elf_segments(const uint8_t *img, size_t len, bool is64, struct segment *seg,
			int *nseg, uint64_t *entry, char *err, size_t n)
{
	Elf64_Ehdr eh;
	Elf32_Ehdr e32;
	size_t phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);

	if (len < sizeof(e32) || memcmp(img, ELFMAG, SELFMAG))
		return loader_fail(err, n, is64 ? "not an ELF file" :
				   "not an ELF file and no Multiboot a.out addresses");
	if (img[EI_CLASS] != (is64 ? ELFCLASS64 : ELFCLASS32) || img[EI_DATA] != ELFDATA2LSB)
		return loader_fail(err, n, is64 ? "not a 64-bit little-endian ELF" :
				   "not a 32-bit little-endian ELF (Multiboot v1 wants ELF32)");
	if (is64 && len < sizeof(eh))
		return loader_fail(err, n, "ELF header cut short");
	if (is64) {
		memcpy(&eh, img, sizeof(eh));
	} else {
		memcpy(&e32, img, sizeof(e32));
		eh = (Elf64_Ehdr){ .e_type = e32.e_type, .e_machine = e32.e_machine,
				   .e_entry = e32.e_entry, .e_phoff = e32.e_phoff,
				   .e_phentsize = e32.e_phentsize, .e_phnum = e32.e_phnum };
	}
	if (eh.e_machine != (is64 ? EM_X86_64 : EM_386) || eh.e_type != ET_EXEC)
		return loader_fail(err, n, "not an %s executable ELF (machine %u, type %u)",
			     is64 ? "x86-64" : "i386", eh.e_machine, eh.e_type);
	if (eh.e_phentsize != phsize || !in_file(eh.e_phoff, (uint64_t)eh.e_phnum * phsize, len))
		return loader_fail(err, n, "program headers lie outside the file");

	*nseg = 0;
	for (int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph = phdr(img, eh.e_phoff + (uint64_t)i * phsize, is64);

		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (*nseg == MB_MAX_SEGMENTS)
			return loader_fail(err, n, "more than %d loadable segments", MB_MAX_SEGMENTS);
		if (!in_file(ph.p_offset, ph.p_filesz, len))
			return loader_fail(err, n, "segment %d data lies outside the file", i);
		seg[(*nseg)++] = (struct segment){ ph.p_offset, ph.p_filesz,
						   ph.p_paddr, ph.p_memsz };
	}
	if (*nseg == 0)
		return loader_fail(err, n, "no loadable segment");
	*entry = eh.e_entry;
	return 0;
}

/* Header flag 16: the header itself says where the image goes. */
static int aout_segments(const struct mb_header *h, size_t hoff, size_t len,
			 struct segment *seg, int *nseg, uint32_t *entry,
			 char *err, size_t n)
{
	if (hoff + sizeof(*h) > len)
		return loader_fail(err, n, "Multiboot header truncated");
	if (h->header_addr < h->load_addr || h->header_addr - h->load_addr > hoff)
		return loader_fail(err, n, "Multiboot header_addr/load_addr are inconsistent");
	uint64_t start = hoff - (h->header_addr - h->load_addr);
	uint64_t end = h->load_end_addr ? h->load_end_addr : h->load_addr + (len - start);
	uint64_t bss = h->bss_end_addr ? h->bss_end_addr : end;

	if (end < h->load_addr || bss < end || !in_file(start, end - h->load_addr, len))
		return loader_fail(err, n, "Multiboot load addresses lie outside the file");
	seg[0] = (struct segment){ start, end - h->load_addr, h->load_addr,
				   bss - h->load_addr };
	*nseg = 1;
	*entry = h->entry_addr;
	return 0;
}

/* Checks every segment against RAM, the others and the entry; then copies them in. */
static int place_segments(const struct guest_mem *m, const uint8_t *img,
			  const struct segment *seg, int nseg, uint64_t entry,
			  struct load_info *out, char *err, size_t n)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	bool entry_ok = false;

	for (int i = 0; i < nseg; i++) {
		if (check_segment(m, &seg[i], i, err, n))
			return -1;
		for (int j = 0; j < i; j++)
			if (seg[i].gpa < seg[j].gpa + seg[j].mem_len &&
			    seg[j].gpa < seg[i].gpa + seg[i].mem_len)
				return loader_fail(err, n, "segments %d and %d overlap", j, i);
		if (entry >= seg[i].gpa && entry - seg[i].gpa < seg[i].mem_len)
			entry_ok = true;
		lo = seg[i].gpa < lo ? seg[i].gpa : lo;
		hi = seg[i].gpa + seg[i].mem_len > hi ? seg[i].gpa + seg[i].mem_len : hi;
	}
	if (!entry_ok)
		return loader_fail(err, n, "entry point %#llx is not inside a loaded segment",
				   (unsigned long long)entry);

	for (int i = 0; i < nseg && m->base; i++) {
		uint8_t *dst = gpa_ptr(m, seg[i].gpa, seg[i].mem_len);

		memcpy(dst, img + seg[i].file_off, seg[i].file_len);
		memset(dst + seg[i].file_len, 0, seg[i].mem_len - seg[i].file_len);
	}
	/* guest RAM is below 4 GiB: check_segment() saw to it */
	out->entry = (uint32_t)entry;
	out->lo = (uint32_t)lo;
	out->hi = (uint32_t)hi;
	return 0;
}

int loader_load(const struct guest_mem *m, const uint8_t *img, size_t len,
		struct load_info *out, char *err, size_t n)
{
	struct segment seg[MB_MAX_SEGMENTS];
	int nseg = 0;
	uint32_t entry32 = 0;
	uint64_t entry = 0;
	size_t hoff;
	struct mb_header hdr;
	const struct mb_header *h = find_header(img, len, &hdr, &hoff) ? &hdr : NULL;

	if (!h)
		return loader_fail(err, n, "no Multiboot header in the first %d bytes",
			     MB_SEARCH_BYTES);
	if (h->flags & ~MB_FLAGS_SUPPORTED & 0xffffu)
		return loader_fail(err, n, "Multiboot header requires unsupported features (flags %#x)",
			     h->flags);
	int r = (h->flags & MB_FLAG_AOUT_KLUDGE) ?
		aout_segments(h, hoff, len, seg, &nseg, &entry32, err, n) :
		elf_segments(img, len, false, seg, &nseg, &entry, err, n);

	if (r)
		return r;
	if (h->flags & MB_FLAG_AOUT_KLUDGE)
		entry = entry32;
	return place_segments(m, img, seg, nseg, entry, out, err, n);
}

int loader_load_elf64(const struct guest_mem *m, const uint8_t *img, size_t len,
		      struct load_info *out, char *err, size_t n)
{
	struct segment seg[MB_MAX_SEGMENTS];
	int nseg = 0;
	uint64_t entry = 0;

	if (elf_segments(img, len, true, seg, &nseg, &entry, err, n))
		return -1;
	return place_segments(m, img, seg, nseg, entry, out, err, n);
}

/*
 * Why map rather than read: the checks made before the VM exists touch
 * only a file's headers, and loading copies each byte once, from the page
 * cache into guest RAM.  A 63 MiB vmlinux read whole for the check, read
 * again and copied cost 1.3 s of a nested boot; mapped, one copy.
 *
 * A file that shrinks while mapped raises SIGBUS where it is read: vmm
 * then ends as for any bad guest file (status 2, the file named), not
 * with a crash.  Only the loading thread reads these mappings.
 */
static char shrank_msg[2 * PATH_MAX + 100];
static int mapped_files;
static struct sigaction sigbus_before;

static void guard_file(const char *path)
{
	size_t n = strlen(shrank_msg);

	if (mapped_files++ == 0)
		snprintf(shrank_msg, sizeof(shrank_msg),
			 "%s: the file shrank while vmm loaded it\n", path);
	else	/* kernel and initramfs are mapped together */
		snprintf(shrank_msg + n - 1, sizeof(shrank_msg) - n + 1,
			 " (or %s did)\n", path);
	hostfile_sigbus_exits(shrank_msg, VMM_EXIT_USAGE,
			      mapped_files == 1 ? &sigbus_before : NULL);
}

const uint8_t *loader_read_file(const char *path, uint64_t max, size_t *lenp)
{
	static const uint8_t empty[1];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		fprintf(stderr, "%s: not a regular file of at most %llu MiB\n", path,
			(unsigned long long)(max >> 20));
		close(fd);
		return NULL;
	}
	size_t len = (size_t)st.st_size;
	void *img = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : (void *)empty;

	/* a file system that cannot map files: read into memory of our own */
	if (img == MAP_FAILED) {
		size_t got = len;

		if (!hostfile_copy(fd, &got, &img) && got != len) {
			if (img)
				munmap(img, got);
			img = MAP_FAILED;
			errno = EIO;	/* shrank, or unreadable */
		}
	}
	close(fd);
	if (img == MAP_FAILED) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (len)
		guard_file(path);
	*lenp = len;
	return img;
}

void loader_release_file(const uint8_t *img, size_t len)
{
	if (!img || !len)
		return;
	munmap((void *)img, len);
	if (--mapped_files == 0)
		sigaction(SIGBUS, &sigbus_before, NULL);
}

int loader_load_file(const struct guest_mem *m, const char *path,
		     struct load_info *out)
{
	char err[200];
	size_t len;
	const uint8_t *img = loader_read_file(path, LOADER_MAX_IMAGE, &len);

	if (!img)
		return -1;
	int ret = loader_load(m, img, len, out, err, sizeof(err));

	if (ret)
		fprintf(stderr, "%s: %s\n", path, err);
	loader_release_file(img, len);
	return ret;
}
