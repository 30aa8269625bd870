// SPDX-License-Identifier: MIT
/*
 * The emulated ATA state machine through the bus: sequences of port
 * accesses (task file, command, data port with string counts, device
 * control) decoded from the input, on a 64-sector memfd image, with a
 * slave drive present or not.  ASan watches the sector buffer; after each
 * input the image must have kept its size, and the status register must
 * claim BSY only while software reset is held (this model completes
 * every command at once).
 *
 * Covers: devices/ata.c devices/disk_image.c
 */
#include <string.h>

#include "../../devices/ata.h"
#include "../../vmm/vm.h"
#include "disk_image.h"

static struct vm vm;
static struct kvm_run run;
static struct disk_image master, slave;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	vm.run = &run;
	vm.wake_fd = vm.kvm_fd = vm.vm_fd = vm.vcpu_fd = -1;
	pthread_mutex_init(&vm.io_lock, NULL);
	fuzz_disk_open(&master, &vm.stats);
	fuzz_disk_open(&slave, &vm.stats);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ports[] = {
		0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6, 0x1f7, 0x3f6, 0x1ef, 0x3f7,
	};
	struct in in = { data, size };
	uint8_t flags = (uint8_t)take(&in, 1);

	memset(&vm.pio, 0, sizeof(vm.pio));
	vm.iot.pollers = 0;
	struct ata *s = ata_create(&vm, &master, flags & 1 ? &slave : NULL);

	if (!s)
		abort();
	while (in.n) {
		uint8_t op = (uint8_t)take(&in, 1);
		uint16_t port = ports[(op & 0x0f) % (sizeof(ports) / sizeof(ports[0]))];
		uint32_t sz = 1u << ((op >> 4) & 3);
		bool write = op & 0x40;
		/* a data-port string access: up to 256 elements in one exit */
		uint32_t count = (op & 0x80) ? (uint32_t)take(&in, 1) + 1 : 1;

		if (sz == 8)
			sz = 4;
		for (uint32_t i = 0; i < count; i++) {
			uint8_t buf[4];
			uint32_t v = (uint32_t)take(&in, sz);

			memcpy(buf, &v, 4);
			bus_access(&vm.pio, port, buf, sz, write);
			if (!write && sz == 1 && (port == 0x1f7 || port == 0x3f6))
				FUZZ_ASSERT(!(buf[0] & ATA_BSY) || (s->devctl & ATA_SRST));
		}
	}
	fuzz_disk_check(&master);
	fuzz_disk_check(&slave);
	ata_destroy(s);
	return 0;
}
