// SPDX-License-Identifier: MIT
/*
 * PV VGA on a fake guest memory: good calls land in the screen, every bad
 * coordinate or row range returns VMM_E_INVAL and changes nothing.
 */
#include <stdlib.h>

#include "../../devices/pv_vga.h"
#include "../../devices/vga.h"
#include "../../vmm/screen.h"
#include "../../vmm/guest_mem.h"
#include "../unit.h"

#define MEM (1u << 20)

static struct guest_mem mem;
static struct screen scr;
static struct pv_vga pv;
static struct vmm_pv_vga *pg;

static void setup(void)
{
	static uint8_t *base;

	if (!base)
		base = calloc(1, MEM);
	memset(base, 0, MEM);
	mem.base = base;
	mem.size = MEM;
	screen_init(&scr);
	pv.mem = &mem;
	pv.vga = vga_create(NULL, &scr, VGA_TRAP, true);
	pv.cells = 0;
	pg = (struct vmm_pv_vga *)(base + VMM_PV_VGA_GPA);
}

static void teardown(void)
{
	vga_destroy(pv.vga);
	screen_destroy(&scr);
}

static void putc_lands(void)
{
	const uint32_t none[4] = { 0 };
	struct screen_frame f;

	setup();
	pg->putc.x = 79;
	pg->putc.y = 24;
	pg->putc.ch = 'Z';
	pg->putc.attr = 0x4e;
	EXPECT_EQ(pv_vga_putc(&pv, none), VMM_OK);
	screen_snapshot(&scr, &f);
	EXPECT_EQ(f.cells[24 * 80 + 79], 0x4e5a);
	teardown();
}

static void putc_bad_coordinates(void)
{
	const uint32_t none[4] = { 0 };
	static const uint16_t bad[][2] = { { 80, 0 }, { 0, 25 }, { 0xffff, 0xffff }, { 80, 25 } };

	setup();
	uint64_t g = screen_gen(&scr);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pg->putc.x = bad[i][0];
		pg->putc.y = bad[i][1];
		pg->putc.ch = 'X';
		pg->putc.attr = 0x1f;
		EXPECT_EQ(pv_vga_putc(&pv, none), VMM_E_INVAL);
	}
	EXPECT_EQ(screen_gen(&scr), g);
	EXPECT_EQ(pv.cells, 0);
	teardown();
}

static void frame_rows_and_cursor(void)
{
	const uint32_t rows[4] = { 2, 3 };
	struct screen_frame f;

	setup();
	for (int i = 0; i < SCREEN_CELLS; i++)
		pg->frame[i] = (uint16_t)(0x1700 | (i & 0x7f));
	pg->cursor = 3 * 80 + 5;
	EXPECT_EQ(pv_vga_frame(&pv, rows), VMM_OK);
	screen_snapshot(&scr, &f);
	EXPECT_EQ(f.cells[2 * 80], pg->frame[2 * 80]);
	EXPECT_EQ(f.cells[3 * 80 + 79], pg->frame[3 * 80 + 79]);
	EXPECT_EQ(f.cells[1 * 80 + 79], 0x0720);	/* outside the range */
	EXPECT_EQ(f.cells[4 * 80], 0x0720);
	EXPECT_EQ(f.cursor, 3 * 80 + 5);
	EXPECT(f.cursor_on);
	pg->cursor = VMM_VGA_CURSOR_OFF;
	EXPECT_EQ(pv_vga_frame(&pv, rows), VMM_OK);
	screen_snapshot(&scr, &f);
	EXPECT(!f.cursor_on);
	teardown();
}

static void frame_bad_ranges(void)
{
	static const uint32_t bad[][4] = {
		{ 3, 2 }, { 0, 25 }, { 25, 25 }, { 0, 0xffffffffu }, { 0xffffffffu, 0 },
	};
	const uint32_t ok_rows[4] = { 0, 24 };

	setup();
	for (int i = 0; i < SCREEN_CELLS; i++)
		pg->frame[i] = 0x4f21;
	uint64_t g = screen_gen(&scr);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(pv_vga_frame(&pv, bad[i]), VMM_E_INVAL);
	/* a bad cursor spoils an otherwise good call, before any cell moves */
	pg->cursor = SCREEN_CELLS;
	EXPECT_EQ(pv_vga_frame(&pv, ok_rows), VMM_E_INVAL);
	pg->cursor = 0xfffe;
	EXPECT_EQ(pv_vga_frame(&pv, ok_rows), VMM_E_INVAL);
	EXPECT_EQ(screen_gen(&scr), g);
	EXPECT_EQ(pv.cells, 0);
	teardown();
}

static void page_outside_memory(void)
{
	const uint32_t rows[4] = { 0, 0 };

	setup();
	mem.size = VMM_PV_VGA_GPA + 16;		/* the page does not fit */
	EXPECT_EQ(pv_vga_frame(&pv, rows), VMM_E_FAULT);
	EXPECT_EQ(pv_vga_putc(&pv, rows), VMM_E_FAULT);
	teardown();
}

int main(void)
{
	RUN(putc_lands);
	RUN(putc_bad_coordinates);
	RUN(frame_rows_and_cursor);
	RUN(frame_bad_ranges);
	RUN(page_outside_memory);
	UNIT_EXIT();
}
