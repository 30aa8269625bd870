/* SPDX-License-Identifier: MIT */
/*
 * Interrupts: an IDT whose 256 entries all lead to one C dispatcher, the
 * two 8259 PICs remapped to vectors 0x20-0x2f, and per-IRQ handlers.
 * Exceptions print the vector and the faulting EIP on serial and end the
 * VM with status 99.
 */
#ifndef SDK_IRQ_H
#define SDK_IRQ_H

#include <stdint.h>

#define IRQ_BASE 0x20

struct irq_frame {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
};

typedef void (*irq_handler)(unsigned int irq);

/* Loads the IDT and remaps the PICs with every line masked. */
void irq_init(void);
/* irq_init() unless it already ran, keeping the handlers registered since. */
void irq_init_once(void);
/*
 * Moves delivery from the 8259s to the IOAPIC and local APIC (after
 * irq_init(); the same vectors, EOI to the local APIC); -1 without an APIC.
 */
int irq_use_ioapic(void);
/* "pic" or "ioapic" */
const char *irq_controller(void);
/* Installs a handler for ISA line irq (0-15) and unmasks it. */
void irq_register(unsigned int irq, irq_handler fn);
void irq_mask(unsigned int irq);
void irq_unmask(unsigned int irq);
/* Counts delivered interrupts per line, for tests. */
extern volatile uint32_t irq_count[16];
/*
 * The PIT on IRQ 0 at IRQ_WAKE_HZ from now on, for a driver that sleeps
 * until one line's interrupt: sti; hlt loses no wake-up on a PC (an
 * interrupt is taken only after the hlt, in STI's shadow), but the
 * nested VM the tests run in (QEMU TCG's SVM under KVM) now and then takes
 * one inside the shadow, and the hlt after its handler sleeps for good
 * (seen: a disk-test halted after its hlt with its IRQ 14 flag set).  An
 * OS lives through that on its timer tick; with this one a lost wake-up
 * costs a tick.  KVM's own PIT: no exit reaches vmm.  A line vmm never
 * raised still waits for ever, and the tests see that.  PIC mode only.
 */
#define IRQ_WAKE_HZ 100
void irq_wake_tick(void);
/* Sleeps until the next interrupt (sti; hlt), interrupts on afterwards. */
static inline void irq_wait(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

#endif
