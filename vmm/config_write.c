// SPDX-License-Identifier: MIT
/*
 * The config written back as libconfig text, for snapshots: a restored VM
 * reads it through config_load_text(), so every check of a config file
 * applies to it too.  Paths are made absolute so that the text means the
 * same wherever the snapshot is restored from.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../hypercalls/vmm_abi.h"
#include "config.h"

/*
 * The keys of a restored VM that --set may change: none reaches the guest
 * but the files it reads, which the restoring user names (CONFIG_SAVED).
 */
static const char *const restorable[] = {
	"name", "display", "serial.output", "serial.raw", "firmware.log",
	"disk.path", "disk.slave", "boot", "firmware", "firmware.image",
};

bool config_key_restorable(const char *key)
{
	for (size_t i = 0; i < sizeof(restorable) / sizeof(restorable[0]); i++)
		if (!strcmp(key, restorable[i]))
			return true;
	return false;
}

/*
 * Printable ASCII only: a value from a snapshot may hold escape sequences
 * meant for the user's terminal, and UTF-8 is not worth a decoder here.
 */
const char *config_shown(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	/* an escape is 4 bytes; "..." and the NUL always fit after one */
	for (; *s && n + 8 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			n += (size_t)snprintf(buf + n, size - n, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x", ch);
		else
			buf[n++] = (char)ch;
	}
	snprintf(buf + n, size - n, "%s", *s ? "..." : "");
	return buf;
}

/* A libconfig string's characters: quotes, backslashes and controls escaped. */
static void put_chars(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
}

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	put_chars(f, s);
	fputc('"', f);
}

/* An absolute path (the file exists: resolved; else made absolute). */
static void put_path(FILE *f, const char *key, const char *p)
{
	char buf[PATH_MAX];

	if (!p)
		return;
	fprintf(f, "%s = \"", key);
	if (realpath(p, buf)) {
		put_chars(f, buf);
	} else {
		if (p[0] != '/' && getcwd(buf, sizeof(buf))) {
			put_chars(f, buf);
			fputc('/', f);
		}
		put_chars(f, p);
	}
	fputs("\";\n", f);
}

/* "stdout", "stderr" and "none" are words, not files. */
static void put_output(FILE *f, const char *key, const char *v)
{
	if (!strcmp(v, "stdout") || !strcmp(v, "stderr") || !strcmp(v, "none")) {
		fprintf(f, "%s = ", key);
		put_str(f, v);
		fputs(";\n", f);
	} else {
		put_path(f, key, v);
	}
}

static const char *mode_name(int mode)
{
	return mode == VMM_MODE_PV ? "pv" : "emulated";
}

static void put_disk(FILE *f, const struct vm_config *c)
{
	if (c->disk.path && c->disk.in_memory) {
		put_path(f, "boot", c->disk.path);	/* boot = FILE: the disk, read only */
		return;
	}
	if (!c->disk.path)
		return;		/* a disk group needs its path */
	fprintf(f, "disk = {\n\tmode = \"%s\";\n\t", mode_name(c->disk.mode));
	put_path(f, "path", c->disk.path);
	if (c->disk.slave) {
		fputc('\t', f);
		put_path(f, "slave", c->disk.slave);
	}
	fprintf(f, "\treadonly = %s;\n\tcache = \"%s\";\n};\n",
		c->disk.readonly ? "true" : "false",
		config_cache_names[c->disk.cache]);
}

static void put_firmware(FILE *f, const struct vm_config *c)
{
	if (!c->firmware.image)
		return;
	fputs("firmware = {\n\t", f);
	put_path(f, "image", c->firmware.image);
	fputc('\t', f);
	put_output(f, "log", c->firmware.log);
	fprintf(f, "\tmenu = %s;\n};\n", c->firmware.menu ? "true" : "false");
}

char *config_to_text(const struct vm_config *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fputs("name = ", f);
	put_str(f, c->name);
	fprintf(f, ";\nmemory = %u;\n", c->mem_mib);
	put_path(f, "guest", c->guest);
	fputs("cmdline = ", f);
	put_str(f, c->cmdline ? c->cmdline : "");
	/* no display: the restoring run chooses how it is shown */
	fprintf(f, ";\nvga = {\n\tmode = \"%s\";\n\tstrategy = \"%s\";\n\tblink = %s;\n};\n",
		mode_name(c->vga.mode), config_strategy_names[c->vga.strategy],
		c->vga.blink ? "true" : "false");
	put_disk(f, c);
	fputs("serial = {\n\t", f);
	put_output(f, "output", c->serial.output ? c->serial.output : "stdout");
	fprintf(f, "\traw = %s;\n};\n", c->serial.raw ? "true" : "false");
	put_firmware(f, c);
	if (c->kernel.path) {
		fputs("linux = {\n\t", f);
		put_path(f, "kernel", c->kernel.path);
		if (c->kernel.initrd) {
			fputc('\t', f);
			put_path(f, "initrd", c->kernel.initrd);
		}
		fputs("};\n", f);
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}
