/* SPDX-License-Identifier: MIT */
/*
 * One disk interface, four drivers:
 *   ata-poll   emulated IDE/ATA, PIO, polls the status register (nIEN set)
 *   ata-irq    emulated IDE/ATA, PIO, sleeps (hlt) until IRQ 14 per block
 *   pv-sector  vmm's one-sector-per-hypercall call (the lab's design)
 *   pv-ring    vmm's request ring: many sectors per hypercall
 * disk_open() takes a driver name, or NULL to follow "disk=" on the command
 * line, else the boot info (PV when vmm says the disk is PV), else ata-poll.
 * Every call returns 0 or a negative VMM_E_* status.
 */
#ifndef SDK_DISK_H
#define SDK_DISK_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm.h"

enum disk_drv { DISK_ATA_POLL, DISK_ATA_IRQ, DISK_PV_SECTOR, DISK_PV_RING, DISK_NDRV };

struct disk {
	enum disk_drv drv;
	int unit;		/* ATA: 0 master, 1 slave */
	uint64_t sectors;
	bool lba48;		/* the drive takes 48-bit commands */
	bool force_ext;		/* use the EXT commands even below 2^28 */
	uint16_t multiple;	/* ATA sectors per block of READ/WRITE MULTIPLE, 0 off */
};

int disk_open(struct disk *d, const char *driver, int unit);
const char *disk_name(const struct disk *d);
int disk_read(struct disk *d, uint64_t lba, uint32_t count, void *buf);
int disk_write(struct disk *d, uint64_t lba, uint32_t count, const void *buf);
int disk_flush(struct disk *d);

/* ---- the layers below, for diskbench ---------------------------------- */

#define ATA_DATA	0x1f0
#define ATA_ERROR	0x1f1
#define ATA_NSECT	0x1f2
#define ATA_LBAL	0x1f3
#define ATA_LBAM	0x1f4
#define ATA_LBAH	0x1f5
#define ATA_DEVICE	0x1f6
#define ATA_STATUS	0x1f7
#define ATA_COMMAND	0x1f7
#define ATA_CTL		0x3f6

#define ATA_ST_ERR	0x01
#define ATA_ST_DRQ	0x08
#define ATA_ST_DF	0x20
#define ATA_ST_BSY	0x80
#define ATA_ER_ABRT	0x04
#define ATA_ER_IDNF	0x10

#define ATA_CMD_READ		0x20
#define ATA_CMD_READ_EXT	0x24
#define ATA_CMD_READ_MULT_EXT	0x29
#define ATA_CMD_WRITE		0x30
#define ATA_CMD_WRITE_EXT	0x34
#define ATA_CMD_WRITE_MULT_EXT	0x39
#define ATA_CMD_READ_MULT	0xc4
#define ATA_CMD_WRITE_MULT	0xc5
#define ATA_CMD_SET_MULT	0xc6
#define ATA_CMD_FLUSH		0xe7
#define ATA_CMD_FLUSH_EXT	0xea
#define ATA_CMD_IDENTIFY	0xec

/* Task file and command: LBA48 registers when ext, else LBA28. */
void ata_issue(int unit, uint8_t cmd, uint64_t lba, uint32_t count, bool ext);
/* Polls until BSY clears; the status, or -1 (ERR/DF, the error register in *err). */
int ata_poll(uint8_t *err);
/* The status the last IRQ 14 handler read (it acknowledges the interrupt). */
uint8_t ata_wait_irq(void);
/* SET MULTIPLE MODE; 0 or a negative status. */
int ata_set_multiple(struct disk *d, uint16_t n);

/* The shared page of the one-sector call, and the call itself. */
struct vmm_pv_disk *pv_sector_page(void);
static inline int32_t pv_sector_call(uint32_t op, uint64_t lba)
{
	struct vmm_pv_disk *pg = pv_sector_page();

	pg->op = op;
	pg->sector = lba;
	return vmm_hypercall(VMM_HC_DISK_SECTOR, 0, 0, 0, 0);
}

/*
 * Submits nsect sectors from lba as descriptors of per_desc sectors each,
 * a ring's worth per hypercall.  same_buf: every descriptor points at buf
 * (a benchmark resubmitting one prepared buffer), else buf advances.
 */
int pv_ring_io(uint32_t op, uint64_t lba, uint64_t nsect, void *buf,
	       uint32_t per_desc, bool same_buf);

#endif
