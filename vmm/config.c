// SPDX-License-Identifier: MIT
/*
 * The libconfig file, checked against one schema table so that every
 * unknown key, wrong type and bad value is reported as "file:line: message"
 * before anything is opened or written.
 */
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "../hypercalls/vmm_abi.h"
#include "config.h"
#include "config_text.h"

/*
 * K_SHORT: a string that stands for a group's one usual member (its name
 * is choices[0]), or the whole group: firmware = "seabios" or
 * firmware = { image = "seabios"; log = "stderr"; }.
 */
enum ktype { K_GROUP, K_STRING, K_INT, K_BOOL, K_ENUM, K_SHORT };

static const char *const display_names[] = { "tui", "headless", NULL };
static const char *const mode_names[] = { "emulated", "pv", NULL };
const char *const config_strategy_names[] = { "trap", "coalesced", "ram", NULL };
const char *const config_cache_names[] = {
	"writeback", "writethrough", "none", "unsafe", NULL
};
static const char *const firmware_short[] = { "image", NULL };
static const char *const linux_short[] = { "kernel", NULL };

struct key {
	const char *path;
	enum ktype type;
	const char *const *choices;
};

static const struct key schema[] = {
	{ "name", K_STRING, NULL },
	{ "memory", K_INT, NULL },
	{ "guest", K_STRING, NULL },
	{ "cmdline", K_STRING, NULL },
	{ "display", K_ENUM, display_names },
	{ "vga", K_GROUP, NULL },
	{ "vga.mode", K_ENUM, mode_names },
	{ "vga.strategy", K_ENUM, config_strategy_names },
	{ "vga.blink", K_BOOL, NULL },
	{ "disk", K_GROUP, NULL },
	{ "disk.mode", K_ENUM, mode_names },
	{ "disk.path", K_STRING, NULL },
	{ "disk.slave", K_STRING, NULL },
	{ "disk.readonly", K_BOOL, NULL },
	{ "disk.cache", K_ENUM, config_cache_names },
	{ "serial", K_GROUP, NULL },
	{ "serial.output", K_STRING, NULL },
	{ "serial.raw", K_BOOL, NULL },
	{ "boot", K_STRING, NULL },
	{ "firmware", K_SHORT, firmware_short },
	{ "firmware.image", K_STRING, NULL },
	{ "firmware.log", K_STRING, NULL },
	{ "firmware.menu", K_BOOL, NULL },
	{ "linux", K_SHORT, linux_short },
	{ "linux.kernel", K_STRING, NULL },
	{ "linux.initrd", K_STRING, NULL },
};

static const struct key *schema_find(const char *path)
{
	for (size_t i = 0; i < sizeof(schema) / sizeof(schema[0]); i++)
		if (!strcmp(schema[i].path, path))
			return &schema[i];
	return NULL;
}

struct loader {
	struct vm_config *c;
	config_t cf;
	char *dir;			/* folder of the config file */
	char *text;			/* the config file as read */
	size_t len;
	char *const *overrides;
	int n_overrides;
	bool no_file;			/* vmm --boot FILE: overrides only */
	unsigned int flags;		/* CONFIG_* */
};

static char *resolve(const struct loader *l, const char *p)
{
	char *out;

	if (p[0] == '/' || !l->dir[0])
		out = strdup(p);
	else if (asprintf(&out, "%s/%s", l->dir, p) < 0)
		out = NULL;
	if (!out) {
		perror("vmm");
		exit(1);
	}
	return out;
}

/*
 * The --set argument behind a setting (its hook, set by apply_override()),
 * or behind the group --set made for it; NULL for one from a file.
 */
static const char *typed(const config_setting_t *s)
{
	const config_setting_t *child = s && config_setting_is_group(s) ?
					config_setting_get_elem(s, 0) : NULL;

	if (s && config_setting_source_line(s) > 0)
		return NULL;
	return s && config_setting_get_hook(s) ? config_setting_get_hook(s) :
	       child ? config_setting_get_hook(child) : NULL;
}

/*
 * A path typed with --set means what it would to any other command: from
 * the current folder.  One in a config file, from the file's folder.
 */
static char *resolve_value(const struct loader *l, const config_setting_t *s,
			   const char *p)
{
	char cwd[4096];
	struct loader here = *l;

	if (!typed(s))
		return resolve(l, p);
	here.dir = getcwd(cwd, sizeof(cwd)) ? cwd : "";
	return resolve(&here, p);
}

static char *resolve_key(const struct loader *l, const char *key, const char *p)
{
	return resolve_value(l, config_lookup(&l->cf, key), p);
}

/* The flags that name a file by a key (vmm/options.c): --boot FILE is boot=FILE */
static const char *file_flag(const char *arg)
{
	static const struct { const char *key, *flag; } flags[] = {
		{ "boot=", "--boot" },
		{ "linux.kernel=", "--kernel" },
		{ "linux.initrd=", "--initrd" },
	};

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (!strncmp(arg, flags[i].key, strlen(flags[i].key)))
			return flags[i].flag;
	return NULL;
}

/* Settings created by --set have no source line; name the flag instead. */
static int fail(struct loader *l, const config_setting_t *s, const char *fmt, ...)
{
	const char *flag;
	va_list ap;
	int line = s ? config_setting_source_line(s) : 0;
	const char *arg = typed(s);

	if (line > 0) {
		const char *f = config_setting_source_file(s);
		char *path = f ? resolve(l, f) : NULL;

		fprintf(stderr, "%s:%d: ", path ? path : l->c->file, line);
		free(path);
	} else if (arg && (flag = file_flag(arg))) {
		/* alone, the message names the file; beside -c, what clashes */
		if (l->no_file)
			fprintf(stderr, "vmm: ");
		else
			fprintf(stderr, "vmm: %s %s: ", flag, strchr(arg, '=') + 1);
	} else if (arg) {
		fprintf(stderr, "vmm: --set %s: ", arg);
	} else if (l->no_file || s) {
		fprintf(stderr, "vmm: ");
	} else {
		fprintf(stderr, "%s: ", l->c->file);
	}
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static const char *type_name(enum ktype t)
{
	switch (t) {
	case K_GROUP: return "a group { ... }";
	case K_INT: return "an integer";
	case K_BOOL: return "true or false";
	case K_SHORT: return "a string or a group { ... }";
	default: return "a string";
	}
}

static bool type_ok(const config_setting_t *s, enum ktype t)
{
	int st = config_setting_type(s);

	switch (t) {
	case K_GROUP: return st == CONFIG_TYPE_GROUP;
	case K_INT: return st == CONFIG_TYPE_INT || st == CONFIG_TYPE_INT64;
	case K_BOOL: return st == CONFIG_TYPE_BOOL;
	case K_SHORT: return st == CONFIG_TYPE_STRING || st == CONFIG_TYPE_GROUP;
	default: return st == CONFIG_TYPE_STRING;
	}
}

static int check_tree(struct loader *l, config_setting_t *g, const char *prefix)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *s = config_setting_get_elem(g, i);
		const char *n = config_setting_name(s);
		char path[128];

		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "",
			 n ? n : "?");
		const struct key *k = n ? schema_find(path) : NULL;

		if (!k)
			return fail(l, s, "unknown key '%s'", path);
		if (!type_ok(s, k->type))
			return fail(l, s, "'%s' must be %s", path, type_name(k->type));
		if (config_setting_is_group(s) && check_tree(l, s, path))
			return -1;
	}
	return 0;
}

static int get_enum(struct loader *l, const char *path, int *out)
{
	const struct key *k = schema_find(path);
	config_setting_t *s = config_lookup(&l->cf, path);

	if (!s)
		return 0;
	const char *v = config_setting_get_string(s);

	for (int i = 0; k->choices[i]; i++) {
		if (!strcmp(v, k->choices[i])) {
			*out = i;
			return 0;
		}
	}
	char list[128] = "";

	for (int i = 0; k->choices[i]; i++) {
		strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
		strncat(list, k->choices[i], sizeof(list) - strlen(list) - 1);
	}
	return fail(l, s, "'%s' is \"%s\"; expected one of: %s", path, v, list);
}

static const char *get_str(struct loader *l, const char *path)
{
	const char *v = NULL;

	config_lookup_string(&l->cf, path, &v);
	return v;
}

static int check_readable(struct loader *l, const char *path, const char *file)
{
	if (access(file, R_OK) == 0)
		return 0;
	int e = errno;
	/* vmm never makes an image itself: say how to */
	bool image = e == ENOENT && !strncmp(path, "disk.", 5);
	bool initrd = e == ENOENT && !strcmp(path, "linux.initrd");

	return fail(l, config_lookup(&l->cf, path), "%s '%s': %s%s", path, file,
		    strerror(e), image ? "; make one with: vmm --create-image FILE "
		    "--size 4M, then --set disk.path=FILE" : initrd ? "; make one with: make "
		    "linux-initramfs, or mkinitramfs.sh FILE (share/vmm/guest/ when installed)" : "");
}

static char *copy(const char *v)
{
	char *out = strdup(v);

	if (!out) {
		perror("vmm");
		exit(1);
	}
	return out;
}

/*
 * firmware = "seabios" (Debian's SeaBIOS), a BIOS image, or the group
 * { image = ...; log = "stderr" | "none" | a file; menu = bool; }.  The
 * firmware boots disk.path through the emulated ATA disk.
 */
const char *config_firmware_size_problem(uint64_t size)
{
	if (!size)
		return "is empty";
	if (size % CONFIG_FIRMWARE_BLOCK)
		return "is not a whole number of 64 KiB blocks";
	if (size > CONFIG_FIRMWARE_MAX)
		return "is larger than 256 KiB";
	return NULL;
}

static int extract_firmware(struct loader *l)
{
	struct vm_config *c = l->c;
	config_setting_t *s = config_lookup(&l->cf, "firmware"), *img = s;
	const char *v, *why;
	struct stat st;
	int b = 0;

	if (!s && config_lookup(&l->cf, "boot")) {
		/* boot = "FILE": a boot sector wants a BIOS; SeaBIOS unless named */
		c->firmware.image = copy(CONFIG_SEABIOS);
		c->firmware.log = copy("none");
		return check_readable(l, "boot", c->firmware.image);
	}
	if (!s)
		return 0;
	if (config_setting_is_group(s) && !(img = config_setting_get_member(s, "image")))
		return fail(l, s, "'firmware' needs 'image' (\"seabios\" or a BIOS image file)");
	v = config_setting_get_string(img);
	c->firmware.image = strcmp(v, "seabios") ? resolve_value(l, img, v) :
			    copy(CONFIG_SEABIOS);
	if (stat(c->firmware.image, &st) < 0 || access(c->firmware.image, R_OK) < 0)
		return fail(l, img, "firmware '%s': %s%s", c->firmware.image, strerror(errno),
			    errno != ENOENT ? "" : strcmp(v, "seabios") ?
			    " (\"seabios\" names Debian's SeaBIOS)" :
			    " (apt-get install seabios)");
	why = S_ISREG(st.st_mode) ? config_firmware_size_problem((uint64_t)st.st_size) :
	      "is not a regular file";
	if (why)
		return fail(l, img, "firmware '%s' %s", c->firmware.image, why);
	v = get_str(l, "firmware.log");
	if (!v)
		v = "none";
	c->firmware.log = !strcmp(v, "stderr") || !strcmp(v, "none") ? copy(v) :
			  resolve_key(l, "firmware.log", v);
	config_lookup_bool(&l->cf, "firmware.menu", &b);
	c->firmware.menu = b;
	if (!config_lookup(&l->cf, "disk.path") && !config_lookup(&l->cf, "boot"))
		return fail(l, s, "a firmware boots 'disk.path': add disk = { path = \"...\"; }");
	v = get_str(l, "disk.mode");
	if (v && strcmp(v, "emulated"))
		return fail(l, config_lookup(&l->cf, "disk.mode"),
			    "'disk.mode' must be \"emulated\" with a firmware (the BIOS drives the ATA disk)");
	return 0;
}

/*
 * linux = "bzImage" or { kernel = "bzImage"; initrd = "initramfs"; }: a
 * Linux kernel booted by vmm itself, with cmdline as its command line.
 */
static int extract_linux(struct loader *l)
{
	struct vm_config *c = l->c;
	config_setting_t *s = config_lookup(&l->cf, "linux"), *k = s;
	bool check = !(l->flags & CONFIG_NO_GUEST_FILE);
	const char *v;

	if (!s)
		return 0;
	if (config_setting_is_group(s) && !(k = config_setting_get_member(s, "kernel")))
		return fail(l, s, "'linux' needs 'kernel' (a bzImage, such as /boot/vmlinuz)");
	if (config_lookup(&l->cf, "guest") || c->firmware.image)
		return fail(l, s, "'linux' boots a kernel without firmware: no 'guest', "
			    "'firmware' or 'boot' with it");
	c->kernel.path = resolve(l, config_setting_get_string(k));
	if (check && check_readable(l, "linux.kernel", c->kernel.path))
		return -1;
	v = get_str(l, "linux.initrd");
	if (v) {
		c->kernel.initrd = resolve(l, v);
		if (check && check_readable(l, "linux.initrd", c->kernel.initrd))
			return -1;
	}
	return 0;
}

/*
 * libconfig 1.5 keeps only the low 32 bits of an integer written without an
 * L suffix; the text says what was meant.  -1: it needs more than 64 bits.
 */
static int int_as_written(struct loader *l, const config_setting_t *s,
			  long long *v, char *literal, size_t size)
{
	const char *file = config_setting_source_file(s);
	char *path = file ? resolve(l, file) : NULL;
	size_t len = l->len;
	char *text = path ? config_text_read(path, &len) : l->text;
	int r = 0;

	free(path);
	if (text)
		r = config_text_int(text, len, config_setting_source_line(s),
				    config_setting_name(s), v, literal, size);
	if (text != l->text)
		free(text);
	return r < 0 ? -1 : 0;
}

/* An integer key, range-checked; *out keeps its default when it is absent. */
static int get_int(struct loader *l, const char *path, long long min,
		   long long max, const char *unit, long long *out)
{
	config_setting_t *s = config_lookup(&l->cf, path);
	char literal[32];
	long long v;

	if (!s)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_INT64) {
		v = config_setting_get_int64(s);
	} else {
		v = config_setting_get_int(s);
		if (config_setting_source_line(s) > 0 &&
		    int_as_written(l, s, &v, literal, sizeof(literal)))
			return fail(l, s, "'%s' is %s, more than 64 bits hold",
				    path, literal);
	}
	if (v < min || v > max)
		return fail(l, s, "'%s' is %lld%s; it must be %lld to %lld",
			    path, v, unit, min, max);
	*out = v;
	return 0;
}

static int extract_name(struct loader *l)
{
	struct vm_config *c = l->c;
	const char *v = get_str(l, "name");

	snprintf(c->name, sizeof(c->name), "%s", v ? v : "vm");
	if (v && (strlen(v) >= sizeof(c->name) || !v[0]))
		return fail(l, config_lookup(&l->cf, "name"),
			    "'name' must have 1 to %zu characters",
			    sizeof(c->name) - 1);
	/* it appears in the status line and in JSON: keep it plain */
	if (v && v[strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-")])
		return fail(l, config_lookup(&l->cf, "name"),
			    "'name' may hold letters, digits, space, '.', '_' and '-' only");
	return 0;
}

static int extract_guest(struct loader *l)
{
	struct vm_config *c = l->c;
	long long m = CONFIG_MEM_DEFAULT_MIB;
	const char *v;

	if (get_int(l, "memory", CONFIG_MEM_MIN_MIB, CONFIG_MEM_MAX_MIB, " MiB", &m))
		return -1;
	c->mem_mib = (uint32_t)m;

	if (extract_firmware(l) || extract_linux(l))
		return -1;
	v = get_str(l, "guest");
	if (!v && !c->firmware.image && !c->kernel.path)
		return fail(l, NULL, "missing key 'guest' (the Multiboot ELF to run)");
	if (v) {
		c->guest = resolve_key(l, "guest", v);
		if (!(l->flags & CONFIG_NO_GUEST_FILE) &&
		    check_readable(l, "guest", c->guest))
			return -1;
	}

	v = get_str(l, "cmdline");
	if (v && strlen(v) > CONFIG_CMDLINE_MAX)
		return fail(l, config_lookup(&l->cf, "cmdline"),
			    "'cmdline' has %zu characters; at most %d", strlen(v),
			    CONFIG_CMDLINE_MAX);
	c->cmdline = strdup(v ? v : "");
	return 0;
}

static int extract_display(struct loader *l)
{
	struct vm_config *c = l->c;
	int e = DISPLAY_TUI, b = 0;

	if (get_enum(l, "display", &e))
		return -1;
	c->display = e;

	e = 0;
	if (get_enum(l, "vga.mode", &e))
		return -1;
	c->vga.mode = e ? VMM_MODE_PV : VMM_MODE_EMULATED;
	/* every frame exact, as trap, at about one exit per 170 stores */
	e = VGA_COALESCED;
	if (get_enum(l, "vga.strategy", &e))
		return -1;
	c->vga.strategy = e;
	config_lookup_bool(&l->cf, "vga.blink", &b);
	c->vga.blink = b;
	return 0;
}

/*
 * What the firmware would refuse after seconds of BIOS code, said before
 * KVM opens: a file too short to hold a boot sector, a Multiboot ELF given
 * where a disk belongs, a first sector without the 55 AA signature.
 */
static int check_boot_sector(struct loader *l, const config_setting_t *s,
			     const char *path)
{
	unsigned char b[512];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : pread(fd, b, sizeof(b), 0);

	if (fd >= 0)
		close(fd);
	if (n < 0)
		return fail(l, s, "boot '%s': %s", path, strerror(errno));
	if (n >= 4 && !memcmp(b, "\177ELF", 4))
		return fail(l, s, "boot '%s' is an ELF file, not a boot sector "
			    "(a Multiboot guest runs with guest = \"FILE\")", path);
	if (n < (ssize_t)sizeof(b))
		return fail(l, s, "boot '%s' is %zd bytes: a boot sector is 512, "
			    "ending in 55 AA", path, n);
	if (b[510] != 0x55 || b[511] != 0xaa)
		return fail(l, s, "boot '%s' has no boot signature (55 AA at byte 510): "
			    "the BIOS would not boot it", path);
	return 0;
}

/*
 * boot = "FILE": a small raw file (a boot sector) is the disk, as is:
 * read into memory, padded to whole sectors, read only, never written.
 */
static int extract_boot(struct loader *l, const char *v)
{
	struct vm_config *c = l->c;
	config_setting_t *s = config_lookup(&l->cf, "boot");

	if (config_lookup(&l->cf, "disk.path"))
		return fail(l, s, "'boot' and 'disk.path' both name the disk: keep one");
	if (config_lookup(&l->cf, "disk.mode") || config_lookup(&l->cf, "guest"))
		return fail(l, s, "'boot' runs a BIOS from an emulated disk: no 'guest' or 'disk.mode'");
	c->disk.path = resolve_value(l, s, v);
	c->disk.mode = VMM_MODE_EMULATED;
	c->disk.readonly = true;
	c->disk.in_memory = true;
	c->disk.cache = CACHE_UNSAFE;
	if (check_readable(l, "boot", c->disk.path))
		return -1;
	/* a restore runs the saved machine: its memory holds the disk */
	return l->flags & CONFIG_NO_GUEST_FILE ? 0 : check_boot_sector(l, s, c->disk.path);
}

static int extract_disk(struct loader *l)
{
	struct vm_config *c = l->c;
	const char *v = get_str(l, "disk.path");
	config_setting_t *s;
	int e = 0, b = 0;

	c->disk.mode = VMM_MODE_NONE;
	if (get_str(l, "boot"))
		return extract_boot(l, get_str(l, "boot"));
	if (v) {
		c->disk.path = resolve_key(l, "disk.path", v);
		if (check_readable(l, "disk.path", c->disk.path))
			return -1;
		if (get_enum(l, "disk.mode", &e))
			return -1;
		c->disk.mode = e ? VMM_MODE_PV : VMM_MODE_EMULATED;
	} else if ((s = config_lookup(&l->cf, "disk")) &&
		   config_setting_length(s) > 0) {
		return fail(l, s, "'disk' needs 'path' (a raw image)");
	}
	v = get_str(l, "disk.slave");
	if (v) {
		c->disk.slave = resolve_key(l, "disk.slave", v);
		if (check_readable(l, "disk.slave", c->disk.slave))
			return -1;
	}
	config_lookup_bool(&l->cf, "disk.readonly", &b);
	c->disk.readonly = b;
	e = CACHE_WRITEBACK;
	if (get_enum(l, "disk.cache", &e))
		return -1;
	c->disk.cache = e;
	return 0;
}

static int extract_serial(struct loader *l)
{
	struct vm_config *c = l->c;
	const char *v = get_str(l, "serial.output");
	int b = 0;

	if (!v)
		v = "stdout";
	if (!strcmp(v, "stdout") || !strcmp(v, "none"))
		c->serial.output = strdup(v);
	else
		c->serial.output = resolve_key(l, "serial.output", v);
	config_lookup_bool(&l->cf, "serial.raw", &b);
	c->serial.raw = b;
	return 0;
}

static int extract(struct loader *l)
{
	return extract_name(l) || extract_guest(l) || extract_display(l) ||
	       extract_disk(l) || extract_serial(l) ? -1 : 0;
}

/*
 * The group `name` at the root for an override of one of its members; a
 * shorthand string there (firmware = "seabios") becomes its usual member.
 */
static config_setting_t *override_group(config_setting_t *root, const char *name)
{
	config_setting_t *g = config_setting_get_member(root, name);
	const struct key *k = schema_find(name);
	const char *v = g ? config_setting_get_string(g) : NULL;
	char *shorthand = v ? copy(v) : NULL;

	if (g && config_setting_is_group(g)) {
		free(shorthand);
		return g;
	}
	if (g)
		config_setting_remove(root, name);
	g = config_setting_add(root, name, CONFIG_TYPE_GROUP);
	if (g && shorthand && k && k->type == K_SHORT)
		config_setting_set_string(config_setting_add(g, k->choices[0],
							     CONFIG_TYPE_STRING), shorthand);
	free(shorthand);
	return g;
}

/* The setting path (a copy, split at its dot) names in the tree, emptied. */
static config_setting_t *replace_setting(struct loader *l, char *path,
					 const struct key *k, int type)
{
	config_setting_t *parent = config_root_setting(&l->cf), *g;
	char *dot = strchr(path, '.');
	const char *leaf = path;

	if (dot) {
		*dot = 0;
		leaf = dot + 1;
		parent = override_group(parent, path);
	} else if (k->type == K_SHORT && (g = config_setting_get_member(parent, path)) &&
		   config_setting_is_group(g)) {
		/* --set firmware=x keeps the file's firmware.log and .menu */
		parent = g;
		leaf = k->choices[0];
	}
	if (config_setting_get_member(parent, leaf))
		config_setting_remove(parent, leaf);
	return config_setting_add(parent, leaf, type);
}

static int set_value(config_setting_t *s, enum ktype type, const char *arg,
		     const char *val)
{
	char *end;

	switch (type) {
	case K_INT: {
		errno = 0;
		long long n = strtoll(val, &end, 0);

		if (!*val || *end || errno) {
			fprintf(stderr, "vmm: --set %s: '%s' is not an integer\n",
				arg, val);
			return -1;
		}
		config_setting_set_int64(s, n);
		return 0;
	}
	case K_BOOL:
		if (!strcmp(val, "true") || !strcmp(val, "false")) {
			config_setting_set_bool(s, val[0] == 't');
			return 0;
		}
		fprintf(stderr, "vmm: --set %s: expected true or false\n", arg);
		return -1;
	default:
		config_setting_set_string(s, val);
		return 0;
	}
}

/* "disk.mode=pv" -> a setting of the schema's type, replacing any from the file */
static int apply_override(struct loader *l, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char path[128];

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(path)) {
		fprintf(stderr, "vmm: --set %s: expected KEY=VALUE\n", arg);
		return -1;
	}
	memcpy(path, arg, eq - arg);
	path[eq - arg] = 0;
	const struct key *k = schema_find(path);

	if (!k || k->type == K_GROUP) {
		fprintf(stderr, "vmm: --set %s: unknown key '%s'\n", arg, path);
		return -1;
	}
	int type = k->type == K_INT ? CONFIG_TYPE_INT64 :
		   k->type == K_BOOL ? CONFIG_TYPE_BOOL : CONFIG_TYPE_STRING;
	config_setting_t *s = replace_setting(l, path, k, type);

	if (set_value(s, k->type, arg, eq + 1))
		return -1;
	/* what was typed: its paths are the user's, its errors name it */
	config_setting_set_hook(s, (void *)arg);
	return 0;
}

/* libconfig's own message, with a hint for the dotted keys --set uses. */
static void parse_error(struct loader *l, const char *file)
{
	const char *ef = config_error_file(&l->cf);
	char *path = ef ? resolve(l, ef) : NULL;
	int line = config_error_line(&l->cf);
	size_t len = l->len;
	char *text = path ? config_text_read(path, &len) : l->text;
	char hint[160] = "";

	if (text)
		config_text_dotted_hint(text, len, line, hint, sizeof(hint));
	if (text != l->text)
		free(text);
	fprintf(stderr, "%s:%d: %s%s\n", path ? path : file, line,
		config_error_text(&l->cf), hint);
	free(path);
}

/* The text is read once (a pipe as -c works) and handed to libconfig. */
static int parse(struct loader *l, const char *file)
{
	const char *nul;

	l->text = config_text_read(file, &l->len);
	if (!l->text) {
		fprintf(stderr, "%s: cannot read config: %s\n", file,
			strerror(errno));
		return -1;
	}
	nul = memchr(l->text, 0, l->len);
	if (nul) {
		int line = 1;

		for (const char *p = l->text; p < nul; p++)
			line += *p == '\n';
		fprintf(stderr, "%s:%d: a NUL byte in the text\n", file, line);
		return -1;
	}
	if (l->dir[0])
		config_set_include_dir(&l->cf, l->dir);
	if (config_text_includes(file, l->text, l->len, l->dir))
		return -1;
	if (!config_read_string(&l->cf, l->text)) {
		parse_error(l, file);
		return -1;
	}
	return 0;
}

/* The folder of file, where its relative paths resolve ("" for none). */
static char *folder_of(const char *file)
{
	char *dir = strdup(file ? file : "");
	char *slash = dir ? strrchr(dir, '/') : NULL;

	if (!dir) {
		perror("vmm");
		exit(1);
	}
	if (slash)
		*slash = 0;
	else
		dir[0] = 0;
	return dir;
}

/*
 * What a snapshot's config may not choose (CONFIG_SAVED): the host files
 * vmm opens, creates or appends to, and raw bytes to the user's terminal.
 * needed: the machine cannot run without it, so the user must name one.
 */
static const struct {
	const char *path;
	bool needed;
} host_keys[] = {
	{ "serial.output", false }, { "serial.raw", false }, { "firmware.log", false },
	{ "disk.path", true }, { "disk.slave", true }, { "boot", true },
	{ "firmware.image", true },
};

/* Does an override (the user's --set) give key, or its group's shorthand? */
static bool overridden(const struct loader *l, const char *key)
{
	const char *dot = strchr(key, '.');

	for (int i = 0; i < l->n_overrides; i++) {
		const char *o = l->overrides[i], *eq = strchr(o, '=');
		size_t n = eq ? (size_t)(eq - o) : 0;

		if (eq && ((n == strlen(key) && !strncmp(o, key, n)) ||
			   (!strcmp(key, "firmware.image") && dot && n == (size_t)(dot - key) &&
			    !strncmp(o, key, n))))
			return true;
	}
	return false;
}

/* The public SeaBIOS is no one's file: a snapshot may name it. */
static bool system_firmware(const char *v)
{
	return !strcmp(v, "seabios") || !strcmp(v, CONFIG_SEABIOS);
}

static int drop_host_key(struct loader *l, config_setting_t *s, const char *key,
			 bool needed)
{
	const char *v = config_setting_type(s) == CONFIG_TYPE_BOOL ?
			(config_setting_get_bool(s) ? "true" : "false") :
			config_setting_get_string(s);
	char shown[512];

	config_shown(v ? v : "", shown, sizeof(shown));
	if (needed && !overridden(l, key))
		return fail(l, s, "the saved VM's %s is \"%s\": a restored VM opens only "
			    "the files its command line names: add --set %s=FILE",
			    key, shown, key);
	if (!needed && !overridden(l, key) && strcmp(shown, "stdout") &&
	    strcmp(shown, "none") && strcmp(shown, "false"))
		fprintf(stderr, "vmm: %s: the saved config's %s = \"%s\" is not used "
			"(a snapshot chooses no host file and no raw mode; "
			"--set %s=... does)\n", l->c->file, key, shown, key);
	return config_setting_remove(config_setting_parent(s), config_setting_name(s)) ==
	       CONFIG_TRUE ? 0 : -1;
}

static int drop_host_keys(struct loader *l)
{
	config_setting_t *fw = config_lookup(&l->cf, "firmware"), *s;

	/* firmware = "FILE" is firmware = { image = "FILE"; } */
	if (fw && !config_setting_is_group(fw))
		override_group(config_root_setting(&l->cf), "firmware");
	for (size_t i = 0; i < sizeof(host_keys) / sizeof(host_keys[0]); i++) {
		const char *key = host_keys[i].path;

		if (!(s = config_lookup(&l->cf, key)))
			continue;
		if (!strcmp(key, "firmware.image") &&
		    system_firmware(config_setting_get_string(s)) && !overridden(l, key))
			continue;
		if (drop_host_key(l, s, key, host_keys[i].needed))
			return -1;
	}
	return 0;
}

/* What was read is checked as written, then the overrides replace values. */
static int finish_load(struct loader *l)
{
	if (check_tree(l, config_root_setting(&l->cf), ""))
		return -1;
	if ((l->flags & CONFIG_SAVED) && drop_host_keys(l))
		return -1;
	/*
	 * How the saving run was shown (--headless in a script, say) is not
	 * the VM's: the restoring run shows it as its own command line and
	 * terminal say.  Older snapshots hold it; newer ones do not.
	 */
	if (l->flags & CONFIG_SAVED)	/* CONFIG_FALSE when it has none */
		config_setting_remove(config_root_setting(&l->cf), "display");
	for (int i = 0; i < l->n_overrides; i++)
		if (apply_override(l, l->overrides[i]))
			return -1;
	return extract(l);
}

int config_load(struct vm_config *c, const char *file,
		char *const *overrides, int n_overrides)
{
	struct loader l = { .c = c, .overrides = overrides,
			    .n_overrides = n_overrides, .no_file = !file };
	int ret = -1;

	memset(c, 0, sizeof(*c));
	/* no file (vmm --boot FILE): an empty config, the overrides say it all */
	c->file = strdup(file ? file : "--boot");
	l.dir = folder_of(file);
	config_init(&l.cf);
	if (!(file && parse(&l, file)))
		ret = finish_load(&l);
	config_destroy(&l.cf);
	free(l.dir);
	free(l.text);
	if (ret)
		config_free(c);
	return ret;
}

int config_load_text(struct vm_config *c, const char *origin, const char *text,
		     char *const *overrides, int n_overrides, unsigned int flags)
{
	struct loader l = { .c = c, .overrides = overrides,
			    .n_overrides = n_overrides, .flags = flags };
	int ret = -1;

	memset(c, 0, sizeof(*c));
	c->file = strdup(origin);
	l.dir = folder_of(origin);
	config_init(&l.cf);
	/*
	 * A saved config is whole: libconfig would read the files an
	 * @include names (and say whether they exist), refused first.
	 */
	int inc = config_text_include_line(text, strlen(text));

	if (inc)
		fprintf(stderr, "%s:%d: @include in a saved config: refused (a snapshot "
			"reads no other file)\n", origin, inc);
	else if (!config_read_string(&l.cf, text))
		fprintf(stderr, "%s:%d: %s\n", origin, config_error_line(&l.cf),
			config_error_text(&l.cf));
	else
		ret = finish_load(&l);
	config_destroy(&l.cf);
	free(l.dir);
	if (ret)
		config_free(c);
	return ret;
}

int config_parse_size(const char *s, uint64_t *bytes)
{
	char *end;
	unsigned int shift = 0;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);

	if (errno)
		return -1;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	}
	if (*end == 'i' || *end == 'B')		/* 64MiB, 64MB */
		end += end[0] == 'i' && end[1] == 'B' ? 2 : 1;
	if (*end || v == 0 || v > (UINT64_MAX >> 1) >> shift)
		return -1;
	*bytes = v << shift;
	return 0;
}

void config_free(struct vm_config *c)
{
	free(c->file);
	free(c->guest);
	free(c->cmdline);
	free(c->disk.path);
	free(c->disk.slave);
	free(c->serial.output);
	free(c->firmware.image);
	free(c->firmware.log);
	free(c->kernel.path);
	free(c->kernel.initrd);
	memset(c, 0, sizeof(*c));
}
