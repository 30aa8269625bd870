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
	 * Not iret: KVM's instruction emulator, which runs all 32-bit code on
	 * the nested kvm_pvm hosts, handles iret in real mode only and fails
	 * with an internal error here.  Same privilege level, same CS, so
	 * "popf; ret" does the same job: turn [eip][cs][eflags] into
	 * [eflags][eip].  An interrupt between popf and ret nests harmlessly.
	 */
	pushl %eax		/* eax eip cs eflags */
	movl 4(%esp), %eax
	xchgl %eax, 12(%esp)	/* eax eip cs eip, eax = eflags */
	movl %eax, 8(%esp)	/* eax eip eflags eip */
	popl %eax
	addl $4, %esp		/* eflags eip */
	popfl
	ret

	.section .note.GNU-stack, "", @progbits
