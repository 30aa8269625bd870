// SPDX-License-Identifier: MIT
/*
 * hostile: a guest that attacks the VMM through every input it controls.
 * The command line picks one case (case=NAME; case=list names them all).
 * Each case prints what it observed on serial as
 *     hostile NAME: observed ...
 * checks it against what a correct VMM must do, and ends with
 *     hostile NAME: PASS        (exit status 0)
 *     hostile NAME: FAIL (N)    (exit status 1)
 * test/integration/hostile.sh runs every case and checks the VMM's side
 * (still alive, exit status, message, screen).  A new case is one
 * function and one line in the table at the end.
 * Only serial is used for output, so the screen stays as the VMM set it.
 */
#include "sdk/sdk.h"

static const char *cur;
static int failures;

#define OBS(fmt, ...) serial_printf("hostile %s: observed " fmt "\n", cur, ##__VA_ARGS__)

static void expect(int ok, const char *what, uint32_t got, uint32_t want)
{
	if (ok)
		return;
	failures++;
	serial_printf("hostile %s: WRONG %s: got 0x%x, want 0x%x\n", cur, what,
		      (unsigned int)got, (unsigned int)want);
}

#define EXPECT_EQ(what, got, want) \
	expect((uint32_t)(got) == (uint32_t)(want), what, (uint32_t)(got), (uint32_t)(want))

static const struct vmm_boot_info *need_vmm(void)
{
	const struct vmm_boot_info *bi = vmm_boot_info();

	if (!bi) {
		serial_printf("hostile %s: needs vmm (no boot info)\n", cur);
		failures++;
	}
	return bi;
}

static inline uint8_t rd8(uint32_t a) { return *(volatile uint8_t *)(uintptr_t)a; }
static inline uint16_t rd16(uint32_t a) { return *(volatile uint16_t *)(uintptr_t)a; }
static inline uint32_t rd32(uint32_t a) { return *(volatile uint32_t *)(uintptr_t)a; }
static inline void wr8(uint32_t a, uint8_t v) { *(volatile uint8_t *)(uintptr_t)a = v; }
static inline void wr16(uint32_t a, uint16_t v) { *(volatile uint16_t *)(uintptr_t)a = v; }
static inline void wr32(uint32_t a, uint32_t v) { *(volatile uint32_t *)(uintptr_t)a = v; }

static void rep_movsb(uint32_t dst, const void *src, uint32_t n)
{
	void *d = (void *)(uintptr_t)dst;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
}

static void rep_movsl(uint32_t dst, const void *src, uint32_t n)
{
	void *d = (void *)(uintptr_t)dst;

	__asm__ volatile("rep movsl" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
}

static void rep_stosl(uint32_t dst, uint32_t v, uint32_t n)
{
	void *d = (void *)(uintptr_t)dst;

	__asm__ volatile("rep stosl" : "+D"(d), "+c"(n) : "a"(v) : "memory");
}

/* Hypercalls -------------------------------------------------------- */

static int status_ok(int32_t s)
{
	return s <= VMM_OK && s >= VMM_E_NODEV;
}

static void hc_unknown(void)
{
	static const uint32_t nrs[] = {
		VMM_HC_COUNT, VMM_HC_COUNT + 1, 1000, 0x7fffffff, 0x80000000,
		0xfffffffe, 0xffffffff,
	};
	const struct vmm_boot_info *bi = need_vmm();

	if (!bi)
		return;
	for (unsigned int i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		int32_t s = vmm_hypercall(nrs[i], 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff);

		OBS("hypercall 0x%x -> %d", (unsigned int)nrs[i], (int)s);
		EXPECT_EQ("unknown hypercall status", s, VMM_E_NOSYS);
	}
	/* numbers whose device is not configured answer NOSYS too */
	if (bi->vga_mode != VMM_MODE_PV) {
		EXPECT_EQ("VGA_PUTC without PV VGA", vmm_hypercall(VMM_HC_VGA_PUTC, 0, 0, 0, 0), VMM_E_NOSYS);
		EXPECT_EQ("VGA_FRAME without PV VGA", vmm_hypercall(VMM_HC_VGA_FRAME, 0, 0, 0, 0), VMM_E_NOSYS);
	}
	if (bi->disk_mode != VMM_MODE_PV) {
		EXPECT_EQ("DISK_SECTOR without PV disk", vmm_hypercall(VMM_HC_DISK_SECTOR, 0, 0, 0, 0), VMM_E_NOSYS);
		EXPECT_EQ("DISK_RING without PV disk", vmm_hypercall(VMM_HC_DISK_RING, 0, 0, 0, 0), VMM_E_NOSYS);
	}
	/* only a 32-bit write at the doorbell is a hypercall */
	uint32_t eax = VMM_HC_EXIT;

	__asm__ volatile("outb %%al, %%dx" : "+a"(eax) : "d"(VMM_HC_PORT), "b"(99));
	__asm__ volatile("outw %%ax, %%dx" : "+a"(eax) : "d"(VMM_HC_PORT), "b"(99));
	__asm__ volatile("outl %%eax, %%dx" : "+a"(eax) : "d"(VMM_HC_PORT + 1), "b"(99));
	OBS("8/16-bit and misaligned doorbell writes left eax = %u", (unsigned int)eax);
	EXPECT_EQ("eax after non-hypercall writes", eax, VMM_HC_EXIT);
	EXPECT_EQ("doorbell read", inl(VMM_HC_PORT), 0xffffffff);
	EXPECT_EQ("doorbell byte read", inb(VMM_HC_PORT + 3), 0xff);
}

static void hc_wild_args(void)
{
	static const uint32_t args[][4] = {
		{ 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff },
		{ 0x80000000, 0x7fffffff, 0xfffff000, 0x000a0000 },
		{ 0, 0xffffffff, 0xb8000, 0xc0000000 },
		{ 25, 25, 0, 0 },
		{ 0xfffffff0, 0x10, 0, 0 },
	};
	const struct vmm_boot_info *bi = need_vmm();

	if (!bi)
		return;
	for (uint32_t nr = 0; nr < VMM_HC_COUNT; nr++) {
		if (nr == VMM_HC_EXIT)
			continue;
		for (unsigned int i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
			int32_t s = vmm_hypercall(nr, args[i][0], args[i][1],
						  args[i][2], args[i][3]);

			OBS("hypercall %u (0x%x, 0x%x, 0x%x, 0x%x) -> %d", (unsigned int)nr,
			    (unsigned int)args[i][0], (unsigned int)args[i][1],
			    (unsigned int)args[i][2], (unsigned int)args[i][3], (int)s);
			if (nr == VMM_HC_VERSION)
				EXPECT_EQ("version", s, VMM_ABI_VERSION);
			else	/* putc takes no register arguments: it may succeed */
				expect(status_ok(s) && (s != VMM_OK || nr == VMM_HC_VGA_PUTC),
				       "status of wild args", (uint32_t)s, VMM_E_INVAL);
		}
	}
}

/* PV VGA: coordinates off-screen, rows reversed or past the end. */
static void pv_vga_bounds(void)
{
	const struct vmm_boot_info *bi = need_vmm();

	if (!bi)
		return;
	if (bi->vga_mode != VMM_MODE_PV) {
		serial_printf("hostile %s: needs vga.mode = \"pv\"\n", cur);
		failures++;
		return;
	}
	struct vmm_pv_vga *pg = (void *)(uintptr_t)bi->vga_page;
	static const uint16_t xy[][2] = {
		{ 80, 0 }, { 0, 25 }, { 80, 25 }, { 0xffff, 0 }, { 0, 0xffff },
		{ 0xffff, 0xffff }, { 0x8000, 0x8000 },
	};

	for (unsigned int i = 0; i < VMM_VGA_COLS * VMM_VGA_ROWS; i++)
		pg->frame[i] = 0x0720;
	for (unsigned int i = 0; i < sizeof(xy) / sizeof(xy[0]); i++) {
		pg->putc.x = xy[i][0];
		pg->putc.y = xy[i][1];
		pg->putc.ch = 'X';
		pg->putc.attr = 0x4f;
		int32_t s = vmm_hypercall(VMM_HC_VGA_PUTC, 0, 0, 0, 0);

		OBS("putc at (%u, %u) -> %d", xy[i][0], xy[i][1], (int)s);
		EXPECT_EQ("off-screen putc", s, VMM_E_INVAL);
	}
	static const uint32_t rows[][2] = {
		{ 5, 3 }, { 0, 25 }, { 25, 25 }, { 24, 0 }, { 0xffffffff, 0 },
		{ 0, 0xffffffff }, { 0x80000000, 0x80000001 }, { 0xfffffffe, 0xffffffff },
	};

	pg->cursor = 0;
	for (unsigned int i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int32_t s = vmm_hypercall(VMM_HC_VGA_FRAME, rows[i][0], rows[i][1], 0, 0);

		OBS("frame rows 0x%x..0x%x -> %d", (unsigned int)rows[i][0],
		    (unsigned int)rows[i][1], (int)s);
		EXPECT_EQ("bad row range", s, VMM_E_INVAL);
	}
	static const uint16_t cursors[] = { 2000, 2001, 0x7fff, 0xfffe };

	for (unsigned int i = 0; i < sizeof(cursors) / sizeof(cursors[0]); i++) {
		pg->cursor = cursors[i];
		int32_t s = vmm_hypercall(VMM_HC_VGA_FRAME, 0, 24, 0, 0);

		OBS("frame with cursor %u -> %d", cursors[i], (int)s);
		EXPECT_EQ("cursor off-screen", s, VMM_E_INVAL);
	}
	/* the edges themselves are fine, and leave the screen blank */
	pg->putc.x = 79;
	pg->putc.y = 24;
	pg->putc.ch = ' ';
	pg->putc.attr = 0x07;
	EXPECT_EQ("putc at (79, 24)", vmm_hypercall(VMM_HC_VGA_PUTC, 0, 0, 0, 0), VMM_OK);
	pg->cursor = VMM_VGA_CURSOR_OFF;
	EXPECT_EQ("frame 0..24, cursor off", vmm_hypercall(VMM_HC_VGA_FRAME, 0, 24, 0, 0), VMM_OK);
}

/* MMIO -------------------------------------------------------------- */

/*
 * What the guest must read back at a: the hole below the window is no
 * device (all-ones, stores dropped); the window and RAM keep stores.
 */
static uint8_t model[16];
#define MODEL_BASE(a) ((a) & ~7u)

static void mmio_edge(uint32_t base, uint32_t at, uint32_t width)
{
	static const uint8_t pat[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	uint32_t v = 0;

	for (unsigned int i = 0; i < 4; i++)
		v |= (uint32_t)pat[(at + i) & 7] << (8 * i);
	switch (width) {
	case 1: wr8(at, (uint8_t)v); break;
	case 2: wr16(at, (uint16_t)v); break;
	case 4: wr32(at, v); break;
	default: rep_movsb(at, &pat[0], width - 100); break;	/* 100 + n: rep movsb */
	}
	unsigned int n = width > 100 ? width - 100 : width;

	for (unsigned int i = 0; i < n; i++) {
		uint32_t a = at + i;

		if (a - base < sizeof(model))
			model[a - base] = (a >= 0xa0000 && a < 0xb8000) ? 0xff :
					  width > 100 ? pat[i] : pat[a & 7];
	}
}

static void check_model(uint32_t base)
{
	char what[48];

	for (unsigned int i = 0; i < sizeof(model); i++) {
		snprintf(what, sizeof(what), "byte at 0x%x", (unsigned int)(base + i));
		EXPECT_EQ(what, rd8(base + i), model[i]);
	}
	OBS("[0x%x, +16) reads %08x %08x %08x %08x", (unsigned int)base,
	    (unsigned int)rd32(base), (unsigned int)rd32(base + 4),
	    (unsigned int)rd32(base + 8), (unsigned int)rd32(base + 12));
}

/* Stores of every width across the window's two edges. */
static void mmio_vga_edges(void)
{
	static const uint32_t edges[] = { 0xb7ff8, 0xbfff8 };
	static const uint32_t widths[] = { 1, 2, 4, 101, 103, 106 };

	for (unsigned int e = 0; e < 2; e++) {
		uint32_t base = edges[e];

		for (unsigned int i = 0; i < sizeof(model); i++)
			mmio_edge(base, base + i, 1);
		for (unsigned int w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
			for (uint32_t at = base + 4; at < base + 9; at++)
				mmio_edge(base, at, widths[w]);
		check_model(base);
	}
	/* put back what the screen showed: blank cells */
	wr32(0xb8000, 0x07200720);
	wr32(0xb8004, 0x07200720);
	uint32_t pair[2] = { 0x07200720, 0x07200720 };

	rep_movsl(0xb8000, pair, 2);
	EXPECT_EQ("first cells blank again", rd32(0xb8000), 0x07200720);
}

/* Every store into the legacy hole below the window is dropped. */
static void vga_hole(void)
{
	wr32(0x9fffc, 0xcafef00d);
	wr32(0xc0000, 0x600dd00d);
	rep_stosl(0xa0000, 0x41414141, (0xb8000 - 0xa0000) / 4);
	for (uint32_t a = 0xa0000; a < 0xb8000; a += 0x1000) {
		wr8(a + 1, 0x42);
		wr16(a + 0x7ff, 0x4343);
		wr32(a + 0xffd, 0x44444444);	/* the last one spills into the window */
	}
	unsigned int bad = 0;

	for (uint32_t a = 0xa0000; a < 0xb8000; a += 4)
		bad += rd32(a) != 0xffffffff;
	OBS("%u of %u hole dwords not all-ones; RAM below 0x%x, above 0x%x",
	    bad, (0xb8000 - 0xa0000) / 4, (unsigned int)rd32(0x9fffc),
	    (unsigned int)rd32(0xc0000));
	EXPECT_EQ("hole dwords not all-ones", bad, 0);
	EXPECT_EQ("RAM just below the hole", rd32(0x9fffc), 0xcafef00d);
	EXPECT_EQ("RAM just above the window", rd32(0xc0000), 0x600dd00d);
	OBS("first window cell after the spill: 0x%x", rd16(0xb8000));
	wr16(0xb8000, 0x0720);
}

/* Past the end of RAM and up to 4 GiB: no device, all-ones. */
static void mmio_beyond_ram(void)
{
	const struct vmm_boot_info *bi = need_vmm();

	if (!bi)
		return;
	uint32_t end = (uint32_t)bi->mem_bytes;
	const uint32_t addrs[] = {
		end, end + 4, end + 0xffc, 0xc0000000, 0xe0000000, 0xfffffffc,
	};

	for (unsigned int i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		wr32(addrs[i], 0x5a5a5a5a);
		wr8(addrs[i] + 3, 0x5a);
		uint32_t v = rd32(addrs[i]);

		OBS("0x%x reads 0x%x after stores", (unsigned int)addrs[i], (unsigned int)v);
		EXPECT_EQ("unbacked address", v, 0xffffffff);
	}
	/* the last RAM dword still works */
	wr32(end - 4, 0x12345678);
	EXPECT_EQ("last RAM dword", rd32(end - 4), 0x12345678);
}

/* Ports ------------------------------------------------------------- */

/*
 * Ports some device owns, in the kernel or in vmm: each device's own
 * cases test them.  A device that lands later adds its range here.
 */
static const uint16_t owned[][2] = {
	{ 0x20, 0x21 }, { 0xa0, 0xa1 }, { 0x4d0, 0x4d1 },	/* PICs, ELCR */
	{ 0x40, 0x43 }, { 0x61, 0x61 },				/* PIT, speaker */
	{ 0x60, 0x60 }, { 0x64, 0x64 },				/* i8042 */
	{ 0xf4, 0xf7 },						/* debug-exit */
	{ 0x1f0, 0x1f7 }, { 0x3f6, 0x3f7 },			/* ATA */
	{ 0x3c0, 0x3df }, { 0x3f8, 0x3ff },			/* VGA, COM1 */
	{ 0x3b4, 0x3b5 }, { 0x3ba, 0x3ba },			/* VGA, mono */
	{ VMM_HC_PORT, VMM_HC_PORT + 3 },			/* hypercalls */
};

static int port_owned(uint32_t p, uint32_t width)
{
	for (unsigned int i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		if (p <= owned[i][1] && p + width - 1 >= owned[i][0])
			return 1;
	return 0;
}

static void ports_all(void)
{
	unsigned int tried = 0, bad = 0, first_bad = 0x10000;

	for (uint32_t p = 0; p <= 0xffff; p++) {
		uint16_t port = (uint16_t)p;
		int ok = 1;

		if (port_owned(p, 1))
			continue;
		outb(port, 0xa5);
		ok &= inb(port) == 0xff;
		if (p + 2 <= 0x10000 && !port_owned(p, 2)) {
			outw(port, 0xa5a5);
			ok &= inw(port) == 0xffff;
		}
		if (p + 4 <= 0x10000 && !port_owned(p, 4)) {
			outl(port, 0xa5a5a5a5);
			ok &= inl(port) == 0xffffffff;
		}
		tried++;
		if (!ok) {
			bad++;
			if (first_bad == 0x10000)
				first_bad = p;
		}
	}
	OBS("%u unclaimed ports written and read at widths 1/2/4, %u not all-ones (first 0x%x)",
	    tried, bad, first_bad);
	EXPECT_EQ("ports reading other than all-ones", bad, 0);
}

/* Accesses that straddle the edge of a device's range belong to nobody. */
static void port_straddle(void)
{
	EXPECT_EQ("inl across COM1's end", inl(0x3fe), 0xffffffff);
	EXPECT_EQ("inw across COM1's start", inw(0x3f7), 0xffff);
	EXPECT_EQ("inw on a COM1 register", inw(0x3f8), 0xffff);
	outl(0xf2, 0x01010101);		/* would end the VM if it reached debug-exit */
	outw(0xf7, 0x0101);
	EXPECT_EQ("inl across the doorbell's end", inl(VMM_HC_PORT + 2), 0xffffffff);
	OBS("still running after straddling writes at 0xf2 and 0xf7");
}

/*
 * VGA registers: indexes past the register files, every register written
 * with a wild value, a start address far away, DAC indexes that wrap.
 */
static void crtc_wild(void)
{
	static const uint8_t seq3[] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
	static const uint8_t gc3[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x0f, 0xff };
	static const uint8_t ac3[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39,
				       0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00 };

	for (unsigned int i = 0x19; i <= 0xff; i++) {
		outb(0x3d4, (uint8_t)i);
		outb(0x3d5, 0x5a);
		EXPECT_EQ("CRTC register past the end", inb(0x3d5), 0xff);
	}
	for (unsigned int i = 0; i <= 0xff; i++) {
		outb(0x3c4, (uint8_t)i);
		outb(0x3c5, 0x5a);
		outb(0x3ce, (uint8_t)i);
		outb(0x3cf, 0x5a);
		inb(0x3da);
		outb(0x3c0, (uint8_t)i);
		outb(0x3c0, 0x5a);
	}
	/* indexes wrap at the register file's width; values keep their real bits */
	outb(0x3c4, 0xfa);
	EXPECT_EQ("sequencer index 0xfa is map mask", inb(0x3c5), 0x0a);
	outb(0x3ce, 0xf5);
	EXPECT_EQ("graphics index 0xf5 is mode", inb(0x3cf), 0x5a);
	inb(0x3da);
	outb(0x3c0, 0xe3);
	EXPECT_EQ("attribute palette 3", inb(0x3c1), 0x1a);
	/* the DAC: 800 bytes from entry 0xff wrap, reads come back the same */
	outb(0x3c8, 0xff);
	for (unsigned int i = 0; i < 800; i++)
		outb(0x3c9, (uint8_t)(i * 7));
	outb(0x3c7, 0xff);
	unsigned int bad = 0;

	for (unsigned int i = 0; i < 798; i++)	/* 266 whole entries */
		bad += inb(0x3c9) != ((i + 768 < 798 ? i + 768 : i) * 7 & 0x3f);
	EXPECT_EQ("DAC bytes read back wrong", bad, 0);
	outw(0x3d4, 0xff0c);		/* start address 0xffff: wraps the window */
	outw(0x3d4, 0xff0d);
	outw(0x3d4, 0xff0e);		/* cursor far away */
	outw(0x3d4, 0xff0f);
	OBS("start address 0x%x, cursor 0x%x", 0xffff, 0xffff);
	outw(0x3d4, 0x000c);
	outw(0x3d4, 0x000d);
	outw(0x3d4, 0x000e);
	outw(0x3d4, 0x000f);
	/* back to mode 3 as the BIOS left it, so the screen shows what it did */
	for (unsigned int i = 0; i < sizeof(seq3); i++)
		outw(0x3c4, (uint16_t)(seq3[i] << 8 | i));
	for (unsigned int i = 0; i < sizeof(gc3); i++)
		outw(0x3ce, (uint16_t)(gc3[i] << 8 | i));
	inb(0x3da);
	for (unsigned int i = 0; i < sizeof(ac3); i++) {
		outb(0x3c0, (uint8_t)i);
		outb(0x3c0, ac3[i]);
	}
	outb(0x3c0, 0x20);
	outb(0x3c8, 0);
	for (unsigned int i = 0; i < 64 * 3; i++) {
		unsigned int c = i % 3, e = i / 3, shift = 2 - c;

		outb(0x3c9, (uint8_t)((e >> shift & 1) * 0x2a + (e >> (shift + 3) & 1) * 0x15));
	}
	EXPECT_EQ("CRTC start low reads back", (outb(0x3d4, 0x0d), inb(0x3d5)), 0);
}

/* COM1 in loopback: a flood must stop at the receive queue's bound. */
static void serial_flood(void)
{
	unsigned int got = 0;

	outb(0x3f8 + 4, 0x1b);			/* loopback */
	for (unsigned int i = 0; i < 10000; i++)
		outb(0x3f8, (uint8_t)i);
	while ((inb(0x3f8 + 5) & 1) && got < 20000) {
		inb(0x3f8);
		got++;
	}
	outb(0x3f8 + 4, 0x0b);
	OBS("sent 10000 bytes in loopback, %u queued for reading", got);
	EXPECT_EQ("bytes queued", got, 4096);
}

/* Disks --------------------------------------------------------------- */

#define ATA_DATA	0x1f0
#define ATA_STATUS	0x1f7
#define ATA_ERR		0x01
#define ATA_DRQ		0x08
#define ATA_BSY		0x80

static void ata_task(uint64_t lba, uint8_t n, uint8_t cmd)
{
	outb(0x1f6, (uint8_t)(0xe0 | ((lba >> 24) & 0x0f)));
	outb(0x1f2, n);
	outb(0x1f3, (uint8_t)lba);
	outb(0x1f4, (uint8_t)(lba >> 8));
	outb(0x1f5, (uint8_t)(lba >> 16));
	outb(ATA_STATUS, cmd);
}

static void ata_flood(uint16_t v, unsigned int words)
{
	static uint16_t buf[256];

	for (unsigned int i = 0; i < 256; i++)
		buf[i] = v;
	for (unsigned int i = 0; i < words; i += 256)
		outsw(ATA_DATA, buf, words - i < 256 ? words - i : 256);
}

/* A command past the end must fail (ERR, no DRQ); then a data flood. */
static void ata_must_fail(const char *what, uint8_t st)
{
	OBS("%s: status 0x%x", what, st);
	expect((st & ATA_ERR) && !(st & (ATA_DRQ | ATA_BSY)), what, st, 0x41);
	ata_flood(0x5a5a, 512);
}

static void ata_hostile(void)
{
	const struct vmm_boot_info *bi = need_vmm();

	if (!bi)
		return;
	if (bi->disk_mode != VMM_MODE_EMULATED) {
		serial_printf("hostile %s: needs an emulated disk\n", cur);
		failures++;
		return;
	}
	uint64_t end = bi->disk_sectors;
	uint8_t st;

	/* data port with no command: nothing to move */
	ata_flood(0x5a5a, 1024);
	st = inb(ATA_STATUS);
	OBS("1024 words written with no command: status 0x%x, data reads 0x%x",
	    st, inw(ATA_DATA));
	expect(!(st & (ATA_DRQ | ATA_BSY)), "status after a flood", st, 0x50);

	ata_task(end, 1, 0x30);			/* WRITE SECTORS at the end */
	ata_must_fail("WRITE at the last LBA + 1", inb(ATA_STATUS));
	ata_task(end - 1, 2, 0x30);		/* crossing the end */
	ata_must_fail("WRITE across the end", inb(ATA_STATUS));
	ata_task(end - 1, 0, 0xc5);		/* WRITE MULTIPLE, 256 sectors */
	ata_must_fail("WRITE MULTIPLE of 256 across the end", inb(ATA_STATUS));
	ata_task(0x0fffffff, 1, 0x20);		/* READ at LBA28's last sector */
	ata_must_fail("READ at LBA 0x0fffffff", inb(ATA_STATUS));
	/* WRITE SECTORS EXT at LBA 0xffff_ffff_ffff: high bytes first */
	outb(0x1f2, 0);
	outb(0x1f3, 0xff);
	outb(0x1f4, 0xff);
	outb(0x1f5, 0xff);
	ata_task(0xffffff, 1, 0x34);
	ata_must_fail("WRITE EXT at LBA 2^48 - 1", inb(ATA_STATUS));

	/* half a sector, then another command: the half must not land */
	ata_task(0, 1, 0x30);
	st = inb(ATA_STATUS);
	OBS("WRITE at LBA 0: status 0x%x", st);
	ata_flood(0x5a5a, 100);
	ata_task(1, 1, 0x20);
	st = inb(ATA_STATUS);
	OBS("READ issued with the WRITE's sector half full: status 0x%x", st);
	if (st & ATA_DRQ)
		for (int i = 0; i < 256; i++)
			inw(ATA_DATA);

	/* every command code, at an LBA past the end */
	unsigned int drq = 0;

	for (unsigned int c = 0; c < 256; c++) {
		if (c == 0x30 || c == 0x31)	/* done above */
			continue;
		ata_task(end + 8, 1, (uint8_t)c);
		st = inb(ATA_STATUS);
		if (st & ATA_DRQ) {
			drq++;
			for (int i = 0; i < 256; i++)
				inw(ATA_DATA);
			if (inb(ATA_STATUS) & ATA_DRQ)
				ata_flood(0x5a5a, 256);
		}
		expect(!(st & ATA_BSY), "BSY after a command", c, 0);
	}
	OBS("256 command codes at LBA end + 8: %u asked for data", drq);
	outb(0x3f6, 0x04);			/* software reset */
	outb(0x3f6, 0x00);
	st = inb(ATA_STATUS);
	OBS("after software reset: status 0x%x", st);
	expect(!(st & (ATA_BSY | ATA_DRQ)), "status after reset", st, 0x50);
	outb(ATA_STATUS, 0xe7);			/* FLUSH CACHE: the image is checked */
	inb(ATA_STATUS);
}

static void pv_disk_hostile(void)
{
	const struct vmm_boot_info *bi = need_vmm();

	if (!bi)
		return;
	if (bi->disk_mode != VMM_MODE_PV) {
		serial_printf("hostile %s: needs disk.mode = \"pv\"\n", cur);
		failures++;
		return;
	}
	struct vmm_pv_disk *pg = (void *)(uintptr_t)bi->disk_page;
	struct vmm_pv_ring *r = (void *)(uintptr_t)bi->disk_ring;
	uint64_t end = bi->disk_sectors, ram = bi->mem_bytes;
	int32_t s;

	memset(pg->data, 0x5a, sizeof(pg->data));
	pg->op = 9;
	EXPECT_EQ("sector call, op 9", vmm_hypercall(VMM_HC_DISK_SECTOR, 0, 0, 0, 0), VMM_E_INVAL);
	pg->op = VMM_DISK_WRITE;
	pg->sector = end;
	EXPECT_EQ("sector write at the end", vmm_hypercall(VMM_HC_DISK_SECTOR, 0, 0, 0, 0), VMM_E_RANGE);
	pg->sector = ~0ull;
	EXPECT_EQ("sector write at 2^64 - 1", vmm_hypercall(VMM_HC_DISK_SECTOR, 0, 0, 0, 0), VMM_E_RANGE);

	static const struct {
		uint32_t op, count;
		uint64_t sector, buf;
		int32_t want;
		const char *what;
	} d[] = {
		{ VMM_DISK_WRITE, 0, 0, 0x100000, VMM_E_INVAL, "count 0" },
		{ VMM_DISK_WRITE, VMM_PV_RING_MAX_SECTORS + 1, 0, 0x100000, VMM_E_INVAL, "count 65537" },
		{ VMM_DISK_WRITE, 0xffffffff, 0, 0x100000, VMM_E_INVAL, "count 2^32 - 1" },
		{ VMM_DISK_WRITE, 2, 0, 0, 0, "across the end" },	/* sector set below */
		{ VMM_DISK_WRITE, 1, 0, 0, VMM_E_FAULT, "buffer past RAM" },	/* buf set below */
		{ VMM_DISK_WRITE, 2, 0, 0xfffffe00, VMM_E_FAULT, "buffer across 4 GiB" },
		{ VMM_DISK_WRITE, 1, 0, 0xffffffffffffff00ull, VMM_E_FAULT, "buffer wrapping 2^64" },
		{ VMM_DISK_WRITE, 1, 0, 0xa0000, VMM_E_FAULT, "buffer in the VGA hole" },
		{ VMM_DISK_WRITE, 1, 0, 0xb7f00, VMM_E_FAULT, "buffer across the hole's end" },
		{ 77, 1, 0, 0x100000, VMM_E_INVAL, "op 77" },
		/* descriptors 64-79 of the ring: overwritten while it is read */
		{ VMM_DISK_READ, 1, 0, VMM_PV_RING_GPA + 16 + 64 * 32, VMM_OK,
		  "read into the ring itself" },
	};
	const unsigned int n = sizeof(d) / sizeof(d[0]);
	uint32_t cons = r->cons;

	for (unsigned int i = 0; i < n; i++) {
		struct vmm_pv_desc *x = &r->desc[(cons + i) % VMM_PV_RING_ENTRIES];

		x->op = d[i].op;
		x->count = d[i].count;
		x->sector = i == 3 ? end - 1 : d[i].sector;
		x->buf = i == 4 ? ram - 256 : d[i].buf;
		x->status = 12345;
	}
	r->prod = cons + n;
	s = vmm_hypercall(VMM_HC_DISK_RING, 0, 0, 0, 0);
	OBS("ring of %u hostile descriptors -> %d, cons %u", n, (int)s, (unsigned int)r->cons);
	EXPECT_EQ("ring call", s, VMM_OK);
	EXPECT_EQ("cons after the ring", r->cons, cons + n);
	for (unsigned int i = 0; i < n; i++) {
		int32_t want = i == 3 ? VMM_E_RANGE : d[i].want;
		int32_t got = r->desc[(cons + i) % VMM_PV_RING_ENTRIES].status;

		OBS("descriptor %s -> %d", d[i].what, (int)got);
		EXPECT_EQ(d[i].what, got, want);
	}
	cons = r->cons;
	static const uint32_t lies[] = { VMM_PV_RING_ENTRIES + 1, 0x80000000, 0xffffffff };

	for (unsigned int i = 0; i < 3; i++) {
		r->prod = cons + lies[i];
		s = vmm_hypercall(VMM_HC_DISK_RING, 0, 0, 0, 0);
		OBS("prod = cons + 0x%x -> %d, cons %u", (unsigned int)lies[i], (int)s,
		    (unsigned int)r->cons);
		EXPECT_EQ("absurd producer index", s, VMM_E_INVAL);
		EXPECT_EQ("cons unchanged", r->cons, cons);
	}
	/* a full ring of the same bad descriptor: bounded work, all refused */
	for (unsigned int i = 0; i < VMM_PV_RING_ENTRIES; i++) {
		r->desc[i].op = VMM_DISK_WRITE;
		r->desc[i].count = 1;
		r->desc[i].sector = end;
		r->desc[i].buf = 0x100000;
	}
	r->prod = cons + VMM_PV_RING_ENTRIES;
	s = vmm_hypercall(VMM_HC_DISK_RING, 0, 0, 0, 0);
	unsigned int refused = 0;

	for (unsigned int i = 0; i < VMM_PV_RING_ENTRIES; i++)
		refused += r->desc[i].status == VMM_E_RANGE;
	OBS("full ring of writes past the end -> %d, %u refused", (int)s, refused);
	EXPECT_EQ("full ring refused", refused, VMM_PV_RING_ENTRIES);
	pg->op = VMM_DISK_FLUSH;
	EXPECT_EQ("flush", vmm_hypercall(VMM_HC_DISK_SECTOR, 0, 0, 0, 0), VMM_OK);
}

/*
 * The largest ring the ABI allows, 128 descriptors of 65,536 sectors (4 GiB),
 * in one submission.  Descriptor i writes sectors i * 65536... from the
 * buffer i sectors into a tagged area (sector k of it begins with k + 1),
 * so image sector i * 65536 + j begins with i + j + 1.  hostile.sh sends
 * SIGTERM while it runs: vmm must stop between ring calls, leaving exactly
 * the completed descriptors in the image.  Run alone, it completes.
 */
#define STORM_AREA	0x1000000u

static void ring_storm(void)
{
	const struct vmm_boot_info *bi = need_vmm();
	const uint32_t n = VMM_PV_RING_MAX_SECTORS, entries = VMM_PV_RING_ENTRIES;

	if (!bi)
		return;
	if (bi->disk_mode != VMM_MODE_PV || bi->disk_sectors < (uint64_t)entries * n ||
	    bi->mem_bytes < STORM_AREA + (uint64_t)(n + entries) * VMM_SECTOR_SIZE) {
		serial_printf("hostile %s: needs a 4 GiB PV disk and 64 MiB of RAM\n", cur);
		failures++;
		return;
	}
	struct vmm_pv_ring *r = (void *)(uintptr_t)bi->disk_ring;
	uint32_t cons = r->cons, calls = 0, done = 0;
	int32_t s;

	for (uint32_t k = 0; k < n + entries; k++)
		wr32(STORM_AREA + k * VMM_SECTOR_SIZE, k + 1);
	for (uint32_t i = 0; i < entries; i++)
		r->desc[(cons + i) % entries] = (struct vmm_pv_desc){
			VMM_DISK_WRITE, n, (uint64_t)i * n,
			STORM_AREA + i * VMM_SECTOR_SIZE, 1, 0 };
	serial_printf("hostile %s: submitting %u descriptors of %u sectors\n", cur,
		      (unsigned int)entries, (unsigned int)n);
	r->prod = cons + entries;
	do {
		s = vmm_hypercall(VMM_HC_DISK_RING, 0, 0, 0, 0);
		calls++;
	} while (s == VMM_PENDING);
	for (uint32_t i = 0; i < entries; i++)
		done += r->desc[(cons + i) % entries].status == VMM_OK;
	OBS("%u calls, status %d, %u of %u descriptors done", (unsigned int)calls, (int)s,
	    (unsigned int)done, (unsigned int)entries);
	EXPECT_EQ("ring status", s, VMM_OK);
	EXPECT_EQ("descriptors done", done, entries);
	EXPECT_EQ("cons", r->cons, cons + entries);
}

/* CPU ---------------------------------------------------------------- */

static void triple_fault(void)
{
	static const struct { uint16_t limit; uint32_t base; } __attribute__((packed))
		empty = { 0, 0 };

	serial_printf("hostile %s: loading an empty IDT and raising #UD\n", cur);
	__asm__ volatile("lidt %0; ud2" : : "m"(empty));
	failures++;
}

/* The same with #BP: KVM's instruction emulator gives up instead. */
static void bp_empty_idt(void)
{
	static const struct { uint16_t limit; uint32_t base; } __attribute__((packed))
		empty = { 0, 0 };

	serial_printf("hostile %s: loading an empty IDT and raising #BP\n", cur);
	__asm__ volatile("lidt %0; int3" : : "m"(empty));
	failures++;
}

static void halt_forever(void)
{
	serial_printf("hostile %s: cli; hlt\n", cur);
	cli();
	hlt();
	failures++;
}

/*
 * INT n and IRET with esp at every misalignment.  Under nested KVM these
 * two are finished by vmm/emulate.c, which stores and loads the 12-byte
 * frame at the guest's esp: it must not assume the frame is aligned.  A
 * private IDT whose gates (vector 3 and 0x81) copy the frame and iret.
 */
struct gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

static struct gate odd_idt[256];
volatile uint32_t odd_frame[3];
void odd_gate(void);

__asm__(".text\n"
	"odd_gate:\n"
	"	movl 0(%esp), %eax\n"
	"	movl %eax, odd_frame\n"
	"	movl 4(%esp), %eax\n"
	"	movl %eax, odd_frame + 4\n"
	"	movl 8(%esp), %eax\n"
	"	movl %eax, odd_frame + 8\n"
	"	iret\n");

/* esp - drop on entry, the return address pushed, esp after the round trip */
static uint32_t odd_round_trip(uint32_t drop, int int3, uint32_t *ret_eip)
{
	uint32_t after;

	if (int3)
		__asm__ volatile("mov %%esp, %%ebx\n\tsub %2, %%esp\n\tint3\n\t"
				 "1: mov %%esp, %0\n\tmov %%ebx, %%esp\n\tmovl $1b, %1"
				 : "=&c"(after), "=m"(*ret_eip) : "r"(drop) : "eax", "ebx", "memory");
	else
		__asm__ volatile("mov %%esp, %%ebx\n\tsub %2, %%esp\n\tint $0x81\n\t"
				 "1: mov %%esp, %0\n\tmov %%ebx, %%esp\n\tmovl $1b, %1"
				 : "=&c"(after), "=m"(*ret_eip) : "r"(drop) : "eax", "ebx", "memory");
	return after;
}

static void odd_stack(void)
{
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) saved, mine = {
		sizeof(odd_idt) - 1, (uint32_t)(uintptr_t)odd_idt };
	uint16_t cs;
	uint32_t eip, fl;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	odd_idt[3] = (struct gate){ (uint16_t)(uintptr_t)odd_gate, cs, 0, 0x8e,
				    (uint16_t)((uintptr_t)odd_gate >> 16) };
	odd_idt[0x81] = odd_idt[3];
	__asm__ volatile("pushf; pop %0; cli; sidt %1; lidt %2"
			 : "=r"(fl), "=m"(saved) : "m"(mine) : "memory");
	for (uint32_t drop = 0x101; drop <= 0x104; drop++) {
		for (int int3 = 0; int3 < 2; int3++) {
			uint32_t here, after = odd_round_trip(drop, int3, &eip);

			__asm__ volatile("mov %%esp, %0" : "=r"(here));
			OBS("%s with esp %% 4 = %u: frame eip %x cs %x flags %x, esp back %s",
			    int3 ? "int3" : "int $0x81", (unsigned int)((here - drop) & 3),
			    (unsigned int)odd_frame[0], (unsigned int)odd_frame[1],
			    (unsigned int)odd_frame[2], after == here - drop ? "yes" : "no");
			EXPECT_EQ("return address in the frame", odd_frame[0], eip);
			EXPECT_EQ("cs in the frame", odd_frame[1] & 0xffff, cs);
			EXPECT_EQ("IF clear in the frame", odd_frame[2] & 0x200, 0);
			EXPECT_EQ("esp after iret", after, here - drop);
		}
	}
	__asm__ volatile("lidt %0; push %1; popf" : : "m"(saved), "r"(fl) : "memory", "cc");
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
	{ "hc_unknown", hc_unknown },
	{ "hc_wild_args", hc_wild_args },
	{ "pv_vga_bounds", pv_vga_bounds },
	{ "mmio_vga_edges", mmio_vga_edges },
	{ "vga_hole", vga_hole },
	{ "mmio_beyond_ram", mmio_beyond_ram },
	{ "ports_all", ports_all },
	{ "port_straddle", port_straddle },
	{ "crtc_wild", crtc_wild },
	{ "serial_flood", serial_flood },
	{ "ata_hostile", ata_hostile },
	{ "pv_disk_hostile", pv_disk_hostile },
	{ "ring_storm", ring_storm },
	{ "odd_stack", odd_stack },
	{ "triple_fault", triple_fault },
	{ "bp_empty_idt", bp_empty_idt },
	{ "halt_forever", halt_forever },
};

int main(const char *cmdline)
{
	char name[32];

	(void)cmdline;
	if (!cmdline_get("case", name, sizeof(name)) || !strcmp(name, "list")) {
		serial_printf("hostile cases:");
		for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			serial_printf(" %s", cases[i].name);
		serial_printf("\n");
		return 0;
	}
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(name, cases[i].name))
			continue;
		cur = cases[i].name;
		cases[i].fn();
		if (failures)
			serial_printf("hostile %s: FAIL (%d)\n", cur, failures);
		else
			serial_printf("hostile %s: PASS\n", cur);
		return failures ? 1 : 0;
	}
	serial_printf("hostile: no case '%s' (case=list)\n", name);
	return 2;
}
