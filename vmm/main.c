// SPDX-License-Identifier: MIT
/*
 * vmm -c vm.cfg: the composition root, the one file that sees every
 * folder.  main() is set-up, run, teardown: set-up walks the steps below
 * in order, teardown undoes the ones that were done in reverse order,
 * whether the VM ran or a step failed.  vmm --restore FILE takes another
 * path through the same table: the config comes from the snapshot, no
 * guest is loaded, and the saved state goes in before the vCPU starts.
 */
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "../devices/disk.h"
#include "../devices/disk_image.h"
#include "../devices/firmware.h"
#include "../devices/post.h"
#include "../devices/serial.h"
#include "../devices/table.h"
#include "../tui/dump.h"
#include "../tui/input.h"
#include "../tui/record.h"
#include "../tui/serial_out.h"
#include "../tui/ui.h"
#include "boot.h"
#include "linux_boot.h"
#include "loader.h"
#include "options.h"
#include "reaper.h"
#include "sandbox.h"
#include "snapshot/snapshot.h"
#include "sock_broker.h"
#include "vm.h"

#define TICK_MS 100

struct session {
	struct options o;
	struct vm_config cfg;
	struct vm vm;
	struct load_info li;
	struct linux_boot lb;		/* where a Linux kernel went */
	bool tui;
	int sfd;			/* signals, read by the main thread only */
	struct stats_file stats;	/* --stats FILE, written at the end */
	struct recorder *rec;
	struct serial_out *sout;	/* where COM1's bytes go */
	struct snap_image snap;		/* --restore: the file, read and checked */
	struct snap_ctl snapctl;
	int incoming_fd;		/* --incoming: the source's connection */
	int done;			/* steps set up so far */
};

typedef int (*step_up)(struct session *s);	/* 0 or an exit status */
typedef void (*step_down)(struct session *s);

/* ---- the steps, each with its undo ---------------------------------- */

/* The terminal UI when the config asks for it and a terminal is there. */
static void choose_display(struct session *s)
{
	const struct options *o = &s->o;
	bool want_tui = !o->headless && s->cfg.display == DISPLAY_TUI;

	s->tui = want_tui && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
	/* someone is watching a terminal and would expect the UI */
	if (want_tui && !s->tui && isatty(STDOUT_FILENO))
		fprintf(stderr, "vmm: standard input is not a terminal: running headless "
			"(Ctrl-C stops the VM; --headless says so and silences this)\n");
	/* the devices see the display that was chosen, not the one asked for */
	s->cfg.display = s->tui ? DISPLAY_TUI : DISPLAY_HEADLESS;
}

static int load_config(struct session *s)
{
	const struct options *o = &s->o;

	if (config_load(&s->cfg, o->config, o->overrides, o->n_overrides))
		return VMM_EXIT_USAGE;
	choose_display(s);
	return 0;
}

/* --keys and --keys-file: a bad script is bad input, whether or not KVM works. */
static struct input_opts input_opts(const struct session *s)
{
	return (struct input_opts){
		.keys = s->o.keys, .keys_file = s->o.keys_file,
		.read_stdin = !s->tui,
		.until_s = s->o.timeout > 0 ? 0 : INPUT_UNTIL_S,
	};
}

static int parse_input(struct session *s)
{
	struct input_opts io = input_opts(s);

	return input_parse(&io) ? VMM_EXIT_USAGE : 0;
}

static void discard_input(struct session *s)
{
	(void)s;
	input_discard();
}

/* --incoming: a VM can come only where one can run, so KVM before listening. */
static int open_kvm(struct session *s)
{
	return vm_open_kvm(&s->vm);
}

static void close_kvm(struct session *s)
{
	if (s->vm.kvm_fd >= 0)
		close(s->vm.kvm_fd);
	s->vm.kvm_fd = -1;
}

/* --restore: the whole file is checked before anything else happens. */
static int read_snapshot(struct session *s)
{
	return snap_read(&s->snap, s->o.restore) ? VMM_EXIT_USAGE : 0;
}

static void free_snapshot(struct session *s)
{
	snap_image_free(&s->snap);
}

/* A signal that ended the wait for a stalled sender is a stop by signal. */
static int incoming_failed(struct session *s)
{
	return s->snap.stop_signo ? VMM_EXIT_SIGNAL : VMM_EXIT_USAGE;
}

/* --incoming: a source's connection, its header and config. */
static int accept_incoming(struct session *s)
{
	return snap_incoming_accept(&s->snap, s->o.incoming, &s->incoming_fd, s->sfd,
				    (int)(s->o.incoming_timeout * 1e3)) ? incoming_failed(s) : 0;
}

static void close_incoming(struct session *s)
{
	if (s->incoming_fd >= 0)
		close(s->incoming_fd);
	s->incoming_fd = -1;
	snap_image_free(&s->snap);
}

/*
 * The saved config, through the same checks; --set only for what is safe,
 * and the host files it uses come from --set alone (CONFIG_SAVED).
 */
static int restore_config(struct session *s)
{
	const struct options *o = &s->o;
	char origin[SNAP_PATH_MAX + 32];

	for (int i = 0; i < o->n_overrides; i++) {
		const char *kv = o->overrides[i], *eq = strchr(kv, '=');
		char key[64];

		snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - kv) : 0, kv);
		if (eq && !config_key_restorable(key)) {
			fprintf(stderr, "vmm: --set %s: a restored VM keeps its machine: "
				"'%s' cannot change (only name, display, the files it uses "
				"and serial.raw)\n", kv, key);
			return VMM_EXIT_USAGE;
		}
	}
	snprintf(origin, sizeof(origin), "%s (saved config)", s->snap.path);
	if (config_load_text(&s->cfg, origin, s->snap.config_text, o->overrides,
			     o->n_overrides, CONFIG_NO_GUEST_FILE | CONFIG_SAVED) ||
	    snap_check_ram(&s->snap, s->cfg.mem_mib))
		return VMM_EXIT_USAGE;
	choose_display(s);
	return 0;
}

/* A terminal the UI cannot drive is bad input, like a bad guest file. */
static int check_terminal(struct session *s)
{
	return s->tui && ui_check_terminal() ? VMM_EXIT_USAGE : 0;
}

static void free_config(struct session *s)
{
	config_free(&s->cfg);
}

static int block_signals(struct session *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGWINCH);
	/* every thread created later inherits the mask: only sfd sees them */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	s->sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (s->sfd < 0) {
		perror("vmm: signalfd");
		return VMM_EXIT_SETUP;
	}
	return 0;
}

static void close_signals(struct session *s)
{
	close(s->sfd);
}

/* A bad guest file is bad input (status 2), whether or not KVM works. */
static int check_guest(struct session *s)
{
	struct guest_mem check = { .size = (uint64_t)s->cfg.mem_mib << 20 };

	if (s->cfg.firmware.image)
		return 0;	/* the firmware device checks its image */
	if (s->cfg.kernel.path)
		return linux_load_files(&check, s->cfg.kernel.path, s->cfg.kernel.initrd,
					s->cfg.cmdline, &s->lb) ? VMM_EXIT_USAGE : 0;
	return loader_load_file(&check, s->cfg.guest, &s->li) ? VMM_EXIT_USAGE : 0;
}

static int open_disks(struct session *s)
{
	/* before "machine": disk_open() has a -v note of its own */
	s->vm.host.verbose = s->o.verbose;
	return disk_open(&s->vm.host, &s->cfg);
}

static void close_disks(struct session *s)
{
	disk_close(&s->vm.host);
}

static void disk_fds(const struct vm *vm, int *fds, const char **paths)
{
	for (int i = 0; i < SNAP_MAX_DISKS; i++) {
		const struct disk_image *d = dev_disk(&vm->host, i);

		fds[i] = d ? d->fd : -1;
		paths[i] = d ? d->path : NULL;
	}
}

/* The images are the ones the snapshot saw, unless the user says otherwise. */
static int check_saved_disks(struct session *s)
{
	int fds[SNAP_MAX_DISKS];
	const char *paths[SNAP_MAX_DISKS];

	disk_fds(&s->vm, fds, paths);
	return snap_check_disks(&s->snap, fds, paths, s->o.restore_force_disk) ?
	       VMM_EXIT_USAGE : 0;
}

/* Files vmm writes are opened now: the sandbox allows no open() later. */
static int open_outputs(struct session *s)
{
	const struct options *o = &s->o;

	if (o->stats && stats_file_open(&s->stats, o->stats))
		return VMM_EXIT_USAGE;
	s->vm.stats_dirfd = s->stats.dirfd;
	if (o->record && !(s->rec = record_open(o->record, s->cfg.name, o->record_max)))
		return VMM_EXIT_USAGE;
	if (!(s->sout = serial_out_open(&s->cfg, s->tui)))
		return VMM_EXIT_USAGE;
	return 0;
}

static void close_outputs(struct session *s)
{
	serial_out_close(s->sout);
	record_close(s->rec, NULL);
	stats_file_close(&s->stats);
}

static int create_machine(struct session *s)
{
	s->vm.verbose = s->o.verbose;
	return vm_create(&s->vm, &s->cfg);
}

static void destroy_machine(struct session *s)
{
	vm_destroy(&s->vm);
}

static int enter_child_sandbox(void *opaque)
{
	return sandbox_child_enter(opaque);
}

/*
 * Before any thread exists: the child is forked from a single thread, and
 * it confines itself with a filter built here (a child of a process may
 * call nothing that allocates).  Like vmm, it never runs unconfined.
 */
static int start_reaper(struct session *s)
{
	struct sandbox_child c;
	struct reaper_hooks h = { enter_child_sandbox, &c };
	bool confined = !s->o.no_sandbox;

	if (confined && sandbox_child_prepare(&c))
		return VMM_EXIT_SETUP;
	if (reaper_start(&s->vm, confined ? &h : NULL) && s->o.verbose)
		fprintf(stderr, "vmm: no teardown child: exit takes a few ms longer\n");
	if (confined)
		sandbox_child_release(&c);
	return 0;
}

static int build_devices(struct session *s)
{
	return vm_add_devices(&s->vm, device_table, device_table_len);
}

static void remove_devices(struct session *s)
{
	vm_remove_devices(&s->vm);
}

/*
 * What snapshots and migrations need once the sandbox is in: NAME-N.snap
 * goes home (the config's folder, or the snapshot's), and the terminal
 * UI's Ctrl-A m gets two sockets for unix:NAME.sock there.
 */
static int setup_snapshots(struct session *s)
{
	struct snap_ctl *c = &s->snapctl;
	/* beside the config, the snapshot, or --boot's file ("boot=/abs/FILE") */
	const char *home = s->o.restore ? s->o.restore : s->o.config ? s->o.config :
			   s->o.boot ? s->o.boot + 5 : "./vm";
	const char *paths[SNAP_MAX_DISKS];
	char target[SNAP_PATH_MAX + 8];
	int fds[SNAP_MAX_DISKS];

	if (s->o.incoming)
		home = strncmp(s->o.incoming, "unix:", 5) ? "." : s->o.incoming + 5;
	if (snap_init(&s->vm, c, home))
		return VMM_EXIT_SETUP;
	disk_fds(&s->vm, fds, paths);
	for (int i = 0; i < SNAP_MAX_DISKS; i++) {
		c->disk[i].fd = fds[i];
		c->disk[i].path = paths[i];
	}
	/* Ctrl-A m: only a terminal UI has it */
	snap_default_target(&s->vm, target, sizeof(target));
	if (s->tui && (snap_migrate_prepare(&s->vm, target) ||
		       snap_migrate_prepare(&s->vm, target)))
		return VMM_EXIT_SETUP;
	/* the scripts' {save:} folders and {migrate:} targets, before the walls */
	return input_prepare(&s->vm) ? VMM_EXIT_USAGE : 0;
}

/*
 * Before the first thread (the devices' own come next), so that Landlock
 * covers them all: files are written only in the snapshot folders, and
 * the firmware's log, which its device opens later.
 */
static int wall_paths(struct session *s)
{
	const char *log = s->cfg.firmware.log;
	bool file = log && strcmp(log, "none") && strcmp(log, "stderr");

	/* the broker of migration's connections shares the walls */
	if (s->o.no_sandbox)
		return broker_start(&s->vm, false) ? VMM_EXIT_SETUP : 0;
	return sandbox_paths(&s->vm, &log, file, s->o.verbose) ||
	       broker_start(&s->vm, true) ? VMM_EXIT_SETUP : 0;
}

static void stop_snapshots(struct session *s)
{
	disk_write_gate(&s->vm.host, NULL, NULL);
	snap_verify_end(&s->vm);
	snap_destroy(&s->snapctl);
	s->vm.snap = NULL;
}

/* --incoming: the rest of the stream; then as a restore, before the vCPU runs. */
static int receive_state(struct session *s)
{
	int fds[SNAP_MAX_DISKS];
	const char *paths[SNAP_MAX_DISKS];

	disk_fds(&s->vm, fds, paths);
	if (snap_incoming_receive(&s->snap, &s->vm, s->incoming_fd))
		return incoming_failed(s);
	if (snap_check_disks(&s->snap, fds, paths, s->o.restore_force_disk) ||
	    snap_apply(&s->vm, &s->snap))
		return VMM_EXIT_USAGE;
	return 0;
}

static bool ram_verified(void *vm)
{
	return snap_ram_verified(vm);
}

/* --restore: RAM, devices and KVM's state, before the vCPU first runs. */
static int restore_state(struct session *s)
{
	int r = snap_apply(&s->vm, &s->snap);

	if (!r)
		snap_keep_source(&s->vm, &s->snap);
	/* the disks wait for the verdict on RAM the file still holds unchecked */
	if (!r)
		r = snap_verify_start(&s->vm, &s->snap);
	if (!r)
		disk_write_gate(&s->vm.host, ram_verified, &s->vm);
	/* the file's bytes are in guest RAM now */
	snap_image_free(&s->snap);
	return r ? VMM_EXIT_USAGE : 0;
}

/* A Linux kernel: vmm is its boot loader (vmm/linux_boot.c). */
static int load_linux(struct session *s)
{
	const struct vm_config *c = &s->cfg;

	if (linux_load_files(&s->vm.mem, c->kernel.path, c->kernel.initrd, c->cmdline, &s->lb))
		return VMM_EXIT_USAGE;
	if (linux_set_regs(s->vm.vcpu_fd, &s->lb))
		return VMM_EXIT_SETUP;
	if (s->o.verbose)
		fprintf(stderr, "vmm: %s: %s, %u MiB, kernel at %#llx, entry %#llx, initramfs "
			"[%#llx, +%#llx)\n", c->kernel.path, s->lb.vmlinux ? "vmlinux" : "bzImage", c->mem_mib,
			(unsigned long long)s->lb.h.load_addr, (unsigned long long)s->lb.entry,
			(unsigned long long)s->lb.initrd_gpa,
			(unsigned long long)s->lb.initrd_size);
	return 0;
}

/* A firmware starts at the reset vector and finds the disk itself. */
static int load_guest(struct session *s)
{
	const struct vm_config *c = &s->cfg;
	struct vm *vm = &s->vm;

	if (c->firmware.image)
		return firmware_reset_vcpu(vm->vcpu_fd) ? VMM_EXIT_SETUP : 0;
	if (c->kernel.path)
		return load_linux(s);
	if (loader_load_file(&vm->mem, c->guest, &s->li))
		return VMM_EXIT_USAGE;
	struct boot_params bp = {
		.name = c->name, .cmdline = c->cmdline, .vga_mode = c->vga.mode,
		.disk_mode = dev_disk(&vm->host, 0) ? c->disk.mode : VMM_MODE_NONE,
		.disk_readonly = c->disk.readonly,
		.disk_sectors = disk_sectors(&vm->host),
	};

	boot_write_info(&vm->mem, &bp);
	if (boot_set_regs(vm->vcpu_fd, s->li.entry))
		return VMM_EXIT_SETUP;
	if (s->o.verbose)
		fprintf(stderr, "vmm: %s: %u MiB, entry %#x, image [%#x, %#x)\n",
			c->guest, c->mem_mib, s->li.entry, s->li.lo, s->li.hi);
	return 0;
}

/*
 * COM1's writer thread.  It outlives the other threads: finish() ends it
 * after handing it the screen dump, so the dump follows the guest's last
 * bytes; this undo only runs when set-up failed.
 */
static int start_serial_out(struct session *s)
{
	struct vm *vm = &s->vm;

	return serial_out_start(s->sout, vm, vm_device(vm, &serial_device)) ?
	       VMM_EXIT_SETUP : 0;
}

static void stop_serial_out(struct session *s)
{
	serial_out_finish(s->sout, -1, true);
}

/* With coalesced zones someone must drain the ring while the vCPU sleeps. */
static int start_iothread(struct session *s)
{
	return s->vm.ring && iothread_start(&s->vm) ? VMM_EXIT_SETUP : 0;
}

static void stop_iothread(struct session *s)
{
	iothread_stop(&s->vm);
}

/* Headless, stdin and the scripts type on the keyboard and into COM1. */
static int start_input(struct session *s)
{
	struct input_opts io = input_opts(s);

	input_route(true, !s->tui);
	return input_start(&s->vm, &io) ? VMM_EXIT_USAGE : 0;
}

static void stop_input(struct session *s)
{
	input_stop(&s->vm);
}

static int start_display(struct session *s)
{
	s->vm.start_ns = now_ns();
	if (s->tui)
		return ui_start(&s->vm, s->rec, s->sout) ? VMM_EXIT_SETUP : 0;
	return s->rec && record_start_thread(s->rec, &s->vm) ? VMM_EXIT_SETUP : 0;
}

static void stop_display(struct session *s)
{
	/* a guest that ended keeps its last screen until a key */
	if (s->tui && !s->o.exit_on_halt)
		ui_linger(s->sfd);
	if (s->tui)
		ui_stop();
	/* the last frame, once the vCPU is gone */
	record_close(s->rec, &s->vm);
	s->rec = NULL;
}

static int start_vcpu(struct session *s)
{
	return vcpu_start(&s->vm) ? VMM_EXIT_SETUP : 0;
}

static void join_vcpu(struct session *s)
{
	vcpu_join(&s->vm);
}

/* Every fd, mapping and thread exists: confine before the guest runs. */
static int confine(struct session *s)
{
	/*
	 * KVM's dirty log only for a VM that can migrate (sockets were made
	 * for it; its saves then copy RAM while the guest runs, too) or has no
	 * sandbox to refuse it: it keeps KVM to 4 KiB pages (vmm/kvm.c).
	 */
	unsigned int features = s->o.no_sandbox || snap_migrate_targets(&s->vm) ?
				SANDBOX_DIRTY_LOG : 0;

	s->snapctl.live = features != 0;
	if (features && vm_dirty_log_start(&s->vm))
		return VMM_EXIT_SETUP;
	if (s->o.no_sandbox)
		return 0;
	return sandbox_install_with(&s->vm, features) ? VMM_EXIT_SETUP : 0;
}

/*
 * Which runs take a step: a boot from a config, a restore from a file, a
 * VM coming in from another vmm (--incoming), or all.
 */
enum { BOOT = 1, RESTORE = 2, INCOMING = 4, SAVED = RESTORE | INCOMING,
       BOTH = BOOT | SAVED };

static const struct step {
	const char *name;
	step_up up;
	step_down down;
	int when;
} steps[] = {
	/* first: --incoming waits on the signalfd too */
	{ "signals",		block_signals,	close_signals,	BOTH },
	{ "input scripts",	parse_input,	discard_input,	BOTH },
	{ "snapshot file",	read_snapshot,	free_snapshot,	RESTORE },
	{ "KVM",		open_kvm,	close_kvm,	INCOMING },
	{ "incoming VM",	accept_incoming, close_incoming, INCOMING },
	{ "config",		load_config,	free_config,	BOOT },
	{ "saved config",	restore_config,	free_config,	SAVED },
	{ "terminal",		check_terminal,	NULL,		BOTH },
	{ "guest file",		check_guest,	NULL,		BOOT },
	{ "disk images",	open_disks,	close_disks,	BOTH },
	{ "saved disks",	check_saved_disks, NULL,	RESTORE },
	{ "output files",	open_outputs,	close_outputs,	BOTH },
	{ "machine",		create_machine,	destroy_machine, BOTH },
	{ "teardown child",	start_reaper,	NULL,		BOTH },
	{ "snapshots",		setup_snapshots, stop_snapshots, BOTH },
	{ "file walls",		wall_paths,	NULL,		BOTH },
	{ "devices",		build_devices,	remove_devices,	BOTH },
	{ "guest",		load_guest,	NULL,		BOOT },
	{ "saved state",	restore_state,	NULL,		RESTORE },
	{ "incoming state",	receive_state,	NULL,		INCOMING },
	{ "serial output",	start_serial_out, stop_serial_out, BOTH },
	{ "I/O thread",		start_iothread,	stop_iothread,	BOTH },
	{ "input",		start_input,	stop_input,	BOTH },
	{ "display",		start_display,	stop_display,	BOTH },
	{ "vCPU thread",	start_vcpu,	join_vcpu,	BOTH },
	{ "sandbox",		confine,	NULL,		BOTH },
};
#define N_STEPS ((int)(sizeof(steps) / sizeof(steps[0])))

/* run() stops the threads, the steps from the I/O thread on, before it reports. */
static int first_thread_step(void)
{
	int i = 0;

	while (i < N_STEPS && steps[i].up != start_iothread)
		i++;
	return i;
}

static bool taken(const struct session *s, const struct step *st)
{
	return st->when & (s->o.incoming ? INCOMING : s->o.restore ? RESTORE : BOOT);
}

static int setup(struct session *s)
{
	for (; s->done < N_STEPS; s->done++) {
		if (!taken(s, &steps[s->done]))
			continue;
		uint64_t t0 = now_ns();
		int status = steps[s->done].up(s);

		/* -vv: where start-up time goes (bench/ reads it) */
		if (s->o.verbose > 1)
			fprintf(stderr, "vmm: step %s: %.3f ms\n", steps[s->done].name,
				(double)(now_ns() - t0) / 1e6);

		if (status) {
			if (s->o.verbose)
				fprintf(stderr, "vmm: set-up failed at: %s\n",
					steps[s->done].name);
			return status;
		}
	}
	return 0;
}

/*
 * A VM that never ran still answers --stats: "stop" says "error" and at
 * which step, so that a script reading .stop.by cannot take the status for
 * the guest's.  The temporary file made by "output files" serves when
 * there is one (the sandbox may be in), else one is made now.
 */
static void stats_failed(struct session *s, int status, const char *why)
{
	char note[160];

	/* a file that could not be made was reported once already */
	if (!s->o.stats || s->stats.done ||
	    (!s->stats.f && (s->stats.path || stats_file_open(&s->stats, s->o.stats))))
		return;
	snprintf(note, sizeof(note), "the VM never started: %s (status %d)", why, status);
	stats_write_failed(s->stats.f, s->cfg.name, status,
			   status == VMM_EXIT_SIGNAL ? STOP_SIGNAL : STOP_ERROR, note);
	stats_file_commit(&s->stats);
}

/* Undoes the steps done, down to (and including) step `to`, in reverse. */
static void unwind(struct session *s, int to)
{
	/* threads waiting for the guest (input) must let go */
	if (!vm_stopping(&s->vm))
		vm_stop(&s->vm, STOP_ERROR, VMM_EXIT_SETUP, "set-up failed");
	snap_close_requests(&s->vm);
	while (s->done > to) {
		const struct step *st = &steps[--s->done];

		if (st->down && taken(s, st))
			st->down(s);
	}
}

/* ---- running -------------------------------------------------------- */

static void dump_screen(struct vm *vm, const char *format, FILE *out)
{
	struct screen_frame f;
	enum dump_format fmt = !strcmp(format, "ansi") ? DUMP_ANSI :
			       !strcmp(format, "none") ? DUMP_NONE : DUMP_TEXT;

	if (fmt == DUMP_NONE)
		return;
	/* the screen as the guest left it: replay queued stores, poll RAM */
	vm_sync_locked(vm);
	screen_snapshot(&vm->screen, &f);
	dump_frame(&f, fmt, true, out);
	fflush(out);
}

static void on_signal(struct session *s, const struct signalfd_siginfo *si)
{
	switch (si->ssi_signo) {
	case SIGWINCH:
		ui_resize();
		break;
	case SIGUSR1:
		dump_screen(&s->vm, "text", stderr);
		break;
	case SIGUSR2: {
		char msg[256];

		snap_save(&s->vm, NULL, msg, sizeof(msg));
		fprintf(stderr, "vmm: %s\n", msg);
		break;
	}
	default:
		/* untranslated names: no locale files in the sandbox */
		vm_stop(&s->vm, STOP_SIGNAL, VMM_EXIT_SIGNAL, "stopped by SIG%s (%s)",
			sigabbrev_np((int)si->ssi_signo),
			sigdescr_np((int)si->ssi_signo));
	}
}

/* Once a tick with nothing else to do: timeouts, stuck guests. */
static void tick(struct session *s, uint64_t deadline, uint64_t *last_exits)
{
	struct vm *vm = &s->vm;

	input_tick(vm);
	/*
	 * Stores queued in the coalesced ring (the firmware's log, COM1's
	 * registers) reach their devices even while the guest halts and no
	 * UI redraws; never wait for the lock here, signals come first.
	 */
	if (!pthread_mutex_trylock(&vm->io_lock)) {
		vm_sync(vm);
		pthread_mutex_unlock(&vm->io_lock);
	}
	if (deadline && now_ns() >= deadline)
		vm_stop(vm, STOP_TIMEOUT, VMM_EXIT_TIMEOUT, "timeout after %g s",
			s->o.timeout);
	/* No exit for a whole tick: halted or computing; look closer. */
	if (vcpu_idle(vm, last_exits))
		vcpu_kick(vm);
}

static void wait_for_stop(struct session *s)
{
	struct vm *vm = &s->vm;
	uint64_t deadline = s->o.timeout > 0 ?
		vm->start_ns + (uint64_t)(s->o.timeout * 1e9) : 0;
	uint64_t last_exits = 0, next_tick = now_ns() + TICK_MS * 1000000ull;
	bool nudging = false;

	while (!vm_stopping(vm)) {
		struct pollfd p[3] = {
			{ .fd = s->sfd, .events = POLLIN },
			{ .fd = vm->wake_fd, .events = POLLIN },
			{ .fd = snap_request_fd(vm), .events = POLLIN },
		};
		struct signalfd_siginfo si;

		if (poll(p, 3, nudging ? NUDGE_MS : TICK_MS) <= 0) {
			nudging = vcpu_nudge(vm);
			if (now_ns() >= next_tick) {
				tick(s, deadline, &last_exits);
				next_tick = now_ns() + TICK_MS * 1000000ull;
			}
			continue;
		}
		if ((p[0].revents & POLLIN) &&
		    read(s->sfd, &si, sizeof(si)) == sizeof(si))
			on_signal(s, &si);
		/* a snapshot asked by the input or UI thread: done here */
		if (p[2].revents & POLLIN)
			snap_serve(vm);
	}
}

/* The guest stopped and every thread is gone: settle and report. */
static int finish(struct session *s)
{
	struct vm *vm = &s->vm;
	int status = vm->exit_status;
	bool hurry = vm->stop_by == STOP_SIGNAL || vm->stop_by == STOP_TIMEOUT ||
		     vm->stop_by == STOP_USER;

	/*
	 * A restore whose RAM proves corrupt (verify.c) ends as one refused
	 * up front: status 2, the reason, no screen; the guest's disks were
	 * never written.  Its stop may have come first (a guest that exits).
	 */
	if (!snap_ram_verified(vm)) {
		if (!strstr(vm->exit_note, snap_verify_error(vm)))
			fprintf(stderr, "vmm: %s\n", snap_verify_error(vm));
		s->o.dump = "none";
		status = VMM_EXIT_USAGE;
	}
	/* Stores the guest queued before it stopped reach their devices. */
	vm_sync_locked(vm);
	/* Every acknowledged write is on stable storage (unless cache=unsafe). */
	if (disk_flush(&vm->host) && status == 0)
		status = VMM_EXIT_SETUP;
	/* the dump follows the guest's last serial bytes; neither may hang */
	if (!s->tui)
		dump_screen(vm, s->o.dump, serial_out_tail(s->sout));
	serial_out_finish(s->sout, s->sfd, hurry);
	/* a firmware boot that stopped early says how far it got */
	int post = post_last(vm_device(vm, &post_device));

	if (post >= 0 && vm->stop_by != STOP_GUEST && vm->stop_by != STOP_USER)
		fprintf(stderr, "vmm: last POST code 0x%02x\n", post);
	/* a guest's own exit and the user's quit need no words; the rest do */
	if (s->o.verbose ||
	    (vm->stop_by != STOP_GUEST && vm->stop_by != STOP_USER))
		fprintf(stderr, "vmm: %s\n", vm->exit_note);
	if (s->stats.f) {
		stats_write_json(vm, s->stats.f);
		stats_file_commit(&s->stats);
	}
	return status;
}

static int run(struct session *s)
{
	vcpu_release(&s->vm);
	/* the source waits for this before it lets its copy go */
	if (s->o.incoming) {
		snap_incoming_confirm(&s->vm, s->incoming_fd);
		s->incoming_fd = -1;
	}
	wait_for_stop(s);
	unwind(s, first_thread_step());
	return finish(s);
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
	static struct session s = { .sfd = -1, .incoming_fd = -1,
				    .stats.dirfd = -1 };
	char why[96];
	int status;

	setlocale(LC_ALL, "");
	if (options_parse(argc, argv, &s.o)) {
		stats_failed(&s, VMM_EXIT_USAGE, "bad command line");
		stats_file_close(&s.stats);
		return VMM_EXIT_USAGE;
	}
	if (s.o.create_image)
		return create_image(s.o.create_image, s.o.size);
	vm_init(&s.vm);
	status = setup(&s);
	if (status) {
		snprintf(why, sizeof(why), "%s at: %s", status == VMM_EXIT_NO_KVM ?
			 "KVM unavailable" : status == VMM_EXIT_USAGE ? "bad input" :
			 status == VMM_EXIT_SIGNAL ? "stopped by a signal" :
			 "set-up failed", steps[s.done].name);
		stats_failed(&s, status, why);
	} else {
		status = run(&s);
	}
	unwind(&s, 0);
	return status;
}
