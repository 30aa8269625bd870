// SPDX-License-Identifier: MIT
/*
 * Devices built from the table's models against a fake host: a config, a
 * port bus, some guest memory and ops that only record what they are
 * asked.  No struct vm, no KVM (this file does not include vmm/vm.h):
 * what a device needs of the machine is vmm/device.h and nothing else.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../devices/serial.h"
#include "../../devices/table.h"
#include "../../hypercalls/vmm_abi.h"
#include "../../vmm/bus.h"
#include "../../vmm/config.h"
#include "../../vmm/device.h"
#include "../unit.h"

/* What the fake host was asked. */
static struct {
	int irq[16];
	int irq_changes;
	int stops, stop_status;
	char stop_note[128];
	int resets;
	char reset_how[64];
	bool stopping;
} seen;

static void fake_irq_set(void *ctx, unsigned int irq, int level)
{
	(void)ctx;
	seen.irq[irq % 16] = level;
	seen.irq_changes++;
}

static void fake_stop(void *ctx, int status, const char *note)
{
	(void)ctx;
	seen.stops++;
	seen.stop_status = status;
	snprintf(seen.stop_note, sizeof(seen.stop_note), "%s", note);
}

static void fake_reset(void *ctx, const char *how)
{
	(void)ctx;
	seen.resets++;
	snprintf(seen.reset_how, sizeof(seen.reset_how), "%s", how);
}

static bool fake_stopping(void *ctx)
{
	(void)ctx;
	return seen.stopping;
}

static const struct device_host_ops fake_ops = {
	.irq_set = fake_irq_set,
	.stop = fake_stop,
	.reset = fake_reset,
	.stopping = fake_stopping,
};

static struct bus pio;
static struct vm_config cfg;
static struct guest_mem mem;
static struct device_host host = {
	.cfg = &cfg, .pio = &pio, .mem = &mem, .ops = &fake_ops,
};

static void fresh_host(void)
{
	memset(&pio, 0, sizeof(pio));
	memset(&seen, 0, sizeof(seen));
}

static void out8(uint16_t port, uint8_t v)
{
	EXPECT(bus_access(&pio, port, &v, 1, true));
}

static uint8_t in8(uint16_t port)
{
	uint8_t v = 0;

	EXPECT(bus_access(&pio, port, &v, 1, false));
	return v;
}

/* The guest's write to port 0xf4 reaches the host as a stop, with its status. */
static void debug_exit_stops_through_host(void)
{
	void *dev = NULL;
	uint32_t v = 0x10;

	fresh_host();
	EXPECT_EQ(debug_exit_device.create(&host, &dev), 0);
	EXPECT(dev != NULL);
	EXPECT(bus_access(&pio, VMM_DEBUG_EXIT_PORT, &v, 4, true));
	EXPECT_EQ(seen.stops, 1);
	EXPECT_EQ(seen.stop_status, 0x21);
	EXPECT(strstr(seen.stop_note, "0x10 to the debug-exit port") != NULL);
}

/* COM1's IRQ 4 rises and falls through the host's irq_set. */
static void serial_irq_through_host(void)
{
	void *dev = NULL;

	fresh_host();
	EXPECT_EQ(serial_device.create(&host, &dev), 0);
	EXPECT(dev != NULL);
	out8(VMM_COM1_PORT + 4, 0x08);		/* MCR: OUT2 gates the line */
	out8(VMM_COM1_PORT + 1, 0x01);		/* IER: received data */
	EXPECT_EQ(seen.irq[4], 0);
	EXPECT_EQ(serial_receive(dev, (const uint8_t *)"k", 1), 1);
	EXPECT_EQ(seen.irq[4], 1);
	EXPECT_EQ(in8(VMM_COM1_PORT), 'k');
	EXPECT_EQ(seen.irq[4], 0);
	EXPECT_EQ(seen.irq_changes, 2);
	serial_device.destroy(dev);
}

/* The 8042's reset pulse is a request to the host, not a VM call. */
static void i8042_reset_through_host(void)
{
	void *dev = NULL;

	fresh_host();
	EXPECT_EQ(i8042_device.create(&host, &dev), 0);
	out8(0x64, 0xfe);
	EXPECT_EQ(seen.resets, 1);
	EXPECT(strstr(seen.reset_how, "8042 pulse 0xfe") != NULL);
	i8042_device.destroy(dev);
}

/* A device left out by the config says so, and claims nothing. */
static void absent_devices_claim_nothing(void)
{
	void *dev = (void *)1;

	fresh_host();
	cfg.firmware.image = NULL;
	EXPECT_EQ(post_device.create(&host, &dev), 0);
	EXPECT(dev == NULL);
	EXPECT_EQ(pio.nr, 0);
}

/* Guest memory through the host: whole ranges in RAM or nothing. */
static void memory_is_checked(void)
{
	uint8_t buf[8] = "abcdefg", back[8] = { 0 };

	EXPECT_EQ(dev_mem_write(&host, 0x1000, buf, sizeof(buf)), 0);
	EXPECT_EQ(dev_mem_read(&host, 0x1000, back, sizeof(back)), 0);
	EXPECT(!memcmp(buf, back, sizeof(buf)));
	/* the last bytes of RAM, and one past them */
	EXPECT_EQ(dev_mem_read(&host, mem.size - 8, back, 8), 0);
	EXPECT_EQ(dev_mem_read(&host, mem.size - 7, back, 8), -1);
	/* gpa + len wraps: refused, not a pointer below the base */
	EXPECT_EQ(dev_mem_write(&host, UINT64_MAX - 3, buf, 8), -1);
	EXPECT(dev_mem(&host, 8, UINT64_MAX) == NULL);
	/* the VGA hole is not RAM */
	EXPECT_EQ(dev_mem_read(&host, GUEST_HOLE_START - 4, back, 8), -1);
	/* no host: nothing at all, and requests are dropped */
	EXPECT(dev_mem(NULL, 0x1000, 1) == NULL);
	dev_irq_set(NULL, 4, 1);
	EXPECT(!dev_stopping(NULL));
	EXPECT(dev_find(&host, &serial_device) == NULL);	/* no find op */
	seen.stopping = true;
	EXPECT(dev_stopping(&host));
}

int main(void)
{
	mem.size = 1 << 20;
	mem.base = calloc(1, mem.size);
	if (!mem.base)
		return 1;
	RUN(debug_exit_stops_through_host);
	RUN(serial_irq_through_host);
	RUN(i8042_reset_through_host);
	RUN(absent_devices_claim_nothing);
	RUN(memory_is_checked);
	free(mem.base);
	UNIT_EXIT();
}
