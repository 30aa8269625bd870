/* SPDX-License-Identifier: MIT */
/* One 16-byte stub per vector: push a uniform frame, call irq_dispatch(frame). */
	.altmacro
	.section .text
	.global irq_stub_table

	/* vectors 8, 10-14, 17 and 21 push an error code themselves */
	.macro stub n
	.align 16
	.if (\n == 8) || ((\n >= 10) && (\n <= 14)) || (\n == 17) || (\n == 21)
	pushl $\n
	.else
	pushl $0
	pushl $\n
	.endif
	jmp irq_common
	.endm

	.align 16
irq_stub_table:
	.set vec, 0
	.rept 256
	stub %vec
	.set vec, vec + 1
	.endr

irq_common:
	pushal
	cld
	pushl %esp
	call irq_dispatch
	addl $4, %esp
	/*
	 * No iret: KVM's instruction emulator, which runs all 32-bit guest
	 * code on the nested kvm_pvm host, handles iret in real mode only and
	 * fails with an internal error here.  Same-privilege return instead:
	 * copy eflags over the error code, then popf; lret skips the old copy.
	 */
	movl 48(%esp), %eax	/* eflags, 32 bytes of registers above */
	movl %eax, 36(%esp)	/* the error code's slot */
	popal
	addl $4, %esp		/* vector */
	popfl
	lret $4			/* eip, cs, then drop the eflags slot */

	.section .note.GNU-stack, "", @progbits
