// SPDX-License-Identifier: MIT
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "options.h"

#ifndef VMM_VERSION
#define VMM_VERSION "0.1"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmm -c FILE [options]\n"
		"       vmm --boot FILE.bin [options]\n"
		"       vmm --kernel bzImage|vmlinux [--initrd FILE] [--append TEXT] [options]\n"
		"       vmm --restore SNAPSHOT [options]\n"
		"       vmm --incoming unix:PATH [options]\n"
		"Runs a Multiboot guest, or a disk through PC firmware, on KVM and shows\n"
		"its VGA text screen.\n\n"
		"  -c, --config FILE     the VM's libconfig file (see vmm(1))\n"
		"      --boot FILE       boot FILE (a boot sector, a small raw disk) through\n"
		"                        SeaBIOS: read only, padded to whole sectors in memory\n"
		"      --kernel FILE     boot a Linux bzImage or vmlinux (x86-64) without firmware\n"
		"      --initrd FILE     its initramfs;  --append TEXT  its command line\n"
		"      --restore FILE    continue a VM from a snapshot (its config is inside;\n"
		"                        --set may change only name, display, serial.raw and\n"
		"                        the host files: serial.output, firmware.log, disk.path,\n"
		"                        disk.slave, boot, firmware.image, which the snapshot\n"
		"                        never chooses)\n"
		"      --incoming unix:PATH|fd:N\n"
		"                        wait for a VM migrating from another vmm (its\n"
		"                        {migrate:unix:PATH} or Ctrl-A m) and run it\n"
		"      --incoming-timeout SECONDS\n"
		"                        give up on a connected source silent this long (30)\n"
		"      --restore-force-disk\n"
		"                        restore even though a disk image changed since\n"
		"                        the snapshot (the guest's view may be inconsistent)\n"
		"      --set KEY=VALUE   override a config key, e.g. --set disk.mode=pv\n"
		"                        (a relative path from the current folder)\n"
		"      --headless        no terminal UI: serial to stdout, screen dump at exit\n"
		"      --exit-on-halt    close the terminal UI when the guest ends (else it\n"
		"                        keeps the last screen until a key)\n"
		"      --dump FORMAT     final screen in headless mode: text (default), ansi, none\n"
		"      --timeout SECONDS stop the guest after this long (exit status 124)\n"
		"      --stats FILE      write exit, I/O and hypercall counts as JSON at exit\n"
		"      --keys TEXT       type TEXT into the guest: C escapes, {Up} {F1} {Ctrl-c},\n"
		"                        {wait:MS}, {until:SCREEN TEXT}, {save:SNAPSHOT},\n"
		"                        {save-and-quit:SNAPSHOT}, {migrate:unix:PATH}\n"
		"                        (see vmm(1))\n"
		"      --keys-file FILE  the same, read from FILE\n"
		"      --record FILE     record the screen as an asciicast v2 file (asciinema)\n"
		"      --record-max SIZE stop recording before the file passes SIZE (64M)\n"
		"      --no-sandbox      do not confine the VMM with seccomp (for debugging)\n"
		"  -v, --verbose         say why the VM stopped, and more\n"
		"      --create-image FILE --size SIZE\n"
		"                        create a new, empty (sparse) raw disk image of\n"
		"                        SIZE bytes (suffixes K, M, G, T; a multiple of 512);\n"
		"                        refuses to overwrite an existing file\n"
		"  -h, --help            this text\n"
		"  -V, --version         the version\n\n"
		"Exit status: the guest's own status, or vmm's: 2 bad usage, config or\n"
		"guest file, or a terminal the UI cannot drive; 120 guest crashed (triple\n"
		"fault, KVM error); 121 the VM migrated to another vmm; 123 stopped by a\n"
		"signal; 124 timeout; 125 vmm failed; 126 KVM unavailable.\n"
		"SIGUSR1 dumps the screen on stderr; SIGUSR2 saves a snapshot NAME-N.snap\n"
		"beside the config (or the restored snapshot).\n");
}

enum {
	OPT_SET = 256, OPT_HEADLESS, OPT_DUMP, OPT_TIMEOUT, OPT_STATS,
	OPT_KEYS, OPT_KEYS_FILE, OPT_RECORD, OPT_CREATE_IMAGE, OPT_SIZE,
	OPT_NO_SANDBOX, OPT_EXIT_ON_HALT, OPT_RECORD_MAX, OPT_BOOT, OPT_RESTORE,
	OPT_RESTORE_FORCE_DISK, OPT_INCOMING, OPT_INCOMING_TIMEOUT, OPT_KERNEL, OPT_INITRD,
	OPT_APPEND,
};

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "set", required_argument, NULL, OPT_SET },
	{ "boot", required_argument, NULL, OPT_BOOT },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "headless", no_argument, NULL, OPT_HEADLESS },
	{ "exit-on-halt", no_argument, NULL, OPT_EXIT_ON_HALT },
	{ "dump", required_argument, NULL, OPT_DUMP },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "stats", required_argument, NULL, OPT_STATS },
	{ "keys", required_argument, NULL, OPT_KEYS },
	{ "keys-file", required_argument, NULL, OPT_KEYS_FILE },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "record-max", required_argument, NULL, OPT_RECORD_MAX },
	{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
	{ "restore", required_argument, NULL, OPT_RESTORE },
	{ "restore-force-disk", no_argument, NULL, OPT_RESTORE_FORCE_DISK },
	{ "incoming", required_argument, NULL, OPT_INCOMING },
	{ "incoming-timeout", required_argument, NULL, OPT_INCOMING_TIMEOUT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "create-image", required_argument, NULL, OPT_CREATE_IMAGE },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ 0 }
};

/* A file option as its config key, with the path as the user meant it: from here. */
static int path_override(struct options *o, char **out, const char *key, const char *arg)
{
	if (o->n_overrides == OPTIONS_MAX_OVERRIDES ||
	    asprintf(out, "%s=%s%s%s", key, arg[0] == '/' ? "" : o->cwd,
		     arg[0] == '/' ? "" : "/", arg) < 0)
		return -1;
	o->overrides[o->n_overrides++] = *out;
	return 0;
}

/* The options that take a value and check it. */
static int option_value(struct options *o, int c, char *arg)
{
	char *end;

	switch (c) {
	case OPT_SET:
		if (o->n_overrides == OPTIONS_MAX_OVERRIDES) {
			fprintf(stderr, "vmm: at most %d --set options\n",
				OPTIONS_MAX_OVERRIDES);
			return -1;
		}
		o->overrides[o->n_overrides++] = arg;
		return 0;
	case OPT_DUMP:
		if (strcmp(arg, "text") && strcmp(arg, "ansi") && strcmp(arg, "none")) {
			fprintf(stderr, "vmm: --dump %s: expected text, ansi or none\n", arg);
			return -1;
		}
		o->dump = arg;
		return 0;
	case OPT_TIMEOUT:
		errno = 0;
		o->timeout = strtod(arg, &end);
		if (errno || *end || !(o->timeout > 0) || o->timeout > 1e6) {
			fprintf(stderr, "vmm: --timeout %s: expected seconds > 0\n", arg);
			return -1;
		}
		return 0;
	case OPT_INCOMING_TIMEOUT:
		errno = 0;
		o->incoming_timeout = strtod(arg, &end);
		if (errno || *end || !(o->incoming_timeout > 0) || o->incoming_timeout > 1e6) {
			fprintf(stderr, "vmm: --incoming-timeout %s: expected seconds > 0\n", arg);
			return -1;
		}
		return 0;
	case OPT_BOOT:
		return path_override(o, &o->boot, "boot", arg);
	case OPT_KERNEL:
		return path_override(o, &o->kernel, "linux.kernel", arg);
	case OPT_INITRD:
		return path_override(o, &o->initrd, "linux.initrd", arg);
	case OPT_APPEND:
		if (o->n_overrides == OPTIONS_MAX_OVERRIDES ||
		    asprintf(&o->append, "cmdline=%s", arg) < 0)
			return -1;
		o->overrides[o->n_overrides++] = o->append;
		return 0;
	case OPT_RECORD_MAX:
		if (config_parse_size(arg, &o->record_max)) {
			fprintf(stderr, "vmm: --record-max %s: expected a size such as 64M\n", arg);
			return -1;
		}
		return 0;
	}
	return -1;
}

static int option(struct options *o, int c, char *arg)
{
	switch (c) {
	case 'c': o->config = arg; break;
	case OPT_HEADLESS: o->headless = true; break;
	case OPT_EXIT_ON_HALT: o->exit_on_halt = true; break;
	case OPT_STATS: o->stats = arg; break;
	case OPT_KEYS: o->keys = arg; break;
	case OPT_KEYS_FILE: o->keys_file = arg; break;
	case OPT_RECORD: o->record = arg; break;
	case OPT_CREATE_IMAGE: o->create_image = arg; break;
	case OPT_SIZE: o->size = arg; break;
	case OPT_NO_SANDBOX: o->no_sandbox = true; break;
	case OPT_RESTORE: o->restore = arg; break;
	case OPT_RESTORE_FORCE_DISK: o->restore_force_disk = true; break;
	case OPT_INCOMING: o->incoming = arg; break;
	case 'v': o->verbose++; break;
	case 'h': usage(stdout); exit(0);
	case 'V': printf("vmm %s\n", VMM_VERSION); exit(0);
	case OPT_SET: case OPT_DUMP: case OPT_TIMEOUT: case OPT_RECORD_MAX: case OPT_BOOT:
	case OPT_INCOMING_TIMEOUT: case OPT_KERNEL: case OPT_INITRD: case OPT_APPEND:
		return option_value(o, c, arg);
	default: usage(stderr); return -1;
	}
	return 0;
}

/*
 * Combinations: --create-image stands alone, everything else needs -c,
 * --boot, --restore or --incoming (the last two bring their config).
 */
static int check(const struct options *o)
{
	if (o->create_image || o->size) {
		if (!o->create_image || !o->size || o->config || o->restore || o->incoming) {
			fprintf(stderr, "vmm: --create-image FILE needs --size SIZE, and no -c\n");
			return -1;
		}
		return 0;
	}
	if ((o->initrd || o->append) && !o->kernel && !o->config) {
		fprintf(stderr, "vmm: --initrd and --append go with --kernel FILE (or -c)\n");
		return -1;
	}
	if ((o->restore || o->incoming) && (o->config || o->boot || o->kernel)) {
		fprintf(stderr, "vmm: --%s: the config comes with the VM: no -c or --boot\n",
			o->restore ? "restore" : "incoming");
		return -1;
	}
	if (o->restore && o->incoming) {
		fprintf(stderr, "vmm: --restore and --incoming: one VM at a time\n");
		return -1;
	}
	if (o->restore_force_disk && !o->restore && !o->incoming) {
		fprintf(stderr, "vmm: --restore-force-disk needs --restore FILE or --incoming\n");
		return -1;
	}
	if (!o->config && !o->boot && !o->kernel && !o->restore && !o->incoming) {
		fprintf(stderr, "vmm: no config file: use -c FILE, --boot FILE, --kernel FILE or --restore SNAPSHOT (try --help)\n");
		return -1;
	}
	return 0;
}

int options_parse(int argc, char **argv, struct options *o)
{
	int c;

	o->dump = "text";
	o->incoming_timeout = OPTIONS_INCOMING_TIMEOUT_S;
	if (!getcwd(o->cwd, sizeof(o->cwd)))
		strcpy(o->cwd, ".");
	while ((c = getopt_long(argc, argv, "c:vhV", longopts, NULL)) != -1)
		if (option(o, c, optarg))
			return -1;
	if (optind < argc) {
		fprintf(stderr, "vmm: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return check(o);
}
