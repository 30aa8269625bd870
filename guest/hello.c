// SPDX-License-Identifier: MIT
/*
 * hello: prints a greeting on serial and on the screen, then exits with
 * the status given on the command line (exit=N, default 0).
 */
#include "sdk/screen.h"
#include "sdk/sdk.h"

int main(const char *cmdline)
{
	const struct vmm_boot_info *bi = vmm_boot_info();
	long code = cmdline_int("exit", 0);

	(void)cmdline;
	con_set_attr(0x1f);
	con_clear();
	printf("Hello from a Multiboot guest!\n");
	printf("hypervisor: %s, screen driver: %s\n",
	       bi ? "vmm" : "other", screen_driver()->name);
	if (bi)
		printf("vm '%s', %u MiB of RAM\n", bi->name,
		       (unsigned int)(bi->mem_bytes >> 20));
	printf("exiting with status %ld\n", code);
	return (int)code;
}
