// SPDX-License-Identifier: MIT
/*
 * The emulated VGA through the bus, as the exit loop drives it: sequences
 * of MMIO and port accesses decoded from the input (address, size 1/2/4/8,
 * value, read or write) around the text window's edges and the register
 * ports, mono ones included.  A model keeps its own copy of text memory,
 * of the start address, of misc output's port decoding and of the DAC;
 * reads must return what the model says, every index read must fit its
 * register's width, and after every input each screen cell must equal the
 * model's and the screen's palette and blink must be the registers'.
 *
 * The first byte picks the "ram" strategy for the input (stores land in
 * text memory without an exit; vga_poll() finds them) and a round trip
 * through the device model on a VM without KVM (trap builds; ram,
 * coalesced and a firmware's planes need KVM and are refused).  Besides
 * bus accesses, ops store straight into text memory, poll, and draw the
 * way PV VGA does (vga_set_cell, vga_set_cursor).  At the end its state
 * is saved and loaded back, and a copy bent by the input loaded.
 *
 * Covers: devices/vga.c devices/vga_regs.c
 */
#include <string.h>

#include "../../devices/table.h"
#include "../../devices/vga.h"
#include "../../vmm/state.h"
#include "../../vmm/vm.h"
#include "../../vmm/screen.h"
#include "../../vmm/bus.h"
#include "fuzz.h"

#define WIN	VMM_VGA_TEXT_GPA
#define WIN_END	(VMM_VGA_TEXT_GPA + VMM_VGA_TEXT_SIZE)

static struct screen screen;
static struct vga *vga;
static struct bus mmio, pio;
static uint8_t vram[VMM_VGA_TEXT_SIZE];
static struct {
	uint8_t crtc_index, start[2];	/* CRTC 0x0c, 0x0d */
	bool color;			/* misc output bit 0 */
	uint8_t dac[VGA_DAC_SIZE][3], latch[3];
	uint8_t rd, wr, rd_rgb, wr_rgb;
	bool reading;
} m;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	screen_init(&screen);
	vga = vga_create(NULL, &screen, VGA_TRAP, true);
	if (!vga || bus_register(&mmio, WIN, VMM_VGA_TEXT_SIZE, vga_mem_io, vga, "vga-mem") ||
	    bus_register(&pio, 0x3c0, 0x20, vga_port_io, vga, "vga-ports") ||
	    bus_register(&pio, 0x3b4, 2, vga_port_io, vga, "vga-mono-crtc") ||
	    bus_register(&pio, 0x3ba, 1, vga_port_io, vga, "vga-mono-status"))
		abort();
	return 0;
}

/* Back to power-on state, so that one input does not depend on another. */
static void reset(void)
{
	uint32_t pal[16];

	for (unsigned int i = 0; i < VMM_VGA_TEXT_SIZE; i += 2) {
		vram[i] = ' ';
		vram[i + 1] = 0x07;
	}
	memcpy(vga->vram, vram, sizeof(vram));
	vga_regs_reset(&vga->regs, true);
	memset(&m, 0, sizeof(m));
	m.color = true;
	memcpy(m.dac, vga->regs.dac, sizeof(m.dac));
	vga_poll(vga);
	for (unsigned int i = 0; i < SCREEN_CELLS; i++)
		screen_put(&screen, i, 0x0720);
	vga_regs_palette(&vga->regs, pal);
	screen_set_palette(&screen, pal);
	screen_set_blink(&screen, true);
}

/* The port a port number reaches now: mono ports move to 0x3dx; 0 none. */
static unsigned int model_decode(unsigned int port)
{
	if (port < 0x3c0)
		return m.color ? 0 : port + 0x20;
	return port >= 0x3d0 && !m.color ? 0 : port;
}

static void model_port_write(unsigned int port, uint8_t v)
{
	switch (model_decode(port)) {
	case 0x3c2: m.color = v & 1; break;
	case 0x3d4: m.crtc_index = v; break;
	case 0x3d5:
		if (m.crtc_index == 0x0c || m.crtc_index == 0x0d)
			m.start[m.crtc_index - 0x0c] = v;
		break;
	case 0x3c7: m.rd = v; m.rd_rgb = 0; m.reading = true; break;
	case 0x3c8: m.wr = v; m.wr_rgb = 0; m.reading = false; break;
	case 0x3c9:
		m.latch[m.wr_rgb++] = v & 0x3f;
		if (m.wr_rgb == 3) {
			memcpy(m.dac[m.wr++], m.latch, 3);
			m.wr_rgb = 0;
		}
		break;
	}
}

/* One byte read at port: what the model knows of it must hold. */
static void model_port_read(unsigned int port, uint8_t got)
{
	switch (model_decode(port)) {
	case 0:
		FUZZ_ASSERT(got == 0xff);
		break;
	case 0x3c0: FUZZ_ASSERT(got <= 0x3f); break;
	case 0x3c4: FUZZ_ASSERT(got <= 0x07); break;
	case 0x3ce: FUZZ_ASSERT(got <= 0x0f); break;
	case 0x3c7: FUZZ_ASSERT(got == (m.reading ? 3 : 0)); break;
	case 0x3c8: FUZZ_ASSERT(got == m.wr); break;
	case 0x3c9:
		FUZZ_ASSERT(got == m.dac[m.rd][m.rd_rgb++]);
		if (m.rd_rgb == 3) {
			m.rd++;
			m.rd_rgb = 0;
		}
		break;
	case 0x3cc: FUZZ_ASSERT((got & 1) == m.color); break;
	case 0x3d4: FUZZ_ASSERT(got == m.crtc_index); break;
	case 0x3d5:
		if (m.crtc_index == 0x0c || m.crtc_index == 0x0d)
			FUZZ_ASSERT(got == m.start[m.crtc_index - 0x0c]);
		else if (m.crtc_index >= VGA_CRTC_REGS)
			FUZZ_ASSERT(got == 0xff);
		break;
	case 0x3da: FUZZ_ASSERT((got & ~0x09) == 0); break;
	}
}

static void check_screen(void)
{
	struct screen_frame f;
	uint32_t pal[16];
	unsigned int start = (((unsigned int)m.start[0] << 8 | m.start[1]) * 2) %
			     VMM_VGA_TEXT_SIZE;

	screen_snapshot(&screen, &f);
	for (unsigned int i = 0; i < SCREEN_CELLS; i++) {
		unsigned int off = (start + 2 * i) % VMM_VGA_TEXT_SIZE;
		uint16_t want = (uint16_t)(vram[off] |
					   vram[(off + 1) % VMM_VGA_TEXT_SIZE] << 8);

		FUZZ_ASSERT(f.cells[i] == want);
	}
	vga_regs_palette(&vga->regs, pal);
	FUZZ_ASSERT(!memcmp(f.palette, pal, sizeof(pal)));
	FUZZ_ASSERT(f.palette_default == !memcmp(pal, screen_std_palette, sizeof(pal)));
	FUZZ_ASSERT(f.blink == !!(vga->regs.ac[AC_MODE] & AC_MODE_BLINK));
	FUZZ_ASSERT(!memcmp(vga->regs.dac, m.dac, sizeof(m.dac)));
}

/* Building the VGA for a VM without KVM: only the trap strategy can work. */
static void device_round_trip(uint8_t flags)
{
	static const struct device_model *const table[] = { &vga_device };
	static struct vm vm;
	static struct vm_config cfg;
	static struct kvm_run run;
	static uint8_t ram[GUEST_HOLE_END];

	memset(&vm, 0, sizeof(vm));
	vm_init(&vm);
	vm.run = &run;
	vm.mem = (struct guest_mem){ .base = ram, .size = sizeof(ram) };
	vm.cfg = &cfg;
	cfg.vga.strategy = (enum vga_strategy)((flags >> 2) % 3);
	cfg.firmware.image = flags & 0x10 ? "bios.bin" : NULL;
	int r = vm_add_devices(&vm, table, 1);

	FUZZ_ASSERT(!r == (cfg.vga.strategy == VGA_TRAP && !cfg.firmware.image));
	if (!r) {
		vm_sync(&vm);
		/* a second VGA finds its ports taken */
		FUZZ_ASSERT(!vga_create(&vm.host, &vm.screen, VGA_TRAP, false));
	}
	vm_remove_devices(&vm);
	/* without a VM (a test's screen): any strategy, no ranges */
	struct vga *v = vga_create(NULL, &vm.screen, cfg.vga.strategy, flags & 0x20);

	FUZZ_ASSERT(v);
	vga_destroy(v);
}

/* A store the guest makes into text memory backed by RAM: no exit. */
static void ram_store(struct in *in)
{
	unsigned int off = (unsigned int)take(in, 2) % VMM_VGA_TEXT_SIZE;
	uint8_t v = (uint8_t)take(in, 1);

	if (vga->strategy != VGA_RAM)
		return;
	vga->vram[off] = v;
	vram[off] = v;
}

/* PV VGA's way in: a cell of the visible screen, the cursor. */
static void pv_draw(struct in *in, bool cursor)
{
	unsigned int idx = (unsigned int)take(in, 2) % (SCREEN_CELLS + 48);
	uint16_t cell = (uint16_t)take(in, 2);
	unsigned int start = (((unsigned int)m.start[0] << 8 | m.start[1]) * 2) %
			     VMM_VGA_TEXT_SIZE;

	if (cursor) {
		vga_set_cursor(vga, (uint16_t)idx, cell & 1);
		return;
	}
	vga_set_cell(vga, idx, cell);
	if (idx < SCREEN_CELLS) {
		vram[(start + 2 * idx) % VMM_VGA_TEXT_SIZE] = (uint8_t)cell;
		vram[(start + 2 * idx + 1) % VMM_VGA_TEXT_SIZE] = (uint8_t)(cell >> 8);
	}
}

/* The ops that are not bus accesses: op bit 4 set, kind in bits 5-6. */
static void other_op(struct in *in, uint8_t op)
{
	switch ((op >> 5) & 3) {
	case 0: ram_store(in); break;
	case 1: vga_poll(vga); break;
	case 2: pv_draw(in, false); break;
	default: pv_draw(in, true); break;
	}
}

/* [a, a + sz) lies inside one of the VGA's port ranges. */
static bool vga_ports(uint64_t a, uint32_t sz)
{
	return (a >= 0x3c0 && a + sz <= 0x3e0) || (a >= 0x3b4 && a + sz <= 0x3b6) ||
	       (a == 0x3ba && sz == 1);
}

/* 0x3b0-0x3ef: the VGA ports and a little on each side */
static void port_op(struct in *in, uint8_t *buf, uint32_t sz, bool write)
{
	uint64_t a = 0x3b0 + take(in, 1) % 0x40;
	bool hit = vga_ports(a, sz);

	FUZZ_ASSERT(bus_access(&pio, a, buf, sz, write) == hit);
	for (uint32_t i = 0; hit && i < sz; i++) {
		if (write)
			model_port_write((unsigned int)a + i, buf[i]);
		else
			model_port_read((unsigned int)a + i, buf[i]);
	}
	if (!hit && !write)
		for (uint32_t i = 0; i < sz; i++)
			FUZZ_ASSERT(buf[i] == 0xff);
}

/* 16 bytes below the window, all of it, 16 bytes above */
static void mmio_op(struct in *in, uint8_t *buf, uint32_t sz, bool write)
{
	uint64_t a = WIN - 16 + take(in, 2) % (VMM_VGA_TEXT_SIZE + 32);
	bool hit = a >= WIN && a + sz <= WIN_END;

	if (vga->strategy == VGA_RAM)
		return;		/* RAM behind the window: no MMIO exit */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t sizes[] = { 1, 2, 4, 8 };
	struct in in = { data, size };
	uint8_t flags = (uint8_t)take(&in, 1);

	vga->strategy = VGA_RAM;	/* so that reset's poll renews the shadow too */
	reset();
	if (flags & 2)
		device_round_trip(flags);
	vga->strategy = flags & 1 ? VGA_RAM : VGA_TRAP;
	while (in.n) {
		uint8_t op = (uint8_t)take(&in, 1);
		uint8_t buf[8];

		if (op & 0x10) {
			other_op(&in, op);
			continue;
		}
		uint64_t v = take(&in, 8);

		memcpy(buf, &v, 8);
		if (op & 2)
			port_op(&in, buf, sizes[(op >> 2) & 3], op & 1);
		else
			mmio_op(&in, buf, sizes[(op >> 2) & 3], op & 1);
	}
	vga_poll(vga);		/* the redraw's sync: a no-op but for "ram" */
	check_screen();
	/* a snapshot now loads back (reset() undoes the bent copy's load) */
	fuzz_state_round_trip(&vga_device, vga, &(struct in){ data + size / 2, size - size / 2 });
	return 0;
}
