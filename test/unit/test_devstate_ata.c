// SPDX-License-Identifier: MIT
/*
 * ATA state with a transfer in flight: saved halfway through a block,
 * loaded into a fresh controller on a copy of the image, and finished on
 * both: the same words read, the same bytes written, in the same places.
 * Then records whose phase, counters, drive or range contradict each
 * other are refused and leave the controller as it was.
 */
#include <fcntl.h>

#include "../../devices/ata.h"
#include "../../devices/table.h"
#include "devstate_fixture.h"
#include "disk_fixture.h"

#define ST_READY	(ATA_DRDY | ATA_DSC)
#define P(r)		(ATA_IO_BASE + (r))
#define BIG		((1ull << 28) + 64)	/* sectors: LBA48 needed at the end */

static struct vm vm_b;
static struct disk_image img_a, img_b;
static const char *path_a, *path_b;
static struct ata *a, *b;

/* Controllers A and B, each with a master of n sectors (sparse, zero). */
static void twins(uint64_t n)
{
	vm_reset();
	vm_b = vm;
	vm_host_init(&vm_b);	/* its own buses, not a's */
	path_a = tmp_image(n);
	path_b = tmp_image(n);
	open_image(&img_a, path_a, false);
	open_image(&img_b, path_b, false);
	a = ata_create(&vm.host, &img_a, NULL);
	b = ata_create(&vm_b.host, &img_b, NULL);
	twin_a = vm.pio;
	twin_b = vm_b.pio;
}

static void untwin(void)
{
	ata_destroy(a);
	ata_destroy(b);
	disk_image_close(&img_a);
	disk_image_close(&img_b);
}

/* What A wrote before the save, B's image gets too (as a shared disk would have). */
static void copy_sectors(uint64_t lba, unsigned int n)
{
	uint8_t s[512];

	for (unsigned int i = 0; i < n; i++) {
		file_sector(path_a, lba + i, s);
		EXPECT_EQ(disk_image_write(&img_b, lba + i, 1, s), VMM_OK);
	}
}

static bool same_sectors(uint64_t lba, unsigned int n)
{
	uint8_t x[512], y[512];

	for (unsigned int i = 0; i < n; i++) {
		file_sector(path_a, lba + i, x);
		file_sector(path_b, lba + i, y);
		if (memcmp(x, y, 512))
			return false;
	}
	return true;
}

static uint16_t word(unsigned int j)
{
	return (uint16_t)(j * 3 + 1);
}

/* Sector lba holds words first.. of the pattern. */
static bool has_pattern(const char *path, uint64_t lba, unsigned int first)
{
	uint8_t s[512];

	file_sector(path, lba, s);
	for (unsigned int i = 0; i < 256; i++)
		if ((s[2 * i] | s[2 * i + 1] << 8) != word(first + i))
			return false;
	return true;
}

static void lba28_cmd_a(uint32_t lba, uint8_t count, uint8_t cmd)
{
	io_a(P(ATA_REG_DEVICE), 1, true, 0xe0 | ((lba >> 24) & 0x0f));
	io_a(P(ATA_REG_NSECT), 1, true, count);
	io_a(P(ATA_REG_LBAL), 1, true, lba & 0xff);
	io_a(P(ATA_REG_LBAM), 1, true, (lba >> 8) & 0xff);
	io_a(P(ATA_REG_LBAH), 1, true, (lba >> 16) & 0xff);
	io_a(P(ATA_REG_COMMAND), 1, true, cmd);
}

static void lba48_cmd_a(uint64_t lba, uint16_t count, uint8_t cmd)
{
	io_a(P(ATA_REG_DEVICE), 1, true, 0x40);
	for (int hob = 1; hob >= 0; hob--) {
		io_a(P(ATA_REG_NSECT), 1, true, hob ? count >> 8 : count & 0xff);
		io_a(P(ATA_REG_LBAL), 1, true, (lba >> (hob ? 24 : 0)) & 0xff);
		io_a(P(ATA_REG_LBAM), 1, true, (lba >> (hob ? 32 : 8)) & 0xff);
		io_a(P(ATA_REG_LBAH), 1, true, (lba >> (hob ? 40 : 16)) & 0xff);
	}
	io_a(P(ATA_REG_COMMAND), 1, true, cmd);
}

static void set_multiple_a(uint8_t n)
{
	io_a(P(ATA_REG_NSECT), 1, true, n);
	io_a(P(ATA_REG_COMMAND), 1, true, 0xc6);
	EXPECT_EQ(io_a(P(ATA_REG_STATUS), 1, false, 0), ST_READY);
}

/* The state a WRITE MULTIPLE is in after 1.5 of its blocks. */
static void write_multiple_half_block(void)
{
	unsigned int j = 0;

	twins(100);
	set_multiple_a(4);
	lba28_cmd_a(10, 6, 0xc5);		/* blocks of 4 and 2 sectors */
	for (; j < 4 * 256; j++)
		io_a(P(ATA_REG_DATA), 2, true, word(j));
	EXPECT(a->irq_level);			/* the first block is on the disk */
	for (; j < 5 * 256; j++)		/* half of the second: in the buffer */
		io_a(P(ATA_REG_DATA), 2, true, word(j));
	copy_sectors(0, 100);
	round_trip(&ata_device, a, b);
	EXPECT(b->polling);			/* a data-out phase waits on the ring */
	EXPECT(b->irq_level);			/* not acknowledged yet */
	EXPECT_EQ(twin_io(P(ATA_REG_STATUS), 1, false, 0), ST_READY | ATA_DRQ);
	EXPECT(!b->irq_level);
	for (; j < 6 * 256; j++)
		twin_io(P(ATA_REG_DATA), 2, true, word(j));
	EXPECT(b->irq_level);
	EXPECT_EQ(twin_io(P(ATA_REG_STATUS), 1, false, 0), ST_READY);
	EXPECT(!b->polling);
	for (unsigned int i = 0; i < 6; i++)
		EXPECT(has_pattern(path_b, 10 + i, i * 256));
	EXPECT(sector_is(path_b, 9, 0) && sector_is(path_b, 16, 0));
	EXPECT(same_sectors(0, 100));
	untwin();
}

static void read_multiple_ext_lba48(void)
{
	uint64_t lba = BIG - 10;
	uint8_t s[512];
	unsigned int j = 0;

	twins(BIG);
	for (unsigned int i = 0; i < 5; i++) {
		for (unsigned int k = 0; k < 256; k++) {
			s[2 * k] = (uint8_t)word(i * 256 + k);
			s[2 * k + 1] = (uint8_t)(word(i * 256 + k) >> 8);
		}
		EXPECT_EQ(disk_image_write(&img_a, lba + i, 1, s), VMM_OK);
		EXPECT_EQ(disk_image_write(&img_b, lba + i, 1, s), VMM_OK);
	}
	set_multiple_a(2);
	lba48_cmd_a(lba, 5, 0x29);		/* READ MULTIPLE EXT: 2 + 2 + 1 */
	for (; j < 2 * 256 + 300; j += 2)	/* a block and some, by dwords */
		EXPECT_EQ(io_a(P(ATA_REG_DATA), 4, false, 0),
			  word(j) | (uint32_t)word(j + 1) << 16);
	round_trip(&ata_device, a, b);
	EXPECT(!b->polling);
	for (; j < 5 * 256; j++)
		EXPECT_EQ(twin_io(P(ATA_REG_DATA), 2, false, 0), word(j));
	EXPECT_EQ(twin_io(P(ATA_REG_STATUS), 1, false, 0), ST_READY);
	twin_io(ATA_CTL_PORT, 1, true, ATA_HOB);	/* the LBA48 high bytes */
	for (int r = ATA_REG_NSECT; r <= ATA_REG_LBAH; r++)
		twin_io(P(r), 1, false, 0);
	EXPECT_EQ(twin_io(P(ATA_REG_LBAL), 1, false, 0), (lba >> 24) & 0xff);
	untwin();
}

static void identify_then_write_ext_by_dwords(void)
{
	uint64_t lba = BIG - 3;
	unsigned int j = 0;

	twins(BIG);
	io_a(P(ATA_REG_COMMAND), 1, true, 0xec);
	for (int i = 0; i < 100; i++)
		io_a(P(ATA_REG_DATA), 2, false, 0);
	round_trip(&ata_device, a, b);
	for (int i = 100; i < 256; i++)
		twin_io(P(ATA_REG_DATA), 2, false, 0);
	EXPECT_EQ(twin_io(P(ATA_REG_STATUS), 1, false, 0), ST_READY);

	lba48_cmd_a(lba, 2, 0x34);		/* WRITE SECTORS EXT */
	for (; j < 256 + 144; j += 2)
		io_a(P(ATA_REG_DATA), 4, true, word(j) | (uint32_t)word(j + 1) << 16);
	copy_sectors(lba, 2);
	round_trip(&ata_device, a, b);
	for (; j < 512; j += 2)
		twin_io(P(ATA_REG_DATA), 4, true, word(j) | (uint32_t)word(j + 1) << 16);
	EXPECT_EQ(twin_io(P(ATA_REG_STATUS), 1, false, 0), ST_READY);
	EXPECT(has_pattern(path_b, lba, 0) && has_pattern(path_b, lba + 1, 256));
	EXPECT(same_sectors(lba - 1, 4));
	untwin();
}

/* Soft reset held across the save: both drives busy until it ends. */
static void soft_reset_held(void)
{
	static struct disk_image slave_a, slave_b;

	vm_reset();
	vm_b = vm;
	vm_host_init(&vm_b);	/* its own buses, not a's */
	open_image(&img_a, tmp_image(10), false);
	open_image(&img_b, tmp_image(10), false);
	open_image(&slave_a, tmp_image(10), false);
	open_image(&slave_b, tmp_image(10), false);
	a = ata_create(&vm.host, &img_a, &slave_a);
	b = ata_create(&vm_b.host, &img_b, &slave_b);
	twin_a = vm.pio;
	twin_b = vm_b.pio;
	io_a(P(ATA_REG_DEVICE), 1, true, ATA_DEV_SLAVE);
	io_a(ATA_CTL_PORT, 1, true, ATA_SRST | ATA_NIEN);
	round_trip(&ata_device, a, b);
	EXPECT_EQ(twin_io(ATA_CTL_PORT, 1, false, 0), ATA_BSY);
	twin_io(ATA_CTL_PORT, 1, true, 0);
	for (int r = ATA_REG_ERROR; r <= ATA_REG_STATUS; r++)
		twin_io(P(r), 1, false, 0);
	EXPECT_EQ(twin_io(P(ATA_REG_STATUS), 1, false, 0), ST_READY);
	/* a snapshot of a two-drive channel does not load into a one-drive one */
	static struct vm vm_c;

	vm_c = (struct vm){ .vm_fd = -1, .kvm_fd = -1, .vcpu_fd = -1, .wake_fd = -1 };
	vm_host_init(&vm_c);
	struct ata *one = ata_create(&vm_c.host, &img_b, NULL);
	struct state s = rec_save(&ata_device, a);

	EXPECT_EQ(rec_load(&ata_device, one, s.buf, s.len), -1);
	EXPECT(strstr(rec_why, "drives differ") != NULL);
	state_free(&s);
	ata_destroy(one);
	ata_destroy(a);
	ata_destroy(b);
	disk_image_close(&slave_a);
	disk_image_close(&slave_b);
	disk_image_close(&img_a);
	disk_image_close(&img_b);
}

/* a's field set to v is refused by b; then it is put back */
#define REFUSED(field, v) do {						\
	__typeof__(a->field) keep_ = a->field;				\
	struct state s_;						\
									\
	a->field = v;							\
	s_ = rec_save(&ata_device, a);					\
	EXPECT_EQ(damaged_load(&ata_device, b, s_.buf, s_.len, true), 1); \
	state_free(&s_);						\
	a->field = keep_;						\
} while (0)

static void damaged_state(void)
{
	struct state good, idle;

	twins(100);
	idle = rec_save(&ata_device, b);
	set_multiple_a(4);
	lba28_cmd_a(20, 7, 0xc5);
	for (int i = 0; i < 300; i++)
		io_a(P(ATA_REG_DATA), 2, true, word(i));
	good = rec_save(&ata_device, a);
	EXPECT(damage(&ata_device, &good, b, 0, 100, true) > 100);
	EXPECT_EQ(rec_load(&ata_device, b, good.buf, good.len), 0);
	REFUSED(pos, a->len);			/* the block is full: it was written */
	REFUSED(pos, 3);			/* half a word */
	REFUSED(left, 0);			/* a phase with nothing left */
	REFUSED(left, 300);			/* more than LBA28 can ask */
	REFUSED(block, 3);			/* neither the multiple nor what is left */
	REFUSED(lba, 95);			/* past the end of the image */
	REFUSED(cmd, 0x20);			/* a read in a data-out phase */
	REFUSED(cmd, 0xc4);
	REFUSED(phase, ATA_IDLE);		/* idle, with counters running */
	REFUSED(unit, 1);			/* no slave */
	REFUSED(drive[0].status, ATA_BSY);	/* busy without a reset */
	REFUSED(drive[0].status, ST_READY);	/* no DRQ in a data phase */
	REFUSED(drive[0].multiple, 3);
	REFUSED(irq_level, !a->irq_level);
	REFUSED(device, 0xff);
	EXPECT_EQ(rec_load(&ata_device, b, idle.buf, idle.len), 0);
	img_b.readonly = true;			/* nothing may be written to it */
	EXPECT_EQ(damaged_load(&ata_device, b, good.buf, good.len, true), 1);
	img_b.readonly = false;
	state_free(&good);
	state_free(&idle);
	untwin();
}

int main(void)
{
	RUN(write_multiple_half_block);
	RUN(read_multiple_ext_lba48);
	RUN(identify_then_write_ext_by_dwords);
	RUN(soft_reset_held);
	RUN(damaged_state);
	UNIT_EXIT();
}
