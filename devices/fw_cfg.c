// SPDX-License-Identifier: MIT
/*
 * fw_cfg: items the firmware reads byte by byte through the data port or
 * in one exit through DMA.  The data offset never passes the end of the
 * item; reading there returns zeros, as the spec says.  A DMA descriptor
 * is read once into locals; its destination is checked whole with
 * gpa_ptr() before a byte moves, and a bad one only sets the error bit.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vmm/bus.h"
#include "../vmm/device.h"
#include "../vmm/guest_mem.h"
#include "../vmm/json.h"
#include "../vmm/state.h"
#include "../vmm/config.h"
#include "firmware.h"
#include "fw_cfg.h"

#define DIR_ENTRY_SIZE	64

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

static void put_le(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

const struct fw_cfg_item *fw_cfg_find(const struct fw_cfg *f, uint16_t key)
{
	key &= (uint16_t)~FW_CFG_WRITE_CHANNEL;
	for (unsigned int i = 0; i < f->n_items; i++)
		if (f->items[i].key == key)
			return &f->items[i];
	return NULL;
}

static int add_item(struct fw_cfg *f, uint16_t key, const char *name,
		    const void *data, size_t len)
{
	struct fw_cfg_item *it;

	if (len > FW_CFG_FILE_MAX || fw_cfg_find(f, key))
		return -1;
	if (f->n_items == FW_CFG_MAX_ITEMS)
		return -1;
	it = &f->items[f->n_items];
	it->data = malloc(len ? len : 1);
	if (!it->data)
		return -1;
	memcpy(it->data, data, len);
	it->len = (uint32_t)len;
	it->key = key;
	snprintf(it->name, sizeof(it->name), "%s", name);
	f->n_items++;
	return 0;
}

/* The directory item: BE32 count, then 64-byte entries, rebuilt per file. */
static int rebuild_directory(struct fw_cfg *f)
{
	uint8_t dir[4 + FW_CFG_MAX_ITEMS * DIR_ENTRY_SIZE] = { 0 };
	uint32_t n = 0;
	struct fw_cfg_item *it = (struct fw_cfg_item *)fw_cfg_find(f, FW_CFG_FILE_DIR);

	for (unsigned int i = 0; i < f->n_items; i++) {
		const struct fw_cfg_item *file = &f->items[i];
		uint8_t *e = dir + 4 + n * DIR_ENTRY_SIZE;

		if (file->key < FW_CFG_FILE_FIRST)
			continue;
		put_be(e, file->len, 4);
		put_be(e + 4, file->key, 2);
		memcpy(e + 8, file->name, FW_CFG_NAME_MAX);
		n++;
	}
	put_be(dir, n, 4);
	if (!it)
		return add_item(f, FW_CFG_FILE_DIR, "", dir, 4 + n * DIR_ENTRY_SIZE);
	uint8_t *d = realloc(it->data, 4 + n * DIR_ENTRY_SIZE);

	if (!d)
		return -1;
	memcpy(d, dir, 4 + n * DIR_ENTRY_SIZE);
	it->data = d;
	it->len = 4 + n * DIR_ENTRY_SIZE;
	return 0;
}

int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data,
		    size_t len)
{
	size_t n = strlen(name);

	if (!n || n >= FW_CFG_NAME_MAX || f->next_key >= FW_CFG_WRITE_CHANNEL)
		return -1;
	for (unsigned int i = 0; i < f->n_items; i++)
		if (!strcmp(f->items[i].name, name))
			return -1;
	/* the directory takes a slot too: keep one for it */
	if (f->n_items + 1 >= FW_CFG_MAX_ITEMS ||
	    add_item(f, f->next_key, name, data, len))
		return -1;
	f->next_key++;
	return rebuild_directory(f);
}

size_t fw_cfg_e820(uint64_t ram, uint8_t *out)
{
	/*
	 * The map SeaBIOS hands a PC guest: 639 KiB, the EBDA, the BIOS
	 * segment, RAM from 1 MiB, and the top of 4 GiB (KVM's TSS pages,
	 * vmm/kvm.c, and the BIOS alias).  The VGA window and option ROM
	 * space, 0xA0000-0xEFFFF, are in no entry, as on a PC.
	 */
	const uint64_t e[][3] = {
		{ 0, 0x9fc00, E820_RAM },
		{ 0x9fc00, 0x400, E820_RESERVED },
		{ 0xf0000, 0x10000, E820_RESERVED },
		{ 0x100000, ram > 0x100000 ? ram - 0x100000 : 0, E820_RAM },
		{ 0xfffbc000, 0x44000, E820_RESERVED },
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
		if (!e[i][1])
			continue;
		put_le(out + n, e[i][0], 8);
		put_le(out + n + 8, e[i][1], 8);
		put_le(out + n + 16, e[i][2], 4);
		n += E820_ENTRY_SIZE;
	}
	return n;
}

struct fw_cfg *fw_cfg_new(const struct guest_mem *mem, uint64_t ram_bytes,
			  bool menu)
{
	struct fw_cfg *f = calloc(1, sizeof(*f));
	uint8_t id[4], ram[8], one[2], show[2], wait[2], fail_wait[4];
	uint8_t e820[E820_MAX_ENTRIES * E820_ENTRY_SIZE];

	if (!f)
		return NULL;
	f->mem = mem;
	f->next_key = FW_CFG_FILE_FIRST;
	put_le(id, FW_CFG_ID_TRADITIONAL | FW_CFG_ID_DMA, 4);
	put_le(ram, ram_bytes, 8);
	put_le(one, 1, 2);
	/*
	 * No "bootorder" file: SeaBIOS names only PCI disks there, and our
	 * ATA disk is ISA; it takes the order from CMOS 0x3D (devices/cmos.c).
	 * No menu: SeaBIOS neither offers one nor waits for a key.
	 */
	put_le(show, menu, 2);
	put_le(wait, menu ? 2500 : 0, 2);
	/* after "No bootable device", reset at once: vmm then stops and says why */
	put_le(fail_wait, 0, 4);
	if (add_item(f, FW_CFG_SIGNATURE, "", "QEMU", 4) ||
	    add_item(f, FW_CFG_ID, "", id, sizeof(id)) ||
	    add_item(f, FW_CFG_RAM_SIZE, "", ram, sizeof(ram)) ||
	    add_item(f, FW_CFG_NB_CPUS, "", one, sizeof(one)) ||
	    add_item(f, FW_CFG_MAX_CPUS, "", one, sizeof(one)) ||
	    add_item(f, FW_CFG_BOOT_MENU, "", show, sizeof(show)) ||
	    rebuild_directory(f) ||
	    fw_cfg_add_file(f, "etc/e820", e820, fw_cfg_e820(ram_bytes, e820)) ||
	    fw_cfg_add_file(f, "etc/boot-menu-wait", wait, sizeof(wait)) ||
	    fw_cfg_add_file(f, "etc/boot-fail-wait", fail_wait, sizeof(fail_wait))) {
		fw_cfg_free(f);
		return NULL;
	}
	return f;
}

void fw_cfg_free(struct fw_cfg *f)
{
	if (!f)
		return;
	for (unsigned int i = 0; i < f->n_items; i++)
		free(f->items[i].data);
	free(f);
}

/* ---- the ports ---- */

static void dma_read(struct fw_cfg *f, const struct fw_cfg_item *it,
		     uint64_t gpa, uint32_t len, uint32_t *control)
{
	uint8_t *dst = gpa_ptr(f->mem, gpa, len);
	uint32_t n = 0;

	if (!dst) {
		*control |= FW_CFG_DMA_ERROR;
		return;
	}
	if (it && f->off < it->len)
		n = it->len - f->off < len ? it->len - f->off : len;
	if (n)
		memcpy(dst, it->data + f->off, n);
	memset(dst + n, 0, len - n);	/* past the end: zeros */
	f->off += n;
	f->dma_bytes += len;
}

static void dma_run(struct fw_cfg *f, uint64_t desc_gpa)
{
	uint8_t *d = gpa_ptr(f->mem, desc_gpa, FW_CFG_DMA_DESC_SIZE);

	f->dma_ops++;
	if (!d) {
		f->dma_errors++;	/* nowhere to say so */
		return;
	}
	uint32_t ctl = get_be32(d), len = get_be32(d + 4);
	uint64_t addr = (uint64_t)get_be32(d + 8) << 32 | get_be32(d + 12);
	uint32_t result = 0;

	if (ctl & FW_CFG_DMA_SELECT) {
		f->sel = (uint16_t)(ctl >> 16);
		f->off = 0;
	}
	const struct fw_cfg_item *it = fw_cfg_find(f, f->sel);

	if (ctl & FW_CFG_DMA_READ) {
		dma_read(f, it, addr, len, &result);
	} else if (ctl & FW_CFG_DMA_WRITE) {
		result = FW_CFG_DMA_ERROR;	/* every item is read only */
	} else if (ctl & FW_CFG_DMA_SKIP) {
		uint32_t left = it && f->off < it->len ? it->len - f->off : 0;

		f->off += len < left ? len : left;
	}
	if (result)
		f->dma_errors++;
	put_be(d, result, 4);
}

static void dma_port(struct fw_cfg *f, struct bus_access *a)
{
	uint64_t off = a->addr - FW_CFG_PORT_DMA;

	if (!a->write) {
		for (uint32_t i = 0; i < a->size; i++)
			a->data[i] = off + i < 8 ? (uint8_t)FW_CFG_DMA_SIGNATURE[off + i] : 0;
		return;
	}
	if (a->size != 4 || (off != 0 && off != 4))
		return;
	if (off == 0) {
		f->dma_high = get_be32(a->data);
		return;
	}
	uint64_t desc = (uint64_t)f->dma_high << 32 | get_be32(a->data);

	f->dma_high = 0;	/* the register reads 0 after an operation */
	dma_run(f, desc);
}

void fw_cfg_io(void *opaque, struct bus_access *a)
{
	struct fw_cfg *f = opaque;

	if (a->addr >= FW_CFG_PORT_DMA) {
		dma_port(f, a);
		return;
	}
	if (a->write) {
		if (a->addr == FW_CFG_PORT_SEL && a->size == 2) {
			f->sel = (uint16_t)bus_get(a);
			f->off = 0;
		}
		return;		/* the data port is not writable */
	}
	bus_put(a, 0);
	if (a->addr != FW_CFG_PORT_DATA || a->size != 1)
		return;
	const struct fw_cfg_item *it = fw_cfg_find(f, f->sel);

	f->data_reads++;
	if (it && f->off < it->len)
		a->data[0] = it->data[f->off++];
}

/* ---- the device ---- */

/* The VGA BIOS beside the firmware image, as SeaBIOS's vgaroms/ file. */
static int add_vga_bios(struct fw_cfg *f, const char *image)
{
	char *copy = strdup(image), path[4096], why[256];
	uint8_t *rom;
	size_t len;
	int ret = 0;

	if (!copy)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dirname(copy), FIRMWARE_VGABIOS);
	free(copy);
	if (firmware_read_file(path, FW_CFG_FILE_MAX, &rom, &len, why, sizeof(why))) {
		/* a firmware without one still boots, without int 10h */
		fprintf(stderr, "vmm: no VGA BIOS for the firmware: %s: %s\n", path, why);
		return 0;
	}
	if (fw_cfg_add_file(f, "vgaroms/" FIRMWARE_VGABIOS, rom, len))
		ret = -1;
	free(rom);
	return ret;
}

static void fw_cfg_destroy(void *dev)
{
	fw_cfg_free(dev);
}

static int fw_cfg_create(struct device_host *h, void **dev)
{
	const struct vm_config *cfg = h->cfg;
	struct fw_cfg *f;

	*dev = NULL;
	if (!cfg->firmware.image)
		return 0;
	f = fw_cfg_new(h->mem, h->mem->size, cfg->firmware.menu);
	if (!f || add_vga_bios(f, cfg->firmware.image)) {
		fprintf(stderr, "vmm: fw_cfg: out of memory or item slots\n");
		fw_cfg_free(f);
		return VMM_EXIT_SETUP;
	}
	if (dev_register_pio(h, FW_CFG_PORT_SEL, 2, fw_cfg_io, f, "fw-cfg") ||
	    dev_register_pio(h, FW_CFG_PORT_DMA, 8, fw_cfg_io, f, "fw-cfg-dma")) {
		fprintf(stderr, "vmm: fw_cfg: ports 0x510-0x51b are taken\n");
		fw_cfg_free(f);
		return VMM_EXIT_SETUP;
	}
	*dev = f;
	return 0;
}

static void fw_cfg_stats(const void *dev, struct json *j)
{
	const struct fw_cfg *f = dev;

	json_u64(j, "data_reads", f->data_reads);
	json_u64(j, "dma_ops", f->dma_ops);
	json_u64(j, "dma_bytes", f->dma_bytes);
	json_u64(j, "dma_errors", f->dma_errors);
}

/* Every item's key, name and bytes, in order. */
static uint64_t items_digest(const struct fw_cfg *f)
{
	uint64_t h = STATE_DIGEST_INIT;

	for (unsigned int i = 0; i < f->n_items; i++) {
		const struct fw_cfg_item *it = &f->items[i];

		h = state_digest(h, &it->key, sizeof(it->key));
		h = state_digest(h, it->name, sizeof(it->name));
		h = state_digest(h, &it->len, sizeof(it->len));
		h = state_digest(h, it->data, it->len);
	}
	return h;
}

/*
 * The items come from the config and the files beside the firmware; they
 * are checked, not saved (a firmware halfway through reading the VGA
 * BIOS must go on reading the same one).  The guest's position is state.
 */
static int fw_cfg_fields(void *dev, struct state *s)
{
	struct fw_cfg *f = dev;

	if (state_expect_u64(s, items_digest(f),
			     "the fw_cfg items (firmware files, RAM size) differ "
			     "from the snapshot's"))
		return -1;
	state_u16(s, &f->sel);
	state_u32(s, &f->off);
	state_u32(s, &f->dma_high);
	if (s->loading && !s->bad) {
		const struct fw_cfg_item *it = fw_cfg_find(f, f->sel);

		if (f->off > (it ? it->len : 0))
			return state_fail(s, "the offset is past the selected item");
	}
	return 0;
}

const struct device_model fw_cfg_device = {
	.name = "fw-cfg",
	.create = fw_cfg_create,
	.destroy = fw_cfg_destroy,
	.stats = fw_cfg_stats,
	.fields = fw_cfg_fields,
	.size = sizeof(struct fw_cfg),
	.version = 1,
};
