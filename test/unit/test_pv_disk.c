// SPDX-License-Identifier: MIT
/*
 * The PV disk's request validation: hostile addresses, counts, sectors and
 * ring indices get an error status, and nothing outside a good request's
 * own range is ever written, in guest RAM or in the image.
 */
#include "../../devices/pv_disk.h"
#include "../unit.h"
#include "disk_fixture.h"

#define MEM_SIZE (4u << 20)
#define BUF_GPA 0x200000u

static struct pv_disk *pv;
static struct disk_image img;
static const char *path;
static const uint32_t noargs[4];

static void setup(uint64_t sectors, bool ro)
{
	vm_reset();
	vm.mem.size = MEM_SIZE;
	vm.mem.base = calloc(1, MEM_SIZE);
	path = tmp_image(sectors);
	open_image(&img, path, ro);
	pv = pv_disk_create(&vm.host, &img);
}

static void teardown(void)
{
	pv_disk_destroy(pv);
	disk_image_close(&img);
	free(vm.mem.base);
}

static struct vmm_pv_disk *page(void) { return (void *)(vm.mem.base + VMM_PV_DISK_GPA); }
static struct vmm_pv_ring *ring(void) { return (void *)(vm.mem.base + VMM_PV_RING_GPA); }

static int32_t sector_call(uint32_t op, uint64_t lba)
{
	page()->op = op;
	page()->sector = lba;
	return pv_disk_sector(pv, noargs);
}

/* Queues one descriptor at prod and advances prod. */
static struct vmm_pv_desc *queue(uint32_t op, uint64_t sector, uint32_t count,
				 uint64_t buf)
{
	struct vmm_pv_ring *r = ring();
	struct vmm_pv_desc *d = &r->desc[r->prod % VMM_PV_RING_ENTRIES];

	*d = (struct vmm_pv_desc){ op, count, sector, buf, 1, 0 };
	r->prod++;
	return d;
}

static void one_sector_call(void)
{
	setup(16, false);
	memset(page()->data, 0xab, 512);
	EXPECT_EQ(sector_call(VMM_DISK_WRITE, 3), VMM_OK);
	EXPECT(sector_is(path, 3, 0xab));
	memset(page()->data, 0, 512);
	EXPECT_EQ(sector_call(VMM_DISK_READ, 3), VMM_OK);
	EXPECT_EQ(page()->data[511], 0xab);
	EXPECT_EQ(sector_call(VMM_DISK_WRITE, 16), VMM_E_RANGE);
	EXPECT_EQ(sector_call(VMM_DISK_READ, ~0ull), VMM_E_RANGE);
	EXPECT_EQ(sector_call(42, 0), VMM_E_INVAL);
	EXPECT_EQ(vm.stats.sectors_written, 1);
	EXPECT_EQ(vm.stats.sectors_read, 1);
	teardown();
}

static void ring_good_requests(void)
{
	setup(64, false);
	memset(vm.mem.base + BUF_GPA, 0x11, 8 * 512);
	memset(vm.mem.base + BUF_GPA + 8 * 512, 0x22, 4 * 512);
	struct vmm_pv_desc *a = queue(VMM_DISK_WRITE, 10, 8, BUF_GPA);
	struct vmm_pv_desc *b = queue(VMM_DISK_WRITE, 30, 4, BUF_GPA + 8 * 512);
	struct vmm_pv_desc *f = queue(VMM_DISK_FLUSH, 0, 0, 0);

	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_OK);
	EXPECT_EQ(a->status, VMM_OK);
	EXPECT_EQ(b->status, VMM_OK);
	EXPECT_EQ(f->status, VMM_OK);
	EXPECT_EQ(ring()->cons, 3);
	EXPECT(sector_is(path, 9, 0x00));
	EXPECT(sector_is(path, 10, 0x11));
	EXPECT(sector_is(path, 17, 0x11));
	EXPECT(sector_is(path, 18, 0x00));
	EXPECT(sector_is(path, 33, 0x22));
	EXPECT(sector_is(path, 34, 0x00));
	EXPECT_EQ(vm.stats.flushes, 1);
	/* read back into another buffer: exactly count * 512 bytes land */
	uint8_t *dst = vm.mem.base + BUF_GPA + 0x10000;

	memset(dst - 16, 0xcc, 8 * 512 + 32);
	struct vmm_pv_desc *r = queue(VMM_DISK_READ, 10, 8, BUF_GPA + 0x10000);

	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_OK);
	EXPECT_EQ(r->status, VMM_OK);
	EXPECT_EQ(dst[0], 0x11);
	EXPECT_EQ(dst[8 * 512 - 1], 0x11);
	EXPECT_EQ(dst[-1], 0xcc);
	EXPECT_EQ(dst[8 * 512], 0xcc);
	teardown();
}

static void ring_bad_addresses(void)
{
	setup(64, false);
	struct vmm_pv_desc *d[6];

	d[0] = queue(VMM_DISK_READ, 0, 1, MEM_SIZE);			/* just past RAM */
	d[1] = queue(VMM_DISK_READ, 0, 2, MEM_SIZE - 512);		/* straddles the end */
	d[2] = queue(VMM_DISK_WRITE, 0, 2, 0xfffffe00ull);		/* wraps past 4 GiB */
	d[3] = queue(VMM_DISK_WRITE, 0, 1, ~0ull - 100);		/* wraps 2^64 */
	d[4] = queue(VMM_DISK_READ, 0, 1, GUEST_HOLE_START);		/* the VGA hole */
	d[5] = queue(VMM_DISK_READ, 0, 2, GUEST_HOLE_START - 512);	/* runs into it */
	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_OK);
	for (int i = 0; i < 6; i++)
		EXPECT_EQ(d[i]->status, VMM_E_FAULT);
	EXPECT_EQ(ring()->cons, 6);
	EXPECT(sector_is(path, 0, 0x00));
	EXPECT_EQ(vm.stats.sectors_read + vm.stats.sectors_written, 0);
	teardown();
}

static void ring_bad_counts_and_sectors(void)
{
	setup(64, false);
	struct vmm_pv_desc *d[7];

	d[0] = queue(VMM_DISK_WRITE, 0, 0, BUF_GPA);
	d[1] = queue(VMM_DISK_WRITE, 0, VMM_PV_RING_MAX_SECTORS + 1, BUF_GPA);
	d[2] = queue(VMM_DISK_READ, 0, 0xffffffffu, BUF_GPA);
	d[3] = queue(VMM_DISK_WRITE, 64, 1, BUF_GPA);		/* past the end */
	d[4] = queue(VMM_DISK_WRITE, 63, 2, BUF_GPA);		/* straddles it */
	d[5] = queue(VMM_DISK_WRITE, ~0ull, 2, BUF_GPA);	/* lba + count wraps */
	d[6] = queue(7, 0, 1, BUF_GPA);				/* unknown op */
	memset(vm.mem.base + BUF_GPA, 0x5e, 4 * 512);
	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_OK);
	EXPECT_EQ(d[0]->status, VMM_E_INVAL);
	EXPECT_EQ(d[1]->status, VMM_E_INVAL);
	EXPECT_EQ(d[2]->status, VMM_E_INVAL);
	EXPECT_EQ(d[3]->status, VMM_E_RANGE);
	EXPECT_EQ(d[4]->status, VMM_E_RANGE);
	EXPECT_EQ(d[5]->status, VMM_E_RANGE);
	EXPECT_EQ(d[6]->status, VMM_E_INVAL);
	EXPECT(sector_is(path, 63, 0x00));
	EXPECT(sector_is(path, 0, 0x00));
	/* the largest legal count is accepted (on a big enough image) */
	teardown();

	setup(VMM_PV_RING_MAX_SECTORS, false);
	struct vmm_pv_desc *big = queue(VMM_DISK_READ, 0, VMM_PV_RING_MAX_SECTORS, 0x100000);

	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_OK);
	EXPECT_EQ(big->status, VMM_E_FAULT);		/* 32 MiB do not fit in 4 MiB */
	teardown();
}

static void ring_indices(void)
{
	setup(64, false);
	/* prod far ahead of cons: refused, nothing processed */
	ring()->prod = VMM_PV_RING_ENTRIES + 1;
	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_E_INVAL);
	EXPECT_EQ(ring()->cons, 0);
	/* prod behind cons is "4 billion ahead": refused too */
	ring()->prod = 0;
	queue(VMM_DISK_FLUSH, 0, 0, 0);
	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_OK);
	ring()->prod = 0;
	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_E_INVAL);
	EXPECT_EQ(ring()->cons, 1);
	/* a full ring is fine, and the indices wrap at 2^32 */
	pv->cons = 0xfffffff0u;
	ring()->prod = 0xfffffff0u;
	for (int i = 0; i < VMM_PV_RING_ENTRIES; i++)
		queue(VMM_DISK_FLUSH, 0, 0, 0);
	EXPECT_EQ(ring()->prod, 0xfffffff0u + VMM_PV_RING_ENTRIES);
	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_OK);
	EXPECT_EQ(ring()->cons, 0xfffffff0u + VMM_PV_RING_ENTRIES);
	/* a guest scribbling over cons changes nothing: ours is authoritative */
	ring()->cons = 5;
	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_OK);
	EXPECT_EQ(ring()->cons, 0xfffffff0u + VMM_PV_RING_ENTRIES);
	teardown();
}

static void readonly_disk(void)
{
	setup(16, true);
	EXPECT_EQ(sector_call(VMM_DISK_WRITE, 0), VMM_E_ROFS);
	struct vmm_pv_desc *d = queue(VMM_DISK_WRITE, 0, 1, BUF_GPA);

	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_OK);
	EXPECT_EQ(d->status, VMM_E_ROFS);
	EXPECT_EQ(sector_call(VMM_DISK_READ, 0), VMM_OK);
	teardown();
}

/*
 * One call does at most VMM_PV_RING_BUDGET bytes (whole descriptors, the
 * first always): the rest stays pending and the call says so.
 */
static void ring_budget(void)
{
	setup(3 * VMM_PV_RING_MAX_SECTORS, false);
	free(vm.mem.base);
	vm.mem.size = 40u << 20;
	vm.mem.base = calloc(1, vm.mem.size);
	struct vmm_pv_desc *d[3];

	for (int i = 0; i < 3; i++)
		d[i] = queue(VMM_DISK_WRITE, (uint64_t)i * VMM_PV_RING_MAX_SECTORS,
			     VMM_PV_RING_MAX_SECTORS, 0x400000);
	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_PENDING);
	EXPECT_EQ(ring()->cons, 1);
	EXPECT_EQ(d[0]->status, VMM_OK);
	EXPECT_EQ(d[1]->status, 1);		/* untouched */
	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_PENDING);
	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_OK);
	EXPECT_EQ(ring()->cons, 3);
	EXPECT_EQ(d[2]->status, VMM_OK);
	EXPECT_EQ(vm.stats.sectors_written, 3 * VMM_PV_RING_MAX_SECTORS);
	/* small descriptors: as many as fit in the budget, then the rest */
	uint32_t per = VMM_PV_RING_BUDGET / (1024 * 512);

	for (unsigned int i = 0; i < per + 10; i++)
		queue(VMM_DISK_READ, 0, 1024, 0x400000);
	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_PENDING);
	EXPECT_EQ(ring()->cons, 3 + per);
	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_OK);
	EXPECT_EQ(ring()->cons, 3 + per + 10);
	/* refused descriptors move no data and cost nothing */
	for (int i = 0; i < VMM_PV_RING_ENTRIES; i++)
		queue(VMM_DISK_WRITE, ~0ull, VMM_PV_RING_MAX_SECTORS, 0x400000);
	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_OK);
	teardown();
}

/* A stop request ends the call between descriptors: nothing more is done. */
static void ring_stops_between_descriptors(void)
{
	setup(64, false);
	struct vmm_pv_desc *a = queue(VMM_DISK_WRITE, 1, 1, BUF_GPA);

	memset(vm.mem.base + BUF_GPA, 0x77, 512);
	queue(VMM_DISK_WRITE, 2, 1, BUF_GPA);
	vm.stopping = 2;
	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_PENDING);
	EXPECT_EQ(ring()->cons, 0);
	EXPECT_EQ(a->status, 1);
	EXPECT(sector_is(path, 1, 0x00));
	vm.stopping = 0;
	EXPECT_EQ(pv_disk_ring(pv, noargs), VMM_OK);
	EXPECT(sector_is(path, 2, 0x77));
	teardown();
}

int main(void)
{
	RUN(one_sector_call);
	RUN(ring_good_requests);
	RUN(ring_bad_addresses);
	RUN(ring_bad_counts_and_sectors);
	RUN(ring_indices);
	RUN(ring_budget);
	RUN(ring_stops_between_descriptors);
	RUN(readonly_disk);
	UNIT_EXIT();
}
