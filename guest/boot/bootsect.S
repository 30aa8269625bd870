/* SPDX-License-Identifier: MIT */
/*
 * bootsect: a two-sector boot program that shows what a PC BIOS gives a
 * boot sector, and the test of it (test/integration/firmware-qemu.sh).
 * In order it
 *   - clears the screen (int 10h AH=06h) and writes a title bar straight
 *     into VGA text memory at 0xB8000 in two colours,
 *   - prints everything else with int 10h teletype (AH=0Eh),
 *   - reads its own second sector with int 13h AH=02h (CHS) and goes on
 *     there: all that follows "int 13h CHS read: " is code from sector 2,
 *   - asks for the EDD extensions (AH=41h) and reads the same sector again
 *     with an AH=42h packet into another buffer; both copies must agree,
 *   - waits for a key with int 16h AH=00h and echoes it,
 *   - prints "exit code N" and writes N to port 0xf4.
 *
 * The screen then reads (row 0 the title bar, white and yellow on blue):
 *
 *    vmm boot sector                              int 10h/13h/16h, port f4h
 *
 *   int 13h CHS read: ok
 *   EDD read: ok
 *   press a key: 7
 *   exit code 7
 *
 * Exit codes (QEMU's isa-debug-exit and vmm make the status (N << 1) | 1):
 *   0-9  the digit typed: '7' gives 7, status 15
 *   10   any other key (status 21)
 *   17   int 13h AH=02h failed or sector 2 lacks its magic (status 35)
 *   18   no EDD: AH=41h refused, or no packet interface (status 37)
 *   19   AH=42h failed, or its copy differs from the CHS one (status 39)
 * Where nothing answers at port 0xf4 it halts, the screen left as it is.
 */
#include "boot.h"

#define SECOND		(BOOT_LOAD + SECTOR)	 /* AH=02h reads sector 2 here */
#define EDD_BUF		(BOOT_LOAD + 2 * SECTOR) /* and AH=42h here */
#define MAGIC		0x4d56			 /* "VM", sector 2's last word */
#define TITLE_ATTR	0x1f			 /* white on blue */
#define ACCENT_ATTR	0x1e			 /* yellow on blue */

	.code16
	.text
	.globl _start
_start:
	ljmp	$0, $start		/* some BIOSes enter at 07C0:0000 */
start:
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %ss		/* no interrupt before the next one */
	mov	$BOOT_LOAD, %sp
	mov	%dl, drive
	cld
	call	title
	mov	$chs_msg, %si
	call	puts
	mov	$0x0201, %ax		/* AH=02h read, AL=1 sector */
	mov	$0x0002, %cx		/* cylinder 0, sector 2 */
	xor	%dh, %dh		/* head 0 */
	mov	drive, %dl
	mov	$SECOND, %bx		/* to ES:BX (title left ES at 0) */
	int	$0x13
	mov	$17, %al		/* mov keeps the flags */
	jc	fail
	cmpw	$MAGIC, SECOND + SECTOR - 2
	jne	fail
	jmp	second

/* Clears the screen, puts the cursor on row 2 and draws the title bar. */
title:
	mov	$0x0600, %ax		/* AH=06h scroll up, AL=0: blank it all */
	mov	$0x07, %bh		/* grey on black */
	xor	%cx, %cx		/* row 0, column 0 */
	mov	$0x184f, %dx		/* to row 24, column 79 */
	int	$0x10
	mov	$0x02, %ah		/* AH=02h set cursor, page BH=0 */
	xor	%bx, %bx
	mov	$0x0200, %dx
	int	$0x10
	mov	$0xb800, %ax
	mov	%ax, %es
	xor	%di, %di
	mov	$(TITLE_ATTR << 8 | ' '), %ax
	mov	$80, %cx
	rep stosw
	mov	$(1 * 2), %di
	mov	$title_msg, %si
	mov	$TITLE_ATTR, %ah
	call	vga_puts
	mov	$(54 * 2), %di
	mov	$accent_msg, %si
	mov	$ACCENT_ATTR, %ah
	call	vga_puts
	push	%ds
	pop	%es
	ret

/* vga_puts: the string at SI into cells from ES:DI, attribute AH */
vga_puts:
	lodsb
	test	%al, %al
	jz	1f
	stosw
	jmp	vga_puts
1:	ret

/* puts: the string at SI through int 10h teletype */
puts:
	lodsb
	test	%al, %al
	jz	1f
	call	putc
	jmp	puts
1:	ret

putc:
	push	%bx
	mov	$0x0e, %ah
	xor	%bx, %bx		/* page 0 */
	int	$0x10
	pop	%bx
	ret

/* fail: AL = exit code; says FAILED and exits */
fail:
	mov	$failed_msg, %si
	/* fall through */
/* exit_after: prints SI, "exit code " and AL (< 100), then writes AL to
 * the debug-exit port */
exit_after:
	push	%ax
	call	puts
	mov	$exit_msg, %si
	call	puts
	pop	%ax
	push	%ax
	aam				/* AH = AL / 10, AL = AL % 10 */
	add	$0x3030, %ax
	push	%ax
	cmp	$'0', %ah
	je	1f
	mov	%ah, %al
	call	putc
1:	pop	%ax
	call	putc
	pop	%ax
	out	%al, $DEBUG_EXIT_PORT
2:	hlt
	jmp	2b

drive:	.byte	0x80
packet:				/* int 13h AH=42h: read LBA 1 into EDD_BUF */
	.byte	0x10, 0		/* packet size, reserved */
	.word	1		/* sectors */
	.word	EDD_BUF, 0	/* buffer offset, segment */
	.quad	1		/* LBA */
title_msg:	.asciz	"vmm boot sector"
accent_msg:	.asciz	"int 10h/13h/16h, port f4h"
chs_msg:	.asciz	"int 13h CHS read: "
failed_msg:	.asciz	"FAILED"
exit_msg:	.asciz	"\r\nexit code "

	boot_signature

/* Sector 2: reached only through the CHS read above. */
second:
	mov	$ok_msg, %si
	call	puts
	mov	$edd_msg, %si
	call	puts
	mov	$0x41, %ah		/* AH=41h: are the extensions there? */
	mov	$0x55aa, %bx
	mov	drive, %dl
	int	$0x13
	mov	$18, %al
	jc	fail
	cmp	$0xaa55, %bx
	jne	fail
	test	$1, %cl			/* bit 0: the packet calls (42h...) */
	jz	fail
	mov	$0x42, %ah		/* AH=42h: extended read, DS:SI packet */
	mov	drive, %dl
	mov	$packet, %si
	int	$0x13
	mov	$19, %al
	jc	fail
	mov	$SECOND, %si
	mov	$EDD_BUF, %di
	mov	$(SECTOR / 2), %cx
	repe cmpsw
	jne	fail
	mov	$ok_msg, %si
	call	puts
	mov	$key_msg, %si
	call	puts
	xor	%ah, %ah		/* AH=00h: wait for a key, AL = ASCII */
	int	$0x16
	push	%ax
	call	putc
	pop	%ax
	sub	$'0', %al
	cmp	$9, %al
	jbe	1f
	mov	$10, %al
1:	mov	$empty_msg, %si
	jmp	exit_after

ok_msg:		.asciz	"ok\r\n"
edd_msg:	.asciz	"EDD read: "
key_msg:	.asciz	"press a key: "
empty_msg:	.asciz	""

	.org	2 * SECTOR - 2
	.word	MAGIC
