// SPDX-License-Identifier: MIT
/* Bounds checked at load: guest RAM, the command line, queue lengths. */
#include <stdlib.h>
#include <unistd.h>

#include "../../devices/serial.h"
#include "../../vmm/config.h"
#include "../unit.h"

static char dir[] = "/tmp/vmm-unit-limits.XXXXXX";

/* Loads a config with the line given after name and guest; 0 or -1. */
static int load(const char *line)
{
	char path[64];
	struct vm_config c;

	snprintf(path, sizeof(path), "%s/vm.cfg", dir);
	FILE *f = fopen(path, "w");

	if (!f)
		return -2;
	fprintf(f, "name = \"t\";\nguest = \"vm.cfg\";\n%s\n", line);
	fclose(f);
	int r = config_load(&c, path, NULL, 0);

	config_free(&c);
	return r;
}

static void memory_bounds(void)
{
	char line[64];

	EXPECT_EQ(load("memory = 1;"), -1);
	EXPECT_EQ(load("memory = 2;"), 0);
	EXPECT_EQ(load("memory = 3072;"), 0);
	EXPECT_EQ(load("memory = 3073;"), -1);
	EXPECT_EQ(load("memory = -1;"), -1);
	snprintf(line, sizeof(line), "memory = %lldL;", 1ll << 42);
	EXPECT_EQ(load(line), -1);
}

static void cmdline_bound(void)
{
	char *line = malloc(CONFIG_CMDLINE_MAX + 32);

	for (int n = CONFIG_CMDLINE_MAX; n <= CONFIG_CMDLINE_MAX + 1; n++) {
		int len = snprintf(line, 16, "cmdline = \"");

		memset(line + len, 'x', (size_t)n);
		snprintf(line + len + n, 8, "\";");
		EXPECT_EQ(load(line), n == CONFIG_CMDLINE_MAX ? 0 : -1);
	}
	free(line);
}

static void serial_rx_queue_bounded(void)
{
	struct serial *s = serial_create(NULL);
	static uint8_t buf[SERIAL_RX_QUEUE + 100];

	EXPECT_EQ(serial_receive(s, buf, sizeof(buf)), SERIAL_RX_QUEUE);
	EXPECT_EQ(serial_rx_space(s), 0);
	EXPECT_EQ(serial_receive(s, buf, 1), 0);
	serial_destroy(s);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	/* config errors go to stderr; the test only wants the results */
	freopen("/dev/null", "w", stderr);
	RUN(memory_bounds);
	RUN(cmdline_bound);
	RUN(serial_rx_queue_bounded);
	char path[64];

	snprintf(path, sizeof(path), "%s/vm.cfg", dir);
	unlink(path);
	rmdir(dir);
	UNIT_EXIT();
}
