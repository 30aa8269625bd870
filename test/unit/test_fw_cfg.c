// SPDX-License-Identifier: MIT
/* fw_cfg through its ports: items, the directory, and DMA into fake RAM. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../devices/firmware.h"
#include "../../devices/fw_cfg.h"
#include "../../vmm/bus.h"
#include "../../vmm/device.h"
#include "../../vmm/guest_mem.h"
#include "../../vmm/state.h"
#include "../../vmm/config.h"
#include "../unit.h"

#define RAM	(1u << 20)
#define DESC	0x1000u
#define BUF	0x2000u

static struct guest_mem mem;
static struct fw_cfg *f;

static void port(uint16_t p, uint32_t size, bool write, uint8_t *d)
{
	struct bus_access a = { .addr = p, .size = size, .write = write, .data = d };

	fw_cfg_io(f, &a);
}

static void select_key(uint16_t key)
{
	uint8_t d[2] = { (uint8_t)key, (uint8_t)(key >> 8) };

	port(FW_CFG_PORT_SEL, 2, true, d);
}

static uint8_t data(void)
{
	uint8_t v = 0xaa;

	port(FW_CFG_PORT_DATA, 1, false, &v);
	return v;
}

static void readn(uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = data();
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void fresh(uint64_t ram, bool menu)
{
	fw_cfg_free(f);
	memset(mem.base, 0, RAM);
	f = fw_cfg_new(&mem, ram, menu);
}

/* Writes a descriptor at DESC and triggers it through the low half. */
static uint32_t dma(uint32_t control, uint32_t len, uint64_t addr)
{
	uint8_t *d = mem.base + DESC, lo[4] = { 0, 0, DESC >> 8, DESC & 0xff };

	for (int i = 0; i < 4; i++) {
		d[i] = (uint8_t)(control >> (24 - 8 * i));
		d[4 + i] = (uint8_t)(len >> (24 - 8 * i));
	}
	for (int i = 0; i < 8; i++)
		d[8 + i] = (uint8_t)(addr >> (56 - 8 * i));
	port(FW_CFG_PORT_DMA + 4, 4, true, lo);
	return be32(d);
}

static void signature_and_id(void)
{
	uint8_t b[8];

	fresh(32 << 20, false);
	select_key(FW_CFG_SIGNATURE);
	readn(b, 5);
	EXPECT(!memcmp(b, "QEMU", 4));
	EXPECT_EQ(b[4], 0);			/* past the end: zeros */
	EXPECT_EQ(f->off, 4);			/* which do not advance */
	select_key(FW_CFG_ID);
	readn(b, 4);
	EXPECT_EQ(le(b, 4), FW_CFG_ID_TRADITIONAL | FW_CFG_ID_DMA);
	/* selecting again starts over; the write-channel bit changes nothing */
	select_key(FW_CFG_SIGNATURE | FW_CFG_WRITE_CHANNEL);
	EXPECT_EQ(data(), 'Q');
	EXPECT_EQ(data(), 'E');
	select_key(FW_CFG_SIGNATURE);
	EXPECT_EQ(data(), 'Q');
	select_key(FW_CFG_RAM_SIZE);
	readn(b, 8);
	EXPECT_EQ(le(b, 8), 32 << 20);
	select_key(FW_CFG_NB_CPUS);
	readn(b, 2);
	EXPECT_EQ(le(b, 2), 1);
	select_key(0x1234);			/* nothing there */
	readn(b, 4);
	EXPECT_EQ(le(b, 4), 0);
	EXPECT_EQ(f->data_reads, 26);
}

static void odd_accesses(void)
{
	uint8_t b[4] = { 0x19, 0, 0, 0 };

	fresh(32 << 20, false);
	select_key(FW_CFG_SIGNATURE);
	port(FW_CFG_PORT_SEL, 1, true, b);	/* a byte is no selector */
	EXPECT_EQ(f->sel, FW_CFG_SIGNATURE);
	port(FW_CFG_PORT_DATA, 1, true, b);	/* the data port is read only */
	EXPECT_EQ(data(), 'Q');
	memset(b, 0xaa, sizeof(b));
	port(FW_CFG_PORT_SEL, 2, false, b);
	EXPECT_EQ(b[0] | b[1], 0);
	EXPECT_EQ(data(), 'E');
	/* the DMA register reads "QEMU CFG", big-endian, from any byte */
	char sig[9] = { 0 };

	for (int i = 0; i < 8; i++)
		port((uint16_t)(FW_CFG_PORT_DMA + i), 1, false, (uint8_t *)sig + i);
	EXPECT(!strcmp(sig, "QEMU CFG"));
	port(FW_CFG_PORT_DMA + 4, 4, false, b);
	EXPECT(!memcmp(b, " CFG", 4));
	/* a DMA write that is not 4 bytes at offset 0 or 4 does nothing */
	port(FW_CFG_PORT_DMA + 4, 2, true, b);
	port(FW_CFG_PORT_DMA + 2, 4, true, b);
	EXPECT_EQ(f->dma_ops, 0);
}

static void directory_and_files(void)
{
	uint8_t b[64], blob[300];

	fresh(32 << 20, false);
	for (size_t i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 7);
	EXPECT_EQ(fw_cfg_add_file(f, "opt/test/blob", blob, sizeof(blob)), 0);
	EXPECT_EQ(fw_cfg_add_file(f, "opt/test/blob", blob, 1), -1);	/* taken */
	EXPECT_EQ(fw_cfg_add_file(f, "", blob, 1), -1);
	char longname[FW_CFG_NAME_MAX + 1];

	memset(longname, 'x', sizeof(longname));
	longname[FW_CFG_NAME_MAX] = 0;
	EXPECT_EQ(fw_cfg_add_file(f, longname, blob, 1), -1);
	longname[FW_CFG_NAME_MAX - 1] = 0;	/* 55 characters fit */
	EXPECT_EQ(fw_cfg_add_file(f, longname, blob, 0), 0);
	EXPECT_EQ(fw_cfg_add_file(f, "big", blob, FW_CFG_FILE_MAX + 1ull), -1);

	select_key(FW_CFG_FILE_DIR);
	readn(b, 4);
	uint32_t n = be32(b);

	EXPECT_EQ(n, 5);	/* etc/e820, etc/boot-menu-wait, etc/boot-fail-wait, ours */
	bool found = false;

	for (uint32_t i = 0; i < n; i++) {
		readn(b, 64);
		uint32_t size = be32(b);
		uint16_t key = (uint16_t)(b[4] << 8 | b[5]);
		const struct fw_cfg_item *it = fw_cfg_find(f, key);

		EXPECT(key >= FW_CFG_FILE_FIRST);
		EXPECT_EQ(b[6] | b[7], 0);
		EXPECT(it && it->len == size && !strcmp(it->name, (char *)b + 8));
		if (strcmp((char *)b + 8, "opt/test/blob"))
			continue;
		found = true;
		EXPECT_EQ(size, sizeof(blob));
		select_key(key);
		uint8_t got[sizeof(blob)];

		readn(got, sizeof(got));
		EXPECT(!memcmp(got, blob, sizeof(blob)));
		EXPECT_EQ(data(), 0);
		break;
	}
	EXPECT(found);
	/* the table fills up, and says so */
	int added = 0;

	for (int i = 0; i < FW_CFG_MAX_ITEMS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "opt/f%d", i);
		if (fw_cfg_add_file(f, name, blob, 1))
			break;
		added++;
	}
	EXPECT(added > 20 && added < FW_CFG_MAX_ITEMS);
	select_key(FW_CFG_FILE_DIR);
	readn(b, 4);
	EXPECT_EQ(be32(b), 5u + (uint32_t)added);
	EXPECT_EQ(fw_cfg_find(f, FW_CFG_FILE_DIR)->len, 4 + 64 * (5u + (uint32_t)added));
}

/* The key of the named file, from the directory. */
static uint16_t file_key(const char *name)
{
	for (unsigned int i = 0; i < f->n_items; i++)
		if (!strcmp(f->items[i].name, name))
			return f->items[i].key;
	return 0;
}

static void boot_menu(void)
{
	uint8_t b[2];

	for (int menu = 0; menu < 2; menu++) {
		fresh(32 << 20, menu);
		select_key(FW_CFG_BOOT_MENU);
		readn(b, 2);
		EXPECT_EQ(le(b, 2), menu);
		select_key(file_key("etc/boot-menu-wait"));
		readn(b, 2);
		EXPECT_EQ(le(b, 2), menu ? 2500 : 0);
	}
}

static void e820_layout(void)
{
	static const uint64_t sizes[] = { 2 << 20, 32 << 20, 1ull << 30, 3072ull << 20 };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint8_t e[E820_MAX_ENTRIES * E820_ENTRY_SIZE];
		size_t len = fw_cfg_e820(sizes[s], e);
		uint64_t ram = 0, end = 0;

		EXPECT_EQ(len, 5 * E820_ENTRY_SIZE);
		for (size_t i = 0; i < len; i += E820_ENTRY_SIZE) {
			uint64_t a = le(e + i, 8), l = le(e + i + 8, 8);
			uint32_t t = (uint32_t)le(e + i + 16, 4);

			EXPECT(a >= end);		/* sorted, no overlap */
			end = a + l;
			if (t == E820_RAM)
				ram += l;
			else
				EXPECT_EQ(t, E820_RESERVED);
			/* the VGA window and option ROMs are in no entry */
			EXPECT(end <= 0xa0000 || a >= 0xf0000);
		}
		EXPECT_EQ(ram, sizes[s] - 0x100000 + 0x9fc00);
		EXPECT_EQ(end, 0x100000000ull);
		EXPECT_EQ(le(e + 3 * E820_ENTRY_SIZE, 8), 0x100000);
		EXPECT_EQ(le(e + 3 * E820_ENTRY_SIZE + 8, 8), sizes[s] - 0x100000);
		/* and the file holds the same */
		fresh(sizes[s], false);
		const struct fw_cfg_item *it = fw_cfg_find(f, file_key("etc/e820"));

		EXPECT(it && it->len == len && !memcmp(it->data, e, len));
	}
}

static void dma_read_skip_select(void)
{
	fresh(32 << 20, false);
	EXPECT_EQ(dma(FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, 4, BUF), 0);
	EXPECT(!memcmp(mem.base + BUF, "QEMU", 4));
	EXPECT_EQ(f->off, 4);
	/* reading on past the end fills zeros */
	memset(mem.base + BUF, 0xee, 16);
	EXPECT_EQ(dma(FW_CFG_DMA_READ, 8, BUF), 0);
	for (int i = 0; i < 8; i++)
		EXPECT_EQ(mem.base[BUF + i], 0);
	EXPECT_EQ(mem.base[BUF + 8], 0xee);
	/* select the ID item in the top half of control, skip, read */
	EXPECT_EQ(dma((uint32_t)FW_CFG_ID << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_SKIP, 1, 0), 0);
	EXPECT_EQ(f->sel, FW_CFG_ID);
	EXPECT_EQ(f->off, 1);
	EXPECT_EQ(dma(FW_CFG_DMA_SKIP, 100, 0), 0);	/* stops at the end */
	EXPECT_EQ(f->off, 4);
	/* select alone */
	EXPECT_EQ(dma((uint32_t)FW_CFG_SIGNATURE << 16 | FW_CFG_DMA_SELECT, 0, 0), 0);
	EXPECT_EQ(f->sel, FW_CFG_SIGNATURE);
	EXPECT_EQ(f->off, 0);
	/* a read that starts inside and ends past the item */
	EXPECT_EQ(dma(FW_CFG_DMA_SKIP, 2, 0), 0);
	memset(mem.base + BUF, 0xee, 16);
	EXPECT_EQ(dma(FW_CFG_DMA_READ, 4, BUF), 0);
	EXPECT(!memcmp(mem.base + BUF, "MU\0\0", 4));
	/* the port then mixes with DMA: it is the same offset */
	select_key(FW_CFG_SIGNATURE);
	EXPECT_EQ(data(), 'Q');
	EXPECT_EQ(dma(FW_CFG_DMA_READ, 2, BUF), 0);
	EXPECT(!memcmp(mem.base + BUF, "EM", 2));
	EXPECT_EQ(data(), 'U');
	/* a 64-bit descriptor address in two halves: high first, low runs it */
	uint8_t hi[4] = { 0, 0, 0, 0 };

	port(FW_CFG_PORT_DMA, 4, true, hi);
	EXPECT_EQ(dma((uint32_t)FW_CFG_ID << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, 4, BUF), 0);
	EXPECT_EQ(le(mem.base + BUF, 4), 3);
	/* a whole file in one exit */
	uint16_t key = file_key("etc/e820");
	const struct fw_cfg_item *it = fw_cfg_find(f, key);

	EXPECT_EQ(dma((uint32_t)key << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, it->len, BUF), 0);
	EXPECT(!memcmp(mem.base + BUF, it->data, it->len));
	EXPECT_EQ(f->dma_ops, 10);
	EXPECT_EQ(f->dma_errors, 0);
}

/* A bad DMA sets the error bit and writes nothing else into RAM. */
static void expect_refused(uint32_t control, uint32_t len, uint64_t addr)
{
	static uint8_t before[RAM];
	uint16_t sel = f->sel;
	uint32_t off = f->off;

	memcpy(before, mem.base, RAM);
	EXPECT_EQ(dma(control, len, addr), FW_CFG_DMA_ERROR);
	/* the descriptor the test wrote; its control word is checked above */
	memcpy(before + DESC, mem.base + DESC, FW_CFG_DMA_DESC_SIZE);
	EXPECT(!memcmp(before, mem.base, RAM));
	EXPECT_EQ(f->off, off);
	if (!(control & FW_CFG_DMA_SELECT))
		EXPECT_EQ(f->sel, sel);
}

static void dma_bad_addresses(void)
{
	fresh(32 << 20, false);
	for (uint32_t i = 0; i < RAM; i += 4096)
		mem.base[i] = 0x5a;
	select_key(FW_CFG_SIGNATURE);
	expect_refused(FW_CFG_DMA_READ, 4, RAM - 2);		/* runs off RAM */
	expect_refused(FW_CFG_DMA_READ, 4, RAM);
	expect_refused(FW_CFG_DMA_READ, 16, 0x9fff8);		/* into the VGA hole */
	expect_refused(FW_CFG_DMA_READ, 4, 0xb8000);
	expect_refused(FW_CFG_DMA_READ, 0x20, ~0ull - 0xf);	/* wraps */
	expect_refused(FW_CFG_DMA_READ, 0xffffffffu, BUF);
	expect_refused(FW_CFG_DMA_READ, 1, 1ull << 32);
	/* writes: every item is read only */
	expect_refused(FW_CFG_DMA_WRITE, 4, BUF);
	expect_refused(FW_CFG_DMA_SELECT | FW_CFG_DMA_WRITE, 4, BUF);
	EXPECT_EQ(f->dma_errors, 9);
	/* the chip works afterwards */
	EXPECT_EQ(dma(FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, 4, BUF), 0);
	EXPECT(!memcmp(mem.base + BUF, "QEMU", 4));
	/* a descriptor outside RAM: nothing at all is written */
	uint8_t hi[4] = { 0, 0, 0, 1 }, lo[4] = { 0, 0, 0x10, 0 };
	static uint8_t before[RAM];

	memcpy(before, mem.base, RAM);
	port(FW_CFG_PORT_DMA, 4, true, hi);
	port(FW_CFG_PORT_DMA + 4, 4, true, lo);
	uint8_t far[4] = { 0x00, 0x0f, 0xff, 0xf8 };	/* straddles the end */

	port(FW_CFG_PORT_DMA + 4, 4, true, far);
	uint8_t hole[4] = { 0x00, 0x0a, 0x00, 0x00 };

	port(FW_CFG_PORT_DMA + 4, 4, true, hole);
	EXPECT(!memcmp(before, mem.base, RAM));
	EXPECT_EQ(f->dma_errors, 12);
	EXPECT_EQ(f->dma_high, 0);
}

static void state_round_trip(void)
{
	struct state s, l;

	fresh(32 << 20, false);
	select_key(FW_CFG_SIGNATURE);
	data();
	state_init_save(&s);
	EXPECT_EQ(device_state(&fw_cfg_device, f, &s), 0);
	fresh(32 << 20, false);
	state_init_load(&l, s.buf, s.len);
	EXPECT_EQ(device_state(&fw_cfg_device, f, &l), 0);
	EXPECT_EQ(data(), 'E');
	/* an offset past the item is impossible (after the items' digest and the selector) */
	s.buf[8 + 2] = 9;
	state_init_load(&l, s.buf, s.len);
	EXPECT_EQ(device_state(&fw_cfg_device, f, &l), -1);
	state_free(&s);
}

/* The device on a host's bus, with the VGA BIOS beside the firmware. */
static void device_create(void)
{
	static struct bus pio;
	static struct vm_config cfg;
	struct device_host h = { .cfg = &cfg, .pio = &pio, .mem = &mem };
	char dir[] = "/tmp/vmm-fwcfg-XXXXXX", path[300];
	void *dev = NULL;

	EXPECT(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/%s", dir, FIRMWARE_VGABIOS);
	FILE *rom = fopen(path, "w");

	fputs("a VGA BIOS", rom);
	fclose(rom);
	snprintf(path, sizeof(path), "%s/bios.bin", dir);
	cfg.firmware.image = path;
	EXPECT_EQ(fw_cfg_device.create(&h, &dev), 0);
	EXPECT(dev != NULL);
	EXPECT_EQ(pio.nr, 2);
	struct fw_cfg *saved = f;

	f = dev;
	uint16_t key = file_key("vgaroms/vgabios-isavga.bin");
	uint8_t sel[2] = { (uint8_t)key, (uint8_t)(key >> 8) }, got[12] = { 0 };

	/* through the bus, as the exit loop does: outw, then insb */
	EXPECT(key >= FW_CFG_FILE_FIRST);
	EXPECT(bus_access(&pio, FW_CFG_PORT_SEL, sel, 2, true));
	for (int i = 0; i < 12; i++)
		EXPECT(bus_access(&pio, FW_CFG_PORT_DATA, got + i, 1, false));
	EXPECT(!memcmp(got, "a VGA BIOS\0\0", 12));
	fw_cfg_device.destroy(dev);
	f = saved;
	/* no VGA BIOS there: a note, and the device without the file */
	snprintf(path, sizeof(path), "%s/%s", dir, FIRMWARE_VGABIOS);
	unlink(path);
	snprintf(path, sizeof(path), "%s/bios.bin", dir);
	memset(&pio, 0, sizeof(pio));
	char err[512];

	EXPECT_EQ(CAPTURE_STDERR(err, fw_cfg_device.create(&h, &dev)), 0);
	EXPECT(strstr(err, FIRMWARE_VGABIOS));
	EXPECT(dev && !fw_cfg_find(dev, FW_CFG_FILE_FIRST + 3));
	fw_cfg_device.destroy(dev);
	rmdir(dir);
	/* no firmware, no fw_cfg */
	cfg.firmware.image = NULL;
	EXPECT_EQ(fw_cfg_device.create(&h, &dev), 0);
	EXPECT(dev == NULL);
}

int main(void)
{
	mem.base = calloc(1, RAM);
	mem.size = RAM;
	RUN(signature_and_id);
	RUN(odd_accesses);
	RUN(directory_and_files);
	RUN(boot_menu);
	RUN(e820_layout);
	RUN(dma_read_skip_select);
	RUN(dma_bad_addresses);
	RUN(state_round_trip);
	RUN(device_create);
	fw_cfg_free(f);
	free(mem.base);
	UNIT_EXIT();
}
