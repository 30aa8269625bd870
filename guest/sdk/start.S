/* SPDX-License-Identifier: MIT */
/*
 * Multiboot v1 entry.  The loader (vmm, QEMU -kernel, GRUB) leaves us in
 * flat 32-bit protected mode with paging off, EAX = 0x2BADB002 and
 * EBX = the Multiboot info; GDT and stack are ours to set up.
 */
#include "multiboot.h"	/* hypercalls/, installed next to this file */
#define MB_MAGIC MULTIBOOT_HEADER_MAGIC
#define MB_FLAGS (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .text
	.global _start
_start:
	cli
	lgdt gdt_desc
	ljmp $0x08, $1f
1:	movw $0x10, %cx
	movw %cx, %ds
	movw %cx, %es
	movw %cx, %fs
	movw %cx, %gs
	movw %cx, %ss
	movl $stack_top, %esp
	pushl %ebx
	pushl %eax
	call sdk_start
2:	cli
	hlt
	jmp 2b

	.section .rodata
	.align 8
	.global sdk_gdt
sdk_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: code, base 0, 4 GiB */
	.quad 0x00cf92000000ffff	/* 0x10: data, base 0, 4 GiB */
gdt_desc:
	.word 23
	.long sdk_gdt

	.section .bss
	.align 16
	.skip 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
