// SPDX-License-Identifier: MIT
/*
 * vmm --restore FILE: the file is checked before anything is set up
 * (snap_read: every problem is status 2, nothing run), all but the bytes
 * of its RAM, which verify.c checks while the VM starts; and applied once
 * the machine and its devices exist (snap_apply).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../config.h"
#include "../hostfile.h"
#include "../state.h"
#include "../vm.h"
#include "internal.h"

/* Larger than any guest's RAM plus state: refused before it is read. */
#define SNAP_FILE_MAX	((uint64_t)(CONFIG_MEM_MAX_MIB + 64) << 20)

/*
 * Someone other than the restoring user may write the file: mapped, they
 * could change the guest's code or shrink its RAM away under it.
 */
static bool others_may_write(const struct stat *st)
{
	return st->st_uid != geteuid() || (st->st_mode & (S_IWGRP | S_IWOTH));
}

/* Into anonymous memory, so that what was checked is what runs. */
static int copy_file(struct snap_image *im)
{
	/* shrunk meanwhile: the checks say "truncated" */
	if (hostfile_copy(im->fd, &im->len, (void **)&im->data)) {
		im->data = NULL;
		return -1;
	}
	close(im->fd);
	im->fd = -1;		/* no RAM run is mapped from the file */
	im->copied = true;
	return 0;
}

/*
 * The file is mapped, not read: the RAM runs are mapped on into guest
 * RAM, not copied, and read only as the guest and verify.c touch them;
 * unless others may write it, then it is copied (copy_file()).
 */
static int map_file(struct snap_image *im, const char *path)
{
	struct stat st;

	im->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (im->fd < 0 || fstat(im->fd, &st) < 0) {
		fprintf(stderr, "vmm: --restore %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > SNAP_FILE_MAX) {
		fprintf(stderr, "vmm: --restore %s: %s\n", path, S_ISREG(st.st_mode) ?
			"too large to be a snapshot" : "not a regular file");
		return -1;
	}
	im->len = (size_t)st.st_size;
	if (!im->len)
		return 0;	/* the checks say "truncated" */
	if (others_may_write(&st)) {
		if (!copy_file(im))
			return 0;
		fprintf(stderr, "vmm: --restore %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* not populated: before the VM starts only the headers are read */
	im->data = mmap(NULL, im->len, PROT_READ, MAP_PRIVATE, im->fd, 0);
	if (im->data == MAP_FAILED) {
		im->data = NULL;
		fprintf(stderr, "vmm: --restore %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

struct walking {
	struct snap_image *im;
	const struct snap_reader *r;
};

static int load_one(void *arg, uint32_t type, const uint8_t *p, uint64_t len)
{
	const struct walking *w = arg;
	char err[200];

	w->im->h = w->r->h;
	if (!snap_load_section(w->im, NULL, type, p, len, err, sizeof(err)))
		return 0;
	fprintf(stderr, "vmm: %s: corrupted: %s\n", w->im->path, err);
	return 1;
}

/*
 * Checks every section (header, lengths, CRCs) and decodes all but RAM's
 * data; a mapped file's RAM bytes and CRCs are left for verify.c.
 */
static int walk(struct snap_image *im)
{
	struct snap_reader r;
	struct walking w = { im, &r };
	int k;

	snap_reader_buffer(&r, im->path, im->data, im->len);
	r.defer_ram = !im->copied;
	k = snap_walk(&r, load_one, &w);
	im->h = r.h;
	im->deferred = r.crc_deferred;
	if (k < 0)
		fprintf(stderr, "vmm: %s\n", r.err);
	return k ? -1 : 0;
}

int snap_read(struct snap_image *im, const char *path)
{
	const char *missing = NULL;

	*im = (struct snap_image){ .path = path, .fd = -1 };
	if (map_file(im, path) || walk(im))
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

void snap_image_free(struct snap_image *im)
{
	if (im->data)
		munmap(im->data, im->len);
	if (im->fd >= 0)
		close(im->fd);
	im->fd = -1;
	free(im->ram);
	im->ram = NULL;
	im->nram = 0;
	free(im->config_text);
	free(im->devices);
	snap_vcpu_free(&im->vcpu);
	im->data = NULL;
	im->config_text = NULL;
	im->devices = NULL;
}

int snap_check_ram(const struct snap_image *im, uint32_t mem_mib)
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

/* The RAM sections the check found, into guest RAM. */
static int apply_ram(struct vm *vm, struct snap_image *im)
{
	char err[200];

	/* a file's RAM goes in here; an incoming VM's came as it arrived */
	if (!im->data)
		return 0;
	im->ram_pages_loaded = 0;
	if (snap_ram_clear(vm)) {
		fprintf(stderr, "vmm: %s: cannot clear guest RAM: %s\n", im->path,
			strerror(errno));
		return -1;
	}
	for (uint32_t i = 0; i < im->nram; i++) {
		if (snap_load_section(im, vm, SNAP_RAM, im->ram[i].p, im->ram[i].len,
				      err, sizeof(err))) {
			fprintf(stderr, "vmm: %s: corrupted: %s\n", im->path, err);
			return -1;
		}
	}
	return 0;
}

int snap_apply(struct vm *vm, struct snap_image *im)
{
	uint64_t t0 = now_ns();
	char err[200];

	if (apply_ram(vm, im) || apply_devices(vm, im))
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
		fprintf(stderr, "vmm: restored %s: %llu pages of RAM in %.2f ms%s\n",
			im->path, (unsigned long long)im->ram_pages_loaded,
			(double)(now_ns() - t0) / 1e6, im->copied ?
			" (copied: others may write the file)" : "");
	return 0;
}

/* ---- a file that shrinks under the VM ----------------------------------- */

static char shrank_msg[SNAP_PATH_MAX + 200];

void snap_keep_source(struct vm *vm, struct snap_image *im)
{
	struct snap_ctl *c = vm->snap;
	char shown[SNAP_PATH_MAX];

	if (!c || im->fd < 0 || im->copied)
		return;
	c->source_fd = dup(im->fd);
	c->source_len = im->len;
	snprintf(shrank_msg, sizeof(shrank_msg), "vmm: the snapshot file %s shrank "
		 "under the running VM, whose RAM is mapped from it: the VM cannot go on "
		 "(do not change a snapshot file while a VM restored from it runs)\n",
		 config_shown(im->path, shown, sizeof(shown)));
	/* a host thread touched guest RAM that the file no longer holds */
	hostfile_sigbus_exits(shrank_msg, VMM_EXIT_SETUP, NULL);
}

bool snap_source_shrank(struct vm *vm)
{
	const struct snap_ctl *c = vm->snap;
	struct stat st;

	if (!c || c->source_fd < 0 || fstat(c->source_fd, &st) < 0 ||
	    (uint64_t)st.st_size >= c->source_len)
		return false;
	vm_stop(vm, STOP_ERROR, VMM_EXIT_SETUP, "%.*s", (int)strlen(shrank_msg) - 6, shrank_msg + 5);	/* no "vmm: ", no newline */
	return true;
}
