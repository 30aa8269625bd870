// SPDX-License-Identifier: MIT
/*
 * The KVM machine: /dev/kvm, the VM with its in-kernel PIC/IOAPIC and PIT,
 * guest RAM, one vCPU and its CPUID.  Everything a missing capability or
 * permission breaks is named in one line on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../hypercalls/vmm_abi.h"
#include "cpuid.h"
#include "vm.h"

#define KVM_TSS_GPA	0xfffbd000u	/* 3 pages below 4 GiB, never RAM here */
#define CPUID_MAX_ENTRIES 128

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const struct {
	int cap;
	const char *name;
} required_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	{ KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
	{ KVM_CAP_SYNC_REGS, "KVM_CAP_SYNC_REGS" },
	{ KVM_CAP_COALESCED_MMIO, "KVM_CAP_COALESCED_MMIO" },
};

int vm_open_kvm(struct vm *vm)
{
	/* VMM_KVM_DEVICE lets tests show what a machine without KVM sees */
	const char *dev = getenv("VMM_KVM_DEVICE");

	if (!dev)
		dev = "/dev/kvm";
	vm->kvm_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		int e = errno;

		fprintf(stderr, "vmm: %s: %s%s\n", dev, strerror(e),
			e == ENOENT ? " (no KVM here: load kvm_intel or kvm_amd, or run vmm in a nested VM"
				      " that offers it: vmm-nested vmm ARGS..., test/vm/run in the source tree)" :
			e == EACCES ? " (add your user to the 'kvm' group)" : "");
		return VMM_EXIT_NO_KVM;
	}
	int v = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);

	if (v != KVM_API_VERSION) {
		fprintf(stderr, "vmm: %s: KVM API version %d, need %d\n", dev, v,
			KVM_API_VERSION);
		return VMM_EXIT_NO_KVM;
	}
	for (size_t i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++) {
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0) {
			fprintf(stderr, "vmm: %s lacks %s\n", dev,
				required_caps[i].name);
			return VMM_EXIT_NO_KVM;
		}
	}
	return 0;
}

int vm_map_ram(struct vm *vm, int slot, uint64_t gpa, uint64_t size,
	       bool readonly)
{
	return vm_map_host(vm, slot, gpa, size, vm->mem.base + gpa, readonly);
}

static int map_slot(struct vm *vm, int slot, uint64_t gpa, uint64_t size,
		    void *host, uint32_t flags)
{
	struct kvm_userspace_memory_region r = {
		.slot = (uint32_t)slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		fprintf(stderr, "vmm: KVM_SET_USER_MEMORY_REGION slot %d: %s\n",
			slot, strerror(errno));
		return -1;
	}
	return 0;
}

int vm_map_host(struct vm *vm, int slot, uint64_t gpa, uint64_t size,
		void *host, bool readonly)
{
	return map_slot(vm, slot, gpa, size, host, readonly ? KVM_MEM_READONLY : 0);
}

/*
 * Guest RAM: two slots around the legacy hole (guest_mem.h).  KVM's dirty
 * log is off at first: a slot that logs is mapped in 4 KiB pages only
 * (KVM never maps a huge page where it must see each store), so a guest
 * that touches tens of MiB (a Linux boot: 2,000 more nested page faults)
 * pays a fault per 4 KiB instead of per 2 MiB.  vm_dirty_log_start() turns
 * it on, before the sandbox, for a VM whose saves and migrations read it.
 */
static int map_ram_slots(struct vm *vm, uint32_t f)
{
	uint8_t *b = vm->mem.base;

	return map_slot(vm, SLOT_LOW_RAM, 0, GUEST_HOLE_START, b, f) ||
	       map_slot(vm, SLOT_HIGH_RAM, GUEST_HOLE_END, vm->mem.size - GUEST_HOLE_END,
			b + GUEST_HOLE_END, f) ? -1 : 0;
}

/*
 * Before the guest runs (nothing is mapped yet, so nothing to
 * write-protect); costs KVM an SRCU grace period per slot, which is why it
 * is only for VMs that use the log.  Saves and migrations start with a
 * full pass over RAM, so the log needs no earlier start.
 */
int vm_dirty_log_start(struct vm *vm)
{
	return map_ram_slots(vm, KVM_MEM_LOG_DIRTY_PAGES);
}

int vm_get_dirty(struct vm *vm, uint64_t *bitmap)
{
	static const struct { int slot; uint64_t gpa, end; } ram[] = {
		{ SLOT_LOW_RAM, 0, GUEST_HOLE_START },
		{ SLOT_HIGH_RAM, GUEST_HOLE_END, 0 },
	};
	uint64_t pages = vm->mem.size >> 12;
	uint64_t *slot_map = calloc(pages / 64 + 1, sizeof(uint64_t));
	int r = 0;

	for (int i = 0; slot_map && i < 2 && !r; i++) {
		uint64_t first = ram[i].gpa >> 12;
		uint64_t n = ((ram[i].end ? ram[i].end : vm->mem.size) >> 12) - first;
		struct kvm_dirty_log log = { .slot = (uint32_t)ram[i].slot,
					     .dirty_bitmap = slot_map };

		memset(slot_map, 0, (n / 64 + 1) * sizeof(uint64_t));
		r = ioctl(vm->vm_fd, KVM_GET_DIRTY_LOG, &log);
		for (uint64_t p = 0; !r && p < n; p++)
			if (slot_map[p / 64] & (1ull << (p % 64)))
				bitmap[(first + p) / 64] |= 1ull << ((first + p) % 64);
	}
	free(slot_map);
	return slot_map && !r ? 0 : -1;
}

int vm_coalesce(struct vm *vm, uint64_t addr, uint32_t len, bool pio)
{
	struct kvm_coalesced_mmio_zone z = {
		.addr = addr, .size = len, .pio = pio ? 1 : 0,
	};

	if (pio && ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_PIO) <= 0) {
		fprintf(stderr, "vmm: /dev/kvm lacks KVM_CAP_COALESCED_PIO\n");
		return -1;
	}
	if (ioctl(vm->vm_fd, KVM_REGISTER_COALESCED_MMIO, &z) < 0) {
		fprintf(stderr, "vmm: KVM_REGISTER_COALESCED_MMIO %#llx: %s\n",
			(unsigned long long)addr, strerror(errno));
		return -1;
	}
	long page = sysconf(_SC_PAGESIZE);

	vm->ring = (void *)((uint8_t *)vm->run + KVM_COALESCED_MMIO_PAGE_OFFSET * page);
	return 0;
}

bool vm_coalesce_pio(struct vm *vm, uint16_t port, uint32_t len)
{
	struct kvm_coalesced_mmio_zone z = { .addr = port, .size = len, .pio = 1 };

	if (vm->vm_fd < 0 ||
	    ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_PIO) <= 0 ||
	    ioctl(vm->vm_fd, KVM_REGISTER_COALESCED_MMIO, &z) < 0)
		return false;
	vm->ring = (void *)((uint8_t *)vm->run +
			    KVM_COALESCED_MMIO_PAGE_OFFSET * sysconf(_SC_PAGESIZE));
	return true;
}

void vm_irq_line(struct vm *vm, unsigned int irq, int level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };
	uint64_t *up = &vm->vcpu.irq_up_ns[irq % 16];

	/* for vcpu_nudge(): since when the guest has not taken it */
	if (!level)
		__atomic_store_n(up, 0, __ATOMIC_RELAXED);
	else if (!__atomic_load_n(up, __ATOMIC_RELAXED))
		__atomic_store_n(up, now_ns(), __ATOMIC_RELAXED);

	if (vm->vm_fd >= 0 && ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0 && vm->verbose)
		fprintf(stderr, "vmm: KVM_IRQ_LINE %u: %s\n", irq, strerror(errno));
}

/* The host CPU's brand, or a name of our own where it has none. */
static void host_brand(char b[48])
{
	uint32_t r[12] = { 0 };

	__asm__ volatile("cpuid" : "=a"(r[0]) : "a"(0x80000000u) : "ebx", "ecx", "edx");
	if (r[0] >= 0x80000004u)
		for (uint32_t i = 0; i < 3; i++)
			__asm__ volatile("cpuid"
					 : "=a"(r[4 * i]), "=b"(r[4 * i + 1]),
					   "=c"(r[4 * i + 2]), "=d"(r[4 * i + 3])
					 : "a"(0x80000002u + i), "c"(0));
	memcpy(b, r, 48);
	b[47] = 0;
	const char *p = b;

	while (*p == ' ')
		p++;
	memmove(b, p, strlen(p) + 1);
	if (!*b)
		snprintf(b, 48, "vmm virtual CPU");
}

/* What KVM can virtualise, rewritten for this VM (vmm/cpuid.c). */
static int setup_cpuid(struct vm *vm)
{
	size_t sz = sizeof(struct kvm_cpuid2) +
		    CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *c = calloc(1, sz);
	int ret = -1;
	char brand[48];

	if (!c)
		return -1;
	c->nent = CPUID_MAX_ENTRIES;
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		fprintf(stderr, "vmm: KVM_GET_SUPPORTED_CPUID: %s\n", strerror(errno));
		goto out;
	}
	int khz = ioctl(vm->vcpu_fd, KVM_GET_TSC_KHZ, 0);

	host_brand(brand);
	if (cpuid_build(c, CPUID_MAX_ENTRIES, khz > 0 ? (uint32_t)khz : 0, brand)) {
		fprintf(stderr, "vmm: more than %d CPUID entries\n", CPUID_MAX_ENTRIES);
		goto out;
	}
	if (ioctl(vm->vcpu_fd, KVM_SET_CPUID2, c) < 0) {
		fprintf(stderr, "vmm: KVM_SET_CPUID2: %s\n", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(c);
	return ret;
}

static int vm_ioctl(struct vm *vm, unsigned long req, void *arg, const char *name)
{
	if (ioctl(vm->vm_fd, req, arg) < 0) {
		fprintf(stderr, "vmm: %s: %s\n", name, strerror(errno));
		return -1;
	}
	return 0;
}

static int create_vm(struct vm *vm)
{
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		fprintf(stderr, "vmm: KVM_CREATE_VM: %s\n", strerror(errno));
		return -1;
	}
	return vm_ioctl(vm, KVM_SET_TSS_ADDR, (void *)(unsigned long)KVM_TSS_GPA,
			"KVM_SET_TSS_ADDR");
}

/*
 * Slots before the irqchip: a slot added after it costs an SRCU grace period.
 * The mapping starts on a 2 MiB boundary, as guest-physical 0 does, so that
 * KVM can map the guest's 2 MiB ranges with one huge page each (it needs
 * the host address and the guest address equally aligned), and asks for
 * transparent huge pages where the host gives them only on request.
 */
#define HUGE_PAGE (2ull << 20)

static int map_guest_ram(struct vm *vm, uint32_t mib)
{
	vm->mem.size = (uint64_t)mib << 20;
	uint8_t *m = mmap(NULL, vm->mem.size + HUGE_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (m == MAP_FAILED) {
		vm->mem.base = NULL;
		fprintf(stderr, "vmm: cannot map %u MiB of guest RAM: %s\n",
			mib, strerror(errno));
		return -1;
	}
	uint64_t lead = (HUGE_PAGE - (uintptr_t)m % HUGE_PAGE) % HUGE_PAGE;

	if (lead)
		munmap(m, lead);
	munmap(m + lead + vm->mem.size, HUGE_PAGE - lead);
	vm->mem.base = m + lead;
	madvise(vm->mem.base, vm->mem.size, MADV_HUGEPAGE);
	/* a child process (vmm/reaper.c) must not copy it */
	madvise(vm->mem.base, vm->mem.size, MADV_DONTFORK);
	return map_ram_slots(vm, 0);
}

static int create_irqchip(struct vm *vm)
{
	/* The dummy speaker keeps port 0x61 (PIT gate 2) in the kernel. */
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

	if (vm_ioctl(vm, KVM_CREATE_IRQCHIP, NULL, "KVM_CREATE_IRQCHIP"))
		return -1;
	return vm_ioctl(vm, KVM_CREATE_PIT2, &pit, "KVM_CREATE_PIT2");
}

static int create_vcpu(struct vm *vm)
{
	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0) {
		fprintf(stderr, "vmm: KVM_CREATE_VCPU: %s\n", strerror(errno));
		return -1;
	}
	int sz = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

	if (sz <= 0) {
		fprintf(stderr, "vmm: KVM_GET_VCPU_MMAP_SIZE: %s\n", strerror(errno));
		return -1;
	}
	vm->run_size = (size_t)sz;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		fprintf(stderr, "vmm: mmap kvm_run: %s\n", strerror(errno));
		return -1;
	}
	/* Registers come with every exit, so a hypercall costs no extra ioctl. */
	vm->run->kvm_valid_regs = KVM_SYNC_X86_REGS;
	return setup_cpuid(vm);
}

void vm_init(struct vm *vm)
{
	vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = vm->wake_fd = vm->stats_dirfd = -1;
	pthread_mutex_init(&vm->io_lock, NULL);
	screen_init(&vm->screen);
	vm_host_init(vm);
}

int vm_create(struct vm *vm, const struct vm_config *cfg)
{
	vm->cfg = cfg;
	vm->host.cfg = cfg;
	vm->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->wake_fd < 0) {
		perror("vmm: eventfd");
		return VMM_EXIT_SETUP;
	}
	if (vm->kvm_fd < 0 && vm_open_kvm(vm))
		return VMM_EXIT_NO_KVM;
	if (create_vm(vm) || map_guest_ram(vm, cfg->mem_mib) ||
	    create_irqchip(vm) || create_vcpu(vm) || doorbell_init(vm))
		return VMM_EXIT_SETUP;
	return 0;
}

void vm_destroy(struct vm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->mem.base)
		munmap(vm->mem.base, vm->mem.size);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->wake_fd >= 0)
		close(vm->wake_fd);
	vm->wake_fd = -1;
	vm->run = NULL;
	vm->mem.base = NULL;
	vm->vcpu_fd = vm->vm_fd = vm->kvm_fd = -1;
	screen_destroy(&vm->screen);
}

static void dump_seg(FILE *f, const char *n, const struct kvm_segment *s)
{
	fprintf(f, "  %-3s sel=%04x base=%08llx limit=%08x type=%x dpl=%u db=%u l=%u p=%u\n",
		n, s->selector, (unsigned long long)s->base, s->limit, s->type,
		s->dpl, s->db, s->l, s->present);
}

bool vm_dump_regs(struct vm *vm, FILE *f)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) < 0) {
		fprintf(f, "  (registers unavailable: %s)\n", strerror(errno));
		return false;
	}
	/*
	 * KVM on AMD re-initialises the vCPU at a shutdown (the VMCB is
	 * undefined after one): what it returns then is the reset state, not
	 * the guest's.  Printing it would point at an innocent 0xfff0.
	 */
	if (r.rip == 0xfff0 && s.cs.selector == 0xf000 && s.cs.base == 0xffff0000) {
		fprintf(f, "  (not kept: KVM put the vCPU back in its reset state, as it does on AMD)\n");
		return false;
	}
	fprintf(f, "  rip=%016llx rflags=%016llx\n", r.rip, r.rflags);
	fprintf(f, "  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n",
		r.rax, r.rbx, r.rcx, r.rdx);
	fprintf(f, "  rsi=%016llx rdi=%016llx rsp=%016llx rbp=%016llx\n",
		r.rsi, r.rdi, r.rsp, r.rbp);
	fprintf(f, "  cr0=%08llx cr2=%08llx cr3=%08llx cr4=%08llx efer=%llx\n",
		s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
	fprintf(f, "  gdt=%08llx/%04x idt=%08llx/%04x\n", s.gdt.base, s.gdt.limit,
		s.idt.base, s.idt.limit);
	dump_seg(f, "cs", &s.cs);
	dump_seg(f, "ss", &s.ss);
	dump_seg(f, "ds", &s.ds);
	return true;
}
