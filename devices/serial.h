/* SPDX-License-Identifier: MIT */
#ifndef DEVICES_SERIAL_H
#define DEVICES_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

#define SERIAL_RX_QUEUE 4096	/* bytes waiting behind the 16-byte FIFO */

struct serial {
	struct vm *vm;		/* for the IRQ line; NULL in unit tests */
	int out_fd;		/* -1 discards output */
	int irq;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	int thre_pending;	/* THR-empty interrupt not yet read from IIR */
	int irq_level;
	uint8_t rx[SERIAL_RX_QUEUE];
	size_t rx_head, rx_len;
	uint8_t tx[256];	/* output waits here until a newline or a flush */
	size_t tx_len;
	uint64_t tx_bytes, rx_bytes;
	/* every transmitted byte also goes here (the UI's serial console) */
	void (*sink)(void *opaque, const uint8_t *buf, size_t n);
	void *sink_opaque;
};

/* Registers COM1 (0x3f8-0x3ff, IRQ 4) on the VM's port bus. */
struct serial *serial_create(struct vm *vm, int out_fd);
void serial_destroy(struct serial *s);
/* Queues received bytes; returns how many fit (the caller keeps the rest). */
size_t serial_receive(struct serial *s, const uint8_t *buf, size_t n);
size_t serial_rx_space(const struct serial *s);
bool serial_rx_ready(const struct serial *s);
void serial_flush(struct serial *s);
/* The port handler, for the bus and for unit tests. */
struct bus_access;
void serial_io(void *opaque, struct bus_access *a);

#endif
