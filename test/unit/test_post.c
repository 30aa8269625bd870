// SPDX-License-Identifier: MIT
/* POST codes on port 0x80: counted, the last one kept and read back. */
#include "../../devices/post.h"
#include "../../vmm/bus.h"
#include "../../vmm/device.h"
#include "../../vmm/state.h"
#include "../../vmm/config.h"
#include "../unit.h"

static void codes(void)
{
	static struct bus pio;
	static struct vm_config cfg;
	/* no VM: a host with a config and a port bus is all the device needs */
	struct device_host h = { .cfg = &cfg, .pio = &pio };
	void *dev = NULL;
	uint8_t v;

	EXPECT_EQ(post_device.create(&h, &dev), 0);
	EXPECT(dev == NULL);
	EXPECT_EQ(post_last(dev), -1);
	cfg.firmware.image = "bios.bin";
	EXPECT_EQ(post_device.create(&h, &dev), 0);
	EXPECT_EQ(post_last(dev), -1);			/* none yet */
	for (unsigned int c = 1; c <= 0x55; c++) {
		v = (uint8_t)c;
		EXPECT(bus_access(&pio, POST_PORT, &v, 1, true));
	}
	EXPECT_EQ(post_last(dev), 0x55);
	v = 0;
	EXPECT(bus_access(&pio, POST_PORT, &v, 1, false));
	EXPECT_EQ(v, 0x55);
	/* a word is not a code */
	uint8_t w[2] = { 0x12, 0x34 };

	EXPECT(bus_access(&pio, 0x80, w, 1, true));
	EXPECT_EQ(post_last(dev), 0x12);
	w[0] = 0x77;
	EXPECT(!bus_access(&pio, 0x80, w, 2, true));	/* 0x81 is not ours */
	EXPECT_EQ(((struct post *)dev)->codes, 0x56);
	/* state round trip */
	struct state s, l;

	state_init_save(&s);
	EXPECT_EQ(device_state(&post_device, dev, &s), 0);
	post_device.destroy(dev);
	memset(&pio, 0, sizeof(pio));
	EXPECT_EQ(post_device.create(&h, &dev), 0);
	state_init_load(&l, s.buf, s.len);
	EXPECT_EQ(device_state(&post_device, dev, &l), 0);
	EXPECT_EQ(post_last(dev), 0x12);
	state_free(&s);
	post_device.destroy(dev);
}

int main(void)
{
	RUN(codes);
	UNIT_EXIT();
}
