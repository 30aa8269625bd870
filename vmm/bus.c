// SPDX-License-Identifier: MIT
#include <string.h>

#include "bus.h"

static struct bus_range *bus_find(struct bus *b, uint64_t addr, uint32_t size)
{
	for (int i = 0; i < b->nr; i++) {
		struct bus_range *r = &b->r[i];

		if (addr >= r->base && addr - r->base < r->len &&
		    size <= r->len - (addr - r->base))
			return r;
	}
	return NULL;
}

int bus_register(struct bus *b, uint64_t base, uint64_t len, bus_handler fn,
		 void *opaque, const char *name)
{
	if (len == 0 || base + len < base || b->nr == BUS_MAX_RANGES || !fn ||
	    !name)
		return -1;
	for (int i = 0; i < b->nr; i++) {
		const struct bus_range *r = &b->r[i];

		if (base < r->base + r->len && r->base < base + len)
			return -1;
		/* names key the ranges in --stats: one each */
		if (!strcmp(r->name, name))
			return -1;
	}
	b->r[b->nr++] = (struct bus_range){ base, len, fn, opaque, name, 0, 0 };
	return 0;
}

bool bus_access(struct bus *b, uint64_t addr, void *data, uint32_t size,
		bool write)
{
	struct bus_range *r = bus_find(b, addr, size);

	if (!r) {
		if (write) {
			b->unclaimed_writes++;
		} else {
			b->unclaimed_reads++;
			memset(data, 0xff, size);
		}
		return false;
	}
	if (write)
		r->writes++;
	else
		r->reads++;
	struct bus_access a = {
		.addr = addr, .off = addr - r->base, .size = size,
		.write = write, .data = data,
	};
	r->fn(r->opaque, &a);
	return true;
}
