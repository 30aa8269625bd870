// SPDX-License-Identifier: MIT
/* COM1's receive side: data ready, IER bit 0 and the IRQ line, no drops. */
#include "../unit.h"
#include <linux/serial_reg.h>

#include "serial_fixture.h"

static void fresh(void)
{
	serial_destroy(s);
	s = serial_create(NULL);
}

static void data_ready_and_order(void)
{
	fresh();
	EXPECT_EQ(in(5) & 1, 0);
	EXPECT_EQ(serial_receive(s, (const uint8_t *)"hi", 2), 2);
	EXPECT_EQ(in(5) & 1, 1);
	EXPECT_EQ(in(0), 'h');
	EXPECT_EQ(in(0), 'i');
	EXPECT_EQ(in(5) & 1, 0);
}

static void receive_interrupt(void)
{
	fresh();
	out(4, 0x0b);			/* DTR, RTS, OUT2 */
	EXPECT(serial_rx_ready(s));
	serial_receive(s, (const uint8_t *)"x", 1);
	EXPECT_EQ(s->irq_level, 0);	/* IER bit 0 still off */
	EXPECT_EQ(in(2) & 0x0f, 0x01);
	out(1, 0x01);
	EXPECT_EQ(s->irq_level, 1);
	EXPECT_EQ(in(2) & 0x0f, 0x04);	/* received data available */
	EXPECT_EQ(in(0), 'x');
	EXPECT_EQ(s->irq_level, 0);
	EXPECT_EQ(in(2) & 0x0f, 0x01);
	/* OUT2 gates the line to the PIC, as on a PC */
	out(4, 0x03);
	serial_receive(s, (const uint8_t *)"y", 1);
	EXPECT_EQ(s->irq_level, 0);
	out(4, 0x0b);
	EXPECT_EQ(s->irq_level, 1);
}

/*
 * Input waits for DTR and RTS: Linux's console set-up raises DTR alone at
 * boot, and what the host sent then was cleared with the FIFO when the
 * shell opened the port (a Linux test lost its first serial command so).
 */
static void ready_needs_dtr_and_rts(void)
{
	fresh();
	EXPECT(!serial_rx_ready(s));
	out(4, UART_MCR_DTR);		/* the console's set-up */
	EXPECT(!serial_rx_ready(s));
	out(4, UART_MCR_RTS);
	EXPECT(!serial_rx_ready(s));
	out(4, UART_MCR_DTR | UART_MCR_RTS);	/* a program opened it */
	EXPECT(serial_rx_ready(s));
	out(4, 0);			/* and closed it (HUPCL) */
	EXPECT(!serial_rx_ready(s));
}

static void nothing_dropped(void)
{
	fresh();
	uint8_t buf[SERIAL_RX_QUEUE + 100];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	/* the queue takes what fits and says so; the caller keeps the rest */
	size_t took = serial_receive(s, buf, sizeof(buf));

	EXPECT_EQ(took, SERIAL_RX_QUEUE);
	EXPECT_EQ(serial_rx_space(s), 0);
	for (size_t i = 0; i < 100; i++)
		EXPECT_EQ(in(0), buf[i]);
	EXPECT_EQ(serial_receive(s, buf + took, sizeof(buf) - took), 100);
	for (size_t i = 100; i < sizeof(buf); i++)
		EXPECT_EQ(in(0), buf[i]);
	EXPECT_EQ(in(5) & 1, 0);
}

static void fifo_reset_keeps_host_bytes(void)
{
	fresh();
	uint8_t buf[40];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	serial_receive(s, buf, sizeof(buf));
	out(2, 0x07);			/* FIFO on, clear both FIFOs */
	EXPECT_EQ(s->rx_len, sizeof(buf) - 16);
	EXPECT_EQ(in(0), 16);
}

int main(void)
{
	RUN(data_ready_and_order);
	RUN(receive_interrupt);
	RUN(ready_needs_dtr_and_rts);
	RUN(nothing_dropped);
	RUN(fifo_reset_keeps_host_bytes);
	serial_destroy(s);
	UNIT_EXIT();
}
