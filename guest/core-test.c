// SPDX-License-Identifier: MIT
/*
 * core-test: one guest, many behaviours for the core tests, chosen by
 * the command line word case=NAME.  Results go to serial as
 * "ok NAME" / "not ok NAME: detail"; the exit status is the number of
 * "not ok" lines, unless the case is about how the VM ends.
 */
#include "sdk/irq.h"
#include "sdk/screen.h"
#include "sdk/sdk.h"

static int failures;

static void result(int ok, const char *name, const char *detail)
{
	if (ok)
		serial_printf("ok %s\n", name);
	else
		serial_printf("not ok %s: %s\n", name, detail);
	failures += !ok;
}

static void case_boot(void)
{
	const struct vmm_boot_info *bi = vmm_boot_info();
	uint32_t r[4];
	char buf[64];

	cpuid(VMM_CPUID_BASE, r);
	result(r[1] == VMM_CPUID_SIG_EBX && r[2] == VMM_CPUID_SIG_ECX &&
	       r[3] == VMM_CPUID_SIG_EDX, "cpuid-signature", "wrong signature");
	result(vmm_cpuid_base() == VMM_CPUID_BASE, "cpuid-search", "not found at its base");
	cpuid(0x40000000, r);
	result(!memcmp(&r[1], "KVMK", 4) && !memcmp(&r[2], "VMKV", 4) && r[0] >= 0x40000010,
	       "cpuid-kvm-leaves", "no KVM signature or timing leaf at 0x40000000");
	cpuid(1, r);
	result(r[1] >> 16 == 1, "cpuid-apic-id", "leaf 1 is not APIC ID 0 of 1 logical CPU");
	cpuid(0x80000002, r);
	result(r[0] != 0, "cpuid-brand", "no brand string");
	result(bi && bi->magic == VMM_BOOT_MAGIC && bi->version == VMM_ABI_VERSION,
	       "boot-info", "missing or wrong magic");
	result(vmm_hypercall(VMM_HC_VERSION, 0, 0, 0, 0) == VMM_ABI_VERSION,
	       "hypercall-version", "wrong version");
	result(sdk_mbi && (sdk_mbi->flags & 0x41) == 0x41, "mb-flags", "no mem or mmap");
	/* usable memory in the map must add up to what mem_upper says */
	uint64_t high = 0;
	const uint8_t *p = (const uint8_t *)(uintptr_t)sdk_mbi->mmap_addr;

	for (uint32_t off = 0; off < sdk_mbi->mmap_length;) {
		const struct multiboot_mmap_entry *e = (const void *)(p + off);

		if (e->type == 1 && e->addr >= 0x100000)
			high += e->len;
		off += e->size + 4;
	}
	snprintf(buf, sizeof(buf), "mem_upper %u KiB, map %u KiB",
		 sdk_mbi->mem_upper, (uint32_t)(high >> 10));
	result(high >> 10 == sdk_mbi->mem_upper && bi &&
	       bi->mem_bytes == high + 0x100000, "mb-memory", buf);
	result(cmdline_get("marker", buf, sizeof(buf)) && !strcmp(buf, "xyzzy"),
	       "cmdline", "marker=xyzzy not found");
	serial_printf("mem_upper=%u\n", sdk_mbi->mem_upper);
}

static void case_unclaimed(void)
{
	result(inb(0x2f8) == 0xff && inw(0x1234) == 0xffff && inl(0x5678) == 0xffffffffu,
	       "unclaimed-port-reads", "expected all-ones");
	outb(0x2f8, 1);
	outl(0x5678, 2);
	volatile uint32_t *hole = (volatile uint32_t *)0xa0000;

	result(*hole == 0xffffffffu, "unclaimed-mmio-read", "expected all-ones");
	result(vmm_hypercall(VMM_HC_COUNT, 0, 0, 0, 0) == VMM_E_NOSYS &&
	       vmm_hypercall(0xffffffffu, 0, 0, 0, 0) == VMM_E_NOSYS,
	       "unknown-hypercall", "expected VMM_E_NOSYS");
}

static volatile uint32_t ticks;

static void on_timer(unsigned int irq)
{
	(void)irq;
	ticks++;
}

/* The in-kernel PIT and PIC: program 1 kHz, sleep in hlt until 5 ticks. */
static void case_irq(void)
{
	irq_init();
	outb(0x43, 0x34);			/* channel 0, lo/hi, rate generator */
	outb(0x40, (uint8_t)(1193));
	outb(0x40, (uint8_t)(1193 >> 8));
	irq_register(0, on_timer);
	while (ticks < 5)
		irq_wait();
	cli();
	result(ticks >= 5 && irq_count[0] >= 5, "pit-irq0", "no timer interrupts");
}

/* Port 0x61 bit 5 follows PIT channel 2's output: guests calibrate with it. */
static void case_pit_gate(void)
{
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);	/* gate on, speaker off */
	outb(0x43, 0xb0);			/* channel 2, mode 0 */
	outb(0x42, 0x20);
	outb(0x42, 0x00);			/* 32 ticks, ~27 us */
	int n = 0;

	while (!(inb(0x61) & 0x20) && n < 100000)
		n++;
	result(n < 100000, "pit-gate-port-61", "channel 2 output never rose");
}

/*
 * What an ordinary PC kernel does: handlers that end in iret, entered
 * through the IDT by hardware interrupts and by int $0x80.
 */
volatile uint32_t raw_ticks, raw_swi;
void raw_timer(void);
void raw_swi_handler(void);
__asm__(".text\n"
	"raw_timer:\n\tincl raw_ticks\n\tpushl %eax\n\tmovb $0x20, %al\n"
	"\toutb %al, $0x20\n\tpopl %eax\n\tiret\n"
	"raw_swi_handler:\n\tincl raw_swi\n\tiret\n");

static struct {
	uint16_t lo, sel;
	uint8_t zero, type;
	uint16_t hi;
} __attribute__((packed)) raw_idt[0x81];

static void raw_gate(int v, void (*fn)(void), uint8_t type)
{
	uint32_t a = (uint32_t)(uintptr_t)fn;

	raw_idt[v].lo = (uint16_t)a;
	raw_idt[v].hi = (uint16_t)(a >> 16);
	raw_idt[v].sel = 0x08;
	raw_idt[v].type = type;
}

static void case_iret(void)
{
	struct { uint16_t l; uint32_t b; } __attribute__((packed)) d = {
		sizeof(raw_idt) - 1, (uint32_t)(uintptr_t)raw_idt,
	};

	irq_init();				/* PIC remap, all masked */
	raw_gate(0x20, raw_timer, 0x8e);	/* interrupt gate */
	raw_gate(0x80, raw_swi_handler, 0x8f);	/* trap gate */
	__asm__ volatile("lidt %0" : : "m"(d));
	__asm__ volatile("int $0x80; int $0x80" ::: "memory");
	result(raw_swi == 2, "int-0x80-iret", "software interrupt did not return");
	outb(0x43, 0x34);
	outb(0x40, (uint8_t)1193);
	outb(0x40, (uint8_t)(1193 >> 8));
	irq_unmask(0);
	while (raw_ticks < 3)
		irq_wait();
	cli();
	result(raw_ticks >= 3, "irq-iret", "timer handler did not return");
}

int main(const char *cmdline)
{
	char c[24];

	(void)cmdline;
	if (!cmdline_get("case", c, sizeof(c)))
		memcpy(c, "boot", 5);
	printf("core-test %s\n", c);
	if (!strcmp(c, "boot")) {
		case_boot();
	} else if (!strcmp(c, "unclaimed")) {
		case_unclaimed();
	} else if (!strcmp(c, "irq")) {
		case_irq();
		case_pit_gate();
	} else if (!strcmp(c, "iret")) {
		case_iret();
	} else if (!strcmp(c, "debugexit")) {
		outb(VMM_DEBUG_EXIT_PORT, (uint8_t)cmdline_int("value", 0));
	} else if (!strcmp(c, "triple")) {
		/* an empty IDT turns the first exception into a triple fault */
		struct { uint16_t l; uint32_t b; } __attribute__((packed)) z = { 0, 0 };

		__asm__ volatile("lidt %0; ud2" : : "m"(z));
	} else if (!strcmp(c, "halt")) {
		for (;;)
			__asm__ volatile("cli; hlt");
	} else if (!strcmp(c, "spin")) {
		for (;;)
			__asm__ volatile("pause");
	} else if (!strcmp(c, "chatter")) {
		/* keeps writing to serial and the screen until stopped */
		for (uint32_t i = 0;; i++)
			printf("line %u\n", i);
	} else {
		result(0, c, "unknown case");
	}
	return failures;
}
