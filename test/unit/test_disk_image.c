// SPDX-License-Identifier: MIT
/* The raw image backend: never creates or truncates, checks sizes and ranges. */
#include <sys/stat.h>

#include "../unit.h"
#include "disk_fixture.h"

static off_t file_size(const char *p)
{
	struct stat st;

	return stat(p, &st) ? -1 : st.st_size;
}

static void missing_image_not_created(void)
{
	struct disk_image d;
	char p[64];

	snprintf(p, sizeof(p), "%s.missing", tmp_image(1));
	EXPECT_EQ(disk_image_open(&d, p, false, CACHE_WRITEBACK, NULL), -1);
	EXPECT_EQ(access(p, F_OK), -1);
}

static void odd_size_refused_untouched(void)
{
	struct disk_image d;
	const char *p = tmp_image(4);

	EXPECT_EQ(truncate(p, 2000), 0);
	EXPECT_EQ(disk_image_open(&d, p, false, CACHE_WRITEBACK, NULL), -1);
	EXPECT_EQ(file_size(p), 2000);
	EXPECT_EQ(truncate(p, 0), 0);		/* empty: nothing to use either */
	EXPECT_EQ(disk_image_open(&d, p, false, CACHE_WRITEBACK, NULL), -1);
	EXPECT_EQ(file_size(p), 0);
}

static void ranges_overflow_safe(void)
{
	struct disk_image d;
	uint8_t buf[1024] = { 0 };

	open_image(&d, tmp_image(10), false);
	EXPECT(disk_image_range_ok(&d, 0, 10));
	EXPECT(disk_image_range_ok(&d, 9, 1));
	EXPECT(disk_image_range_ok(&d, 10, 0));
	EXPECT(!disk_image_range_ok(&d, 9, 2));
	EXPECT(!disk_image_range_ok(&d, 11, 0));
	EXPECT(!disk_image_range_ok(&d, ~0ull, 2));
	EXPECT(!disk_image_range_ok(&d, 2, ~0ull - 1));
	EXPECT_EQ(disk_image_write(&d, ~0ull, 2, buf), VMM_E_RANGE);
	EXPECT_EQ(disk_image_read(&d, 9, 2, buf), VMM_E_RANGE);
	EXPECT_EQ(disk_image_write(&d, 8, 2, buf), VMM_OK);
	EXPECT_EQ(file_size(d.path), 10 * 512);	/* never grows */
	disk_image_close(&d);
}

static bool gate_answer, gate_asked;

static bool gate(void *arg)
{
	gate_asked = true;
	return *(bool *)arg;
}

/* A restore still checking its RAM holds writes; a bad verdict fails them. */
static void write_gate_holds_the_image(void)
{
	struct disk_image d;
	uint8_t w[512], r[512];

	open_image(&d, tmp_image(4), false);
	memset(w, 0xa5, sizeof(w));
	d.write_gate = gate;
	d.gate_arg = &gate_answer;
	gate_answer = false;
	EXPECT_EQ(disk_image_write(&d, 1, 1, w), VMM_E_IO);
	EXPECT(gate_asked);
	EXPECT_EQ(disk_image_read(&d, 1, 1, r), VMM_OK);
	EXPECT(r[0] == 0 && r[511] == 0);	/* nothing reached the file */
	gate_answer = true;
	EXPECT_EQ(disk_image_write(&d, 1, 1, w), VMM_OK);
	EXPECT_EQ(disk_image_read(&d, 1, 1, r), VMM_OK);
	EXPECT(!memcmp(w, r, sizeof(w)));
	disk_image_close(&d);
}

static void cache_modes_round_trip(void)
{
	static const enum cache_mode modes[] = {
		CACHE_WRITEBACK, CACHE_WRITETHROUGH, CACHE_NONE, CACHE_UNSAFE,
	};
	uint8_t w[3 * 512], r[3 * 512];

	for (unsigned int i = 0; i < 4; i++) {
		struct disk_image d;
		const char *p = tmp_image(300);

		for (unsigned int j = 0; j < sizeof(w); j++)
			w[j] = (uint8_t)(j * 3 + i);
		/* cache=none needs O_DIRECT; tmpfs refuses it with one clear line */
		if (disk_image_open(&d, p, false, modes[i], NULL)) {
			EXPECT(modes[i] == CACHE_NONE);
			continue;
		}
		EXPECT_EQ(disk_image_write(&d, 1, 3, w + 0), VMM_OK);
		/* an unaligned buffer and a long request go through the bounce buffer */
		EXPECT_EQ(disk_image_read(&d, 1, 3, r), VMM_OK);
		EXPECT(!memcmp(w, r, sizeof(w)));
		EXPECT_EQ(disk_image_flush(&d), VMM_OK);
		EXPECT_EQ(disk_image_close(&d), 0);
		uint8_t b[512];

		file_sector(p, 3, b);
		EXPECT(!memcmp(b, w + 1024, 512));
	}
}

static void readonly_refuses_writes(void)
{
	struct disk_image d;
	uint8_t buf[512] = { 1 };
	const char *p = tmp_image(4);

	EXPECT_EQ(chmod(p, 0444), 0);
	open_image(&d, p, true);
	EXPECT_EQ(disk_image_write(&d, 0, 1, buf), VMM_E_ROFS);
	EXPECT_EQ(disk_image_read(&d, 0, 1, buf), VMM_OK);
	EXPECT_EQ(buf[0], 0);
	EXPECT_EQ(disk_image_close(&d), 0);
}

static void locked_against_a_second_writer(void)
{
	struct disk_image a, b;
	const char *p = tmp_image(4);

	open_image(&a, p, false);
	EXPECT_EQ(disk_image_open(&b, p, false, CACHE_WRITEBACK, NULL), -1);
	disk_image_close(&a);
	EXPECT_EQ(disk_image_open(&b, p, false, CACHE_WRITEBACK, NULL), 0);
	disk_image_close(&b);
}

static void create_and_sizes(void)
{
	uint64_t n = 0;
	char p[64];

	EXPECT_EQ(disk_parse_size("64M", &n), 0);
	EXPECT_EQ(n, 64ull << 20);
	EXPECT_EQ(disk_parse_size("1GiB", &n), 0);
	EXPECT_EQ(n, 1ull << 30);
	EXPECT_EQ(disk_parse_size("4096", &n), 0);
	EXPECT_EQ(n, 4096);
	EXPECT_EQ(disk_parse_size("1000", &n), -1);	/* not a sector multiple */
	EXPECT_EQ(disk_parse_size("0", &n), -1);
	EXPECT_EQ(disk_parse_size("-512", &n), -1);
	EXPECT_EQ(disk_parse_size("12Q", &n), -1);
	EXPECT_EQ(disk_parse_size("99999999999T", &n), -1);
	snprintf(p, sizeof(p), "%s.new", tmp_image(1));
	EXPECT_EQ(disk_image_create(p, 1 << 20), 0);
	EXPECT_EQ(file_size(p), 1 << 20);
	EXPECT_EQ(truncate(p, 512), 0);
	EXPECT_EQ(disk_image_create(p, 1 << 20), -1);	/* never overwrites */
	EXPECT_EQ(file_size(p), 512);
	unlink(p);
}

int main(void)
{
	vm_reset();
	RUN(missing_image_not_created);
	RUN(odd_size_refused_untouched);
	RUN(ranges_overflow_safe);
	RUN(write_gate_holds_the_image);
	RUN(cache_modes_round_trip);
	RUN(readonly_refuses_writes);
	RUN(locked_against_a_second_writer);
	RUN(create_and_sizes);
	UNIT_EXIT();
}
