/* SPDX-License-Identifier: MIT */
/*
 * Port 0x80, where a BIOS writes its power-on self-test codes: counted,
 * and the last one kept, so that a boot that stops early can say where.
 * Reading the port gives the last code back, as many chipsets do.
 */
#ifndef DEVICES_POST_H
#define DEVICES_POST_H

#include <stdint.h>

struct bus_access;
struct device_model;

#define POST_PORT	0x80

struct post {
	uint8_t last;
	uint64_t codes;
};

void post_io(void *opaque, struct bus_access *a);
/* The last code, or -1 when the firmware wrote none (or there is no port). */
int post_last(const struct post *p);

extern const struct device_model post_device;

#endif
