// SPDX-License-Identifier: MIT
/* The BIOS image: checks, where it lands in RAM, and the reset state. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../devices/firmware.h"
#include "../../vmm/device.h"
#include "../../vmm/guest_mem.h"
#include "../../vmm/config.h"
#include "../unit.h"

static char dir[] = "/tmp/vmm-fw-XXXXXX", path[300], errbuf[1024];
static struct guest_mem mem;

static void write_image(size_t len)
{
	FILE *f = fopen(path, "w");

	for (size_t i = 0; i < len; i++)
		fputc((int)(i * 31 % 251), f);
	fclose(f);
}

/* firmware_load with stderr captured into errbuf. */
static int load(struct firmware *fw)
{
	memset(fw, 0, sizeof(*fw));
	return CAPTURE_STDERR(errbuf, firmware_load(fw, &mem, path));
}

static int err_is(const char *why)
{
	char want[512];

	snprintf(want, sizeof(want), "vmm: firmware '%s': %s\n", path, why);
	if (strcmp(errbuf, want))
		printf("    got: %s    want: %s", errbuf, want);
	return !strcmp(errbuf, want);
}

static void size_rules(void)
{
	EXPECT(config_firmware_size_problem(0) != NULL);
	EXPECT(config_firmware_size_problem(1) != NULL);
	EXPECT(config_firmware_size_problem(65535) != NULL);
	EXPECT(config_firmware_size_problem(65537) != NULL);
	EXPECT(config_firmware_size_problem(320 << 10) != NULL);
	EXPECT(config_firmware_size_problem(1ull << 40) != NULL);
	for (uint64_t k = 64; k <= 256; k += 64)
		EXPECT(config_firmware_size_problem(k << 10) == NULL);
}

static void images_land_below_1m(void)
{
	struct firmware fw;

	for (size_t k = 64; k <= 256; k += 64) {
		size_t len = k << 10;

		memset(mem.base, 0, mem.size);
		write_image(len);
		EXPECT_EQ(load(&fw), 0);
		EXPECT_EQ(fw.size, len);
		uint8_t *low = mem.base + FIRMWARE_LOW_END - len;

		EXPECT(!memcmp(low, fw.rom, len));
		EXPECT_EQ(low[1], 31);
		EXPECT_EQ(low[len - 1], (len - 1) * 31 % 251);
		EXPECT_EQ(mem.base[FIRMWARE_LOW_END - len - 1], 0);
		EXPECT_EQ(mem.base[FIRMWARE_LOW_END], 0);
		munmap(fw.rom, fw.size);
	}
}

static void bad_images(void)
{
	struct firmware fw;

	write_image(100000);
	EXPECT_EQ(load(&fw), -1);
	EXPECT(err_is("is not a whole number of 64 KiB blocks"));
	write_image(0);
	EXPECT_EQ(load(&fw), -1);
	EXPECT(err_is("is empty"));
	write_image(320 << 10);
	EXPECT_EQ(load(&fw), -1);
	EXPECT(err_is("is larger than 256 KiB"));
	write_image(5 << 20);
	EXPECT_EQ(load(&fw), -1);
	EXPECT(err_is("is larger than 4194304 bytes"));
	unlink(path);
	EXPECT_EQ(load(&fw), -1);
	EXPECT(err_is("No such file or directory"));
	snprintf(path, sizeof(path), "%s", dir);
	EXPECT_EQ(load(&fw), -1);
	EXPECT(err_is("is not a regular file"));
	snprintf(path, sizeof(path), "%s/bios.bin", dir);
	/* RAM too small to hold it below 1 MiB */
	write_image(128 << 10);
	mem.size = 0x80000;
	EXPECT_EQ(load(&fw), -1);
	EXPECT(err_is("does not fit below 1 MiB in guest RAM"));
	mem.size = 2 << 20;
	EXPECT(fw.rom == NULL);
}

/* Debian's SeaBIOS, when installed: its reset vector is a far jump. */
static void seabios_reset_vector(void)
{
	struct firmware fw;

	if (access(FIRMWARE_SEABIOS, R_OK))
		return;
	snprintf(path, sizeof(path), "%s", FIRMWARE_SEABIOS);
	EXPECT_EQ(load(&fw), 0);
	EXPECT_EQ(mem.base[0xffff0], 0xea);
	EXPECT_EQ(fw.rom[fw.size - 16], 0xea);
	munmap(fw.rom, fw.size);
	snprintf(path, sizeof(path), "%s/bios.bin", dir);
}

static void reset_state(void)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	memset(&r, 0xff, sizeof(r));
	memset(&s, 0xff, sizeof(s));
	firmware_reset_state(&r, &s);
	/* the first fetch: CS base + IP = 0xFFFFFFF0, 16 bytes below 4 GiB */
	EXPECT_EQ(s.cs.base + r.rip, 0xfffffff0ull);
	EXPECT_EQ(s.cs.selector, 0xf000);
	EXPECT_EQ(s.cs.limit, 0xffff);
	EXPECT_EQ(s.cs.db, 0);
	EXPECT_EQ(s.cs.present, 1);
	EXPECT_EQ(s.ds.base, 0);
	EXPECT_EQ(s.ss.limit, 0xffff);
	EXPECT_EQ(s.cr0 & 1, 0);		/* real mode */
	EXPECT_EQ(s.cr0 & 0x80000000u, 0);	/* no paging */
	EXPECT_EQ(s.efer, 0);
	EXPECT_EQ(s.cr4, 0);
	EXPECT_EQ(s.idt.base, 0);
	EXPECT_EQ(s.idt.limit, 0xffff);
	EXPECT_EQ(r.rflags, 2);
	EXPECT_EQ(r.rsp, 0);
	EXPECT_EQ(r.rax, 0);
}

/* A host that maps (or refuses to) and keeps the reset note it is given. */
static int map_result, mapped_slot = -1, note_status;
static char note[192];

static int fake_map(void *ctx, int slot, uint64_t gpa, uint64_t size, void *host,
		    bool readonly)
{
	(void)ctx;
	if (!map_result && readonly && host && gpa + size == FIRMWARE_HIGH_END)
		mapped_slot = slot;
	return map_result;
}

static void fake_reset_note(void *ctx, int status, const char *why)
{
	(void)ctx;
	note_status = status;
	snprintf(note, sizeof(note), "%s", why);
}

static void device_create(void)
{
	static struct vm_config cfg;
	static const struct device_host_ops ops = {
		.map = fake_map, .reset_note = fake_reset_note,
	};
	struct device_host h = { .cfg = &cfg, .mem = &mem, .ops = &ops };
	void *dev = (void *)1;
	char err[512];

	EXPECT_EQ(firmware_device.create(&h, &dev), 0);
	EXPECT(dev == NULL);
	cfg.firmware.image = path;
	write_image(1000);
	EXPECT_EQ(CAPTURE_STDERR(err, firmware_device.create(&h, &dev)), VMM_EXIT_USAGE);
	EXPECT(strstr(err, "not a whole number of 64 KiB blocks"));
	/* a good image: the alias below 4 GiB, and no disk to boot says so */
	write_image(64 << 10);
	EXPECT_EQ(firmware_device.create(&h, &dev), 0);
	EXPECT(dev != NULL);
	EXPECT_EQ(mapped_slot, SLOT_FIRMWARE_ALIAS);
	EXPECT_EQ(note_status, 1);
	EXPECT(strstr(note, "no bootable device (no disk)"));
	firmware_device.destroy(dev);
	/* the host cannot map it: set-up fails */
	map_result = -1;
	EXPECT_EQ(firmware_device.create(&h, &dev), VMM_EXIT_SETUP);
	EXPECT(dev == NULL);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/bios.bin", dir);
	mem.size = 2 << 20;
	mem.base = calloc(1, mem.size);
	RUN(size_rules);
	RUN(images_land_below_1m);
	RUN(bad_images);
	RUN(seabios_reset_vector);
	RUN(reset_state);
	RUN(device_create);
	unlink(path);
	snprintf(path, sizeof(path), "%s/err", dir);
	unlink(path);
	rmdir(dir);
	free(mem.base);
	UNIT_EXIT();
}
