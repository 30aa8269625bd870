/* SPDX-License-Identifier: MIT */
/*
 * Shared by the boot sectors in guest/boot/: 16-bit real-mode code that a
 * BIOS loads at 0000:7C00 and enters with the boot drive in DL.  Each .S
 * becomes a flat image (GNUmakefile: ld --oformat binary at 0x7C00).
 */
#ifndef GUEST_BOOT_H
#define GUEST_BOOT_H

/* QEMU's isa-debug-exit (and vmm's): writing v ends the VM with (v << 1) | 1 */
#define DEBUG_EXIT_PORT	0xf4

#define BOOT_LOAD	0x7c00
#define SECTOR		512

/* Ends sector 0: a BIOS boots a disk only if its bytes 510-511 are 55 AA. */
.macro boot_signature
	.org SECTOR - 2
	.byte 0x55, 0xaa
.endm

#endif
