/* SPDX-License-Identifier: MIT */
#ifndef VMM_EMULATE_H
#define VMM_EMULATE_H

#include <stdbool.h>

struct vm;

/*
 * After KVM's emulator failed: finishes a ring-0 IRET or INT n in unpaged
 * 32-bit protected mode and returns true, or returns false (the VM stops).
 */
bool emulate_unsupported(struct vm *vm);

#endif
