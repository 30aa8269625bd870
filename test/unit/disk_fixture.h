/* SPDX-License-Identifier: MIT */
/*
 * A VM without KVM for disk tests: zeroed buses, vm_fd = -1 (so
 * vm_irq_line does nothing and nothing is coalesced), and temporary sparse
 * images that are removed at exit.
 */
#ifndef TEST_DISK_FIXTURE_H
#define TEST_DISK_FIXTURE_H

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../devices/disk_image.h"
#include "../../vmm/vm.h"

static struct vm vm;
static char img_paths[64][64];
static int n_imgs;

static inline void fixture_cleanup(void)
{
	for (int i = 0; i < n_imgs; i++)
		unlink(img_paths[i]);
}

static inline void vm_reset(void)
{
	memset(&vm, 0, sizeof(vm));
	vm.vm_fd = vm.kvm_fd = vm.vcpu_fd = vm.wake_fd = -1;
	/* the devices see it through its host, as main builds them */
	vm_host_init(&vm);
}

/* A new sparse image of n sectors; its path stays valid until exit. */
static inline const char *tmp_image(uint64_t sectors)
{
	if (n_imgs == 64) {
		fprintf(stderr, "tmp_image: too many images\n");
		exit(1);
	}
	char *p = img_paths[n_imgs++];

	snprintf(p, 64, "/tmp/vmm-disk-unit.XXXXXX");
	int fd = mkstemp(p);

	if (fd < 0 || ftruncate(fd, (off_t)(sectors * 512)) < 0) {
		perror("tmp_image");
		exit(1);
	}
	close(fd);
	if (n_imgs == 1)
		atexit(fixture_cleanup);
	return p;
}

static inline void open_image(struct disk_image *d, const char *path, bool ro)
{
	if (disk_image_open(d, path, ro, CACHE_WRITEBACK, &vm.stats)) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(1);
	}
}

/* The bytes of sector lba of the file at path. */
static inline void file_sector(const char *path, uint64_t lba, uint8_t *out)
{
	int fd = open(path, O_RDONLY);

	memset(out, 0xee, 512);
	if (fd >= 0) {
		if (pread(fd, out, 512, (off_t)(lba * 512)) != 512)
			memset(out, 0xee, 512);
		close(fd);
	}
}

static inline bool sector_is(const char *path, uint64_t lba, uint8_t byte)
{
	uint8_t b[512];

	file_sector(path, lba, b);
	for (int i = 0; i < 512; i++)
		if (b[i] != byte)
			return false;
	return true;
}

#endif
