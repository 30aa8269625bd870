// SPDX-License-Identifier: MIT
/*
 * Emulated IDE/ATA, primary channel, PIO only: what a driver written for a
 * real PC disk expects.  The lab lost LBA bits, truncated the image and
 * never raised an interrupt; here every command checks its whole sector
 * range before any data moves, a step out of order aborts the command with
 * nothing written, and a write is acknowledged (BSY and DRQ clear, IRQ 14)
 * only once its block is in the image backend.
 *
 * Exits are the cost.  The data port and the task-file registers
 * 0x1f0-0x1f6 are coalesced PIO: writes to them queue in KVM's ring
 * without an exit and have no effect until the command register (which
 * exits) is written, so the ring is replayed in order before every exit is
 * handled and the device sees exactly the sequence the guest made.  While a
 * data-out phase waits for words, the I/O thread replays the ring too, so
 * a driver that halts for IRQ 14 after its last `out` is not left waiting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vmm/json.h"
#include "../vmm/state.h"
#include "../vmm/config.h"
#include "../vmm/device.h"
#include "ata.h"
#include "disk_image.h"

#define SECTOR	512
#define READY	(ATA_DRDY | ATA_DSC)

enum {
	CMD_RECALIBRATE = 0x10,
	CMD_READ = 0x20, CMD_READ_NR = 0x21, CMD_READ_EXT = 0x24,
	CMD_READ_MULT_EXT = 0x29,
	CMD_WRITE = 0x30, CMD_WRITE_NR = 0x31, CMD_WRITE_EXT = 0x34,
	CMD_WRITE_MULT_EXT = 0x39,
	CMD_VERIFY = 0x40, CMD_VERIFY_NR = 0x41, CMD_VERIFY_EXT = 0x42,
	CMD_DIAGNOSTIC = 0x90, CMD_INIT_PARAMS = 0x91,
	CMD_READ_MULT = 0xc4, CMD_WRITE_MULT = 0xc5, CMD_SET_MULT = 0xc6,
	CMD_STANDBY_NOW = 0xe0, CMD_IDLE_NOW = 0xe1, CMD_STANDBY = 0xe2,
	CMD_IDLE = 0xe3, CMD_CHECK_POWER = 0xe5,
	CMD_FLUSH = 0xe7, CMD_IDENTIFY = 0xec, CMD_FLUSH_EXT = 0xea,
	CMD_SET_FEATURES = 0xef,
};

static struct ata_drive *sel_drive(struct ata *s)
{
	return &s->drive[(s->device & ATA_DEV_SLAVE) ? 1 : 0];
}

/* INTRQ follows the pending interrupt unless the driver set nIEN. */
static void update_irq(struct ata *s)
{
	bool level = s->intrq && !(s->devctl & ATA_NIEN);

	if (level != s->irq_level) {
		s->irq_level = level;
		dev_irq_set(s->host, ATA_IRQ, level);
	}
}

static void raise_irq(struct ata *s)
{
	s->intrq = true;
	s->irqs++;
	update_irq(s);
}

static void set_polling(struct ata *s, bool on)
{
	if (s->polling != on && s->coalesced)
		dev_poll_request(s->host, on);
	s->polling = on;
}

static void end_phase(struct ata *s)
{
	s->phase = ATA_IDLE;
	s->pos = s->len = 0;
	s->left = s->block = 0;
	set_polling(s, false);
}

/* The command ends: status ready, or ERR with these error bits. */
static void finish(struct ata *s, uint8_t error, uint8_t extra_status)
{
	struct ata_drive *d = &s->drive[s->unit];

	end_phase(s);
	d->error = error;
	d->status = READY | extra_status | (error ? ATA_ERR : 0);
	if (error & ATA_ABRT)
		s->aborts++;
	raise_irq(s);
}

/* A step out of order: the command ends with ABRT; a partial block is dropped. */
static void protocol_abort(struct ata *s)
{
	s->protocol_errors++;
	if (s->phase != ATA_IDLE)
		finish(s, ATA_ABRT, 0);
}

static void put_string(uint16_t *id, int word, int words, const char *str)
{
	size_t n = strlen(str);

	/* two characters per word, the first in the high byte */
	for (int i = 0; i < words * 2; i++) {
		uint8_t c = (size_t)i < n ? (uint8_t)str[i] : ' ';

		if (i & 1)
			id[word + i / 2] |= c;
		else
			id[word + i / 2] = (uint16_t)(c << 8);
	}
}

/* The integrity word (signature A5h, checksum over all 512 bytes), then out. */
static void identify_seal(uint16_t id[256], uint8_t *out)
{
	uint8_t sum = 0xa5;

	id[255] = 0x00a5;
	for (int i = 0; i < 255; i++)
		sum += (uint8_t)id[i] + (uint8_t)(id[i] >> 8);
	id[255] |= (uint16_t)((uint8_t)-sum << 8);
	for (int i = 0; i < 256; i++) {
		out[2 * i] = (uint8_t)id[i];
		out[2 * i + 1] = (uint8_t)(id[i] >> 8);
	}
}

static void identify(struct ata *s, struct ata_drive *d)
{
	uint16_t id[256] = { 0 };
	uint64_t n = d->img->sectors;
	uint32_t cyl = (uint32_t)(n / (16 * 63));
	uint32_t lba28 = n > 0x0fffffff ? 0x0fffffff : (uint32_t)n;
	uint64_t chs = (uint64_t)d->heads * d->spt;

	if (cyl > 16383)
		cyl = 16383;
	if (cyl == 0)
		cyl = 1;
	chs = chs * (n / chs > 16383 ? 16383 : n / chs);
	id[0] = 0x0040;			/* fixed, non-removable disk */
	id[1] = (uint16_t)cyl;
	id[3] = 16;
	id[6] = 63;
	put_string(id, 10, 10, d->serial);
	put_string(id, 23, 4, "1.0");
	put_string(id, 27, 20, "VMM ATA DISK");
	id[47] = 0x8000 | ATA_MAX_MULTIPLE;
	id[49] = 0x0200;		/* LBA (no DMA: PIO only) */
	id[53] = 0x0003;		/* words 54-58 and 64-70 are valid */
	id[54] = (uint16_t)(chs / ((uint64_t)d->heads * d->spt));
	id[55] = d->heads;
	id[56] = d->spt;
	id[57] = (uint16_t)chs;
	id[58] = (uint16_t)(chs >> 16);
	id[59] = d->multiple ? (uint16_t)(0x0100 | d->multiple) : 0;
	id[60] = (uint16_t)lba28;
	id[61] = (uint16_t)(lba28 >> 16);
	id[64] = 0x0003;		/* PIO modes 3 and 4 */
	id[65] = id[66] = id[67] = id[68] = 120;
	id[80] = 0x01f0;		/* ATA-4 to ATA-8 */
	id[82] = 0x0020;		/* write cache */
	id[83] = 0x4000 | 0x2000 | 0x1000 | 0x0400; /* FLUSH EXT, FLUSH, LBA48 */
	id[84] = 0x4000;
	id[85] = d->wcache ? 0x0020 : 0;
	id[86] = 0x2000 | 0x1000 | 0x0400;
	id[87] = 0x4000;
	for (int i = 0; i < 4; i++)
		id[100 + i] = (uint16_t)(n >> (16 * i));
	identify_seal(id, s->buf);
	s->phase = ATA_DATA_IN;
	s->left = s->block = 1;
	s->pos = 0;
	s->len = SECTOR;
	d->error = 0;
	d->status = READY | ATA_DRQ;
	raise_irq(s);
}

/* Loads the next block of a read into the buffer and raises DRQ. */
static void read_block(struct ata *s)
{
	struct ata_drive *d = &s->drive[s->unit];
	uint32_t n = s->left < s->block ? s->left : s->block;

	if (disk_image_read(d->img, s->lba, n, s->buf) != VMM_OK) {
		finish(s, ATA_UNC, 0);
		return;
	}
	s->block = n;
	s->pos = 0;
	s->len = n * SECTOR;
	d->error = 0;
	d->status = READY | ATA_DRQ;
	raise_irq(s);
}

/* A block of a write is complete: store it, then ask for the next one. */
static void write_block(struct ata *s)
{
	struct ata_drive *d = &s->drive[s->unit];
	int r = disk_image_write(d->img, s->lba, s->block, s->buf);

	if (r == VMM_OK && !d->wcache)
		r = disk_image_flush(d->img);
	if (r != VMM_OK) {
		finish(s, ATA_ABRT, ATA_DF);
		return;
	}
	s->lba += s->block;
	s->left -= s->block;
	if (!s->left) {
		finish(s, 0, 0);
		return;
	}
	if (s->block > s->left)
		s->block = s->left;
	s->pos = 0;
	s->len = s->block * SECTOR;
	d->status = READY | ATA_DRQ;
	raise_irq(s);
}

static uint64_t lba28(struct ata *s, struct ata_drive *d, bool *ok)
{
	*ok = true;
	if (s->device & ATA_DEV_LBA)
		return (uint64_t)(s->device & 0x0f) << 24 | (uint64_t)s->lbah << 16 |
		       (uint64_t)s->lbam << 8 | s->lbal;
	/* CHS: cylinder in LBA mid/high, head in the device register, sector from 1 */
	uint32_t cyl = (uint32_t)s->lbah << 8 | s->lbam, head = s->device & 0x0f;

	if (s->lbal == 0 || s->lbal > d->spt || head >= d->heads) {
		*ok = false;
		return 0;
	}
	return ((uint64_t)cyl * d->heads + head) * d->spt + s->lbal - 1u;
}

static uint64_t lba48(const struct ata *s)
{
	return (uint64_t)s->hob_lbah << 40 | (uint64_t)s->hob_lbam << 32 |
	       (uint64_t)s->hob_lbal << 24 | (uint64_t)s->lbah << 16 |
	       (uint64_t)s->lbam << 8 | s->lbal;
}

/* READ/WRITE/VERIFY: the address, the count, the block size, then the range. */
static void transfer(struct ata *s, struct ata_drive *d, bool ext, bool write,
		     bool verify, uint32_t block)
{
	bool ok = true;
	uint64_t lba = ext ? lba48(s) : lba28(s, d, &ok);
	uint32_t count = ext ? ((uint32_t)s->hob_nsect << 8 | s->nsect) : s->nsect;

	if (!count)
		count = ext ? 65536 : 256;
	if (!block) {			/* READ/WRITE MULTIPLE before SET MULTIPLE */
		finish(s, ATA_ABRT, 0);
		return;
	}
	if (!ok || !disk_image_range_ok(d->img, lba, count)) {
		finish(s, ATA_IDNF, 0);
		return;
	}
	if (verify) {
		finish(s, 0, 0);
		return;
	}
	if (write && d->img->readonly) {
		finish(s, ATA_ABRT, 0);
		return;
	}
	s->lba = lba;
	s->left = count;
	s->block = block < count ? block : count;
	if (!write) {
		s->phase = ATA_DATA_IN;
		read_block(s);
		return;
	}
	/* PIO out: DRQ at once, no interrupt before the first block */
	s->phase = ATA_DATA_OUT;
	s->pos = 0;
	s->len = s->block * SECTOR;
	d->error = 0;
	d->status = READY | ATA_DRQ;
	set_polling(s, true);
}

static void set_features(struct ata *s, struct ata_drive *d)
{
	switch (s->feature) {
	case 0x02: d->wcache = true; break;
	case 0x82: d->wcache = false; break;
	case 0x03:		/* transfer mode: any PIO mode is fine */
		if ((s->nsect >> 3) > 1) {
			finish(s, ATA_ABRT, 0);
			return;
		}
		break;
	case 0x55: case 0xaa:	/* read look-ahead off/on */
	case 0x66: case 0xcc:	/* power-on defaults */
		break;
	default:
		finish(s, ATA_ABRT, 0);
		return;
	}
	finish(s, 0, 0);
}

static void signature(struct ata *s)
{
	s->nsect = s->lbal = 1;
	s->lbam = s->lbah = 0;
	s->device = 0;
}

/* The data commands, one row each: the register set, direction and block size. */
static const struct {
	uint8_t cmd;
	bool lba48, write, verify, multiple;
} data_commands[] = {
	{ CMD_READ, false, false, false, false },
	{ CMD_READ_NR, false, false, false, false },
	{ CMD_READ_EXT, true, false, false, false },
	{ CMD_WRITE, false, true, false, false },
	{ CMD_WRITE_NR, false, true, false, false },
	{ CMD_WRITE_EXT, true, true, false, false },
	{ CMD_READ_MULT, false, false, false, true },
	{ CMD_READ_MULT_EXT, true, false, false, true },
	{ CMD_WRITE_MULT, false, true, false, true },
	{ CMD_WRITE_MULT_EXT, true, true, false, true },
	{ CMD_VERIFY, false, false, true, false },
	{ CMD_VERIFY_NR, false, false, true, false },
	{ CMD_VERIFY_EXT, true, false, true, false },
};

/* cmd's row in data_commands, or -1 */
static int data_command_row(uint8_t cmd)
{
	for (size_t i = 0; i < sizeof(data_commands) / sizeof(data_commands[0]); i++)
		if (data_commands[i].cmd == cmd)
			return (int)i;
	return -1;
}

static bool data_command(struct ata *s, struct ata_drive *d, uint8_t cmd)
{
	int i = data_command_row(cmd);

	if (i < 0)
		return false;
	transfer(s, d, data_commands[i].lba48, data_commands[i].write,
		 data_commands[i].verify, data_commands[i].multiple ? d->multiple : 1);
	return true;
}

/* Commands without data: they finish at once, with or without an error. */
static void control_command(struct ata *s, struct ata_drive *d, uint8_t cmd)
{
	switch (cmd) {
	case CMD_SET_MULT:
		/* a power of two up to the maximum; 0 turns multiple mode off */
		if (s->nsect > ATA_MAX_MULTIPLE || (s->nsect & (s->nsect - 1))) {
			finish(s, ATA_ABRT, 0);
		} else {
			d->multiple = s->nsect;
			finish(s, 0, 0);
		}
		break;
	case CMD_FLUSH: case CMD_FLUSH_EXT:
		finish(s, disk_image_flush(d->img) == VMM_OK ? 0 : ATA_ABRT, 0);
		break;
	case CMD_SET_FEATURES:
		set_features(s, d);
		break;
	case CMD_INIT_PARAMS:
		if (s->nsect == 0) {
			finish(s, ATA_ABRT, 0);
			break;
		}
		d->heads = (uint16_t)((s->device & 0x0f) + 1);
		d->spt = s->nsect;
		finish(s, 0, 0);
		break;
	case CMD_CHECK_POWER:
		s->nsect = 0xff;	/* active or idle */
		finish(s, 0, 0);
		break;
	case CMD_STANDBY_NOW: case CMD_IDLE_NOW: case CMD_STANDBY: case CMD_IDLE:
		finish(s, 0, 0);
		break;
	case CMD_DIAGNOSTIC:
		signature(s);
		finish(s, 0, 0);
		/* both drives run it: both pass, and neither keeps an old ERR */
		for (int u = 0; u < 2; u++) {
			s->drive[u].error = 0x01;
			s->drive[u].status &= (uint8_t)~(ATA_ERR | ATA_DF);
		}
		break;
	default:
		if (cmd >= CMD_RECALIBRATE && cmd <= 0x1f)
			finish(s, 0, 0);
		else
			finish(s, ATA_ABRT, 0);
	}
}

static void command(struct ata *s, uint8_t cmd)
{
	struct ata_drive *d = sel_drive(s);

	if (!d->img)
		return;		/* the absent drive: nobody answers */
	if (s->phase != ATA_IDLE || (d->status & ATA_BSY)) {
		protocol_abort(s);
		return;
	}
	s->cmd = cmd;
	s->unit = d == &s->drive[1];
	if (cmd == CMD_IDENTIFY)
		identify(s, d);
	else if (!data_command(s, d, cmd))
		control_command(s, d, cmd);
}

/* Soft reset: SRST set holds both drives busy, clearing it ends the reset. */
static void device_control(struct ata *s, uint8_t v)
{
	uint8_t old = s->devctl;

	s->devctl = v;
	if ((v & ATA_SRST) && !(old & ATA_SRST)) {
		end_phase(s);
		s->intrq = false;
		for (int i = 0; i < 2; i++)
			if (s->drive[i].img)
				s->drive[i].status = ATA_BSY;
	} else if (!(v & ATA_SRST) && (old & ATA_SRST)) {
		for (int i = 0; i < 2; i++) {
			if (!s->drive[i].img)
				continue;
			s->drive[i].status = READY;
			s->drive[i].error = 0x01;	/* diagnostic passed */
		}
		signature(s);
		s->hob_feature = s->hob_nsect = s->hob_lbal = 0;
		s->hob_lbam = s->hob_lbah = 0;
	}
	update_irq(s);
}

static uint8_t status_of(struct ata *s, bool ack)
{
	struct ata_drive *d = sel_drive(s);

	if (!d->img)
		return 0;	/* the absent drive of a pair reads 0 */
	if (ack && s->intrq) {
		s->intrq = false;
		update_irq(s);
	}
	return d->status;
}

static void data_write(struct ata *s, const uint8_t *p, uint32_t size)
{
	if (s->phase != ATA_DATA_OUT) {
		protocol_abort(s);	/* no DRQ: nothing is accepted */
		return;
	}
	/* a byte access moves one whole word, as on the 16-bit data bus */
	s->buf[s->pos] = p[0];
	s->buf[s->pos + 1] = size > 1 ? p[1] : 0;
	s->pos += 2;
	if (size == 4 && s->pos < s->len) {
		s->buf[s->pos] = p[2];
		s->buf[s->pos + 1] = p[3];
		s->pos += 2;
	}
	if (s->pos >= s->len)
		write_block(s);
}

static void data_read(struct ata *s, uint8_t *p, uint32_t size)
{
	memset(p, 0, size);
	if (s->phase != ATA_DATA_IN) {
		protocol_abort(s);
		return;
	}
	for (uint32_t i = 0; i < size && i < 4; i += 2) {
		p[i] = s->buf[s->pos];
		if (i + 1 < size)
			p[i + 1] = s->buf[s->pos + 1];
		s->pos += 2;
		if (s->pos < s->len)
			continue;
		/* block done: the next one, or the end of the command */
		s->lba += s->block;
		s->left -= s->block;
		if (s->left && s->cmd != CMD_IDENTIFY) {
			read_block(s);
		} else {
			end_phase(s);
			s->drive[s->unit].status = READY;
		}
		break;
	}
}

/* A task-file register takes a new value; the old one becomes the HOB. */
static void taskfile_write(struct ata *s, uint8_t *cur, uint8_t *hob, uint8_t v)
{
	*hob = *cur;
	*cur = v;
}

static void ata_io(void *opaque, struct bus_access *a)
{
	struct ata *s = opaque;
	uint8_t v = a->data[0];
	bool hob = s->devctl & ATA_HOB;

	if (a->off == ATA_REG_DATA) {
		if (a->write)
			data_write(s, a->data, a->size);
		else
			data_read(s, a->data, a->size);
		return;
	}
	if (!a->write) {
		struct ata_drive *d = sel_drive(s);
		uint8_t r = 0;

		switch (a->off) {
		case ATA_REG_ERROR: r = d->img ? d->error : 0; break;
		case ATA_REG_NSECT: r = hob ? s->hob_nsect : s->nsect; break;
		case ATA_REG_LBAL: r = hob ? s->hob_lbal : s->lbal; break;
		case ATA_REG_LBAM: r = hob ? s->hob_lbam : s->lbam; break;
		case ATA_REG_LBAH: r = hob ? s->hob_lbah : s->lbah; break;
		case ATA_REG_DEVICE: r = s->device | 0xa0; break;
		case ATA_REG_STATUS: r = status_of(s, true); break;
		}
		bus_put(a, r);
		return;
	}
	if (a->off == ATA_REG_COMMAND) {
		command(s, v);
		return;
	}
	/* the task file may not change under a running command */
	if (s->phase != ATA_IDLE)
		protocol_abort(s);
	s->devctl &= (uint8_t)~ATA_HOB;
	switch (a->off) {
	case ATA_REG_FEATURE: taskfile_write(s, &s->feature, &s->hob_feature, v); break;
	case ATA_REG_NSECT: taskfile_write(s, &s->nsect, &s->hob_nsect, v); break;
	case ATA_REG_LBAL: taskfile_write(s, &s->lbal, &s->hob_lbal, v); break;
	case ATA_REG_LBAM: taskfile_write(s, &s->lbam, &s->hob_lbam, v); break;
	case ATA_REG_LBAH: taskfile_write(s, &s->lbah, &s->hob_lbah, v); break;
	case ATA_REG_DEVICE: s->device = v & 0x5f; break;
	}
}

static void ata_ctl_io(void *opaque, struct bus_access *a)
{
	struct ata *s = opaque;

	if (a->write)
		device_control(s, a->data[0]);
	else
		bus_put(a, status_of(s, false));
}

static void drive_init(struct ata_drive *d, struct disk_image *img, int unit)
{
	d->img = img;
	if (!img)
		return;
	d->status = READY;
	d->error = 0x01;
	d->heads = 16;
	d->spt = 63;
	d->wcache = true;
	snprintf(d->serial, sizeof(d->serial), "VMM%016d", unit + 1);
}

struct ata *ata_create(struct device_host *h, struct disk_image *master,
		       struct disk_image *slave)
{
	struct ata *s = calloc(1, sizeof(*s));

	if (!s || !master) {
		free(s);
		return NULL;
	}
	s->host = h;
	drive_init(&s->drive[0], master, 0);
	drive_init(&s->drive[1], slave, 1);
	signature(s);
	if (dev_register_pio(h, ATA_IO_BASE, 8, ata_io, s, "ata") ||
	    dev_register_pio(h, ATA_CTL_PORT, 1, ata_ctl_io, s, "ata-ctl")) {
		fprintf(stderr, "vmm: ata: ports 0x1f0-0x1f7/0x3f6 already taken\n");
		free(s);
		return NULL;
	}
	/* Without the capability every access exits: slower, still correct. */
	s->coalesced = dev_coalesce_pio(h, ATA_IO_BASE, 7);
	return s;
}

void ata_destroy(struct ata *s)
{
	free(s);
}

/* disk.mode = "emulated": the configured images as master and slave */
static int ata_dev_create(struct device_host *h, void **dev)
{
	if (!dev_disk(h, 0) || h->cfg->disk.mode != VMM_MODE_EMULATED)
		return 0;
	*dev = ata_create(h, dev_disk(h, 0), dev_disk(h, 1));
	return *dev ? 0 : VMM_EXIT_SETUP;
}

static void ata_dev_destroy(void *dev)
{
	ata_destroy(dev);
}

/* The channel's drives are the images: it flushes and locks them. */
static int ata_flush(void *dev)
{
	const struct ata *s = dev;
	int r = 0;

	for (int i = 0; i < 2; i++)
		if (s->drive[i].img && disk_image_flush(s->drive[i].img))
			r = -1;
	return r;
}

static int ata_hold(void *dev, bool lock)
{
	const struct ata *s = dev;
	int r = 0;

	for (int i = 0; i < 2; i++)
		if (s->drive[i].img && disk_image_lock(s->drive[i].img, lock))
			r = -1;
	return r;
}

static void ata_stats(const void *dev, struct json *j)
{
	const struct ata *s = dev;

	json_u64(j, "irqs", s->irqs);
	json_u64(j, "aborts", s->aborts);
	json_u64(j, "protocol_errors", s->protocol_errors);
}

/* ---- saved state ---- */

static int drive_fields(struct ata_drive *d, struct state *s)
{
	bool present = d->img != NULL;
	uint8_t ok_status = READY | ATA_DRQ | ATA_ERR | ATA_DF;

	state_bool(s, &present);
	if (s->loading && present != (d->img != NULL))
		return state_fail(s, "the drives differ from this machine's");
	if (!d->img)
		return 0;
	state_u8(s, &d->status);
	state_u8(s, &d->error);
	state_u16(s, &d->heads);
	state_u16(s, &d->spt);
	state_u16(s, &d->multiple);
	state_bool(s, &d->wcache);
	if (!s->loading || s->bad)
		return 0;
	if (d->status != ATA_BSY && ((d->status & READY) != READY ||
				     (d->status & ~ok_status) ||
				     ((d->status & ATA_DF) && !(d->status & ATA_ERR))))
		return state_fail(s, "a drive's status is impossible");
	if ((d->error & ~(0x01 | ATA_ABRT | ATA_IDNF | ATA_UNC)) ||
	    ((d->status & ATA_ERR) && !(d->error & (ATA_ABRT | ATA_IDNF | ATA_UNC))))
		return state_fail(s, "a drive's error register is impossible");
	if (d->heads < 1 || d->heads > 16 || d->spt < 1 || d->spt > 255 ||
	    d->multiple > ATA_MAX_MULTIPLE || (d->multiple & (d->multiple - 1)))
		return state_fail(s, "a drive's geometry or block size is impossible");
	return 0;
}

/* The data phase agrees with the command, its counters and the drive. */
static bool transfer_consistent(const struct ata *s)
{
	const struct ata_drive *d = &s->drive[s->unit];
	int row = data_command_row(s->cmd);
	uint32_t per;

	if (s->phase == ATA_IDLE)
		return !s->pos && !s->len && !s->left && !s->block;
	if (s->pos >= s->len || (s->pos & 1))
		return false;
	if (s->cmd == CMD_IDENTIFY)
		return s->phase == ATA_DATA_IN && s->left == 1 && s->block == 1 &&
		       s->len == SECTOR;
	if (row < 0 || data_commands[row].verify ||
	    data_commands[row].write != (s->phase == ATA_DATA_OUT) ||
	    (data_commands[row].write && d->img->readonly))
		return false;
	per = data_commands[row].multiple ? d->multiple : 1;
	return per && s->left && s->left <= (data_commands[row].lba48 ? 65536u : 256u) &&
	       s->block == (s->left < per ? s->left : per) &&
	       s->len == s->block * SECTOR &&
	       disk_image_range_ok(d->img, s->lba, s->left);
}

/* What the channel's registers say of each other and of the drives. */
static bool channel_consistent(const struct ata *s)
{
	bool srst = s->devctl & ATA_SRST;

	if ((s->device & ~0x5f) || s->phase > ATA_DATA_OUT || s->unit < 0 ||
	    s->unit > 1 || !s->drive[s->unit].img ||
	    s->irq_level != (s->intrq && !(s->devctl & ATA_NIEN)) ||
	    (srst && (s->intrq || s->phase != ATA_IDLE)))
		return false;
	for (int u = 0; u < 2; u++) {
		const struct ata_drive *d = &s->drive[u];

		if (!d->img)
			continue;
		if (srst != (d->status == ATA_BSY) ||
		    !!(d->status & ATA_DRQ) != (s->phase != ATA_IDLE && s->unit == u))
			return false;
	}
	return transfer_consistent(s);
}

static int ata_fields(void *dev, struct state *s)
{
	struct ata *a = dev;
	uint8_t *tf[] = { &a->feature, &a->nsect, &a->lbal, &a->lbam, &a->lbah,
			  &a->hob_feature, &a->hob_nsect, &a->hob_lbal,
			  &a->hob_lbam, &a->hob_lbah, &a->device, &a->devctl };
	uint8_t phase = (uint8_t)a->phase, unit = (uint8_t)a->unit;

	for (int u = 0; u < 2; u++)
		if (drive_fields(&a->drive[u], s))
			return -1;
	for (size_t i = 0; i < sizeof(tf) / sizeof(tf[0]); i++)
		state_u8(s, tf[i]);
	state_bool(s, &a->intrq);
	state_bool(s, &a->irq_level);
	state_u8(s, &phase);
	state_u8(s, &a->cmd);
	state_u8(s, &unit);
	state_u64(s, &a->lba);
	state_u32(s, &a->left);
	state_u32(s, &a->block);
	state_u32(s, &a->pos);
	state_u32(s, &a->len);
	if (s->loading && !s->bad) {
		a->phase = (enum ata_phase)phase;
		a->unit = unit;
		if (phase > ATA_DATA_OUT || a->len > sizeof(a->buf) ||
		    !channel_consistent(a))
			return state_fail(s, "the registers or the transfer in progress "
					  "do not add up");
	}
	/* the block being moved: what a transfer in flight still needs */
	state_bytes(s, a->buf, a->len);
	return 0;
}

/*
 * A transfer in flight goes on where it was: a loaded data-out phase
 * has the I/O thread drain the ring again.  The IRQ line is not driven
 * (vmm/device.h): the restored irqchip holds it.
 */
static void ata_loaded(void *dev)
{
	struct ata *a = dev;

	set_polling(a, a->phase == ATA_DATA_OUT);
}

const struct device_model ata_device = {
	.name = "ata",
	.create = ata_dev_create,
	.destroy = ata_dev_destroy,
	.flush = ata_flush,
	.hold = ata_hold,
	.stats = ata_stats,
	.fields = ata_fields,
	.size = sizeof(struct ata),
	.loaded = ata_loaded,
	.version = 1,
};
