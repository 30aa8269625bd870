// SPDX-License-Identifier: MIT
/*
 * exitcost: what one exit costs on this machine, seen from the guest.
 * Command line: phase=port|mmio|vga|hypercall|none n=COUNT.
 * Times COUNT iterations of a 3-instruction loop that makes one access
 * (an out to an unclaimed port, a store to an unclaimed MMIO address or
 * to the VGA window, or a VMM_HC_VERSION round trip), and the same loop
 * with a nop instead, so the device path can be told from the loop.
 * Prints on serial, numbers at fixed width so that every run makes the
 * same number of serial exits whatever the values:
 *   BENCH exitcost phase=P n=N cycles=C base=B tsc_khz=K tsc_src=S
 */
#include "sdk/sdk.h"
#include "sdk/tsc.h"

#define UNCLAIMED_PORT	0xed		/* nothing on vmm or QEMU pc */
#define UNCLAIMED_MMIO	0xd0000000u	/* above RAM, below the PCI hole's devices */
#define VGA_HIDDEN	0xbf000u	/* the text window, past the visible page */

static uint64_t loop_nop(uint32_t n)
{
	uint64_t t = rdtsc();

	if (n)
		__asm__ volatile("1: nop; dec %%ecx; jnz 1b" : "+c"(n) : : "memory");
	return rdtsc() - t;
}

static uint64_t loop_port(uint32_t n)
{
	uint64_t t = rdtsc();

	if (n)
		__asm__ volatile("1: outb %%al, %%dx; dec %%ecx; jnz 1b"
				 : "+c"(n) : "a"(0), "d"(UNCLAIMED_PORT) : "memory");
	return rdtsc() - t;
}

static uint64_t loop_store(uint32_t n, uint32_t addr)
{
	uint64_t t = rdtsc();

	if (n)
		__asm__ volatile("1: movw %%ax, (%%edx); dec %%ecx; jnz 1b"
				 : "+c"(n) : "a"(0x0720), "d"(addr) : "memory");
	return rdtsc() - t;
}

/* a hypercall needs eax reloaded each time: one more instruction */
static uint64_t loop_hypercall(uint32_t n)
{
	uint64_t t = rdtsc();

	if (n)
		__asm__ volatile("1: movl %[nr], %%eax; outl %%eax, %%dx; dec %%ecx; jnz 1b"
				 : "+c"(n)
				 : [nr] "i"(VMM_HC_VERSION), "d"(VMM_HC_PORT)
				 : "eax", "memory");
	return rdtsc() - t;
}

static uint64_t loop_nop2(uint32_t n)
{
	uint64_t t = rdtsc();

	if (n)
		__asm__ volatile("1: movl $0, %%eax; nop; dec %%ecx; jnz 1b"
				 : "+c"(n) : : "eax", "memory");
	return rdtsc() - t;
}

int main(const char *cmdline)
{
	char phase[16] = "none";
	long n = cmdline_int("n", 10000);
	uint64_t c = 0, base = 0;

	(void)cmdline;
	cmdline_get("phase", phase, sizeof(phase));
	if (n < 0 || n > 100000000)
		n = 10000;
	struct tsc_freq f = tsc_calibrate();

	if (!strcmp(phase, "port")) {
		c = loop_port((uint32_t)n);
		base = loop_nop((uint32_t)n);
	} else if (!strcmp(phase, "mmio")) {
		c = loop_store((uint32_t)n, UNCLAIMED_MMIO);
		base = loop_nop((uint32_t)n);
	} else if (!strcmp(phase, "vga")) {
		c = loop_store((uint32_t)n, VGA_HIDDEN);
		base = loop_nop((uint32_t)n);
	} else if (!strcmp(phase, "hypercall")) {
		if (!vmm_boot_info()) {
			serial_printf("BENCH exitcost phase=hypercall error=not-on-vmm\n");
			return 1;
		}
		c = loop_hypercall((uint32_t)n);
		base = loop_nop2((uint32_t)n);
	} else if (strcmp(phase, "none")) {
		serial_printf("BENCH exitcost phase=%s error=unknown-phase\n", phase);
		return 1;
	}
	serial_printf("BENCH exitcost phase=%-9s n=%010ld cycles=%016llu base=%016llu "
		      "tsc_khz=%010u tsc_src=%s\n", phase, n,
		      (unsigned long long)c, (unsigned long long)base, f.khz, f.source);
	return 0;
}
