// SPDX-License-Identifier: MIT
/*
 * fw_cfg through the bus: selector writes, data-port reads, DMA
 * descriptors anywhere in (and past) 1 MiB of guest RAM with random
 * control bits, keys, lengths and destinations (the VGA hole, the end of
 * RAM, wrapping addresses), and raw accesses to every port nearby.
 * Guest RAM is malloc'd at its exact size, so ASan catches a host access
 * outside it.  A model keeps the selector, the offset and a shadow copy
 * of RAM: data reads must give the item's bytes (zeros past its end),
 * and after each input RAM must equal the shadow, so a refused DMA wrote
 * nothing but its error bit.
 *
 * The first byte builds the device for the input: the RAM size its e820
 * map describes, the boot menu, extra files named by the input (empty,
 * too long, repeated, until the slots run out), and a round trip through
 * the device model on a VM whose firmware has a VGA BIOS beside it, or
 * not.  At the end the device's state is saved and loaded back (and a
 * record with an impossible offset refused), and its counters written.
 *
 * Covers: devices/fw_cfg.c
 */
#include <string.h>
#include <sys/stat.h>

#include "../../devices/firmware.h"
#include "../../devices/fw_cfg.h"
#include "../../devices/table.h"
#include "../../vmm/json.h"
#include "../../vmm/state.h"
#include "../../vmm/vm.h"
#include "fuzz.h"

#define RAM	0x100000u

static struct guest_mem mem;
static uint8_t *shadow;
static struct fw_cfg *f;
static struct bus pio;
static uint8_t blob[5000];
static char dir[] = "/tmp/vmm-fuzz-fw_cfg.XXXXXX", with_vga[64], without_vga[64];
static FILE *devnull;
static uint16_t sel;
static uint32_t off;

static const uint16_t keys[] = {
	FW_CFG_SIGNATURE, FW_CFG_ID, FW_CFG_RAM_SIZE, FW_CFG_NB_CPUS,
	FW_CFG_BOOT_MENU, FW_CFG_FILE_DIR, FW_CFG_FILE_FIRST,
	FW_CFG_FILE_FIRST + 1, FW_CFG_FILE_FIRST + 2, 0x4000, 0x8000,
};

static void write_file(const char *path, size_t size)
{
	FILE *fp = fopen(path, "w");

	if (!fp || fwrite(blob, 1, size, fp) != size || fclose(fp))
		abort();
}

/* A firmware image with a VGA BIOS beside it, and one without. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[128];

	(void)argc;
	(void)argv;
	mem.size = RAM;
	mem.base = malloc(RAM);
	shadow = malloc(RAM);
	devnull = fopen("/dev/null", "w");
	for (size_t i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 13 + 1);
	if (!mem.base || !shadow || !devnull || !mkdtemp(dir))
		abort();
	snprintf(with_vga, sizeof(with_vga), "%s/bios.bin", dir);
	snprintf(without_vga, sizeof(without_vga), "%s/alone/bios.bin", dir);
	snprintf(path, sizeof(path), "%s/%s", dir, FIRMWARE_VGABIOS);
	write_file(with_vga, 4096);
	write_file(path, 2048);
	snprintf(path, sizeof(path), "%s/alone", dir);
	if (mkdir(path, 0700))
		abort();
	write_file(without_vga, 4096);
	return 0;
}

/* Files named by the input: some good, some refused; the table stays sound. */
static void add_files(struct in *in, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		char name[80] = "opt/";
		size_t len = (size_t)take(in, 1) % 70;

		for (size_t j = 0; j < len; j++)
			name[4 + j] = (char)('a' + take(in, 1) % 26);
		name[4 + len] = 0;
		if (len == 0 && i % 2)
			name[0] = 0;
		int r = fw_cfg_add_file(f, len == 69 ? "opt/blob" : name, blob, len * 7);

		FUZZ_ASSERT(r == 0 || r == -1);
	}
}

static void build(struct in *in, uint8_t flags)
{
	static const uint64_t ram[] = { RAM, 0x80000, 4ull << 30, 3ull << 30 };

	f = fw_cfg_new(&mem, ram[(flags >> 2) & 3], flags & 1);
	memset(&pio, 0, sizeof(pio));
	if (!f || fw_cfg_add_file(f, "opt/blob", blob, sizeof(blob)) ||
	    bus_register(&pio, FW_CFG_PORT_SEL, 2, fw_cfg_io, f, "fw-cfg") ||
	    bus_register(&pio, FW_CFG_PORT_DMA, 8, fw_cfg_io, f, "fw-cfg-dma"))
		abort();
	add_files(in, (flags >> 4) & 7 ? 1u << ((flags >> 4) & 7) : 0);
}

/* Built from the config as main builds it; a second one finds the ports taken. */
static void device_round_trip(uint8_t flags)
{
	static const struct device_model *const table[] = { &fw_cfg_device };
	static struct vm vm;
	static struct vm_config cfg;
	void *dev;

	memset(&vm, 0, sizeof(vm));
	vm_init(&vm);
	vm.cfg = &cfg;
	vm.mem = mem;
	cfg.firmware.image = flags & 0x80 ? without_vga : with_vga;
	cfg.firmware.menu = flags & 1;
	FUZZ_ASSERT(vm_add_devices(&vm, table, 1) == 0);
	FUZZ_ASSERT(fw_cfg_device.create(&vm.host, &dev) == VMM_EXIT_SETUP);
	vm_remove_devices(&vm);
	/* a Multiboot guest has no fw_cfg */
	cfg.firmware.image = NULL;
	FUZZ_ASSERT(fw_cfg_device.create(&vm.host, &dev) == 0 && !dev);
	fw_cfg_free(NULL);
}

/* The guest's position survives a save and a load; an impossible one does not. */
static void state_round_trip(void)
{
	struct state s, l;
	struct json j;

	json_init(&j, devnull, false);
	fw_cfg_device.stats(f, &j);
	state_init_save(&s);
	FUZZ_ASSERT(device_state(&fw_cfg_device, f, &s) == 0);
	state_init_load(&l, s.buf, s.len);
	FUZZ_ASSERT(device_state(&fw_cfg_device, f, &l) == 0);
	/* the record: the items' digest (8 bytes), sel (2), off (4), ... */
	if (s.len >= 14) {
		s.buf[10] = s.buf[11] = s.buf[12] = s.buf[13] = 0xff;	/* off */
		state_init_load(&l, s.buf, s.len);
		FUZZ_ASSERT(device_state(&fw_cfg_device, f, &l) == -1);
		s.buf[0] ^= 1;		/* another machine's items */
		state_init_load(&l, s.buf, s.len);
		FUZZ_ASSERT(device_state(&fw_cfg_device, f, &l) == -1);
	}
	state_free(&s);
}

static uint32_t left(void)
{
	const struct fw_cfg_item *it = fw_cfg_find(f, sel);

	return it && off < it->len ? it->len - off : 0;
}

static uint8_t model_byte(uint32_t i)
{
	const struct fw_cfg_item *it = fw_cfg_find(f, sel);

	return i < left() ? it->data[off + i] : 0;
}

static void put_be(uint8_t *p, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static void data_reads(struct in *in)
{
	uint32_t n = (uint32_t)take(in, 1) + 1;

	for (uint32_t i = 0; i < n; i++) {
		uint8_t v = 0xaa;

		FUZZ_ASSERT(bus_access(&pio, FW_CFG_PORT_DATA, &v, 1, false));
		FUZZ_ASSERT(v == model_byte(0));
		if (left())
			off++;
	}
}

/* What the model expects a descriptor to do; returns the control word. */
static uint32_t model_dma(uint32_t ctl, uint32_t len, uint64_t addr)
{
	if (ctl & FW_CFG_DMA_SELECT) {
		sel = (uint16_t)(ctl >> 16);
		off = 0;
	}
	if (ctl & FW_CFG_DMA_READ) {
		if (!gpa_range_ok(&mem, addr, len))
			return FW_CFG_DMA_ERROR;
		for (uint32_t i = 0; i < len; i++)
			shadow[addr + i] = model_byte(i);
		off += len < left() ? len : left();
		return 0;
	}
	if (ctl & FW_CFG_DMA_WRITE)
		return FW_CFG_DMA_ERROR;
	if (ctl & FW_CFG_DMA_SKIP)
		off += len < left() ? len : left();
	return 0;
}

static void dma(struct in *in)
{
	uint64_t desc = take(in, 3) % (RAM + 64) - 32;	/* sometimes past an edge */
	uint32_t ctl = (uint32_t)take(in, 1) & 0x1f;
	uint8_t k = (uint8_t)take(in, 1);
	uint16_t key = k < sizeof(keys) / sizeof(keys[0]) * 16 ?
		       keys[k % (sizeof(keys) / sizeof(keys[0]))] : (uint16_t)take(in, 2);
	uint32_t len = (uint32_t)take(in, 2);
	uint64_t addr = take(in, 3);
	uint8_t how = (uint8_t)take(in, 1), d[16], word[4];

	if (how & 1)
		len = (uint32_t)take(in, 4);
	if (how & 2)
		addr = take(in, 8);
	ctl |= (uint32_t)key << 16;
	put_be(d, ctl, 4);
	put_be(d + 4, len, 4);
	put_be(d + 8, addr, 8);
	bool desc_ok = desc < 0x100000000ull && gpa_range_ok(&mem, desc, 16);

	if (desc_ok) {
		memcpy(mem.base + desc, d, 16);
		memcpy(shadow + desc, d, 16);
		put_be(shadow + desc, model_dma(ctl, len, addr), 4);
	}
	put_be(word, desc >> 32, 4);
	FUZZ_ASSERT(bus_access(&pio, FW_CFG_PORT_DMA, word, 4, true));
	put_be(word, desc, 4);
	FUZZ_ASSERT(bus_access(&pio, FW_CFG_PORT_DMA + 4, word, 4, true));
	FUZZ_ASSERT(f->sel == sel && f->off == off);
}

/* Anything at all on the ports nearby; the model takes the device's word. */
static void raw(struct in *in)
{
	static const uint32_t sizes[] = { 1, 2, 4, 4 };
	uint8_t op = (uint8_t)take(in, 1), buf[4];
	uint64_t port = FW_CFG_PORT_SEL - 2 + op % 16;
	uint32_t sz = sizes[(op >> 4) & 3];
	uint32_t v = (uint32_t)take(in, 4);

	memcpy(buf, &v, 4);
	/* a descriptor address written here must point outside RAM */
	if (port == FW_CFG_PORT_DMA + 4 && sz == 4 && (op & 0x80))
		put_be(buf, RAM + (v & 0xffff), 4);
	if (port == FW_CFG_PORT_DMA + 4 && sz == 4 && (op & 0x80) == 0)
		return;
	bus_access(&pio, port, buf, sz, op & 0x80);
	sel = f->sel;
	off = f->off;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	uint8_t flags = (uint8_t)take(&in, 1);

	memset(mem.base, 0, RAM);
	memset(shadow, 0, RAM);
	if (flags & 2)
		device_round_trip(flags);
	build(&in, flags);
	sel = 0;
	off = 0;
	while (in.n) {
		uint8_t op = (uint8_t)take(&in, 1);
		uint8_t k[2];

		switch (op % 4) {
		case 0:
			sel = op & 4 ? keys[(op >> 3) % (sizeof(keys) / sizeof(keys[0]))] :
				       (uint16_t)take(&in, 2);
			off = 0;
			k[0] = (uint8_t)sel;
			k[1] = (uint8_t)(sel >> 8);
			FUZZ_ASSERT(bus_access(&pio, FW_CFG_PORT_SEL, k, 2, true));
			break;
		case 1:
			data_reads(&in);
			break;
		case 2:
			dma(&in);
			break;
		default:
			raw(&in);
		}
		FUZZ_ASSERT(f->off <= (fw_cfg_find(f, f->sel) ? fw_cfg_find(f, f->sel)->len : 0));
	}
	FUZZ_ASSERT(!memcmp(mem.base, shadow, RAM));
	state_round_trip();
	fw_cfg_free(f);
	return 0;
}
