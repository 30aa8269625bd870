// SPDX-License-Identifier: MIT
/* Start-up, detection of vmm, COM1, the command line and exit. */
#include "screen.h"
#include "sdk.h"

#define COM1 0x3f8

static const struct vmm_boot_info *boot_info;
static const char *cmdline = "";

const struct vmm_boot_info *vmm_boot_info(void)
{
	return boot_info;
}

/*
 * CPUID says which hypervisor we run on: vmm's signature sits at one of
 * the hypervisor bases (KVM's own leaves come first), searched as Linux
 * searches for its hypervisors.
 */
uint32_t vmm_cpuid_base(void)
{
	uint32_t r[4];

	cpuid(1, r);
	if (!(r[2] & (1u << 31)))
		return 0;
	for (uint32_t b = VMM_CPUID_SEARCH_FIRST; b <= VMM_CPUID_SEARCH_LAST;
	     b += VMM_CPUID_SEARCH_STEP) {
		cpuid(b, r);
		if (r[1] == VMM_CPUID_SIG_EBX && r[2] == VMM_CPUID_SIG_ECX &&
		    r[3] == VMM_CPUID_SIG_EDX && r[0] >= b + 1)
			return b;
	}
	return 0;
}

/* Only vmm has a boot info page. */
static void detect_vmm(void)
{
	uint32_t r[4], base = vmm_cpuid_base();

	if (!base)
		return;
	cpuid(base + 1, r);
	const struct vmm_boot_info *bi = (const void *)(uintptr_t)r[1];

	if (r[0] == VMM_ABI_VERSION && bi->magic == VMM_BOOT_MAGIC &&
	    bi->version == VMM_ABI_VERSION)
		boot_info = bi;
}

static void serial_init(void)
{
	outb(COM1 + 1, 0x00);	/* no interrupts */
	outb(COM1 + 3, 0x80);	/* DLAB */
	outb(COM1 + 0, 0x01);	/* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);	/* 8N1 */
	outb(COM1 + 2, 0xc7);	/* FIFO on, cleared */
	outb(COM1 + 4, 0x0b);	/* DTR, RTS, OUT2 */
}

void serial_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

int serial_getc(void)
{
	return (inb(COM1 + 5) & 1) ? inb(COM1) : -1;
}

const char *cmdline_get(const char *key, char *buf, size_t n)
{
	size_t kl = strlen(key);

	for (const char *p = cmdline; *p;) {
		while (*p == ' ')
			p++;
		const char *w = p;

		while (*p && *p != ' ')
			p++;
		if ((size_t)(p - w) > kl && !strncmp(w, key, kl) && w[kl] == '=') {
			size_t len = (size_t)(p - w) - kl - 1;

			if (len >= n)
				len = n - 1;
			memcpy(buf, w + kl + 1, len);
			buf[len] = 0;
			return buf;
		}
	}
	return NULL;
}

long cmdline_int(const char *key, long dflt)
{
	char buf[24];

	return cmdline_get(key, buf, sizeof(buf)) ? strtol(buf, NULL, 0) : dflt;
}

void exit(int status)
{
	screen_flush();
	if (boot_info)
		vmm_hypercall(VMM_HC_EXIT, (uint32_t)status, 0, 0, 0);
	outb(VMM_DEBUG_EXIT_PORT, (uint8_t)status);
	for (;;) {
		cli();
		hlt();
	}
}

const struct multiboot_info *sdk_mbi;
void sdk_start(uint32_t magic, const struct multiboot_info *mbi);

void sdk_start(uint32_t magic, const struct multiboot_info *mbi)
{
	if (magic == MULTIBOOT_BOOT_MAGIC) {
		sdk_mbi = mbi;
		if ((mbi->flags & MULTIBOOT_INFO_CMDLINE) && mbi->cmdline)
			cmdline = (const char *)(uintptr_t)mbi->cmdline;
	}
	serial_init();
	detect_vmm();
	screen_init();
	exit(main(cmdline));
}
