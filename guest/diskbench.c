// SPDX-License-Identifier: MIT
/*
 * diskbench: writes n sectors, then reads them back, through one access
 * pattern, and prints the guest's own TSC cycles on serial:
 *
 *   DISKBENCH mode=lab n=1000 lba=0 write_cycles=... read_cycles=... errors=0
 *
 * Command line: n=N (default 100), lba=FIRST (default 0), reads=0 to skip
 * the read-back, mode= one of
 *   lab        ATA, one sector per command, one 16-bit out (in) per word
 *   outsw      ATA, one sector per command, rep outsw / rep insw
 *   multi      ATA, WRITE/READ MULTIPLE, up to 256 sectors per command
 *   pv-sector  one sector per hypercall through the shared page
 *   pv-ring    the request ring, 1024-sector descriptors, 128 per hypercall
 *   all        each of the above in turn (the ATA ones only without vmm PV)
 * The buffer is prepared once and resubmitted, so the guest's own work per
 * sector stays small (every guest instruction is emulated on these hosts)
 * and what is measured is the device path.  Runs unchanged on QEMU
 * (-machine pc, IDE disk), where the PV modes report skipped=1.
 * n past the end of the disk wraps to lba.  Exit status: errors.
 */
#include "sdk/disk.h"
#include "sdk/sdk.h"

#define RING_DESC_SECTORS 1024

static uint8_t buf[RING_DESC_SECTORS * 512] __attribute__((aligned(4096)));
static uint8_t rbuf[RING_DESC_SECTORS * 512] __attribute__((aligned(4096)));
static uint64_t first, span;	/* sectors used: [first, first + span) */
static int errors;

static void lab_out(const void *p)
{
	uint32_t n = 256;

	__asm__ volatile("1: lodsw\n\toutw %%ax, %%dx\n\tloop 1b"
			 : "+S"(p), "+c"(n) : "d"(ATA_DATA) : "eax", "memory");
}

static void lab_in(void *p)
{
	uint32_t n = 256;

	__asm__ volatile("1: inw %%dx, %%ax\n\tstosw\n\tloop 1b"
			 : "+D"(p), "+c"(n) : "d"(ATA_DATA) : "eax", "memory");
}

static bool ata_ok(int s, bool want_drq)
{
	if (s < 0 || (want_drq && !(s & ATA_ST_DRQ))) {
		errors++;
		return false;
	}
	return true;
}

/* One sector per command: lab (word by word) or rep outsw/insw. */
static void single(bool write, bool lab, uint64_t n)
{
	uint64_t lba = first, end = first + span;

	for (uint64_t i = 0; i < n; i++) {
		ata_issue(0, write ? ATA_CMD_WRITE : ATA_CMD_READ, lba, 1, false);
		if (!ata_ok(ata_poll(NULL), true))
			return;
		if (write) {
			if (lab)
				lab_out(buf);
			else
				outsw(ATA_DATA, buf, 256);
			if (!ata_ok(ata_poll(NULL), false))
				return;
		} else if (lab) {
			lab_in(rbuf);
		} else {
			insw(ATA_DATA, rbuf, 256);
		}
		if (++lba == end)
			lba = first;
	}
}

static void multiple(bool write, uint64_t n, uint32_t block)
{
	uint64_t lba = first, end = first + span;

	while (n) {
		uint32_t count = n < 256 ? (uint32_t)n : 256;

		if (count > end - lba)
			count = (uint32_t)(end - lba);
		ata_issue(0, write ? ATA_CMD_WRITE_MULT : ATA_CMD_READ_MULT, lba,
			  count, false);
		for (uint32_t left = count; left;) {
			uint32_t b = left < block ? left : block;

			if (!ata_ok(ata_poll(NULL), true))
				return;
			if (write)
				outsw(ATA_DATA, buf, b * 256);
			else
				insw(ATA_DATA, rbuf, b * 256);
			left -= b;
		}
		if (write && !ata_ok(ata_poll(NULL), false))
			return;
		n -= count;
		lba += count;
		if (lba == end)
			lba = first;
	}
}

static void pv_sector(bool write, uint64_t n)
{
	uint64_t lba = first, end = first + span;
	struct vmm_pv_disk *pg = pv_sector_page();

	if (write)
		memcpy(pg->data, buf, 512);
	for (uint64_t i = 0; i < n; i++) {
		if (pv_sector_call(write ? VMM_DISK_WRITE : VMM_DISK_READ, lba)) {
			errors++;
			return;
		}
		if (++lba == end)
			lba = first;
	}
	if (!write)
		memcpy(rbuf, pg->data, 512);
}

static void pv_ring(bool write, uint64_t n)
{
	while (n) {
		uint64_t c = n < span ? n : span;

		if (pv_ring_io(write ? VMM_DISK_WRITE : VMM_DISK_READ, first, c,
			       write ? buf : rbuf, RING_DESC_SECTORS, true)) {
			errors++;
			return;
		}
		n -= c;
	}
}

static const char *const modes[] = { "lab", "outsw", "multi", "pv-sector", "pv-ring" };

static void run(int m, uint64_t n, bool reads, uint32_t block)
{
	uint64_t t0, t1, t2;
	int e0 = errors;
	bool pv = m >= 3;
	const struct vmm_boot_info *bi = vmm_boot_info();

	if (pv != (bi && bi->disk_mode == VMM_MODE_PV)) {
		serial_printf("DISKBENCH mode=%s n=%llu skipped=1\n", modes[m],
			      (unsigned long long)n);
		return;
	}
	memset(rbuf, 0, sizeof(rbuf));
	t0 = rdtsc();
	switch (m) {
	case 0: single(true, true, n); break;
	case 1: single(true, false, n); break;
	case 2: multiple(true, n, block); break;
	case 3: pv_sector(true, n); break;
	case 4: pv_ring(true, n); break;
	}
	t1 = rdtsc();
	if (reads) {
		switch (m) {
		case 0: single(false, true, n); break;
		case 1: single(false, false, n); break;
		case 2: multiple(false, n, block); break;
		case 3: pv_sector(false, n); break;
		case 4: pv_ring(false, n); break;
		}
		/* every sector holds the same bytes: the first one read must match */
		if (errors == e0 && memcmp(rbuf, buf, 512))
			errors++;
	}
	t2 = rdtsc();
	serial_printf("DISKBENCH mode=%s n=%llu lba=%llu write_cycles=%llu read_cycles=%llu errors=%d\n",
		      modes[m], (unsigned long long)n, (unsigned long long)first,
		      (unsigned long long)(t1 - t0),
		      (unsigned long long)(reads ? t2 - t1 : 0), errors - e0);
}

int main(const char *cmdline)
{
	char mode[16] = "all";
	uint64_t n = (uint64_t)cmdline_int("n", 100);
	bool reads = cmdline_int("reads", 1);
	struct disk d;
	uint32_t block = 1;

	(void)cmdline;
	cmdline_get("mode", mode, sizeof(mode));
	first = (uint64_t)cmdline_int("lba", 0);
	const struct vmm_boot_info *bi = vmm_boot_info();
	bool pv = bi && bi->disk_mode == VMM_MODE_PV;

	if (disk_open(&d, pv ? "pv-ring" : "ata-poll", 0)) {
		serial_printf("DISKBENCH error=no-disk\n");
		return 100;
	}
	if (!pv) {
		block = d.multiple ? d.multiple : 1;
		/* LBA28 commands only: keep the run below 2^28 */
		if (d.sectors > 0x0fffffff)
			d.sectors = 0x0fffffff;
	}
	if (first >= d.sectors) {
		serial_printf("DISKBENCH error=lba-past-end\n");
		return 100;
	}
	span = d.sectors - first;
	/* a 64 KiB pattern, repeated: the guest fills bytes at ~1 us each */
	for (unsigned int i = 0; i < 65536 && i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + (i >> 9));
	for (unsigned int i = 65536; i < sizeof(buf); i += 65536)
		memcpy(buf + i, buf, 65536);
	serial_printf("DISKBENCH start hv=%s sectors=%llu block=%u\n",
		      bi ? "vmm" : "other", (unsigned long long)d.sectors, block);
	for (int m = 0; m < 5; m++)
		if (!strcmp(mode, "all") || !strcmp(mode, modes[m]))
			run(m, n, reads, block);
	serial_printf("DISKBENCH done errors=%d\n", errors);
	return errors;
}
