// SPDX-License-Identifier: MIT
/*
 * vmm -c vm.cfg: read the config, build the machine, load the guest, run
 * the vCPU thread (and the terminal UI), wait for the guest to end or a
 * signal, then stop everything in order and report.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "../devices/debug_exit.h"
#include "../devices/disk.h"
#include "../devices/disk_image.h"
#include "../devices/i8042.h"
#include "../devices/pv_vga.h"
#include "../devices/serial.h"
#include "../devices/vga.h"
#include "../tui/dump.h"
#include "../tui/input.h"
#include "../tui/record.h"
#include "../tui/refresh.h"
#include "screen.h"
#include "../tui/ui.h"
#include "boot.h"
#include "loader.h"
#include "sandbox.h"
#include "vm.h"

#ifndef VMM_VERSION
#define VMM_VERSION "0.1"
#endif

#define TICK_MS 100
#define MAX_OVERRIDES 32

struct options {
	const char *config;
	bool headless;
	double timeout;
	const char *stats;
	const char *keys, *keys_file;
	const char *record, *record_max;
	enum dump_format dump;
	int verbose;
	const char *create_image, *size;
	bool no_sandbox;
	char *overrides[MAX_OVERRIDES];
	int n_overrides;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmm -c FILE [options]\n"
		"Runs a Multiboot guest on KVM and shows its VGA text screen.\n\n"
		"  -c, --config FILE     the VM's libconfig file (see vmm(1))\n"
		"      --set KEY=VALUE   override a config key, e.g. --set disk.mode=pv\n"
		"      --headless        no terminal UI: serial to stdout, screen dump at exit\n"
		"      --dump FORMAT     final screen in headless mode: text (default), ansi, none\n"
		"      --timeout SECONDS stop the guest after this long (exit status 124)\n"
		"      --stats FILE      write exit, I/O and hypercall counts as JSON at exit\n"
		"      --keys TEXT       type TEXT into the guest: C escapes, {Up} {F1} {Ctrl-c},\n"
		"                        {wait:MS}, {until:SCREEN TEXT} (see vmm(1))\n"
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
		"Exit status: the guest's own status; 2 bad usage, config or guest file;\n"
		"3 KVM unavailable; 120 guest crashed (triple fault, KVM error);\n"
		"123 stopped by a signal; 124 timeout.\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum {
		OPT_SET = 256, OPT_HEADLESS, OPT_DUMP, OPT_TIMEOUT, OPT_STATS,
		OPT_KEYS, OPT_KEYS_FILE, OPT_RECORD, OPT_CREATE_IMAGE, OPT_SIZE,
		OPT_NO_SANDBOX, OPT_RECORD_MAX,
	};
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "set", required_argument, NULL, OPT_SET },
		{ "headless", no_argument, NULL, OPT_HEADLESS },
		{ "dump", required_argument, NULL, OPT_DUMP },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "stats", required_argument, NULL, OPT_STATS },
		{ "keys", required_argument, NULL, OPT_KEYS },
		{ "keys-file", required_argument, NULL, OPT_KEYS_FILE },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "record-max", required_argument, NULL, OPT_RECORD_MAX },
		{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
		{ "verbose", no_argument, NULL, 'v' },
		{ "create-image", required_argument, NULL, OPT_CREATE_IMAGE },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	int c;
	char *end;

	o->dump = DUMP_TEXT;
	while ((c = getopt_long(argc, argv, "c:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case OPT_SET:
			if (o->n_overrides == MAX_OVERRIDES) {
				fprintf(stderr, "vmm: at most %d --set options\n", MAX_OVERRIDES);
				return -1;
			}
			o->overrides[o->n_overrides++] = optarg;
			break;
		case OPT_HEADLESS: o->headless = true; break;
		case OPT_DUMP:
			if (!strcmp(optarg, "text"))
				o->dump = DUMP_TEXT;
			else if (!strcmp(optarg, "ansi"))
				o->dump = DUMP_ANSI;
			else if (!strcmp(optarg, "none"))
				o->dump = DUMP_NONE;
			else {
				fprintf(stderr, "vmm: --dump %s: expected text, ansi or none\n", optarg);
				return -1;
			}
			break;
		case OPT_TIMEOUT:
			errno = 0;
			o->timeout = strtod(optarg, &end);
			if (errno || *end || o->timeout <= 0 || o->timeout > 1e6) {
				fprintf(stderr, "vmm: --timeout %s: expected seconds > 0\n", optarg);
				return -1;
			}
			break;
		case OPT_STATS: o->stats = optarg; break;
		case OPT_KEYS: o->keys = optarg; break;
		case OPT_KEYS_FILE: o->keys_file = optarg; break;
		case OPT_RECORD: o->record = optarg; break;
		case OPT_RECORD_MAX: o->record_max = optarg; break;
		case OPT_CREATE_IMAGE: o->create_image = optarg; break;
		case OPT_SIZE: o->size = optarg; break;
		case OPT_NO_SANDBOX: o->no_sandbox = true; break;
		case 'v': o->verbose++; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("vmm %s\n", VMM_VERSION); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmm: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o->create_image || o->size) {
		if (!o->create_image || !o->size || o->config) {
			fprintf(stderr, "vmm: --create-image FILE needs --size SIZE, and no -c\n");
			return -1;
		}
		return 0;
	}
	if (!o->config) {
		fprintf(stderr, "vmm: no config file: use -c FILE (try --help)\n");
		return -1;
	}
	return 0;
}

/* Where COM1's bytes go: stdout when headless, else a file or nowhere. */
static int serial_fd(const struct vm_config *cfg, bool tui)
{
	const char *out = cfg->serial.output;

	if (!strcmp(out, "none"))
		return -1;
	if (!strcmp(out, "stdout"))
		return tui ? -1 : STDOUT_FILENO;
	int fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		fprintf(stderr, "%s: serial.output '%s': %s\n", cfg->file, out,
			strerror(errno));
		return -2;
	}
	return fd;
}

static int build_devices(struct vm *vm, const struct vm_config *cfg, bool tui)
{
	int fd = serial_fd(cfg, tui);

	if (fd == -2)
		return VMM_EXIT_USAGE;
	if (hypercall_init(vm) || debug_exit_init(vm))
		return VMM_EXIT_SETUP;
	vm->serial = serial_create(vm, fd);
	vm->vga = vga_create(vm, vm->screen, cfg->vga.strategy, cfg->vga.blink);
	vm->kbd = i8042_create(vm);
	if (!vm->serial || !vm->vga || !vm->kbd)
		return VMM_EXIT_SETUP;
	if (cfg->vga.mode == VMM_MODE_PV && !(vm->pv_vga = pv_vga_create(vm, vm->vga)))
		return VMM_EXIT_SETUP;
	return 0;
}

static void dump_screen(struct vm *vm, enum dump_format fmt, FILE *out)
{
	struct screen_frame f;

	if (fmt == DUMP_NONE)
		return;
	/* the screen as the guest left it: replay queued stores, poll RAM */
	vm_sync_screen(vm);
	screen_snapshot(vm->screen, &f);
	dump_frame(&f, fmt, true, out);
	fflush(out);
}

static int wait_for_stop(struct vm *vm, int sfd, const struct options *o)
{
	uint64_t deadline = o->timeout > 0 ?
		vm->start_ns + (uint64_t)(o->timeout * 1e9) : 0;
	uint64_t last_exits = 0;

	while (!vm_stopping(vm)) {
		struct pollfd p[2] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = vm->wake_fd, .events = POLLIN },
		};

		if (poll(p, 2, TICK_MS) > 0) {
			if (!(p[0].revents & POLLIN))
				continue;	/* the VM is stopping */
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				continue;
			switch (si.ssi_signo) {
			case SIGWINCH:
				ui_resize();
				break;
			case SIGUSR1:
				dump_screen(vm, DUMP_TEXT, stderr);
				break;
			default:
				/* untranslated names: no locale files in the sandbox */
				vm_stop(vm, VMM_EXIT_SIGNAL, "stopped by SIG%s (%s)",
					sigabbrev_np((int)si.ssi_signo),
					sigdescr_np((int)si.ssi_signo));
			}
			continue;
		}
		pthread_mutex_lock(&vm->io_lock);
		serial_flush(vm->serial);
		pthread_mutex_unlock(&vm->io_lock);
		input_tick(vm);
		if (deadline && now_ns() >= deadline)
			vm_stop(vm, VMM_EXIT_TIMEOUT, "timeout after %g s", o->timeout);
		/* No exit for a whole tick: halted or computing; look closer. */
		if (vcpu_idle(vm, &last_exits))
			vcpu_kick(vm);
	}
	return 0;
}

static int create_image(const char *path, const char *size)
{
	uint64_t bytes;

	if (disk_parse_size(size, &bytes)) {
		fprintf(stderr, "vmm: --size %s: expected a positive multiple of 512 bytes, e.g. 64M\n",
			size);
		return VMM_EXIT_USAGE;
	}
	return disk_image_create(path, bytes) ? VMM_EXIT_USAGE : 0;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct vm_config cfg;
	static struct vm vm;
	static struct screen screen;
	struct load_info li;
	struct recorder *rec = NULL;
	FILE *stats = NULL;
	int status;

	setlocale(LC_ALL, "");
	if (parse_args(argc, argv, &o))
		return VMM_EXIT_USAGE;
	if (o.create_image)
		return create_image(o.create_image, o.size);
	if (config_load(&cfg, o.config, o.overrides, o.n_overrides))
		return VMM_EXIT_USAGE;
	bool tui = !o.headless && cfg.display == DISPLAY_TUI &&
		   isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);

	/* Signals are read from a signalfd in this thread only. */
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC);

	/* A bad guest file is bad input (status 2), whether or not KVM works. */
	struct guest_mem check = { NULL, (uint64_t)cfg.mem_mib << 20 };

	if (loader_load_file(&check, cfg.guest, &li)) {
		config_free(&cfg);
		return VMM_EXIT_USAGE;
	}

	vm.verbose = o.verbose;
	screen_init(&screen);
	vm.screen = &screen;
	vm.wake_fd = vm.kvm_fd = vm.vm_fd = vm.vcpu_fd = -1;
	status = disk_open(&vm, &cfg);
	if (status)
		goto out;
	status = VMM_EXIT_SETUP;
	if (vm_create(&vm, &cfg))
		goto out;
	status = VMM_EXIT_USAGE;
	if (loader_load_file(&vm.mem, cfg.guest, &li))
		goto out;
	status = build_devices(&vm, &cfg, tui);
	if (!status)
		status = disk_attach(&vm, &cfg);
	if (status)
		goto out;
	struct boot_params bp = {
		.name = cfg.name, .cmdline = cfg.cmdline,
		.vga_mode = cfg.vga.mode,
		.disk_mode = vm.disk[0] ? cfg.disk.mode : VMM_MODE_NONE,
		.disk_readonly = cfg.disk.readonly,
		.disk_sectors = disk_sectors(&vm),
	};

	boot_write_info(&vm.mem, &bp);
	if (boot_set_regs(vm.vcpu_fd, li.entry)) {
		status = VMM_EXIT_SETUP;
		goto out;
	}
	if (o.verbose)
		fprintf(stderr, "vmm: %s: %u MiB, entry %#x, image [%#x, %#x)\n",
			cfg.guest, cfg.mem_mib, li.entry, li.lo, li.hi);

	/* coalesced zones: someone must drain the ring while the vCPU sleeps */
	if (vm.ring && iothread_start(&vm)) {
		status = VMM_EXIT_SETUP;
		goto out;
	}
	/* headless: stdin and scripts type on the keyboard and into COM1 */
	struct input_opts io = {
		.keys = o.keys, .keys_file = o.keys_file,
		.read_stdin = !tui, .sync_screen = vm_sync_screen,
	};

	input_route(true, !tui);
	if (input_start(&vm, &io)) {
		status = VMM_EXIT_USAGE;
		goto out;
	}
	if (o.record && !(rec = record_open(o.record, cfg.name, o.record_max))) {
		status = VMM_EXIT_USAGE;
		goto out;
	}
	vm.start_ns = now_ns();
	if (tui ? ui_start(&vm, rec) : rec && record_start_thread(rec, &vm)) {
		status = VMM_EXIT_SETUP;
		goto out;
	}
	/* the sandbox allows no open(): create the stats file now */
	if (o.stats && !(stats = fopen(o.stats, "w")))
		fprintf(stderr, "vmm: --stats %s: %s\n", o.stats, strerror(errno));
	if (vcpu_start(&vm)) {
		vm_stop(&vm, VMM_EXIT_SETUP, "no vCPU thread");
	} else {
		/* every fd, mapping and thread exists: confine, then run */
		if (!o.no_sandbox && sandbox_install(&vm))
			vm_stop(&vm, VMM_EXIT_SETUP, "cannot install the sandbox");
		vcpu_release(&vm);
		wait_for_stop(&vm, sfd, &o);
	}
	vcpu_join(&vm);
	input_stop(&vm);
	iothread_stop(&vm);
	if (tui)
		ui_stop();
	record_close(rec, &vm);
	rec = NULL;
	status = vm.exit_status;

	/* Stores the guest queued before it stopped reach their devices. */
	pthread_mutex_lock(&vm.io_lock);
	coalesced_drain(&vm);
	serial_flush(vm.serial);
	pthread_mutex_unlock(&vm.io_lock);
	/* Every acknowledged write is on stable storage (unless cache=unsafe). */
	if (disk_teardown(&vm) && status == 0)
		status = VMM_EXIT_SETUP;
	if (!tui)
		dump_screen(&vm, o.dump, stdout);
	if (o.verbose || status >= VMM_EXIT_CRASH ||
	    strstr(vm.exit_note, "halted"))
		fprintf(stderr, "vmm: %s\n", vm.exit_note);
	if (stats) {
		stats_write_json(&vm, stats);
		fclose(stats);
	}
out:
	record_close(rec, NULL);
	if (!vm_stopping(&vm))	/* a failed set-up: let the input thread go */
		vm_stop(&vm, status, "set-up failed");
	input_stop(&vm);
	iothread_stop(&vm);
	disk_teardown(&vm);
	serial_destroy(vm.serial);
	i8042_destroy(vm.kbd);
	pv_vga_destroy(vm.pv_vga);
	vga_destroy(vm.vga);
	vm_destroy(&vm);
	screen_destroy(&screen);
	config_free(&cfg);
	close(sfd);
	return status;
}
