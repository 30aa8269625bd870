/* SPDX-License-Identifier: MIT */
#ifndef DEVICES_DEBUG_EXIT_H
#define DEVICES_DEBUG_EXIT_H

struct vm;
int debug_exit_init(struct vm *vm);

#endif
