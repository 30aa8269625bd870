// SPDX-License-Identifier: MIT
/*
 * The emulated VGA through the bus, as the exit loop drives it: sequences
 * of MMIO and port accesses decoded from the input (address, size 1/2/4/8,
 * value, read or write) around the text window's edges and the register
 * ports.  A model keeps its own copy of text memory and of the CRTC
 * registers the screen depends on; reads must return what the model
 * says, and after every input each screen cell must equal the model's.
 */
#include <string.h>

#include "../../devices/vga.h"
#include "../../vmm/screen.h"
#include "../../vmm/bus.h"
#include "fuzz.h"

#define WIN	VMM_VGA_TEXT_GPA
#define WIN_END	(VMM_VGA_TEXT_GPA + VMM_VGA_TEXT_SIZE)

static struct screen screen;
static struct vga *vga;
static struct bus mmio, pio;
static uint8_t vram[VMM_VGA_TEXT_SIZE];
static uint8_t crtc_index, crtc[VGA_CRTC_REGS];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	screen_init(&screen);
	vga = vga_create(NULL, &screen, VGA_TRAP, true);
	if (!vga || bus_register(&mmio, WIN, VMM_VGA_TEXT_SIZE, vga_mem_io, vga, "vga-mem") ||
	    bus_register(&pio, 0x3c0, 0x20, vga_port_io, vga, "vga-ports"))
		abort();
	return 0;
}

/* Back to power-on state, so that one input does not depend on another. */
static void reset(void)
{
	for (unsigned int i = 0; i < VMM_VGA_TEXT_SIZE; i += 2) {
		vram[i] = ' ';
		vram[i + 1] = 0x07;
	}
	memcpy(vga->vram, vram, sizeof(vram));
	memcpy(crtc, vga->crtc, sizeof(crtc));
	crtc[0x0c] = crtc[0x0d] = 0;
	vga->crtc_index = crtc_index = 0;
	vga->crtc[0x0c] = vga->crtc[0x0d] = 0;
	vga_poll(vga);
	for (unsigned int i = 0; i < SCREEN_CELLS; i++)
		screen_put(&screen, i, 0x0720);
}

static void model_port_write(unsigned int port, uint8_t v)
{
	if (port == 0x3d4)
		crtc_index = v;
	else if (port == 0x3d5 && crtc_index < VGA_CRTC_REGS)
		crtc[crtc_index] = v;
}

static void check_screen(void)
{
	struct screen_frame f;
	unsigned int start = (((unsigned int)crtc[0x0c] << 8 | crtc[0x0d]) * 2) %
			     VMM_VGA_TEXT_SIZE;

	screen_snapshot(&screen, &f);
	for (unsigned int i = 0; i < SCREEN_CELLS; i++) {
		unsigned int off = (start + 2 * i) % VMM_VGA_TEXT_SIZE;
		uint16_t want = (uint16_t)(vram[off] |
					   vram[(off + 1) % VMM_VGA_TEXT_SIZE] << 8);

		FUZZ_ASSERT(f.cells[i] == want);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t sizes[] = { 1, 2, 4, 8 };
	struct in in = { data, size };

	reset();
	while (in.n) {
		uint8_t op = (uint8_t)take(&in, 1);
		bool write = op & 1, port = op & 2;
		uint32_t sz = sizes[(op >> 2) & 3];
		uint8_t buf[8];
		uint64_t v = take(&in, 8);

		memcpy(buf, &v, 8);
		if (port) {
			/* 0x3b0-0x3ef: the VGA ports and a little on each side */
			uint64_t a = 0x3b0 + take(&in, 1) % 0x40;
			bool hit = a >= 0x3c0 && a + sz <= 0x3e0;

			FUZZ_ASSERT(bus_access(&pio, a, buf, sz, write) == hit);
			if (hit && write)
				for (uint32_t i = 0; i < sz; i++)
					model_port_write((unsigned int)a + i, buf[i]);
			if (hit && !write && a <= 0x3d5 && a + sz > 0x3d5)
				FUZZ_ASSERT(buf[0x3d5 - a] == (crtc_index < VGA_CRTC_REGS ?
							      crtc[crtc_index] : 0xff));
			if (!hit && !write)
				for (uint32_t i = 0; i < sz; i++)
					FUZZ_ASSERT(buf[i] == 0xff);
			continue;
		}
		/* 16 bytes below the window, all of it, 16 bytes above */
		uint64_t a = WIN - 16 + take(&in, 2) % (VMM_VGA_TEXT_SIZE + 32);
		bool hit = a >= WIN && a + sz <= WIN_END;

		FUZZ_ASSERT(bus_access(&mmio, a, buf, sz, write) == hit);
		for (uint32_t i = 0; i < sz; i++) {
			if (!hit)
				FUZZ_ASSERT(write || buf[i] == 0xff);
			else if (write)
				vram[a - WIN + i] = buf[i];
			else
				FUZZ_ASSERT(buf[i] == vram[a - WIN + i]);
		}
	}
	check_screen();
	return 0;
}
