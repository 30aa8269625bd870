// SPDX-License-Identifier: MIT
/*
 * Paravirtual disk.  Two calls on port 0xABBA:
 *   VMM_HC_DISK_SECTOR  the lab's design: one sector in the shared page per
 *                       hypercall, so one exit per sector;
 *   VMM_HC_DISK_RING    a request ring in the spirit of a virtio queue: up to
 *                       VMM_PV_RING_BUDGET bytes of descriptors from cons to
 *                       prod are completed per exit, the data moving straight
 *                       between guest RAM and the image; the rest waits for
 *                       the guest's next call (vmm_abi.h).
 * Each IN field is read once into a local and checked before use; every
 * buffer goes through gpa_ptr() for its whole length and every sector range
 * through the image's range check, so a bad descriptor gets an error status
 * and nothing outside its own range is ever read or written.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../vmm/json.h"
#include "../vmm/state.h"
#include "../vmm/config.h"
#include "../vmm/device.h"
#include "disk_image.h"
#include "pv_disk.h"

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

int32_t pv_disk_sector(void *opaque, const uint32_t arg[4])
{
	struct pv_disk *p = opaque;
	struct vmm_pv_disk *pg = gpa_ptr(p->mem, VMM_PV_DISK_GPA, sizeof(*pg));

	(void)arg;
	if (!pg)
		return VMM_E_FAULT;
	uint32_t op = LOAD(pg->op);
	uint64_t sector = LOAD(pg->sector);

	p->requests++;
	switch (op) {
	case VMM_DISK_READ:
		return disk_image_read(p->img, sector, 1, pg->data);
	case VMM_DISK_WRITE:
		return disk_image_write(p->img, sector, 1, pg->data);
	case VMM_DISK_FLUSH:
		return disk_image_flush(p->img);
	}
	p->bad_requests++;
	return VMM_E_INVAL;
}

/* *bytes: the data the descriptor moved (0 for a flush or a refusal) */
static int32_t do_desc(struct pv_disk *p, const struct vmm_pv_desc *dp,
		       uint64_t budget, uint64_t *bytes)
{
	uint32_t op = LOAD(dp->op), count = LOAD(dp->count);
	uint64_t sector = LOAD(dp->sector), gpa = LOAD(dp->buf);

	*bytes = 0;
	if (op == VMM_DISK_FLUSH)
		return disk_image_flush(p->img);
	if (op != VMM_DISK_READ && op != VMM_DISK_WRITE)
		return VMM_E_INVAL;
	if (count == 0 || count > VMM_PV_RING_MAX_SECTORS)
		return VMM_E_INVAL;
	if (!disk_image_range_ok(p->img, sector, count))
		return VMM_E_RANGE;
	/* count <= 65536, so the length cannot overflow; gpa_ptr checks the sum */
	void *buf = gpa_ptr(p->mem, gpa, (uint64_t)count * VMM_SECTOR_SIZE);

	if (!buf)
		return VMM_E_FAULT;
	*bytes = (uint64_t)count * VMM_SECTOR_SIZE;
	if (*bytes > budget)
		return VMM_PENDING;	/* the next call's */
	if (op == VMM_DISK_READ)
		return disk_image_read(p->img, sector, count, buf);
	return disk_image_write(p->img, sector, count, buf);
}

int32_t pv_disk_ring(void *opaque, const uint32_t arg[4])
{
	struct pv_disk *p = opaque;
	struct vmm_pv_ring *r = gpa_ptr(p->mem, VMM_PV_RING_GPA, sizeof(*r));

	(void)arg;
	if (!r)
		return VMM_E_FAULT;
	uint32_t prod = LOAD(r->prod);

	/* indices run freely: more than a ring's worth pending is a lie */
	if (prod - p->cons > VMM_PV_RING_ENTRIES) {
		p->bad_requests++;
		STORE(r->cons, p->cons);
		return VMM_E_INVAL;
	}
	uint64_t left = p->budget;	/* bytes this call may still move */
	bool any = false;

	while (p->cons != prod) {
		struct vmm_pv_desc *d = &r->desc[p->cons % VMM_PV_RING_ENTRIES];
		uint64_t bytes;

		if (dev_stopping(p->host))
			break;
		/* the first descriptor of a call always goes: progress */
		int32_t st = do_desc(p, d, any ? left : UINT64_MAX, &bytes);

		if (st == VMM_PENDING)
			break;
		any = true;
		left = bytes < left ? left - bytes : 0;
		p->requests++;
		if (st != VMM_OK)
			p->bad_requests++;
		STORE(d->status, st);
		p->cons++;
	}
	STORE(r->cons, p->cons);
	return p->cons == prod ? VMM_OK : VMM_PENDING;
}

struct pv_disk *pv_disk_create(struct device_host *h, struct disk_image *img)
{
	struct pv_disk *p = calloc(1, sizeof(*p));
	void *pg = dev_mem(h, VMM_PV_DISK_GPA, sizeof(struct vmm_pv_disk));
	void *ring = dev_mem(h, VMM_PV_RING_GPA, sizeof(struct vmm_pv_ring));

	if (!p || !pg || !ring) {
		free(p);
		return NULL;
	}
	p->host = h;
	p->budget = VMM_PV_RING_BUDGET;
	p->mem = h->mem;
	p->img = img;
	memset(pg, 0, sizeof(struct vmm_pv_disk));
	memset(ring, 0, sizeof(struct vmm_pv_ring));
	dev_hypercall(h, VMM_HC_DISK_SECTOR, pv_disk_sector, p);
	dev_hypercall(h, VMM_HC_DISK_RING, pv_disk_ring, p);
	return p;
}

void pv_disk_destroy(struct pv_disk *p)
{
	free(p);
}

/* disk.mode = "pv": the configured image behind the disk hypercalls */
static int pv_disk_dev_create(struct device_host *h, void **dev)
{
	if (!dev_disk(h, 0) || h->cfg->disk.mode != VMM_MODE_PV)
		return 0;
	*dev = pv_disk_create(h, dev_disk(h, 0));
	return *dev ? 0 : VMM_EXIT_SETUP;
}

static void pv_disk_dev_destroy(void *dev)
{
	pv_disk_destroy(dev);
}

/* The master image is ours alone (disk.slave is an ATA drive). */
static int pv_disk_flush(void *dev)
{
	const struct pv_disk *p = dev;

	return disk_image_flush(p->img);
}

static int pv_disk_hold(void *dev, bool lock)
{
	const struct pv_disk *p = dev;

	return disk_image_lock(p->img, lock);
}

static void pv_disk_stats(const void *dev, struct json *j)
{
	const struct pv_disk *p = dev;

	json_u64(j, "requests", p->requests);
	json_u64(j, "bad_requests", p->bad_requests);
}

/* The ring is guest RAM; the consumer index is ours (any value is one). */
static int pv_disk_state(void *dev, struct state *s)
{
	struct pv_disk *p = dev;
	uint32_t cons = p->cons;

	state_u32(s, &cons);
	if (s->loading && !state_failed(s))
		p->cons = cons;
	return state_failed(s);
}

const struct device_model pv_disk_device = {
	.name = "pv-disk",
	.create = pv_disk_dev_create,
	.destroy = pv_disk_dev_destroy,
	.flush = pv_disk_flush,
	.hold = pv_disk_hold,
	.stats = pv_disk_stats,
	.state = pv_disk_state,
	.version = 1,
};
