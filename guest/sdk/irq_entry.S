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
	popal
	addl $8, %esp		/* vector and error code */
	/*
	 * Return as iret would, without iret: KVM's instruction emulator,
	 * which runs all protected-mode code on nested hosts such as
	 * kvm_pvm, cannot emulate a protected-mode iret.  Restore EFLAGS
	 * with IF still clear, then sti; the sti shadow keeps the next
	 * interrupt out until ret has popped EIP.  Same privilege level only.
	 */
	btl $9, 8(%esp)
	jnc 1f
	andl $~0x200, 8(%esp)
	pushl 8(%esp)
	popfl
	sti
	ret $8
1:	pushl 8(%esp)
	popfl
	ret $8

	.section .note.GNU-stack, "", @progbits
