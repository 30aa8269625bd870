/* SPDX-License-Identifier: MIT */
#ifndef DEVICES_SERIAL_H
#define DEVICES_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct device_host;

#define SERIAL_RX_QUEUE 4096	/* bytes waiting behind the 16-byte FIFO */
#define SERIAL_TX_QUEUE 4096	/* bytes sent but not yet taken by the host */

struct serial {
	struct device_host *host;	/* for the IRQ line; NULL in unit tests */
	int irq;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending;	/* THR-empty interrupt not yet read from IIR */
	int irq_level;
	uint8_t rx[SERIAL_RX_QUEUE];
	size_t rx_head, rx_len;
	uint8_t tx[SERIAL_TX_QUEUE];
	size_t tx_head, tx_len;
	void (*tx_notify)(void *opaque);	/* NULL: output is discarded */
	void *tx_opaque;
	bool tx_notified;	/* tx_notify called since the last take */
	uint64_t tx_bytes, rx_bytes;
	uint64_t tx_overruns;	/* THR written while the guest was told "busy" */
};

/* Registers COM1 (0x3f8-0x3ff, IRQ 4) on the VM's port bus. */
struct serial *serial_create(struct device_host *h);
void serial_destroy(struct serial *s);

/*
 * The host side.  Every call below is made with the VM's io_lock held, like a
 * port access.
 */
/* Queues received bytes; returns how many fit (the caller keeps the rest). */
size_t serial_receive(struct serial *s, const uint8_t *buf, size_t n);
size_t serial_rx_space(const struct serial *s);
bool serial_rx_ready(const struct serial *s);
/*
 * Transmission.  Until a consumer attaches, what the guest sends is
 * discarded at once.  Once one is attached, sent bytes wait in a queue of
 * SERIAL_TX_QUEUE bytes; while it is full the UART reports "transmitter
 * busy" (LSR THRE and TEMT clear), so a driver that polls LSR or waits for
 * the THRE interrupt waits and nothing is lost.  notify(opaque) is called
 * (with io_lock held; it must not block) when a line is complete or the
 * queue is half full, at most once between two takes.
 */
void serial_tx_attach(struct serial *s, void (*notify)(void *opaque), void *opaque);
/* Moves up to n queued bytes to buf; the space freed ends a "busy" spell. */
size_t serial_tx_take(struct serial *s, uint8_t *buf, size_t n);
size_t serial_tx_queued(const struct serial *s);

/* The port handler, for the bus and for unit tests. */
struct bus_access;
void serial_io(void *opaque, struct bus_access *a);

#endif
