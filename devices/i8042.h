/* SPDX-License-Identifier: MIT */
/*
 * The 8042 keyboard controller (ports 0x60/0x64, IRQ 1) with an AT
 * keyboard behind it.  The host hands over keys as scancode set 1 bytes;
 * the keyboard sends them in its current set (2 after reset) and the
 * controller translates set 2 back to set 1 when the command byte says so,
 * as a PC does.  Keys wait in a bounded host queue: i8042_push() takes a
 * whole key or nothing, so the caller knows when to wait.
 */
#ifndef DEVICES_I8042_H
#define DEVICES_I8042_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct device_host;
struct bus_access;

#define I8042_DATA_PORT		0x60
#define I8042_CMD_PORT		0x64
#define I8042_IRQ		1
#define I8042_AUX_IRQ		12
#define I8042_HOST_QUEUE	1024	/* set-1 bytes typed but not yet sent */

/* status register (port 0x64 read) */
#define I8042_STR_OBF		0x01	/* output buffer full */
#define I8042_STR_IBF		0x02	/* input buffer full (never: we are fast) */
#define I8042_STR_SYS		0x04	/* system flag, from the command byte */
#define I8042_STR_A2		0x08	/* last write went to 0x64 */
#define I8042_STR_INH		0x10	/* 1 = keyboard not inhibited */
#define I8042_STR_AUXDATA	0x20	/* the output buffer holds AUX port data */
#define I8042_STR_TIMEOUT	0x40	/* ...which is the controller's 0xFE: no device answered */

/* command byte (controller RAM byte 0) */
#define I8042_CB_INT		0x01	/* IRQ 1 when the output buffer fills */
#define I8042_CB_INT2		0x02	/* IRQ 12 for AUX data (loop-back, time-outs; no mouse) */
#define I8042_CB_SYS		0x04
#define I8042_CB_KBD_OFF	0x10	/* keyboard clock disabled */
#define I8042_CB_AUX_OFF	0x20
#define I8042_CB_XLAT		0x40	/* translate set 2 to set 1 */

/* output port (0xD0 read / 0xD1 write) */
#define I8042_OP_RESET		0x01	/* 0 holds the CPU in reset */
#define I8042_OP_A20		0x02

struct i8042 {
	struct device_host *host;	/* IRQ line and reset; NULL in unit tests */
	uint8_t ram[32];	/* ram[0] is the command byte */
	uint8_t outport;
	uint8_t status_a2;
	uint8_t pending_cmd;	/* controller command waiting for its data byte */
	bool obf;
	uint8_t out;		/* the output buffer */
	bool out_aux;		/* ...holds a byte from the AUX port */
	bool out_timeout;	/* ...the 0xFE of a byte no AUX device took */
	int irq_level, irq12_level;

	/* controller's own answers, ahead of anything from the keyboard */
	uint8_t ctl_q[8];
	unsigned int ctl_len;
	uint8_t ctl_aux;	/* bit i: ctl_q[i] is AUX data (0xD3 loop-back) */
	uint8_t ctl_timeout;	/* bit i: ctl_q[i] is an AUX time-out's 0xFE */

	/* the keyboard */
	uint8_t kbd_q[16];	/* answers and converted scancodes, in order */
	unsigned int kbd_head, kbd_len;
	uint8_t kbd_pending;	/* keyboard command waiting for its parameter */
	uint8_t scanset;	/* 1 or 2 */
	bool scanning;
	bool opened;		/* the guest's driver enabled the keyboard once */
	uint8_t leds, typematic, last_sent;
	bool xlat_break;	/* translation saw 0xF0: next byte is a break */

	/* host side: set-1 bytes of whole keys, delivered once opened */
	uint8_t host_q[I8042_HOST_QUEUE];
	size_t host_head, host_len;

	uint64_t keys, bytes_read;
};

/* Registers ports 0x60 and 0x64; h may be NULL (unit tests). */
struct i8042 *i8042_create(struct device_host *h);
void i8042_destroy(struct i8042 *k);
/* Queues one key's set-1 bytes; false (nothing queued) when they do not fit. */
bool i8042_push(struct i8042 *k, const uint8_t *set1, size_t n);
size_t i8042_queued(const struct i8042 *k);
/* The guest's driver has enabled the keyboard and unmasked its interrupt. */
bool i8042_ready(const struct i8042 *k);
/* The port handler (0x60 at off 0, 0x64 at off 4), for the bus and tests. */
void i8042_io(void *opaque, struct bus_access *a);
/* Set-1 make code -> set-2 make code (0 for none); and the translation. */
uint8_t i8042_set1_to_set2(uint8_t make);
uint8_t i8042_translate(uint8_t set2);

#endif
