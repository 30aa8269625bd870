// SPDX-License-Identifier: MIT
/*
 * The emulated ATA state machine through the bus: sequences of port
 * accesses (task file, command, data port with string counts, device
 * control; an op byte, a count byte for strings, a value for each write)
 * decoded from the input, on 64-sector memfd images.  The first
 * byte picks the machine: a slave drive or not, the master's cache mode
 * (cache=none's bounce buffer), a read-only master, a master whose writes
 * fail (an fd opened read-only: the I/O error path), and coalesced PIO:
 * then writes to 0x1f0-0x1f6 queue in a coalesced ring, as KVM's, which is
 * replayed before every other access (the exit loop) and when the input
 * says so (the I/O thread, which the device asks for while it waits for
 * data).  The device is built from its device model, its counters written
 * as --stats would, and its state saved and loaded back at the end.  ASan watches the sector buffer; after each
 * input the images must have kept their size, and the status register
 * must claim BSY only while software reset is held (this model completes
 * every command at once).
 *
 * Covers: devices/ata.c
 */
#include <fcntl.h>
#include <string.h>

#include "../../devices/ata.h"
#include "../../devices/table.h"
#include "../../vmm/json.h"
#include "../../vmm/state.h"
#include "../../vmm/vm.h"
#include "disk_image.h"

#define RING_MAX ((4096 - sizeof(struct kvm_coalesced_mmio_ring)) / \
		  sizeof(struct kvm_coalesced_mmio))

static struct vm vm;
static struct vm_config cfg;
static struct kvm_run run;
static struct disk_image master, slave;
static int master_fd, master_ro_fd;
static union {
	struct kvm_coalesced_mmio_ring r;
	uint8_t page[4096];
} ring;
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[64];

	(void)argc;
	(void)argv;
	vm_init(&vm);
	vm.run = &run;
	vm.cfg = &cfg;
	cfg.disk.mode = VMM_MODE_EMULATED;
	fuzz_disk_open(&master, &vm.stats);
	fuzz_disk_open(&slave, &vm.stats);
	master_fd = master.fd;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", master_fd);
	master_ro_fd = open(path, O_RDONLY | O_CLOEXEC);
	devnull = fopen("/dev/null", "w");
	if (master_ro_fd < 0 || !devnull)
		abort();
	return 0;
}

static void set_up(uint8_t flags)
{
	static uint8_t bounce[128 << 10] __attribute__((aligned(4096)));

	memset(&vm.pio, 0, sizeof(vm.pio));
	vm.iot.pollers = 0;
	master.cache = (enum cache_mode)((flags >> 1) & 3);
	master.bounce = master.cache == CACHE_NONE ? bounce : NULL;
	master.readonly = flags & 0x08;
	master.fd = flags & 0x10 ? master_ro_fd : master_fd;
	vm.host.disk[0] = &master;
	vm.host.disk[1] = flags & 1 ? &slave : NULL;
	memset(&ring, 0, sizeof(ring));
	vm.ring = flags & 0x20 ? &ring.r : NULL;
}

/* The exit loop replays what KVM queued before it handles an exit. */
static void exit_to_vmm(void)
{
	vm_sync(&vm);
}

/* A write KVM would queue instead of exiting: 0x1f0-0x1f6, with a zone. */
static bool queued(uint16_t port, bool write, uint32_t sz, uint32_t v)
{
	struct kvm_coalesced_mmio *e;

	if (!vm.ring || !write || port < ATA_IO_BASE || port + sz > ATA_IO_BASE + 7)
		return false;
	if ((ring.r.last + 1) % RING_MAX == ring.r.first)
		exit_to_vmm();		/* full: KVM exits */
	e = &ring.r.coalesced_mmio[ring.r.last];
	*e = (struct kvm_coalesced_mmio){ .phys_addr = port, .len = sz, .pio = 1 };
	memcpy(e->data, &v, sz);
	ring.r.last = (ring.r.last + 1) % RING_MAX;
	return true;
}

static void port_access(struct ata *s, uint16_t port, bool write, uint32_t sz, uint32_t v)
{
	uint8_t buf[4];

	if (queued(port, write, sz, v))
		return;
	exit_to_vmm();
	memcpy(buf, &v, 4);
	bus_access(&vm.pio, port, buf, sz, write);
	if (!write && sz == 1 && (port == 0x1f7 || port == 0x3f6))
		FUZZ_ASSERT(!(buf[0] & ATA_BSY) || (s->devctl & ATA_SRST));
}

/* A second channel on the same ports, and one with no master, are refused. */
static void refusals(void)
{
	FUZZ_ASSERT(!ata_create(&vm.host, &master, NULL));
	FUZZ_ASSERT(!ata_create(&vm.host, NULL, NULL));
}

/* A snapshot taken now loads back; the input's middle bytes bend a copy. */
static void tear_down(struct in *mid)
{
	struct json j;

	fuzz_state_round_trip(&ata_device, vm_device(&vm, &ata_device), mid);
	json_init(&j, devnull, false);
	ata_device.stats(vm_device(&vm, &ata_device), &j);
	vm_remove_devices(&vm);
	vm.ring = NULL;
	fuzz_disk_check(&master);
	fuzz_disk_check(&slave);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct device_model *const table[] = { &ata_device };
	static const uint16_t ports[] = {
		0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6, 0x1f7, 0x3f6, 0x1ef, 0x3f7,
	};
	struct in in = { data, size };
	uint8_t flags = (uint8_t)take(&in, 1);

	set_up(flags);
	if (vm_add_devices(&vm, table, 1))
		abort();
	struct ata *s = vm_device(&vm, &ata_device);

	/* as if KVM had the coalesced-PIO capability */
	s->coalesced = vm.ring != NULL;
	if (flags & 0x40)
		refusals();
	while (in.n) {
		uint8_t op = (uint8_t)take(&in, 1);
		uint16_t port = ports[(op & 0x0f) % (sizeof(ports) / sizeof(ports[0]))];
		uint32_t sz = 1u << ((op >> 4) & 3);
		bool write = op & 0x40;
		/* a data-port string access: up to 256 elements in one exit */
		uint32_t count = (op & 0x80) ? (uint32_t)take(&in, 1) + 1 : 1;

		if ((op & 0x0f) == 0x0f) {
			exit_to_vmm();	/* the I/O thread's turn */
			continue;
		}
		if (sz == 8)
			sz = 4;
		for (uint32_t i = 0; i < count; i++)
			port_access(s, port, write, sz, write ? (uint32_t)take(&in, sz) : 0);
	}
	exit_to_vmm();
	tear_down(&(struct in){ data + size / 2, size - size / 2 });
	return 0;
}
