// SPDX-License-Identifier: MIT
#include "irq.h"
#include "sdk.h"

#define PIC1 0x20
#define PIC2 0xa0
#define PIC_EOI 0x20
#define IOAPIC ((volatile uint32_t *)0xfec00000u)	/* IOREGSEL; IOWIN at +0x10 */
#define LAPIC(reg) (*(volatile uint32_t *)(0xfee00000u + (reg)))
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_TPR 0x80
#define SPURIOUS_VECTOR 0xff

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

static struct idt_entry idt[256];
static irq_handler handlers[16];
static uint16_t mask = 0xffff;
static int ioapic_mode, ready;
volatile uint32_t irq_count[16];

extern char irq_stub_table[];
void irq_dispatch(struct irq_frame *f);

static void ioapic_write(uint32_t reg, uint32_t v)
{
	IOAPIC[0] = reg;
	IOAPIC[4] = v;
}

/* ISA line n is IOAPIC pin n here; fixed delivery to APIC 0, edge, high. */
static void ioapic_route(unsigned int irq, int masked)
{
	ioapic_write(0x11 + 2 * irq, 0);
	ioapic_write(0x10 + 2 * irq, (IRQ_BASE + irq) | (masked ? 1u << 16 : 0));
}

static void pic_write_mask(void)
{
	if (ioapic_mode) {
		for (unsigned int i = 0; i < 16; i++)
			ioapic_route(i, (mask >> i) & 1);
		return;
	}
	outb(PIC1 + 1, (uint8_t)mask);
	outb(PIC2 + 1, (uint8_t)(mask >> 8));
}

int irq_use_ioapic(void)
{
	uint32_t r[4];

	cpuid(1, r);
	if (!(r[3] & (1u << 9)))
		return -1;		/* no local APIC */
	outb(PIC1 + 1, 0xff);		/* the 8259s stay quiet from now on */
	outb(PIC2 + 1, 0xff);
	LAPIC(LAPIC_TPR) = 0;
	LAPIC(LAPIC_SVR) = 0x100 | SPURIOUS_VECTOR;	/* software-enable */
	ioapic_mode = 1;
	pic_write_mask();
	return 0;
}

const char *irq_controller(void)
{
	return ioapic_mode ? "ioapic" : "pic";
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
	if (ioapic_mode) {
		irq_count[irq]++;
		if (handlers[irq])
			handlers[irq](irq);
		LAPIC(LAPIC_EOI) = 0;
		return;
	}
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
	ready = 1;
}

void irq_wake_tick(void)
{
	static int on;
	uint16_t div = (uint16_t)(1193182u / IRQ_WAKE_HZ);

	if (on || ioapic_mode)
		return;
	on = 1;
	outb(0x43, 0x34);		/* channel 0, lo/hi, mode 2: rate generator */
	outb(0x40, (uint8_t)div);
	outb(0x40, (uint8_t)(div >> 8));
	irq_unmask(0);
}

void irq_init_once(void)
{
	if (!ready)
		irq_init();
}
