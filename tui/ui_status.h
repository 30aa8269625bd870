/* SPDX-License-Identifier: MIT */
/*
 * The status line's text: the VM's name, VGA and disk modes, exits,
 * hypercalls and disk sectors per second and frames drawn per second
 * (sampled once a second), or a note in their place; the quit hint on the
 * right always shows, and a long VM name gives way before the numbers.
 */
#ifndef TUI_UI_STATUS_H
#define TUI_UI_STATUS_H

#include <stddef.h>
#include <stdint.h>

struct vm;

struct rates {
	uint64_t at, exits, hypercalls, sectors, frames;
};

struct ui_status {
	struct vm *vm;
	struct rates r0;
	char rate_text[128];
};

void status_init(struct ui_status *st, struct vm *vm);
/* The line, w columns wide; note (NULL: none) replaces the numbers. */
void status_text(struct ui_status *st, uint64_t now, const char *note, int w,
		 char *line, size_t n);

#endif
