// SPDX-License-Identifier: MIT
#include "irq.h"
#include "sdk.h"

#define PIC1 0x20
#define PIC2 0xa0
#define PIC_EOI 0x20

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

static struct idt_entry idt[256];
static irq_handler handlers[16];
static uint16_t mask = 0xffff;
volatile uint32_t irq_count[16];

extern char irq_stub_table[];
void irq_dispatch(struct irq_frame *f);

static void pic_write_mask(void)
{
	outb(PIC1 + 1, (uint8_t)mask);
	outb(PIC2 + 1, (uint8_t)(mask >> 8));
}

void irq_mask(unsigned int irq)
{
	mask |= (uint16_t)(1u << irq);
	pic_write_mask();
}

void irq_unmask(unsigned int irq)
{
	mask &= (uint16_t)~(1u << irq);
	if (irq >= 8)
		mask &= (uint16_t)~(1u << 2);	/* the cascade */
	pic_write_mask();
}

void irq_register(unsigned int irq, irq_handler fn)
{
	if (irq >= 16)
		return;
	handlers[irq] = fn;
	irq_unmask(irq);
}

void irq_dispatch(struct irq_frame *f)
{
	if (f->vector < IRQ_BASE) {
		serial_printf("exception %u (error %#x) at eip %#x\n", f->vector,
			      f->error, f->eip);
		exit(99);
	}
	unsigned int irq = f->vector - IRQ_BASE;

	if (irq >= 16)
		return;
	/* a spurious IRQ 7/15 is not in service: no EOI for it */
	if (irq == 7 || irq == 15) {
		outb(irq == 7 ? PIC1 : PIC2, 0x0b);
		if (!(inb(irq == 7 ? PIC1 : PIC2) & 0x80)) {
			if (irq == 15)
				outb(PIC1, PIC_EOI);
			return;
		}
	}
	irq_count[irq]++;
	if (handlers[irq])
		handlers[irq](irq);
	if (irq >= 8)
		outb(PIC2, PIC_EOI);
	outb(PIC1, PIC_EOI);
}

void irq_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint32_t a = (uint32_t)(uintptr_t)(irq_stub_table + 16 * v);

		idt[v] = (struct idt_entry){ (uint16_t)a, 0x08, 0, 0x8e,
					     (uint16_t)(a >> 16) };
	}
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(idtr));
	/* ICW1-4: edge triggered, cascade, vectors 0x20 and 0x28, 8086 mode */
	outb(PIC1, 0x11);
	outb(PIC2, 0x11);
	outb(PIC1 + 1, IRQ_BASE);
	outb(PIC2 + 1, IRQ_BASE + 8);
	outb(PIC1 + 1, 0x04);
	outb(PIC2 + 1, 0x02);
	outb(PIC1 + 1, 0x01);
	outb(PIC2 + 1, 0x01);
	mask = 0xffff;
	pic_write_mask();
}
