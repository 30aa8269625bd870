// SPDX-License-Identifier: MIT
/*
 * `vmm --restore FILE` as main runs it, from the file on: snap_read()
 * (the file opened, mapped or, when others may write it, copied, then
 * checked whole), the RAM size and disk identity checks, snap_apply()
 * into a 1 MiB guest with a few devices (RAM runs mapped from the file or
 * copied, the device table; the vCPU and machine state go to KVM, which
 * this harness has not, so the apply stops there), and the watch on a
 * file that shrinks under the VM.
 * Input: a flags byte
 *   bit 0  others may write the file (mode 0666): it is copied, not mapped
 *   bit 1  --restore-force-disk
 *   bit 2, 3  an image is open in slot 0, 1
 *   bit 4  the DISKS entries carry the open images' identities (the
 *          snapshot was taken of exactly these files)
 *   bit 5  the file shrinks after the restore
 *   bits 6-7  0: then a u64 RAM size and sections {type u8, length u16,
 *          payload} that the harness writes with valid checksums
 *          (snap_frame.h) into the file; 1: the rest is the file as is;
 *          2: the path names a folder; 3: a file that is not there
 * FUZZ_RESTORE_SEED=FILE writes a seed that restores whole: a config, RAM
 * runs, this harness's device table, a vCPU and a machine record.
 * Covers: vmm/snapshot/restore.c vmm/snapshot/sections.c vmm/snapshot/ram.c vmm/devices.c
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../devices/cmos.h"
#include "../../devices/debugcon.h"
#include "../../devices/i8042.h"
#include "../../devices/post.h"
#include "../../devices/serial.h"
#include "../../devices/table.h"
#include "../../vmm/snapshot/internal.h"
#include "../../vmm/state.h"
#include "../../vmm/vm.h"
#include "fuzz.h"
#include "snap_frame.h"

#define RAM	(1u << 20)

static struct vm vm;
static struct snap_ctl ctl;
static uint8_t *guard;			/* the page after guest RAM, never written */
static int file = -1;			/* the snapshot file */
static char path[64];
static int disk_fd[SNAP_MAX_DISKS];
static const char *const disk_path[SNAP_MAX_DISKS] = { "master.img", "slave.img" };
static struct cmos cmos;
static struct post post;
static struct state base[8];		/* each device's start-up record */

static uint64_t fixed_clock(void *ctx)
{
	(void)ctx;
	return 5000000000000ull;
}

static void nothing(void *opaque)
{
	(void)opaque;
}

static void add(const struct device_model *m, void *dev)
{
	if (!dev)
		abort();
	vm.devices[vm.ndevices++] = (struct vm_device){ m, dev };
}

static struct state save(const struct vm_device *d)
{
	struct state s;

	state_init_save(&s);
	FUZZ_ASSERT(device_state(d->model, d->dev, &s) == 0);
	return s;
}

/* Sections {type u8, length u16, payload} for the seed. */
static void section(FILE *f, uint32_t type, const void *p, size_t n)
{
	if (n > 0xffff)
		abort();
	fprintf(f, "%c%c%c", (int)type, (int)(n & 0xff), (int)(n >> 8));
	fwrite(p, 1, n, f);
}

static void write_seed(const char *out)
{
	static const char config[] = "memory = 1;\n";
	/* two runs: 2 data pages at page 3, 4 zero pages at 16 (unpadded: copied) */
	uint8_t ram[24 + 2 * SNAP_PAGE + 16] = { 0 };
	struct snap_vcpu v = { 0 };
	struct snap_machine m = { 0 };
	struct state s;
	FILE *f = fopen(out, "wb");
	uint64_t bytes = RAM;

	if (!f)
		abort();
	/* flags: two open images, their identities (force off, mapped) */
	fputc(0x1c, f);
	fwrite(&bytes, 1, 8, f);
	section(f, SNAP_CONFIG, config, strlen(config));
	ram[0] = 3;			/* first page */
	ram[8] = 2;			/* count; kind 0: data; padding 0 */
	memset(ram + 16, 0xab, 2 * SNAP_PAGE);
	ram[16 + 2 * SNAP_PAGE] = 16;
	ram[16 + 2 * SNAP_PAGE + 8] = 4;
	ram[16 + 2 * SNAP_PAGE + 12] = 1;	/* zero */
	section(f, SNAP_RAM, ram, 16 + 2 * SNAP_PAGE + 16);
	/* the disks: the harness gives each entry the open image's identity */
	/* each record section leads with its version (vmm/snapshot/sections.c: record) */
	state_init_save(&s);
	{
		uint32_t n = 2, version = 1;

		state_u32(&s, &version);
		state_u32(&s, &n);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t len = (uint32_t)strlen(disk_path[i]);
			uint64_t zero = 0;

			state_u32(&s, &i);
			state_u32(&s, &len);
			state_bytes(&s, (void *)disk_path[i], len);
			for (int k = 0; k < 4; k++)
				state_u64(&s, &zero);
			state_u32(&s, &len);
		}
	}
	section(f, SNAP_DISKS, s.buf, s.len);
	state_free(&s);
	state_init_save(&s);
	if (vm_devices_save(&vm, &s))
		abort();
	section(f, SNAP_DEVICES, s.buf, s.len);
	state_free(&s);
	state_init_save(&s);
	state_u32(&s, &(uint32_t){ SNAP_VCPU_VERSION });
	if (snap_vcpu_state(&s, &v))
		abort();
	section(f, SNAP_VCPU, s.buf, s.len);
	state_free(&s);
	for (int i = 0; i < 3; i++)
		m.chip[i].chip_id = (uint32_t)i;
	state_init_save(&s);
	state_u32(&s, &(uint32_t){ SNAP_MACHINE_VERSION });
	if (snap_machine_state(&s, &m))
		abort();
	section(f, SNAP_MACHINE, s.buf, s.len);
	state_free(&s);
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static struct vm_config cfg = { .firmware.image = "bios.bin" };
	void *dev = NULL;

	(void)argc;
	(void)argv;
	vm_init(&vm);
	vm.cfg = &cfg;
	vm.host.cfg = &cfg;
	vm.mem.size = RAM;
	vm.mem.base = mmap(NULL, RAM + SNAP_PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm.mem.base == MAP_FAILED)
		abort();
	guard = vm.mem.base + RAM;
	ctl = (struct snap_ctl){ .source_fd = -1, .pagemap_fd = -1, .efd = -1 };
	ctl.file_pages = calloc(RAM / SNAP_PAGE / 64 + 1, sizeof(uint64_t));
	vm.snap = &ctl;
	file = memfd_create("restore-fuzz", MFD_CLOEXEC);
	if (file < 0 || !ctl.file_pages)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", file);
	for (int i = 0; i < SNAP_MAX_DISKS; i++) {
		disk_fd[i] = memfd_create(disk_path[i], MFD_CLOEXEC);
		if (disk_fd[i] < 0 || ftruncate(disk_fd[i], 1 << 16))
			abort();
	}
	/* a few devices of the table (the rest have their own harnesses) */
	add(&i8042_device, i8042_create(NULL));
	cmos_init(&cmos, NULL, RAM, 0, (struct cmos_clock){ fixed_clock, NULL });
	add(&cmos_device, &cmos);
	add(&debugcon_device, debugcon_new(-1, false));
	add(&post_device, &post);
	dev = serial_create(NULL);
	if (dev)
		serial_tx_attach(dev, nothing, NULL);
	add(&serial_device, dev);
	if (reset_control_device.create(&vm.host, &dev))
		abort();
	add(&reset_control_device, dev);
	for (int i = 0; i < vm.ndevices; i++)
		base[i] = save(&vm.devices[i]);
	if (getenv("FUZZ_RESTORE_SEED"))
		write_seed(getenv("FUZZ_RESTORE_SEED"));
	return 0;
}

/* The input as a snapshot file with valid checksums, or as is. */
static void write_file(struct in *in, bool framed)
{
	struct snap_writer w;
	struct snap_header h;

	if (ftruncate(file, 0) || lseek(file, 0, SEEK_SET))
		abort();
	if (!framed) {
		if (in->n && write(file, in->p, in->n) != (ssize_t)in->n)
			abort();
		return;
	}
	h = (struct snap_header){ .ram_bytes = take(in, 8) };
	if (snap_writer_init(&w, file))
		abort();
	snap_write_header(&w, &h);
	fuzz_snap_sections(in, &w);
	snap_finish(&w);
	snap_writer_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	uint8_t flags = (uint8_t)take(&in, 1);
	int fds[SNAP_MAX_DISKS];
	struct sigaction bus;
	struct snap_image im;

	/* fresh guest RAM: nothing mapped from the last input's file */
	if (mmap(vm.mem.base, RAM, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		abort();
	for (int i = 0; i < vm.ndevices; i++) {
		struct state s;

		state_init_load(&s, base[i].buf, base[i].len);
		FUZZ_ASSERT(device_state(vm.devices[i].model, vm.devices[i].dev, &s) == 0);
	}
	vm.stopping = 0;
	const char *at = (const char *[]){ path, path, "/", "/nonexistent/snap" }[flags >> 6];

	write_file(&in, flags >> 6 == 0);
	if (fchmod(file, flags & 1 ? 0666 : 0600))
		abort();
	for (int i = 0; i < SNAP_MAX_DISKS; i++)
		fds[i] = flags & (4 << i) ? disk_fd[i] : -1;
	sigaction(SIGBUS, NULL, &bus);
	if (snap_read(&im, at) == 0) {
		FUZZ_ASSERT(im.config_text && im.have_vcpu && im.have_machine && im.have_devices);
		FUZZ_ASSERT(im.copied == !!(flags & 1));
		for (uint32_t i = 0; flags & 0x10 && i < im.ndisks; i++) {
			struct stat st;
			struct snap_disk_id *d = &im.disk[i];

			if (fds[d->slot] < 0 || fstat(fds[d->slot], &st))
				continue;
			d->dev = (uint64_t)st.st_dev;
			d->ino = (uint64_t)st.st_ino;
			d->size = (uint64_t)st.st_size;
			d->mtime_s = (int64_t)st.st_mtim.tv_sec;
			d->mtime_ns = (uint32_t)st.st_mtim.tv_nsec;
		}
		if (snap_check_ram(&im, RAM >> 20) == 0 &&
		    snap_check_disks(&im, fds, disk_path, flags & 2) == 0) {
			/* stops at the machine state: there is no KVM here */
			FUZZ_ASSERT(snap_apply(&vm, &im) != 0);
			FUZZ_ASSERT(im.ram_pages_loaded <= RAM / SNAP_PAGE * (uint64_t)im.nram);
			snap_keep_source(&vm, &im);
			if (flags & 0x20 && ftruncate(file, 0))
				abort();
			FUZZ_ASSERT(snap_source_shrank(&vm) ==
				    (ctl.source_fd >= 0 && (flags & 0x20) && im.len > 0));
			if (ctl.source_fd >= 0)
				close(ctl.source_fd);
			ctl.source_fd = -1;
		}
	}
	sigaction(SIGBUS, &bus, NULL);
	snap_image_free(&im);
	for (size_t i = 0; i < SNAP_PAGE; i++)
		FUZZ_ASSERT(!guard[i]);
	return 0;
}
