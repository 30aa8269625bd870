// SPDX-License-Identifier: MIT
/*
 * The machine's devices: built in the order of devices/table.h, found by
 * type, brought up to date, and torn down in reverse order.
 */
#include <stdio.h>

#include "vm.h"

/* Entries in the coalesced ring page: (4096 - header) / entry */
#define COALESCED_RING_MAX \
	((4096 - sizeof(struct kvm_coalesced_mmio_ring)) / sizeof(struct kvm_coalesced_mmio))

int vm_add_devices(struct vm *vm, const struct device_model *const *table,
		   int n)
{
	for (int i = 0; i < n; i++) {
		const struct device_model *t = table[i];
		void *dev = NULL;

		if (vm->ndevices == VM_MAX_DEVICES) {
			fprintf(stderr, "vmm: more than %d devices\n", VM_MAX_DEVICES);
			return VMM_EXIT_SETUP;
		}
		int status = t->create(vm, &dev);

		if (status) {
			if (vm->verbose)
				fprintf(stderr, "vmm: device %s: set-up failed\n", t->name);
			return status;
		}
		/* absent devices keep their slot: the table order is the record */
		vm->devices[vm->ndevices++] = (struct vm_device){ t, dev };
	}
	return 0;
}

void vm_remove_devices(struct vm *vm)
{
	while (vm->ndevices > 0) {
		struct vm_device *d = &vm->devices[--vm->ndevices];

		if (d->dev && d->model->destroy)
			d->model->destroy(d->dev);
		d->dev = NULL;
	}
}

void *vm_device(const struct vm *vm, const struct device_model *t)
{
	for (int i = 0; i < vm->ndevices; i++)
		if (vm->devices[i].model == t)
			return vm->devices[i].dev;
	return NULL;
}

/* Replays the stores KVM queued in the coalesced ring, in order. */
static void coalesced_drain(struct vm *vm)
{
	struct kvm_coalesced_mmio_ring *r = vm->ring;
	uint32_t n = 0;

	if (!r)
		return;
	uint32_t first = r->first;
	uint32_t last = __atomic_load_n(&r->last, __ATOMIC_ACQUIRE);

	while (first != last && first < COALESCED_RING_MAX) {
		struct kvm_coalesced_mmio *e = &r->coalesced_mmio[first];
		uint32_t len = e->len <= sizeof(e->data) ? e->len : sizeof(e->data);

		bus_access(e->pio ? &vm->pio : &vm->mmio, e->phys_addr, e->data,
			   len, true);
		first = (first + 1) % COALESCED_RING_MAX;
		__atomic_store_n(&r->first, first, __ATOMIC_RELEASE);
		n++;
		if (first == last)
			last = __atomic_load_n(&r->last, __ATOMIC_ACQUIRE);
	}
	if (n) {
		STAT_ADD(vm->stats.coalesced_drained, n);
		STAT_INC(vm->stats.coalesced_drains);
	}
}

/*
 * Device code runs wherever vm_sync() is called, always under io_lock:
 *   the vCPU thread     before each exit (vmm/vcpu.c: queued stores came first)
 *   the I/O thread      while a device waits on the ring (vmm/iothread.c)
 *   the UI thread       before each redraw (tui/ui.c, through screen_refresh)
 *   the recorder thread before each frame (tui/record.c)
 *   the input thread    before {until:} looks at the screen (tui/input.c)
 *   the main thread     for SIGUSR1 and after the vCPU stopped (vmm/main.c)
 * So a device handler (ata_io(), say) may run on any of these threads, one
 * at a time; the lock is what makes that safe.
 */
void vm_sync(struct vm *vm)
{
	coalesced_drain(vm);
	for (int i = 0; i < vm->ndevices; i++) {
		const struct vm_device *d = &vm->devices[i];

		if (d->dev && d->model->sync)
			d->model->sync(d->dev);
	}
}

void vm_sync_locked(struct vm *vm)
{
	pthread_mutex_lock(&vm->io_lock);
	vm_sync(vm);
	pthread_mutex_unlock(&vm->io_lock);
}
