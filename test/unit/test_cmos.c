// SPDX-License-Identifier: MIT
/* The RTC and CMOS RAM through their ports, on a clock the test moves. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../../devices/cmos.h"
#include "../../vmm/bus.h"
#include "../../vmm/device.h"
#include "../../vmm/state.h"
#include "../../vmm/config.h"
#include "../unit.h"

#define NS 1000000000ull
#define MS 1000000ull

static uint64_t fake_now;
static struct cmos cm, *c = &cm;

static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static void out(uint16_t port, uint8_t v)
{
	struct bus_access a = { .addr = port, .off = port - 0x70u, .size = 1,
				.write = true, .data = &v };

	cmos_io(c, &a);
}

static uint8_t in(uint16_t port)
{
	uint8_t v = 0;
	struct bus_access a = { .addr = port, .off = port - 0x70u, .size = 1, .data = &v };

	cmos_io(c, &a);
	return v;
}

static uint8_t rd(uint8_t reg)
{
	out(0x70, reg);
	return in(0x71);
}

static void wr(uint8_t reg, uint8_t v)
{
	out(0x70, reg);
	out(0x71, v);
}

static int64_t epoch(int64_t y, unsigned int mo, unsigned int d, unsigned int h,
		     unsigned int mi, unsigned int s)
{
	return cmos_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

/* A fresh chip whose clock reads the given time (plus ns) now. */
static void fresh_at(int64_t t, uint64_t ns, uint64_t ram)
{
	fake_now = 1000 * NS;
	cmos_init(c, NULL, ram, t * (int64_t)NS + (int64_t)ns,
		  (struct cmos_clock){ fake_clock, NULL });
}

static void advance(uint64_t ns)
{
	fake_now += ns;
}

static void calendar(void)
{
	int64_t y;
	unsigned int m, d;

	EXPECT_EQ(cmos_days_from_civil(1970, 1, 1), 0);
	EXPECT_EQ(cmos_days_from_civil(2000, 3, 1), 11017);
	EXPECT_EQ(cmos_days_from_civil(1969, 12, 31), -1);
	EXPECT_EQ(cmos_days_from_civil(2024, 2, 29) + 1, cmos_days_from_civil(2024, 3, 1));
	EXPECT_EQ(cmos_days_from_civil(2023, 2, 29), cmos_days_from_civil(2023, 3, 1));
	for (int64_t day = -800000; day < 3000000; day += 97) {
		cmos_civil_from_days(day, &y, &m, &d);
		EXPECT_EQ(cmos_days_from_civil(y, m, d), day);
		EXPECT(m >= 1 && m <= 12 && d >= 1 && d <= 31);
	}
	cmos_civil_from_days(cmos_days_from_civil(2100, 2, 28) + 1, &y, &m, &d);
	EXPECT_EQ(y * 10000 + m * 100 + d, 21000301);	/* 2100 is not leap */
}

static void nvram_for_ram_sizes(void)
{
	static const struct {
		unsigned int mib, ext, above16;
	} t[] = {
		{ 2, 1024, 0 }, { 16, 15 * 1024, 0 }, { 32, 31 * 1024, 256 },
		{ 64, 63 * 1024, 768 }, { 65, 0xffff, 784 }, { 3072, 0xffff, 48896 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		fresh_at(0, 0, (uint64_t)t[i].mib << 20);
		EXPECT_EQ(rd(0x15) | rd(0x16) << 8, 640);
		EXPECT_EQ(rd(0x17) | rd(0x18) << 8, t[i].ext);
		EXPECT_EQ(rd(0x30) | rd(0x31) << 8, t[i].ext);
		EXPECT_EQ(rd(0x34) | rd(0x35) << 8, t[i].above16);
		EXPECT_EQ(rd(0x5b) | rd(0x5c) | rd(0x5d), 0);
		EXPECT_EQ(rd(0x5f), 0);
		EXPECT_EQ(rd(0x10), 0);
		EXPECT_EQ(rd(0x14), 0x02);
		EXPECT_EQ(rd(0x3d), 0x02);
		unsigned int sum = 0;

		for (uint8_t r = 0x10; r < 0x2e; r++)
			sum += rd(r);
		EXPECT_EQ(rd(0x2e) << 8 | rd(0x2f), sum);
	}
	EXPECT_EQ(rd(0x0a), 0x26);
	EXPECT_EQ(rd(0x0b), 0x02);
	EXPECT_EQ(rd(0x0d), 0x80);
	EXPECT_EQ(rd(0x0f), 0);
}

static void bcd_time_and_rollover(void)
{
	/* 2024-02-29 (a Thursday) 23:59:58.5 UTC */
	fresh_at(epoch(2024, 2, 29, 23, 59, 58), 500 * MS, 32 << 20);
	EXPECT_EQ(rd(0x00), 0x58);
	EXPECT_EQ(rd(0x02), 0x59);
	EXPECT_EQ(rd(0x04), 0x23);
	EXPECT_EQ(rd(0x06), 5);
	EXPECT_EQ(rd(0x07), 0x29);
	EXPECT_EQ(rd(0x08), 0x02);
	EXPECT_EQ(rd(0x09), 0x24);
	EXPECT_EQ(rd(0x32), 0x20);
	advance(499 * MS);
	EXPECT_EQ(rd(0x00), 0x58);		/* the second has not ended */
	advance(1 * MS);
	EXPECT_EQ(rd(0x00), 0x59);
	advance(1 * NS);
	EXPECT_EQ(rd(0x00), 0x00);
	EXPECT_EQ(rd(0x02), 0x00);
	EXPECT_EQ(rd(0x04), 0x00);
	EXPECT_EQ(rd(0x06), 6);			/* Friday */
	EXPECT_EQ(rd(0x07), 0x01);
	EXPECT_EQ(rd(0x08), 0x03);
	EXPECT_EQ(cmos_guest_time(c), epoch(2024, 3, 1, 0, 0, 0));
	/* a century */
	fresh_at(epoch(2099, 12, 31, 23, 59, 59), 0, 32 << 20);
	advance(NS);
	EXPECT_EQ(rd(0x09), 0x00);
	EXPECT_EQ(rd(0x32), 0x21);
	EXPECT_EQ(rd(0x06), 6);			/* 2100-01-01 is a Friday */
}

static void binary_and_12_hour(void)
{
	fresh_at(epoch(2023, 11, 5, 23, 7, 42), 0, 32 << 20);
	wr(0x0b, RTC_B_DM | RTC_B_24H);
	EXPECT_EQ(rd(0x00), 42);
	EXPECT_EQ(rd(0x02), 7);
	EXPECT_EQ(rd(0x04), 23);
	EXPECT_EQ(rd(0x09), 23);
	EXPECT_EQ(rd(0x32), 20);
	EXPECT_EQ(rd(0x08), 11);
	wr(0x0b, RTC_B_DM);			/* binary, 12 hours */
	EXPECT_EQ(rd(0x04), 0x80 | 11);		/* 11 PM */
	wr(0x0b, 0);				/* BCD, 12 hours */
	EXPECT_EQ(rd(0x04), 0x91);
	advance(53 * 60 * NS);			/* 00:00:42 */
	EXPECT_EQ(rd(0x04), 0x12);		/* 12 AM */
	advance(12 * 3600 * NS);		/* 12:00:42 */
	EXPECT_EQ(rd(0x04), 0x92);		/* 12 PM */
	advance(3600 * NS);
	EXPECT_EQ(rd(0x04), 0x81);		/* 1 PM */
	wr(0x0b, RTC_B_24H);
	EXPECT_EQ(rd(0x04), 0x13);
	EXPECT_EQ(rd(0x0b), RTC_B_24H);
}

static void set_freezes_and_sets_guest_clock(void)
{
	int64_t host = epoch(2024, 6, 1, 8, 0, 0);

	fresh_at(host, 0, 32 << 20);
	wr(0x0b, RTC_B_24H | RTC_B_UIE);
	wr(0x0b, RTC_B_SET | RTC_B_24H | RTC_B_UIE);
	EXPECT_EQ(rd(0x0b), RTC_B_SET | RTC_B_24H);	/* SET cleared UIE */
	advance(5 * NS);
	EXPECT_EQ(rd(0x00), 0x00);			/* frozen */
	EXPECT_EQ(rd(0x0a) & RTC_A_UIP, 0);
	/* the guest sets 1999-12-31 12:34:56 */
	wr(0x00, 0x56);
	wr(0x02, 0x34);
	wr(0x04, 0x12);
	wr(0x07, 0x31);
	wr(0x08, 0x12);
	wr(0x09, 0x99);
	wr(0x32, 0x19);
	advance(3 * NS);
	EXPECT_EQ(rd(0x00), 0x56);
	wr(0x0b, RTC_B_24H);
	EXPECT_EQ(cmos_guest_time(c), epoch(1999, 12, 31, 12, 34, 56));
	advance(NS);
	EXPECT_EQ(rd(0x00), 0x57);
	EXPECT_EQ(rd(0x06), 6);			/* a Friday, computed */
	/* the host's clock moved on untouched: only the guest's offset changed */
	EXPECT_EQ(fake_now, 1000 * NS + 9 * NS);
	/* a write while running: the clock goes on from the new value */
	advance(200 * MS);
	wr(0x02, 0x00);
	EXPECT_EQ(cmos_guest_time(c), epoch(1999, 12, 31, 12, 0, 57));
	advance(800 * MS);			/* the second keeps its phase */
	EXPECT_EQ(rd(0x00), 0x58);
}

static void nonsense_time_is_clamped(void)
{
	fresh_at(0, 0, 32 << 20);
	wr(0x0b, RTC_B_SET | RTC_B_24H);
	wr(0x00, 0xff);
	wr(0x02, 0x99);
	wr(0x04, 0xaa);
	wr(0x07, 0x00);
	wr(0x08, 0x77);
	wr(0x09, 0xfa);
	wr(0x32, 0xff);
	wr(0x0b, RTC_B_24H);
	EXPECT_EQ(cmos_guest_time(c), epoch(9999, 12, 1, 23, 59, 59));
	EXPECT_EQ(rd(0x08), 0x12);
	EXPECT_EQ(rd(0x07), 0x01);
}

static void uip_window(void)
{
	fresh_at(epoch(2024, 1, 1, 0, 0, 0), 0, 32 << 20);
	advance(500 * MS);
	EXPECT_EQ(rd(0x0a), 0x26);
	advance(500 * MS - RTC_UIP_NS - 1);
	EXPECT_EQ(rd(0x0a), 0x26);
	advance(1);
	EXPECT_EQ(rd(0x0a), 0x26 | RTC_A_UIP);
	EXPECT_EQ(rd(0x00), 0x00);
	advance(RTC_UIP_NS);
	EXPECT_EQ(rd(0x0a), 0x26);
	EXPECT_EQ(rd(0x00), 0x01);
	/* a guest cannot write UIP */
	wr(0x0a, 0xa6);
	EXPECT_EQ(rd(0x0a), 0x26);
	/* no updates, no UIP: divider in reset */
	advance(NS - RTC_UIP_NS);
	wr(0x0a, 0x76);
	EXPECT_EQ(rd(0x0a), 0x76);
}

static void divider_reset_and_release(void)
{
	fresh_at(epoch(2024, 1, 1, 0, 0, 0), 300 * MS, 32 << 20);
	wr(0x0a, 0x70);
	advance(10 * NS);
	EXPECT_EQ(rd(0x00), 0x00);
	wr(0x0a, 0x26);
	advance(499 * MS);
	EXPECT_EQ(rd(0x00), 0x00);
	advance(1 * MS);			/* first update half a second later */
	EXPECT_EQ(rd(0x00), 0x01);
}

static void c_clears_and_lowers_irq(void)
{
	fresh_at(epoch(2024, 1, 1, 0, 0, 0), 0, 32 << 20);
	EXPECT_EQ(rd(0x0c), 0);
	advance(NS);
	/* flags rise whether or not enabled; no interrupt without enables */
	cmos_tick(c);
	EXPECT_EQ(c->irq_level, 0);
	EXPECT_EQ(rd(0x0c), RTC_C_UF | RTC_C_PF);
	EXPECT_EQ(rd(0x0c), 0);
	wr(0x0b, RTC_B_24H | RTC_B_UIE);
	EXPECT_EQ(cmos_next_event(c), fake_now + NS);
	advance(NS);
	cmos_tick(c);
	EXPECT_EQ(c->irq_level, 1);
	EXPECT_EQ(c->irqs, 1);
	EXPECT_EQ(cmos_next_event(c), 0);	/* the line stays up until C is read */
	EXPECT_EQ(rd(0x0c), RTC_C_IRQF | RTC_C_UF | RTC_C_PF);
	EXPECT_EQ(c->irq_level, 0);
	EXPECT_EQ(rd(0x0c), 0);
	/* enabling an interrupt whose flag is already up raises IRQF at once */
	wr(0x0b, RTC_B_24H);
	advance(NS);
	cmos_tick(c);
	EXPECT_EQ(c->irq_level, 0);
	wr(0x0b, RTC_B_24H | RTC_B_UIE);
	EXPECT_EQ(c->irq_level, 1);
	/* C and D are read only */
	wr(0x0c, 0);
	EXPECT_EQ(c->irq_level, 1);
	wr(0x0d, 0);
	EXPECT_EQ(rd(0x0d), 0x80);
	EXPECT_EQ(rd(0x0c) & RTC_C_IRQF, RTC_C_IRQF);
	EXPECT_EQ(c->c_reads, 6);
}

/* Periodic interrupts in one second of clock, stepping from event to event. */
static unsigned int ticks_in_a_second(uint8_t rs)
{
	unsigned int n = 0;

	fresh_at(epoch(2024, 1, 1, 0, 0, 0), 0, 32 << 20);
	wr(0x0a, (uint8_t)(0x20 | rs));
	wr(0x0b, RTC_B_24H | RTC_B_PIE);
	uint64_t end = fake_now + NS;

	for (;;) {
		uint64_t next = cmos_next_event(c);

		if (!next || next > end)
			break;
		EXPECT(next > fake_now);
		fake_now = next;
		cmos_tick(c);
		if (!c->irq_level)
			break;			/* an event that was no tick */
		EXPECT(rd(0x0c) & RTC_C_PF);
		n++;
	}
	return n;
}

static void periodic_rates(void)
{
	for (uint8_t rs = 3; rs <= 15; rs++)
		EXPECT_EQ(ticks_in_a_second(rs), 32768u >> (rs - 1));
	EXPECT_EQ(ticks_in_a_second(1), 256);
	EXPECT_EQ(ticks_in_a_second(2), 128);
	EXPECT_EQ(ticks_in_a_second(0), 0);
	/* 1024 Hz: the flag comes 976.5625 us after the last one */
	fresh_at(epoch(2024, 1, 1, 0, 0, 0), 0, 32 << 20);
	wr(0x0b, RTC_B_24H | RTC_B_PIE);
	advance(976562);
	cmos_tick(c);
	EXPECT_EQ(c->irq_level, 0);
	advance(1);
	cmos_tick(c);
	EXPECT_EQ(c->irq_level, 1);
	/* no ticks while the divider is held in reset */
	rd(0x0c);
	wr(0x0a, 0x66);
	EXPECT_EQ(cmos_next_event(c), 0);
	advance(NS);
	EXPECT_EQ(rd(0x0c), 0);
	/* and none without PIE, though the flag still rises */
	wr(0x0a, 0x26);
	wr(0x0b, RTC_B_24H);
	EXPECT_EQ(cmos_next_event(c), 0);
	advance(NS);
	EXPECT_EQ(rd(0x0c), RTC_C_PF | RTC_C_UF);
}

static void alarm_interrupt(void)
{
	fresh_at(epoch(2024, 1, 1, 10, 20, 30), 0, 32 << 20);
	wr(0x01, 0x33);
	wr(0x03, 0x20);
	wr(0x05, 0x10);
	wr(0x0b, RTC_B_24H | RTC_B_AIE);
	EXPECT_EQ(cmos_next_event(c), fake_now + NS);
	advance(2 * NS);
	cmos_tick(c);
	EXPECT_EQ(c->irq_level, 0);
	EXPECT_EQ(rd(0x0c), RTC_C_UF | RTC_C_PF);
	advance(NS);				/* 10:20:33 */
	cmos_tick(c);
	EXPECT_EQ(c->irq_level, 1);
	EXPECT_EQ(rd(0x0c), RTC_C_IRQF | RTC_C_AF | RTC_C_UF | RTC_C_PF);
	/* don't-care hours and minutes: every minute at :05 */
	wr(0x01, 0x05);
	wr(0x03, 0xc0);
	wr(0x05, 0xff);
	advance(31 * NS);			/* 10:21:04 */
	EXPECT_EQ(rd(0x0c) & RTC_C_AF, 0);
	advance(NS);
	EXPECT_EQ(rd(0x0c) & RTC_C_AF, RTC_C_AF);
	/* a long sleep past the alarm still shows it */
	advance(3 * 86400 * NS);
	EXPECT_EQ(rd(0x0c) & RTC_C_AF, RTC_C_AF);
	/* alarm in 12-hour BCD: 10 PM */
	fresh_at(epoch(2024, 1, 1, 21, 59, 59), 0, 32 << 20);
	wr(0x0b, RTC_B_AIE);
	wr(0x01, 0x00);
	wr(0x03, 0x00);
	wr(0x05, 0x90);
	advance(NS);
	cmos_tick(c);
	EXPECT_EQ(c->irq_level, 1);
}

static void index_and_nvram(void)
{
	fresh_at(0, 0, 32 << 20);
	out(0x70, 0x80 | 0x0f);			/* NMI off: same register */
	out(0x71, 0x0a);
	EXPECT_EQ(rd(0x0f), 0x0a);
	wr(0x7f, 0x5a);
	EXPECT_EQ(rd(0x7f), 0x5a);
	EXPECT_EQ(rd(0xff), 0x5a);
	EXPECT_EQ(in(0x70), 0xff);
	/* wider accesses are not the chip's */
	uint8_t d[2] = { 0, 0 };
	struct bus_access a = { .addr = 0x70, .size = 2, .data = d };

	cmos_io(c, &a);
	EXPECT_EQ(d[0] & d[1], 0xff);
}

static void state_round_trip(void)
{
	struct state s;

	fresh_at(epoch(2024, 5, 5, 5, 5, 5), 250 * MS, 32 << 20);
	wr(0x0b, RTC_B_24H | RTC_B_UIE);
	wr(0x40, 0x77);
	out(0x70, 0x40);
	state_init_save(&s);
	EXPECT_EQ(device_state(&cmos_device, c, &s), 0);
	struct state l;
	uint8_t *copy = malloc(s.len);

	memcpy(copy, s.buf, s.len);
	state_init_load(&l, copy, s.len);
	fresh_at(0, 0, 2 << 20);
	fake_now = 5000 * NS;		/* another host clock */
	EXPECT_EQ(device_state(&cmos_device, c, &l), 0);
	EXPECT_EQ(in(0x71), 0x77);
	EXPECT_EQ(cmos_guest_time(c), epoch(2024, 5, 5, 5, 5, 5));
	advance(750 * MS);
	EXPECT_EQ(cmos_guest_time(c), epoch(2024, 5, 5, 5, 5, 6));
	/* an impossible index is refused */
	copy[128] = 0x80;
	state_init_load(&l, copy, s.len);
	EXPECT_EQ(device_state(&cmos_device, c, &l), -1);
	/* so is a short record */
	state_init_load(&l, copy, s.len - 1);
	EXPECT_EQ(device_state(&cmos_device, c, &l), -1);
	free(copy);
	state_free(&s);
}

static pthread_mutex_t io_lock = PTHREAD_MUTEX_INITIALIZER;

static void host_lock(void *ctx, bool take)
{
	if (take)
		pthread_mutex_lock(ctx);
	else
		pthread_mutex_unlock(ctx);
}

/* The real device: its thread raises IRQ 8 while nobody touches the ports. */
static void thread_raises_irq(void)
{
	static struct bus pio;
	static struct guest_mem mem = { .size = 32 << 20 };
	static struct vm_config cfg;
	static const struct device_host_ops ops = { .lock = host_lock };
	struct device_host h = {
		.cfg = &cfg, .pio = &pio, .mem = &mem, .ops = &ops, .ctx = &io_lock,
	};
	void *dev = NULL;

	cfg.firmware.image = "bios.bin";
	EXPECT_EQ(cmos_device.create(&h, &dev), 0);
	if (!dev)
		return;
	struct cmos *saved = c;

	c = dev;
	pthread_mutex_lock(&io_lock);
	wr(0x0a, 0x23);				/* 8192 Hz */
	wr(0x0b, RTC_B_24H | RTC_B_PIE);
	rd(0x0c);		/* a flag from before PIE may have raised IRQF */
	uint64_t before = c->irqs;

	pthread_mutex_unlock(&io_lock);
	/*
	 * Only the thread can raise the line now: this loop reads C only
	 * while IRQF is up.  No deadline to meet: wait (at most a minute).
	 */
	int seen = 0;

	for (int i = 0; i < 60000 && seen < 3; i++) {
		pthread_mutex_lock(&io_lock);
		if (c->irq_level) {
			EXPECT_EQ(rd(0x0c) & (RTC_C_IRQF | RTC_C_PF), RTC_C_IRQF | RTC_C_PF);
			EXPECT_EQ(c->irq_level, 0);
			seen++;
		}
		pthread_mutex_unlock(&io_lock);
		usleep(1000);
	}
	EXPECT_EQ(seen, 3);
	pthread_mutex_lock(&io_lock);
	EXPECT(c->irqs - before >= 3);
	EXPECT(c->timer_wakeups >= c->irqs - before);
	pthread_mutex_unlock(&io_lock);
	EXPECT_EQ(pio.nr, 1);
	cmos_device.destroy(dev);
	c = saved;
	/* without a firmware there is no CMOS */
	cfg.firmware.image = NULL;
	EXPECT_EQ(cmos_device.create(&h, &dev), 0);
	EXPECT(dev == NULL);
}

int main(void)
{
	RUN(calendar);
	RUN(nvram_for_ram_sizes);
	RUN(bcd_time_and_rollover);
	RUN(binary_and_12_hour);
	RUN(set_freezes_and_sets_guest_clock);
	RUN(nonsense_time_is_clamped);
	RUN(uip_window);
	RUN(divider_reset_and_release);
	RUN(c_clears_and_lowers_irq);
	RUN(periodic_rates);
	RUN(alarm_interrupt);
	RUN(index_and_nvram);
	RUN(state_round_trip);
	RUN(thread_raises_irq);
	UNIT_EXIT();
}
