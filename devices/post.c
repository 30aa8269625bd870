// SPDX-License-Identifier: MIT
/* POST codes on port 0x80. */
#include <stdio.h>
#include <stdlib.h>

#include "../vmm/bus.h"
#include "../vmm/device.h"
#include "../vmm/json.h"
#include "../vmm/config.h"
#include "../vmm/state.h"
#include "post.h"

void post_io(void *opaque, struct bus_access *a)
{
	struct post *p = opaque;

	if (!a->write) {
		bus_put(a, a->size == 1 ? p->last : 0xffffffff);
		return;
	}
	if (a->size != 1)
		return;
	p->last = a->data[0];
	p->codes++;
}

int post_last(const struct post *p)
{
	return p && p->codes ? p->last : -1;
}

static void post_destroy(void *dev)
{
	free(dev);
}

static int post_create(struct device_host *h, void **dev)
{
	struct post *p;

	*dev = NULL;
	if (!h->cfg->firmware.image)
		return 0;
	p = calloc(1, sizeof(*p));
	if (!p || dev_register_pio(h, POST_PORT, 1, post_io, p, "post")) {
		fprintf(stderr, "vmm: post: cannot claim port 0x80\n");
		free(p);
		return VMM_EXIT_SETUP;
	}
	*dev = p;
	return 0;
}

static void post_stats(const void *dev, struct json *j)
{
	const struct post *p = dev;

	json_u64(j, "codes", p->codes);
	if (p->codes)
		json_u64(j, "last", p->last);
}

/* The count is state: post_last() says "none" while it is 0. */
static int post_fields(void *dev, struct state *s)
{
	struct post *p = dev;

	state_u8(s, &p->last);
	state_u64(s, &p->codes);
	return 0;
}

const struct device_model post_device = {
	.name = "post",
	.create = post_create,
	.destroy = post_destroy,
	.stats = post_stats,
	.fields = post_fields,
	.size = sizeof(struct post),
	.version = 1,
	.reset_ok = true,	/* no POST code yet, as at power-on */
};
