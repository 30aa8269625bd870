// SPDX-License-Identifier: MIT
/* The bus: dispatch by range, unclaimed accesses, overlaps. */
#include "../../vmm/bus.h"
#include "../unit.h"

static int calls;
static uint64_t last_off;

static void dev(void *opaque, struct bus_access *a)
{
	calls++;
	last_off = a->off;
	if (!a->write)
		bus_put(a, *(uint32_t *)opaque);
}

static void dispatch_by_range(void)
{
	struct bus b = { 0 };
	uint32_t v1 = 0x11223344, v2 = 0xaabbccdd;
	uint8_t d[4];

	EXPECT_EQ(bus_register(&b, 0x100, 8, dev, &v1, "a"), 0);
	EXPECT_EQ(bus_register(&b, 0x200, 4, dev, &v2, "b"), 0);
	EXPECT(bus_access(&b, 0x104, d, 4, false));
	EXPECT_EQ(last_off, 4);
	EXPECT_EQ(d[0], 0x44);
	EXPECT(bus_access(&b, 0x202, d, 2, false));
	EXPECT_EQ(d[0], 0xdd);
	EXPECT_EQ(b.r[0].reads, 1);
	EXPECT_EQ(b.r[1].reads, 1);
}

static void unclaimed_reads_all_ones(void)
{
	struct bus b = { 0 };
	uint32_t v = 0;
	uint8_t d[4] = { 0 };

	calls = 0;
	bus_register(&b, 0x100, 8, dev, &v, "a");
	EXPECT(!bus_access(&b, 0x300, d, 4, false));
	EXPECT_EQ(d[0] & d[1] & d[2] & d[3], 0xff);
	EXPECT(!bus_access(&b, 0x300, d, 1, true));
	/* an access that straddles the end of a range belongs to nobody */
	EXPECT(!bus_access(&b, 0x106, d, 4, false));
	EXPECT_EQ(calls, 0);
	EXPECT_EQ(b.unclaimed_reads, 2);
	EXPECT_EQ(b.unclaimed_writes, 1);
}

static void overlaps_refused(void)
{
	struct bus b = { 0 };
	uint32_t v = 0;

	EXPECT_EQ(bus_register(&b, 0x100, 8, dev, &v, "a"), 0);
	EXPECT_EQ(bus_register(&b, 0x107, 2, dev, &v, "b"), -1);
	EXPECT_EQ(bus_register(&b, 0xfc, 8, dev, &v, "c"), -1);
	EXPECT_EQ(bus_register(&b, 0x108, 0, dev, &v, "empty"), -1);
	EXPECT_EQ(bus_register(&b, ~0ull - 2, 8, dev, &v, "wraps"), -1);
	EXPECT_EQ(bus_register(&b, 0x108, 8, dev, &v, "adjacent"), 0);
}

/* --stats keys the ranges by name: a second range of the same name is refused */
static void names_unique(void)
{
	struct bus b = { 0 };
	uint32_t v = 0;

	EXPECT_EQ(bus_register(&b, 0x60, 1, dev, &v, "kbd"), 0);
	EXPECT_EQ(bus_register(&b, 0x64, 1, dev, &v, "kbd"), -1);
	EXPECT_EQ(bus_register(&b, 0x64, 1, dev, &v, NULL), -1);
	EXPECT_EQ(bus_register(&b, 0x64, 1, dev, &v, "kbd-cmd"), 0);
}

int main(void)
{
	RUN(dispatch_by_range);
	RUN(unclaimed_reads_all_ones);
	RUN(overlaps_refused);
	RUN(names_unique);
	UNIT_EXIT();
}
