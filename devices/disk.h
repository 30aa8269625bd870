/* SPDX-License-Identifier: MIT */
#ifndef DEVICES_DISK_H
#define DEVICES_DISK_H

#include <stdbool.h>
#include <stdint.h>

struct device_host;
struct vm_config;

/*
 * Opens the configured images (before KVM is touched, so a bad image is a
 * usage error, status 2, whatever the machine).  Returns 0, or
 * VMM_EXIT_USAGE after a one-line error naming the image.
 */
int disk_open(struct device_host *h, const struct vm_config *cfg);
/* Flushes every image (fsync unless cache=unsafe); -1 when one failed. */
int disk_flush(struct device_host *h);
/*
 * Every write to the images asks gate(arg) first and fails when it says
 * false (a restore whose RAM is still being checked); NULL: no gate.
 */
void disk_write_gate(struct device_host *h, bool (*gate)(void *arg), void *arg);
/* After the devices are gone: flushes and closes; -1 when a flush failed. */
int disk_close(struct device_host *h);
/* The master image's size in sectors, 0 without a disk. */
uint64_t disk_sectors(const struct device_host *h);

#endif
