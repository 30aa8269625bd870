/* SPDX-License-Identifier: MIT */
#ifndef DEVICES_ATA_H
#define DEVICES_ATA_H

#include <stdbool.h>
#include <stdint.h>

struct device_host;
struct disk_image;

#define ATA_IO_BASE	0x1f0	/* data .. command/status */
#define ATA_CTL_PORT	0x3f6	/* alternate status / device control */
#define ATA_IRQ		14
#define ATA_MAX_MULTIPLE 128	/* sectors per DRQ block for READ/WRITE MULTIPLE */

/* registers, as offsets from ATA_IO_BASE */
enum {
	ATA_REG_DATA, ATA_REG_ERROR, ATA_REG_NSECT, ATA_REG_LBAL, ATA_REG_LBAM,
	ATA_REG_LBAH, ATA_REG_DEVICE, ATA_REG_STATUS,
};
#define ATA_REG_FEATURE	ATA_REG_ERROR
#define ATA_REG_COMMAND	ATA_REG_STATUS

/* status */
#define ATA_ERR		0x01
#define ATA_DRQ		0x08
#define ATA_DSC		0x10
#define ATA_DF		0x20
#define ATA_DRDY	0x40
#define ATA_BSY		0x80
/* error */
#define ATA_ABRT	0x04
#define ATA_IDNF	0x10
#define ATA_UNC		0x40
/* device */
#define ATA_DEV_LBA	0x40
#define ATA_DEV_SLAVE	0x10
/* device control */
#define ATA_NIEN	0x02
#define ATA_SRST	0x04
#define ATA_HOB		0x80

enum ata_phase { ATA_IDLE, ATA_DATA_IN, ATA_DATA_OUT };

struct ata_drive {
	struct disk_image *img;	/* NULL: no drive at this position */
	uint8_t status, error;
	uint16_t heads, spt;	/* CHS translation (INITIALIZE DEVICE PARAMETERS) */
	uint16_t multiple;	/* sectors per block of READ/WRITE MULTIPLE, 0 = off */
	bool wcache;		/* write cache on; off means flush after each write */
	char serial[21];
};

struct ata {
	struct device_host *host;
	struct ata_drive drive[2];
	/* the task file, with the values written before ("high order bytes") */
	uint8_t feature, nsect, lbal, lbam, lbah;
	uint8_t hob_feature, hob_nsect, hob_lbal, hob_lbam, hob_lbah;
	uint8_t device, devctl;
	bool intrq;		/* pending until the status register is read */
	bool irq_level;		/* what dev_irq_set was last told */
	bool polling;		/* the I/O thread drains the ring for us */
	bool coalesced;		/* ports 0x1f0-0x1f6 are coalesced PIO */
	/* the command in progress */
	enum ata_phase phase;
	uint8_t cmd;
	int unit;
	uint64_t lba;		/* first sector of the current block */
	uint32_t left;		/* sectors in this and the following blocks */
	uint32_t block;		/* sectors in the current block */
	uint32_t pos, len;	/* bytes moved / bytes in the current block */
	uint8_t buf[ATA_MAX_MULTIPLE * 512];
	uint64_t irqs, aborts, protocol_errors;
};

/*
 * The primary channel with up to two drives; registers 0x1f0-0x1f7 and
 * 0x3f6 on the port bus, and (with KVM) 0x1f0-0x1f6 as coalesced PIO.
 */
struct ata *ata_create(struct device_host *h, struct disk_image *master,
		       struct disk_image *slave);
void ata_destroy(struct ata *s);

#endif
