// SPDX-License-Identifier: MIT
/*
 * Device state records as a snapshot brings them, into live devices.
 * Input: a target (1 byte: a device, or the whole device table), a
 * length (2 bytes) and that many bytes of record, then port accesses to
 * the device (port, size, read or write, value), which run whether the
 * record was taken or not.  Before each input every device goes back to
 * the state it was saved in at start-up.  Every device with a state
 * record is a target, in the order of t[] below: the target byte modulo
 * 12, so that the seeds' ASCII '0'..'9', ':' and ';' name them (';' the
 * table).  FUZZ_DEVSTATE_TABLE=FILE writes a seed with the whole table as
 * this harness saves it (test/fuzz/corpus/devstate/table).
 *
 * A refused record must leave the device exactly as it was (it saves the
 * same bytes as before); a taken one must save back the same bytes (the
 * CMOS, whose clock rewrites its time registers, the same bytes twice).
 * After a taken VGA record ("ram" strategy) the screen must show the
 * loaded cells and registers; an ATA status may claim BSY only under soft reset, and the disk
 * images must keep their size.  ASan watches the buffers that loaded
 * indexes and lengths reach (ATA's block, the 8042's queues, the DAC,
 * COM1's FIFOs and queues).
 * Covers: devices/serial.c devices/reset_control.c devices/i8042.c devices/cmos.c devices/post.c devices/debugcon.c devices/firmware.c devices/pv_disk.c vmm/devices.c
 */
#include <string.h>

#include "../../devices/ata.h"
#include "../../devices/cmos.h"
#include "../../devices/debugcon.h"
#include "../../devices/firmware.h"
#include "../../devices/fw_cfg.h"
#include "../../devices/i8042.h"
#include "../../devices/post.h"
#include "../../devices/pv_disk.h"
#include "../../devices/serial.h"
#include "../../devices/table.h"
#include "../../devices/vga.h"
#include "../../vmm/state.h"
#include "../../vmm/vm.h"
#include "disk_image.h"

static struct vm vm;		/* the ATA's port bus, and the device table */
static struct kvm_run run;
static struct disk_image master, slave;
static struct guest_mem mem;
static struct cmos cmos;
static struct post post;
static uint8_t rom[4096];	/* a firmware image: its record is size and digest */
static struct firmware fw = { .rom = rom, .size = sizeof(rom) };
static struct pv_disk pv;

/* The CMOS's clock: still while a record loads, on by a step per port access. */
#define CLOCK_START	5000000000000ull
static uint64_t clock_ns = CLOCK_START;

static uint64_t fixed_clock(void *ctx)
{
	(void)ctx;
	return clock_ns;
}

struct target {
	const struct device_model *m;
	void *dev;
	struct bus *bus;		/* its ports; NULL: none */
	uint16_t ports[10];
	bool exact;			/* a taken record saves back byte for byte */
	struct state base;		/* the start-up state, loaded before each input */
};

static struct bus kbd_bus, vga_bus, fw_bus, cmos_bus, dbg_bus, post_bus, com_bus;
extern const struct device_model serial_device, reset_control_device;
static struct target t[] = {
	{ .m = &i8042_device, .bus = &kbd_bus, .ports = { 0x60, 0x64 }, .exact = true },
	{ .m = &vga_device, .bus = &vga_bus, .exact = true,
	  .ports = { 0x3c0, 0x3c1, 0x3c7, 0x3c8, 0x3c9, 0x3d4, 0x3d5, 0x3da, 0x3b4, 0x3c2 } },
	{ .m = &ata_device, .bus = &vm.pio, .exact = true,
	  .ports = { 0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f6, 0x1f7, 0x3f6 } },
	{ .m = &fw_cfg_device, .bus = &fw_bus, .ports = { 0x510, 0x511, 0x514, 0x518 },
	  .exact = true },
	{ .m = &cmos_device, .dev = &cmos, .bus = &cmos_bus, .ports = { 0x70, 0x71 } },
	{ .m = &debugcon_device, .bus = &dbg_bus, .ports = { 0x402 }, .exact = true },
	{ .m = &post_device, .dev = &post, .bus = &post_bus, .ports = { 0x80 }, .exact = true },
	{ .m = &serial_device, .bus = &com_bus, .exact = true,
	  .ports = { 0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff } },
	/* on vm.pio beside the ATA: a write of bit 2 asks for a reset, which stops nothing here */
	{ .m = &reset_control_device, .bus = &vm.pio, .ports = { 0xcf9 }, .exact = true },
	/* no ports: a record only */
	{ .m = &firmware_device, .dev = &fw, .exact = true },
	{ .m = &pv_disk_device, .dev = &pv, .exact = true },
};
#define TARGETS (sizeof(t) / sizeof(t[0]))

static struct state save(struct target *x)
{
	struct state s;

	state_init_save(&s);
	FUZZ_ASSERT(device_state(x->m, x->dev, &s) == 0);
	return s;
}

static int load(struct target *x, const void *buf, size_t len)
{
	struct state s;

	state_init_load(&s, buf, len);
	return device_state(x->m, x->dev, &s);
}

static void nothing(void *opaque)
{
	(void)opaque;
}

static struct vm_config cfg = { .firmware.image = "bios.bin" };

static void make_devices(void)
{
	/* "ram": the record holds the screen's shadow, not 32 KiB of text */
	struct vga *v = vga_create(NULL, &vm.screen, VGA_RAM, true);

	t[0].dev = i8042_create(NULL);
	t[1].dev = v;
	t[2].dev = ata_create(&vm.host, &master, &slave);
	t[3].dev = fw_cfg_new(&mem, mem.size, false);
	cmos_init(&cmos, NULL, mem.size, 0, (struct cmos_clock){ fixed_clock, NULL });
	t[5].dev = debugcon_new(-1, false);
	t[7].dev = serial_create(NULL);
	if (t[7].dev)
		serial_tx_attach(t[7].dev, nothing, NULL);
	/* the reset register is there with a firmware only */
	vm.cfg = &cfg;
	vm.host.cfg = &cfg;
	if (reset_control_device.create(&vm.host, &t[8].dev))
		abort();
	for (size_t i = 0; i < TARGETS; i++)
		if (!t[i].dev)
			abort();
	if (bus_register(&kbd_bus, 0x60, 1, i8042_io, t[0].dev, "d") ||
	    bus_register(&kbd_bus, 0x64, 1, i8042_io, t[0].dev, "c") ||
	    bus_register(&vga_bus, 0x3c0, 0x20, vga_port_io, v, "p") ||
	    bus_register(&vga_bus, 0x3b4, 2, vga_port_io, v, "mono") ||
	    bus_register(&fw_bus, FW_CFG_PORT_SEL, 2, fw_cfg_io, t[3].dev, "f") ||
	    bus_register(&fw_bus, FW_CFG_PORT_DMA, 8, fw_cfg_io, t[3].dev, "dma") ||
	    bus_register(&cmos_bus, CMOS_INDEX_PORT, 2, cmos_io, &cmos, "c") ||
	    bus_register(&dbg_bus, DEBUGCON_PORT, 1, debugcon_io, t[5].dev, "d") ||
	    bus_register(&post_bus, POST_PORT, 1, post_io, &post, "p") ||
	    bus_register(&com_bus, 0x3f8, 8, serial_io, t[7].dev, "com1"))
		abort();
}

/* ';', the table's length and the table as vm_devices_save() writes it */
static void write_table_seed(const char *path)
{
	struct state s;
	FILE *f = fopen(path, "wb");

	state_init_save(&s);
	if (!f || vm_devices_save(&vm, &s) || s.len > 0xffff)
		abort();
	fprintf(f, ";%c%c", (int)(s.len & 0xff), (int)(s.len >> 8));
	fwrite(s.buf, 1, s.len, f);
	fclose(f);
	state_free(&s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	vm_init(&vm);
	vm.run = &run;
	mem.size = 1 << 20;
	mem.base = calloc(1, mem.size);
	fuzz_disk_open(&master, &vm.stats);
	fuzz_disk_open(&slave, &vm.stats);
	make_devices();
	for (size_t i = 0; i < TARGETS; i++) {
		vm.devices[i] = (struct vm_device){ t[i].m, t[i].dev };
		t[i].base = save(&t[i]);
	}
	/* a slot for a device the config left out (a second COM port, say) */
	vm.devices[TARGETS] = (struct vm_device){ &debug_exit_device, NULL };
	vm.ndevices = TARGETS + 1;
	if (getenv("FUZZ_DEVSTATE_TABLE"))
		write_table_seed(getenv("FUZZ_DEVSTATE_TABLE"));
	return 0;
}

/* The screen shows what a taken VGA record holds (devices/vga.c: redraw). */
static void check_screen(const struct vga *v)
{
	struct screen_frame f;
	uint32_t pal[16];

	screen_snapshot(&vm.screen, &f);
	FUZZ_ASSERT(!memcmp(f.cells, v->shadow, sizeof(f.cells)));
	vga_regs_palette(&v->regs, pal);
	FUZZ_ASSERT(!memcmp(f.palette, pal, sizeof(pal)));
	FUZZ_ASSERT(f.blink == !!(v->regs.ac[AC_MODE] & AC_MODE_BLINK));
}

/* The record into x: refused and unchanged, or taken and saved back. */
static void load_record(struct target *x, const uint8_t *rec, size_t len)
{
	struct state before = save(x), after;
	int r = load(x, rec, len);

	after = save(x);
	if (r) {
		FUZZ_ASSERT(after.len == before.len && !memcmp(after.buf, before.buf, before.len));
	} else if (x->exact) {
		FUZZ_ASSERT(after.len == len && !memcmp(after.buf, rec, len));
	} else {
		struct state again;

		FUZZ_ASSERT(load(x, after.buf, after.len) == 0);
		again = save(x);
		FUZZ_ASSERT(again.len == after.len && !memcmp(again.buf, after.buf, after.len));
		state_free(&again);
	}
	if (!r && x->m == &vga_device)
		check_screen(x->dev);
	state_free(&before);
	state_free(&after);
}

static void accesses(struct target *x, struct in *in)
{
	static const uint32_t sizes[] = { 1, 2, 4, 1 };

	while (in->n && x->bus) {
		uint8_t op = (uint8_t)take(in, 1), buf[4];
		uint16_t port = x->ports[op % 10] ? x->ports[op % 10] : x->ports[0];
		uint32_t sz = sizes[(op >> 4) & 3], v = (uint32_t)take(in, sz);
		bool write = op & 0x40;

		memcpy(buf, &v, 4);
		/* 0 to 7.5 s: ticks, updates and alarms come between accesses */
		clock_ns += (uint64_t)(op & 0x0f) * 500000000ull;
		bus_access(x->bus, port, buf, sz, write);
		if (x->m == &ata_device && !write && sz == 1 && (port == 0x1f7 || port == 0x3f6))
			FUZZ_ASSERT(!(buf[0] & ATA_BSY) ||
				    (((struct ata *)x->dev)->devctl & ATA_SRST));
	}
}

static unsigned int dirty = ~0u;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	size_t which = (size_t)take(&in, 1) % 12;
	size_t len = (size_t)take(&in, 2);

	/* the devices the last input reached go back to their start-up state */
	clock_ns = CLOCK_START;
	_Static_assert(TARGETS == 11, "the target byte is taken modulo 12");
	for (size_t i = 0; i < TARGETS; i++)
		if (dirty & 1u << i)
			FUZZ_ASSERT(load(&t[i], t[i].base.buf, t[i].base.len) == 0);
	dirty = which == TARGETS ? ~0u : 1u << which;
	if (len > in.n)
		len = in.n;
	if (which == TARGETS) {
		/* the whole table; a failed load may leave devices loaded */
		vm_devices_load(&vm, in.p, len);
	} else {
		load_record(&t[which], in.p, len);
	}
	in.p += len;
	in.n -= len;
	accesses(&t[which == TARGETS ? 2 : which], &in);
	fuzz_disk_check(&master);
	fuzz_disk_check(&slave);
	return 0;
}
