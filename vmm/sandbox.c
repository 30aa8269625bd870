// SPDX-License-Identifier: MIT
/*
 * The seccomp allowlist of the running VM, as one table.  Each group says
 * who needs it, so a thread added later (UI, disk I/O, stdin reader) adds
 * its calls here, in one place.  Everything not listed kills the process.
 *
 * fds are pinned where it matters: KVM ioctls only on this VM's own vm and
 * vCPU fds, with the requests the exit loop uses.  Plain read/write go to
 * any fd, since no new fd can be opened once the filter is in.
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "migrate.h"
#include "sandbox.h"
#include "snapshot.h"
#include "vm.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZER_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZER_BUILD 1
#endif
#endif

enum fd_class { FD_ANY, FD_VM, FD_VCPU };

struct rule {
	int nr;			/* SCMP_SYS(name) */
	enum fd_class fd;	/* constraint on argument 0 */
	int arg;		/* -1, or an argument that must match */
	uint64_t mask, val;	/* (arg & mask) == val */
	int err;		/* 0: allow; else fail with this errno */
};

#define ALLOW(s)		{ SCMP_SYS(s), FD_ANY, -1, 0, 0, 0 }
#define REFUSE(s, e)		{ SCMP_SYS(s), FD_ANY, -1, 0, 0, e }
#define IOCTL(fdc, req)		{ SCMP_SYS(ioctl), fdc, 1, 0xffffffffu, req, 0 }
#define ALLOW_IF(s, a, m, v)	{ SCMP_SYS(s), FD_ANY, a, m, v, 0 }

static const struct rule rules[] = {
	/* vCPU thread: the exit loop, the halt check, the crash dump */
	IOCTL(FD_VCPU, KVM_RUN),
	IOCTL(FD_VCPU, KVM_GET_MP_STATE),
	IOCTL(FD_VCPU, KVM_GET_REGS),
	IOCTL(FD_VCPU, KVM_GET_SREGS),
	/* vmm/emulate.c: finishing iret / int n that KVM's emulator refuses */
	IOCTL(FD_VCPU, KVM_SET_REGS),
	IOCTL(FD_VCPU, KVM_SET_SREGS),
	/* devices raising interrupts (serial; later i8042, ATA) */
	IOCTL(FD_VM, KVM_IRQ_LINE),
	/* VGA "ram" strategy and UI: dirty pages of the text window */
	IOCTL(FD_VM, KVM_GET_DIRTY_LOG),
	/* main thread, snapshots (vmm/snapshot_vcpu.c): the vCPU, parked */
	IOCTL(FD_VCPU, KVM_GET_FPU), IOCTL(FD_VCPU, KVM_GET_XSAVE),
	IOCTL(FD_VCPU, KVM_GET_XSAVE2), IOCTL(FD_VCPU, KVM_GET_XCRS),
	IOCTL(FD_VCPU, KVM_GET_MSRS), IOCTL(FD_VCPU, KVM_GET_VCPU_EVENTS),
	IOCTL(FD_VCPU, KVM_GET_DEBUGREGS), IOCTL(FD_VCPU, KVM_GET_LAPIC),
	/* ... and the machine: PICs, IOAPIC, PIT, clock */
	IOCTL(FD_VM, KVM_GET_IRQCHIP), IOCTL(FD_VM, KVM_GET_PIT2),
	IOCTL(FD_VM, KVM_GET_CLOCK),

	/* device back ends: serial output, disk images, signalfd, eventfd */
	ALLOW(read), ALLOW(write), ALLOW(readv), ALLOW(writev),
	ALLOW(pread64), ALLOW(pwrite64), ALLOW(preadv), ALLOW(pwritev),
	ALLOW(lseek), ALLOW(fsync), ALLOW(fdatasync),

	/* main thread: waiting for signals, the stop event and ticks */
	ALLOW(poll), ALLOW(ppoll),
	ALLOW(clock_gettime), ALLOW(clock_nanosleep), ALLOW(nanosleep),
	ALLOW(gettimeofday),

	/* every thread: locks, kicks (pthread_kill), signal returns, exit */
	ALLOW(futex), ALLOW(rt_sigreturn), ALLOW(rt_sigprocmask),
	ALLOW(tgkill), ALLOW(getpid), ALLOW(gettid), ALLOW(sched_yield),
	ALLOW(restart_syscall), ALLOW(exit), ALLOW(exit_group),
	/* glibc's thread start-up, for threads created just before the filter */
	ALLOW(set_robust_list), ALLOW(rseq),
	/* CMOS thread: arms its timerfd for the next RTC interrupt (devices/cmos.c) */
	ALLOW(timerfd_settime),
	/* I/O thread: asks for fine timer slack as it starts (vmm/iothread.c) */
	ALLOW_IF(prctl, 0, 0xffffffffu, PR_SET_TIMERSLACK),

	/* malloc and thread stacks */
	ALLOW(mmap), ALLOW(munmap), ALLOW(mprotect), ALLOW(mremap),
	ALLOW(brk), ALLOW(madvise),

	/* teardown: closing fds */
	ALLOW(close),

	/* stdio's first use of a stream: fstat(fd) is newfstatat(fd, "", AT_EMPTY_PATH) */
	ALLOW(fstat),
	ALLOW_IF(newfstatat, 3, AT_EMPTY_PATH, AT_EMPTY_PATH),

	/* the terminal (UI thread, stdio's isatty, restoring at exit) */
	IOCTL(FD_ANY, TCGETS), IOCTL(FD_ANY, TCSETS), IOCTL(FD_ANY, TCSETSW),
	IOCTL(FD_ANY, TCSETSF), IOCTL(FD_ANY, TIOCGWINSZ),
	/* UI thread: waiting for keys; ncurses (re)installs its SIGTSTP and
	 * SIGWINCH handlers while it runs */
	ALLOW(select), ALLOW(pselect6), ALLOW(rt_sigaction),

#ifdef SANITIZER_BUILD
	/*
	 * SANITIZE builds only: LeakSanitizer stops the world at exit (a
	 * helper thread that ptraces the others and reads /proc/self), and
	 * the reports read /proc/self/maps.
	 */
	ALLOW(openat), ALLOW(open), ALLOW(clone), ALLOW(clone3), ALLOW(ptrace),
	ALLOW(wait4), ALLOW(prctl), ALLOW(getdents), ALLOW(getdents64), ALLOW(sigaltstack),
	ALLOW(getppid), ALLOW(readlink), ALLOW(kill),
	ALLOW(sched_getaffinity),
	ALLOW(getrlimit), ALLOW(prlimit64), ALLOW(rt_sigtimedwait),
	ALLOW(setrlimit), ALLOW(getrusage), ALLOW(uname),
#else
	/*
	 * Not killed but refused: glibc's gettext may look for a message
	 * catalogue when strerror() is first used in a non-C locale.  Only
	 * paths from the working directory: openat() in a snapshot folder is
	 * allowed below, and libseccomp lets an unconditional rule win.
	 */
	{ SCMP_SYS(openat), FD_ANY, 0, 0xffffffffu, (uint32_t)AT_FDCWD, EACCES },
	REFUSE(open, EACCES),
#endif
};

/*
 * Snapshots (vmm/snapshot_ctl.c) write a temporary file in a folder opened
 * before the filter and rename or link it into place: exactly those calls,
 * relative to exactly those folders.
 */
static int add_snapshot_rules(scmp_filter_ctx ctx, const struct vm *vm)
{
	int fds[SNAP_MAX_DIRS];
	int n = snapshot_dir_fds(vm, fds, SNAP_MAX_DIRS), e = 0;

	for (int i = 0; i < n && !e; i++) {
		uint32_t d = (uint32_t)fds[i];
		struct scmp_arg_cmp a0 = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, d);
		struct scmp_arg_cmp a2 = SCMP_A2(SCMP_CMP_MASKED_EQ, 0xffffffffu, d);

#ifndef SANITIZER_BUILD		/* there openat is allowed everywhere */
		e = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 2, a0,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, ~0u,
					     O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC));
#endif
		e = e ? e : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(renameat), 2, a0, a2);
		e = e ? e : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(linkat), 3, a0, a2,
					     SCMP_A4(SCMP_CMP_MASKED_EQ, ~0u, 0));
		e = e ? e : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(unlinkat), 2, a0,
					     SCMP_A2(SCMP_CMP_MASKED_EQ, ~0u, 0));
	}
	if (e)
		fprintf(stderr, "vmm: sandbox: snapshot folder rules: %s\n", strerror(-e));
	return e;
}

/*
 * Migration (vmm/migrate.c): connect() on the sockets made for it before
 * the filter, and KVM's dirty log switched on and off for the RAM slots.
 * seccomp cannot read the path connect() is given nor the slot struct, so
 * these two are pinned to their fds only.
 */
static int add_migration_rules(scmp_filter_ctx ctx, const struct vm *vm)
{
	int fds[SNAP_MAX_SOCKETS];
	int n = migrate_socket_fds(vm, fds, SNAP_MAX_SOCKETS), e;

	e = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
			     SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint32_t)vm->vm_fd),
			     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu,
				     (uint32_t)KVM_SET_USER_MEMORY_REGION));
	/* the disk images' locks go to the destination and come back */
	e = e ? e : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(flock), 0);
	for (int i = 0; i < n && !e; i++)
		e = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(connect), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint32_t)fds[i]));
	if (e)
		fprintf(stderr, "vmm: sandbox: migration rules: %s\n", strerror(-e));
	return e;
}

static void trap_handler(int sig, siginfo_t *si, void *uc)
{
	char msg[80];
	int n = snprintf(msg, sizeof(msg),
			 "vmm: sandbox: refused system call %d\n", si->si_syscall);

	(void)sig;
	(void)uc;
	if (write(STDERR_FILENO, msg, (size_t)n) < 0)
		_exit(128 + SIGSYS);
	_exit(128 + SIGSYS);
}

static int add_rule(scmp_filter_ctx ctx, const struct rule *r,
		    const struct vm *vm)
{
	struct scmp_arg_cmp cmp[2];
	unsigned int n = 0;
	uint32_t action = r->err ? SCMP_ACT_ERRNO((uint32_t)r->err) : SCMP_ACT_ALLOW;

	if (r->fd != FD_ANY) {
		int fd = r->fd == FD_VM ? vm->vm_fd : vm->vcpu_fd;

		cmp[n++] = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint32_t)fd);
	}
	if (r->arg >= 0)
		cmp[n++] = (struct scmp_arg_cmp){
			.arg = (unsigned int)r->arg, .op = SCMP_CMP_MASKED_EQ,
			.datum_a = r->mask, .datum_b = r->val,
		};
	return seccomp_rule_add_array(ctx, action, r->nr, n, cmp);
}

int sandbox_install(const struct vm *vm)
{
	bool trap = getenv("VMM_SANDBOX_TRAP") != NULL;
	bool selftest = getenv("VMM_SANDBOX_SELFTEST") != NULL;
	scmp_filter_ctx ctx;
	int e = 0;

	if (trap) {
		struct sigaction sa = { .sa_sigaction = trap_handler,
					.sa_flags = SA_SIGINFO };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGSYS, &sa, NULL);
	}
	/* no set-uid or file-capability gain from here on, filter or not */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		fprintf(stderr, "vmm: sandbox: PR_SET_NO_NEW_PRIVS: %s\n", strerror(errno));
		return -1;
	}
	ctx = seccomp_init(trap ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		fprintf(stderr, "vmm: sandbox: seccomp_init failed\n");
		return -1;
	}
	/* the vCPU thread (and any other) already runs: filter them all */
	e = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (size_t i = 0; !e && i < sizeof(rules) / sizeof(rules[0]); i++) {
		e = add_rule(ctx, &rules[i], vm);
		if (e) {
			char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
								      rules[i].nr);

			fprintf(stderr, "vmm: sandbox: rule for %s: %s\n",
				name ? name : "?", strerror(-e));
			free(name);
		}
	}
	if (!e)
		e = add_snapshot_rules(ctx, vm);
	if (!e)
		e = add_migration_rules(ctx, vm);
	if (!e) {
		e = seccomp_load(ctx);
		if (e)
			fprintf(stderr, "vmm: sandbox: seccomp_load: %s (try --no-sandbox)\n",
				strerror(-e));
	}
	seccomp_release(ctx);
	if (e)
		return -1;
	if (selftest) {
		fprintf(stderr, "vmm: sandbox self-test: calling socket()\n");
		int s = socket(AF_INET, SOCK_STREAM, 0);

		fprintf(stderr, "vmm: sandbox self-test: socket() returned %d, not refused\n", s);
		return -1;
	}
	return 0;
}
