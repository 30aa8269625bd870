// SPDX-License-Identifier: MIT
/*
 * The ATA controller driven by port sequences, as a driver would: registers,
 * status and error bits, the IRQ line, and the bytes that reach the image.
 */
#include "../../devices/ata.h"
#include "../unit.h"
#include "disk_fixture.h"

#define ST_READY	(ATA_DRDY | ATA_DSC)
#define P(r)		(ATA_IO_BASE + (r))

static struct ata *ata;
static struct disk_image img0, img1;
static const char *path0, *path1;

static void outp(uint16_t port, uint32_t v, uint32_t size)
{
	bus_access(&vm.pio, port, &v, size, true);
}

static uint32_t inp(uint16_t port, uint32_t size)
{
	uint32_t v = 0;

	bus_access(&vm.pio, port, &v, size, false);
	return v;
}

static uint8_t status(void) { return (uint8_t)inp(P(ATA_REG_STATUS), 1); }
static uint8_t altstatus(void) { return (uint8_t)inp(ATA_CTL_PORT, 1); }
static uint8_t error(void) { return (uint8_t)inp(P(ATA_REG_ERROR), 1); }

/* A controller with a master of n sectors and optionally a slave. */
static void setup(uint64_t n, uint64_t slave_n, bool ro)
{
	vm_reset();
	path0 = tmp_image(n);
	open_image(&img0, path0, ro);
	if (slave_n) {
		path1 = tmp_image(slave_n);
		open_image(&img1, path1, false);
	}
	ata = ata_create(&vm.host, &img0, slave_n ? &img1 : NULL);
}

static void teardown(void)
{
	ata_destroy(ata);
	disk_image_close(&img0);
	if (img1.fd > 0)
		disk_image_close(&img1);
	memset(&img1, 0, sizeof(img1));
}

static void lba28_cmd(int unit, uint32_t lba, uint8_t count, uint8_t cmd)
{
	outp(P(ATA_REG_DEVICE), 0xe0 | unit << 4 | ((lba >> 24) & 0x0f), 1);
	outp(P(ATA_REG_NSECT), count, 1);
	outp(P(ATA_REG_LBAL), lba & 0xff, 1);
	outp(P(ATA_REG_LBAM), (lba >> 8) & 0xff, 1);
	outp(P(ATA_REG_LBAH), (lba >> 16) & 0xff, 1);
	outp(P(ATA_REG_COMMAND), cmd, 1);
}

static void lba48_cmd(uint64_t lba, uint16_t count, uint8_t cmd)
{
	outp(P(ATA_REG_DEVICE), 0x40, 1);
	outp(P(ATA_REG_NSECT), count >> 8, 1);
	outp(P(ATA_REG_LBAL), (lba >> 24) & 0xff, 1);
	outp(P(ATA_REG_LBAM), (lba >> 32) & 0xff, 1);
	outp(P(ATA_REG_LBAH), (lba >> 40) & 0xff, 1);
	outp(P(ATA_REG_NSECT), count & 0xff, 1);
	outp(P(ATA_REG_LBAL), lba & 0xff, 1);
	outp(P(ATA_REG_LBAM), (lba >> 8) & 0xff, 1);
	outp(P(ATA_REG_LBAH), (lba >> 16) & 0xff, 1);
	outp(P(ATA_REG_COMMAND), cmd, 1);
}

static void put_words(int n, uint8_t byte)
{
	for (int i = 0; i < n; i++)
		outp(P(ATA_REG_DATA), byte | byte << 8, 2);
}

static void identify(void)
{
	uint16_t id[256];

	setup(1000, 0, false);
	EXPECT_EQ(status(), ST_READY);
	EXPECT(!ata->irq_level);
	outp(P(ATA_REG_DEVICE), 0xa0, 1);
	outp(P(ATA_REG_COMMAND), 0xec, 1);
	EXPECT(ata->irq_level);
	EXPECT_EQ(altstatus(), ST_READY | ATA_DRQ);
	EXPECT(ata->irq_level);		/* the alternate status does not acknowledge */
	EXPECT_EQ(status(), ST_READY | ATA_DRQ);
	EXPECT(!ata->irq_level);
	for (int i = 0; i < 256; i++)
		id[i] = (uint16_t)inp(P(ATA_REG_DATA), 2);
	EXPECT_EQ(status(), ST_READY);
	EXPECT_EQ(id[0], 0x0040);
	EXPECT_EQ(id[27], ('V' << 8) | 'M');	/* "VMM ATA DISK", byte-swapped */
	EXPECT_EQ(id[28], ('M' << 8) | ' ');
	EXPECT_EQ(id[47] & 0xff, ATA_MAX_MULTIPLE);
	EXPECT(id[49] & (1 << 9));		/* LBA */
	EXPECT(id[83] & (1 << 10));		/* LBA48 */
	EXPECT_EQ(id[60] | id[61] << 16, 1000);
	EXPECT_EQ(id[100] | id[101] << 16, 1000);
	EXPECT_EQ(id[102] | id[103], 0);
	uint8_t sum = 0;

	for (int i = 0; i < 256; i++)
		sum += (uint8_t)id[i] + (uint8_t)(id[i] >> 8);
	EXPECT_EQ(sum, 0);			/* integrity word */
	EXPECT_EQ(id[255] & 0xff, 0xa5);
	teardown();
}

static void write_then_read_lba28(void)
{
	setup(1000, 0, false);
	lba28_cmd(0, 5, 2, 0x30);
	EXPECT_EQ(status(), ST_READY | ATA_DRQ);
	EXPECT(!ata->irq_level);		/* no interrupt before the first block */
	put_words(256, 0xa1);
	EXPECT(ata->irq_level);			/* block done: DRQ for the next */
	EXPECT_EQ(status(), ST_READY | ATA_DRQ);
	EXPECT(sector_is(path0, 5, 0xa1));	/* stored before it was acknowledged */
	put_words(255, 0xb2);
	EXPECT(sector_is(path0, 6, 0x00));	/* a partial block is not stored */
	put_words(1, 0xb2);
	EXPECT(ata->irq_level);
	EXPECT_EQ(status(), ST_READY);
	EXPECT(sector_is(path0, 6, 0xb2));
	EXPECT(sector_is(path0, 4, 0x00));
	EXPECT(sector_is(path0, 7, 0x00));
	EXPECT_EQ(vm.stats.sectors_written, 2);

	lba28_cmd(0, 5, 2, 0x20);
	EXPECT(ata->irq_level);
	EXPECT_EQ(status(), ST_READY | ATA_DRQ);
	for (int i = 0; i < 256; i++)
		EXPECT_EQ(inp(P(ATA_REG_DATA), 2), 0xa1a1);
	EXPECT(ata->irq_level);			/* second block ready */
	EXPECT_EQ(status(), ST_READY | ATA_DRQ);
	for (int i = 0; i < 128; i++)		/* 32-bit reads */
		EXPECT_EQ(inp(P(ATA_REG_DATA), 4), 0xb2b2b2b2u);
	EXPECT_EQ(status(), ST_READY);
	EXPECT(!ata->irq_level);
	EXPECT_EQ(vm.stats.sectors_read, 2);
	teardown();
}

static void dword_writes(void)
{
	uint8_t b[512];

	setup(100, 0, false);
	lba28_cmd(0, 9, 1, 0x30);
	for (uint32_t i = 0; i < 128; i++)
		outp(P(ATA_REG_DATA), i * 0x01010101u, 4);
	EXPECT_EQ(status(), ST_READY);
	file_sector(path0, 9, b);
	EXPECT_EQ(b[0], 0);
	EXPECT_EQ(b[4], 1);
	EXPECT_EQ(b[511], 127);
	teardown();
}

/* LBA bits 24-27 come from the device register (the lab lost them). */
static void lba28_high_bits(void)
{
	uint32_t lba = 0x0a000003;

	setup(0x0b000000, 0, false);
	lba28_cmd(0, lba, 1, 0x30);
	put_words(256, 0x5c);
	EXPECT_EQ(status(), ST_READY);
	EXPECT(sector_is(path0, lba, 0x5c));
	EXPECT(sector_is(path0, lba & 0xffffff, 0x00));
	teardown();
}

static void lba48(void)
{
	uint64_t lba = (1ull << 28) + 7;

	setup((1ull << 28) + 64, 0, false);
	lba48_cmd(lba, 1, 0x34);
	EXPECT_EQ(status(), ST_READY | ATA_DRQ);
	put_words(256, 0x48);
	EXPECT_EQ(status(), ST_READY);
	EXPECT(sector_is(path0, lba, 0x48));
	EXPECT(sector_is(path0, 7, 0x00));
	/* HOB: the previous values read back with the HOB bit */
	EXPECT_EQ(inp(P(ATA_REG_LBAL), 1), 7);
	outp(ATA_CTL_PORT, ATA_HOB, 1);
	EXPECT_EQ(inp(P(ATA_REG_LBAL), 1), 0x10);
	outp(ATA_CTL_PORT, 0, 1);
	/* the same sector back through READ SECTORS EXT */
	lba48_cmd(lba, 1, 0x24);
	EXPECT_EQ(status(), ST_READY | ATA_DRQ);
	EXPECT_EQ(inp(P(ATA_REG_DATA), 2), 0x4848);
	/* past the end, with a count of 0 meaning 65536 */
	lba48_cmd((1ull << 28), 0, 0x24);
	EXPECT_EQ(status(), ST_READY | ATA_ERR);
	EXPECT_EQ(error(), ATA_IDNF);
	teardown();
}

static void count_zero_is_256(void)
{
	setup(300, 0, false);
	lba28_cmd(0, 0, 0, 0x20);
	int words = 0;

	while (status() & ATA_DRQ) {
		for (int i = 0; i < 256; i++)
			inp(P(ATA_REG_DATA), 2);
		words += 256;
	}
	EXPECT_EQ(words, 256 * 256);
	EXPECT_EQ(vm.stats.sectors_read, 256);
	/* 256 sectors from 100 run past the end of 300 */
	lba28_cmd(0, 100, 0, 0x20);
	EXPECT_EQ(status(), ST_READY | ATA_ERR);
	EXPECT_EQ(error(), ATA_IDNF);
	teardown();
}

static void out_of_range(void)
{
	setup(100, 0, false);
	lba28_cmd(0, 100, 1, 0x30);
	EXPECT(ata->irq_level);
	EXPECT_EQ(status(), ST_READY | ATA_ERR);
	EXPECT_EQ(error(), ATA_IDNF);
	put_words(256, 0x77);			/* no DRQ: dropped */
	/* straddling the end: refused whole, the first sector untouched */
	lba28_cmd(0, 99, 2, 0x30);
	EXPECT_EQ(status(), ST_READY | ATA_ERR);
	put_words(512, 0x77);
	EXPECT(sector_is(path0, 99, 0x00));
	lba28_cmd(0, 0x0fffffff, 1, 0x20);
	EXPECT_EQ(error(), ATA_IDNF);
	EXPECT_EQ(vm.stats.sectors_written, 0);
	/* and the next good command works */
	lba28_cmd(0, 99, 1, 0x30);
	put_words(256, 0x66);
	EXPECT_EQ(status(), ST_READY);
	EXPECT_EQ(error(), 0);
	EXPECT(sector_is(path0, 99, 0x66));
	teardown();
}

static void protocol_violations(void)
{
	setup(100, 0, false);
	/* data with no command: ignored */
	put_words(256, 0x11);
	EXPECT_EQ(status(), ST_READY);
	EXPECT(sector_is(path0, 0, 0x00));
	/* a new command in the middle of a data-out phase */
	lba28_cmd(0, 1, 1, 0x30);
	put_words(100, 0x22);
	outp(P(ATA_REG_COMMAND), 0x20, 1);
	EXPECT_EQ(status(), ST_READY | ATA_ERR);
	EXPECT_EQ(error(), ATA_ABRT);
	put_words(156, 0x22);
	EXPECT(sector_is(path0, 1, 0x00));
	/* a data read during a data-out phase */
	lba28_cmd(0, 2, 1, 0x30);
	put_words(255, 0x33);
	inp(P(ATA_REG_DATA), 2);
	put_words(1, 0x33);
	EXPECT_EQ(error(), ATA_ABRT);
	EXPECT(sector_is(path0, 2, 0x00));
	/* a task-file write during a data-out phase */
	lba28_cmd(0, 3, 1, 0x30);
	put_words(10, 0x44);
	outp(P(ATA_REG_LBAL), 9, 1);
	put_words(246, 0x44);
	EXPECT_EQ(error(), ATA_ABRT);
	EXPECT(sector_is(path0, 3, 0x00));
	/* a data write during a data-in phase */
	lba28_cmd(0, 4, 1, 0x20);
	EXPECT(status() & ATA_DRQ);
	put_words(1, 0x55);
	EXPECT_EQ(status(), ST_READY | ATA_ERR);
	EXPECT_EQ(error(), ATA_ABRT);
	EXPECT(sector_is(path0, 4, 0x00));
	EXPECT_EQ(vm.stats.sectors_written, 0);
	EXPECT(ata->protocol_errors >= 5);
	teardown();
}

static void unknown_and_housekeeping(void)
{
	setup(100, 0, false);
	outp(P(ATA_REG_COMMAND), 0x00, 1);	/* NOP: aborted */
	EXPECT_EQ(status(), ST_READY | ATA_ERR);
	EXPECT_EQ(error(), ATA_ABRT);
	outp(P(ATA_REG_COMMAND), 0xff, 1);
	EXPECT_EQ(error(), ATA_ABRT);
	outp(P(ATA_REG_FEATURE), 0x02, 1);	/* SET FEATURES: write cache on */
	outp(P(ATA_REG_COMMAND), 0xef, 1);
	EXPECT_EQ(status(), ST_READY);
	outp(P(ATA_REG_FEATURE), 0x99, 1);
	outp(P(ATA_REG_COMMAND), 0xef, 1);
	EXPECT_EQ(error(), ATA_ABRT);
	outp(P(ATA_REG_COMMAND), 0xe7, 1);	/* FLUSH CACHE */
	EXPECT(ata->irq_level);
	EXPECT_EQ(status(), ST_READY);
	outp(P(ATA_REG_COMMAND), 0xea, 1);	/* FLUSH CACHE EXT */
	EXPECT_EQ(status(), ST_READY);
	EXPECT_EQ(vm.stats.flushes, 2);
	outp(P(ATA_REG_COMMAND), 0xe3, 1);	/* IDLE */
	EXPECT_EQ(status(), ST_READY);
	lba28_cmd(0, 10, 5, 0x40);		/* READ VERIFY */
	EXPECT_EQ(status(), ST_READY);
	lba28_cmd(0, 98, 5, 0x40);
	EXPECT_EQ(error(), ATA_IDNF);
	outp(P(ATA_REG_COMMAND), 0xe5, 1);	/* CHECK POWER MODE */
	EXPECT_EQ(inp(P(ATA_REG_NSECT), 1), 0xff);
	teardown();
}

/* INITIALIZE DEVICE PARAMETERS, then CHS addressing with that geometry. */
static void chs_addressing(void)
{
	setup(10000, 0, false);
	outp(P(ATA_REG_DEVICE), 0xa0 | 3, 1);	/* 4 heads */
	outp(P(ATA_REG_NSECT), 10, 1);		/* 10 sectors per track */
	outp(P(ATA_REG_COMMAND), 0x91, 1);
	EXPECT_EQ(status(), ST_READY);
	/* cylinder 2, head 1, sector 3 -> (2 * 4 + 1) * 10 + 2 = 92 */
	outp(P(ATA_REG_DEVICE), 0xa0 | 1, 1);
	outp(P(ATA_REG_NSECT), 1, 1);
	outp(P(ATA_REG_LBAL), 3, 1);
	outp(P(ATA_REG_LBAM), 2, 1);
	outp(P(ATA_REG_LBAH), 0, 1);
	outp(P(ATA_REG_COMMAND), 0x30, 1);
	put_words(256, 0x92);
	EXPECT_EQ(status(), ST_READY);
	EXPECT(sector_is(path0, 92, 0x92));
	outp(P(ATA_REG_LBAL), 0, 1);		/* sector 0 does not exist */
	outp(P(ATA_REG_COMMAND), 0x30, 1);
	EXPECT_EQ(error(), ATA_IDNF);
	teardown();
}

static void multiple_mode(void)
{
	setup(100, 0, false);
	lba28_cmd(0, 0, 10, 0xc5);		/* before SET MULTIPLE */
	EXPECT_EQ(error(), ATA_ABRT);
	outp(P(ATA_REG_NSECT), 3, 1);		/* not a power of two */
	outp(P(ATA_REG_COMMAND), 0xc6, 1);
	EXPECT_EQ(error(), ATA_ABRT);
	outp(P(ATA_REG_NSECT), 4, 1);
	outp(P(ATA_REG_COMMAND), 0xc6, 1);
	EXPECT_EQ(status(), ST_READY);
	lba28_cmd(0, 20, 10, 0xc5);		/* blocks of 4, 4, 2 */
	EXPECT_EQ(status(), ST_READY | ATA_DRQ);
	int irqs = 0;

	for (int b = 0; b < 3; b++) {
		put_words(b < 2 ? 1024 : 512, (uint8_t)(0x10 + b));
		irqs += ata->irq_level;
		status();
	}
	EXPECT_EQ(irqs, 3);
	EXPECT_EQ(status(), ST_READY);
	EXPECT(sector_is(path0, 23, 0x10));
	EXPECT(sector_is(path0, 24, 0x11));
	EXPECT(sector_is(path0, 29, 0x12));
	EXPECT(sector_is(path0, 30, 0x00));
	lba28_cmd(0, 20, 10, 0xc4);		/* READ MULTIPLE: an IRQ per block */
	int blocks = 0;

	while (ata->irq_level && (status() & ATA_DRQ)) {
		int words = 0;

		while (ata->phase == ATA_DATA_IN && !ata->irq_level) {
			inp(P(ATA_REG_DATA), 2);
			words++;
		}
		EXPECT_EQ(words, blocks < 2 ? 1024 : 512);
		blocks++;
	}
	EXPECT_EQ(blocks, 3);
	teardown();
}

static void slave_drive(void)
{
	setup(100, 50, false);
	lba28_cmd(1, 7, 1, 0x30);
	put_words(256, 0x5a);
	EXPECT_EQ(status(), ST_READY);
	EXPECT(sector_is(path1, 7, 0x5a));
	EXPECT(sector_is(path0, 7, 0x00));
	lba28_cmd(1, 50, 1, 0x20);		/* the slave's own size */
	EXPECT_EQ(error(), ATA_IDNF);
	lba28_cmd(0, 50, 1, 0x20);
	EXPECT_EQ(status(), ST_READY | ATA_DRQ);
	teardown();
}

static void absent_slave_and_floating_bus(void)
{
	setup(100, 0, false);
	outp(P(ATA_REG_DEVICE), 0xb0, 1);
	EXPECT_EQ(status(), 0);
	EXPECT_EQ(altstatus(), 0);
	outp(P(ATA_REG_COMMAND), 0xec, 1);	/* nobody answers */
	EXPECT_EQ(status(), 0);
	EXPECT(!ata->irq_level);
	outp(P(ATA_REG_DEVICE), 0xa0, 1);
	EXPECT_EQ(status(), ST_READY);
	teardown();

	vm_reset();				/* no controller at all */
	EXPECT_EQ(status(), 0xff);
	EXPECT_EQ(altstatus(), 0xff);
}

static void nien_masks_the_line(void)
{
	setup(100, 0, false);
	outp(ATA_CTL_PORT, ATA_NIEN, 1);
	lba28_cmd(0, 0, 1, 0x20);
	EXPECT(ata->intrq);
	EXPECT(!ata->irq_level);
	outp(ATA_CTL_PORT, 0, 1);
	EXPECT(ata->irq_level);			/* still pending: the line rises */
	status();
	EXPECT(!ata->irq_level);
	EXPECT(!ata->intrq);
	teardown();
}

static void soft_reset(void)
{
	setup(100, 0, false);
	lba28_cmd(0, 8, 1, 0x30);
	put_words(100, 0x99);
	outp(ATA_CTL_PORT, ATA_SRST, 1);
	EXPECT_EQ(status() & ATA_BSY, ATA_BSY);
	outp(P(ATA_REG_COMMAND), 0xec, 1);	/* refused while in reset */
	outp(ATA_CTL_PORT, 0, 1);
	EXPECT_EQ(status(), ST_READY);
	EXPECT_EQ(error(), 0x01);		/* diagnostic code: no error */
	EXPECT_EQ(inp(P(ATA_REG_NSECT), 1), 1);
	EXPECT_EQ(inp(P(ATA_REG_LBAL), 1), 1);
	EXPECT_EQ(inp(P(ATA_REG_LBAM), 1), 0);
	EXPECT_EQ(inp(P(ATA_REG_LBAH), 1), 0);
	EXPECT_EQ(ata->phase, ATA_IDLE);
	EXPECT(!ata->irq_level);
	put_words(156, 0x99);			/* the rest of the old sector: dropped */
	EXPECT(sector_is(path0, 8, 0x00));
	EXPECT_EQ(vm.stats.sectors_written, 0);
	teardown();
}

static void readonly_image(void)
{
	setup(100, 0, true);
	lba28_cmd(0, 1, 1, 0x30);
	EXPECT_EQ(status(), ST_READY | ATA_ERR);
	EXPECT_EQ(error(), ATA_ABRT);
	put_words(256, 0x12);
	EXPECT(sector_is(path0, 1, 0x00));
	lba28_cmd(0, 1, 1, 0x20);		/* reads still work */
	EXPECT_EQ(status(), ST_READY | ATA_DRQ);
	teardown();
}

int main(void)
{
	RUN(identify);
	RUN(write_then_read_lba28);
	RUN(dword_writes);
	RUN(lba28_high_bits);
	RUN(lba48);
	RUN(count_zero_is_256);
	RUN(out_of_range);
	RUN(protocol_violations);
	RUN(unknown_and_housekeeping);
	RUN(chs_addressing);
	RUN(multiple_mode);
	RUN(slave_drive);
	RUN(absent_slave_and_floating_bus);
	RUN(nien_masks_the_line);
	RUN(soft_reset);
	RUN(readonly_image);
	UNIT_EXIT();
}
