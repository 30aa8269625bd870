// SPDX-License-Identifier: MIT
/* The 8042 state machine, driven through its port handler. */
#include "../../devices/i8042.h"
#include "../../vmm/bus.h"
#include "../unit.h"

static struct i8042 *k;

static void out(uint16_t port, uint8_t v)
{
	struct bus_access a = { .addr = port, .size = 1, .write = true, .data = &v };

	i8042_io(k, &a);
}

static uint8_t in(uint16_t port)
{
	uint8_t v = 0;
	struct bus_access a = { .addr = port, .size = 1, .data = &v };

	i8042_io(k, &a);
	return v;
}

/* Next byte of the output buffer, or -1 when it is empty. */
static int next(void)
{
	return in(0x64) & I8042_STR_OBF ? in(0x60) : -1;
}

static void fresh(void)
{
	i8042_destroy(k);
	k = i8042_create(NULL);
}

/* The sequence a driver runs: open the keyboard with IRQ 1 and translation. */
static void open_kbd(void)
{
	out(0x64, 0x60);
	out(0x60, I8042_CB_INT | I8042_CB_SYS | I8042_CB_XLAT);
	out(0x64, 0xae);
}

static void status_and_command_byte(void)
{
	fresh();
	EXPECT_EQ(in(0x64) & (I8042_STR_OBF | I8042_STR_IBF), 0);
	EXPECT(in(0x64) & I8042_STR_SYS);
	out(0x64, 0x20);
	EXPECT(in(0x64) & I8042_STR_A2);	/* last write was a command */
	EXPECT(in(0x64) & I8042_STR_OBF);
	EXPECT_EQ(in(0x60), 0x65);		/* INT, SYS, AUX off, XLAT */
	EXPECT_EQ(next(), -1);
	out(0x64, 0x60);
	out(0x60, 0x00);
	EXPECT_EQ(in(0x64) & I8042_STR_A2, 0);
	EXPECT_EQ(in(0x64) & I8042_STR_SYS, 0);
	out(0x64, 0x20);
	EXPECT_EQ(next(), 0x00);
	/* other controller RAM bytes, and bit 7 of the command byte stays 0 */
	out(0x64, 0x65);
	out(0x60, 0x5a);
	out(0x64, 0x25);
	EXPECT_EQ(next(), 0x5a);
	out(0x64, 0x60);
	out(0x60, 0xff);
	out(0x64, 0x20);
	EXPECT_EQ(next(), 0x7f);
}

static void self_tests(void)
{
	fresh();
	out(0x64, 0xaa);
	EXPECT_EQ(next(), 0x55);
	out(0x64, 0xab);
	EXPECT_EQ(next(), 0x00);
	out(0x64, 0xe0);
	EXPECT_EQ(next(), 0x00);
	EXPECT_EQ(next(), -1);
}

static void a20_and_output_port(void)
{
	fresh();
	out(0x64, 0xd0);
	EXPECT_EQ(next() & 0x03, 0x03);		/* running, A20 on */
	out(0x64, 0xdd);
	out(0x64, 0xd0);
	EXPECT_EQ(next() & 0x03, 0x01);
	out(0x64, 0xdf);
	out(0x64, 0xd0);
	EXPECT_EQ(next() & 0x03, 0x03);
	/* the classic A20 sequence: 0xD1, then the port value on 0x60 */
	out(0x64, 0xd1);
	out(0x60, 0xdd);
	EXPECT_EQ(k->outport & I8042_OP_A20, 0);
	out(0x64, 0xd1);
	out(0x60, 0xdf);
	EXPECT(k->outport & I8042_OP_A20);
	/* the data byte did not reach the keyboard */
	EXPECT_EQ(next(), -1);
}

static void keyboard_commands(void)
{
	fresh();
	out(0x64, 0x60);
	out(0x60, I8042_CB_INT);	/* no translation: raw keyboard bytes */
	out(0x60, 0xff);
	EXPECT_EQ(next(), 0xfa);
	EXPECT_EQ(next(), 0xaa);
	out(0x60, 0xee);
	EXPECT_EQ(next(), 0xee);
	out(0x60, 0xf2);
	EXPECT_EQ(next(), 0xfa);
	EXPECT_EQ(next(), 0xab);
	EXPECT_EQ(next(), 0x83);
	out(0x60, 0xed);
	EXPECT_EQ(next(), 0xfa);
	out(0x60, 0x07);
	EXPECT_EQ(next(), 0xfa);
	EXPECT_EQ(k->leds, 7);
	out(0x60, 0xf3);
	EXPECT_EQ(next(), 0xfa);
	out(0x60, 0x20);
	EXPECT_EQ(next(), 0xfa);
	EXPECT_EQ(k->typematic, 0x20);
	out(0x60, 0xf0);
	EXPECT_EQ(next(), 0xfa);
	out(0x60, 0x00);
	EXPECT_EQ(next(), 0xfa);
	EXPECT_EQ(next(), 0x02);
	out(0x60, 0xf0);
	out(0x60, 0x01);
	EXPECT_EQ(next(), 0xfa);
	EXPECT_EQ(next(), 0xfa);
	EXPECT_EQ(k->scanset, 1);
	out(0x60, 0xf0);
	out(0x60, 0x03);		/* set 3 is refused */
	EXPECT_EQ(next(), 0xfa);
	EXPECT_EQ(next(), 0xfe);
	EXPECT_EQ(k->scanset, 1);
	out(0x60, 0xf5);
	EXPECT_EQ(next(), 0xfa);
	EXPECT(!k->scanning);
	out(0x60, 0xf4);
	EXPECT_EQ(next(), 0xfa);
	EXPECT(k->scanning);
	out(0x60, 0xf6);
	EXPECT_EQ(next(), 0xfa);
	EXPECT_EQ(k->scanset, 2);
	out(0x60, 0x42);		/* no such command */
	EXPECT_EQ(next(), 0xfe);
	out(0x60, 0xfe);		/* resend: the last answer again */
	EXPECT_EQ(next(), 0xfe);
}

static void translation_of_answers(void)
{
	fresh();
	open_kbd();
	/* translated: identify gives AB 41, "get set 2" gives 41 */
	out(0x60, 0xf2);
	EXPECT_EQ(next(), 0xfa);
	EXPECT_EQ(next(), 0xab);
	EXPECT_EQ(next(), 0x41);
	out(0x60, 0xf0);
	out(0x60, 0x00);
	EXPECT_EQ(next(), 0xfa);
	EXPECT_EQ(next(), 0xfa);
	EXPECT_EQ(next(), 0x41);
}

static const uint8_t key_a[] = { 0x1e, 0x9e };
static const uint8_t key_up[] = { 0xe0, 0x48, 0xe0, 0xc8 };

static void scancodes_by_set(void)
{
	/* set 2 + translation = set 1, as the guest sees a PC keyboard */
	fresh();
	open_kbd();
	EXPECT(i8042_push(k, key_up, sizeof(key_up)));
	EXPECT(i8042_push(k, key_a, sizeof(key_a)));
	EXPECT_EQ(next(), 0xe0);
	EXPECT_EQ(next(), 0x48);
	EXPECT_EQ(next(), 0xe0);
	EXPECT_EQ(next(), 0xc8);
	EXPECT_EQ(next(), 0x1e);
	EXPECT_EQ(next(), 0x9e);
	EXPECT_EQ(next(), -1);

	/* translation off: the keyboard's set 2 with F0 breaks */
	out(0x64, 0x60);
	out(0x60, I8042_CB_INT);
	EXPECT(i8042_push(k, key_up, sizeof(key_up)));
	EXPECT(i8042_push(k, key_a, sizeof(key_a)));
	const uint8_t want2[] = { 0xe0, 0x75, 0xe0, 0xf0, 0x75, 0x1c, 0xf0, 0x1c };

	for (size_t i = 0; i < sizeof(want2); i++)
		EXPECT_EQ(next(), want2[i]);

	/* set 1 without translation: set 1 as typed */
	out(0x60, 0xf0);
	out(0x60, 0x01);
	EXPECT_EQ(next(), 0xfa);
	EXPECT_EQ(next(), 0xfa);
	EXPECT(i8042_push(k, key_a, sizeof(key_a)));
	EXPECT_EQ(next(), 0x1e);
	EXPECT_EQ(next(), 0x9e);
	EXPECT_EQ(next(), -1);
}

static void translation_table(void)
{
	/* every set-1 key survives the trip set 1 -> set 2 -> translation */
	int n = 0;

	for (unsigned int c = 1; c < 0x59; c++) {
		uint8_t s2 = i8042_set1_to_set2((uint8_t)c);

		if (!s2)
			continue;
		n++;
		EXPECT_EQ(i8042_translate(s2), c);
	}
	EXPECT(n >= 85);
	EXPECT_EQ(i8042_set1_to_set2(0x1c), 0x5a);	/* Enter */
	EXPECT_EQ(i8042_set1_to_set2(0x1d), 0x14);	/* Ctrl */
	EXPECT_EQ(i8042_set1_to_set2(0x58), 0x07);	/* F12 */
	EXPECT_EQ(i8042_translate(0x83), 0x41);		/* F7's odd code */
	EXPECT_EQ(i8042_translate(0xfa), 0xfa);		/* answers pass */
}

static void irq_line_follows_output_buffer(void)
{
	fresh();
	open_kbd();
	EXPECT_EQ(k->irq_level, 0);
	EXPECT(i8042_push(k, key_a, sizeof(key_a)));
	EXPECT_EQ(k->irq_level, 1);
	EXPECT_EQ(in(0x64) & 1, 1);
	/* reading the byte drops the line; the next byte raises it again */
	uint8_t v = 0;
	struct bus_access a = { .addr = 0x60, .size = 1, .data = &v };

	k->irq_level = 1;
	i8042_io(k, &a);
	EXPECT_EQ(v, 0x1e);
	EXPECT_EQ(k->irq_level, 1);	/* 0x9e is there already */
	EXPECT_EQ(next(), 0x9e);
	EXPECT_EQ(k->irq_level, 0);
	/* with INT off, bytes come but the line stays low */
	out(0x64, 0x60);
	out(0x60, I8042_CB_XLAT);
	EXPECT(i8042_push(k, key_a, sizeof(key_a)));
	EXPECT_EQ(in(0x64) & 1, 1);
	EXPECT_EQ(k->irq_level, 0);
	/* controller answers raise IRQ 1 too, as the line follows OBF */
	fresh();
	open_kbd();
	out(0x64, 0xaa);
	EXPECT_EQ(k->irq_level, 1);
	EXPECT_EQ(next(), 0x55);
	EXPECT_EQ(k->irq_level, 0);
}

static void enable_disable(void)
{
	fresh();
	/* type-ahead: keys wait until the guest's driver opens the keyboard */
	EXPECT(i8042_push(k, key_a, sizeof(key_a)));
	EXPECT_EQ(next(), -1);
	EXPECT(!i8042_ready(k));
	open_kbd();
	EXPECT(i8042_ready(k));
	EXPECT_EQ(next(), 0x1e);
	EXPECT_EQ(next(), 0x9e);
	/* 0xAD stops the keyboard's bytes, 0xAE lets them through again */
	out(0x64, 0xad);
	EXPECT(!i8042_ready(k));
	EXPECT(i8042_push(k, key_a, sizeof(key_a)));
	EXPECT_EQ(next(), -1);
	out(0x64, 0x20);
	EXPECT_EQ(next() & I8042_CB_KBD_OFF, I8042_CB_KBD_OFF);
	out(0x64, 0xae);
	EXPECT_EQ(next(), 0x1e);
	EXPECT_EQ(next(), 0x9e);
	/* scanning off (0xF5): typed keys wait, answers still come */
	out(0x60, 0xf5);
	EXPECT_EQ(next(), 0xfa);
	EXPECT(i8042_push(k, key_a, sizeof(key_a)));
	EXPECT_EQ(next(), -1);
	out(0x60, 0xf4);
	EXPECT_EQ(next(), 0xfa);
	EXPECT_EQ(next(), 0x1e);
	EXPECT_EQ(next(), 0x9e);
	/*
	 * A keyboard reset answers after the byte already in the output
	 * buffer, and keeps what is still queued on the host side.
	 */
	EXPECT(i8042_push(k, key_a, sizeof(key_a)));
	EXPECT(i8042_push(k, key_a, sizeof(key_a)));
	EXPECT_EQ(next(), 0x1e);
	out(0x60, 0xff);
	EXPECT_EQ(next(), 0x9e);
	EXPECT_EQ(next(), 0xfa);
	EXPECT_EQ(next(), 0xaa);
	EXPECT_EQ(next(), 0x1e);
	EXPECT_EQ(next(), 0x9e);
	EXPECT_EQ(next(), -1);
}

static void queue_bounded_never_partial(void)
{
	fresh();
	size_t keys = 0;

	while (i8042_push(k, key_up, sizeof(key_up)))
		keys++;
	EXPECT_EQ(keys, I8042_HOST_QUEUE / sizeof(key_up));
	EXPECT_EQ(i8042_queued(k), I8042_HOST_QUEUE);
	/* a key that does not fit is refused whole */
	EXPECT(!i8042_push(k, key_a, sizeof(key_a)));
	open_kbd();
	size_t bytes = 0;

	while (next() >= 0)
		bytes++;
	EXPECT_EQ(bytes, I8042_HOST_QUEUE);
	EXPECT_EQ(i8042_queued(k), 0);
	EXPECT(i8042_push(k, key_a, sizeof(key_a)));
}

static void odd_sizes_and_write_port(void)
{
	fresh();
	uint8_t d[4] = { 0 };
	struct bus_access a = { .addr = 0x60, .size = 2, .data = d };

	i8042_io(k, &a);
	EXPECT_EQ(d[0] & d[1], 0xff);
	/* 0xD2: a byte for the guest as if the keyboard had sent it */
	out(0x64, 0xd2);
	out(0x60, 0x33);
	EXPECT_EQ(next(), 0x33);
}

/*
 * No mouse: a byte for the AUX device (0xD4) comes back as the
 * controller's 0xFE on the AUX side with the time-out bit, on IRQ 12,
 * so a driver's probe ends at once instead of waiting for an answer.
 */
static void aux_write_times_out(void)
{
	fresh();
	out(0x64, 0x60);
	out(0x60, I8042_CB_INT | I8042_CB_INT2 | I8042_CB_XLAT);
	out(0x64, 0xd4);
	EXPECT_EQ(in(0x64) & I8042_STR_OBF, 0);
	out(0x60, 0xff);			/* reset, to the mouse */
	EXPECT_EQ(in(0x64) & (I8042_STR_OBF | I8042_STR_AUXDATA | I8042_STR_TIMEOUT),
		  I8042_STR_OBF | I8042_STR_AUXDATA | I8042_STR_TIMEOUT);
	EXPECT_EQ(k->irq12_level, 1);
	EXPECT_EQ(k->irq_level, 0);
	EXPECT_EQ(in(0x60), 0xfe);
	EXPECT_EQ(in(0x64) & (I8042_STR_OBF | I8042_STR_TIMEOUT), 0);
	EXPECT_EQ(k->irq12_level, 0);
	/* the loop-back is a byte the device "sent": no time-out */
	out(0x64, 0xd3);
	out(0x60, 0xfe);
	EXPECT_EQ(in(0x64) & (I8042_STR_AUXDATA | I8042_STR_TIMEOUT), I8042_STR_AUXDATA);
	EXPECT_EQ(next(), 0xfe);
	/* nor a keyboard answer after a time-out */
	out(0x64, 0xd4);
	out(0x60, 0xf2);
	out(0x60, 0xee);			/* echo, to the keyboard */
	EXPECT_EQ(next(), 0xfe);
	EXPECT_EQ(in(0x64) & (I8042_STR_AUXDATA | I8042_STR_TIMEOUT), 0);
	EXPECT_EQ(next(), 0xee);
}

int main(void)
{
	RUN(status_and_command_byte);
	RUN(self_tests);
	RUN(a20_and_output_port);
	RUN(keyboard_commands);
	RUN(translation_of_answers);
	RUN(scancodes_by_set);
	RUN(translation_table);
	RUN(irq_line_follows_output_buffer);
	RUN(enable_disable);
	RUN(queue_bounded_never_partial);
	RUN(odd_sizes_and_write_port);
	RUN(aux_write_times_out);
	i8042_destroy(k);
	UNIT_EXIT();
}
