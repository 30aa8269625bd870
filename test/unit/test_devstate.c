// SPDX-License-Identifier: MIT
/*
 * Device state: each device driven into a state worth keeping through its
 * ports, saved, loaded into a fresh device, saved again (the same bytes),
 * then both driven on with the same accesses (the same answers); and
 * damaged records refused with the device left as it was.  ATA is in
 * test_devstate_ata.c, the device table in test_devstate_table.c.
 */
#include "../../devices/cmos.h"
#include "../../devices/debugcon.h"
#include "../../devices/firmware.h"
#include "../../devices/fw_cfg.h"
#include "../../devices/i8042.h"
#include "../../devices/post.h"
#include "../../devices/pv_disk.h"
#include "../../devices/table.h"
#include "../../devices/vga.h"
#include "../../vmm/vm.h"
#include "devstate_fixture.h"

/* ---- i8042 ---- */

static struct i8042 *kbd_a, *kbd_b;

static void kbd_twins(void)
{
	kbd_a = i8042_create(NULL);
	kbd_b = i8042_create(NULL);
	twin_a = twin_b = (struct bus){ 0 };
	EXPECT(!bus_register(&twin_a, 0x60, 1, i8042_io, kbd_a, "data"));
	EXPECT(!bus_register(&twin_a, 0x64, 1, i8042_io, kbd_a, "cmd"));
	EXPECT(!bus_register(&twin_b, 0x60, 1, i8042_io, kbd_b, "data"));
	EXPECT(!bus_register(&twin_b, 0x64, 1, i8042_io, kbd_b, "cmd"));
}

/* Reads both output buffers until empty; A's bytes into got. */
static int kbd_drain(uint8_t *got, int max)
{
	int n = 0;

	while (twin_io(0x64, 1, false, 0) & I8042_STR_OBF) {
		uint8_t v = (uint8_t)twin_io(0x60, 1, false, 0);

		if (n < max)
			got[n] = v;
		n++;
		EXPECT_EQ(kbd_a->irq_level, kbd_b->irq_level);
	}
	return n;
}

/* B lives a little first, so its queues wrap from other places. */
static void kbd_b_history(void)
{
	uint8_t v = 0xae;

	bus_access(&twin_b, 0x64, &v, 1, true);
	for (int i = 0; i < 36; i++) {
		EXPECT(i8042_push(kbd_b, (const uint8_t[]){ 0x10, 0x90 }, 2));
		while (bus_access(&twin_b, 0x64, &v, 1, false) && (v & I8042_STR_OBF))
			bus_access(&twin_b, 0x60, &v, 1, false);
	}
	v = 0xee;				/* echo: a byte left in kbd_q's ring */
	bus_access(&twin_b, 0x60, &v, 1, true);
	EXPECT(kbd_b->host_head != 0 && kbd_b->kbd_head != 0);
}

static void i8042_queued_keys_and_pending_commands(void)
{
	static const uint8_t keys[][2] = { { 0x1e, 0x9e }, { 0x30, 0xb0 }, { 0x2e, 0xae } };
	uint8_t got[64];

	kbd_twins();
	io_a(0x64, 1, true, 0x60);		/* the driver opens the keyboard */
	io_a(0x60, 1, true, I8042_CB_INT | I8042_CB_SYS | I8042_CB_XLAT);
	io_a(0x64, 1, true, 0xae);
	for (int i = 0; i < 12; i++)
		EXPECT(i8042_push(kbd_a, keys[i % 3], 2));
	for (int i = 0; i < 3; i++)
		io_a(0x60, 1, false, 0);
	io_a(0x60, 1, true, 0xed);		/* set LEDs: the parameter is due */
	io_a(0x64, 1, true, 0xd2);		/* and a controller command waits for data */
	kbd_b_history();
	round_trip(&i8042_device, kbd_a, kbd_b);
	EXPECT_EQ(kbd_b->irq_level, 1);
	EXPECT_EQ(kbd_b->host_len, 24 - 4);
	EXPECT_EQ(kbd_b->pending_cmd, 0xd2);
	EXPECT_EQ(kbd_b->kbd_pending, 0xed);

	twin_io(0x60, 1, true, 0x55);		/* the data byte of 0xD2 */
	EXPECT_EQ(kbd_drain(got, 64), 3);	/* the 4th scancode, 0x55, the ACK */
	EXPECT_EQ(got[0], 0xb0);
	EXPECT_EQ(got[1], 0x55);
	EXPECT_EQ(got[2], 0xfa);
	twin_io(0x60, 1, true, 0x02);		/* the LEDs: scanning goes on */
	EXPECT_EQ(kbd_drain(got, 64), 21);
	EXPECT_EQ(got[0], 0xfa);
	EXPECT_EQ(got[1], 0x2e);
	for (int i = 0; i < 3; i++) {
		EXPECT(i8042_push(kbd_a, keys[i], 2));
		EXPECT(i8042_push(kbd_b, keys[i], 2));
	}
	EXPECT_EQ(kbd_drain(got, 64), 6);
	EXPECT_EQ(kbd_b->leds, 2);
	round_trip(&i8042_device, kbd_a, kbd_b);
	i8042_destroy(kbd_a);
	i8042_destroy(kbd_b);
}

static void poked_refused(const struct device_model *m, void *dev, void *victim)
{
	struct state s = rec_save(m, dev);

	EXPECT_EQ(damaged_load(m, victim, s.buf, s.len, true), 1);
	state_free(&s);
}

static void i8042_damaged_state(void)
{
	struct state good;

	kbd_twins();
	io_a(0x64, 1, true, 0x60);
	io_a(0x60, 1, true, I8042_CB_INT | I8042_CB_XLAT);
	EXPECT(i8042_push(kbd_a, (const uint8_t[]){ 0x1e, 0x9e }, 2));
	io_a(0x60, 1, true, 0xf0);
	good = rec_save(&i8042_device, kbd_a);
	EXPECT(damage(&i8042_device, &good, kbd_b, 0, good.len, true) > 40);
	kbd_a->pending_cmd = 0x42;		/* no such command takes data */
	poked_refused(&i8042_device, kbd_a, kbd_b);
	kbd_a->pending_cmd = 0;
	kbd_a->irq_level = 0;			/* a full buffer with IRQ 1 on is high */
	poked_refused(&i8042_device, kbd_a, kbd_b);
	kbd_a->irq_level = 1;
	kbd_a->obf = false;			/* an empty buffer with bytes waiting */
	kbd_a->irq_level = 0;
	poked_refused(&i8042_device, kbd_a, kbd_b);
	state_free(&good);
	i8042_destroy(kbd_a);
	i8042_destroy(kbd_b);
}

/* AUX time-outs (record version 2) go and come back; version 1 had none. */
static void i8042_aux_timeout(void)
{
	struct state a, s;

	kbd_twins();
	io_a(0x64, 1, true, 0xd4);		/* to a mouse that is not there */
	io_a(0x60, 1, true, 0xff);
	io_a(0x64, 1, true, 0xd4);		/* its 0xFE waits behind the first */
	io_a(0x60, 1, true, 0xf2);
	EXPECT(kbd_a->out_timeout && kbd_a->ctl_timeout == 1);
	round_trip(&i8042_device, kbd_a, kbd_b);
	EXPECT(kbd_b->out_timeout && kbd_b->ctl_timeout == 1);
	/* read, the bytes leave their flags behind, as out_aux does */
	io_a(0x60, 1, false, 0);
	io_a(0x60, 1, false, 0);
	EXPECT(!kbd_a->obf && kbd_a->out_timeout);
	round_trip(&i8042_device, kbd_a, kbd_b);
	io_a(0x64, 1, true, 0xd4);
	io_a(0x60, 1, true, 0xff);
	io_a(0x64, 1, true, 0xd4);
	io_a(0x60, 1, true, 0xf2);

	/* as version 1 wrote it: the record without version 2's two bytes */
	a = rec_save(&i8042_device, kbd_a);
	state_init_load(&s, a.buf, a.len - 2);
	s.version = 1;
	EXPECT_EQ(device_state(&i8042_device, kbd_b, &s), 0);
	EXPECT(!kbd_b->out_timeout && !kbd_b->ctl_timeout);
	state_free(&a);

	kbd_a->ctl_timeout = 2;			/* a time-out on a keyboard byte */
	kbd_a->ctl_aux = 0;
	poked_refused(&i8042_device, kbd_a, kbd_b);
	kbd_a->ctl_aux = 1;
	kbd_a->ctl_timeout = 1;
	kbd_a->out_aux = false;			/* a time-out from the keyboard side */
	poked_refused(&i8042_device, kbd_a, kbd_b);
	i8042_destroy(kbd_a);
	i8042_destroy(kbd_b);
}

/* ---- VGA ---- */

static struct screen scr_a, scr_b;
static struct vga *vga_a, *vga_b;

static struct vga *vga_on(struct bus *b, struct screen *scr, enum vga_strategy st)
{
	struct vga *v = vga_create(NULL, scr, st, true);

	EXPECT(!bus_register(b, VMM_VGA_TEXT_GPA, VMM_VGA_TEXT_SIZE, vga_mem_io, v, "mem"));
	EXPECT(!bus_register(b, 0x3c0, 0x20, vga_port_io, v, "ports"));
	EXPECT(!bus_register(b, 0x3b4, 2, vga_port_io, v, "mono"));
	return v;
}

static void vga_twins(enum vga_strategy st)
{
	screen_init(&scr_a);
	screen_init(&scr_b);
	twin_a = twin_b = (struct bus){ 0 };
	vga_a = vga_on(&twin_a, &scr_a, st);
	vga_b = vga_on(&twin_b, &scr_b, st);
}

static void vga_untwin(void)
{
	vga_destroy(vga_a);
	vga_destroy(vga_b);
	screen_destroy(&scr_a);
	screen_destroy(&scr_b);
}

static void crtc_a(uint8_t i, uint8_t v)
{
	io_a(0x3d4, 1, true, i);
	io_a(0x3d5, 1, true, v);
}

static void vga_dac_mid_triplet_and_flip_flop(void)
{
	struct screen_frame f;

	vga_twins(VGA_TRAP);
	for (uint32_t i = 0; i < 200; i++)
		io_a(VMM_VGA_TEXT_GPA + 2 * i, 2, true, 0x1f00 | ('A' + i % 26));
	crtc_a(0x0d, 40);			/* the screen starts at cell 40 */
	crtc_a(0x0f, 45);			/* the cursor on its 6th cell */
	io_a(0x3c8, 1, true, 0x3f);		/* colour 15's DAC entry, */
	io_a(0x3c9, 1, true, 0x10);		/* two thirds written */
	io_a(0x3c9, 1, true, 0x20);
	io_a(0x3c7, 1, true, 0x14);		/* brown, one third read */
	io_a(0x3c9, 1, false, 0);
	io_a(0x3da, 1, false, 0);
	io_a(0x3c0, 1, true, AC_MODE);		/* the flip-flop: data next */
	round_trip(&vga_device, vga_a, vga_b);
	EXPECT(same_screen(&scr_a, &scr_b));
	screen_snapshot(&scr_b, &f);
	EXPECT_EQ(f.cells[0], 0x1f00 | ('A' + 40 % 26));
	EXPECT_EQ(f.cursor, 5);

	twin_io(0x3c9, 1, true, 0x30);		/* the third byte: entry 0x3f set */
	for (int i = 0; i < 5; i++)
		twin_io(0x3c9, 1, false, 0);
	twin_io(0x3c0, 1, true, 0x04);		/* mode: blink off */
	twin_io(0x3c0, 1, true, 0x20);
	twin_io(0x3c1, 1, false, 0);
	twin_io(0x3da, 1, false, 0);
	twin_io(0x3c8, 1, false, 0);
	twin_io(VMM_VGA_TEXT_GPA + 80, 2, true, 0x4e21);
	twin_io(VMM_VGA_TEXT_GPA + 82, 2, false, 0);
	EXPECT(same_screen(&scr_a, &scr_b));
	screen_snapshot(&scr_b, &f);
	EXPECT_EQ(f.palette[15], 0x4182c3u);	/* 0x10, 0x20, 0x30 widened */
	EXPECT(!f.blink);
	EXPECT_EQ(f.cells[0], 0x4e21);
	vga_untwin();
}

/* "ram": the screen comes back from the shadow before RAM does. */
static void vga_ram_strategy_screen(void)
{
	vga_twins(VGA_RAM);
	for (unsigned int i = 0; i < 300; i++)
		vga_a->vram[i] = (uint8_t)(i * 7);
	crtc_a(0x0f, 3);
	vga_poll(vga_a);
	round_trip(&vga_device, vga_a, vga_b);
	EXPECT(same_screen(&scr_a, &scr_b));	/* before RAM is loaded */
	memcpy(vga_b->vram, vga_a->vram, VMM_VGA_TEXT_SIZE);
	vga_poll(vga_b);
	EXPECT(same_screen(&scr_a, &scr_b));
	vga_a->vram[10] = vga_b->vram[10] = 'x';
	vga_poll(vga_a);
	vga_poll(vga_b);
	EXPECT(same_screen(&scr_a, &scr_b));
	vga_untwin();
}

static void vga_damaged_state(void)
{
	struct state good;
	struct screen scr;
	struct vga *ram;

	vga_twins(VGA_TRAP);
	io_a(0x3c8, 1, true, 0x10);
	io_a(0x3c9, 1, true, 0x3f);
	io_a(0x3c0, 1, true, 0x11);
	good = rec_save(&vga_device, vga_a);
	/* the registers: the record's end */
	EXPECT(damage(&vga_device, &good, vga_b, good.len - 900, good.len, true) > 500);
	screen_init(&scr);
	ram = vga_create(NULL, &scr, VGA_RAM, true);
	EXPECT_EQ(rec_load(&vga_device, ram, good.buf, good.len), -1);
	EXPECT(strstr(rec_why, "strategy") != NULL);
	vga_destroy(ram);
	screen_destroy(&scr);
	vga_a->regs.dac_write_rgb = 3;
	poked_refused(&vga_device, vga_a, vga_b);
	state_free(&good);
	vga_untwin();
}

/* ---- fw_cfg ---- */

#define RCR_SYS_RST_BIT 0x02	/* the one bit port 0xcf9 keeps */

#define BLOB_KEY (FW_CFG_FILE_FIRST + 3)	/* after the three files of fw_cfg_new */

static struct guest_mem mem;
static uint8_t blob[5000];

static struct fw_cfg *fw_cfg_on(struct bus *b, uint64_t ram)
{
	struct fw_cfg *f = fw_cfg_new(&mem, ram, false);

	EXPECT(f && !fw_cfg_add_file(f, "opt/blob", blob, sizeof(blob)));
	if (b) {
		EXPECT(!bus_register(b, FW_CFG_PORT_SEL, 2, fw_cfg_io, f, "fw-cfg"));
		EXPECT(!bus_register(b, FW_CFG_PORT_DMA, 8, fw_cfg_io, f, "dma"));
	}
	return f;
}

static void fw_cfg_mid_item(void)
{
	struct fw_cfg *a, *b, *other;
	struct state good;

	for (size_t i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 13 + 1);
	twin_a = twin_b = (struct bus){ 0 };
	a = fw_cfg_on(&twin_a, 32 << 20);
	b = fw_cfg_on(&twin_b, 32 << 20);
	EXPECT_EQ(fw_cfg_find(a, BLOB_KEY)->len, sizeof(blob));
	io_a(FW_CFG_PORT_SEL, 2, true, BLOB_KEY);
	for (int i = 0; i < 1000; i++)
		io_a(FW_CFG_PORT_DATA, 1, false, 0);
	io_a(FW_CFG_PORT_DMA, 4, true, 0x78563412);	/* the high half, big-endian */
	round_trip(&fw_cfg_device, a, b);
	EXPECT_EQ(b->dma_high, 0x12345678);
	for (int i = 0; i < 100; i++)
		EXPECT_EQ(twin_io(FW_CFG_PORT_DATA, 1, false, 0), blob[1000 + i]);
	good = rec_save(&fw_cfg_device, a);
	EXPECT(damage(&fw_cfg_device, &good, b, 0, good.len, true) > 20);
	other = fw_cfg_on(NULL, 64 << 20);	/* another RAM size: other items */
	EXPECT_EQ(rec_load(&fw_cfg_device, other, good.buf, good.len), -1);
	EXPECT(strstr(rec_why, "items") != NULL);
	state_free(&good);
	fw_cfg_free(a);
	fw_cfg_free(b);
	fw_cfg_free(other);
}

/* ---- CMOS ---- */

#define NS 1000000000ull

static uint64_t fake_now;
static struct cmos cm_a, cm_b;

static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static void cmos_twins(void)
{
	fake_now = 1000 * NS;
	cmos_init(&cm_a, NULL, 32 << 20, 1700000000 * (int64_t)NS + 300000000,
		  (struct cmos_clock){ fake_clock, NULL });
	cmos_init(&cm_b, NULL, 2 << 20, 0, (struct cmos_clock){ fake_clock, NULL });
	twin_a = twin_b = (struct bus){ 0 };
	EXPECT(!bus_register(&twin_a, CMOS_INDEX_PORT, 2, cmos_io, &cm_a, "cmos"));
	EXPECT(!bus_register(&twin_b, CMOS_INDEX_PORT, 2, cmos_io, &cm_b, "cmos"));
}

static uint8_t twin_reg(uint8_t r)
{
	twin_io(CMOS_INDEX_PORT, 1, true, r);
	return (uint8_t)twin_io(CMOS_INDEX_PORT + 1, 1, false, 0);
}

static void cmos_pending_interrupt(void)
{
	struct state good;

	cmos_twins();
	io_a(0x70, 1, true, 0x40);
	io_a(0x71, 1, true, 0x77);
	io_a(0x70, 1, true, RTC_REG_B);
	io_a(0x71, 1, true, RTC_B_24H | RTC_B_PIE | RTC_B_UIE);
	fake_now += 10000000;			/* 10 ms: periodic ticks */
	io_a(0x70, 1, true, RTC_REG_C);		/* the handler is about to read C */
	EXPECT_EQ(cm_a.irq_level, 1);
	round_trip(&cmos_device, &cm_a, &cm_b);
	EXPECT_EQ(cm_b.irq_level, 1);
	EXPECT_EQ(cm_b.irqs, 0);		/* loaded, not raised (vmm/device.h) */
	EXPECT_EQ(twin_io(0x71, 1, false, 0), RTC_C_IRQF | RTC_C_PF);
	EXPECT_EQ(cm_b.irq_level, 0);
	fake_now += NS + NS / 2;
	EXPECT_EQ(twin_reg(RTC_REG_C), RTC_C_IRQF | RTC_C_PF | RTC_C_UF);
	for (uint8_t r = 0; r < 10; r++)
		twin_reg(r);
	EXPECT_EQ(twin_reg(0x40), 0x77);
	EXPECT_EQ(cmos_guest_time(&cm_b), cmos_guest_time(&cm_a));
	good = rec_save(&cmos_device, &cm_a);
	/* the clock rewrites its time registers: loaded twice, saved the same */
	EXPECT(damage(&cmos_device, &good, &cm_b, 0, good.len, false) > 20);
	cm_a.ram[RTC_REG_D] = 0;		/* read only, always VRT */
	poked_refused(&cmos_device, &cm_a, &cm_b);
	state_free(&good);
}

/* ---- the small ones ---- */

static void post_debugcon_pv_disk(void)
{
	struct post p = { .last = 0x42, .codes = 3 }, q = { 0 };
	struct debugcon *d = debugcon_new(-1, false), *e = debugcon_new(-1, false);
	struct pv_disk pa = { .cons = 0xfffffff0u }, pb = { 0 };
	struct bus_access w = { .addr = DEBUGCON_PORT, .size = 4, .write = true,
				.data = (uint8_t *)"boot" };
	struct state good;

	round_trip(&post_device, &p, &q);
	EXPECT_EQ(post_last(&q), 0x42);
	debugcon_io(d, &w);
	round_trip(&debugcon_device, d, e);
	EXPECT(e->len == 4 && !memcmp(e->line, "boot", 4));
	good = rec_save(&debugcon_device, d);
	EXPECT(damage(&debugcon_device, &good, e, 0, good.len, true) > 0);
	state_free(&good);
	d->line[1] = '\n';			/* a newline is written out at once */
	poked_refused(&debugcon_device, d, e);
	uint8_t long_line[2 + 300] = { 300 & 0xff, 300 >> 8 };	/* more than it holds */

	EXPECT_EQ(damaged_load(&debugcon_device, e, long_line, sizeof(long_line), true), 1);
	round_trip(&pv_disk_device, &pa, &pb);
	EXPECT_EQ(pb.cons, 0xfffffff0u);
	debugcon_free(d);
	debugcon_free(e);
}

/* Created as main creates it: a VM with a firmware, its own port bus. */
static void reset_control_register(void)
{
	static struct bus pa, pb;
	static struct vm_config cfg;
	struct device_host ha = { .cfg = &cfg, .pio = &pa }, hb = { .cfg = &cfg, .pio = &pb };
	void *a = NULL, *b = NULL;
	uint8_t v = RCR_SYS_RST_BIT;
	struct state good;

	cfg.firmware.image = "bios.bin";
	EXPECT_EQ(reset_control_device.create(&ha, &a), 0);
	EXPECT_EQ(reset_control_device.create(&hb, &b), 0);
	bus_access(&pa, 0xcf9, &v, 1, true);
	round_trip(&reset_control_device, a, b);
	v = 0;
	bus_access(&pb, 0xcf9, &v, 1, false);
	EXPECT_EQ(v, RCR_SYS_RST_BIT);
	good = rec_save(&reset_control_device, a);
	EXPECT_EQ(damage(&reset_control_device, &good, b, 0, good.len, true), 3);
	state_free(&good);
	reset_control_device.destroy(a);
	reset_control_device.destroy(b);
}

static void firmware_image_identity(void)
{
	static uint8_t rom_a[65536], rom_b[65536];
	struct firmware a = { .rom = rom_a, .size = sizeof(rom_a) };
	struct firmware b = { .rom = rom_b, .size = sizeof(rom_b) };
	struct state s;

	memset(rom_a, 0x5a, sizeof(rom_a));
	memcpy(rom_b, rom_a, sizeof(rom_b));
	round_trip(&firmware_device, &a, &b);
	s = rec_save(&firmware_device, &a);
	rom_b[100] ^= 1;			/* the file changed since */
	EXPECT_EQ(rec_load(&firmware_device, &b, s.buf, s.len), -1);
	EXPECT(strstr(rec_why, "firmware image") != NULL);
	b.size = 4096;
	rom_b[100] ^= 1;
	EXPECT_EQ(rec_load(&firmware_device, &b, s.buf, s.len), -1);
	state_free(&s);
}

static void stateless_devices(void)
{
	struct state s = rec_save(&debug_exit_device, NULL);

	EXPECT_EQ(s.len, 0);
	EXPECT_EQ(rec_load(&debug_exit_device, NULL, s.buf, 0), 0);
	EXPECT_EQ(rec_load(&pv_vga_device, NULL, "x", 1), -1);
	state_free(&s);
}

int main(void)
{
	mem.size = 1 << 20;
	mem.base = calloc(1, mem.size);
	RUN(i8042_queued_keys_and_pending_commands);
	RUN(i8042_damaged_state);
	RUN(i8042_aux_timeout);
	RUN(vga_dac_mid_triplet_and_flip_flop);
	RUN(vga_ram_strategy_screen);
	RUN(vga_damaged_state);
	RUN(fw_cfg_mid_item);
	RUN(cmos_pending_interrupt);
	RUN(post_debugcon_pv_disk);
	RUN(reset_control_register);
	RUN(firmware_image_identity);
	RUN(stateless_devices);
	free(mem.base);
	UNIT_EXIT();
}
