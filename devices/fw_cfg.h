/* SPDX-License-Identifier: MIT */
/*
 * QEMU's firmware configuration interface (fw_cfg), the I/O port flavour
 * SeaBIOS looks for: a 16-bit selector at 0x510, a byte-wide data port at
 * 0x511 that advances through the selected item, and the DMA address
 * register at 0x514-0x51b (big-endian; writing the low half at 0x518
 * runs the descriptor).  Items are read only; files (etc/e820, the VGA
 * BIOS, ...) are listed in the directory at 0x0019, added with one call.
 */
#ifndef DEVICES_FW_CFG_H
#define DEVICES_FW_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bus_access;
struct guest_mem;
struct device_model;

#define FW_CFG_PORT_SEL		0x510
#define FW_CFG_PORT_DATA	0x511
#define FW_CFG_PORT_DMA		0x514	/* 8 bytes: high half, then low half */

/* selector keys */
#define FW_CFG_SIGNATURE	0x0000	/* "QEMU" */
#define FW_CFG_ID		0x0001	/* LE32 feature bits */
#define FW_CFG_RAM_SIZE		0x0003	/* LE64 */
#define FW_CFG_NB_CPUS		0x0005	/* LE16 */
#define FW_CFG_BOOT_MENU	0x000e	/* LE16: SeaBIOS's etc/show-boot-menu */
#define FW_CFG_MAX_CPUS		0x000f	/* LE16 */
#define FW_CFG_FILE_DIR		0x0019
#define FW_CFG_FILE_FIRST	0x0020
#define FW_CFG_WRITE_CHANNEL	0x4000	/* ignored: nothing is writable */

#define FW_CFG_ID_TRADITIONAL	0x01
#define FW_CFG_ID_DMA		0x02

/* DMA descriptor: BE32 control, BE32 length, BE64 address */
#define FW_CFG_DMA_ERROR	0x01
#define FW_CFG_DMA_READ		0x02
#define FW_CFG_DMA_SKIP		0x04
#define FW_CFG_DMA_SELECT	0x08	/* key in the top 16 bits */
#define FW_CFG_DMA_WRITE	0x10
#define FW_CFG_DMA_DESC_SIZE	16
/* what reading the DMA address register returns: "QEMU CFG" */
#define FW_CFG_DMA_SIGNATURE	"QEMU CFG"

#define FW_CFG_MAX_ITEMS	48
#define FW_CFG_NAME_MAX		56	/* with the NUL */
#define FW_CFG_FILE_MAX		(16u << 20)

/* etc/e820 entry types */
#define E820_RAM		1
#define E820_RESERVED		2
#define E820_ENTRY_SIZE		20	/* LE64 address, LE64 length, LE32 type */
#define E820_MAX_ENTRIES	8

struct fw_cfg_item {
	uint16_t key;
	char name[FW_CFG_NAME_MAX];	/* "" for the numbered items */
	uint8_t *data;
	uint32_t len;
};

struct fw_cfg {
	const struct guest_mem *mem;	/* where DMA reads and writes */
	struct fw_cfg_item items[FW_CFG_MAX_ITEMS];
	unsigned int n_items;
	uint16_t next_key;		/* for the next file */
	uint16_t sel;
	uint32_t off;			/* into the selected item */
	uint32_t dma_high;		/* the address register's high half */

	uint64_t data_reads, dma_ops, dma_bytes, dma_errors;
};

/*
 * The items every guest finds (signature, features, directory, RAM size,
 * one CPU, boot menu on or off).  DMA goes to mem, which tests may fake.
 */
struct fw_cfg *fw_cfg_new(const struct guest_mem *mem, uint64_t ram_bytes,
			  bool menu);
void fw_cfg_free(struct fw_cfg *f);
/* Adds a copy of data as a named file; -1 when full, too big or named badly. */
int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data,
		    size_t len);
/* The selected item, or NULL when nothing has that key. */
const struct fw_cfg_item *fw_cfg_find(const struct fw_cfg *f, uint16_t key);
/* The port handler for both ranges (told apart by a->addr). */
void fw_cfg_io(void *opaque, struct bus_access *a);
/*
 * The PC memory map for ram_bytes of RAM below 4 GiB as etc/e820 entries
 * into out (room for E820_MAX_ENTRIES); returns the bytes written.
 */
size_t fw_cfg_e820(uint64_t ram_bytes, uint8_t *out);

extern const struct device_model fw_cfg_device;

#endif
