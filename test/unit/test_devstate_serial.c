// SPDX-License-Identifier: MIT
/*
 * COM1's state: registers, bytes received but not read, bytes sent but
 * not yet taken by the host, and the interrupt the guest has not seen,
 * all survive a save and a load into a fresh UART (devstate_fixture.h).
 */
#include <linux/serial_reg.h>

#include "../../devices/serial.h"
#include "devstate_fixture.h"

extern const struct device_model serial_device;

static struct serial *com_a, *com_b;

static void nothing(void *opaque)
{
	(void)opaque;
}

static void com_twins(void)
{
	com_a = serial_create(NULL);
	com_b = serial_create(NULL);
	serial_tx_attach(com_a, nothing, NULL);
	serial_tx_attach(com_b, nothing, NULL);
	twin_a = twin_b = (struct bus){ 0 };
	EXPECT(!bus_register(&twin_a, 0x3f8, 8, serial_io, com_a, "com1"));
	EXPECT(!bus_register(&twin_b, 0x3f8, 8, serial_io, com_b, "com1"));
}

/* Both halves in use: 115200 8N1, FIFO, interrupts, output and input waiting. */
static void uart_with_queues_and_interrupt(void)
{
	uint8_t a[64], b[64];

	com_twins();
	/* B had a life before: its rings start elsewhere */
	serial_receive(com_b, (const uint8_t *)"old input", 9);
	for (int i = 0; i < 9; i++)
		bus_access(&twin_b, 0x3f8, b, 1, false);
	io_a(0x3fb, 1, true, UART_LCR_DLAB | UART_LCR_WLEN8);
	io_a(0x3f8, 1, true, 1);		/* divisor 1: 115200 baud */
	io_a(0x3f9, 1, true, 0);
	io_a(0x3fb, 1, true, UART_LCR_WLEN8);
	io_a(0x3fa, 1, true, UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_8);
	io_a(0x3fc, 1, true, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	io_a(0x3f9, 1, true, UART_IER_RDI | UART_IER_THRI);
	io_a(0x3ff, 1, true, 0x5a);		/* scratch */
	for (const char *p = "sent, not taken"; *p; p++)
		io_a(0x3f8, 1, true, (uint8_t)*p);
	EXPECT_EQ(serial_receive(com_a, (const uint8_t *)"typed", 5), 5);
	EXPECT_EQ(com_a->irq_level, 1);
	round_trip(&serial_device, com_a, com_b);
	EXPECT_EQ(com_b->irq_level, 1);

	/* the guest goes on: the same interrupt, the same bytes, on both */
	EXPECT_EQ(twin_io(0x3fa, 1, false, 0) & 0x0f, UART_IIR_RDI);
	for (int i = 0; i < 5; i++)
		EXPECT_EQ(twin_io(0x3f8, 1, false, 0), (uint32_t)"typed"[i]);
	EXPECT_EQ(twin_io(0x3fd, 1, false, 0) & UART_LSR_DR, 0);
	EXPECT_EQ(twin_io(0x3ff, 1, false, 0), 0x5a);
	twin_io(0x3fb, 1, true, UART_LCR_DLAB | UART_LCR_WLEN8);
	EXPECT_EQ(twin_io(0x3f8, 1, false, 0), 1);
	twin_io(0x3fb, 1, true, UART_LCR_WLEN8);
	/* and the host takes the same output from both */
	size_t na = serial_tx_take(com_a, a, sizeof(a)), nb = serial_tx_take(com_b, b, sizeof(b));

	EXPECT(na == 15 && nb == 15 && !memcmp(a, b, 15) && !memcmp(a, "sent, not taken", 15));
	serial_destroy(com_a);
	serial_destroy(com_b);
}

static void uart_damaged_state(void)
{
	struct state good;

	com_twins();
	io_a(0x3fc, 1, true, UART_MCR_OUT2);
	io_a(0x3f9, 1, true, UART_IER_RDI);
	serial_receive(com_a, (const uint8_t *)"xy", 2);
	good = rec_save(&serial_device, com_a);
	EXPECT(damage(&serial_device, &good, com_b, 0, 16, true) > 8);
	com_a->irq_level = 0;		/* data waits, its interrupt is on: the line is high */
	{
		struct state s = rec_save(&serial_device, com_a);

		EXPECT_EQ(damaged_load(&serial_device, com_b, s.buf, s.len, true), 1);
		state_free(&s);
	}
	state_free(&good);
	serial_destroy(com_a);
	serial_destroy(com_b);
}

int main(void)
{
	RUN(uart_with_queues_and_interrupt);
	RUN(uart_damaged_state);
	UNIT_EXIT();
}
