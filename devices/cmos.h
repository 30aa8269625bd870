/* SPDX-License-Identifier: MIT */
/*
 * The MC146818 real-time clock and its CMOS RAM (ports 0x70/0x71, IRQ 8),
 * filled the way a PC BIOS expects: memory sizes, no floppy, one CPU.
 *
 * The guest's clock is the host's monotonic clock plus an offset taken
 * from the host's wall clock (UTC) at start: the guest may set its own
 * time, never the host's.  Interrupt flags are computed when the guest
 * looks (a read of register C) from the time elapsed since it last did;
 * while an interrupt is enabled, a device thread with a timerfd raises
 * IRQ 8 on time, so a guest halted until the next tick wakes up.
 *
 * The clock is injectable (struct cmos_clock) so unit tests drive time.
 */
#ifndef DEVICES_CMOS_H
#define DEVICES_CMOS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct device_host;
struct bus_access;
struct device_model;

#define CMOS_INDEX_PORT		0x70
#define CMOS_DATA_PORT		0x71
#define CMOS_IRQ		8

/* clock registers */
#define RTC_SECONDS		0x00
#define RTC_SECONDS_ALARM	0x01
#define RTC_MINUTES		0x02
#define RTC_MINUTES_ALARM	0x03
#define RTC_HOURS		0x04
#define RTC_HOURS_ALARM		0x05
#define RTC_DAY_OF_WEEK		0x06	/* 1 = Sunday */
#define RTC_DAY			0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_C		0x0c
#define RTC_REG_D		0x0d
#define RTC_CENTURY		0x32

#define RTC_A_UIP		0x80	/* an update is less than 244 us away */
#define RTC_A_DV		0x70	/* divider: 0x20 is the 32.768 kHz time base */
#define RTC_A_RS		0x0f	/* periodic rate select */
#define RTC_B_SET		0x80	/* updates stopped while the guest sets the time */
#define RTC_B_PIE		0x40
#define RTC_B_AIE		0x20
#define RTC_B_UIE		0x10
#define RTC_B_SQWE		0x08
#define RTC_B_DM		0x04	/* 1 = binary, 0 = BCD */
#define RTC_B_24H		0x02
#define RTC_B_DSE		0x01	/* kept, but no daylight-saving jumps */
#define RTC_C_IRQF		0x80
#define RTC_C_PF		0x40
#define RTC_C_AF		0x20
#define RTC_C_UF		0x10
#define RTC_D_VRT		0x80	/* the battery is fine */

#define RTC_UIP_NS		244000ull

/* NVRAM the BIOS reads */
#define CMOS_SHUTDOWN		0x0f
#define CMOS_FLOPPY		0x10
#define CMOS_EQUIPMENT		0x14
#define CMOS_BASE_MEM		0x15	/* and 0x16: KiB below 1 MiB */
#define CMOS_EXT_MEM		0x17	/* and 0x18: KiB from 1 MiB, at most 0xffff */
#define CMOS_CHECKSUM		0x2e	/* big-endian sum of 0x10..0x2d */
#define CMOS_EXT_MEM2		0x30	/* and 0x31: the same as 0x17 */
#define CMOS_MEM_16M		0x34	/* and 0x35: 64 KiB units above 16 MiB */
#define CMOS_BOOTFLAG1		0x38	/* bit 0: skip the floppy signature check */
#define CMOS_BOOTFLAG2		0x3d	/* first boot device: 2 = hard disk */
#define CMOS_MEM_4G		0x5b	/* 0x5b-0x5d: 64 KiB units above 4 GiB */
#define CMOS_CPUS		0x5f	/* CPUs - 1 */

/* Monotonic nanoseconds: the host's CLOCK_MONOTONIC, or a test's fake. */
struct cmos_clock {
	uint64_t (*now)(void *ctx);
	void *ctx;
};

struct cmos {
	struct device_host *host;	/* IRQ 8 and io_lock; NULL in unit tests */
	struct cmos_clock clock;
	uint8_t ram[128];
	uint8_t index;
	/*
	 * While updates run, the guest's time is `base` seconds (since
	 * 1970, UTC) at clock reading `anchor`, plus what elapsed since.
	 * While they are stopped (SET, divider reset), the registers are the
	 * time.  Flags are evaluated up to clock reading `seen`.
	 */
	int64_t base;
	uint64_t anchor, seen;
	int irq_level;

	/* the device thread (create() only; unit tests drive cmos_tick) */
	int timer_fd, stop_fd;
	uint64_t armed;		/* the timer's deadline, 0 = disarmed */
	pthread_t thread;
	bool thread_started;

	uint64_t irqs, c_reads, timer_wakeups;
};

/*
 * Power-on state for a guest with ram_bytes of RAM below 4 GiB whose
 * clock reads wall_ns (nanoseconds since 1970, UTC) now.
 */
void cmos_init(struct cmos *c, struct device_host *h, uint64_t ram_bytes,
	       int64_t wall_ns, struct cmos_clock clock);
/* The port handler (0x70 at off 0, 0x71 at off 1), for the bus and tests. */
void cmos_io(void *opaque, struct bus_access *a);
/* Brings the flags up to now and raises IRQ 8 when one is due. */
void cmos_tick(struct cmos *c);
/* The clock reading of the next possible interrupt, or 0 for none. */
uint64_t cmos_next_event(const struct cmos *c);
/* The guest's time now, in seconds since 1970 (UTC). */
int64_t cmos_guest_time(const struct cmos *c);

/* Calendar arithmetic (proleptic Gregorian), exposed for the tests. */
int64_t cmos_days_from_civil(int64_t y, unsigned int m, unsigned int d);
void cmos_civil_from_days(int64_t days, int64_t *y, unsigned int *m,
			  unsigned int *d);

extern const struct device_model cmos_device;

#endif
