// SPDX-License-Identifier: MIT
/*
 * The device table's state (vm_devices_save/vm_devices_load): every
 * present device's record under its name, found by name; a snapshot of
 * another machine, a cut or padded one, or one with an impossible device
 * record is refused with a message naming what is wrong, before (or
 * instead of) loading anything.  Versions: test_devstate_version.c.
 */
#include <unistd.h>

#include "../../devices/i8042.h"
#include "../../devices/post.h"
#include "../../devices/table.h"
#include "../../devices/vga.h"
#include "../../vmm/vm.h"
#include "devstate_fixture.h"

static struct vm va, vb;

/* debug-exit, i8042, vga, ata (left out), post (when with_post) */
static void machine(struct vm *v, bool with_post)
{
	*v = (struct vm){ .vm_fd = -1, .kvm_fd = -1, .vcpu_fd = -1, .wake_fd = -1 };
	screen_init(&v->screen);
	v->devices[0] = (struct vm_device){ &debug_exit_device, v };
	v->devices[1] = (struct vm_device){ &i8042_device, i8042_create(NULL) };
	v->devices[2] = (struct vm_device){ &vga_device,
					    vga_create(NULL, &v->screen, VGA_TRAP, true) };
	v->devices[3] = (struct vm_device){ &ata_device, NULL };
	v->devices[4] = (struct vm_device){ &post_device,
					    with_post ? calloc(1, sizeof(struct post)) : NULL };
	v->ndevices = 5;
}

static void unmachine(struct vm *v)
{
	i8042_destroy(v->devices[1].dev);
	vga_destroy(v->devices[2].dev);
	free(v->devices[4].dev);
	screen_destroy(&v->screen);
}

static struct state save_machine(struct vm *v)
{
	struct state s;

	state_init_save(&s);
	EXPECT_EQ(vm_devices_save(v, &s), 0);
	return s;
}

/* Loading buf into vb fails with a message containing want. */
static void refused(const void *buf, size_t len, const char *want)
{
	char msg[256];

	EXPECT_EQ(CAPTURE_STDERR(msg, vm_devices_load(&vb, buf, len)), -1);
	EXPECT(strstr(msg, want) != NULL);
	if (!strstr(msg, want))
		printf("  got: %s", msg);
}

static void round_trip_and_screen(void)
{
	struct state s, t;

	machine(&va, true);
	machine(&vb, true);
	EXPECT(i8042_push(va.devices[1].dev, (const uint8_t[]){ 0x1e, 0x9e }, 2));
	vga_set_cell(va.devices[2].dev, 81, 0x4e41);
	vga_set_cursor(va.devices[2].dev, 82, true);
	((struct post *)va.devices[4].dev)->last = 0x99;
	((struct post *)va.devices[4].dev)->codes = 1;
	s = save_machine(&va);
	EXPECT_EQ(vm_devices_load(&vb, s.buf, s.len), 0);
	t = save_machine(&vb);
	EXPECT(rec_same(&s, &t));
	EXPECT(same_screen(&va.screen, &vb.screen));
	EXPECT_EQ(post_last(vb.devices[4].dev), 0x99);
	EXPECT_EQ(i8042_queued(vb.devices[1].dev), i8042_queued(va.devices[1].dev));
	state_free(&s);
	state_free(&t);
	unmachine(&va);
	unmachine(&vb);
}

static void another_machine_refused(void)
{
	struct state s, before, after;
	char msg[256];
	uint8_t *b;

	machine(&va, true);
	machine(&vb, false);
	s = save_machine(&va);
	before = save_machine(&vb);
	refused(s.buf, s.len, "device post is in the snapshot but left out of this "
		"machine by its config");
	after = save_machine(&vb);
	EXPECT(rec_same(&before, &after));	/* nothing loaded: every record came first */
	free(vb.devices[4].dev);
	vb.devices[4].dev = calloc(1, sizeof(struct post));
	vb.devices[1].model = &vga_device;
	refused(s.buf, s.len, "the snapshot has device 'i8042', which this vmm does not know");
	vb.devices[1].model = &i8042_device;
	vb.ndevices = 4;
	refused(s.buf, s.len, "the snapshot has device 'post', which this vmm does not know");
	vb.ndevices = 5;
	for (size_t n = 0; n < s.len; n += n < 64 ? 1 : 997)
		EXPECT_EQ(CAPTURE_STDERR(msg, vm_devices_load(&vb, s.buf, n)), -1);
	b = malloc(s.len + 1);
	memcpy(b, s.buf, s.len);
	b[s.len] = 0;
	refused(b, s.len + 1, "bytes after the last device's state");
	b[0] ^= 1;
	refused(b, s.len, "no device state where it should be");
	EXPECT_EQ(vm_devices_load(&vb, s.buf, s.len), 0);
	free(b);
	state_free(&s);
	state_free(&before);
	state_free(&after);
	unmachine(&va);
	unmachine(&vb);
}

static void bad_device_record_refused(void)
{
	static const struct device_model nostate = { .name = "nostate" };
	struct state s;
	char msg[256];

	machine(&va, true);
	machine(&vb, true);
	((struct i8042 *)va.devices[1].dev)->pending_cmd = 0x42;
	s = save_machine(&va);
	refused(s.buf, s.len, "device i8042: the controller's registers or queues "
		"do not add up");
	state_free(&s);
	/* a device that cannot save itself stops the save, by name */
	va.devices[0] = (struct vm_device){ &nostate, &va };
	state_init_save(&s);
	EXPECT_EQ(CAPTURE_STDERR(msg, vm_devices_save(&va, &s)), -1);
	EXPECT(strstr(msg, "device nostate: has no saved state yet") != NULL);
	state_free(&s);
	unmachine(&va);
	unmachine(&vb);
}

/* A device name from a snapshot reaches stderr escaped, as COM1's filter would. */
static void foreign_name_shown_escaped(void)
{
	static const struct device_model evil = { .name = "\x1b]0;pwned\x07",
						  .state = state_none };
	struct state s;
	char msg[256];

	machine(&va, true);
	machine(&vb, true);
	va.devices[0] = (struct vm_device){ &evil, &va };
	s = save_machine(&va);
	EXPECT_EQ(CAPTURE_STDERR(msg, vm_devices_load(&vb, s.buf, s.len)), -1);
	EXPECT(strstr(msg, "device '\\x1b]0;pwned\\x07', which") != NULL);
	EXPECT(strchr(msg, 0x1b) == NULL && strchr(msg, 0x07) == NULL);
	state_free(&s);
	unmachine(&va);
	unmachine(&vb);
}

/*
 * A device has one name: its table entry (fw_cfg), in the one style of
 * --stats keys and snapshot records (fw-cfg), so that a reader who sees
 * one finds the others.
 */
static void one_name_per_device(void)
{
#define NAME_OF(n) { #n, &n##_device },
	static const struct {
		const char *key;
		const struct device_model *m;
	} table[] = { DEVICE_TABLE(NAME_OF) };
#undef NAME_OF

	EXPECT_EQ(sizeof(table) / sizeof(table[0]), device_table_len);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		char want[64];
		size_t n = 0;

		for (const char *p = table[i].key; *p && n < sizeof(want) - 1; p++)
			want[n++] = *p == '_' ? '-' : *p;
		want[n] = 0;
		EXPECT(!strcmp(table[i].m->name, want));
		if (strcmp(table[i].m->name, want))
			printf("  device %s is named '%s'\n", want, table[i].m->name);
	}
}

int main(void)
{
	RUN(one_name_per_device);
	RUN(round_trip_and_screen);
	RUN(another_machine_refused);
	RUN(bad_device_record_refused);
	RUN(foreign_name_shown_escaped);
	UNIT_EXIT();
}
