// SPDX-License-Identifier: MIT
/*
 * disk-test: checks the disk drivers against each other and against the
 * device's error reporting.  Exit status = number of failures.
 *
 * Command line:
 *   disk=DRV     driver that writes (ata-poll, ata-irq, pv-sector, pv-ring;
 *                default: from the boot info)
 *   check=DRV    driver that reads back (default: the same)
 *   op=check     write the pattern, read it back, then the error paths
 *   op=write     only write the pattern (and flush)
 *   op=verify    only read it back and compare
 *   op=storm     write sectors 0..n-1 one by one, "ACK pass lba" on serial
 *                after each acknowledged write, and "storm pass lba" on the
 *                screen's last row after every tenth (for --keys {until:});
 *                passes=0 repeats forever
 *   seed=N       pattern seed;  slave=1  a slave drive is expected
 *   ballast=N    first put data in N MiB of RAM from 2 MiB up (one word a
 *                page), so that a snapshot of the VM has that much RAM to check
 *   ext=1        ATA: use the 48-bit commands everywhere
 *
 * The pattern (the integration tests recompute it): 32-bit little-endian
 * word k of sector lba is
 *   lo(lba) * 0x9e3779b1 + hi(lba) * 0x27d4eb2f + seed * 0x85ebca77 + k * 0x01000193
 * and it is written at sectors 0, 1-8, 100-399, the last sector, and at
 * 2^28 + 5 when the disk is that big.
 */
#include "sdk/disk.h"
#include "sdk/screen.h"
#include "sdk/sdk.h"

#define BIG_LBA ((1ull << 28) + 5)
#define MAXRUN 300

static uint32_t bufw[MAXRUN * 128], bufr[MAXRUN * 128];
static int failures;

static void fill(uint32_t *w, uint64_t lba, uint32_t count, uint32_t seed)
{
	for (uint32_t s = 0; s < count; s++, lba++) {
		uint32_t v = (uint32_t)lba * 0x9e3779b1u +
			     (uint32_t)(lba >> 32) * 0x27d4eb2fu + seed * 0x85ebca77u;

		for (uint32_t k = 0; k < 128; k++, v += 0x01000193u)
			*w++ = v;
	}
}

static void expect(bool ok, const char *what, int r)
{
	if (ok) {
		serial_printf("ok   %s\n", what);
		return;
	}
	serial_printf("FAIL %s (status %d)\n", what, r);
	failures++;
}

static struct {
	uint64_t lba;
	uint32_t count;
} runs[5];
static int nruns;

static void plan(const struct disk *d)
{
	nruns = 0;
	runs[nruns].lba = 0, runs[nruns++].count = 1;
	runs[nruns].lba = 1, runs[nruns++].count = 8;
	if (d->sectors >= 400)
		runs[nruns].lba = 100, runs[nruns++].count = MAXRUN;
	runs[nruns].lba = d->sectors - 1, runs[nruns++].count = 1;
	if (d->lba48 && d->sectors > BIG_LBA)
		runs[nruns].lba = BIG_LBA, runs[nruns++].count = 2;
}

static void write_runs(struct disk *d, uint32_t seed)
{
	char what[64];

	for (int i = 0; i < nruns; i++) {
		fill(bufw, runs[i].lba, runs[i].count, seed);
		int r = disk_write(d, runs[i].lba, runs[i].count, bufw);

		snprintf(what, sizeof(what), "%s write %u at %llu", disk_name(d),
			 runs[i].count, (unsigned long long)runs[i].lba);
		expect(r == 0, what, r);
	}
	int r = disk_flush(d);

	expect(r == 0, "flush", r);
}

static void verify_runs(struct disk *d, uint32_t seed)
{
	char what[64];

	for (int i = 0; i < nruns; i++) {
		fill(bufw, runs[i].lba, runs[i].count, seed);
		memset(bufr, 0x5a, runs[i].count * 512);
		int r = disk_read(d, runs[i].lba, runs[i].count, bufr);

		snprintf(what, sizeof(what), "%s read %u at %llu", disk_name(d),
			 runs[i].count, (unsigned long long)runs[i].lba);
		expect(r == 0 && !memcmp(bufw, bufr, runs[i].count * 512), what, r);
	}
}

/*
 * vmm reports a range error as IDNF (ATA) or VMM_E_RANGE (PV); QEMU's IDE
 * aborts such commands with ABRT instead, which the driver reports as
 * VMM_E_IO: elsewhere any error will do.
 */
static bool range_error(int r)
{
	return vmm_boot_info() ? r == VMM_E_RANGE : r < 0;
}

static void error_paths(struct disk *d, uint32_t seed)
{
	uint64_t n = d->sectors;
	int r;

	r = disk_write(d, n, 1, bufw);
	expect(range_error(r), "write past the end fails", r);
	r = disk_read(d, n + 1000, 1, bufr);
	expect(range_error(r), "read past the end fails", r);
	fill(bufw, n - 1, 2, seed + 99);
	r = disk_write(d, n - 1, 2, bufw);
	expect(range_error(r), "write straddling the end fails", r);
	fill(bufw, n - 1, 1, seed);
	r = disk_read(d, n - 1, 1, bufr);
	expect(r == 0 && !memcmp(bufw, bufr, 512),
	       "last sector unchanged by the refused write", r);
	/* the device still works after errors */
	fill(bufw, 0, 1, seed);
	r = disk_read(d, 0, 1, bufr);
	expect(r == 0 && !memcmp(bufw, bufr, 512), "read after errors", r);
}

/* Raw descriptors the SDK would never build: the VMM must refuse each. */
static void ring_abuse(void)
{
	const struct vmm_boot_info *bi = vmm_boot_info();
	struct vmm_pv_ring *r = (void *)(uintptr_t)bi->disk_ring;
	static const struct {
		uint32_t op, count;
		uint64_t sector, buf;
		int32_t want;
		const char *what;
	} bad[] = {
		{ VMM_DISK_WRITE, 2, 0, 0xfffffe00ull, VMM_E_FAULT, "ring: buffer wraps past 4 GiB" },
		{ VMM_DISK_WRITE, 1, 0, 0xffffffffffffff00ull, VMM_E_FAULT, "ring: 64-bit buffer address" },
		{ VMM_DISK_READ, 1, 0, 0xa0000, VMM_E_FAULT, "ring: buffer in the VGA hole" },
		{ VMM_DISK_READ, 0, 0, 0x200000, VMM_E_INVAL, "ring: count 0" },
		{ VMM_DISK_READ, VMM_PV_RING_MAX_SECTORS + 1, 0, 0x200000, VMM_E_INVAL, "ring: huge count" },
		{ VMM_DISK_READ, 0xffffffffu, 0, 0x200000, VMM_E_INVAL, "ring: count 2^32-1" },
		{ 7, 1, 0, 0x200000, VMM_E_INVAL, "ring: bad operation" },
		{ VMM_DISK_WRITE, 1, ~0ull, 0x200000, VMM_E_RANGE, "ring: sector 2^64-1" },
		{ VMM_DISK_WRITE, 2, ~0ull - 1, 0x200000, VMM_E_RANGE, "ring: sector range wraps" },
	};
	uint32_t cons = r->cons;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vmm_pv_desc *d = &r->desc[cons % VMM_PV_RING_ENTRIES];

		d->op = bad[i].op;
		d->count = bad[i].count;
		d->sector = bad[i].sector;
		d->buf = bad[i].buf;
		d->status = 1;
		r->prod = ++cons;
		int32_t h = vmm_hypercall(VMM_HC_DISK_RING, 0, 0, 0, 0);

		expect(h == 0 && d->status == bad[i].want && r->cons == cons,
		       bad[i].what, d->status);
	}
	r->prod = cons + VMM_PV_RING_ENTRIES + 1;
	int32_t h = vmm_hypercall(VMM_HC_DISK_RING, 0, 0, 0, 0);

	expect(h == VMM_E_INVAL && r->cons == cons, "ring: prod far ahead refused", h);
	r->prod = cons;
}

static void slave_checks(const struct disk *master, bool want, uint32_t seed)
{
	struct disk s;
	int r = disk_open(&s, disk_name(master), 1);

	if (!want) {
		expect(r == VMM_E_NODEV, "no slave drive", r);
		return;
	}
	expect(r == 0, "slave present", r);
	if (r)
		return;
	fill(bufw, 0, 4, seed + 1);
	r = disk_write(&s, 0, 4, bufw);
	expect(r == 0, "slave write", r);
	memset(bufr, 0, 4 * 512);
	r = disk_read(&s, 0, 4, bufr);
	expect(r == 0 && !memcmp(bufw, bufr, 4 * 512), "slave read back", r);
	struct disk m;

	r = disk_open(&m, disk_name(master), 0);
	fill(bufw, 0, 1, seed);
	if (!r)
		r = disk_read(&m, 0, 1, bufr);
	expect(r == 0 && !memcmp(bufw, bufr, 512), "master unchanged by slave writes", r);
}

/*
 * A script waits on the screen ({until:}, which looks every 10 ms), not on
 * serial: show progress there, one row per ten sectors, so that each line
 * stays for a whole pass (one row rewritten in place was gone after ten
 * writes, 2 ms on a fast host, and a loaded one's script missed it).
 */
static void show_storm(long pass, long lba)
{
	char s[40];

	snprintf(s, sizeof(s), "storm %ld %ld   ", pass, lba);
	for (unsigned int x = 0; s[x]; x++)
		screen_put(x, (unsigned int)(lba / 10 % 25), (uint8_t)s[x], 0x07);
}

static int storm(struct disk *d, uint32_t seed)
{
	long n = cmdline_int("n", 64), passes = cmdline_int("passes", 1);

	for (long p = 0; passes == 0 || p < passes; p++) {
		for (long i = 0; i < n; i++) {
			fill(bufw, (uint64_t)i, 1, seed + (uint32_t)p);
			int r = disk_write(d, (uint64_t)i, 1, bufw);

			if (r) {
				serial_printf("FAIL storm write %ld: %d\n", i, r);
				return 1;
			}
			serial_printf("ACK %ld %ld\n", p, i);
			if (i % 10 == 0)
				show_storm(p, i);
		}
	}
	return 0;
}

int main(const char *cmdline)
{
	char op[16] = "check", wname[16], cname[16];
	uint32_t seed = (uint32_t)cmdline_int("seed", 1);
	struct disk w, c;
	int r;

	(void)cmdline;
	for (uint32_t a = 2u << 20, n = (uint32_t)cmdline_int("ballast", 0);
	     a < (2u + n) << 20; a += 4096)
		*(volatile uint32_t *)(uintptr_t)a = a;
	cmdline_get("op", op, sizeof(op));
	const char *wn = cmdline_get("disk", wname, sizeof(wname));
	const char *cn = cmdline_get("check", cname, sizeof(cname));

	r = disk_open(&w, wn, 0);
	if (r) {
		serial_printf("disk-test: cannot open the disk with %s: %d\n",
			      wn ? wn : "the default driver", r);
		return 100;
	}
	w.force_ext = cmdline_int("ext", 0);
	serial_printf("disk-test: %s, %llu sectors%s, op=%s\n", disk_name(&w),
		      (unsigned long long)w.sectors, w.lba48 ? ", LBA48" : "", op);
	if (!strcmp(op, "storm"))
		return storm(&w, seed);
	plan(&w);
	if (!strcmp(op, "write")) {
		write_runs(&w, seed);
	} else if (!strcmp(op, "verify")) {
		verify_runs(&w, seed);
	} else {
		write_runs(&w, seed);
		verify_runs(&w, seed);
		if (cn && strcmp(cn, disk_name(&w))) {
			r = disk_open(&c, cn, 0);
			expect(r == 0, "open the checking driver", r);
			if (!r) {
				c.force_ext = w.force_ext;
				verify_runs(&c, seed);
			}
		}
		error_paths(&w, seed);
		if (w.drv == DISK_PV_RING)
			ring_abuse();
		if (w.drv == DISK_ATA_POLL || w.drv == DISK_ATA_IRQ)
			slave_checks(&w, cmdline_int("slave", 0), seed);
	}
	serial_printf("disk-test: %d failures\n", failures);
	return failures;
}
