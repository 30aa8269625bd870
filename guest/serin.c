// SPDX-License-Identifier: MIT
/*
 * serin: reads COM1 by interrupt (IER bit 0, IRQ 4; through the 8259s, or
 * the IOAPIC with irq=ioapic) until n=COUNT bytes came, then reports their count and checksums on serial and exits 0.
 * The host must neither drop nor reorder a byte for the sums to match.
 */
#include "sdk/irq.h"
#include "sdk/sdk.h"

#define COM1 0x3f8

static volatile uint32_t got, sum, hash, irqs, max_burst;

static void on_com1(unsigned int irq)
{
	uint32_t burst = 0;

	(void)irq;
	irqs++;
	/* drain the FIFO: the line stays up while data is ready */
	while (inb(COM1 + 5) & 0x01) {
		uint8_t b = inb(COM1);

		got++;
		sum += b;
		hash = hash * 31 + b;
		burst++;
	}
	if (burst > max_burst)
		max_burst = burst;
}

int main(const char *cmdline)
{
	uint32_t want = (uint32_t)cmdline_int("n", 1000);

	(void)cmdline;
	char mode[8];

	irq_init();
	if (cmdline_get("irq", mode, sizeof(mode)) && !strcmp(mode, "ioapic") &&
	    irq_use_ioapic())
		return 2;
	irq_register(4, on_com1);
	outb(COM1 + 1, 0x01);		/* received-data interrupt on */
	serial_printf("serin: ready for %u bytes\n", want);
	for (;;) {
		cli();
		if (got >= want)
			break;
		irq_wait();
	}
	sti();
	serial_printf("serin: %u bytes, sum %u, hash %u, %u interrupts (%s)\n",
		      got, sum, hash, irqs, irq_controller());
	return 0;
}
