// SPDX-License-Identifier: MIT
/*
 * The machine's devices: built in the order of devices/table.h, found by
 * type, brought up to date, and torn down in reverse order.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "state.h"
#include "vm.h"

/* Entries in the coalesced ring page: (4096 - header) / entry */
#define COALESCED_RING_MAX \
	((4096 - sizeof(struct kvm_coalesced_mmio_ring)) / sizeof(struct kvm_coalesced_mmio))

static void host_irq_set(void *ctx, unsigned int irq, int level)
{
	vm_irq_line(ctx, irq, level);
}

static bool host_coalesce_pio(void *ctx, uint16_t port, uint32_t len)
{
	return vm_coalesce_pio(ctx, port, len);
}

static int host_coalesce_mmio(void *ctx, uint64_t gpa, uint32_t len)
{
	return vm_coalesce(ctx, gpa, len, false);
}

static int host_map(void *ctx, int slot, uint64_t gpa, uint64_t size, void *host,
		    bool readonly)
{
	struct vm *vm = ctx;

	return host ? vm_map_host(vm, slot, gpa, size, host, readonly) :
		      vm_map_ram(vm, slot, gpa, size, readonly);
}

static void host_poll(void *ctx, bool on)
{
	iothread_poll(ctx, on);
}

static void host_lock(void *ctx, bool take)
{
	struct vm *vm = ctx;

	if (take)
		pthread_mutex_lock(&vm->io_lock);
	else
		pthread_mutex_unlock(&vm->io_lock);
}

static void host_stop(void *ctx, int status, const char *note)
{
	vm_stop(ctx, STOP_GUEST, status, "%s", note);
}

static void host_reset(void *ctx, const char *how)
{
	vm_request_reset(ctx, how);
}

static void host_reset_note(void *ctx, int status, const char *why)
{
	struct vm *vm = ctx;

	vm->reset.status = status;
	snprintf(vm->reset.why, sizeof(vm->reset.why), "%s", why);
}

static bool host_stopping(void *ctx)
{
	return vm_stopping(ctx);
}

static void host_hypercall(void *ctx, enum vmm_hypercall nr, hypercall_fn fn,
			   void *opaque)
{
	hypercall_register(ctx, nr, fn, opaque);
}

static void *host_find(void *ctx, const struct device_model *t)
{
	return vm_device(ctx, t);
}

static const struct device_host_ops vm_host_ops = {
	.irq_set = host_irq_set,
	.coalesce_pio = host_coalesce_pio,
	.coalesce_mmio = host_coalesce_mmio,
	.map = host_map,
	.poll = host_poll,
	.lock = host_lock,
	.stop = host_stop,
	.reset = host_reset,
	.reset_note = host_reset_note,
	.stopping = host_stopping,
	.hypercall = host_hypercall,
	.find = host_find,
};

void vm_host_init(struct vm *vm)
{
	struct device_host *h = &vm->host;

	h->cfg = vm->cfg;
	h->verbose = vm->verbose;
	h->mem = &vm->mem;
	h->pio = &vm->pio;
	h->mmio = &vm->mmio;
	h->screen = &vm->screen;
	h->stats = &vm->stats;
	h->ops = &vm_host_ops;
	h->ctx = vm;
}

int vm_add_devices(struct vm *vm, const struct device_model *const *table,
		   int n)
{
	/* main set these after vm_init() */
	vm->host.cfg = vm->cfg;
	vm->host.verbose = vm->verbose;
	for (int i = 0; i < n; i++) {
		const struct device_model *t = table[i];
		void *dev = NULL;

		if (vm->ndevices == VM_MAX_DEVICES) {
			fprintf(stderr, "vmm: more than %d devices\n", VM_MAX_DEVICES);
			return VMM_EXIT_SETUP;
		}
		int status = t->create(&vm->host, &dev);

		if (status) {
			if (vm->verbose)
				fprintf(stderr, "vmm: device %s: set-up failed\n", t->name);
			return status;
		}
		/* absent devices keep their slot: a record for one is refused by name */
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

int vm_devices_flush(struct vm *vm)
{
	int r = 0;

	for (int i = 0; i < vm->ndevices; i++) {
		const struct vm_device *d = &vm->devices[i];

		if (d->dev && d->model->flush && d->model->flush(d->dev))
			r = -1;
	}
	return r;
}

int vm_devices_hold(struct vm *vm, bool lock)
{
	int r = 0;

	for (int i = 0; i < vm->ndevices; i++) {
		const struct vm_device *d = &vm->devices[i];

		if (d->dev && d->model->hold && d->model->hold(d->dev, lock))
			r = -1;
	}
	return r;
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
 *   the main thread     each 100 ms tick (trylock), SIGUSR1, and after the vCPU stopped (vmm/main.c),
 *                       and for a snapshot with the vCPU parked (vmm/snapshot/save.c)
 * and without vm_sync(), one device's own code under the same lock:
 *   the CMOS timer thread   at the next RTC interrupt the guest enabled
 *                           (devices/cmos.c: cmos_tick() raises IRQ 8)
 *   the serial writer       takes COM1's queued output (tui/serial_out.c)
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

/*
 * The devices' state, for snapshots and migration; the snapshot file
 * carries it as one section.  Little-endian:
 *
 *	u32 DEVICES_MAGIC ("DEVS")
 *	u32 number of records
 *	per device present in the VM, in table order:
 *		u8  length of the device's name, then the name (no NUL)
 *		u32 the record's version (the model's .version)
 *		u32 length of the record, then the record (.state's walk)
 *
 * The loader finds each record by name, not by place, so a vmm that
 * added, moved or left out a device still loads what it knows; every
 * record is checked (known device, present here, a version this vmm
 * loads, each once) before any device loads.
 */
#define DEVICES_MAGIC	0x53564544u	/* "DEVS" */

static unsigned int version_of(const struct device_model *m)
{
	return m->version ? m->version : 1;
}

int device_state(const struct device_model *m, void *dev, struct state *s)
{
	if (m->state)
		return m->state(dev, s);
	if (!m->fields || state_fields(s, dev, m->size, m->fields))
		return -1;
	if (s->loading && m->loaded)
		m->loaded(dev);
	return 0;
}

static bool has_state(const struct device_model *m)
{
	return m->state || m->fields;
}

static int save_one(const struct vm_device *d, struct state *out)
{
	struct state rec;
	uint8_t name_len = (uint8_t)strlen(d->model->name);
	uint32_t len, version = version_of(d->model);

	state_init_save(&rec);
	if (!has_state(d->model) || device_state(d->model, d->dev, &rec)) {
		fprintf(stderr, "vmm: snapshot: device %s: %s\n", d->model->name,
			has_state(d->model) ? "cannot save its state" :
			"has no saved state yet");
		state_free(&rec);
		return -1;
	}
	len = (uint32_t)rec.len;
	state_u8(out, &name_len);
	state_bytes(out, (void *)d->model->name, name_len);
	state_u32(out, &version);
	state_u32(out, &len);
	state_bytes(out, rec.buf, rec.len);
	state_free(&rec);
	return state_failed(out);
}

int vm_devices_save(struct vm *vm, struct state *out)
{
	uint32_t magic = DEVICES_MAGIC, n = 0;

	/* stores still in the coalesced ring belong to the state */
	vm_sync(vm);
	for (int i = 0; i < vm->ndevices; i++)
		n += vm->devices[i].dev != NULL;
	state_u32(out, &magic);
	state_u32(out, &n);
	for (int i = 0; i < vm->ndevices; i++)
		if (vm->devices[i].dev && save_one(&vm->devices[i], out))
			return -1;
	if (state_failed(out))
		fprintf(stderr, "vmm: snapshot: out of memory for the device state\n");
	return state_failed(out);
}

/* Where each of this VM's devices finds its record. */
struct dev_rec {
	const uint8_t *p;
	uint32_t len, version;
	bool found;
};

/* The device of that name, or -1; the name as the snapshot has it. */
static int device_named(const struct vm *vm, const char *name)
{
	for (int i = 0; i < vm->ndevices; i++)
		if (!strcmp(vm->devices[i].model->name, name))
			return i;
	return -1;
}

/* One record's header at s: to the device it names, checked; -1 after a line. */
static int take_record(const struct vm *vm, struct state *s, struct dev_rec *recs)
{
	char name[256], shown[sizeof(name) * 4 + 8], what[300], err[400];
	uint8_t name_len = 0;
	uint32_t version = 0, len = 0;
	int i;

	state_u8(s, &name_len);
	state_bytes(s, name, name_len);
	state_u32(s, &version);
	state_u32(s, &len);
	if (s->bad || len > s->len - s->pos) {
		fprintf(stderr, "vmm: snapshot: the device state is cut short\n");
		return -1;
	}
	name[name_len] = 0;
	/* the snapshot's bytes, as COM1's filter would show them */
	config_shown(name, shown, sizeof(shown));
	/* a NUL inside the name would make a prefix of it match */
	i = strlen(name) == name_len ? device_named(vm, name) : -1;
	if (i < 0) {
		fprintf(stderr, "vmm: snapshot: the snapshot has device '%s', which "
			"this vmm does not know\n", shown);
		return -1;
	}
	const struct vm_device *d = &vm->devices[i];

	snprintf(what, sizeof(what), "device %s", d->model->name);
	if (!d->dev || recs[i].found) {
		fprintf(stderr, "vmm: snapshot: device %s is %s\n", d->model->name,
			recs[i].found ? "in the snapshot twice" :
			"in the snapshot but left out of this machine by its config");
		return -1;
	}
	if (state_version_check(what, version, d->model->min_version ?
				d->model->min_version : 1, version_of(d->model),
				err, sizeof(err))) {
		fprintf(stderr, "vmm: snapshot: %s\n", err);
		return -1;
	}
	recs[i] = (struct dev_rec){ s->buf + s->pos, len, version, true };
	s->pos += len;
	return 0;
}

/*
 * Every record goes to a device of this VM that loads its version, and
 * every device without one may start from its reset state.
 */
static int match_records(const struct vm *vm, const void *buf, size_t len,
			 struct dev_rec *recs)
{
	struct state s;
	uint32_t magic = 0, n = 0;

	state_init_load(&s, buf, len);
	state_u32(&s, &magic);
	state_u32(&s, &n);
	if (s.bad || magic != DEVICES_MAGIC) {
		fprintf(stderr, "vmm: snapshot: no device state where it should be\n");
		return -1;
	}
	for (uint32_t k = 0; k < n; k++)
		if (take_record(vm, &s, recs))
			return -1;
	if (s.pos != s.len) {
		fprintf(stderr, "vmm: snapshot: bytes after the last device's state\n");
		return -1;
	}
	for (int i = 0; i < vm->ndevices; i++) {
		const struct vm_device *d = &vm->devices[i];

		if (d->dev && !recs[i].found && !d->model->reset_ok) {
			fprintf(stderr, "vmm: snapshot: the snapshot has no state for "
				"device %s, which cannot start from its reset state in a "
				"running guest\n", d->model->name);
			return -1;
		}
	}
	return 0;
}

int vm_devices_load(struct vm *vm, const void *buf, size_t len)
{
	struct dev_rec recs[VM_MAX_DEVICES] = { 0 };

	if (match_records(vm, buf, len, recs))
		return -1;
	for (int i = 0; i < vm->ndevices; i++) {
		const struct vm_device *d = &vm->devices[i];
		struct state r;

		if (!recs[i].found)
			continue;	/* absent here, or reset_ok */
		state_init_load(&r, recs[i].p, recs[i].len);
		r.version = recs[i].version;
		if (device_state(d->model, d->dev, &r) || state_failed(&r)) {
			fprintf(stderr, "vmm: snapshot: device %s: %s\n", d->model->name,
				r.why ? r.why : "its state is impossible");
			return -1;
		}
	}
	return 0;
}
