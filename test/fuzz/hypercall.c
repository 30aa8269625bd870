// SPDX-License-Identifier: MIT
/*
 * The hypercall dispatcher behind port 0xABBA with the devices a real VM
 * registers there (VGA, PV VGA, PV disk), built from the device table for
 * a config the input picks: guest RAM from 8 KiB (no PV page at all) to
 * 2 MiB (RAM past the VGA hole), the disk's cache mode (cache=none goes
 * through the bounce buffer) and read-only flag.  Then the raw PV pages
 * from 0x3000, and operations: raw doorbell accesses, PV VGA putc and
 * frame calls, the one-sector call, and the ring built the way a driver
 * builds it (descriptors at prod, prod moved, the call) with buffers at
 * the interesting addresses (RAM's end, the hole's edges, the ring
 * itself, 4 GiB, 2^64).  Guest RAM is malloc'd at its exact size, so ASan
 * catches a host access outside it; each status must be one the ABI
 * defines, the ring's cons must say what the call returned, a
 * successful PV VGA call must have put exactly what the page said on the
 * screen, and the 64-sector image must keep its size.
 *
 * Covers: devices/pv_disk.c devices/pv_vga.c hypercalls/hypercall.c vmm/doorbell.c
 */
#include <string.h>

#include "../../devices/pv_disk.h"
#include "../../devices/pv_vga.h"
#include "../../devices/table.h"
#include "../../devices/vga.h"
#include "../../vmm/json.h"
#include "../../vmm/state.h"
#include "../../vmm/screen.h"
#include "../../vmm/vm.h"
#include "disk_image.h"

static struct vm vm;
static struct vm_config cfg;
static struct kvm_run run;
static struct disk_image img;
static FILE *devnull;

static const uint64_t ram_sizes[] = {
	0x2000,					/* no PV VGA page at all */
	VMM_PV_VGA_GPA + sizeof(struct vmm_pv_vga) - 1,	/* page cut short */
	VMM_PV_VGA_GPA + sizeof(struct vmm_pv_vga),
	0x10000,				/* the PV disk page and ring too */
	0x9f000,				/* up to the hole */
	0xa8000,				/* ending inside it */
	0x108000,				/* past it */
	0x200000,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	vm_init(&vm);
	vm.run = &run;
	vm.cfg = &cfg;
	fuzz_disk_open(&img, &vm.stats);
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	return 0;
}

/* cache=none's aligned bounce buffer works on any fd; read-only refuses writes */
static void disk_mode(uint8_t flags)
{
	static uint8_t bounce[128 << 10] __attribute__((aligned(4096)));

	img.cache = (enum cache_mode)((flags >> 4) & 3);
	img.bounce = img.cache == CACHE_NONE ? bounce : NULL;
	img.readonly = flags & 0x40;
}

static void devices_create(uint8_t flags)
{
	static const struct device_model *const table[] = {
		&vga_device, &pv_vga_device, &pv_disk_device,
	};

	memset(&vm.pio, 0, sizeof(vm.pio));
	memset(&vm.mmio, 0, sizeof(vm.mmio));
	memset(&vm.hc, 0, sizeof(vm.hc));
	cfg.vga.mode = flags & 8 ? VMM_MODE_EMULATED : VMM_MODE_PV;
	cfg.disk.mode = flags & 0x80 ? VMM_MODE_EMULATED : VMM_MODE_PV;
	vm.host.disk[0] = flags & 0x80 && flags & 8 ? NULL : &img;
	disk_mode(flags);
	if (doorbell_init(&vm))
		abort();
	/* a device whose page does not fit in RAM refuses: set-up fails */
	if (vm_add_devices(&vm, table, 3) && ram_sizes[flags & 7] >= 0x10000)
		FUZZ_ASSERT(!"devices refused a RAM that holds their pages");
}

/*
 * What --stats reports: every device's counters, every hypercall's name;
 * and what a snapshot takes: every device's state loads back.
 */
static void devices_destroy(struct in *mid)
{
	struct json j;

	for (int i = 0; i < vm.ndevices; i++)
		fuzz_state_round_trip(vm.devices[i].model, vm.devices[i].dev, mid);

	json_init(&j, devnull, false);
	for (uint32_t nr = 0; nr <= VMM_HC_COUNT; nr++)
		FUZZ_ASSERT(!hypercall_name(nr) == (nr == VMM_HC_COUNT));
	FUZZ_ASSERT(hypercall_set(&vm.hc, VMM_HC_COUNT, NULL, NULL) == -1);
	for (int i = 0; i < vm.ndevices; i++)
		if (vm.devices[i].dev && vm.devices[i].model->stats)
			vm.devices[i].model->stats(vm.devices[i].dev, &j);
	vm_remove_devices(&vm);
	fuzz_disk_check(&img);
}

static void check_vga(uint32_t nr, const uint32_t arg[4], const uint8_t *page_copy)
{
	const struct vmm_pv_vga *pg = (const void *)page_copy;
	struct screen_frame f;

	screen_snapshot(&vm.screen, &f);
	if (nr == VMM_HC_VGA_PUTC) {
		FUZZ_ASSERT(pg->putc.x < VMM_VGA_COLS && pg->putc.y < VMM_VGA_ROWS);
		FUZZ_ASSERT(f.cells[pg->putc.y * VMM_VGA_COLS + pg->putc.x] ==
			    (uint16_t)(pg->putc.attr << 8 | pg->putc.ch));
	} else if (nr == VMM_HC_VGA_FRAME) {
		FUZZ_ASSERT(arg[0] <= arg[1] && arg[1] < VMM_VGA_ROWS);
		for (uint32_t i = arg[0] * VMM_VGA_COLS; i < (arg[1] + 1) * VMM_VGA_COLS; i++)
			FUZZ_ASSERT(f.cells[i] == pg->frame[i]);
		FUZZ_ASSERT(f.cursor_on == (pg->cursor != VMM_VGA_CURSOR_OFF));
	}
}

/* The ring after a call: cons is ours, and says whether work remains. */
static void check_ring(int32_t ret, uint32_t prod)
{
	const struct pv_disk *p = vm_device(&vm, &pv_disk_device);
	const struct vmm_pv_ring *r = gpa_ptr(&vm.mem, VMM_PV_RING_GPA, sizeof(*r));

	FUZZ_ASSERT(p && r);
	FUZZ_ASSERT(r->cons == p->cons);
	if (ret == VMM_OK)
		FUZZ_ASSERT(p->cons == prod);
	else if (ret == VMM_PENDING)
		FUZZ_ASSERT(p->cons != prod && prod - p->cons <= VMM_PV_RING_ENTRIES);
	else
		FUZZ_ASSERT(ret == VMM_E_INVAL && prod - p->cons > VMM_PV_RING_ENTRIES);
}

static void check_call(uint32_t nr, const uint32_t arg[4], int32_t ret,
		       const uint8_t *page_copy, uint32_t prod)
{
	if (nr >= VMM_HC_COUNT || !vm.hc.entry[nr].fn) {
		FUZZ_ASSERT(ret == VMM_E_NOSYS);
		return;
	}
	if (nr == VMM_HC_VERSION) {
		FUZZ_ASSERT(ret == VMM_ABI_VERSION);
		return;
	}
	if (nr == VMM_HC_DISK_RING) {
		check_ring(ret, prod);
		return;
	}
	FUZZ_ASSERT(ret <= VMM_OK && ret >= VMM_E_NODEV);
	if (nr == VMM_HC_EXIT) {
		FUZZ_ASSERT(vm_stopping(&vm) && vm.exit_status == (int)(arg[0] & 0xff));
		vm.stopping = 0;
		return;
	}
	if (ret == VMM_OK && page_copy)
		check_vga(nr, arg, page_copy);
}

/* One 32-bit write of nr at the doorbell, as the exit loop hands it over. */
static void call(uint32_t nr, const uint32_t arg[4])
{
	struct kvm_regs *r = &run.s.regs.regs;
	uint8_t page_copy[sizeof(struct vmm_pv_vga)], d[4];
	const void *pg = gpa_ptr(&vm.mem, VMM_PV_VGA_GPA, sizeof(page_copy));
	const struct vmm_pv_ring *ring = gpa_ptr(&vm.mem, VMM_PV_RING_GPA, sizeof(*ring));
	uint32_t prod = ring ? ring->prod : 0;

	r->rbx = arg[0] | (uint64_t)0xdead << 32;
	r->rcx = arg[1];
	r->rsi = arg[2];
	r->rdi = arg[3];
	r->rax = 0x5a5a5a5a;
	if (pg)
		memcpy(page_copy, pg, sizeof(page_copy));
	memcpy(d, &nr, 4);
	bus_access(&vm.pio, VMM_HC_PORT, d, 4, true);
	check_call(nr, arg, (int32_t)r->rax, pg ? page_copy : NULL, prod);
	FUZZ_ASSERT(run.kvm_dirty_regs & KVM_SYNC_X86_REGS);
	run.kvm_dirty_regs = 0;
}

/* Any other access at the doorbell: never a hypercall, reads all-ones. */
static void odd_access(uint8_t kind)
{
	struct kvm_regs *r = &run.s.regs.regs;
	uint32_t sz = 1u << ((kind >> 3) & 3), off = (kind >> 5) & 3;
	bool w = kind & 0x80;
	uint8_t d[4] = { 1, 2, 3, 4 };

	if (sz == 8)
		sz = 4;
	if (w && sz == 4 && off == 0)
		off = 2;
	r->rax = 0x5a5a5a5a;
	bus_access(&vm.pio, VMM_HC_PORT + off, d, sz, w);
	FUZZ_ASSERT(r->rax == 0x5a5a5a5a);
	if (!w)
		for (uint32_t i = 0; i < sz; i++)
			FUZZ_ASSERT(d[i] == 0xff);
}

/* A buffer address a driver or an attacker would pick. */
static uint64_t pick_buf(struct in *in)
{
	uint64_t ram = vm.mem.size;
	const uint64_t base[] = {
		0x100000, 0x8000, GUEST_HOLE_START - 0x1000, GUEST_HOLE_START,
		GUEST_HOLE_END - 0x200, GUEST_HOLE_END, ram - 0x1000, ram,
		VMM_PV_RING_GPA, 0xfffffe00ull, ~0ull - 0x1ff, 1ull << 32,
	};
	uint8_t b = (uint8_t)take(in, 1);

	return base[b % 12] + (uint64_t)(b / 12) * 0x100;
}

static uint32_t pick_count(struct in *in)
{
	uint8_t b = (uint8_t)take(in, 1);

	switch (b >> 6) {
	case 0: return b & 0x3f;			/* 0..63: the image's size */
	case 1: return 64 + (b & 0x3f);			/* past it */
	case 2: return VMM_PV_RING_MAX_SECTORS - 1 + (b & 3);	/* the limit's edges */
	default: return (uint32_t)take(in, 4);
	}
}

static void queue_desc(struct in *in)
{
	struct vmm_pv_ring *r = gpa_ptr(&vm.mem, VMM_PV_RING_GPA, sizeof(*r));
	uint8_t op = (uint8_t)take(in, 1);

	if (!r)
		return;
	struct vmm_pv_desc *d = &r->desc[r->prod % VMM_PV_RING_ENTRIES];

	d->op = op & 0x80 ? op : op % 3;
	d->count = pick_count(in);
	d->sector = op & 0x40 ? ~0ull - (uint8_t)take(in, 1) : (uint8_t)take(in, 1);
	d->buf = pick_buf(in);
	d->status = 12345;
	r->prod++;
}

static void set_prod(struct in *in)
{
	struct vmm_pv_ring *r = gpa_ptr(&vm.mem, VMM_PV_RING_GPA, sizeof(*r));
	uint8_t b = (uint8_t)take(in, 1);

	if (r)
		r->prod = r->cons + (b & 0x80 ? (uint32_t)take(in, 4) : b);
}

static void sector_call(struct in *in)
{
	struct vmm_pv_disk *pg = gpa_ptr(&vm.mem, VMM_PV_DISK_GPA, sizeof(*pg));
	uint8_t op = (uint8_t)take(in, 1);
	const uint32_t arg[4] = { 0 };

	if (pg) {
		pg->op = op & 0x80 ? op : op % 3;
		pg->sector = op & 0x40 ? ~0ull - (op & 7) : (uint8_t)take(in, 1);
		pg->data[op & 0x1f] = op;
	}
	call(VMM_HC_DISK_SECTOR, arg);
}

/* PV VGA: small coordinates and row ranges, mostly valid */
static void vga_call(struct in *in, bool frame)
{
	struct vmm_pv_vga *pg = gpa_ptr(&vm.mem, VMM_PV_VGA_GPA, sizeof(*pg));
	uint8_t a = (uint8_t)take(in, 1), b = (uint8_t)take(in, 1);
	uint32_t arg[4] = { a % 27, b % 27, 0, 0 };

	if (pg && !frame) {
		pg->putc.x = a % 82;
		pg->putc.y = b % 27;
		pg->putc.ch = a;
		pg->putc.attr = b;
	} else if (pg) {
		pg->cursor = (uint16_t)(a & 0x80 ? VMM_VGA_CURSOR_OFF : a * 16 + b % 16);
		for (int i = 0; i < 8; i++)
			pg->frame[(a * 8 + i) % (VMM_VGA_ROWS * VMM_VGA_COLS)] = (uint16_t)(b << 8 | i);
	}
	call(frame ? VMM_HC_VGA_FRAME : VMM_HC_VGA_PUTC, arg);
}

static void raw_call(struct in *in, uint8_t op)
{
	uint32_t nr = (uint32_t)take(in, op & 0x80 ? 4 : 1), arg[4];

	for (int i = 0; i < 4; i++)
		arg[i] = (uint32_t)take(in, op & 0x40 ? 4 : 1);
	call(nr, arg);
}

/*
 * The ring call, sometimes with the VM asked to stop, sometimes with a
 * budget of a few sectors so that the 64-sector image can exhaust it.
 */
static void ring_call(uint8_t op)
{
	struct pv_disk *p = vm_device(&vm, &pv_disk_device);
	static const uint32_t none[4];

	if (p)
		p->budget = op & 0x40 ? (op >> 3 & 7) * VMM_SECTOR_SIZE : VMM_PV_RING_BUDGET;
	vm.stopping = op & 0x80 ? 2 : 0;
	call(VMM_HC_DISK_RING, none);
	vm.stopping = 0;
}

static void one_op(struct in *in)
{
	uint8_t op = (uint8_t)take(in, 1);

	switch (op & 7) {
	case 0: raw_call(in, op); break;
	case 1: odd_access(op); break;
	case 2: queue_desc(in); break;
	case 3: set_prod(in); break;
	case 4: ring_call(op); break;
	case 5: sector_call(in); break;
	case 6: vga_call(in, false); break;
	default: vga_call(in, true); break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	uint8_t flags = (uint8_t)take(&in, 1);
	uint64_t ram = ram_sizes[flags & 7];
	/* raw bytes over the PV VGA page, the PV disk page and the ring */
	uint64_t fill = take(&in, 2) % (VMM_PV_RING_GPA + 2 * 4096 - VMM_PV_VGA_GPA);

	vm.mem = (struct guest_mem){ .base = calloc(1, ram), .size = ram };
	devices_create(flags);		/* clears the pages it shares */
	for (uint64_t i = 0; i < fill; i++) {
		uint8_t b = (uint8_t)take(&in, 1);

		if (VMM_PV_VGA_GPA + i < ram)
			vm.mem.base[VMM_PV_VGA_GPA + i] = b;
	}
	while (in.n)
		one_op(&in);
	devices_destroy(&(struct in){ data + size / 2, size - size / 2 });
	free(vm.mem.base);
	vm.stopping = 0;
	return 0;
}
