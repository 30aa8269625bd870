// SPDX-License-Identifier: MIT
/* The config loader: values, defaults, overrides and every error's "file:line: message". */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../hypercalls/vmm_abi.h"
#include "../../vmm/config.h"
#include "../unit.h"

static char dir[] = "/tmp/vmm-cfg-XXXXXX";
static char cfgpath[256], errbuf[1024];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

/* Loads text as a config, with stderr captured into errbuf. */
static int load(struct vm_config *c, const char *text, char **ov, int nov)
{
	char errpath[300];

	write_file(cfgpath, text);
	snprintf(errpath, sizeof(errpath), "%s/err", dir);
	fflush(stderr);
	int saved = dup(2), fd = open(errpath, O_RDWR | O_CREAT | O_TRUNC, 0600);

	dup2(fd, 2);
	int r = config_load(c, cfgpath, ov, nov);

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ssize_t n = pread(fd, errbuf, sizeof(errbuf) - 1, 0);

	errbuf[n > 0 ? n : 0] = 0;
	close(fd);
	return r;
}

static int err_is(const char *want_suffix)
{
	/* errbuf = "<cfgpath>:LINE: message\n" */
	char want[512];

	snprintf(want, sizeof(want), "%s%s\n", cfgpath, want_suffix);
	if (strcmp(errbuf, want))
		printf("    got: %s    want: %s", errbuf, want);
	return !strcmp(errbuf, want);
}

static void defaults_and_values(void)
{
	struct vm_config c;

	EXPECT_EQ(load(&c, "guest = \"g.elf\";\n", NULL, 0), 0);
	EXPECT_EQ(c.mem_mib, 32);
	EXPECT(!strcmp(c.name, "vm"));
	EXPECT_EQ(c.vga.mode, VMM_MODE_EMULATED);
	EXPECT_EQ(c.vga.strategy, VGA_COALESCED);
	EXPECT_EQ(c.disk.mode, VMM_MODE_NONE);
	EXPECT_EQ(c.display, DISPLAY_TUI);
	EXPECT(!strcmp(c.serial.output, "stdout"));
	/* relative paths resolve against the config file's folder */
	char want[300];

	snprintf(want, sizeof(want), "%s/g.elf", dir);
	EXPECT(!strcmp(c.guest, want));
	config_free(&c);

	EXPECT_EQ(load(&c, "name = \"box\"; memory = 64; guest = \"g.elf\";\n"
		       "vga = { mode = \"pv\"; strategy = \"ram\"; blink = true; };\n"
		       "disk = { path = \"d.img\"; mode = \"pv\"; cache = \"none\"; readonly = true; };\n"
		       "display = \"headless\"; cmdline = \"a=b\";\n", NULL, 0), 0);
	EXPECT_EQ(c.mem_mib, 64);
	EXPECT(!strcmp(c.name, "box"));
	EXPECT_EQ(c.vga.mode, VMM_MODE_PV);
	EXPECT_EQ(c.vga.strategy, VGA_RAM);
	EXPECT(c.vga.blink);
	EXPECT_EQ(c.disk.mode, VMM_MODE_PV);
	EXPECT_EQ(c.disk.cache, CACHE_NONE);
	EXPECT(c.disk.readonly);
	EXPECT_EQ(c.display, DISPLAY_HEADLESS);
	EXPECT(!strcmp(c.cmdline, "a=b"));
	config_free(&c);
}

static void overrides(void)
{
	struct vm_config c;
	char *ov[] = { "vga.mode=pv", "memory=128", "disk.path=d.img", "vga.blink=true" };

	EXPECT_EQ(load(&c, "guest = \"g.elf\";\nmemory = 16;\n", ov, 4), 0);
	EXPECT_EQ(c.vga.mode, VMM_MODE_PV);
	EXPECT_EQ(c.mem_mib, 128);
	EXPECT_EQ(c.disk.mode, VMM_MODE_EMULATED);
	EXPECT(c.vga.blink);
	config_free(&c);

	char *bad_key[] = { "vga.colour=pv" };

	EXPECT_EQ(load(&c, "guest = \"g.elf\";\n", bad_key, 1), -1);
	EXPECT(!strcmp(errbuf, "vmm: --set vga.colour=pv: unknown key 'vga.colour'\n"));
	config_free(&c);
	char *bad_int[] = { "memory=lots" };

	EXPECT_EQ(load(&c, "guest = \"g.elf\";\n", bad_int, 1), -1);
	EXPECT(!strcmp(errbuf, "vmm: --set memory=lots: 'lots' is not an integer\n"));
	config_free(&c);
	char *bad_val[] = { "vga.mode=fast" };

	EXPECT_EQ(load(&c, "guest = \"g.elf\";\n", bad_val, 1), -1);
	EXPECT(err_is(": --set: 'vga.mode' is \"fast\"; expected one of: emulated, pv"));
	config_free(&c);
}

static void errors_name_file_and_line(void)
{
	struct vm_config c;

	EXPECT_EQ(load(&c, "guest = \"g.elf\";\n\nmemroy = 3;\n", NULL, 0), -1);
	EXPECT(err_is(":3: unknown key 'memroy'"));
	config_free(&c);
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\nvga = { colour = 1; };\n", NULL, 0), -1);
	EXPECT(err_is(":2: unknown key 'vga.colour'"));
	config_free(&c);
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\nmemory = \"32\";\n", NULL, 0), -1);
	EXPECT(err_is(":2: 'memory' must be an integer"));
	config_free(&c);
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\nmemory = 1;\n", NULL, 0), -1);
	EXPECT(err_is(":2: 'memory' is 1 MiB; it must be 2 to 3072"));
	config_free(&c);
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\nmemory = 5000;\n", NULL, 0), -1);
	EXPECT(err_is(":2: 'memory' is 5000 MiB; it must be 2 to 3072"));
	config_free(&c);
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\nmemory = -64L;\n", NULL, 0), -1);
	EXPECT(err_is(":2: 'memory' is -64 MiB; it must be 2 to 3072"));
	config_free(&c);
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\nvga = { strategy = \"mmap\"; };\n", NULL, 0), -1);
	EXPECT(err_is(":2: 'vga.strategy' is \"mmap\"; expected one of: trap, coalesced, ram"));
	config_free(&c);
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\nmemory = ;\n", NULL, 0), -1);
	EXPECT(err_is(":2: syntax error"));
	config_free(&c);
	EXPECT_EQ(load(&c, "memory = 32;\n", NULL, 0), -1);
	EXPECT(err_is(": missing key 'guest' (the Multiboot ELF to run)"));
	config_free(&c);
	EXPECT_EQ(load(&c, "guest = \"missing.elf\";\n", NULL, 0), -1);
	char want[400];

	snprintf(want, sizeof(want), ":1: guest '%s/missing.elf': No such file or directory", dir);
	EXPECT(err_is(want));
	config_free(&c);
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\ndisk = { path = \"nope.img\"; };\n", NULL, 0), -1);
	snprintf(want, sizeof(want), ":2: disk.path '%s/nope.img': No such file or directory; "
		 "make one with: vmm --create-image FILE --size 4M, then --set disk.path=FILE", dir);
	EXPECT(err_is(want));
	config_free(&c);
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\ndisk = { mode = \"pv\"; };\n", NULL, 0), -1);
	EXPECT(err_is(":2: 'disk' needs 'path' (a raw image)"));
	config_free(&c);
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\nname = \"\";\n", NULL, 0), -1);
	EXPECT(err_is(":2: 'name' must have 1 to 31 characters"));
	config_free(&c);
}

static void missing_file(void)
{
	struct vm_config c;
	char path[300];

	snprintf(path, sizeof(path), "%s/absent.cfg", dir);
	fflush(stderr);
	int saved = dup(2), fd = open("/dev/null", O_WRONLY);

	dup2(fd, 2);
	EXPECT_EQ(config_load(&c, path, NULL, 0), -1);
	dup2(saved, 2);
	close(saved);
	close(fd);
	config_free(&c);
}

int main(void)
{
	char p[300];

	if (!mkdtemp(dir))
		return 1;
	snprintf(cfgpath, sizeof(cfgpath), "%s/vm.cfg", dir);
	snprintf(p, sizeof(p), "%s/g.elf", dir);
	write_file(p, "x");
	snprintf(p, sizeof(p), "%s/d.img", dir);
	write_file(p, "");
	RUN(defaults_and_values);
	RUN(overrides);
	RUN(errors_name_file_and_line);
	RUN(missing_file);
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	UNIT_EXIT();
}
