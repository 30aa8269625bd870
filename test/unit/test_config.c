// SPDX-License-Identifier: MIT
/* The config loader: values, defaults, overrides and every error's "file:line: message". */
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../devices/firmware.h"
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

/* Loads the config file, with stderr captured into errbuf. */
static int load_written(struct vm_config *c, char **ov, int nov)
{
	char errpath[300];

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

static int load(struct vm_config *c, const char *text, char **ov, int nov)
{
	write_file(cfgpath, text);
	return load_written(c, ov, nov);
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
	char *ov[] = { "vga.mode=pv", "memory=128", "disk.path=/dev/null", "vga.blink=true" };

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
	EXPECT(!strcmp(errbuf, "vmm: --set vga.mode=fast: 'vga.mode' is \"fast\"; "
		       "expected one of: emulated, pv\n"));
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

static void firmware_forms(void)
{
	struct vm_config c;
	char want[300];

	/* the shorthand: no guest needed, the disk boots */
	EXPECT_EQ(load(&c, "firmware = \"seabios\";\ndisk = { path = \"d.img\"; };\n", NULL, 0), 0);
	EXPECT(!strcmp(c.firmware.image, FIRMWARE_SEABIOS));
	EXPECT(!strcmp(c.firmware.log, "none"));
	EXPECT(!c.firmware.menu);
	EXPECT(c.guest == NULL);
	EXPECT_EQ(c.disk.mode, VMM_MODE_EMULATED);
	config_free(&c);
	/* the group, paths relative to the config */
	EXPECT_EQ(load(&c, "firmware = { image = \"fw.bin\"; log = \"fw.log\"; menu = true; };\n"
		       "disk = { path = \"d.img\"; };\n", NULL, 0), 0);
	snprintf(want, sizeof(want), "%s/fw.bin", dir);
	EXPECT(!strcmp(c.firmware.image, want));
	snprintf(want, sizeof(want), "%s/fw.log", dir);
	EXPECT(!strcmp(c.firmware.log, want));
	EXPECT(c.firmware.menu);
	config_free(&c);
	EXPECT_EQ(load(&c, "firmware = { image = \"seabios\"; log = \"stderr\"; };\n"
		       "disk = { path = \"d.img\"; };\n", NULL, 0), 0);
	EXPECT(!strcmp(c.firmware.log, "stderr"));
	config_free(&c);
	/* no firmware: none of it */
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\n", NULL, 0), 0);
	EXPECT(c.firmware.image == NULL && c.firmware.log == NULL);
	config_free(&c);
}

/* boot = FILE: SeaBIOS and the file as a read-only disk kept in memory */
static void boot_key(void)
{
	struct vm_config c;
	char want[300], arg[320], *ov[] = { arg };

	EXPECT_EQ(load(&c, "boot = \"bs.bin\";\n", NULL, 0), 0);
	snprintf(want, sizeof(want), "%s/bs.bin", dir);
	EXPECT(!strcmp(c.disk.path, want));
	EXPECT(c.disk.readonly && c.disk.in_memory && c.disk.mode == VMM_MODE_EMULATED);
	EXPECT(!strcmp(c.firmware.image, FIRMWARE_SEABIOS) && c.guest == NULL);
	config_free(&c);
	EXPECT_EQ(load(&c, "boot = \"d.img\";\ndisk = { path = \"d.img\"; };\n", NULL, 0), -1);
	EXPECT(err_is(":1: 'boot' and 'disk.path' both name the disk: keep one"));
	EXPECT_EQ(load(&c, "boot = \"d.img\";\nguest = \"g.elf\";\n", NULL, 0), -1);
	/* vmm --boot FILE: no config file at all */
	snprintf(arg, sizeof(arg), "boot=%s", want);
	EXPECT_EQ(CAPTURE_STDERR(errbuf, config_load(&c, NULL, ov, 1)), 0);
	EXPECT(!strcmp(c.disk.path, want) && c.disk.in_memory);
	config_free(&c);
	snprintf(arg, sizeof(arg), "boot=%s/none.bin", dir);
	EXPECT_EQ(CAPTURE_STDERR(errbuf, config_load(&c, NULL, ov, 1)), -1);
	EXPECT(!strncmp(errbuf, "vmm: boot '", 11));
}

/* What the BIOS would refuse after seconds, refused before KVM: status 2 */
static void boot_file_checked(void)
{
	struct vm_config c;
	char want[400];

	EXPECT_EQ(load(&c, "boot = \"three.bin\";\n", NULL, 0), -1);
	snprintf(want, sizeof(want), ":1: boot '%s/three.bin' is 3 bytes: a boot sector is 512, "
		 "ending in 55 AA", dir);
	EXPECT(err_is(want));
	EXPECT_EQ(load(&c, "boot = \"g.elf\";\n", NULL, 0), -1);
	snprintf(want, sizeof(want), ":1: boot '%s/g.elf' is an ELF file, not a boot sector "
		 "(a Multiboot guest runs with guest = \"FILE\")", dir);
	EXPECT(err_is(want));
	EXPECT_EQ(load(&c, "boot = \"fw.bin\";\n", NULL, 0), -1);
	snprintf(want, sizeof(want), ":1: boot '%s/fw.bin' has no boot signature (55 AA at "
		 "byte 510): the BIOS would not boot it", dir);
	EXPECT(err_is(want));
}

static void firmware_overrides(void)
{
	struct vm_config c;
	char want[300];
	char *fw[] = { "firmware=seabios", "disk.path=d.img" };

	EXPECT_EQ(load(&c, "guest = \"g.elf\";\n", fw, 2), 0);
	EXPECT(!strcmp(c.firmware.image, FIRMWARE_SEABIOS));
	config_free(&c);
	/* a member of the shorthand form: the string becomes the image */
	char *menu[] = { "firmware.menu=true", "firmware.log=stderr" };

	EXPECT_EQ(load(&c, "firmware = \"fw.bin\";\ndisk = { path = \"d.img\"; };\n", menu, 2), 0);
	snprintf(want, sizeof(want), "%s/fw.bin", dir);
	EXPECT(!strcmp(c.firmware.image, want));
	EXPECT(c.firmware.menu);
	EXPECT(!strcmp(c.firmware.log, "stderr"));
	config_free(&c);
	/* the shorthand over the group form keeps the group's other keys */
	char *img[] = { "firmware=fw.bin" };

	EXPECT_EQ(load(&c, "firmware = { image = \"seabios\"; log = \"stderr\"; menu = true; };\n"
		       "disk = { path = \"d.img\"; };\n", img, 1), 0);
	EXPECT(!strcmp(c.firmware.image, want));
	EXPECT(!strcmp(c.firmware.log, "stderr"));
	EXPECT(c.firmware.menu);
	config_free(&c);
	char *log_only[] = { "firmware.log=stderr" };

	EXPECT_EQ(load(&c, "guest = \"g.elf\";\n", log_only, 1), -1);
	EXPECT(!strcmp(errbuf, "vmm: --set firmware.log=stderr: 'firmware' needs 'image' "
		       "(\"seabios\" or a BIOS image file)\n"));
	config_free(&c);
}

/*
 * A path typed with --set is from the current folder, as for any command;
 * one in the file from the file's folder, wherever vmm runs.
 */
static void set_paths_from_current_folder(void)
{
	struct vm_config c;
	char here[300], want[600], old[4096];
	char *ov[] = { "disk.path=d2.img", "serial.output=s.log", "guest=g2.elf" };
	char *missing[] = { "disk.path=nope.img" };

	snprintf(here, sizeof(here), "%s/here", dir);
	EXPECT(mkdir(here, 0700) == 0 && getcwd(old, sizeof(old)) && chdir(here) == 0);
	write_file("d2.img", "");
	write_file("g2.elf", "x");
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\n", ov, 3), 0);
	snprintf(want, sizeof(want), "%s/d2.img", here);
	EXPECT(c.disk.path && !strcmp(c.disk.path, want));
	snprintf(want, sizeof(want), "%s/s.log", here);
	EXPECT(c.serial.output && !strcmp(c.serial.output, want));
	snprintf(want, sizeof(want), "%s/g2.elf", here);
	EXPECT(c.guest && !strcmp(c.guest, want));
	config_free(&c);
	/* the file's own paths still from its folder, not from here */
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\ndisk = { path = \"d.img\"; };\n", NULL, 0), 0);
	snprintf(want, sizeof(want), "%s/d.img", dir);
	EXPECT(c.disk.path && !strcmp(c.disk.path, want));
	snprintf(want, sizeof(want), "%s/g.elf", dir);
	EXPECT(c.guest && !strcmp(c.guest, want));
	config_free(&c);
	/* the hint for a missing image, followed, finds the image typed */
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\n", missing, 1), -1);
	snprintf(want, sizeof(want), "vmm: --set disk.path=nope.img: disk.path '%s/nope.img': "
		 "No such file or directory; make one with: vmm --create-image FILE --size 4M, "
		 "then --set disk.path=FILE\n", here);
	EXPECT(!strcmp(errbuf, want));
	if (strcmp(errbuf, want))
		printf("    got: %s", errbuf);
	config_free(&c);
	EXPECT(chdir(old) == 0);
}

static void firmware_errors(void)
{
	struct vm_config c;
	char want[400];

	EXPECT_EQ(load(&c, "firmware = \"seabios\";\n", NULL, 0), -1);
	EXPECT(err_is(":1: a firmware boots 'disk.path': add disk = { path = \"...\"; }"));
	config_free(&c);
	EXPECT_EQ(load(&c, "disk = { path = \"d.img\"; };\nfirmware = \"nope.bin\";\n", NULL, 0), -1);
	snprintf(want, sizeof(want), ":2: firmware '%s/nope.bin': No such file or directory "
		 "(\"seabios\" names Debian's SeaBIOS)", dir);
	EXPECT(err_is(want));
	config_free(&c);
	EXPECT_EQ(load(&c, "disk = { path = \"d.img\"; };\nfirmware = {\n image = \"g.elf\"; };\n",
		       NULL, 0), -1);
	snprintf(want, sizeof(want), ":3: firmware '%s/g.elf' is not a whole number of 64 KiB blocks", dir);
	EXPECT(err_is(want));
	config_free(&c);
	EXPECT_EQ(load(&c, "disk = { path = \"d.img\"; };\nfirmware = \"/tmp\";\n", NULL, 0), -1);
	EXPECT(err_is(":2: firmware '/tmp' is not a regular file"));
	config_free(&c);
	EXPECT_EQ(load(&c, "firmware = 3;\n", NULL, 0), -1);
	EXPECT(err_is(":1: 'firmware' must be a string or a group { ... }"));
	config_free(&c);
	EXPECT_EQ(load(&c, "firmware = { colour = 1; };\n", NULL, 0), -1);
	EXPECT(err_is(":1: unknown key 'firmware.colour'"));
	config_free(&c);
	EXPECT_EQ(load(&c, "disk = { path = \"d.img\"; };\nfirmware = { log = \"stderr\"; };\n", NULL, 0), -1);
	EXPECT(err_is(":2: 'firmware' needs 'image' (\"seabios\" or a BIOS image file)"));
	config_free(&c);
	EXPECT_EQ(load(&c, "firmware = { image = \"seabios\"; menu = \"yes\"; };\n", NULL, 0), -1);
	EXPECT(err_is(":1: 'firmware.menu' must be true or false"));
	config_free(&c);
	EXPECT_EQ(load(&c, "firmware = \"seabios\";\ndisk = { path = \"d.img\";\n mode = \"pv\"; };\n",
		       NULL, 0), -1);
	EXPECT(err_is(":3: 'disk.mode' must be \"emulated\" with a firmware (the BIOS drives the ATA disk)"));
	config_free(&c);
	EXPECT_EQ(load(&c, "memory = 32;\n", NULL, 0), -1);
	EXPECT(err_is(": missing key 'guest' (the Multiboot ELF to run)"));
	config_free(&c);
}

/* libconfig 1.5 keeps integers in an int: the loader must see what was written. */
static void integers_as_written(void)
{
	struct vm_config c;

	EXPECT_EQ(load(&c, "guest = \"g.elf\";\nmemory = 4294967360;\n", NULL, 0), -1);
	EXPECT(err_is(":2: 'memory' is 4294967360 MiB; it must be 2 to 3072"));
	config_free(&c);
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\nmemory = 0x100000002;\n", NULL, 0), -1);
	EXPECT(err_is(":2: 'memory' is 4294967298 MiB; it must be 2 to 3072"));
	config_free(&c);
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\nmemory = 0xffffffff;\n", NULL, 0), -1);
	EXPECT(err_is(":2: 'memory' is 4294967295 MiB; it must be 2 to 3072"));
	config_free(&c);
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\nmemory = -4294967232;\n", NULL, 0), -1);
	EXPECT(err_is(":2: 'memory' is -4294967232 MiB; it must be 2 to 3072"));
	config_free(&c);
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\nmemory = 99999999999999999999;\n", NULL, 0), -1);
	EXPECT(err_is(":2: 'memory' is 99999999999999999999, more than 64 bits hold"));
	config_free(&c);
	/* the literal is found however the file is laid out */
	EXPECT_EQ(load(&c, "guest = \"g.elf\"; # memory = 1\n/* memory = 2 */ cmdline = \"memory = 3\";\n"
		       "memory\n  :\n 0x0000000000000040 ; name = \"m\";\n", NULL, 0), 0);
	EXPECT_EQ(c.mem_mib, 64);
	config_free(&c);
	EXPECT_EQ(load(&c, "guest = \"g.elf\"; cmdline = \"memory = 4294967360\";\nmemory = 64;\n",
		       NULL, 0), 0);
	EXPECT_EQ(c.mem_mib, 64);
	config_free(&c);
	char *ov[] = { "memory=4294967360" };

	EXPECT_EQ(load(&c, "guest = \"g.elf\";\nmemory = 0x100000002;\n", ov, 1), -1);
	config_free(&c);
}

/* Anything but a regular file would stop libconfig's scanner (it exits). */
static void include_must_be_a_file(void)
{
	struct vm_config c;
	char want[400], sub[300];

	snprintf(sub, sizeof(sub), "%s/sub", dir);
	mkdir(sub, 0700);
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\n @include \"sub\"\n", NULL, 0), -1);
	snprintf(want, sizeof(want), ":2: @include '%s/sub': not a regular file", dir);
	EXPECT(err_is(want));
	config_free(&c);
	/* an included file's own includes are checked too, under its name */
	snprintf(sub, sizeof(sub), "%s/inc.cfg", dir);
	write_file(sub, "memory = 64;\n\n@include \"/dev/null\"\n");
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\n@include \"inc.cfg\"\n", NULL, 0), -1);
	snprintf(want, sizeof(want), "%s/inc.cfg:3: @include '/dev/null': not a regular file\n", dir);
	EXPECT(!strcmp(errbuf, want));
	config_free(&c);
	write_file(sub, "memory = 0x100000040;\n");
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\n@include \"inc.cfg\"\n", NULL, 0), -1);
	snprintf(want, sizeof(want), "%s/inc.cfg:1: 'memory' is 4294967360 MiB; it must be 2 to 3072\n", dir);
	EXPECT(!strcmp(errbuf, want));
	config_free(&c);
	write_file(sub, "memory = 64;\n");
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\n@include \"inc.cfg\"\n", NULL, 0), 0);
	EXPECT_EQ(c.mem_mib, 64);
	config_free(&c);
	/* the config itself: a folder, and a NUL that would end libconfig's string */
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	fflush(stderr);
	int saved = dup(2), fd = open("/dev/null", O_WRONLY);

	dup2(fd, 2);
	EXPECT_EQ(config_load(&c, sub, NULL, 0), -1);
	dup2(saved, 2);
	close(saved);
	close(fd);
	config_free(&c);
	FILE *f = fopen(cfgpath, "w");

	fwrite("guest = \"g.elf\";\nmemory = 4\0;\n", 1, 30, f);
	fclose(f);
	EXPECT_EQ(load_written(&c, NULL, 0), -1);
	EXPECT(err_is(":2: a NUL byte in the text"));
	config_free(&c);
}

/* libconfig says only "syntax error" for the dotted form the --set flag uses. */
static void dotted_key_hint(void)
{
	struct vm_config c;

	EXPECT_EQ(load(&c, "guest = \"g.elf\";\n  vga.mode = \"pv\";\n", NULL, 0), -1);
	EXPECT(err_is(":2: syntax error; write it as vga = { mode = ... };"));
	config_free(&c);
	EXPECT_EQ(load(&c, "guest = \"g.elf\";\ndisk.path: \"d.img\";\n", NULL, 0), -1);
	EXPECT(err_is(":2: syntax error; write it as disk = { path = ... };"));
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
	write_file(p, "\177ELF");
	snprintf(p, sizeof(p), "%s/three.bin", dir);
	write_file(p, "abc");
	snprintf(p, sizeof(p), "%s/bs.bin", dir);
	write_file(p, "");
	if (truncate(p, 510))
		return 1;
	FILE *bs = fopen(p, "a");

	fputs("\x55\xaa", bs);
	fclose(bs);
	snprintf(p, sizeof(p), "%s/d.img", dir);
	write_file(p, "");
	snprintf(p, sizeof(p), "%s/fw.bin", dir);
	write_file(p, "");
	if (truncate(p, FIRMWARE_BLOCK))	/* an image of one 64 KiB block */
		return 1;
	/* --set paths are from the current folder: the same files either way */
	if (chdir(dir))
		return 1;
	RUN(defaults_and_values);
	RUN(overrides);
	RUN(errors_name_file_and_line);
	RUN(firmware_forms);
	RUN(firmware_overrides);
	RUN(firmware_errors);
	RUN(set_paths_from_current_folder);
	RUN(integers_as_written);
	RUN(boot_key);
	RUN(boot_file_checked);
	RUN(include_must_be_a_file);
	RUN(dotted_key_hint);
	RUN(missing_file);
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	UNIT_EXIT();
}
