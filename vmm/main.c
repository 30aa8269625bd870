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
#include "../devices/pv_vga.h"
#include "../devices/serial.h"
#include "../devices/vga.h"
#include "../tui/dump.h"
#include "../tui/screen.h"
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
	enum dump_format dump;
	int verbose;
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
		"      --no-sandbox      do not confine the VMM with seccomp (for debugging)\n"
		"  -v, --verbose         say why the VM stopped, and more\n"
		"  -h, --help            this text\n"
		"  -V, --version         the version\n\n"
		"Exit status: the guest's own status; 2 bad usage, config or guest file;\n"
		"3 KVM unavailable; 120 guest crashed (triple fault, KVM error);\n"
		"123 stopped by a signal; 124 timeout.\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_SET = 256, OPT_HEADLESS, OPT_DUMP, OPT_TIMEOUT, OPT_STATS,
	       OPT_NO_SANDBOX };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "set", required_argument, NULL, OPT_SET },
		{ "headless", no_argument, NULL, OPT_HEADLESS },
		{ "dump", required_argument, NULL, OPT_DUMP },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "stats", required_argument, NULL, OPT_STATS },
		{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
		{ "verbose", no_argument, NULL, 'v' },
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
	if (!vm->serial || !vm->vga)
		return VMM_EXIT_SETUP;
	if (cfg->vga.mode == VMM_MODE_PV && !(vm->pv_vga = pv_vga_create(vm, vm->vga)))
		return VMM_EXIT_SETUP;
	return 0;
}

/* The screen as the guest left it: replay queued stores, poll RAM. */
static void sync_screen(struct vm *vm)
{
	pthread_mutex_lock(&vm->io_lock);
	coalesced_drain(vm);
	if (vm->vga)
		vga_poll(vm->vga);
	pthread_mutex_unlock(&vm->io_lock);
}

static void dump_screen(struct vm *vm, enum dump_format fmt, FILE *out)
{
	struct screen_frame f;

	if (fmt == DUMP_NONE)
		return;
	sync_screen(vm);
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
				/* sigabbrev_np: no locale files to read in the sandbox */
				vm_stop(vm, VMM_EXIT_SIGNAL, "stopped by SIG%s",
					sigabbrev_np((int)si.ssi_signo));
			}
			continue;
		}
		pthread_mutex_lock(&vm->io_lock);
		serial_flush(vm->serial);
		pthread_mutex_unlock(&vm->io_lock);
		if (deadline && now_ns() >= deadline)
			vm_stop(vm, VMM_EXIT_TIMEOUT, "timeout after %g s", o->timeout);
		/* No exit for a whole tick: halted or computing; look closer. */
		if (vcpu_idle(vm, &last_exits))
			vcpu_kick(vm);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct vm_config cfg;
	static struct vm vm;
	static struct screen screen;
	struct load_info li;
	FILE *stats = NULL;
	int status;

	setlocale(LC_ALL, "");
	if (parse_args(argc, argv, &o))
		return VMM_EXIT_USAGE;
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

	vm.verbose = o.verbose;
	screen_init(&screen);
	vm.screen = &screen;
	if (vm_create(&vm, &cfg)) {
		vm_destroy(&vm);
		return VMM_EXIT_SETUP;
	}
	if (loader_load_file(&vm.mem, cfg.guest, &li)) {
		vm_destroy(&vm);
		return VMM_EXIT_USAGE;
	}
	status = build_devices(&vm, &cfg, tui);
	if (status)
		goto out;
	struct boot_params bp = {
		.name = cfg.name, .cmdline = cfg.cmdline,
		.vga_mode = cfg.vga.mode, .disk_mode = VMM_MODE_NONE,
	};

	boot_write_info(&vm.mem, &bp);
	if (boot_set_regs(vm.vcpu_fd, li.entry)) {
		status = VMM_EXIT_SETUP;
		goto out;
	}
	if (o.verbose)
		fprintf(stderr, "vmm: %s: %u MiB, entry %#x, image [%#x, %#x)\n",
			cfg.guest, cfg.mem_mib, li.entry, li.lo, li.hi);

	vm.start_ns = now_ns();
	if (tui && ui_start(&vm)) {
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
	if (tui)
		ui_stop();
	status = vm.exit_status;

	pthread_mutex_lock(&vm.io_lock);
	serial_flush(vm.serial);
	pthread_mutex_unlock(&vm.io_lock);
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
	serial_destroy(vm.serial);
	pv_vga_destroy(vm.pv_vga);
	vga_destroy(vm.vga);
	vm_destroy(&vm);
	screen_destroy(&screen);
	config_free(&cfg);
	close(sfd);
	return status;
}
