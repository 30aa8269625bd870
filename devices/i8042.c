// SPDX-License-Identifier: MIT
/*
 * The 8042 keyboard controller and its AT keyboard.
 *
 * One output buffer feeds the guest.  It refills, in order of priority,
 * from the controller's own answers, then from the keyboard's queue
 * (answers to keyboard commands, then scancodes).  IRQ 1 follows the
 * output buffer while the command byte enables it: the line falls when the
 * guest reads port 0x60 and rises again with the next byte, so an
 * edge-triggered PIC sees one edge per byte, as on a PC.
 *
 * Keys typed before the guest's driver first enables the keyboard (0xAE,
 * 0xF4, or a command byte with the interrupt on) wait in the host queue
 * instead of landing in an output buffer that start-up code flushes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vmm/bus.h"
#include "../vmm/json.h"
#include "../vmm/state.h"
#include "../vmm/device.h"
#include "i8042.h"

#define KBD_ACK		0xfa
#define KBD_RESEND	0xfe
#define KBD_BAT_OK	0xaa
#define KBD_ECHO	0xee
#define KBD_BREAK2	0xf0	/* set 2 break prefix */

/* Power-on state as a BIOS leaves it: translation on, IRQ 1 on. */
#define CB_DEFAULT	(I8042_CB_INT | I8042_CB_SYS | I8042_CB_XLAT | I8042_CB_AUX_OFF)

/*
 * Set-1 make code -> set-2 make code, the keyboard's own two numberings
 * of the same keys; the same base codes serve the 0xE0-prefixed keys.
 */
static const uint8_t set1_to_set2[0x59] = {
	[0x01] = 0x76, [0x02] = 0x16, [0x03] = 0x1e, [0x04] = 0x26,
	[0x05] = 0x25, [0x06] = 0x2e, [0x07] = 0x36, [0x08] = 0x3d,
	[0x09] = 0x3e, [0x0a] = 0x46, [0x0b] = 0x45, [0x0c] = 0x4e,
	[0x0d] = 0x55, [0x0e] = 0x66, [0x0f] = 0x0d, [0x10] = 0x15,
	[0x11] = 0x1d, [0x12] = 0x24, [0x13] = 0x2d, [0x14] = 0x2c,
	[0x15] = 0x35, [0x16] = 0x3c, [0x17] = 0x43, [0x18] = 0x44,
	[0x19] = 0x4d, [0x1a] = 0x54, [0x1b] = 0x5b, [0x1c] = 0x5a,
	[0x1d] = 0x14, [0x1e] = 0x1c, [0x1f] = 0x1b, [0x20] = 0x23,
	[0x21] = 0x2b, [0x22] = 0x34, [0x23] = 0x33, [0x24] = 0x3b,
	[0x25] = 0x42, [0x26] = 0x4b, [0x27] = 0x4c, [0x28] = 0x52,
	[0x29] = 0x0e, [0x2a] = 0x12, [0x2b] = 0x5d, [0x2c] = 0x1a,
	[0x2d] = 0x22, [0x2e] = 0x21, [0x2f] = 0x2a, [0x30] = 0x32,
	[0x31] = 0x31, [0x32] = 0x3a, [0x33] = 0x41, [0x34] = 0x49,
	[0x35] = 0x4a, [0x36] = 0x59, [0x37] = 0x7c, [0x38] = 0x11,
	[0x39] = 0x29, [0x3a] = 0x58, [0x3b] = 0x05, [0x3c] = 0x06,
	[0x3d] = 0x04, [0x3e] = 0x0c, [0x3f] = 0x03, [0x40] = 0x0b,
	[0x41] = 0x83, [0x42] = 0x0a, [0x43] = 0x01, [0x44] = 0x09,
	[0x45] = 0x77, [0x46] = 0x7e, [0x47] = 0x6c, [0x48] = 0x75,
	[0x49] = 0x7d, [0x4a] = 0x7b, [0x4b] = 0x6b, [0x4c] = 0x73,
	[0x4d] = 0x74, [0x4e] = 0x79, [0x4f] = 0x69, [0x50] = 0x72,
	[0x51] = 0x7a, [0x52] = 0x70, [0x53] = 0x71, [0x54] = 0x84,
	[0x56] = 0x61, [0x57] = 0x78, [0x58] = 0x07,
};

uint8_t i8042_set1_to_set2(uint8_t make)
{
	return make < sizeof(set1_to_set2) ? set1_to_set2[make] : 0;
}

/*
 * The controller's translation, the inverse of the table above.  Codes no
 * key has pass through, except the ones a real controller also maps
 * (0x02 -> 0x41, so "get scancode set" answers 0x43/0x41/0x3f).
 */
uint8_t i8042_translate(uint8_t set2)
{
	if (set2 == 0x02)
		return 0x41;
	for (unsigned int c = 1; c < sizeof(set1_to_set2); c++)
		if (set1_to_set2[c] == set2)
			return (uint8_t)c;
	return set2;
}

static int kbd_irq_level(const struct i8042 *k)
{
	return k->obf && !k->out_aux && (k->ram[0] & I8042_CB_INT);
}

static int aux_irq_level(const struct i8042 *k)
{
	return k->obf && k->out_aux && (k->ram[0] & I8042_CB_INT2);
}

/* IRQ 1 for keyboard bytes, IRQ 12 for AUX bytes, as the command byte allows. */
static void update_irq(struct i8042 *k)
{
	int level = kbd_irq_level(k), aux = aux_irq_level(k);

	if (level != k->irq_level) {
		k->irq_level = level;
		dev_irq_set(k->host, I8042_IRQ, level);
	}
	if (aux != k->irq12_level) {
		k->irq12_level = aux;
		dev_irq_set(k->host, I8042_AUX_IRQ, aux);
	}
}

static void kbd_put(struct i8042 *k, uint8_t v)
{
	if (k->kbd_len == sizeof(k->kbd_q))
		return;		/* the keyboard's own buffer: full means overrun */
	k->kbd_q[(k->kbd_head + k->kbd_len++) % sizeof(k->kbd_q)] = v;
}

static int kbd_get(struct i8042 *k)
{
	if (!k->kbd_len)
		return -1;
	uint8_t v = k->kbd_q[k->kbd_head];

	k->kbd_head = (k->kbd_head + 1) % sizeof(k->kbd_q);
	k->kbd_len--;
	return v;
}

static void ctl_put_from(struct i8042 *k, uint8_t v, bool aux, bool timeout)
{
	if (k->ctl_len >= sizeof(k->ctl_q))
		return;
	uint8_t bit = (uint8_t)(1u << k->ctl_len);

	k->ctl_aux = (uint8_t)((k->ctl_aux & ~bit) | (aux ? bit : 0));
	k->ctl_timeout = (uint8_t)((k->ctl_timeout & ~bit) | (timeout ? bit : 0));
	k->ctl_q[k->ctl_len++] = v;
}

static void ctl_put(struct i8042 *k, uint8_t v)
{
	ctl_put_from(k, v, false, false);
}

/* One set-1 byte of a typed key, as the keyboard sends it in its set. */
static void kbd_scan(struct i8042 *k, uint8_t b)
{
	if (k->scanset == 1 || b == 0xe0 || b == 0xe1) {
		kbd_put(k, b);
		return;
	}
	uint8_t c = i8042_set1_to_set2(b & 0x7f);

	if (!c)
		return;		/* no such key in set 2 */
	if (b & 0x80)
		kbd_put(k, KBD_BREAK2);
	kbd_put(k, c);
}

static bool kbd_can_send(const struct i8042 *k)
{
	return !(k->ram[0] & I8042_CB_KBD_OFF);
}

/* Moves the next byte into the empty output buffer, if there is one. */
static void refill(struct i8042 *k)
{
	while (!k->obf) {
		if (k->ctl_len) {
			k->out = k->ctl_q[0];
			k->out_aux = k->ctl_aux & 1;
			k->out_timeout = k->ctl_timeout & 1;
			k->ctl_aux >>= 1;
			k->ctl_timeout >>= 1;
			memmove(k->ctl_q, k->ctl_q + 1, --k->ctl_len);
			k->obf = true;
			break;
		}
		if (!kbd_can_send(k))
			break;
		/* the keyboard scans the next typed byte once it has room */
		if (!k->kbd_len && !k->kbd_pending && k->scanning && k->opened &&
		    k->host_len) {
			uint8_t b = k->host_q[k->host_head];

			k->host_head = (k->host_head + 1) % I8042_HOST_QUEUE;
			k->host_len--;
			kbd_scan(k, b);
		}
		int v = kbd_get(k);

		if (v < 0)
			break;
		if (k->ram[0] & I8042_CB_XLAT) {
			if (v == KBD_BREAK2) {
				k->xlat_break = true;
				continue;
			}
			v = i8042_translate((uint8_t)v);
			if (k->xlat_break && v < 0x80)
				v |= 0x80;
			k->xlat_break = false;
		}
		k->out = (uint8_t)v;
		k->out_aux = false;
		k->out_timeout = false;
		k->obf = true;
	}
	update_irq(k);
}

static void kbd_reset_state(struct i8042 *k)
{
	k->scanset = 2;
	k->scanning = true;
	k->leds = 0;
	k->typematic = 0x2b;
	k->kbd_len = 0;
	k->kbd_pending = 0;
	k->xlat_break = false;
}

static void kbd_answer(struct i8042 *k, uint8_t v)
{
	kbd_put(k, v);
	k->last_sent = v;
}

/* A byte the guest wrote to 0x60 for the keyboard. */
/* The parameter byte of ED (LEDs), F3 (typematic) or F0 (scan code set). */
static void kbd_parameter(struct i8042 *k, uint8_t pending, uint8_t v)
{
	switch (pending) {
	case 0xed:
		k->leds = v & 7;
		break;
	case 0xf3:
		k->typematic = v & 0x7f;
		break;
	case 0xf0:
		if (v == 0) {
			kbd_answer(k, KBD_ACK);
			kbd_answer(k, k->scanset);
			return;
		}
		if (v > 2) {	/* set 3 is not offered */
			kbd_answer(k, KBD_RESEND);
			return;
		}
		k->scanset = v;
		break;
	}
	kbd_answer(k, KBD_ACK);
}

static void kbd_command(struct i8042 *k, uint8_t v)
{
	uint8_t pending = k->kbd_pending;

	k->kbd_pending = 0;
	/* a command byte (ED and up) cancels a pending parameter */
	if (pending && v < 0xed) {
		kbd_parameter(k, pending, v);
		return;
	}
	switch (v) {
	case 0xff:
		kbd_reset_state(k);
		kbd_answer(k, KBD_ACK);
		kbd_answer(k, KBD_BAT_OK);
		break;
	case 0xfe:
		kbd_put(k, k->last_sent);
		break;
	case 0xf6:		/* defaults, scanning as it was */
		kbd_reset_state(k);
		kbd_answer(k, KBD_ACK);
		break;
	case 0xf5:
		kbd_reset_state(k);
		k->scanning = false;
		kbd_answer(k, KBD_ACK);
		break;
	case 0xf4:
		k->scanning = true;
		k->opened = true;
		kbd_answer(k, KBD_ACK);
		break;
	case 0xf2:
		kbd_answer(k, KBD_ACK);
		kbd_answer(k, 0xab);
		kbd_answer(k, 0x83);
		break;
	case 0xf3:
	case 0xf0:
	case 0xed:
		k->kbd_pending = v;
		kbd_answer(k, KBD_ACK);
		break;
	case 0xee:
		kbd_answer(k, KBD_ECHO);
		break;
	default:
		kbd_answer(k, KBD_RESEND);
	}
}

static void controller_data(struct i8042 *k, uint8_t cmd, uint8_t v)
{
	if (cmd >= 0x60 && cmd < 0x80) {
		k->ram[cmd - 0x60] = cmd == 0x60 ? v & 0x7f : v;
		if (cmd == 0x60 && (v & I8042_CB_INT) && !(v & I8042_CB_KBD_OFF))
			k->opened = true;
		return;
	}
	switch (cmd) {
	case 0xd1:
		k->outport = v;
		if (!(v & I8042_OP_RESET))
			dev_reset(k->host, "8042 output port");
		break;
	case 0xd2:		/* as if the keyboard had sent it */
		ctl_put(k, v);
		break;
	case 0xd3:		/* as if the AUX device had sent it: Linux's AUX probe */
		ctl_put_from(k, v, true, false);
		break;
	case 0xd4:
		/*
		 * To the AUX device, and there is no mouse: as a PS/2
		 * controller does when no device clocks the byte in, 0xFE on
		 * the AUX side with the time-out bit.  Silence instead made
		 * Linux's psmouse wait out its timeouts (0.9 s of a boot).
		 */
		ctl_put_from(k, KBD_RESEND, true, true);
		break;
	}
}

static void controller_command(struct i8042 *k, uint8_t c)
{
	if (c >= 0x20 && c < 0x40) {
		ctl_put(k, k->ram[c - 0x20]);
		return;
	}
	if ((c >= 0x60 && c < 0x80) || (c >= 0xd1 && c <= 0xd4)) {
		k->pending_cmd = c;
		return;
	}
	switch (c) {
	case 0xa7: k->ram[0] |= I8042_CB_AUX_OFF; break;
	case 0xa8: k->ram[0] &= (uint8_t)~I8042_CB_AUX_OFF; break;
	case 0xa9: ctl_put(k, 0x00); break;	/* aux lines test: fine */
	case 0xaa: ctl_put(k, 0x55); break;	/* self-test passed */
	case 0xab: ctl_put(k, 0x00); break;	/* keyboard lines test: fine */
	case 0xad: k->ram[0] |= I8042_CB_KBD_OFF; break;
	case 0xae:
		k->ram[0] &= (uint8_t)~I8042_CB_KBD_OFF;
		k->opened = true;
		break;
	case 0xc0: ctl_put(k, 0xa0); break;	/* input port: unlocked, colour */
	case 0xd0:
		ctl_put(k, (uint8_t)((k->outport & 0x0f) | (k->obf ? 0x10 : 0)));
		break;
	case 0xdd: k->outport &= (uint8_t)~I8042_OP_A20; break;
	case 0xdf: k->outport |= I8042_OP_A20; break;
	case 0xe0: ctl_put(k, 0x00); break;	/* test inputs */
	default:
		/* 0xF0-0xFF pulse output lines; bit 0 clear pulses reset */
		if (c >= 0xf0 && !(c & 1)) {
			char how[24];

			snprintf(how, sizeof(how), "8042 pulse %#x", c);
			dev_reset(k->host, how);
		}
	}
}

static uint8_t read_status(const struct i8042 *k)
{
	return (uint8_t)((k->obf ? I8042_STR_OBF : 0) |
			 (k->obf && k->out_aux ? I8042_STR_AUXDATA : 0) |
			 (k->obf && k->out_timeout ? I8042_STR_TIMEOUT : 0) |
			 (k->ram[0] & I8042_CB_SYS) |
			 (k->status_a2 ? I8042_STR_A2 : 0) | I8042_STR_INH);
}

void i8042_io(void *opaque, struct bus_access *a)
{
	struct i8042 *k = opaque;
	bool cmd_port = a->addr == I8042_CMD_PORT;

	if (a->size != 1) {
		if (!a->write)
			bus_put(a, 0xffffffff);
		return;
	}
	if (!a->write) {
		if (cmd_port) {
			bus_put(a, read_status(k));
			return;
		}
		bus_put(a, k->out);
		if (k->obf) {
			k->obf = false;
			k->bytes_read++;
			update_irq(k);	/* the line falls... */
		}
		refill(k);		/* ...and rises with the next byte */
		return;
	}
	uint8_t v = (uint8_t)bus_get(a);

	if (cmd_port) {
		k->status_a2 = 1;
		k->pending_cmd = 0;
		controller_command(k, v);
	} else {
		k->status_a2 = 0;
		if (k->pending_cmd) {
			uint8_t c = k->pending_cmd;

			k->pending_cmd = 0;
			controller_data(k, c, v);
		} else {
			/* talking to the keyboard enables its clock */
			k->ram[0] &= (uint8_t)~I8042_CB_KBD_OFF;
			kbd_command(k, v);
		}
	}
	refill(k);
}

bool i8042_push(struct i8042 *k, const uint8_t *set1, size_t n)
{
	if (n > I8042_HOST_QUEUE - k->host_len)
		return false;
	for (size_t i = 0; i < n; i++)
		k->host_q[(k->host_head + k->host_len++) % I8042_HOST_QUEUE] = set1[i];
	k->keys++;
	refill(k);
	return true;
}

size_t i8042_queued(const struct i8042 *k)
{
	return k->host_len;
}

bool i8042_ready(const struct i8042 *k)
{
	return k->opened && k->scanning && kbd_can_send(k) &&
	       (k->ram[0] & I8042_CB_INT);
}

struct i8042 *i8042_create(struct device_host *h)
{
	struct i8042 *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->host = h;
	k->ram[0] = CB_DEFAULT;
	k->outport = I8042_OP_RESET | I8042_OP_A20;
	kbd_reset_state(k);
	if (dev_register_pio(h, I8042_DATA_PORT, 1, i8042_io, k, "i8042-data") ||
	    dev_register_pio(h, I8042_CMD_PORT, 1, i8042_io, k, "i8042-cmd")) {
		free(k);
		return NULL;
	}
	return k;
}

void i8042_destroy(struct i8042 *k)
{
	free(k);
}

static int i8042_dev_create(struct device_host *h, void **dev)
{
	*dev = i8042_create(h);
	return *dev ? 0 : VMM_EXIT_SETUP;
}

static void i8042_dev_destroy(void *dev)
{
	i8042_destroy(dev);
}

static void i8042_stats(const void *dev, struct json *j)
{
	const struct i8042 *k = dev;

	json_u64(j, "keys", k->keys);
	json_u64(j, "bytes_read", k->bytes_read);
}

/* ---- saved state ---- */

/*
 * A ring's bytes in order from its head, so that equal queues save the
 * same bytes; loaded, the queue starts at index 0.
 */
/* refill() ran after the last access: nothing waits behind an empty buffer. */
static bool settled(const struct i8042 *k)
{
	if (k->obf)
		return true;
	if (k->ctl_len)
		return false;
	if (!kbd_can_send(k))
		return true;
	return !k->kbd_len && !(k->host_len && !k->kbd_pending && k->scanning &&
				k->opened);
}

static bool i8042_consistent(const struct i8042 *k)
{
	uint8_t p = k->pending_cmd, kp = k->kbd_pending;

	return !(k->ram[0] & 0x80) && k->status_a2 <= 1 &&
	       (!p || (p >= 0x60 && p < 0x80) || (p >= 0xd1 && p <= 0xd4)) &&
	       (!kp || kp == 0xed || kp == 0xf0 || kp == 0xf3) &&
	       (k->scanset == 1 || k->scanset == 2) && k->leds <= 7 &&
	       k->typematic <= 0x7f &&
	       k->irq_level == kbd_irq_level(k) &&
	       !(k->ctl_aux >> k->ctl_len) && !(k->ctl_timeout & ~k->ctl_aux) &&
	       (!k->out_timeout || k->out_aux) &&
	       settled(k);
}

static int i8042_fields(void *dev, struct state *s)
{
	struct i8042 *k = dev;
	uint8_t ctl_len = (uint8_t)k->ctl_len, irq = (uint8_t)k->irq_level;
	size_t kbd_head = k->kbd_head, kbd_len = k->kbd_len;

	state_bytes(s, k->ram, sizeof(k->ram));
	state_u8(s, &k->outport);
	state_u8(s, &k->status_a2);
	state_u8(s, &k->pending_cmd);
	state_bool(s, &k->obf);
	state_u8(s, &k->out);
	state_u8(s, &irq);
	state_u8(s, &ctl_len);
	if (s->loading && ctl_len > sizeof(k->ctl_q))
		return state_fail(s, "the controller's queue overflows");
	state_bytes(s, k->ctl_q, ctl_len);
	if (state_ring(s, k->kbd_q, sizeof(k->kbd_q), &kbd_head, &kbd_len) ||
	    state_ring(s, k->host_q, sizeof(k->host_q), &k->host_head, &k->host_len))
		return -1;
	state_u8(s, &k->kbd_pending);
	state_u8(s, &k->scanset);
	state_bool(s, &k->scanning);
	state_bool(s, &k->opened);
	state_u8(s, &k->leds);
	state_u8(s, &k->typematic);
	state_u8(s, &k->last_sent);
	state_bool(s, &k->xlat_break);
	state_bool(s, &k->out_aux);
	state_u8(s, &k->ctl_aux);
	STATE_SINCE(s, 2, &k->out_timeout, false);	/* 2: AUX time-outs; before, none */
	STATE_SINCE(s, 2, &k->ctl_timeout, 0);
	if (!s->loading || s->bad)
		return 0;
	k->ctl_len = ctl_len;
	k->irq_level = irq;
	k->irq12_level = aux_irq_level(k);
	k->kbd_head = (unsigned int)kbd_head;
	k->kbd_len = (unsigned int)kbd_len;
	return i8042_consistent(k) ? 0 :
	       state_fail(s, "the controller's registers or queues do not add up");
}

/* The IRQ line is not driven on load (vmm/device.h): the irqchip holds it. */
const struct device_model i8042_device = {
	.name = "i8042",
	.create = i8042_dev_create,
	.destroy = i8042_dev_destroy,
	.stats = i8042_stats,
	.fields = i8042_fields,
	.size = sizeof(struct i8042),
	.version = 2,
};
