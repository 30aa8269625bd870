// SPDX-License-Identifier: MIT
/*
 * A snapshot is untrusted input (issue 19): its config does not choose the
 * host files vmm opens or writes, nor raw mode on the user's terminal; its
 * DISKS section is checked slot by slot; what it names reaches stderr
 * escaped.  Without KVM: the config loader and the disk check alone.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../../hypercalls/vmm_abi.h"
#include "../../vmm/config.h"
#include "../../vmm/snapshot/internal.h"
#include "../unit.h"

static char dir[] = "/tmp/vmm-trust-XXXXXX";

/* DIR/name, made (empty, or size bytes) unless size < 0 */
static const char *file_in(const char *name, long size)
{
	static char path[4][128];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	if (size >= 0) {
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd >= 0 && ftruncate(fd, size) == 0)
			close(fd);
	}
	return p;
}

static int load_saved(struct vm_config *c, const char *text, char *const *set,
		      int nset, char errs[static 1024])
{
	char origin[160], cap[1024];
	int r;

	snprintf(origin, sizeof(origin), "%s/s.snap (saved config)", dir);
	r = CAPTURE_STDERR(cap, config_load_text(c, origin, text, set, nset,
						 CONFIG_NO_GUEST_FILE | CONFIG_SAVED));
	memcpy(errs, cap, sizeof(cap));
	return r;
}

/* serial.output and serial.raw from a snapshot: not used, but said. */
static void saved_output_not_used(void)
{
	char text[512], errs[1024];
	struct vm_config c;
	const char *bashrc = file_in(".bashrc", -1);

	snprintf(text, sizeof(text), "name = \"t\"; guest = \"/gone.elf\";\n"
		 "serial = { output = \"%s\"; raw = true; };\n", bashrc);
	EXPECT_EQ(load_saved(&c, text, NULL, 0, errs), 0);
	EXPECT(!strcmp(c.serial.output, "stdout"));
	EXPECT(!c.serial.raw);
	EXPECT(strstr(errs, "serial.output = \"") && strstr(errs, "/.bashrc\" is not used"));
	EXPECT(strstr(errs, "serial.raw = \"true\" is not used"));
	config_free(&c);
}

/* The restoring user's --set gives them. */
static void set_output_used(void)
{
	char errs[1024], out[160];
	char *set[2] = { out, "serial.raw=true" };
	struct vm_config c;

	snprintf(out, sizeof(out), "serial.output=%s", file_in("mine.log", -1));
	EXPECT_EQ(load_saved(&c, "name = \"t\"; guest = \"/g.elf\";\n"
			     "serial = { output = \"/elsewhere\"; raw = false; };",
			     set, 2, errs), 0);
	EXPECT(!strcmp(c.serial.output, out + strlen("serial.output=")));
	EXPECT(c.serial.raw);
	EXPECT(errs[0] == 0);
	config_free(&c);
}

/* A disk the saved VM had is opened only when the user names it. */
static void saved_disk_needs_set(void)
{
	char text[512], errs[1024], set0[160];
	char *set[1] = { set0 };
	struct vm_config c;
	const char *img = file_in("d.img", 4096);

	snprintf(text, sizeof(text), "name = \"t\"; guest = \"/g.elf\";\n"
		 "disk = { mode = \"pv\"; path = \"%s\"; slave = \"%s\"; };\n", img, img);
	EXPECT_EQ(load_saved(&c, text, NULL, 0, errs), -1);
	EXPECT(strstr(errs, "disk.path is \"") && strstr(errs, "add --set disk.path=FILE"));
	snprintf(set0, sizeof(set0), "disk.path=%s", img);
	EXPECT_EQ(load_saved(&c, text, set, 1, errs), -1);
	EXPECT(strstr(errs, "add --set disk.slave=FILE") != NULL);
	snprintf(text, sizeof(text), "name = \"t\"; guest = \"/g.elf\";\n"
		 "disk = { mode = \"pv\"; path = \"/etc/shadow\"; };\n");
	EXPECT_EQ(load_saved(&c, text, set, 1, errs), 0);
	EXPECT(!strcmp(c.disk.path, img) && c.disk.mode == VMM_MODE_PV);
	config_free(&c);
	EXPECT_EQ(load_saved(&c, "name = \"t\"; boot = \"/etc/passwd\";", NULL, 0,
			     errs), -1);
	EXPECT(strstr(errs, "add --set boot=FILE") != NULL);
}

/* SeaBIOS may be named; any other firmware image, and the log, may not. */
static void saved_firmware(void)
{
	char text[512], errs[1024], set0[160], set1[160];
	char *set[2] = { set0, set1 };
	struct vm_config c;
	const char *img = file_in("d.img", 4096), *fw = file_in("fw.bin", 65536);

	snprintf(set0, sizeof(set0), "disk.path=%s", img);
	snprintf(text, sizeof(text), "name = \"t\"; disk = { path = \"%s\"; };\n"
		 "firmware = { image = \"seabios\"; log = \"%s\"; };\n", img,
		 file_in("fw.log", -1));
	EXPECT_EQ(load_saved(&c, text, set, 1, errs), 0);
	EXPECT(!strcmp(c.firmware.image, CONFIG_SEABIOS) && !strcmp(c.firmware.log, "none"));
	EXPECT(strstr(errs, "firmware.log = \"") && strstr(errs, "/fw.log\" is not used"));
	config_free(&c);
	snprintf(text, sizeof(text), "name = \"t\"; disk = { path = \"%s\"; };\n"
		 "firmware = \"%s\";\n", img, fw);
	EXPECT_EQ(load_saved(&c, text, set, 1, errs), -1);
	EXPECT(strstr(errs, "add --set firmware.image=FILE") != NULL);
	snprintf(set1, sizeof(set1), "firmware=%s", fw);
	EXPECT_EQ(load_saved(&c, text, set, 2, errs), 0);
	EXPECT(c.firmware.image && !strcmp(c.firmware.image, fw));
	config_free(&c);
}

/* A path holding escape sequences reaches stderr escaped. */
static void names_shown_escaped(void)
{
	char errs[1024], buf[64];
	struct vm_config c;

	EXPECT_EQ(load_saved(&c, "name = \"t\"; guest = \"/g.elf\";\n"
			     "serial = { output = \"/x\\x1b]0;pwned\\x07\\x9b6n\"; };",
			     NULL, 0, errs), 0);
	EXPECT(strchr(errs, 0x1b) == NULL && strchr(errs, 0x07) == NULL);
	EXPECT(strstr(errs, "/x\\x1b]0;pwned\\x07\\x9b6n\"") != NULL);
	config_free(&c);
	EXPECT(!strcmp(config_shown("a\"b\\", buf, sizeof(buf)), "a\\\"b\\\\"));
	memset(errs, 'a', 200);
	errs[200] = 0;
	config_shown(errs, buf, sizeof(buf));
	EXPECT(strlen(buf) > 40 && !strcmp(buf + strlen(buf) - 3, "..."));
}

/* libconfig would read the file an @include names: a saved config has none. */
static void saved_include_refused(void)
{
	char text[256], errs[1024];
	struct vm_config c;
	const char *inc = file_in("inc.cfg", -1);
	FILE *f = fopen(inc, "w");

	fprintf(f, "cmdline = \"a host file's secret\";\n");
	fclose(f);
	snprintf(text, sizeof(text), "name = \"t\"; guest = \"/g.elf\";\n@include \"%s\"\n", inc);
	EXPECT_EQ(load_saved(&c, text, NULL, 0, errs), -1);
	EXPECT(strstr(errs, ":2: @include in a saved config: refused") != NULL);
	EXPECT_EQ(load_saved(&c, "name = \"t\"; guest = \"/g.elf\"; cmdline = \"@include\";",
			     NULL, 0, errs), 0);
	config_free(&c);
}

/* A RAM run's padding over a page is said to be that, not a run outside RAM. */
static void ram_padding_named(void)
{
	uint8_t run[16 + 4096] = { 0 };
	uint64_t pages = 0;
	char err[200];

	run[8] = 1;			/* one page at page 0, data */
	run[14] = 0x00, run[15] = 0x10;	/* padding 4096 */
	EXPECT_EQ(snap_ram_load(NULL, 1 << 20, run, sizeof(run), NULL, 0, &pages, err,
				sizeof(err)), -1);
	EXPECT(strstr(err, "padding (4096 bytes) is more than a page's") != NULL);
}

/* The identity a save would record for the image open as fd. */
static void id_of(int fd, const char *path, uint32_t slot, struct snap_disk_id *id)
{
	struct stat st;

	EXPECT_EQ(fstat(fd, &st), 0);
	*id = (struct snap_disk_id){ .slot = slot, .dev = st.st_dev, .ino = st.st_ino,
		.size = (uint64_t)st.st_size, .mtime_s = st.st_mtim.tv_sec,
		.mtime_ns = (uint32_t)st.st_mtim.tv_nsec };
	snprintf(id->path, sizeof(id->path), "%s", path);
}

/* A DISKS section naming the master twice leaves no slave unchecked. */
static void disk_slot_named_twice(void)
{
	static struct snap_image im = { .path = "s.snap", .ndisks = 2 };
	const char *a = file_in("a.img", 4096), *b = file_in("b.img", 8192);
	int fds[2] = { open(a, O_RDWR), open(b, O_RDWR) };
	const char *paths[2] = { a, b };
	char errs[512];

	id_of(fds[0], a, 0, &im.disk[0]);
	im.disk[1] = im.disk[0];
	EXPECT_EQ(CAPTURE_STDERR(errs, snap_check_disks(&im, fds, paths, false)), -1);
	EXPECT(strstr(errs, "slot 1") != NULL);
	/* and the section itself does not decode */
	/* version 1, two entries: slot, length, path, 4 u64, u32 */
	uint8_t sec[8 + 2 * 44] = { 1, 0, 0, 0, 2 };
	char err[200];

	/* both slot 0, an empty path, zero identity */
	EXPECT_EQ(snap_load_section(&im, NULL, SNAP_DISKS, sec, sizeof(sec), err,
				    sizeof(err)), -1);
	sec[8 + 44] = 1;			/* slot 1: now it does */
	EXPECT_EQ(snap_load_section(&im, NULL, SNAP_DISKS, sec, sizeof(sec), err,
				    sizeof(err)), 0);
	EXPECT(im.ndisks == 2 && im.disk[1].slot == 1);
	close(fds[0]);
	close(fds[1]);
}

/* Messages name the image opened, escaped, and the snapshot's path beside it. */
static void disk_messages_name_opened(void)
{
	static struct snap_image im = { .path = "s.snap", .ndisks = 1 };
	const char *a = file_in("a.img", 4096);
	int fds[2] = { open(a, O_RDWR), -1 };
	const char *paths[2] = { a, NULL };
	char errs[1024];

	id_of(fds[0], "/saved/\x1b]0;x\x07", 0, &im.disk[0]);
	snprintf(im.disk[0].path, sizeof(im.disk[0].path), "/saved/\x1b]0;x\x07");
	EXPECT_EQ(CAPTURE_STDERR(errs, snap_check_disks(&im, fds, paths, false)), 0);
	im.disk[0].size++;
	EXPECT_EQ(CAPTURE_STDERR(errs, snap_check_disks(&im, fds, paths, true)), 0);
	EXPECT(strstr(errs, a) && strstr(errs, "may be inconsistent"));
	EXPECT(strstr(errs, "/saved/\\x1b]0;x\\x07") && !strchr(errs, 0x1b));
	close(fds[0]);
}

/* A block device, or a file of another user, is refused without --restore-force-disk. */
static void disk_block_or_other_owner(void)
{
	static struct snap_image im = { .path = "s.snap", .ndisks = 1 };
	const char *a = file_in("other.img", 4096);
	int fds[2] = { open(a, O_RDWR), -1 };
	const char *paths[2] = { a, NULL };
	char errs[1024];

	EXPECT_EQ(fchown(fds[0], 12345, 12345), 0);	/* the tests run as root */
	id_of(fds[0], a, 0, &im.disk[0]);
	EXPECT_EQ(CAPTURE_STDERR(errs, snap_check_disks(&im, fds, paths, false)), -1);
	EXPECT(strstr(errs, "belongs to another user") != NULL);
	close(fds[0]);
	fds[0] = open("/dev/loop0", O_RDONLY);
	if (fds[0] < 0)
		return;		/* no block device to try here */
	paths[0] = "/dev/loop0";
	id_of(fds[0], paths[0], 0, &im.disk[0]);
	EXPECT_EQ(CAPTURE_STDERR(errs, snap_check_disks(&im, fds, paths, false)), -1);
	EXPECT(strstr(errs, "is a block device") != NULL);
	close(fds[0]);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	RUN(saved_output_not_used);
	RUN(set_output_used);
	RUN(saved_disk_needs_set);
	RUN(saved_firmware);
	RUN(names_shown_escaped);
	RUN(saved_include_refused);
	RUN(ram_padding_named);
	RUN(disk_slot_named_twice);
	RUN(disk_messages_name_opened);
	if (geteuid() == 0)
		RUN(disk_block_or_other_owner);
	else
		printf("SKIP snapshot-trust-disk-block-or-other-owner: needs root to chown\n");
	char rm[64];

	snprintf(rm, sizeof(rm), "rm -rf %s", dir);
	if (system(rm))
		return 1;
	UNIT_EXIT();
}
