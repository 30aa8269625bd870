// SPDX-License-Identifier: MIT
/*
 * The MC146818 RTC and CMOS RAM: registers and the guest's clock.
 *
 * Time is one base: the guest's second `base` began at clock reading
 * `anchor`.  Seconds, the update-ended and alarm flags, and the periodic
 * ticks are all counted from it, so they keep the phase a real divider
 * chain gives them.  Flags are brought up to date (`evaluate`) on every
 * port access and every timer wake-up, from the clock readings between
 * `seen` and now: no work happens while nobody looks and nothing is
 * enabled.  IRQF rises with an enabled flag and raises IRQ 8 (an edge
 * for the PIC); reading register C clears the flags and drops the line.
 *
 * The second half of the file is the device: ports, thread, contract.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "../vmm/bus.h"
#include "../vmm/device.h"
#include "../vmm/json.h"
#include "../vmm/state.h"
#include "../vmm/config.h"
#include "cmos.h"

#define NS		1000000000ull
#define XTAL_HZ		32768u
#define DAY_S		86400

/* ---- calendar ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Days since 1970-01-01 of a date; months and days may run over. */
int64_t cmos_days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	/* years start in March, so the leap day is the last of its year */
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t mp = (m + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void cmos_civil_from_days(int64_t days, int64_t *y, unsigned int *m,
			  unsigned int *d)
{
	days += 719468;
	int64_t era = floor_div(days, 146097);
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* ---- register encoding (status B: BCD or binary, 12 or 24 hours) ---- */

static uint8_t to_reg(const struct cmos *c, unsigned int v)
{
	v %= 100;
	return (uint8_t)(c->ram[RTC_REG_B] & RTC_B_DM ? v : (v / 10) << 4 | v % 10);
}

static unsigned int from_reg(const struct cmos *c, uint8_t r)
{
	return c->ram[RTC_REG_B] & RTC_B_DM ? r : (r >> 4) * 10u + (r & 15u);
}

static uint8_t hours_to_reg(const struct cmos *c, unsigned int h)
{
	if (c->ram[RTC_REG_B] & RTC_B_24H)
		return to_reg(c, h);
	return (uint8_t)(to_reg(c, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0));
}

static unsigned int hours_from_reg(const struct cmos *c, uint8_t r)
{
	if (c->ram[RTC_REG_B] & RTC_B_24H)
		return from_reg(c, r);
	return from_reg(c, r & 0x7f) % 12 + (r & 0x80 ? 12 : 0);
}

static unsigned int clamp(unsigned int v, unsigned int lo, unsigned int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The time the registers hold; nonsense fields are clamped, not trusted. */
static int64_t time_from_regs(const struct cmos *c)
{
	const uint8_t *r = c->ram;
	int64_t year = clamp(from_reg(c, r[RTC_CENTURY]), 0, 99) * 100 +
		       clamp(from_reg(c, r[RTC_YEAR]), 0, 99);
	int64_t days = cmos_days_from_civil(year,
					    clamp(from_reg(c, r[RTC_MONTH]), 1, 12),
					    clamp(from_reg(c, r[RTC_DAY]), 1, 31));

	return days * DAY_S + clamp(hours_from_reg(c, r[RTC_HOURS]), 0, 23) * 3600 +
	       clamp(from_reg(c, r[RTC_MINUTES]), 0, 59) * 60 +
	       clamp(from_reg(c, r[RTC_SECONDS]), 0, 59);
}

static void regs_from_time(struct cmos *c, int64_t t)
{
	int64_t days = floor_div(t, DAY_S), y;
	unsigned int sod = (unsigned int)(t - days * DAY_S), m, d;

	cmos_civil_from_days(days, &y, &m, &d);
	c->ram[RTC_SECONDS] = to_reg(c, sod % 60);
	c->ram[RTC_MINUTES] = to_reg(c, sod / 60 % 60);
	c->ram[RTC_HOURS] = hours_to_reg(c, sod / 3600);
	/* 1970-01-01 was a Thursday, day 5 counting Sunday as 1 */
	c->ram[RTC_DAY_OF_WEEK] = to_reg(c, (unsigned int)(days + 4 - floor_div(days + 4, 7) * 7) + 1);
	c->ram[RTC_DAY] = to_reg(c, d);
	c->ram[RTC_MONTH] = to_reg(c, m);
	/* the registers hold years 0 to 9999; the clock stays in that range */
	c->ram[RTC_YEAR] = to_reg(c, (unsigned int)(y - floor_div(y, 100) * 100));
	c->ram[RTC_CENTURY] = to_reg(c, (unsigned int)floor_div(y, 100));
}

/* ---- the clock ---- */

static bool divider_running(const struct cmos *c)
{
	return (c->ram[RTC_REG_A] & RTC_A_DV) <= 0x20;
}

static bool updating(const struct cmos *c)
{
	return divider_running(c) && !(c->ram[RTC_REG_B] & RTC_B_SET);
}

static uint64_t clock_now(const struct cmos *c)
{
	return c->clock.now(c->clock.ctx);
}

int64_t cmos_guest_time(const struct cmos *c)
{
	if (!updating(c))
		return time_from_regs(c);
	return c->base + (int64_t)((clock_now(c) - c->anchor) / NS);
}

/* Crystal cycles per periodic tick for rate select rs (0: no ticks). */
static uint64_t tick_cycles(const struct cmos *c)
{
	unsigned int rs = c->ram[RTC_REG_A] & RTC_A_RS;

	if (!rs)
		return 0;
	return rs <= 2 ? 1u << (rs + 6) : 1u << (rs - 1);
}

static uint64_t ticks_at(const struct cmos *c, uint64_t t, uint64_t cycles)
{
	return (uint64_t)((unsigned __int128)(t - c->anchor) * XTAL_HZ / (NS * cycles));
}

static uint64_t tick_time(const struct cmos *c, uint64_t n, uint64_t cycles)
{
	unsigned __int128 ns = (unsigned __int128)n * cycles * NS;

	return c->anchor + (uint64_t)((ns + XTAL_HZ - 1) / XTAL_HZ);
}

/* Does any second in (from, to] of guest time match the alarm registers? */
static bool alarm_between(struct cmos *c, int64_t from, int64_t to)
{
	static const uint8_t alarm[3] = { RTC_SECONDS_ALARM, RTC_MINUTES_ALARM,
					  RTC_HOURS_ALARM };

	if (to - from > DAY_S)
		from = to - DAY_S;	/* every pattern comes once a day */
	for (int64_t t = from + 1; t <= to; t++) {
		unsigned int sod = (unsigned int)(t - floor_div(t, DAY_S) * DAY_S);
		uint8_t now[3] = { to_reg(c, sod % 60), to_reg(c, sod / 60 % 60),
				   hours_to_reg(c, sod / 3600) };
		bool match = true;

		for (int i = 0; i < 3; i++) {
			uint8_t a = c->ram[alarm[i]];

			if ((a & 0xc0) != 0xc0 && a != now[i])
				match = false;
		}
		if (match)
			return true;
	}
	return false;
}

static void set_irq(struct cmos *c, int level)
{
	if (level == c->irq_level)
		return;
	c->irq_level = level;
	if (level)
		c->irqs++;
	dev_irq_set(c->host, CMOS_IRQ, level);
}

static void update_irqf(struct cmos *c)
{
	uint8_t *regc = &c->ram[RTC_REG_C];

	if (*regc & c->ram[RTC_REG_B] & (RTC_C_PF | RTC_C_AF | RTC_C_UF))
		*regc |= RTC_C_IRQF;
	set_irq(c, !!(*regc & RTC_C_IRQF));
}

/* The flags up to clock reading now, and the time registers if they run. */
static void evaluate(struct cmos *c, uint64_t now)
{
	uint64_t cycles = tick_cycles(c);

	if (now < c->seen)
		now = c->seen;
	if (divider_running(c) && cycles &&
	    ticks_at(c, now, cycles) > ticks_at(c, c->seen, cycles))
		c->ram[RTC_REG_C] |= RTC_C_PF;
	if (updating(c)) {
		int64_t s0 = c->base + (int64_t)((c->seen - c->anchor) / NS);
		int64_t s1 = c->base + (int64_t)((now - c->anchor) / NS);

		if (s1 > s0) {
			c->ram[RTC_REG_C] |= RTC_C_UF;
			if (alarm_between(c, s0, s1))
				c->ram[RTC_REG_C] |= RTC_C_AF;
		}
		/* in the format status B asks for now */
		regs_from_time(c, s1);
	}
	c->seen = now;
	update_irqf(c);
}

/*
 * The registers become the running time at clock reading now: the second
 * goes on from where the divider is (so ticks keep their phase), or, when
 * the divider leaves reset, the first update comes half a second later.
 */
static void start_from_regs(struct cmos *c, uint64_t now, bool divider_reset)
{
	c->base = time_from_regs(c);
	if (divider_reset)
		c->anchor = now - NS / 2;
	else
		c->anchor = now - (now - c->anchor) % NS;
}

void cmos_tick(struct cmos *c)
{
	evaluate(c, clock_now(c));
}

uint64_t cmos_next_event(const struct cmos *c)
{
	uint8_t b = c->ram[RTC_REG_B];
	uint64_t now = c->seen, next = UINT64_MAX, cycles = tick_cycles(c);

	/* the line is up until register C is read: nothing new can show */
	if ((c->ram[RTC_REG_C] & RTC_C_IRQF) || !divider_running(c))
		return 0;
	if ((b & RTC_B_PIE) && cycles)
		next = tick_time(c, ticks_at(c, now, cycles) + 1, cycles);
	if ((b & (RTC_B_UIE | RTC_B_AIE)) && !(b & RTC_B_SET)) {
		uint64_t sec = c->anchor + ((now - c->anchor) / NS + 1) * NS;

		if (sec < next)
			next = sec;
	}
	return next == UINT64_MAX ? 0 : next;
}

/* ---- power-on state ---- */

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* What a PC BIOS reads: memory sizes, equipment, no floppy, one CPU. */
static void fill_nvram(uint8_t *r, uint64_t ram)
{
	uint64_t ext_k = ram > (1u << 20) ? (ram - (1u << 20)) >> 10 : 0;
	uint64_t above16 = ram > (16u << 20) ? (ram - (16u << 20)) >> 16 : 0;
	unsigned int sum = 0;

	r[CMOS_FLOPPY] = 0;
	r[CMOS_EQUIPMENT] = 0x02;	/* FPU; VGA; no floppy, no mouse */
	put16(&r[CMOS_BASE_MEM], 640);
	put16(&r[CMOS_EXT_MEM], ext_k > 0xffff ? 0xffff : (unsigned int)ext_k);
	put16(&r[CMOS_EXT_MEM2], ext_k > 0xffff ? 0xffff : (unsigned int)ext_k);
	put16(&r[CMOS_MEM_16M], above16 > 0xffff ? 0xffff : (unsigned int)above16);
	r[CMOS_MEM_4G] = r[CMOS_MEM_4G + 1] = r[CMOS_MEM_4G + 2] = 0;
	r[CMOS_CPUS] = 0;
	/*
	 * Boot order as QEMU's "-boot c" writes it: the hard disk first.
	 * SeaBIOS takes it from here when fw_cfg has no "bootorder" file,
	 * which could not name a non-PCI ATA disk anyway.
	 */
	r[CMOS_BOOTFLAG2] = 0x02;
	r[CMOS_BOOTFLAG1] = 0x01;
	for (int i = 0x10; i < CMOS_CHECKSUM; i++)
		sum += r[i];
	r[CMOS_CHECKSUM] = (uint8_t)(sum >> 8);
	r[CMOS_CHECKSUM + 1] = (uint8_t)sum;
}

void cmos_init(struct cmos *c, struct device_host *h, uint64_t ram_bytes,
	       int64_t wall_ns, struct cmos_clock clock)
{
	int64_t wall_s = floor_div(wall_ns, NS);

	memset(c, 0, sizeof(*c));
	c->host = h;
	c->clock = clock;
	c->timer_fd = c->stop_fd = -1;
	c->ram[RTC_REG_A] = 0x26;	/* 32.768 kHz, 1024 Hz periodic rate */
	c->ram[RTC_REG_B] = RTC_B_24H;	/* BCD, 24 hours, no interrupts */
	c->ram[RTC_REG_D] = RTC_D_VRT;
	fill_nvram(c->ram, ram_bytes);
	/* the guest's seconds tick with the host's */
	c->seen = clock_now(c);
	c->anchor = c->seen - (uint64_t)(wall_ns - wall_s * (int64_t)NS);
	c->base = wall_s;
	regs_from_time(c, wall_s);
}

/* ---- the ports ---- */

static void rearm(struct cmos *c);

static uint8_t read_data(struct cmos *c, uint64_t now)
{
	uint8_t i = c->index, v;

	switch (i) {
	case RTC_REG_A:
		v = c->ram[i] & (uint8_t)~RTC_A_UIP;
		if (updating(c) && (now - c->anchor) % NS >= NS - RTC_UIP_NS)
			v |= RTC_A_UIP;
		return v;
	case RTC_REG_C:
		v = c->ram[i];
		c->ram[i] = 0;
		c->c_reads++;
		set_irq(c, 0);
		rearm(c);
		return v;
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		return c->ram[i];
	}
}

static bool is_time_reg(uint8_t i)
{
	return i == RTC_SECONDS || i == RTC_MINUTES || i == RTC_HOURS ||
	       (i >= RTC_DAY_OF_WEEK && i <= RTC_YEAR) || i == RTC_CENTURY;
}

static void write_data(struct cmos *c, uint64_t now, uint8_t v)
{
	uint8_t i = c->index;
	bool was_updating = updating(c), was_reset = !divider_running(c);

	switch (i) {
	case RTC_REG_A:
		c->ram[i] = v & (uint8_t)~RTC_A_UIP;
		break;
	case RTC_REG_B:
		/* setting the time ends update-ended interrupts (datasheet) */
		c->ram[i] = v & RTC_B_SET ? v & (uint8_t)~RTC_B_UIE : v;
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		return;		/* read only */
	default:
		c->ram[i] = v;
		/* a running clock takes the new value and goes on from it */
		if (was_updating && is_time_reg(i))
			start_from_regs(c, now, false);
	}
	if (!was_updating && updating(c))
		start_from_regs(c, now, was_reset);
	update_irqf(c);
	rearm(c);
}

void cmos_io(void *opaque, struct bus_access *a)
{
	struct cmos *c = opaque;
	uint64_t now = clock_now(c);

	if (a->size != 1 || (!a->write && a->off == 0)) {
		/* the index register cannot be read back */
		if (!a->write)
			bus_put(a, 0xffffffff);
		return;
	}
	evaluate(c, now);
	if (a->off == 0) {
		c->index = a->data[0] & 0x7f;	/* bit 7 masks NMI: ignored */
		return;
	}
	if (a->write)
		write_data(c, now, a->data[0]);
	else
		bus_put(a, read_data(c, now));
}

/* ---- the device: a thread that raises IRQ 8 while the guest sleeps ---- */

/* Sets the timer to the next possible interrupt; io_lock is held. */
static void rearm(struct cmos *c)
{
	uint64_t next = c->timer_fd >= 0 ? cmos_next_event(c) : 0;

	if (c->timer_fd < 0 || next == c->armed)
		return;
	struct itimerspec its = {
		.it_value = { .tv_sec = (time_t)(next / NS), .tv_nsec = (long)(next % NS) },
	};

	/* never blocks: a timerfd update is a plain system call */
	if (timerfd_settime(c->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		c->armed = next;
}

static void *cmos_thread(void *arg)
{
	struct cmos *c = arg;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = c->timer_fd, .events = POLLIN },
			{ .fd = c->stop_fd, .events = POLLIN },
		};
		uint64_t n;

		if (poll(p, 2, -1) < 0)
			continue;	/* EINTR */
		if (p[1].revents)
			break;
		if (read(c->timer_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
			break;
		dev_lock(c->host);
		c->timer_wakeups++;
		c->armed = 0;
		cmos_tick(c);
		rearm(c);
		dev_unlock(c->host);
	}
	return NULL;
}

static uint64_t host_monotonic(void *ctx)
{
	(void)ctx;
	return now_ns();
}

static void cmos_destroy(void *dev)
{
	struct cmos *c = dev;
	uint64_t one = 1;

	if (!c)
		return;
	if (c->thread_started) {
		if (write(c->stop_fd, &one, sizeof(one)) != sizeof(one))
			perror("vmm: cmos: eventfd");
		pthread_join(c->thread, NULL);
	}
	if (c->timer_fd >= 0)
		close(c->timer_fd);
	if (c->stop_fd >= 0)
		close(c->stop_fd);
	free(c);
}

static int cmos_create(struct device_host *h, void **dev)
{
	struct cmos *c;
	struct timespec wall;
	int e;

	*dev = NULL;
	if (!config_pc_devices(h->cfg))
		return 0;
	c = malloc(sizeof(*c));
	if (!c)
		return VMM_EXIT_SETUP;
	clock_gettime(CLOCK_REALTIME, &wall);
	cmos_init(c, h, h->mem->size,
		  (int64_t)wall.tv_sec * (int64_t)NS + wall.tv_nsec,
		  (struct cmos_clock){ host_monotonic, NULL });
	c->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	c->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->timer_fd < 0 || c->stop_fd < 0) {
		perror("vmm: cmos: timerfd/eventfd");
		cmos_destroy(c);
		return VMM_EXIT_SETUP;
	}
	if (dev_register_pio(h, CMOS_INDEX_PORT, 2, cmos_io, c, "cmos")) {
		fprintf(stderr, "vmm: cmos: ports 0x70-0x71 are taken\n");
		cmos_destroy(c);
		return VMM_EXIT_SETUP;
	}
	/*
	 * The index write alone does nothing until the data port is read or
	 * written, which exits (after the ring is replayed): one exit per
	 * register instead of two.  Data writes keep exiting: one may start
	 * the periodic interrupt a halted guest waits for.
	 */
	dev_coalesce_pio(h, CMOS_INDEX_PORT, 1);
	e = pthread_create(&c->thread, NULL, cmos_thread, c);
	if (e) {
		fprintf(stderr, "vmm: cmos: cannot start its thread: %s\n", strerror(e));
		cmos_destroy(c);
		return VMM_EXIT_SETUP;
	}
	c->thread_started = true;
	*dev = c;
	return 0;
}

static void cmos_stats(const void *dev, struct json *j)
{
	const struct cmos *c = dev;

	json_u64(j, "irqs", c->irqs);
	json_u64(j, "c_reads", c->c_reads);
	json_u64(j, "timer_wakeups", c->timer_wakeups);
}

/* What no sequence of port accesses leaves in the registers. */
static bool cmos_consistent(const struct cmos *c)
{
	const uint8_t *r = c->ram;
	uint8_t enabled = r[RTC_REG_C] & r[RTC_REG_B] & (RTC_C_PF | RTC_C_AF | RTC_C_UF);

	return c->index < sizeof(c->ram) && !(r[RTC_REG_A] & RTC_A_UIP) &&
	       !((r[RTC_REG_B] & RTC_B_SET) && (r[RTC_REG_B] & RTC_B_UIE)) &&
	       !(r[RTC_REG_C] & 0x0f) && (!enabled || (r[RTC_REG_C] & RTC_C_IRQF)) &&
	       r[RTC_REG_D] == RTC_D_VRT &&
	       c->irq_level == !!(r[RTC_REG_C] & RTC_C_IRQF);
}

/*
 * The clock is saved as the guest's time and how far into its second the
 * divider is, so a loaded clock goes on from there on any host clock.  A
 * time outside years 0-19999 is no clock's: it would overflow the counting.
 */
static int cmos_fields(void *dev, struct state *s)
{
	struct cmos *c = dev;
	uint64_t now = clock_now(c);
	uint64_t base, phase;
	uint8_t irq = (uint8_t)c->irq_level;

	if (!s->loading)
		evaluate(c, now);
	base = (uint64_t)(c->base + (int64_t)((now - c->anchor) / NS));
	phase = (now - c->anchor) % NS;
	state_bytes(s, c->ram, sizeof(c->ram));
	state_u8(s, &c->index);
	state_u64(s, &base);
	state_u64(s, &phase);
	state_u8(s, &irq);
	if (!s->loading || s->bad)
		return 0;
	c->irq_level = irq;
	if (!cmos_consistent(c))
		return state_fail(s, "the RTC registers do not add up");
	if (phase >= NS || (int64_t)base < cmos_days_from_civil(0, 1, 1) * DAY_S ||
	    (int64_t)base >= cmos_days_from_civil(20000, 1, 1) * DAY_S)
		return state_fail(s, "the RTC time is out of range");
	c->base = (int64_t)base;
	c->anchor = now - phase;
	c->seen = now;
	return 0;
}

/* The IRQ line is not driven on load (vmm/device.h); the timer follows. */
static void cmos_loaded(void *dev)
{
	struct cmos *c = dev;

	rearm(c);
}

const struct device_model cmos_device = {
	.name = "cmos",
	.create = cmos_create,
	.destroy = cmos_destroy,
	.stats = cmos_stats,
	.fields = cmos_fields,
	.size = sizeof(struct cmos),
	.loaded = cmos_loaded,
	.version = 1,
};
