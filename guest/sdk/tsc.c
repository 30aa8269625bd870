// SPDX-License-Identifier: MIT
#include "sdk.h"
#include "tsc.h"

#define PIT_HZ		1193182u
#define PIT_CH2		0x42
#define PIT_MODE	0x43
#define PIT_GATE	0x61	/* bit 0 gate 2, bit 1 speaker, bit 5 out 2 */
#define CAL_MS		20u
#define CAL_TRIES	3

static uint32_t from_cpuid(const char **source)
{
	uint32_t r[4];

	cpuid(0, r);
	uint32_t max = r[0];

	if (max >= 0x15) {
		cpuid(0x15, r);
		/* eax/ebx: TSC/crystal ratio; ecx: crystal Hz (0 if unknown) */
		if (r[0] && r[1] && r[2]) {
			*source = "cpuid15";
			return (uint32_t)udivmod64((uint64_t)r[2] * r[1], (uint64_t)r[0] * 1000, NULL);
		}
	}
	if (max >= 0x16) {
		cpuid(0x16, r);
		if (r[0] & 0xffff) {
			*source = "cpuid16";
			return (r[0] & 0xffff) * 1000u;
		}
	}
	return 0;
}

/* Mode 0 on channel 2: OUT2 rises when the count reaches zero. */
static uint32_t from_pit(void)
{
	uint32_t latch = PIT_HZ / (1000u / CAL_MS);
	uint8_t g = inb(PIT_GATE);

	outb(PIT_GATE, (uint8_t)((g & ~0x02) | 0x01));	/* gate on, speaker off */
	outb(PIT_MODE, 0xb0);			/* channel 2, lo/hi, mode 0 */
	outb(PIT_CH2, (uint8_t)latch);
	outb(PIT_CH2, (uint8_t)(latch >> 8));
	uint64_t t0 = rdtsc();

	while (!(inb(PIT_GATE) & 0x20))
		;
	uint64_t t1 = rdtsc();

	outb(PIT_GATE, g);
	return (uint32_t)udivmod64(t1 - t0, CAL_MS, NULL);
}

struct tsc_freq tsc_calibrate(void)
{
	struct tsc_freq f = { 0, "pit" };

	f.khz = from_cpuid(&f.source);
	if (f.khz)
		return f;
	/* a late poll only adds cycles: the smallest count is the best */
	f.source = "pit";
	for (int i = 0; i < CAL_TRIES; i++) {
		uint32_t k = from_pit();

		if (!f.khz || k < f.khz)
			f.khz = k;
	}
	return f;
}

void tsc_wait_until(uint64_t tsc)
{
	while (rdtsc() < tsc)
		;
}
