// SPDX-License-Identifier: MIT
/*
 * Guest RAM in a snapshot: runs of pages, each run
 *	first page u64, page count u32, kind u16 (0 data, 1 zero),
 *	padding u16, that many zero bytes, then the data
 * in RAM sections of at most SNAP_RAM_CHUNK pages.  A file holds only the
 * pages with data (a restored VM starts from zeroed RAM), each run's data
 * padded to a page boundary of the file so that a restore can map it as
 * guest RAM instead of copying it; a migration pass sends the pages
 * dirtied since the last one, zero runs included, unpadded.
 *
 * Finding the pages with data must not touch the rest: reading a page
 * the guest never touched would fault in the zero page, thousands of
 * faults for a large guest.  /proc/self/pagemap says which pages were
 * never present (nor swapped out); those are zero, unread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../vm.h"
#include "internal.h"

#define RUN_HEAD	16
#define RUN_DATA	0
#define RUN_ZERO	1
#define PAD_MAX		(SNAP_PAGE - 1)
#define PM_BATCH	512
#define PM_PRESENT	(1ull << 63)
#define PM_SWAPPED	(1ull << 62)

struct run {
	uint64_t first;
	uint32_t n, kind;
};

struct walk {
	struct vm *vm;
	const uint64_t *dirty;	/* NULL: every page, zero pages left out */
	uint64_t pages, next;
	/* a window of pagemap entries */
	uint64_t pm[PM_BATCH];
	uint64_t pm_first, pm_n;
	struct run runs[SNAP_RAM_CHUNK];
	uint32_t nruns;
};

static bool in_bitmap(const uint64_t *map, uint64_t page)
{
	return map && (map[page / 64] & (1ull << (page % 64)));
}

static bool page_zero(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)p;

	for (unsigned int i = 0; i < SNAP_PAGE / 8; i += 8)
		if (w[i] | w[i + 1] | w[i + 2] | w[i + 3] |
		    w[i + 4] | w[i + 5] | w[i + 6] | w[i + 7])
			return false;
	return true;
}

/*
 * False only when the page was certainly never touched.  Pages a restore
 * mapped from its file hold data whether present or not.
 */
static bool maybe_touched(struct walk *wk, uint64_t page)
{
	const struct snap_ctl *c = wk->vm->snap;
	int fd = c ? c->pagemap_fd : -1;
	uint64_t vpage = ((uintptr_t)wk->vm->mem.base / SNAP_PAGE) + page;

	if (fd < 0 || in_bitmap(c->file_pages, page))
		return true;
	if (page < wk->pm_first || page >= wk->pm_first + wk->pm_n) {
		ssize_t got = pread(fd, wk->pm, sizeof(wk->pm), (off_t)(vpage * 8));

		if (got < 8)
			return true;
		wk->pm_first = page;
		wk->pm_n = (uint64_t)got / 8;
	}
	return wk->pm[page - wk->pm_first] & (PM_PRESENT | PM_SWAPPED);
}

/* The kind of one page, or -1 to leave it out. */
static int page_kind(struct walk *wk, uint64_t page)
{
	if (wk->dirty) {
		if (!in_bitmap(wk->dirty, page))
			return -1;
		if (!maybe_touched(wk, page))
			return RUN_ZERO;
	} else if (!maybe_touched(wk, page)) {
		return -1;
	}
	bool zero = page_zero(wk->vm->mem.base + page * SNAP_PAGE);

	if (zero)
		return wk->dirty ? RUN_ZERO : -1;
	return RUN_DATA;
}

/* Fills wk->runs with up to SNAP_RAM_CHUNK pages from wk->next on. */
static void collect(struct walk *wk)
{
	uint32_t budget = SNAP_RAM_CHUNK;

	wk->nruns = 0;
	for (; wk->next < wk->pages && budget; wk->next++) {
		int kind = page_kind(wk, wk->next);
		struct run *r = wk->nruns ? &wk->runs[wk->nruns - 1] : NULL;

		if (kind < 0)
			continue;
		if (r && r->kind == (uint32_t)kind && r->first + r->n == wk->next)
			r->n++;
		else
			wk->runs[wk->nruns++] = (struct run){ wk->next, 1, (uint32_t)kind };
		budget--;
	}
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Zero bytes that put a run's data, after its header at pos, on a page boundary. */
static uint32_t pad_for(const struct snap_writer *w, uint64_t pos, const struct run *r)
{
	if (!w->align || r->kind != (uint32_t)RUN_DATA)
		return 0;
	return (uint32_t)((SNAP_PAGE - (pos + RUN_HEAD) % SNAP_PAGE) % SNAP_PAGE);
}

static void write_runs(struct walk *wk, struct snap_writer *w, uint64_t *pages)
{
	static const uint8_t zeros[PAD_MAX];
	uint64_t start = w->bytes + SNAP_SECTION_HEAD, pos = start;

	for (uint32_t i = 0; i < wk->nruns; i++) {
		const struct run *r = &wk->runs[i];

		pos += RUN_HEAD + pad_for(w, pos, r) +
		       (r->kind == (uint32_t)RUN_DATA ? (uint64_t)r->n * SNAP_PAGE : 0);
	}
	snap_begin(w, SNAP_RAM, pos - start);
	for (uint32_t i = 0; i < wk->nruns; i++) {
		const struct run *r = &wk->runs[i];
		uint32_t pad = pad_for(w, w->bytes, r);
		uint8_t h[RUN_HEAD];

		put_le(h, r->first, 8);
		put_le(h + 8, r->n, 4);
		put_le(h + 12, r->kind, 2);
		put_le(h + 14, pad, 2);
		snap_put(w, h, sizeof(h));
		snap_put(w, zeros, pad);
		if (r->kind == (uint32_t)RUN_DATA)
			snap_put(w, wk->vm->mem.base + r->first * SNAP_PAGE,
				 (size_t)r->n * SNAP_PAGE);
		*pages += r->n;
	}
	snap_end_section(w);
}

/*
 * The pages of guest RAM as RAM sections: every page with data, or (dirty
 * set) each page whose bit is set, zero or not.  *pages counts them.
 */
int snap_write_pages(struct vm *vm, struct snap_writer *w, const uint64_t *dirty,
		     uint64_t *pages)
{
	static struct walk wk;	/* 40 KiB of runs: one walker at a time (main thread) */

	wk = (struct walk){ .vm = vm, .dirty = dirty, .pages = vm->mem.size / SNAP_PAGE };
	*pages = 0;
	while (wk.next < wk.pages && !w->err) {
		collect(&wk);
		if (wk.nruns)
			write_runs(&wk, w, pages);
	}
	return w->err ? -1 : 0;
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/*
 * Before a snapshot's RAM goes in: what set-up wrote there (the firmware's
 * copy below 1 MiB) must not outlive it, since a snapshot leaves its zero
 * pages out.  Dropping the pages makes them read as zero again.
 */
int snap_ram_clear(struct vm *vm)
{
	if (madvise(vm->mem.base, vm->mem.size, MADV_DONTNEED) < 0)
		return -1;
	if (vm->snap && vm->snap->file_pages)
		memset(vm->snap->file_pages, 0,
		       (vm->mem.size / SNAP_PAGE / 64 + 1) * sizeof(uint64_t));
	return 0;
}

/*
 * A data run whose bytes sit on a page boundary of the snapshot file is
 * mapped there (copy-on-write) instead of copied: a restore then reads
 * only the pages the guest touches.
 */
static bool map_run(struct vm *vm, const struct snap_ram_src *src, const uint8_t *data,
		    uint64_t first, uint32_t n)
{
	uint64_t off = src ? (uint64_t)(data - src->base) : 1;
	void *at = vm->mem.base + first * SNAP_PAGE;
	uint64_t *map = vm->snap ? vm->snap->file_pages : NULL;

	if (!src || off % SNAP_PAGE || !map)
		return false;
	/*
	 * A copy in anonymous memory (a file others may write): its pages
	 * move into guest RAM, which spares copying them and faulting guest
	 * RAM in; the copy is not read again.
	 */
	if (src->fd < 0) {
		if (mremap((void *)data, (size_t)n * SNAP_PAGE, (size_t)n * SNAP_PAGE,
			   MREMAP_MAYMOVE | MREMAP_FIXED, at) == MAP_FAILED)
			return false;
		madvise(at, (size_t)n * SNAP_PAGE, MADV_DONTFORK);
		return true;
	}
	if (mmap(at, (size_t)n * SNAP_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_FIXED, src->fd, (off_t)off) == MAP_FAILED)
		return false;
	madvise(at, (size_t)n * SNAP_PAGE, MADV_DONTFORK);
	for (uint64_t p = first; p < first + n; p++)
		map[p / 64] |= 1ull << (p % 64);
	return true;
}

int snap_ram_load(struct vm *vm, uint64_t ram_bytes, const uint8_t *p,
		  uint64_t len, const struct snap_ram_src *src, uint64_t max_pages,
		  uint64_t *pages, char *err, size_t errlen)
{
	uint64_t total = ram_bytes / SNAP_PAGE, off = 0;

	if (vm && vm->mem.size / SNAP_PAGE < total)
		total = vm->mem.size / SNAP_PAGE;
	while (off < len) {
		if (len - off < RUN_HEAD) {
			snprintf(err, errlen, "a RAM run is cut short");
			return -1;
		}
		uint64_t first = get_le(p + off, 8);
		uint32_t n = (uint32_t)get_le(p + off + 8, 4);
		uint32_t kind = (uint32_t)get_le(p + off + 12, 2);
		uint32_t pad = (uint32_t)get_le(p + off + 14, 2);
		uint64_t data = kind == (uint32_t)RUN_DATA ? (uint64_t)n * SNAP_PAGE : 0;

		off += RUN_HEAD;
		if (pad > PAD_MAX) {
			snprintf(err, errlen, "a RAM run's padding (%u bytes) is more than "
				 "a page's", pad);
			return -1;
		}
		if (!n || first >= total || n > total - first || kind > (uint32_t)RUN_ZERO) {
			snprintf(err, errlen, "a RAM run (page %llu, %u pages, kind %u) "
				 "lies outside the guest's %llu pages",
				 (unsigned long long)first, n, kind,
				 (unsigned long long)total);
			return -1;
		}
		if (pad > len - off || data > len - off - pad) {
			snprintf(err, errlen, "a RAM run's data is cut short");
			return -1;
		}
		if (max_pages && *pages + n > max_pages) {
			snprintf(err, errlen, "more RAM than the passes of a migration hold");
			return -1;
		}
		off += pad;
		if (vm && kind == (uint32_t)RUN_DATA && !map_run(vm, src, p + off, first, n))
			memcpy(vm->mem.base + first * SNAP_PAGE, p + off, (size_t)data);
		else if (vm && kind != (uint32_t)RUN_DATA)
			memset(vm->mem.base + first * SNAP_PAGE, 0, (size_t)n * SNAP_PAGE);
		off += data;
		*pages += n;
	}
	return 0;
}
