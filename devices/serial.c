// SPDX-License-Identifier: MIT
/*
 * A 16550A UART at COM1.  Transmission is instantaneous (THR is always
 * empty), which is what polling drivers wait for; received bytes queue in
 * a host-side buffer behind the FIFO, so none is dropped: a writer that
 * finds the queue full keeps its bytes and tries again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../hypercalls/vmm_abi.h"
#include "../vmm/json.h"
#include "../vmm/vm.h"
#include "serial.h"

#define UART_IRQ	4
#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* transmitter holding register empty */
#define IIR_NONE	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0
#define LCR_DLAB	0x80
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MCR_DTR		0x01
#define MCR_OUT2	0x08	/* on a PC, gates the UART's line to the PIC */
#define MCR_LOOP	0x10

static uint8_t iir(const struct serial *s)
{
	uint8_t fifo = (s->fcr & 1) ? IIR_FIFO : 0;

	if ((s->ier & IER_RDI) && s->rx_len)
		return IIR_RDI | fifo;
	if ((s->ier & IER_THRI) && s->thre_pending)
		return IIR_THRI | fifo;
	return IIR_NONE | fifo;
}

static void update_irq(struct serial *s)
{
	int level = (iir(s) & 1) == 0 && (s->mcr & MCR_OUT2);

	if (level != s->irq_level) {
		s->irq_level = level;
		if (s->vm)
			vm_irq_line(s->vm, UART_IRQ, level);
	}
}

void serial_flush(struct serial *s)
{
	size_t off = 0;

	while (s->out_fd >= 0 && off < s->tx_len) {
		ssize_t w = write(s->out_fd, s->tx + off, s->tx_len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			/* stdout went away (a closed pipe): stop, do not spin */
			if (s->vm)
				vm_stop(s->vm, STOP_SIGNAL, VMM_EXIT_SIGNAL,
					"serial output closed: %s", strerror(errno));
			s->out_fd = -1;
			break;
		}
		off += (size_t)w;
	}
	s->tx_len = 0;
}

static void transmit(struct serial *s, uint8_t c)
{
	s->tx_bytes++;
	if (s->mcr & MCR_LOOP) {
		serial_receive(s, &c, 1);
		return;
	}
	if (s->sink)
		s->sink(s->sink_opaque, &c, 1);
	if (s->out_fd < 0)
		return;
	s->tx[s->tx_len++] = c;
	if (c == '\n' || s->tx_len == sizeof(s->tx))
		serial_flush(s);
}

void serial_io(void *opaque, struct bus_access *a)
{
	struct serial *s = opaque;
	bool dlab = s->lcr & LCR_DLAB;
	uint8_t v = a->write ? (uint8_t)bus_get(a) : 0xff;

	if (a->size != 1) {		/* the UART has byte registers only */
		if (!a->write)
			bus_put(a, 0xffffffff);
		return;
	}
	switch (a->off) {
	case 0:
		if (dlab) {
			if (a->write)
				s->dll = v;
			else
				v = s->dll;
		} else if (a->write) {
			transmit(s, v);
			s->thre_pending = 1;
		} else if (s->rx_len) {
			v = s->rx[s->rx_head];
			s->rx_head = (s->rx_head + 1) % SERIAL_RX_QUEUE;
			s->rx_len--;
		} else {
			v = 0;
		}
		break;
	case 1:
		if (dlab) {
			if (a->write)
				s->dlm = v;
			else
				v = s->dlm;
		} else if (a->write) {
			/* enabling THRI with THR empty raises it at once */
			if ((v & IER_THRI) && !(s->ier & IER_THRI))
				s->thre_pending = 1;
			s->ier = v & 0x0f;
		} else {
			v = s->ier;
		}
		break;
	case 2:
		if (a->write) {
			s->fcr = v & 0xc9;
			if (v & 0x02) {
				/*
				 * Clear the 16-byte receive FIFO; bytes still
				 * waiting on the host side behind it stay.
				 */
				size_t n = s->rx_len < 16 ? s->rx_len : 16;

				s->rx_head = (s->rx_head + n) % SERIAL_RX_QUEUE;
				s->rx_len -= n;
			}
		} else {
			v = iir(s);
			if ((v & 0x0f) == IIR_THRI)
				s->thre_pending = 0;
		}
		break;
	case 3:
		if (a->write)
			s->lcr = v;
		else
			v = s->lcr;
		break;
	case 4:
		if (a->write)
			s->mcr = v & 0x1f;
		else
			v = s->mcr;
		break;
	case 5:
		if (!a->write)
			v = LSR_THRE | LSR_TEMT | (s->rx_len ? LSR_DR : 0);
		break;
	case 6:
		if (!a->write)	/* CTS, DSR, DCD: a cable is attached */
			v = (s->mcr & MCR_LOOP) ? (uint8_t)((s->mcr & 0x0f) << 4) : 0xb0;
		break;
	case 7:
		if (a->write)
			s->scr = v;
		else
			v = s->scr;
		break;
	}
	if (!a->write)
		bus_put(a, v);
	update_irq(s);
}

size_t serial_rx_space(const struct serial *s)
{
	return SERIAL_RX_QUEUE - s->rx_len;
}

/* DTR up: a program opened the port, so input has somewhere to go. */
bool serial_rx_ready(const struct serial *s)
{
	return s->mcr & MCR_DTR;
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

struct serial *serial_create(struct vm *vm, int out_fd)
{
	struct serial *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->vm = vm;
	s->out_fd = out_fd;
	s->irq = UART_IRQ;
	if (vm && bus_register(&vm->pio, VMM_COM1_PORT, 8, serial_io, s, "serial")) {
		free(s);
		return NULL;
	}
	return s;
}

void serial_destroy(struct serial *s)
{
	if (!s)
		return;
	serial_flush(s);
	free(s);
}

/* Where COM1's bytes go: stdout when headless, else a file or nowhere. */
static int output_fd(const struct vm_config *cfg)
{
	const char *out = cfg->serial.output;

	if (!strcmp(out, "none"))
		return -1;
	if (!strcmp(out, "stdout"))
		return cfg->display == DISPLAY_TUI ? -1 : STDOUT_FILENO;
	int fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		fprintf(stderr, "%s: serial.output '%s': %s\n", cfg->file, out,
			strerror(errno));
	return fd < 0 ? -2 : fd;
}

static int serial_dev_create(struct vm *vm, void **dev)
{
	int fd = output_fd(vm->cfg);

	if (fd == -2)
		return VMM_EXIT_USAGE;
	*dev = serial_create(vm, fd);
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
}

const struct device_model serial_device = {
	.name = "serial",
	.create = serial_dev_create,
	.destroy = serial_dev_destroy,
	.stats = serial_stats,
};
