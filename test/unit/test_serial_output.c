// SPDX-License-Identifier: MIT
/*
 * COM1's transmit side: the bounded queue, "transmitter busy" while it is
 * full, THRE and its interrupt coming back when the host takes bytes; the
 * registers the split into read and write halves must keep; and the
 * writer thread (tui/serial_out.c) delivering every byte to a pipe and to
 * its sink.
 */
#include <fcntl.h>
#include <linux/serial_reg.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../tui/serial_out.h"
#include "../../vmm/vm.h"
#include "../unit.h"
#include "serial_fixture.h"

static int notified;

static void count_notify(void *opaque)
{
	(void)opaque;
	notified++;
}

static void fresh(bool attached)
{
	serial_destroy(s);
	s = serial_create(NULL);
	notified = 0;
	if (attached)
		serial_tx_attach(s, count_notify, NULL);
}

static bool thre(void)
{
	return in(UART_LSR) & UART_LSR_THRE;
}

static void discarded_without_consumer(void)
{
	fresh(false);
	for (int i = 0; i < 2 * SERIAL_TX_QUEUE; i++)
		out(UART_TX, 'x');
	EXPECT_EQ(in(UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
		  UART_LSR_THRE | UART_LSR_TEMT);
	EXPECT_EQ(serial_tx_queued(s), 0);
	EXPECT_EQ(s->tx_bytes, 2 * SERIAL_TX_QUEUE);
}

static void busy_while_full(void)
{
	uint8_t buf[SERIAL_TX_QUEUE];

	fresh(true);
	for (int i = 0; i < SERIAL_TX_QUEUE - 1; i++)
		out(UART_TX, (uint8_t)i);
	EXPECT(thre());
	out(UART_TX, 0xaa);
	/* full: THR and the shift register are both busy */
	EXPECT_EQ(in(UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT), 0);
	/* a driver that ignores THRE overruns the holding register */
	out(UART_TX, 0xbb);
	EXPECT_EQ(s->tx_overruns, 1);
	EXPECT_EQ(serial_tx_queued(s), SERIAL_TX_QUEUE);
	EXPECT_EQ(serial_tx_take(s, buf, 1), 1);
	EXPECT_EQ(buf[0], 0);
	EXPECT_EQ(in(UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
		  UART_LSR_THRE | UART_LSR_TEMT);
	EXPECT_EQ(serial_tx_take(s, buf, sizeof(buf)), SERIAL_TX_QUEUE - 1);
	for (int i = 1; i < SERIAL_TX_QUEUE - 1; i++)
		EXPECT_EQ(buf[i - 1], (uint8_t)i);
	EXPECT_EQ(buf[SERIAL_TX_QUEUE - 2], 0xaa);
}

static void thre_interrupt_returns(void)
{
	uint8_t b;

	fresh(true);
	out(UART_MCR, UART_MCR_OUT2);
	out(UART_IER, UART_IER_THRI);
	EXPECT_EQ(s->irq_level, 1);		/* THR empty at once */
	EXPECT_EQ(in(UART_IIR) & UART_IIR_ID, UART_IIR_THRI);
	EXPECT_EQ(s->irq_level, 0);		/* reading IIR acknowledged it */
	for (int i = 0; i < SERIAL_TX_QUEUE; i++)
		out(UART_TX, 'y');
	EXPECT_EQ(s->irq_level, 0);		/* full: no THRE interrupt */
	EXPECT_EQ(in(UART_IIR) & UART_IIR_NO_INT, UART_IIR_NO_INT);
	/* enabling THRI while busy raises nothing either */
	out(UART_IER, 0);
	out(UART_IER, UART_IER_THRI);
	EXPECT_EQ(s->irq_level, 0);
	serial_tx_take(s, &b, 1);
	EXPECT_EQ(s->irq_level, 1);
	EXPECT_EQ(in(UART_IIR) & UART_IIR_ID, UART_IIR_THRI);
	EXPECT_EQ(s->irq_level, 0);
}

static void notify_per_line_and_half(void)
{
	uint8_t buf[SERIAL_TX_QUEUE];

	fresh(true);
	out(UART_TX, 'a');
	EXPECT_EQ(notified, 0);
	out(UART_TX, '\n');
	EXPECT_EQ(notified, 1);
	out(UART_TX, '\n');			/* once until the next take */
	EXPECT_EQ(notified, 1);
	EXPECT_EQ(serial_tx_take(s, buf, sizeof(buf)), 3);
	for (int i = 0; i < SERIAL_TX_QUEUE / 2; i++)
		out(UART_TX, 'z');
	EXPECT_EQ(notified, 2);			/* half full without a newline */
}

static void order_across_wrap(void)
{
	uint8_t buf[SERIAL_TX_QUEUE];
	unsigned int sent = 0, got = 0;
	bool ok = true;

	fresh(true);
	for (int round = 0; round < 5; round++) {
		while (thre())
			out(UART_TX, (uint8_t)(sent++ * 7));
		size_t n = serial_tx_take(s, buf, 1000 + round * 300);

		for (size_t i = 0; i < n; i++)
			ok &= buf[i] == (uint8_t)(got++ * 7);
	}
	EXPECT(ok);
	EXPECT(sent > 2 * SERIAL_TX_QUEUE);	/* the ring wrapped twice */
}

static void loopback_bypasses_queue(void)
{
	fresh(true);
	out(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);
	out(UART_TX, 'L');
	EXPECT_EQ(serial_tx_queued(s), 0);
	EXPECT_EQ(in(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	EXPECT_EQ(in(UART_RX), 'L');
	/* DTR comes back as DSR; RTS and OUT2 as CTS and DCD (Linux's probe) */
	EXPECT_EQ(in(UART_MSR), UART_MSR_DSR);
	out(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT2);
	EXPECT_EQ(in(UART_MSR) & 0xf0, UART_MSR_CTS | UART_MSR_DCD);
	out(UART_MCR, 0);
	EXPECT_EQ(in(UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
}

static void registers_kept(void)
{
	fresh(false);
	out(UART_LCR, UART_LCR_DLAB | 0x03);
	out(UART_DLL, 0x01);
	out(UART_DLM, 0x02);
	EXPECT_EQ(in(UART_DLL), 0x01);
	EXPECT_EQ(in(UART_DLM), 0x02);
	EXPECT_EQ(serial_tx_queued(s) + s->tx_bytes, 0);	/* DLL is not THR */
	out(UART_LCR, 0x03);
	EXPECT_EQ(in(UART_LCR), 0x03);
	EXPECT_EQ(in(UART_IER), 0);
	out(UART_SCR, 0x5a);
	EXPECT_EQ(in(UART_SCR), 0x5a);
	out(UART_MCR, 0xff);
	EXPECT_EQ(in(UART_MCR), 0x1f);
	out(UART_MCR, 0);
	out(UART_FCR, 0xc7);
	EXPECT_EQ(in(UART_IIR), 0xc0 | UART_IIR_NO_INT);
	out(UART_LSR, 0);			/* read-only */
	EXPECT_EQ(in(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);

	uint8_t w[2] = { 0, 0 };
	struct bus_access a = { .addr = 0x3f8, .off = 0, .size = 2, .data = w };

	serial_io(s, &a);
	EXPECT_EQ(w[0] & w[1], 0xff);		/* byte registers only */
}

/* The writer thread: a guest's bytes through a pipe, and to the sink. */
static uint8_t sunk[3 * SERIAL_TX_QUEUE];
static size_t n_sunk;

static void sink(void *opaque, const uint8_t *buf, size_t n)
{
	(void)opaque;
	for (size_t i = 0; i < n && n_sunk < sizeof(sunk); i++)
		sunk[n_sunk++] = buf[i];
}

static void writer_delivers_everything(void)
{
	static struct vm vm;
	int p[2];
	char path[32];
	struct vm_config cfg = { .file = "test.cfg", .serial = { .output = path } };

	EXPECT(pipe(p) == 0);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[1]);
	pthread_mutex_init(&vm.io_lock, NULL);
	vm.wake_fd = -1;
	fresh(false);

	struct serial_out *w = serial_out_open(&cfg, false);
	uint8_t got[sizeof(sunk)];
	size_t n_got = 0, sent = 0;

	EXPECT(w != NULL);
	serial_out_set_sink(w, sink, NULL);
	EXPECT(serial_out_start(w, &vm, s) == 0);
	while (sent < sizeof(got)) {
		pthread_mutex_lock(&vm.io_lock);
		while (sent < sizeof(got) && thre())
			out(UART_TX, (uint8_t)(sent++ % 251));
		pthread_mutex_unlock(&vm.io_lock);
		ssize_t r = read(p[0], got + n_got, sizeof(got) - n_got);

		n_got += r > 0 ? (size_t)r : 0;
	}
	serial_out_finish(w, -1, false);
	while (n_got < sizeof(got)) {
		ssize_t r = read(p[0], got + n_got, sizeof(got) - n_got);

		if (r <= 0)
			break;
		n_got += (size_t)r;
	}
	EXPECT_EQ(n_got, sizeof(got));
	EXPECT_EQ(n_sunk, sizeof(sunk));
	for (size_t i = 0; i < sizeof(got); i++) {
		EXPECT_EQ(got[i], i % 251);
		EXPECT_EQ(sunk[i], i % 251);
	}
	serial_out_close(w);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	RUN(discarded_without_consumer);
	RUN(busy_while_full);
	RUN(thre_interrupt_returns);
	RUN(notify_per_line_and_half);
	RUN(order_across_wrap);
	RUN(loopback_bypasses_queue);
	RUN(registers_kept);
	RUN(writer_delivers_everything);
	serial_destroy(s);
	UNIT_EXIT();
}
