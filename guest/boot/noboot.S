/* SPDX-License-Identifier: MIT */
/*
 * noboot: a 4 KiB disk that a BIOS must refuse to boot: sector 0 holds
 * code but not the 55 AA signature, so SeaBIOS says "No bootable device".
 * Were it run anyway, it would exit with 0x4e (status 157), which no test
 * accepts.
 */
#include "boot.h"

	.code16
	.text
	.globl _start
_start:
	mov	$0x4e, %al
	out	%al, $DEBUG_EXIT_PORT
1:	hlt
	jmp	1b

	.org	8 * SECTOR
