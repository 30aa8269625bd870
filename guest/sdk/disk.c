// SPDX-License-Identifier: MIT
/* The SDK's disk drivers: ATA polling, ATA IRQ 14, PV one-sector, PV ring. */
#include "blkdev.h"
#include "disk.h"
#include "irq.h"
#include "sdk.h"

static const char *const names[DISK_NDRV] = {
	"ata-poll", "ata-irq", "pv-sector", "pv-ring",
};

const char *disk_name(const struct disk *d)
{
	return d->drv < DISK_NDRV ? names[d->drv] : "none";
}

/* ---- ATA ---------------------------------------------------------------- */

static volatile uint8_t irq_status;
static volatile int irq_seen;

static void ata_irq(unsigned int irq)
{
	(void)irq;
	irq_status = inb(ATA_STATUS);	/* reading it acknowledges the IRQ */
	irq_seen = 1;
}

uint8_t ata_wait_irq(void)
{
	for (;;) {
		cli();
		if (irq_seen) {
			irq_seen = 0;
			return irq_status;
		}
		irq_wait();	/* sti; hlt: no wake-up is lost in between */
	}
}

void ata_issue(int unit, uint8_t cmd, uint64_t lba, uint32_t count, bool ext)
{
	if (ext) {
		outb(ATA_DEVICE, (uint8_t)(0x40 | unit << 4));
		outb(ATA_NSECT, (uint8_t)(count >> 8));
		outb(ATA_LBAL, (uint8_t)(lba >> 24));
		outb(ATA_LBAM, (uint8_t)(lba >> 32));
		outb(ATA_LBAH, (uint8_t)(lba >> 40));
	} else {
		outb(ATA_DEVICE, (uint8_t)(0xe0 | unit << 4 | ((lba >> 24) & 0x0f)));
	}
	outb(ATA_NSECT, (uint8_t)count);
	outb(ATA_LBAL, (uint8_t)lba);
	outb(ATA_LBAM, (uint8_t)(lba >> 8));
	outb(ATA_LBAH, (uint8_t)(lba >> 16));
	outb(ATA_COMMAND, cmd);
}

int ata_poll(uint8_t *err)
{
	uint8_t s;

	while ((s = inb(ATA_STATUS)) & ATA_ST_BSY)
		;
	if (s & (ATA_ST_ERR | ATA_ST_DF)) {
		if (err)
			*err = inb(ATA_ERROR);
		return -1;
	}
	return s;
}

/*
 * Both ATA drivers share the channel: nIEN follows the driver making the
 * call (one extra port write, only when it changes).
 */
static int ctl_state = -1;

static void ata_mode(const struct disk *d)
{
	int want = d->drv == DISK_ATA_IRQ ? 0 : 0x02;

	if (want != ctl_state) {
		outb(ATA_CTL, (uint8_t)want);
		ctl_state = want;
	}
}

static int ata_error(uint8_t err)
{
	return (err & ATA_ER_IDNF) ? VMM_E_RANGE : VMM_E_IO;
}

/* The status at the start of each block / the end: polled or from IRQ 14. */
static int ata_next(struct disk *d)
{
	uint8_t s, err = 0;

	if (d->drv == DISK_ATA_IRQ) {
		s = ata_wait_irq();
		if (s & ATA_ST_BSY)	/* cannot happen: IRQ comes when ready */
			return ata_poll(&err) < 0 ? ata_error(err) : 0;
		if (!(s & (ATA_ST_ERR | ATA_ST_DF)))
			return s;
		return ata_error(inb(ATA_ERROR));
	}
	int r = ata_poll(&err);

	return r < 0 ? ata_error(err) : r;
}

static int ata_cmd_nodata(struct disk *d, uint8_t cmd, uint32_t count)
{
	ata_mode(d);
	irq_seen = 0;
	ata_issue(d->unit, cmd, 0, count, false);
	int r = ata_next(d);

	return r < 0 ? r : 0;
}

int ata_set_multiple(struct disk *d, uint16_t n)
{
	int r = ata_cmd_nodata(d, ATA_CMD_SET_MULT, n);

	if (r == 0)
		d->multiple = n;
	return r;
}

/* Up to 256 sectors (65536 with EXT) in one command, block by block. */
static int ata_rw(struct disk *d, bool write, uint64_t lba, uint32_t count,
		  uint8_t *buf)
{
	bool ext = d->force_ext || lba + count > 0x0fffffffull || count > 256;
	bool mult = d->multiple && count > 1;
	uint8_t cmd;
	uint32_t block = mult ? d->multiple : 1;

	if (ext && !d->lba48)
		return VMM_E_RANGE;
	ata_mode(d);
	if (write)
		cmd = mult ? (ext ? ATA_CMD_WRITE_MULT_EXT : ATA_CMD_WRITE_MULT) :
			     (ext ? ATA_CMD_WRITE_EXT : ATA_CMD_WRITE);
	else
		cmd = mult ? (ext ? ATA_CMD_READ_MULT_EXT : ATA_CMD_READ_MULT) :
			     (ext ? ATA_CMD_READ_EXT : ATA_CMD_READ);
	irq_seen = 0;
	ata_issue(d->unit, cmd, lba, count, ext);
	int s = 0;

	if (write) {
		/* PIO out: no interrupt before the first block; poll for DRQ */
		uint8_t err = 0;

		s = ata_poll(&err);
		if (s < 0)
			return ata_error(err);
	}
	while (count) {
		uint32_t n = count < block ? count : block;

		if (!write) {
			s = ata_next(d);
			if (s < 0)
				return s;
		}
		if (!(s & ATA_ST_DRQ))
			return VMM_E_IO;
		if (write)
			outsw(ATA_DATA, buf, n * 256);
		else
			insw(ATA_DATA, buf, n * 256);
		buf += n * 512;
		count -= n;
		if (write) {
			/* acknowledged once stored: DRQ for the next block, or done */
			s = ata_next(d);
			if (s < 0)
				return s;
		}
	}
	return 0;
}

static int ata_open(struct disk *d)
{
	static uint16_t id[256];
	uint8_t s;

	ctl_state = -1;
	ata_mode(d);		/* nIEN when polling */
	outb(ATA_DEVICE, (uint8_t)(0xa0 | d->unit << 4));
	s = inb(ATA_STATUS);
	if (s == 0xff || s == 0)
		return VMM_E_NODEV;	/* floating bus / absent drive */
	if (d->drv == DISK_ATA_IRQ) {
		irq_init_once();
		irq_register(14, ata_irq);
		irq_wake_tick();
	}
	irq_seen = 0;
	outb(ATA_COMMAND, ATA_CMD_IDENTIFY);
	int r = ata_next(d);

	if (r < 0 || !(r & ATA_ST_DRQ))
		return VMM_E_NODEV;
	insw(ATA_DATA, id, 256);
	d->lba48 = id[83] & (1u << 10);
	if (d->lba48)
		d->sectors = (uint64_t)id[100] | (uint64_t)id[101] << 16 |
			     (uint64_t)id[102] << 32 | (uint64_t)id[103] << 48;
	else
		d->sectors = (uint32_t)id[60] | (uint32_t)id[61] << 16;
	/* the largest power of two the drive takes per block, up to 128 */
	uint16_t max = id[47] & 0xff, n = 128;

	while (n > max)
		n >>= 1;
	if (n > 1 && ata_set_multiple(d, n))
		d->multiple = 0;
	return 0;
}

/* ---- PV ----------------------------------------------------------------- */

struct vmm_pv_disk *pv_sector_page(void)
{
	const struct vmm_boot_info *bi = vmm_boot_info();

	return (struct vmm_pv_disk *)(uintptr_t)bi->disk_page;
}

static struct vmm_pv_ring *ring(void)
{
	return (struct vmm_pv_ring *)(uintptr_t)vmm_boot_info()->disk_ring;
}

static uint32_t ring_prod;

int pv_ring_io(uint32_t op, uint64_t lba, uint64_t nsect, void *buf,
	       uint32_t per_desc, bool same_buf)
{
	struct vmm_pv_ring *r = ring();
	uint32_t addr = (uint32_t)(uintptr_t)buf;
	int status = 0;

	if (op == VMM_DISK_FLUSH)
		nsect = 1;
	while (nsect) {
		uint32_t first = ring_prod;

		for (int i = 0; i < VMM_PV_RING_ENTRIES && nsect; i++) {
			struct vmm_pv_desc *d = &r->desc[ring_prod % VMM_PV_RING_ENTRIES];
			uint32_t n = nsect < per_desc ? (uint32_t)nsect : per_desc;

			d->op = op;
			d->count = op == VMM_DISK_FLUSH ? 0 : n;
			d->sector = lba;
			d->buf = addr;
			d->status = 1;
			lba += n;
			nsect -= n;
			if (!same_buf)
				addr += n * VMM_SECTOR_SIZE;
			ring_prod++;
		}
		r->prod = ring_prod;
		int32_t h;

		/* the VMM moves at most VMM_PV_RING_BUDGET bytes per call */
		do
			h = vmm_hypercall(VMM_HC_DISK_RING, 0, 0, 0, 0);
		while (h == VMM_PENDING);
		if (h)
			return h;
		for (uint32_t i = first; i != ring_prod; i++) {
			int32_t st = r->desc[i % VMM_PV_RING_ENTRIES].status;

			if (st && !status)
				status = st;
		}
		if (status)
			return status;
	}
	return 0;
}

static int pv_open(struct disk *d)
{
	const struct vmm_boot_info *bi = vmm_boot_info();

	if (!bi || bi->disk_mode != VMM_MODE_PV || d->unit != 0)
		return VMM_E_NODEV;
	d->sectors = bi->disk_sectors;
	d->lba48 = true;
	if (d->drv == DISK_PV_RING)
		ring_prod = ring()->cons;	/* pick up where the VMM is */
	return 0;
}

static int pv_sector_rw(const struct disk *d, bool write, uint64_t lba,
			uint32_t count, uint8_t *buf)
{
	struct vmm_pv_disk *pg = pv_sector_page();

	/*
	 * One call per sector cannot refuse a range as a whole, so a request
	 * running off the end is refused here before its first sector; a
	 * single sector is left to the VMM's own check.
	 */
	if (count > 1 && (lba >= d->sectors || count > d->sectors - lba))
		return VMM_E_RANGE;
	for (uint32_t i = 0; i < count; i++, buf += VMM_SECTOR_SIZE) {
		if (write)
			memcpy(pg->data, buf, VMM_SECTOR_SIZE);
		int32_t r = pv_sector_call(write ? VMM_DISK_WRITE : VMM_DISK_READ,
					   lba + i);

		if (r)
			return r;
		if (!write)
			memcpy(buf, pg->data, VMM_SECTOR_SIZE);
	}
	return 0;
}

/* ---- the interface -------------------------------------------------------- */

int disk_open(struct disk *d, const char *driver, int unit)
{
	char buf[16];
	const struct vmm_boot_info *bi = vmm_boot_info();

	memset(d, 0, sizeof(*d));
	d->unit = unit;
	if (!driver)
		driver = cmdline_get("disk", buf, sizeof(buf));
	if (!driver)
		driver = bi && bi->disk_mode == VMM_MODE_PV ? "pv-ring" : "ata-poll";
	d->drv = DISK_NDRV;
	for (int i = 0; i < DISK_NDRV; i++)
		if (!strcmp(driver, names[i]))
			d->drv = (enum disk_drv)i;
	switch (d->drv) {
	case DISK_ATA_POLL:
	case DISK_ATA_IRQ:
		return ata_open(d);
	case DISK_PV_SECTOR:
	case DISK_PV_RING:
		return pv_open(d);
	default:
		return VMM_E_INVAL;
	}
}

static int rw(struct disk *d, bool write, uint64_t lba, uint32_t count, uint8_t *buf)
{
	if (count == 0)
		return 0;
	switch (d->drv) {
	case DISK_ATA_POLL:
	case DISK_ATA_IRQ:
		while (count) {
			uint32_t n = count < 256 ? count : 256;
			int r = ata_rw(d, write, lba, n, buf);

			if (r)
				return r;
			lba += n;
			buf += n * 512;
			count -= n;
		}
		return 0;
	case DISK_PV_SECTOR:
		return pv_sector_rw(d, write, lba, count, buf);
	case DISK_PV_RING:
		return pv_ring_io(write ? VMM_DISK_WRITE : VMM_DISK_READ, lba, count,
				  buf, VMM_PV_RING_MAX_SECTORS, false);
	default:
		return VMM_E_NODEV;
	}
}

int disk_read(struct disk *d, uint64_t lba, uint32_t count, void *buf)
{
	return rw(d, false, lba, count, buf);
}

int disk_write(struct disk *d, uint64_t lba, uint32_t count, const void *buf)
{
	return rw(d, true, lba, count, (uint8_t *)buf);
}

int disk_flush(struct disk *d)
{
	switch (d->drv) {
	case DISK_ATA_POLL:
	case DISK_ATA_IRQ:
		return ata_cmd_nodata(d, d->lba48 ? ATA_CMD_FLUSH_EXT : ATA_CMD_FLUSH, 0);
	case DISK_PV_SECTOR:
		return pv_sector_call(VMM_DISK_FLUSH, 0);
	case DISK_PV_RING:
		return pv_ring_io(VMM_DISK_FLUSH, 0, 1, 0, 1, true);
	default:
		return VMM_E_NODEV;
	}
}

/* ---- blkdev: the disk for programs that do not pick a driver ------------ */

static struct disk blk_disk;
static struct blkdev blk;

static int blk_read(uint64_t lba, void *buf, uint32_t n)
{
	return disk_read(&blk_disk, lba, n, buf);
}

static int blk_write(uint64_t lba, const void *buf, uint32_t n)
{
	return disk_write(&blk_disk, lba, n, buf);
}

/* Overrides the SDK's weak "no disk" default. */
const struct blkdev *blkdev_get(void)
{
	static int state;	/* 0 not tried, 1 a disk, -1 none */

	if (!state) {
		const struct vmm_boot_info *bi = vmm_boot_info();

		state = -1;
		/* vmm says whether there is a disk; elsewhere probe the IDE bus */
		if ((!bi || bi->disk_mode != VMM_MODE_NONE) &&
		    disk_open(&blk_disk, NULL, 0) == 0) {
			blk = (struct blkdev){ disk_name(&blk_disk), blk_disk.sectors,
					       blk_read, blk_write };
			state = 1;
		}
	}
	return state > 0 ? &blk : 0;
}
