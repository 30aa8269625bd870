// SPDX-License-Identifier: MIT
/*
 * The hypercall dispatcher behind port 0xABBA, with every handler that is
 * registered in a real VM.  Input: the guest RAM size (1 byte), a length
 * (2 bytes) and that many bytes of the shared PV pages from 0x3000 on
 * (whatever fits in RAM; the rest of RAM is zero), then calls:
 * number, four register arguments and the kind of port access.  Guest
 * RAM is malloc'd at its exact size, so ASan catches any host access
 * outside it; each status must be one the ABI defines, and a successful
 * PV VGA call must have put exactly what the page said on the screen.
 *
 * The PV disk works on a 64-sector memfd image that must keep its size.
 * Another device with hypercalls adds its create call to devices_create()
 * and its destroy call to devices_destroy(); its checks go in check_call().
 */
#include <string.h>

#include "../../devices/pv_disk.h"
#include "../../devices/pv_vga.h"
#include "../../devices/vga.h"
#include "../../vmm/screen.h"
#include "../../vmm/vm.h"
#include "disk_image.h"

static struct vm vm;
static struct kvm_run run;
static struct vga *vga;
static struct pv_vga *pv_vga;
static struct pv_disk *pv_disk;
static struct disk_image img;

static const uint64_t ram_sizes[] = {
	0x2000,					/* no PV VGA page at all */
	VMM_PV_VGA_GPA + sizeof(struct vmm_pv_vga) - 1,	/* page cut short */
	VMM_PV_VGA_GPA + sizeof(struct vmm_pv_vga),
	0x10000,			/* PV disk page and ring too */
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	vm_init(&vm);
	vm.run = &run;
	fuzz_disk_open(&img, &vm.stats);
	vga = vga_create(NULL, &vm.screen, VGA_TRAP, false);
	if (!vga || doorbell_init(&vm))
		abort();
	return 0;
}

static void devices_create(void)
{
	pv_vga = pv_vga_create(&vm, vga);
	if (!pv_vga)
		abort();
	pv_disk = pv_disk_create(&vm, &img);	/* NULL: RAM too small */
}

static void devices_destroy(void)
{
	pv_vga_destroy(pv_vga);
	pv_vga = NULL;
	pv_disk_destroy(pv_disk);
	pv_disk = NULL;
	/* the next input may have no room for the disk: unregister it */
	hypercall_register(&vm, VMM_HC_DISK_SECTOR, NULL, NULL);
	hypercall_register(&vm, VMM_HC_DISK_RING, NULL, NULL);
	fuzz_disk_check(&img);
}

static void check_call(uint32_t nr, const uint32_t arg[4], int32_t ret,
		       const uint8_t *page_copy)
{
	const struct vmm_pv_vga *pg = (const void *)page_copy;
	struct screen_frame f;

	if (nr >= VMM_HC_COUNT || !vm.hc.entry[nr].fn) {
		FUZZ_ASSERT(ret == VMM_E_NOSYS);
		return;
	}
	if (nr == VMM_HC_VERSION) {
		FUZZ_ASSERT(ret == VMM_ABI_VERSION);
		return;
	}
	FUZZ_ASSERT(ret <= VMM_OK && ret >= VMM_E_NODEV);
	if (nr == VMM_HC_EXIT) {
		FUZZ_ASSERT(vm_stopping(&vm) && vm.exit_status == (int)(arg[0] & 0xff));
		vm.stopping = 0;
		return;
	}
	if (ret != VMM_OK || !pg)
		return;
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	uint64_t ram = ram_sizes[take(&in, 1) % 4];
	uint8_t page_copy[sizeof(struct vmm_pv_vga)];
	bool has_page = ram >= VMM_PV_VGA_GPA + sizeof(struct vmm_pv_vga);

	/* the PV VGA page, the PV disk page and the ring: 0x3000-0x7000 */
	uint64_t fill = take(&in, 2) % (VMM_PV_RING_GPA + 2 * 4096 - VMM_PV_VGA_GPA);

	vm.mem = (struct guest_mem){ calloc(1, ram), ram };
	devices_create();
	for (uint64_t i = 0; i < fill; i++) {
		uint8_t b = (uint8_t)take(&in, 1);

		if (VMM_PV_VGA_GPA + i < ram)
			vm.mem.base[VMM_PV_VGA_GPA + i] = b;
	}
	while (in.n) {
		uint8_t kind = (uint8_t)take(&in, 1);
		uint32_t nr = (uint32_t)take(&in, kind & 0x80 ? 4 : 1);
		uint32_t arg[4];
		uint8_t d[4];
		struct kvm_regs *r = &run.s.regs.regs;

		for (int i = 0; i < 4; i++)
			arg[i] = (uint32_t)take(&in, 4);
		r->rbx = arg[0] | (uint64_t)0xdead << 32;
		r->rcx = arg[1];
		r->rsi = arg[2];
		r->rdi = arg[3];
		r->rax = 0x5a5a5a5a;
		memcpy(d, &nr, 4);
		if (has_page)
			memcpy(page_copy, vm.mem.base + VMM_PV_VGA_GPA, sizeof(page_copy));
		/* mostly a 32-bit write at the doorbell; else any other access */
		if ((kind & 0x0f) != 0) {
			bus_access(&vm.pio, VMM_HC_PORT, d, 4, true);
			check_call(nr, arg, (int32_t)r->rax, has_page ? page_copy : NULL);
			FUZZ_ASSERT(run.kvm_dirty_regs & KVM_SYNC_X86_REGS);
			run.kvm_dirty_regs = 0;
		} else {
			uint32_t sz = 1u << ((kind >> 4) & 3);
			uint32_t off = (kind >> 6) & 3;
			bool w = kind & 0x08;

			if (sz == 8)
				sz = 4;
			if (w && sz == 4 && off == 0)
				off = 2;
			bus_access(&vm.pio, VMM_HC_PORT + off, d, sz, w);
			/* only an aligned 32-bit write is a hypercall */
			FUZZ_ASSERT(r->rax == 0x5a5a5a5a);
			if (!w)
				for (uint32_t i = 0; i < sz; i++)
					FUZZ_ASSERT(d[i] == 0xff);
		}
	}
	devices_destroy();
	free(vm.mem.base);
	vm.stopping = 0;
	return 0;
}
