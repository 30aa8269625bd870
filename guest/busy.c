// SPDX-License-Identifier: MIT
/*
 * busy: never stops on its own.  Each round prints a numbered line on
 * serial and on the screen (so the screen scrolls) and makes one unknown
 * hypercall.  The signal tests stop it from outside; the soak test runs
 * it for minutes and watches the VMM's memory.  count=N stops after N
 * rounds with status 0.
 */
#include "sdk/screen.h"
#include "sdk/sdk.h"

int main(const char *cmdline)
{
	long count = cmdline_int("count", -1);
	const struct vmm_boot_info *bi = vmm_boot_info();

	(void)cmdline;
	printf("busy: started\n");
	for (long i = 0; count < 0 || i < count; i++) {
		printf("busy: round %ld\n", i);
		screen_flush();
		if (bi)
			vmm_hypercall(0x7fffffff, 0, 0, 0, 0);
	}
	return 0;
}
