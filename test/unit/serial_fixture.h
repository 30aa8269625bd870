/* SPDX-License-Identifier: MIT */
/* COM1 without a VM for the serial tests: the guest's in and out. */
#ifndef TEST_SERIAL_FIXTURE_H
#define TEST_SERIAL_FIXTURE_H

#include "../../devices/serial.h"
#include "../../vmm/bus.h"

static struct serial *s;

static inline void out(unsigned int off, uint8_t v)
{
	struct bus_access a = { .addr = 0x3f8 + off, .off = off, .size = 1,
				.write = true, .data = &v };

	serial_io(s, &a);
}

static inline uint8_t in(unsigned int off)
{
	uint8_t v = 0;
	struct bus_access a = { .addr = 0x3f8 + off, .off = off, .size = 1, .data = &v };

	serial_io(s, &a);
	return v;
}

#endif
