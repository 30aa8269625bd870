// SPDX-License-Identifier: MIT
/*
 * memuse: puts data in mb=N MiB of RAM (one word in each page, from 2 MiB
 * up; default 4), says "memuse: ready" on the screen and serial (with
 * exit=1 it ends there, status 0: a cold boot to that point), and waits
 * for a key; then checks every word it wrote and ends the VM with status
 * 0 (all there) or 3.  bench/ takes a snapshot
 * while it waits (its size and save time against the RAM used), restores
 * it and types the key: a restore against a cold boot to the same point.
 */
#include "sdk/irq.h"
#include "sdk/kbd.h"
#include "sdk/screen.h"
#include "sdk/sdk.h"

#define FIRST	(2u << 20)
#define PAGE	4096u

int main(const char *cmdline)
{
	long mb = cmdline_int("mb", 4);
	uint32_t top = sdk_mbi && (sdk_mbi->flags & MULTIBOOT_INFO_MEMORY) ?
		       (1u << 20) + sdk_mbi->mem_upper * 1024u : FIRST;

	(void)cmdline;
	if (mb < 0 || (uint64_t)mb << 20 > top - FIRST) {
		printf("memuse: mb=%ld does not fit below %u MiB\n", mb, top >> 20);
		return 1;
	}
	irq_init();
	if (kbd_init()) {
		printf("memuse: no keyboard\n");
		return 1;
	}
	for (uint32_t a = FIRST; a < FIRST + ((uint32_t)mb << 20); a += PAGE)
		*(volatile uint32_t *)(uintptr_t)a = a;
	printf("memuse: ready\n");
	screen_flush();
	if (cmdline_int("exit", 0))
		return 0;
	kbd_getkey();
	for (uint32_t a = FIRST; a < FIRST + ((uint32_t)mb << 20); a += PAGE)
		if (*(volatile uint32_t *)(uintptr_t)a != a)
			return 3;
	return 0;
}
