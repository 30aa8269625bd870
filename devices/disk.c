// SPDX-License-Identifier: MIT
/*
 * The disk images as configured, opened once before KVM is touched; the
 * ATA or the PV disk device (whichever disk.mode names) takes them.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../vmm/vm.h"
#include "disk.h"
#include "disk_image.h"

static struct disk_image *open_image(struct vm *vm, const char *path,
				     const struct vm_config *cfg)
{
	struct disk_image *d = calloc(1, sizeof(*d));

	if (!d) {
		fprintf(stderr, "vmm: out of memory\n");
		return NULL;
	}
	if (cfg->disk.in_memory && path == cfg->disk.path ?
	    disk_image_open_copy(d, path, &vm->stats) :
	    disk_image_open(d, path, cfg->disk.readonly, cfg->disk.cache, &vm->stats)) {
		free(d);
		return NULL;
	}
	return d;
}

int disk_open(struct vm *vm, const struct vm_config *cfg)
{
	if (cfg->disk.mode == VMM_MODE_NONE || !cfg->disk.path)
		return 0;
	vm->disk[0] = open_image(vm, cfg->disk.path, cfg);
	if (!vm->disk[0])
		return VMM_EXIT_USAGE;
	if (cfg->disk.slave && cfg->disk.mode == VMM_MODE_PV) {
		if (vm->verbose)
			fprintf(stderr, "vmm: disk.slave is an ATA drive: unused with disk.mode = pv\n");
	} else if (cfg->disk.slave) {
		vm->disk[1] = open_image(vm, cfg->disk.slave, cfg);
		if (!vm->disk[1])
			return VMM_EXIT_USAGE;
	}
	return 0;
}

int disk_close(struct vm *vm)
{
	int r = 0;

	for (int i = 0; i < 2; i++) {
		if (!vm->disk[i])
			continue;
		if (disk_image_close(vm->disk[i]))
			r = -1;
		free(vm->disk[i]);
		vm->disk[i] = NULL;
	}
	return r;
}

int disk_flush(struct vm *vm)
{
	int r = 0;

	for (int i = 0; i < 2; i++)
		if (vm->disk[i] && disk_image_flush(vm->disk[i]))
			r = -1;
	return r;
}

uint64_t disk_sectors(const struct vm *vm)
{
	return vm->disk[0] ? vm->disk[0]->sectors : 0;
}
