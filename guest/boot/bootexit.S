/* SPDX-License-Identifier: MIT */
/*
 * bootexit: a boot sector that ends the VM at once, so the process's end
 * marks the moment the BIOS jumped to 0x7C00 (bench/lib/firmware.sh).
 * Exit code 0x7c: status (0x7c << 1 | 1) & 0xff = 249 on QEMU's
 * isa-debug-exit and on vmm.
 */
#include "boot.h"

#define BOOTEXIT_CODE	0x7c

	.code16
	.text
	.globl _start
_start:
	mov	$BOOTEXIT_CODE, %al
	out	%al, $DEBUG_EXIT_PORT
1:	hlt
	jmp	1b

	boot_signature
