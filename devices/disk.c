// SPDX-License-Identifier: MIT
/*
 * The disk images as configured, opened once before KVM is touched into
 * the device host; the ATA or the PV disk device (whichever disk.mode
 * names) takes them, and flushes them and hands their locks over.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../vmm/config.h"
#include "../vmm/device.h"
#include "disk.h"
#include "disk_image.h"

static struct disk_image *open_image(struct device_host *h, const char *path,
				     const struct vm_config *cfg)
{
	struct disk_image *d = calloc(1, sizeof(*d));

	if (!d) {
		fprintf(stderr, "vmm: out of memory\n");
		return NULL;
	}
	if (cfg->disk.in_memory && path == cfg->disk.path ?
	    disk_image_open_copy(d, path, h->stats) :
	    disk_image_open(d, path, cfg->disk.readonly, cfg->disk.cache, h->stats)) {
		free(d);
		return NULL;
	}
	return d;
}

int disk_open(struct device_host *h, const struct vm_config *cfg)
{
	if (cfg->disk.mode == VMM_MODE_NONE || !cfg->disk.path)
		return 0;
	h->disk[0] = open_image(h, cfg->disk.path, cfg);
	if (!h->disk[0])
		return VMM_EXIT_USAGE;
	if (cfg->disk.slave && cfg->disk.mode == VMM_MODE_PV) {
		if (h->verbose)
			fprintf(stderr, "vmm: disk.slave is an ATA drive: unused with disk.mode = pv\n");
	} else if (cfg->disk.slave) {
		h->disk[1] = open_image(h, cfg->disk.slave, cfg);
		if (!h->disk[1])
			return VMM_EXIT_USAGE;
	}
	return 0;
}

int disk_close(struct device_host *h)
{
	int r = 0;

	for (int i = 0; i < DEV_MAX_DISKS; i++) {
		if (!h->disk[i])
			continue;
		if (disk_image_close(h->disk[i]))
			r = -1;
		free(h->disk[i]);
		h->disk[i] = NULL;
	}
	return r;
}

int disk_flush(struct device_host *h)
{
	int r = 0;

	for (int i = 0; i < DEV_MAX_DISKS; i++)
		if (h->disk[i] && disk_image_flush(h->disk[i]))
			r = -1;
	return r;
}

void disk_write_gate(struct device_host *h, bool (*gate)(void *arg), void *arg)
{
	for (int i = 0; i < DEV_MAX_DISKS; i++) {
		if (h->disk[i]) {
			h->disk[i]->gate_arg = arg;
			h->disk[i]->write_gate = gate;
		}
	}
}

uint64_t disk_sectors(const struct device_host *h)
{
	return h->disk[0] ? h->disk[0]->sectors : 0;
}
