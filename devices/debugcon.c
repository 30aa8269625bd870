// SPDX-License-Identifier: MIT
/* The firmware's log port: lines to a file or stderr. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../vmm/bus.h"
#include "../vmm/device.h"
#include "../vmm/json.h"
#include "../vmm/state.h"
#include "../vmm/config.h"
#include "debugcon.h"

struct debugcon *debugcon_new(int fd, bool own_fd)
{
	struct debugcon *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->fd = fd;
	d->own_fd = own_fd;
	d->discard = fd < 0;
	return d;
}

/* io_lock is held: a line is short, and the log is a file or stderr. */
void debugcon_flush(struct debugcon *d)
{
	size_t off = 0;

	while (d->fd >= 0 && off < d->len) {
		ssize_t w = write(d->fd, d->line + off, d->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			/* the log is gone (disk full, closed pipe): the guest goes on */
			d->fd = -1;
			break;
		}
		off += (size_t)w;
	}
	if (d->fd < 0 && !d->discard)
		d->lost += d->len - off;
	d->len = 0;
}

void debugcon_free(struct debugcon *d)
{
	if (!d)
		return;
	debugcon_flush(d);
	if (d->own_fd && d->fd >= 0)
		close(d->fd);
	free(d);
}

void debugcon_io(void *opaque, struct bus_access *a)
{
	struct debugcon *d = opaque;

	if (!a->write) {
		bus_put(a, a->size == 1 ? DEBUGCON_READBACK : 0xffffffff);
		return;
	}
	/* a wider out writes its bytes in order, as the port would see them */
	for (uint32_t i = 0; i < a->size; i++) {
		char c = (char)a->data[i];

		d->bytes++;
		d->line[d->len++] = c;
		if (c == '\n' || d->len == sizeof(d->line))
			debugcon_flush(d);
	}
}

static void debugcon_destroy(void *dev)
{
	debugcon_free(dev);
}

static int debugcon_create(struct device_host *h, void **dev)
{
	const struct vm_config *cfg = h->cfg;
	const char *log = cfg->firmware.log;
	struct debugcon *d;
	bool own = false;
	int fd = STDERR_FILENO;

	*dev = NULL;
	if (!cfg->firmware.image)
		return 0;
	/*
	 * The port is there even without a log: SeaBIOS and its VGA BIOS
	 * write their messages anyway, and a claimed, coalesced port takes
	 * them without an exit each (~650 exits per boot otherwise).
	 */
	if (!log || !strcmp(log, "none")) {
		fd = -1;
	} else if (strcmp(log, "stderr")) {
		fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "%s: firmware log '%s': %s\n", cfg->file, log,
				strerror(errno));
			return VMM_EXIT_USAGE;
		}
		own = true;
	}
	d = debugcon_new(fd, own);
	if (!d || dev_register_pio(h, DEBUGCON_PORT, 1, debugcon_io, d, "debugcon")) {
		fprintf(stderr, "vmm: debugcon: cannot claim port 0x402\n");
		if (d)
			debugcon_free(d);
		else if (own)
			close(fd);
		return VMM_EXIT_SETUP;
	}
	dev_coalesce_pio(h, DEBUGCON_PORT, 1);
	*dev = d;
	return 0;
}

static void debugcon_stats(const void *dev, struct json *j)
{
	const struct debugcon *d = dev;

	json_u64(j, "bytes", d->bytes);
	json_u64(j, "lost", d->lost);
}

/*
 * The start of a line not yet written: the restored VM's log then gets
 * the whole line.  It never holds a newline and never fills the buffer
 * (either writes it out).
 */
static int debugcon_fields(void *dev, struct state *s)
{
	struct debugcon *d = dev;
	uint16_t len = (uint16_t)d->len;

	state_u16(s, &len);
	if (s->loading && len >= sizeof(d->line))
		return state_fail(s, "the pending log line is impossible");
	state_bytes(s, d->line, len);
	if (!s->loading || s->bad)
		return 0;
	if (memchr(d->line, '\n', len))
		return state_fail(s, "the pending log line is impossible");
	d->len = len;
	return 0;
}

const struct device_model debugcon_device = {
	.name = "debugcon",
	.create = debugcon_create,
	.destroy = debugcon_destroy,
	.stats = debugcon_stats,
	.fields = debugcon_fields,
	.size = sizeof(struct debugcon),
	.version = 1,
	.reset_ok = true,	/* a log line not yet written */
};
