/* SPDX-License-Identifier: MIT */
#ifndef DEVICES_DISK_H
#define DEVICES_DISK_H

#include <stdint.h>

struct vm;
struct vm_config;

/*
 * Opens the configured images (before KVM is touched, so a bad image is a
 * usage error, status 2, whatever the machine).  Returns 0, or
 * VMM_EXIT_USAGE after a one-line error naming the image.
 */
int disk_open(struct vm *vm, const struct vm_config *cfg);
/*
 * Attaches them: disk.mode=emulated puts disk.path (and disk.slave) on the
 * ATA channel; disk.mode=pv gives disk.path to the paravirtual disk and
 * leaves the ATA ports floating (reads 0xff).
 */
int disk_attach(struct vm *vm, const struct vm_config *cfg);
/* After the vCPU stopped: flushes (fsync unless unsafe) and closes; -1 on failure. */
int disk_teardown(struct vm *vm);
/* The master image's size in sectors, 0 without a disk. */
uint64_t disk_sectors(const struct vm *vm);

#endif
