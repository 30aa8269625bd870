// SPDX-License-Identifier: MIT
/*
 * A 16550A UART at COM1.  Received bytes queue in a host-side buffer
 * behind the FIFO, so none is dropped: a writer that finds the queue full
 * keeps its bytes and tries again.  Sent bytes go the other way through a
 * bounded queue that a host thread drains (tui/serial_out.c); the device
 * never waits for the host.  When the queue is full the transmitter is
 * "busy" as on real hardware: the guest's driver waits for THRE, and the
 * host's taking bytes brings THRE (and its interrupt) back.  The queue is
 * the shift register and the wire: TEMT follows THRE, and clearing the
 * transmit FIFO does not take back bytes already queued.
 */
#include <linux/serial_reg.h>
#include <stdlib.h>
#include <string.h>

#include "../hypercalls/vmm_abi.h"
#include "../vmm/json.h"
#include "../vmm/state.h"
#include "../vmm/device.h"
#include "serial.h"

#define UART_IRQ		4
#define IIR_FIFOS_ON		0xc0	/* IIR bits 7-6: a 16550A's FIFOs are on */
#define FCR_KEPT		(UART_FCR_TRIGGER_MASK | UART_FCR_DMA_SELECT | \
				 UART_FCR_ENABLE_FIFO)
#define IER_KEPT		0x0f	/* the four 16550 interrupt enables */
#define MCR_KEPT		0x1f	/* DTR, RTS, OUT1, OUT2, LOOP */
#define RX_FIFO			16

static bool tx_busy(const struct serial *s)
{
	return s->tx_len == SERIAL_TX_QUEUE;
}

static uint8_t iir(const struct serial *s)
{
	uint8_t fifo = (s->fcr & UART_FCR_ENABLE_FIFO) ? IIR_FIFOS_ON : 0;

	if ((s->ier & UART_IER_RDI) && s->rx_len)
		return UART_IIR_RDI | fifo;
	if ((s->ier & UART_IER_THRI) && s->thre_pending)
		return UART_IIR_THRI | fifo;
	return UART_IIR_NO_INT | fifo;
}

static void update_irq(struct serial *s)
{
	int level = !(iir(s) & UART_IIR_NO_INT) && (s->mcr & UART_MCR_OUT2);

	if (level != s->irq_level) {
		s->irq_level = level;
		dev_irq_set(s->host, UART_IRQ, level);
	}
}

static void transmit(struct serial *s, uint8_t c)
{
	if (s->mcr & UART_MCR_LOOP) {
		s->tx_bytes++;
		serial_receive(s, &c, 1);
		s->thre_pending = true;
		return;
	}
	if (tx_busy(s)) {
		/* the guest ignored THRE: the byte is lost, as on a real UART */
		s->tx_overruns++;
		return;
	}
	s->tx_bytes++;
	if (!s->tx_notify) {
		s->thre_pending = true;
		return;
	}
	s->tx[(s->tx_head + s->tx_len) % SERIAL_TX_QUEUE] = c;
	s->tx_len++;
	s->thre_pending = !tx_busy(s);
	if (!s->tx_notified && (c == '\n' || s->tx_len >= SERIAL_TX_QUEUE / 2)) {
		s->tx_notified = true;
		s->tx_notify(s->tx_opaque);
	}
}

static uint8_t rx_pop(struct serial *s)
{
	uint8_t v;

	if (!s->rx_len)
		return 0;
	v = s->rx[s->rx_head];
	s->rx_head = (s->rx_head + 1) % SERIAL_RX_QUEUE;
	s->rx_len--;
	return v;
}

static uint8_t lsr(const struct serial *s)
{
	uint8_t v = s->rx_len ? UART_LSR_DR : 0;

	if (!tx_busy(s))
		v |= UART_LSR_THRE | UART_LSR_TEMT;
	return v;
}

static uint8_t msr(const struct serial *s)
{
	/*
	 * In loopback the modem outputs come back as inputs: RTS as CTS, DTR
	 * as DSR, OUT1 as RI, OUT2 as DCD (Linux's 8250 probe checks this).
	 */
	if (s->mcr & UART_MCR_LOOP)
		return (s->mcr & UART_MCR_RTS ? UART_MSR_CTS : 0) |
		       (s->mcr & UART_MCR_DTR ? UART_MSR_DSR : 0) |
		       (s->mcr & UART_MCR_OUT1 ? UART_MSR_RI : 0) |
		       (s->mcr & UART_MCR_OUT2 ? UART_MSR_DCD : 0);
	/* a cable is attached */
	return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
}

static uint8_t reg_read(struct serial *s, unsigned int reg)
{
	bool dlab = s->lcr & UART_LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case UART_RX:
		return dlab ? s->dll : rx_pop(s);
	case UART_IER:
		return dlab ? s->dlm : s->ier;
	case UART_IIR:
		v = iir(s);
		if ((v & UART_IIR_ID) == UART_IIR_THRI)
			s->thre_pending = false;
		return v;
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		return lsr(s);
	case UART_MSR:
		return msr(s);
	case UART_SCR:
		return s->scr;
	default:		/* the bus keeps offsets below 8 */
		return 0xff;
	}
}

static void write_ier(struct serial *s, uint8_t v)
{
	/* enabling THRI with THR empty raises it at once */
	if ((v & UART_IER_THRI) && !(s->ier & UART_IER_THRI) && !tx_busy(s))
		s->thre_pending = true;
	s->ier = v & IER_KEPT;
}

static void write_fcr(struct serial *s, uint8_t v)
{
	s->fcr = v & FCR_KEPT;
	if (v & UART_FCR_CLEAR_RCVR) {
		/* the 16-byte FIFO empties; bytes still on the host side stay */
		size_t n = s->rx_len < RX_FIFO ? s->rx_len : RX_FIFO;

		s->rx_head = (s->rx_head + n) % SERIAL_RX_QUEUE;
		s->rx_len -= n;
	}
}

static void reg_write(struct serial *s, unsigned int reg, uint8_t v)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_TX:
		if (dlab)
			s->dll = v;
		else
			transmit(s, v);
		break;
	case UART_IER:
		if (dlab)
			s->dlm = v;
		else
			write_ier(s, v);
		break;
	case UART_FCR:
		write_fcr(s, v);
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & MCR_KEPT;
		break;
	case UART_SCR:
		s->scr = v;
		break;
	default:		/* LSR and MSR are read-only */
		break;
	}
}

void serial_io(void *opaque, struct bus_access *a)
{
	struct serial *s = opaque;

	if (a->size != 1) {		/* the UART has byte registers only */
		if (!a->write)
			bus_put(a, 0xffffffff);
		return;
	}
	if (a->write)
		reg_write(s, a->off, (uint8_t)bus_get(a));
	else
		bus_put(a, reg_read(s, a->off));
	update_irq(s);
}

size_t serial_rx_space(const struct serial *s)
{
	return SERIAL_RX_QUEUE - s->rx_len;
}

/*
 * DTR and RTS up: a program opened the port, so input has somewhere to go;
 * the host holds its bytes until then, as a sender with hardware flow
 * control waits for RTS.  DTR alone is not enough: Linux raises it when it
 * sets up its console on the port at boot, and the bytes sent then were
 * lost when the shell's open cleared the receive FIFO.
 */
bool serial_rx_ready(const struct serial *s)
{
	uint8_t both = UART_MCR_DTR | UART_MCR_RTS;

	return (s->mcr & both) == both;
}

size_t serial_receive(struct serial *s, const uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n && s->rx_len < SERIAL_RX_QUEUE; i++) {
		s->rx[(s->rx_head + s->rx_len) % SERIAL_RX_QUEUE] = buf[i];
		s->rx_len++;
	}
	s->rx_bytes += i;
	update_irq(s);
	return i;
}

void serial_tx_attach(struct serial *s, void (*notify)(void *opaque), void *opaque)
{
	s->tx_notify = notify;
	s->tx_opaque = opaque;
	s->tx_notified = false;
	if (!notify) {		/* nobody takes the rest: the line is free */
		s->tx_head = s->tx_len = 0;
		s->thre_pending = true;
		update_irq(s);
	}
}

size_t serial_tx_take(struct serial *s, uint8_t *buf, size_t n)
{
	bool was_busy = tx_busy(s);
	size_t i;

	for (i = 0; i < n && s->tx_len; i++) {
		buf[i] = s->tx[s->tx_head];
		s->tx_head = (s->tx_head + 1) % SERIAL_TX_QUEUE;
		s->tx_len--;
	}
	s->tx_notified = false;
	if (was_busy && i) {
		s->thre_pending = true;
		update_irq(s);
	}
	return i;
}

size_t serial_tx_queued(const struct serial *s)
{
	return s->tx_len;
}

struct serial *serial_create(struct device_host *h)
{
	struct serial *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->host = h;
	s->irq = UART_IRQ;
	if (dev_register_pio(h, VMM_COM1_PORT, 8, serial_io, s, "serial")) {
		free(s);
		return NULL;
	}
	return s;
}

void serial_destroy(struct serial *s)
{
	free(s);
}

/* Where the bytes go is the host's business (tui/serial_out.c), not the UART's. */
static int serial_dev_create(struct device_host *h, void **dev)
{
	*dev = serial_create(h);
	return *dev ? 0 : VMM_EXIT_SETUP;
}

static void serial_dev_destroy(void *dev)
{
	serial_destroy(dev);
}

static void serial_stats(const void *dev, struct json *j)
{
	const struct serial *s = dev;

	json_u64(j, "tx_bytes", s->tx_bytes);
	json_u64(j, "rx_bytes", s->rx_bytes);
	json_u64(j, "tx_overruns", s->tx_overruns);
}

/*
 * Registers, both queues in order (bytes the guest sent and the host has
 * not taken yet are output like any other), and the IRQ level, which is
 * not driven on load: the irqchip's own state holds it (vmm/device.h).
 */
static int serial_fields(void *dev, struct state *s)
{
	struct serial *u = dev;
	uint8_t irq = (uint8_t)u->irq_level;

	state_u8(s, &u->ier);
	state_u8(s, &u->lcr);
	state_u8(s, &u->mcr);
	state_u8(s, &u->scr);
	state_u8(s, &u->dll);
	state_u8(s, &u->dlm);
	state_u8(s, &u->fcr);
	state_bool(s, &u->thre_pending);
	state_u8(s, &irq);
	if (state_ring(s, u->rx, sizeof(u->rx), &u->rx_head, &u->rx_len) ||
	    state_ring(s, u->tx, sizeof(u->tx), &u->tx_head, &u->tx_len))
		return -1;
	state_u64(s, &u->tx_bytes);
	state_u64(s, &u->rx_bytes);
	state_u64(s, &u->tx_overruns);
	if (!s->loading || s->bad)
		return 0;
	/* the line as update_irq() leaves it after every access */
	int level = !(iir(u) & UART_IIR_NO_INT) && (u->mcr & UART_MCR_OUT2);

	if ((u->ier & ~IER_KEPT) || (u->mcr & ~MCR_KEPT) || (u->fcr & ~FCR_KEPT) ||
	    irq != level)
		return state_fail(s, "the UART's registers do not add up");
	u->irq_level = irq;
	/* the host side is this process's: it takes the queue afresh */
	u->tx_notified = false;
	return 0;
}

const struct device_model serial_device = {
	.name = "serial",
	.create = serial_dev_create,
	.destroy = serial_dev_destroy,
	.stats = serial_stats,
	.fields = serial_fields,
	.size = sizeof(struct serial),
	.version = 1,
};
