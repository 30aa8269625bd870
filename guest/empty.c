// SPDX-License-Identifier: MIT
/* empty: main returns 0 at once; bench/ times start-up with it. */
#include "sdk/sdk.h"

int main(const char *cmdline)
{
	(void)cmdline;
	return 0;
}
