/* SPDX-License-Identifier: MIT */
/*
 * The TSC frequency, so benchmark guests can turn rdtsc cycles into time:
 * CPUID leaf 0x15 (crystal ratio) or 0x16 (base MHz) when the CPU reports
 * them, else a 50 ms measurement against PIT channel 2, whose gate and
 * output live in port 0x61 (both vmm's in-kernel PIT and QEMU have it).
 */
#ifndef SDK_TSC_H
#define SDK_TSC_H

#include <stdint.h>

struct tsc_freq {
	uint32_t khz;
	const char *source;	/* "cpuid15", "cpuid16" or "pit" */
};

struct tsc_freq tsc_calibrate(void);
/* Waits until rdtsc passes the given value. */
void tsc_wait_until(uint64_t tsc);

#endif
