// SPDX-License-Identifier: MIT
/*
 * Snapshots outlive vmm releases: a device record carries its version,
 * a field added later loads from an older record with its default, and
 * what a vmm cannot load is refused naming the device (or the config
 * key) and the versions.  "widget" is a device at version 1 that gained
 * a field at version 2, as a real device would.
 */
#include <unistd.h>

#include "../../vmm/config.h"
#include "../../vmm/vm.h"
#include "devstate_fixture.h"

struct widget {
	uint8_t a;
	uint16_t b;	/* version 2 */
};

#define WIDGET_B_BEFORE_2	0x1234	/* what a version-1 widget behaved as */

static int widget1_fields(void *dev, struct state *s)
{
	struct widget *w = dev;

	state_u8(s, &w->a);
	return 0;
}

static int widget2_fields(void *dev, struct state *s)
{
	struct widget *w = dev;

	state_u8(s, &w->a);
	STATE_SINCE(s, 2, &w->b, WIDGET_B_BEFORE_2);
	return 0;
}

static int widget1_state(void *dev, struct state *s)
{
	return state_fields(s, dev, sizeof(struct widget), widget1_fields);
}

static int widget2_state(void *dev, struct state *s)
{
	return state_fields(s, dev, sizeof(struct widget), widget2_fields);
}

static const struct device_model widget1 = {
	.name = "widget", .state = widget1_state, .version = 1,
};
static const struct device_model widget2 = {
	.name = "widget", .state = widget2_state, .version = 2,
};
/* a later vmm that no longer loads version 1 */
static const struct device_model widget2_only = {
	.name = "widget", .state = widget2_state, .version = 2, .min_version = 2,
};
static const struct device_model gadget = {
	.name = "gadget", .state = state_none, .version = 1,
};
static const struct device_model lamp = {
	.name = "lamp", .state = state_none, .version = 1, .reset_ok = true,
};

static struct vm va, vb;
static struct widget wa, wb;
static int lamp_dev;

/* A VM with a widget of model m (state in w) and optionally another device. */
static void machine(struct vm *v, const struct device_model *m, struct widget *w,
		    const struct device_model *other)
{
	*v = (struct vm){ .vm_fd = -1, .kvm_fd = -1, .vcpu_fd = -1, .wake_fd = -1 };
	v->devices[v->ndevices++] = (struct vm_device){ m, w };
	if (other)
		v->devices[v->ndevices++] = (struct vm_device){ other, &lamp_dev };
}

static struct state save_machine(struct vm *v)
{
	struct state s;

	state_init_save(&s);
	EXPECT_EQ(vm_devices_save(v, &s), 0);
	return s;
}

/* Loading s into vb fails with a message containing want; wb untouched. */
static void refused(const struct state *s, const char *want)
{
	struct widget before = wb;
	char msg[512];

	EXPECT_EQ(CAPTURE_STDERR(msg, vm_devices_load(&vb, s->buf, s->len)), -1);
	EXPECT(strstr(msg, want) != NULL);
	if (!strstr(msg, want))
		printf("  got: %s", msg);
	EXPECT(!memcmp(&before, &wb, sizeof(wb)));
}

static void old_record_loads_with_default(void)
{
	struct state s, t;

	wa = (struct widget){ .a = 7, .b = 0x5555 };	/* b: version 1 does not save it */
	wb = (struct widget){ .a = 1, .b = 0x9999 };
	machine(&va, &widget1, &wa, NULL);
	machine(&vb, &widget2, &wb, NULL);
	s = save_machine(&va);
	EXPECT_EQ(vm_devices_load(&vb, s.buf, s.len), 0);
	EXPECT_EQ(wb.a, 7);
	EXPECT_EQ(wb.b, WIDGET_B_BEFORE_2);
	/* and saves as version 2, which loads back whole */
	wb.b = 0x4321;
	t = save_machine(&vb);
	wb = (struct widget){ 0 };
	EXPECT_EQ(vm_devices_load(&vb, t.buf, t.len), 0);
	EXPECT(wb.a == 7 && wb.b == 0x4321);
	state_free(&s);
	state_free(&t);
}

/* The default goes into state_fields()'s copy: a refused record sets nothing. */
static void refused_old_record_leaves_device(void)
{
	struct state s;
	uint8_t *b;

	wa = (struct widget){ .a = 7 };
	wb = (struct widget){ .a = 1, .b = 0x9999 };
	machine(&va, &widget1, &wa, NULL);
	machine(&vb, &widget2, &wb, NULL);
	s = save_machine(&va);
	/* one byte more in the record (its length, the last u32 before it) */
	b = calloc(1, s.len + 1);
	memcpy(b, s.buf, s.len);
	b[s.len - 5]++;
	struct state longer = { .buf = b, .len = s.len + 1 };

	refused(&longer, "device widget: the record is too long");
	free(b);
	state_free(&s);
}

static void newer_record_refused(void)
{
	struct state s;

	wa = (struct widget){ .a = 7, .b = 3 };
	machine(&va, &widget2, &wa, NULL);
	machine(&vb, &widget1, &wb, NULL);
	s = save_machine(&va);
	refused(&s, "device widget: the snapshot's record is version 2, newer than "
		"this vmm knows (version 1)");
	state_free(&s);
}

static void below_minimum_refused(void)
{
	struct state s;

	machine(&va, &widget1, &wa, NULL);
	machine(&vb, &widget2_only, &wb, NULL);
	s = save_machine(&va);
	refused(&s, "device widget: the snapshot's record is version 1, older than "
		"this vmm still loads (version 2)");
	state_free(&s);
}

static void unknown_device_refused(void)
{
	struct state s;

	machine(&va, &widget2, &wa, &gadget);
	machine(&vb, &widget2, &wb, NULL);
	s = save_machine(&va);
	refused(&s, "the snapshot has device 'gadget', which this vmm does not know");
	state_free(&s);
	/* "lamp\0\0" is not lamp, though strcmp() would say so */
	static const struct device_model lampxy = {
		.name = "lampXY", .state = state_none, .version = 1,
	};
	machine(&va, &widget2, &wa, &lampxy);
	machine(&vb, &widget2, &wb, &lamp);
	s = save_machine(&va);
	uint8_t *xy = memmem(s.buf, s.len, "XY", 2);

	EXPECT(xy != NULL);
	if (xy)
		memset(xy, 0, 2);
	refused(&s, "the snapshot has device 'lamp', which this vmm does not know");
	state_free(&s);
}

/* A device the snapshot lacks: its reset state where that is safe, else refused. */
static void missing_device(void)
{
	struct state s;

	wa = (struct widget){ .a = 9, .b = 2 };
	machine(&va, &widget2, &wa, NULL);
	machine(&vb, &widget2, &wb, &gadget);
	s = save_machine(&va);
	refused(&s, "the snapshot has no state for device gadget");
	machine(&vb, &widget2, &wb, &lamp);
	EXPECT_EQ(vm_devices_load(&vb, s.buf, s.len), 0);
	EXPECT(wb.a == 9 && wb.b == 2);
	state_free(&s);
}

/* A config key a later vmm added: a snapshot's config without it gets its default. */
static void config_key_added_later_defaults(void)
{
	struct vm_config plain = { 0 }, c = { 0 }, back = { 0 };
	char *text, *line, errs[512];

	EXPECT_EQ(config_load_text(&plain, "/s.snap", "guest = \"g.elf\";", NULL, 0,
				   CONFIG_NO_GUEST_FILE), 0);
	EXPECT_EQ(config_load_text(&c, "/s.snap", plain.vga.blink ?
				   "guest = \"g.elf\"; vga = { blink = false; };" :
				   "guest = \"g.elf\"; vga = { blink = true; };", NULL, 0,
				   CONFIG_NO_GUEST_FILE), 0);
	EXPECT(plain.vga.blink != c.vga.blink);		/* not the default */
	text = config_to_text(&c);
	line = text ? strstr(text, "blink") : NULL;
	EXPECT(line != NULL);
	if (!line)
		return;
	/* as an older vmm wrote it: no such key */
	memcpy(line, "/*   ", 5);
	line = strchr(line, ';');
	EXPECT(line != NULL && line[1] != 0);
	memcpy(line - 1, "*/", 2);
	EXPECT_EQ(config_load_text(&back, "/s.snap", text, NULL, 0, CONFIG_NO_GUEST_FILE), 0);
	EXPECT_EQ(back.vga.blink, plain.vga.blink);
	/* one that a newer vmm wrote: refused, naming the key */
	config_free(&back);
	back = (struct vm_config){ 0 };
	EXPECT_EQ(CAPTURE_STDERR(errs, config_load_text(&back, "/s.snap",
		  "guest = \"g.elf\"; vga = { sparkle = true; };", NULL, 0,
		  CONFIG_NO_GUEST_FILE)), -1);
	EXPECT(strstr(errs, "unknown key 'vga.sparkle'") != NULL);
	free(text);
	config_free(&plain);
	config_free(&c);
	config_free(&back);
}

int main(void)
{
	RUN(old_record_loads_with_default);
	RUN(refused_old_record_leaves_device);
	RUN(newer_record_refused);
	RUN(below_minimum_refused);
	RUN(unknown_device_refused);
	RUN(missing_device);
	RUN(config_key_added_later_defaults);
	UNIT_EXIT();
}
