// SPDX-License-Identifier: MIT
/* The firmware log port: whole lines out, 0xE9 back, a lost log survived. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../devices/debugcon.h"
#include "../../vmm/bus.h"
#include "../../vmm/device.h"
#include "../../vmm/config.h"
#include "../unit.h"

static int p[2];
static struct debugcon *d;

static void out(const char *s)
{
	for (; *s; s++) {
		uint8_t v = (uint8_t)*s;
		struct bus_access a = { .addr = DEBUGCON_PORT, .size = 1, .write = true,
					.data = &v };

		debugcon_io(d, &a);
	}
}

/* What reached the pipe so far (non-blocking read end). */
static const char *drained(void)
{
	static char buf[4096];
	ssize_t n = read(p[0], buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static void lines_and_flush(void)
{
	out("SeaBIOS (version x)\nFound QEMU");
	EXPECT(!strcmp(drained(), "SeaBIOS (version x)\n"));
	EXPECT(!strcmp(drained(), ""));
	debugcon_flush(d);
	EXPECT(!strcmp(drained(), "Found QEMU"));
	/* a line longer than the buffer goes out in pieces, none lost */
	char longline[600];

	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = 0;
	out(longline);
	EXPECT_EQ(strlen(drained()), 2 * sizeof(d->line));
	debugcon_flush(d);
	EXPECT_EQ(strlen(drained()), sizeof(longline) - 1 - 2 * sizeof(d->line));
	/* a wider out writes its bytes in order */
	uint8_t two[2] = { 'o', '\n' };
	struct bus_access a = { .addr = DEBUGCON_PORT, .size = 2, .write = true, .data = two };

	debugcon_io(d, &a);
	EXPECT(!strcmp(drained(), "o\n"));
	EXPECT_EQ(d->bytes, 20 + 10 + 599 + 2);
}

static void readback(void)
{
	uint8_t v[4] = { 0 };
	struct bus_access a = { .addr = DEBUGCON_PORT, .size = 1, .data = v };

	debugcon_io(d, &a);
	EXPECT_EQ(v[0], DEBUGCON_READBACK);
	a.size = 4;
	debugcon_io(d, &a);
	EXPECT_EQ(v[0] & v[1] & v[2] & v[3], 0xff);
}

static void lost_log(void)
{
	close(p[0]);
	out("nobody reads this\n");
	EXPECT_EQ(d->fd, -1);
	EXPECT_EQ(d->lost, 18);
	out("nor this\n");
	EXPECT_EQ(d->lost, 27);
	debugcon_free(d);
	d = NULL;
	close(p[1]);
}

static void device_create(void)
{
	static struct bus pio;
	static struct vm_config cfg;
	struct device_host h = { .cfg = &cfg, .pio = &pio };
	char dir[] = "/tmp/vmm-dbgcon-XXXXXX", path[300], buf[64] = { 0 };
	void *dev = (void *)1;

	EXPECT(mkdtemp(dir) != NULL);
	cfg.file = "vm.cfg";
	EXPECT_EQ(debugcon_device.create(&h, &dev), 0);	/* no firmware */
	EXPECT(dev == NULL);
	cfg.firmware.image = "bios.bin";
	cfg.firmware.log = "none";
	/* claimed all the same: the bytes are counted and dropped, none "lost" */
	EXPECT_EQ(debugcon_device.create(&h, &dev), 0);
	EXPECT(dev != NULL);
	EXPECT(bus_access(&pio, DEBUGCON_PORT, "x", 1, true));
	EXPECT(bus_access(&pio, DEBUGCON_PORT, "\n", 1, true));
	EXPECT_EQ(((struct debugcon *)dev)->bytes, 2);
	EXPECT_EQ(((struct debugcon *)dev)->lost, 0);
	debugcon_device.destroy(dev);
	memset(&pio, 0, sizeof(pio));
	snprintf(path, sizeof(path), "%s/fw.log", dir);
	cfg.firmware.log = path;
	EXPECT_EQ(debugcon_device.create(&h, &dev), 0);
	EXPECT(dev != NULL);
	EXPECT(bus_access(&pio, DEBUGCON_PORT, "h", 1, true));
	EXPECT(bus_access(&pio, DEBUGCON_PORT, "i", 1, true));
	debugcon_device.destroy(dev);			/* flushes the partial line */
	int fd = open(path, O_RDONLY);

	EXPECT(read(fd, buf, sizeof(buf)) == 2 && !strcmp(buf, "hi"));
	close(fd);
	unlink(path);
	/* a log that cannot be opened is a usage error naming the config */
	snprintf(path, sizeof(path), "%s/no/such/dir/fw.log", dir);
	memset(&pio, 0, sizeof(pio));
	char err[512];

	EXPECT_EQ(CAPTURE_STDERR(err, debugcon_device.create(&h, &dev)), VMM_EXIT_USAGE);
	EXPECT(strstr(err, "fw.log") && strstr(err, "No such file or directory"));
	rmdir(dir);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(p, O_NONBLOCK))
		return 1;
	d = debugcon_new(p[1], false);
	RUN(lines_and_flush);
	RUN(readback);
	RUN(lost_log);
	RUN(device_create);
	UNIT_EXIT();
}
