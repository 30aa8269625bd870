/* SPDX-License-Identifier: MIT */
/*
 * A small bus in the style of kvmtool: every device registers the port or
 * MMIO ranges it answers with one handler signature.  The exit loop, the
 * coalesced-ring drain and the unit tests all reach devices this way.
 */
#ifndef VMM_BUS_H
#define VMM_BUS_H

#include <stdbool.h>
#include <stdint.h>

enum bus_space { BUS_PIO, BUS_MMIO };

struct bus_access {
	uint64_t addr;		/* absolute port or guest-physical address */
	uint64_t off;		/* addr - base of the range */
	uint32_t size;		/* 1, 2, 4 or 8 bytes */
	bool write;
	uint8_t *data;		/* size bytes, little-endian; fill it on reads */
};

typedef void (*bus_handler)(void *opaque, struct bus_access *a);

struct bus_range {
	uint64_t base, len;
	bus_handler fn;
	void *opaque;
	const char *name;
	uint64_t reads, writes;	/* accesses seen, for --stats */
};

#define BUS_MAX_RANGES 32

struct bus {
	int nr;
	struct bus_range r[BUS_MAX_RANGES];
	uint64_t unclaimed_reads, unclaimed_writes;
};

/*
 * 0, or -1 when the range is empty, wraps, overlaps another, has the name
 * of another (names are the ranges' keys in --stats) or the bus is full.
 */
int bus_register(struct bus *b, uint64_t base, uint64_t len, bus_handler fn,
		 void *opaque, const char *name);

/*
 * Hands one access to the device owning addr.  Returns false when nobody
 * owns the whole access: the read data is then all-ones, as on a floating
 * PC bus, and a write is dropped.  Both are counted.
 */
bool bus_access(struct bus *b, uint64_t addr, void *data, uint32_t size,
		bool write);

static inline uint32_t bus_get(const struct bus_access *a)
{
	uint32_t v = 0;

	for (uint32_t i = 0; i < a->size && i < 4; i++)
		v |= (uint32_t)a->data[i] << (8 * i);
	return v;
}

static inline void bus_put(struct bus_access *a, uint32_t v)
{
	for (uint32_t i = 0; i < a->size; i++)
		a->data[i] = i < 4 ? (uint8_t)(v >> (8 * i)) : 0;
}

#endif
