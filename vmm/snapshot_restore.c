// SPDX-License-Identifier: MIT
/*
 * vmm --restore FILE: the file is read whole and checked before anything
 * is set up (snapshot_read: every problem is status 2, nothing run), and
 * applied once the machine and its devices exist (snapshot_apply).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "snapshot.h"
#include "state.h"
#include "vm.h"

/* Larger than any guest's RAM plus state: refused before it is read. */
#define SNAP_FILE_MAX	((uint64_t)(CONFIG_MEM_MAX_MIB + 64) << 20)

static int read_whole(struct snap_image *im, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t got = 0;

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "vmm: --restore %s: %s\n", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > SNAP_FILE_MAX) {
		fprintf(stderr, "vmm: --restore %s: %s\n", path, S_ISREG(st.st_mode) ?
			"too large to be a snapshot" : "not a regular file");
		goto fail;
	}
	im->data = malloc((size_t)st.st_size ? (size_t)st.st_size : 1);
	if (!im->data) {
		fprintf(stderr, "vmm: --restore %s: out of memory\n", path);
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, im->data + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* shrank meanwhile: the checks say truncated */
		got += (size_t)n;
	}
	im->len = got;
	close(fd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Walks every section; with vm, applies RAM (the rest was decoded already). */
static int walk(struct snap_image *im, struct vm *vm)
{
	struct snap_reader r;
	uint32_t type;
	const uint8_t *p;
	uint64_t len;
	int k;

	snap_reader_buffer(&r, im->path, im->data, im->len);
	if (snap_read_header(&r))
		goto bad;
	im->h = r.h;
	im->ram_pages_loaded = 0;
	while ((k = snap_next(&r, &type, &p, &len)) > 0) {
		char err[200];

		if (vm && type != SNAP_RAM)
			continue;
		if (snapshot_load_section(im, vm, type, p, len, err, sizeof(err))) {
			fprintf(stderr, "vmm: %s: corrupted: %s\n", im->path, err);
			return -1;
		}
	}
	if (k == 0)
		return 0;
bad:
	fprintf(stderr, "vmm: %s\n", r.err);
	return -1;
}

int snapshot_read(struct snap_image *im, const char *path)
{
	const char *missing = NULL;

	*im = (struct snap_image){ .path = path };
	if (read_whole(im, path) || walk(im, NULL))
		return -1;
	if (im->h.flags & SNAP_F_MIGRATION)
		missing = "a file (this is a migration stream)";
	else if (!im->config_text)
		missing = "its config";
	else if (!im->have_vcpu || !im->have_machine || !im->have_devices)
		missing = "the vCPU, machine or device state";
	if (missing) {
		fprintf(stderr, "vmm: %s: corrupted: not %s\n", path, missing);
		return -1;
	}
	return 0;
}

void snapshot_image_free(struct snap_image *im)
{
	free(im->data);
	free(im->config_text);
	free(im->devices);
	snap_vcpu_free(&im->vcpu);
	im->data = NULL;
	im->config_text = NULL;
	im->devices = NULL;
}

int snapshot_check_ram(const struct snap_image *im, uint32_t mem_mib)
{
	if (im->h.ram_bytes == (uint64_t)mem_mib << 20)
		return 0;
	fprintf(stderr, "vmm: %s: corrupted: the header says %llu bytes of RAM, "
		"its config %u MiB\n", im->path, (unsigned long long)im->h.ram_bytes,
		mem_mib);
	return -1;
}

static int apply_devices(struct vm *vm, struct snap_image *im)
{
	int r;

	pthread_mutex_lock(&vm->io_lock);
	vm_sync(vm);
	r = vm_devices_load(vm, im->devices, im->devices_len);
	pthread_mutex_unlock(&vm->io_lock);
	return r;
}

int snapshot_apply(struct vm *vm, struct snap_image *im)
{
	uint64_t t0 = now_ns();
	char err[200];

	if (walk(im, vm) || apply_devices(vm, im))
		return -1;
	if (snap_machine_set(vm, &im->machine, err, sizeof(err)) ||
	    snap_vcpu_set(vm, &im->vcpu, err, sizeof(err)) ||
	    snap_clock_set(vm, &im->machine, err, sizeof(err))) {
		fprintf(stderr, "vmm: %s: %s\n", im->path, err);
		return -1;
	}
	if (vm->snap)
		vm->snap->restore_ns = now_ns() - t0;
	if (vm->verbose)
		fprintf(stderr, "vmm: restored %s: %llu pages of RAM in %.2f ms\n",
			im->path, (unsigned long long)im->ram_pages_loaded,
			(double)(now_ns() - t0) / 1e6);
	return 0;
}
