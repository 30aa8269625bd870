// SPDX-License-Identifier: MIT
/* Placeholder until the ncurses UI lands. */
#include <stdio.h>

#include "ui.h"

int ui_start(struct vm *vm)
{
	(void)vm;
	fprintf(stderr, "vmm: the terminal UI is not built yet; use --headless\n");
	return -1;
}

void ui_stop(void) {}
void ui_resize(void) {}
void ui_emergency_restore(void) {}
