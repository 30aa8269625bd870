// SPDX-License-Identifier: MIT
/*
 * The VGA register file through the bus, port by port as a guest drives
 * it: power-on values of mode 3, the attribute flip-flop, the DAC's index
 * auto-increment, pel mask, read-back masks, input status and the colours
 * the screen is told about.
 */
#include "../../devices/vga.h"
#include "../../guest/vga_modes.h"
#include "../../vmm/bus.h"
#include "../../vmm/screen.h"
#include "../unit.h"

static struct screen scr;
static struct vga *vga;
static struct bus pio;

static void setup(void)
{
	screen_init(&scr);
	vga = vga_create(NULL, &scr, VGA_TRAP, true);
	pio = (struct bus){ 0 };
	EXPECT(vga != NULL);
	EXPECT(!bus_register(&pio, 0x3c0, 0x20, vga_port_io, vga, "vga-ports"));
	EXPECT(!bus_register(&pio, 0x3b4, 2, vga_port_io, vga, "vga-mono-crtc"));
	EXPECT(!bus_register(&pio, 0x3ba, 1, vga_port_io, vga, "vga-mono-status"));
}

static void teardown(void)
{
	vga_destroy(vga);
	screen_destroy(&scr);
}

static void outb(uint16_t port, uint8_t v)
{
	bus_access(&pio, port, &v, 1, true);
}

static void outw(uint16_t port, uint16_t v)
{
	bus_access(&pio, port, &v, 2, true);
}

static uint8_t inb(uint16_t port)
{
	uint8_t v = 0;

	bus_access(&pio, port, &v, 1, false);
	return v;
}

static uint8_t reg(uint16_t index_port, uint8_t i)
{
	outb(index_port, i);
	return inb(index_port + 1);
}

static uint8_t ac_get(uint8_t i)
{
	inb(0x3da);
	outb(0x3c0, i);
	return inb(0x3c1);
}

/* The usual way: index with the palette unlocked, value, display back on. */
static void ac_set(uint8_t i, uint8_t v)
{
	inb(0x3da);
	outb(0x3c0, i);
	outb(0x3c0, v);
	outb(0x3c0, 0x20);
}

static void dac_set(uint8_t i, uint8_t r, uint8_t g, uint8_t b)
{
	outb(0x3c8, i);
	outb(0x3c9, r);
	outb(0x3c9, g);
	outb(0x3c9, b);
}

/* Entry i as 0xRRGGBB of 6-bit values, read in the DAC's order. */
static uint32_t dac_get(uint8_t i)
{
	uint32_t v = 0;

	outb(0x3c7, i);
	for (int c = 0; c < 3; c++)
		v = v << 8 | inb(0x3c9);
	return v;
}

static void frame(struct screen_frame *f)
{
	screen_snapshot(&scr, f);
}

static void power_on_is_mode3(void)
{
	static const uint8_t seq[] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
	static const uint8_t gc[] = { 0, 0, 0, 0, 0, 0x10, 0x0e, 0x0f, 0xff };
	static const uint8_t ac[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38,
				      0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x0c };
	struct screen_frame f;

	setup();
	for (uint8_t i = 0; i < sizeof(seq); i++)
		EXPECT_EQ(reg(0x3c4, i), seq[i]);
	for (uint8_t i = 0; i < sizeof(gc); i++)
		EXPECT_EQ(reg(0x3ce, i), gc[i]);
	for (uint8_t i = 0; i < sizeof(ac); i++)
		EXPECT_EQ(ac_get(i), ac[i]);
	EXPECT_EQ(ac_get(0x12), 0x0f);
	EXPECT_EQ(reg(0x3d4, 0x00), 0x5f);
	EXPECT_EQ(reg(0x3d4, 0x09), 0x4f);
	EXPECT_EQ(reg(0x3d4, 0x11), 0x8e);
	EXPECT_EQ(reg(0x3d4, 0x18), 0xff);
	EXPECT_EQ(inb(0x3cc), 0x67);
	EXPECT_EQ(inb(0x3c6), 0xff);
	/* DAC: the EGA colours at 0-63 (brown at 0x14, dark grey at 0x38), 0 above */
	EXPECT_EQ(dac_get(0x14), 0x2a1500);
	EXPECT_EQ(dac_get(0x38), 0x151515);
	EXPECT_EQ(dac_get(0x3f), 0x3f3f3f);
	EXPECT_EQ(dac_get(0x40), 0);
	EXPECT_EQ(dac_get(0xff), 0);
	frame(&f);
	EXPECT(f.palette_default);
	for (int c = 0; c < 16; c++)
		EXPECT_EQ(f.palette[c], screen_std_palette[c]);
	teardown();
}

static void attribute_flip_flop(void)
{
	setup();
	inb(0x3da);			/* index next */
	outb(0x3c0, 0x01);
	outb(0x3c0, 0x11);		/* data: palette 1 */
	outb(0x3c0, 0x02);		/* index again */
	outb(0x3c0, 0x22);
	EXPECT_EQ(inb(0x3c0), 0x02);	/* reads give the index... */
	EXPECT_EQ(inb(0x3c1), 0x22);	/* ...and its data, without flipping */
	EXPECT_EQ(inb(0x3c1), 0x22);
	outb(0x3c0, 0x01);		/* still an index: reads did not flip */
	EXPECT_EQ(inb(0x3c1), 0x11);
	outb(0x3c0, 0x33);		/* data for 1, masked to 6 bits below */
	EXPECT_EQ(inb(0x3c1), 0x33);
	outb(0x3c0, 0x01);		/* an index... */
	inb(0x3da);			/* ...then a reset: the next write is an index */
	outb(0x3c0, 0x03);
	outb(0x3c0, 0x3f);
	EXPECT_EQ(ac_get(0x01), 0x33);
	EXPECT_EQ(ac_get(0x03), 0x3f);
	teardown();
}

static void palette_locked_while_shown(void)
{
	setup();
	inb(0x3da);
	outb(0x3c0, 0x21);		/* palette address source set: display on */
	outb(0x3c0, 0x3f);
	EXPECT_EQ(inb(0x3c0), 0x21);
	EXPECT_EQ(inb(0x3c1), 0x01);	/* the write did not land */
	outb(0x3c0, 0x34);		/* colour select is not locked */
	outb(0x3c0, 0x0f);
	EXPECT_EQ(ac_get(0x14), 0x0f);
	teardown();
}

static void dac_write_advances_every_third(void)
{
	setup();
	outb(0x3c8, 0xfe);
	for (int i = 0; i < 9; i++)	/* 0xfe, 0xff, then wraps to 0 */
		outb(0x3c9, (uint8_t)(0x10 + i));
	EXPECT_EQ(inb(0x3c8), 0x01);
	EXPECT_EQ(inb(0x3c7), 0x00);	/* write mode */
	outb(0x3c7, 0xfe);
	EXPECT_EQ(inb(0x3c7), 0x03);	/* read mode */
	for (int i = 0; i < 9; i++)
		EXPECT_EQ(inb(0x3c9), 0x10 + i);
	/* an unfinished entry is not stored; a new index starts over at red */
	outb(0x3c8, 0x05);
	outb(0x3c9, 0x01);
	outb(0x3c9, 0x02);
	outb(0x3c8, 0x06);
	outb(0x3c9, 0xff);		/* 6 bits kept */
	outb(0x3c9, 0x07);
	outb(0x3c9, 0x08);
	EXPECT_EQ(inb(0x3c8), 0x07);
	EXPECT_EQ(dac_get(0x05), 0x2a002a);
	EXPECT_EQ(dac_get(0x06), 0x3f0708);
	teardown();
}

static void dac_read_advances_every_third(void)
{
	setup();
	outb(0x3c7, 0x01);
	EXPECT_EQ(inb(0x3c9), 0x00);	/* entry 1: blue */
	EXPECT_EQ(inb(0x3c9), 0x00);
	/* a new read index mid-entry starts over at red */
	outb(0x3c7, 0x04);
	EXPECT_EQ(inb(0x3c9), 0x2a);	/* entry 4: red */
	EXPECT_EQ(inb(0x3c9), 0x00);
	EXPECT_EQ(inb(0x3c9), 0x00);
	EXPECT_EQ(inb(0x3c9), 0x2a);	/* entry 5: magenta */
	/* reads leave the write index alone, writes the read index */
	EXPECT_EQ(inb(0x3c8), 0x00);
	outb(0x3c8, 0x40);
	EXPECT_EQ(inb(0x3c9), 0x00);	/* entry 5 green */
	EXPECT_EQ(inb(0x3c9), 0x2a);	/* entry 5 blue */
	EXPECT_EQ(inb(0x3c9), 0x2a);	/* entry 6 red (EGA yellow-ish: 2a 2a 00) */
	EXPECT_EQ(inb(0x3c9), 0x2a);
	teardown();
}

static void read_back_masks(void)
{
	static const uint8_t seq[] = { 0x03, 0x3d, 0x0f, 0x3f, 0x0e };
	static const uint8_t gc[] = { 0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff };

	setup();
	outb(0x3c4, 0xff);
	EXPECT_EQ(inb(0x3c4), 0x07);	/* 3-bit index */
	outb(0x3ce, 0xff);
	EXPECT_EQ(inb(0x3ce), 0x0f);	/* 4-bit index */
	outb(0x3d4, 0xff);
	EXPECT_EQ(inb(0x3d4), 0xff);
	for (uint8_t i = 0; i < 8; i++) {
		outb(0x3c4, i);
		outb(0x3c5, 0xff);
		EXPECT_EQ(inb(0x3c5), i < sizeof(seq) ? seq[i] : 0xff);
	}
	outb(0x3c4, 0x0a);		/* aliases register 2 */
	EXPECT_EQ(inb(0x3c5), 0x0f);
	for (uint8_t i = 0; i < 16; i++) {
		outb(0x3ce, i);
		outb(0x3cf, 0xff);
		EXPECT_EQ(inb(0x3cf), i < sizeof(gc) ? gc[i] : 0xff);
	}
	for (uint8_t i = 0; i < 0x20; i++) {
		inb(0x3da);
		outb(0x3c0, i);
		outb(0x3c0, 0xff);
		EXPECT_EQ(inb(0x3c1), i < 0x10 ? 0x3f : i == 0x10 ? 0xef :
			  i == 0x11 ? 0xff : i == 0x12 ? 0x3f : i < 0x15 ? 0x0f : 0xff);
	}
	inb(0x3da);
	outb(0x3c0, 0xff);
	EXPECT_EQ(inb(0x3c0), 0x3f);	/* 5 bits of index and PAS */
	outw(0x3d4, 0x0011);		/* unprotect CRTC 0-7 */
	for (uint8_t i = 0; i < 0x19; i++) {
		if (i == 0x11)
			continue;
		outb(0x3d4, i);
		outb(0x3d5, 0xff);
		EXPECT_EQ(inb(0x3d5), i == 0x08 || i == 0x0b || i == 0x14 ? 0x7f :
			  i == 0x0a ? 0x3f : i == 0x17 ? 0xef : 0xff);
	}
	outb(0x3c2, 0xff);
	EXPECT_EQ(inb(0x3cc), 0xef);
	outb(0x3da, 0xff);		/* feature control, read at 0x3ca */
	EXPECT_EQ(inb(0x3ca), 0x0b);
	outb(0x3c6, 0x5a);
	EXPECT_EQ(inb(0x3c6), 0x5a);
	teardown();
}

static void wild_indexes(void)
{
	setup();
	for (unsigned int i = 0x19; i <= 0xff; i++) {
		outb(0x3d4, (uint8_t)i);
		outb(0x3d5, 0x5a);
		EXPECT_EQ(inb(0x3d5), 0xff);
	}
	EXPECT_EQ(reg(0x3d4, 0x00), 0x5f);
	/* ports of the range that are no register */
	EXPECT_EQ(inb(0x3c3), 0xff);
	EXPECT_EQ(inb(0x3cd), 0xff);
	EXPECT_EQ(inb(0x3d0), 0xff);
	EXPECT_EQ(inb(0x3df), 0xff);
	teardown();
}

static void crtc_write_protect(void)
{
	setup();
	outw(0x3d4, 0x0000);		/* protected: ignored */
	EXPECT_EQ(reg(0x3d4, 0x00), 0x5f);
	outw(0x3d4, 0x0007);		/* overflow: only line compare bit 8 */
	EXPECT_EQ(reg(0x3d4, 0x07), 0x0f);
	outw(0x3d4, 0x0e11);		/* protect off */
	outw(0x3d4, 0x5a00);
	EXPECT_EQ(reg(0x3d4, 0x00), 0x5a);
	outw(0x3d4, 0x0007);
	EXPECT_EQ(reg(0x3d4, 0x07), 0x00);
	teardown();
}

static void input_status_toggles(void)
{
	setup();
	uint8_t a = inb(0x3da), b = inb(0x3da);

	EXPECT_EQ(a ^ b, 0x09);		/* retrace and display-disabled flip */
	EXPECT_EQ((a | b) & ~0x09, 0);
	EXPECT_EQ(inb(0x3c2), 0x00);	/* input status 0 */
	/* both halves of a wait-for-vertical-retrace loop end */
	int n = 0;

	while ((inb(0x3da) & 0x08) && n < 10)
		n++;
	while (!(inb(0x3da) & 0x08) && n < 10)
		n++;
	EXPECT(n < 10);
	teardown();
}

static void mono_ports_follow_misc(void)
{
	setup();
	EXPECT_EQ(reg(0x3b4, 0x0f), 0xff);	/* colour: mono ports float */
	outb(0x3c2, 0x66);			/* mono */
	EXPECT_EQ(inb(0x3d4), 0xff);
	EXPECT_EQ(inb(0x3da), 0xff);
	outw(0x3b4, 0x120f);
	EXPECT_EQ(reg(0x3b4, 0x0f), 0x12);
	outb(0x3c0, 0x05);			/* attribute index... */
	inb(0x3ba);				/* ...reset by the mono status port */
	outb(0x3c0, 0x06);
	EXPECT_EQ(inb(0x3c0), 0x06);
	outb(0x3c2, 0x67);
	EXPECT_EQ(reg(0x3d4, 0x0f), 0x12);	/* the same CRTC */
	teardown();
}

static void dac_colours_reach_the_screen(void)
{
	struct screen_frame f;
	uint64_t gen;

	setup();
	frame(&f);
	gen = f.gen;
	dac_set(0x01, 0x3f, 0x20, 0x00);	/* colour 1 becomes orange */
	frame(&f);
	EXPECT(!f.palette_default);
	EXPECT_EQ(f.palette[1], 0xff8200);
	EXPECT_EQ(f.palette[0], 0x000000);
	EXPECT(f.gen > gen);
	dac_set(0x01, 0x00, 0x00, 0x2a);	/* back to blue: default again */
	frame(&f);
	EXPECT(f.palette_default);
	/* the attribute palette picks the entry: colour 2 shows entry 0x3f */
	ac_set(0x02, 0x3f);
	frame(&f);
	EXPECT_EQ(f.palette[2], 0xffffff);
	/* the pel mask applies to the index: 0x3f & 0x0f = 0x0f */
	outb(0x3c6, 0x0f);
	dac_set(0x0f, 0x10, 0x10, 0x10);
	frame(&f);
	EXPECT_EQ(f.palette[2], 0x414141);
	outb(0x3c6, 0xff);
	/* colour select bits 3-2 give index bits 7-6 */
	dac_set(0xc1, 0x3f, 0x3f, 0x00);
	ac_set(0x14, 0x0c);
	frame(&f);
	EXPECT_EQ(f.palette[1], 0xffff00);
	/* and with mode bit 7, colour select bits 1-0 give index bits 5-4 */
	dac_set(0xf1, 0x00, 0x3f, 0x3f);
	ac_set(0x14, 0x0f);
	ac_set(0x10, 0x8c);
	frame(&f);
	EXPECT_EQ(f.palette[1], 0x00ffff);
	/* plane enable masks the colour before the palette: 9 & 7 = 1 */
	ac_set(0x12, 0x07);
	frame(&f);
	EXPECT_EQ(f.palette[9], 0x00ffff);
	teardown();
}

static void word_writes_are_index_then_data(void)
{
	setup();
	outw(0x3c4, 0x0502);		/* map mask = 5 */
	EXPECT_EQ(reg(0x3c4, 0x02), 0x05);
	outw(0x3ce, 0x0204);		/* read map select = 2 */
	EXPECT_EQ(reg(0x3ce, 0x04), 0x02);
	/* not the attribute controller: the high byte goes to read-only 0x3c1 */
	inb(0x3da);
	outw(0x3c0, 0x2d11);
	EXPECT_EQ(inb(0x3c0), 0x11);
	EXPECT_EQ(inb(0x3c1), 0x00);
	outb(0x3c0, 0x2d);		/* the flip-flop still waits for data */
	EXPECT_EQ(ac_get(0x11), 0x2d);
	teardown();
}

/*
 * The registers say which graphics mode the guest chose, and the screen
 * (so the UI, the dump and --stats) with them, until text mode is back.
 */
static void graphics_modes_named(void)
{
	struct screen_frame f;
	char mode[32];

	setup();
	frame(&f);
	EXPECT_EQ(f.graphics[0], 0);
	vga_mode_write(&vga_mode_13, outb, inb);
	frame(&f);
	EXPECT(!strcmp(f.graphics, "320x200, 256 colours"));
	vga_mode_write(&vga_mode_12, outb, inb);
	vga_regs_graphics(&vga->regs, mode, sizeof(mode));
	EXPECT(!strcmp(mode, "640x480, 16 colours"));
	vga_mode_write(&vga_mode_03, outb, inb);
	frame(&f);
	EXPECT_EQ(f.graphics[0], 0);
	/* CGA's 4 colours (mode 4's shift mode), one plane for 2 (mode 11h) */
	vga_mode_write(&vga_mode_12, outb, inb);
	ac_set(0x12, 0x01);
	frame(&f);
	EXPECT(!strcmp(f.graphics, "640x480, 2 colours"));
	outb(0x3ce, 0x05);
	outb(0x3cf, 0x20);
	frame(&f);
	EXPECT(!strcmp(f.graphics, "640x480, 4 colours"));
	teardown();
}

int main(void)
{
	RUN(power_on_is_mode3);
	RUN(attribute_flip_flop);
	RUN(palette_locked_while_shown);
	RUN(dac_write_advances_every_third);
	RUN(dac_read_advances_every_third);
	RUN(read_back_masks);
	RUN(wild_indexes);
	RUN(crtc_write_protect);
	RUN(input_status_toggles);
	RUN(mono_ports_follow_misc);
	RUN(dac_colours_reach_the_screen);
	RUN(word_writes_are_index_then_data);
	RUN(graphics_modes_named);
	UNIT_EXIT();
}
