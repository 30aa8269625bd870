// SPDX-License-Identifier: MIT
/*
 * The PC's reset control register at port 0xcf9 (as in the PIIX and ICH
 * chipsets): writing bit 2 (reset CPU) resets the machine.  SeaBIOS and
 * Linux reboot through it; vmm does not reboot, so the VM stops there
 * (the host's reset says with which status).  It is there with a
 * firmware or a Linux kernel, as on the PC they expect; Multiboot guests end with
 * a hypercall or the debug-exit port.  The register sits inside
 * the PCI configuration window 0xcf8-0xcff but answers only byte
 * accesses at 0xcf9, so a 32-bit read at 0xcf8 still finds no PCI.
 *
 * Writes to 0xcf8-0xcfb queue in the coalesced ring instead of exiting:
 * with no PCI the address a write latches changes nothing, and Linux's
 * early scans (the AGP bridge search, on an AMD family 0xf CPU such as
 * QEMU TCG's "max") write it 8192 times a pass, each before the 0xcfc
 * read that does exit.  A reset written here then takes effect when the
 * ring is replayed: before the next exit is handled, at the latest on
 * the main thread's next tick.
 */
#include <stdlib.h>

#include "../vmm/config.h"
#include "../vmm/device.h"
#include "../vmm/state.h"

#define RESET_CONTROL_PORT	0xcf9
#define PCI_CONFIG_ADDRESS	0xcf8
#define RCR_SYS_RST		0x02	/* with RST_CPU: a full reset */
#define RCR_RST_CPU		0x04

struct reset_control {
	struct device_host *host;
	uint8_t value;
};

static void reset_control_io(void *opaque, struct bus_access *a)
{
	struct reset_control *r = opaque;

	if (!a->write) {
		bus_put(a, r->value);
		return;
	}
	r->value = (uint8_t)(bus_get(a) & RCR_SYS_RST);
	if (bus_get(a) & RCR_RST_CPU)
		dev_reset(r->host, "port 0xcf9");
}

static int reset_control_create(struct device_host *h, void **dev)
{
	struct reset_control *r;

	if (!config_pc_devices(h->cfg))
		return 0;
	r = calloc(1, sizeof(*r));
	if (!r)
		return VMM_EXIT_SETUP;
	r->host = h;
	if (dev_register_pio(h, RESET_CONTROL_PORT, 1, reset_control_io, r,
			     "reset-control")) {
		free(r);
		return VMM_EXIT_SETUP;
	}
	dev_coalesce_pio(h, PCI_CONFIG_ADDRESS, 4);
	*dev = r;
	return 0;
}

static void reset_control_destroy(void *dev)
{
	free(dev);
}

static int reset_control_fields(void *obj, struct state *s)
{
	struct reset_control *r = obj;

	state_u8(s, &r->value);
	if (s->loading && !s->bad && (r->value & ~RCR_SYS_RST))
		return state_fail(s, "the register holds bits no write leaves");
	return 0;
}

/* through a copy: a record with bytes left over must leave the register as it was */
const struct device_model reset_control_device = {
	.name = "reset-control",
	.create = reset_control_create,
	.destroy = reset_control_destroy,
	.fields = reset_control_fields,
	.size = sizeof(struct reset_control),
	.version = 1,
	.reset_ok = true,	/* 0, as at power-on */
};
