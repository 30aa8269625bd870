// SPDX-License-Identifier: MIT
/*
 * The snapshot format without KVM: the container written and read back,
 * every truncation and every flipped byte refused, other format versions
 * named, RAM runs kept inside the guest, the vCPU record's sizes checked,
 * and the config's text form read back to the same config.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "../../hypercalls/vmm_abi.h"
#include "../../vmm/config.h"
#include "../../vmm/snapshot/internal.h"
#include "../../vmm/state.h"
#include "../../vmm/vm.h"
#include "../unit.h"

static uint8_t *stream;
static size_t stream_len;

/* Writes a small stream (header, config, a RAM run, end) into `stream`. */
static void make_stream(void)
{
	struct snap_writer w;
	struct snap_header h = { .ram_bytes = 4 * SNAP_PAGE };
	uint8_t run[16 + SNAP_PAGE] = { 1, 0, 0, 0, 0, 0, 0, 0, 1 };
	FILE *f = tmpfile();

	memset(run + 16, 0xab, SNAP_PAGE);
	snap_writer_init(&w, fileno(f));
	snap_write_header(&w, &h);
	snap_section(&w, SNAP_CONFIG, "name = \"x\";", 11);
	snap_section(&w, SNAP_RAM, run, sizeof(run));
	EXPECT_EQ(snap_finish(&w), 0);
	snap_writer_free(&w);
	stream_len = (size_t)w.bytes;
	free(stream);
	stream = malloc(stream_len);
	EXPECT_EQ(pread(fileno(f), stream, stream_len, 0), (ssize_t)stream_len);
	fclose(f);
}

/* Reads buf to its end: 0 when whole, -1 with r->err. */
static int read_all(struct snap_reader *r, const uint8_t *buf, size_t len, int *sections)
{
	uint32_t type;
	const uint8_t *p;
	uint64_t n;
	int k;

	snap_reader_buffer(r, "s.snap", buf, len);
	*sections = 0;
	if (snap_read_header(r))
		return -1;
	while ((k = snap_next(r, &type, &p, &n)) > 0)
		(*sections)++;
	return k;
}

static void crc32c_known_value(void)
{
	EXPECT_EQ(snap_crc32c(0, "123456789", 9), 0xe3069283u);
	/* in pieces, the same */
	EXPECT_EQ(snap_crc32c(snap_crc32c(0, "1234", 4), "56789", 5), 0xe3069283u);
}

/* Long buffers take the three-lane path, short pieces the plain one: same CRC. */
static void crc32c_lanes_agree(void)
{
	static uint8_t buf[100003];
	uint32_t whole, pieces = 0;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + (i >> 9));
	whole = snap_crc32c(0, buf, sizeof(buf));
	for (size_t at = 0, n = 1; at < sizeof(buf); at += n, n = n * 3 + 1) {
		if (n > sizeof(buf) - at)
			n = sizeof(buf) - at;
		pieces = snap_crc32c(pieces, buf + at, n);
	}
	EXPECT_EQ(whole, pieces);
}

static void round_trip(void)
{
	struct snap_reader r;
	int n;

	make_stream();
	EXPECT_EQ(read_all(&r, stream, stream_len, &n), 0);
	EXPECT_EQ(n, 2);
	EXPECT_EQ(r.h.ram_bytes, 4 * SNAP_PAGE);
	EXPECT_EQ(r.h.version, SNAP_FORMAT_VERSION);
}

static void every_truncation_refused(void)
{
	struct snap_reader r;
	int n;

	make_stream();
	for (size_t len = 0; len < stream_len; len++) {
		EXPECT_EQ(read_all(&r, stream, len, &n), -1);
		EXPECT(strstr(r.err, "s.snap: truncated") == r.err);
	}
}

/* A few bytes of something else are not a truncated snapshot: no snapshot at all. */
static void short_file_not_a_snapshot(void)
{
	struct snap_reader r;
	int n;

	EXPECT_EQ(read_all(&r, (const uint8_t *)"hello\n", 6, &n), -1);
	EXPECT(!strcmp(r.err, "s.snap: not a vmm snapshot (no VMM-SNAP magic)"));
	if (strcmp(r.err, "s.snap: not a vmm snapshot (no VMM-SNAP magic)"))
		printf("    got: %s\n", r.err);
}

static void every_flipped_byte_refused(void)
{
	struct snap_reader r;
	int n;

	make_stream();
	for (size_t i = 0; i < stream_len; i++) {
		stream[i] ^= 0x10;
		EXPECT_EQ(read_all(&r, stream, stream_len, &n), -1);
		stream[i] ^= 0x10;
	}
}

static void other_version_named(void)
{
	struct snap_reader r;
	int n;

	make_stream();
	stream[8] = 7;
	EXPECT_EQ(read_all(&r, stream, stream_len, &n), -1);
	EXPECT(!strcmp(r.err, "s.snap: snapshot format version 7, from a newer vmm: "
		       "this vmm reads version 3"));
	stream[8] = 2;
	EXPECT_EQ(read_all(&r, stream, stream_len, &n), -1);
	EXPECT(strstr(r.err, "s.snap: snapshot format version 2, from an older vmm: "
		      "this vmm cannot load it") != NULL);
	memcpy(stream, "ELF\x7f", 4);
	EXPECT_EQ(read_all(&r, stream, stream_len, &n), -1);
	EXPECT(strstr(r.err, "not a vmm snapshot") != NULL);
}

static void trailing_bytes_refused(void)
{
	struct snap_reader r;
	int n;

	make_stream();
	stream = realloc(stream, stream_len + 1);
	stream[stream_len] = 0;
	EXPECT_EQ(read_all(&r, stream, stream_len + 1, &n), -1);
	EXPECT(strstr(r.err, "after the end section") != NULL);
}

static void put_run(uint8_t *p, uint64_t first, uint32_t n, uint32_t kind)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(first >> (8 * i));
	for (int i = 0; i < 4; i++) {
		p[8 + i] = (uint8_t)(n >> (8 * i));
		p[12 + i] = (uint8_t)(kind >> (8 * i));
	}
}

static void ram_runs_stay_inside(void)
{
	static uint8_t buf[16 + 2 * SNAP_PAGE];
	uint64_t pages = 0;
	char err[200];

	put_run(buf, 2, 2, 0);
	EXPECT_EQ(snap_ram_load(NULL, 4 * SNAP_PAGE, buf, sizeof(buf), NULL, 0, &pages, err,
				sizeof(err)), 0);
	EXPECT_EQ(pages, 2);
	put_run(buf, 3, 2, 0);		/* one page past the end */
	EXPECT_EQ(snap_ram_load(NULL, 4 * SNAP_PAGE, buf, sizeof(buf), NULL, 0, &pages, err,
				sizeof(err)), -1);
	put_run(buf, UINT64_MAX, 2, 0);	/* first + n overflows */
	EXPECT_EQ(snap_ram_load(NULL, 4 * SNAP_PAGE, buf, sizeof(buf), NULL, 0, &pages, err,
				sizeof(err)), -1);
	put_run(buf, 0, 3, 0);		/* more data than the section holds */
	EXPECT_EQ(snap_ram_load(NULL, 4 * SNAP_PAGE, buf, sizeof(buf), NULL, 0, &pages, err,
				sizeof(err)), -1);
	put_run(buf, 0, 1, 2);		/* no such kind */
	EXPECT_EQ(snap_ram_load(NULL, 4 * SNAP_PAGE, buf, 16, NULL, 0, &pages, err, sizeof(err)), -1);
	put_run(buf, 0, 0, 1);		/* an empty run */
	EXPECT_EQ(snap_ram_load(NULL, 4 * SNAP_PAGE, buf, 16, NULL, 0, &pages, err, sizeof(err)), -1);
	EXPECT_EQ(snap_ram_load(NULL, 4 * SNAP_PAGE, buf, 15, NULL, 0, &pages, err, sizeof(err)), -1);
}

/*
 * A file's RAM where every other page holds data (as a booted Linux's
 * does): each data page is padded to a page boundary of the file, and
 * every section written is one a reader takes.
 */
static void patchwork_ram_read_back(void)
{
	struct vm vm = { 0 };
	struct snap_writer w;
	struct snap_reader r;
	struct snap_header h;
	uint64_t pages = 0, n, ram = 0;
	uint32_t type;
	const uint8_t *p;
	FILE *f = tmpfile();
	int k;

	vm.mem.size = 4 * SNAP_RAM_CHUNK * (uint64_t)SNAP_PAGE;
	vm.mem.base = calloc(1, vm.mem.size);
	for (uint64_t pg = 1; pg < vm.mem.size / SNAP_PAGE; pg += 2)
		vm.mem.base[pg * SNAP_PAGE] = 1;
	h = (struct snap_header){ .ram_bytes = vm.mem.size };
	snap_writer_init(&w, fileno(f));
	w.align = true;
	snap_write_header(&w, &h);
	EXPECT_EQ(snap_write_pages(&vm, &w, NULL, &pages), 0);
	EXPECT_EQ(pages, vm.mem.size / SNAP_PAGE / 2);
	EXPECT_EQ(snap_finish(&w), 0);
	snap_writer_free(&w);
	free(stream);
	stream_len = (size_t)w.bytes;
	stream = malloc(stream_len);
	EXPECT_EQ(pread(fileno(f), stream, stream_len, 0), (ssize_t)stream_len);
	fclose(f);
	snap_reader_buffer(&r, "s.snap", stream, stream_len);
	EXPECT_EQ(snap_read_header(&r), 0);
	while ((k = snap_next(&r, &type, &p, &n)) > 0)
		ram += type == SNAP_RAM;
	if (k)
		printf("    %s\n", r.err);
	EXPECT_EQ(k, 0);
	EXPECT(ram >= 2);
	free(vm.mem.base);
}

static void vcpu_record_round_trip(void)
{
	static struct snap_vcpu v, back;
	struct state s, l;

	v.regs.rip = 0x1234;
	v.sregs.cr0 = 0x11;
	v.nmsrs = 2;
	v.msrs[1] = (struct snap_msr){ 0x10, 0xabcdef };
	v.has_xcrs = true;
	v.xcrs.nr_xcrs = 1;
	state_init_save(&s);
	EXPECT_EQ(snap_vcpu_state(&s, &v), 0);
	state_init_load(&l, s.buf, s.len);
	EXPECT_EQ(snap_vcpu_state(&l, &back), 0);
	EXPECT_EQ(back.regs.rip, 0x1234);
	EXPECT_EQ(back.sregs.cr0, 0x11);
	EXPECT_EQ(back.msrs[1].data, 0xabcdef);
	EXPECT_EQ(back.xcrs.nr_xcrs, 1);
	/*
	 * An MSR count beyond the bound is refused before it is used: its top
	 * byte, after regs, sregs, xsave size 0, fpu, has_xcrs and xcrs (each
	 * KVM struct led by its u32 size).
	 */
	size_t count_at = 4 + sizeof(v.regs) + 4 + sizeof(v.sregs) + 4 +
			  4 + sizeof(v.fpu) + 1 + 4 + sizeof(v.xcrs);

	EXPECT_EQ(s.buf[count_at], 2);
	s.buf[count_at + 3] = 0xff;
	state_init_load(&l, s.buf, s.len);
	EXPECT_EQ(snap_vcpu_state(&l, &back), -1);
	/* every shorter record is refused */
	for (size_t n = 0; n < s.len; n += 7) {
		state_init_load(&l, s.buf, n);
		EXPECT_EQ(snap_vcpu_state(&l, &back), -1);
	}
	snap_vcpu_free(&back);
	state_free(&s);
}

static void config_text_round_trip(void)
{
	static char dir[] = "/tmp/vmm-snap-XXXXXX", disk[64], cfgfile[64];
	struct vm_config c, back;
	char *text;

	EXPECT(mkdtemp(dir) != NULL);
	snprintf(disk, sizeof(disk), "%s/d \"q\".img", dir);
	snprintf(cfgfile, sizeof(cfgfile), "%s/vm.cfg", dir);
	FILE *f = fopen(disk, "w");

	fclose(f);
	f = fopen(cfgfile, "w");
	fprintf(f, "name = \"t\"; memory = 48; guest = \"gone.elf\"; cmdline = \"a=\\\"b\\\"\\n\";\n"
		"disk = { mode = \"pv\"; path = \"d \\\"q\\\".img\"; cache = \"unsafe\"; };\n"
		"vga = { strategy = \"ram\"; blink = true; };\n");
	fclose(f);
	char errs[512];
	int r = CAPTURE_STDERR(errs, config_load_text(&c, cfgfile, "guest = \"x\";", NULL, 0, 0));

	EXPECT_EQ(r, -1);	/* the guest file must exist, unless restoring */
	EXPECT(strstr(errs, "/x': No such file or directory") != NULL);
	FILE *g = fopen(cfgfile, "r");
	char src[1024];
	size_t n = fread(src, 1, sizeof(src) - 1, g);

	fclose(g);
	src[n] = 0;
	EXPECT_EQ(config_load_text(&c, cfgfile, src, NULL, 0, CONFIG_NO_GUEST_FILE), 0);
	text = config_to_text(&c);
	EXPECT(text != NULL);
	EXPECT_EQ(config_load_text(&back, "/elsewhere/s.snap", text, NULL, 0,
				   CONFIG_NO_GUEST_FILE), 0);
	EXPECT(!strcmp(back.name, "t") && back.mem_mib == 48);
	EXPECT(!strcmp(back.cmdline, "a=\"b\"\n"));
	EXPECT(!strcmp(back.disk.path, disk) && back.disk.mode == VMM_MODE_PV);
	EXPECT(back.disk.cache == CACHE_UNSAFE && back.vga.strategy == VGA_RAM && back.vga.blink);
	EXPECT(!strcmp(back.guest, c.guest));
	free(text);
	config_free(&c);
	config_free(&back);
	unlink(disk);
	unlink(cfgfile);
	rmdir(dir);
}

/* config_to_text() of the config text loads to (with files in dir), or NULL. */
static char *text_of(const char *dir, const char *src)
{
	char path[80];
	struct vm_config c;
	char *text = NULL;

	snprintf(path, sizeof(path), "%s/vm.cfg", dir);
	if (config_load_text(&c, path, src, NULL, 0, 0) == 0) {
		text = config_to_text(&c);
		config_free(&c);
	}
	return text;
}

/*
 * Every key of the config schema (vmm/config.c) is in the text of one of
 * three configs that set them all (boot =, disk.path and linux = exclude
 * one another):
 * a key added to the schema but not to config_to_text() would be lost by
 * every snapshot.  display alone is left out on purpose.
 */
static void config_text_has_every_key(void)
{
	static char dir[] = "/tmp/vmm-snapk-XXXXXX", path[80], line[256];
	FILE *src = fopen("vmm/config.c", "r");
	char *text[3];
	int keys = 0;

	EXPECT(src != NULL && mkdtemp(dir) != NULL);
	if (!src)
		return;
	snprintf(path, sizeof(path), "%s/f", dir);
	FILE *f = fopen(path, "w");

	fseek(f, 510, SEEK_SET);
	fputs("\x55\xaa", f);		/* a boot sector, too */
	fclose(f);
	EXPECT_EQ(truncate(path, 65536), 0);
	text[0] = text_of(dir, "firmware = { image = \"f\"; log = \"f\"; };"
			  "disk = { path = \"f\"; slave = \"f\"; }; guest = \"f\";"
			  "serial = { raw = true; };");
	text[1] = text_of(dir, "boot = \"f\";");
	text[2] = text_of(dir, "linux = { kernel = \"f\"; initrd = \"f\"; };");
	EXPECT(text[0] && text[1] && text[2]);
	while (text[0] && text[1] && text[2] && fgets(line, sizeof(line), src)) {
		char key[64], want[80], *dot;

		if (sscanf(line, "\t{ \"%63[a-z.]\", K_%*[A-Z]", key) != 1 ||
		    strstr(line, "K_GROUP"))
			continue;
		keys++;
		/* the run's, not the VM's: the restoring run chooses it */
		if (!strcmp(key, "display")) {
			EXPECT(!strstr(text[0], "display = "));
			continue;
		}
		dot = strchr(key, '.');
		snprintf(want, sizeof(want), "%s%s = ", dot ? "\t" : "", dot ? dot + 1 : key);
		bool found = strstr(text[0], want) || strstr(text[1], want) ||
			     strstr(text[2], want);

		if (!found)
			printf("    key '%s' is not in config_to_text()'s text\n", key);
		EXPECT(found);
	}
	EXPECT(keys >= 16);
	fclose(src);
	free(text[0]);
	free(text[1]);
	free(text[2]);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	EXPECT_EQ(system(path), 0);
}

static void restorable_keys(void)
{
	EXPECT(config_key_restorable("display"));
	EXPECT(config_key_restorable("serial.output"));
	EXPECT(!config_key_restorable("memory"));
	EXPECT(config_key_restorable("disk.path"));	/* the user's, never the snapshot's */
	EXPECT(!config_key_restorable("vga.mode"));
}

int main(void)
{
	RUN(crc32c_known_value);
	RUN(crc32c_lanes_agree);
	RUN(round_trip);
	RUN(every_truncation_refused);
	RUN(short_file_not_a_snapshot);
	RUN(every_flipped_byte_refused);
	RUN(other_version_named);
	RUN(trailing_bytes_refused);
	RUN(ram_runs_stay_inside);
	RUN(patchwork_ram_read_back);
	RUN(vcpu_record_round_trip);
	RUN(config_text_round_trip);
	RUN(config_text_has_every_key);
	RUN(restorable_keys);
	free(stream);
	UNIT_EXIT();
}
