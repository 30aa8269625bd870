// SPDX-License-Identifier: MIT
/*
 * The seccomp allowlist of the running VM, as one table.  Each group says
 * who needs it, so a thread added later (UI, disk I/O, stdin reader) adds
 * its calls here, in one place.  Everything not listed kills the process.
 *
 * Arguments are pinned where it matters: KVM ioctls only on this VM's own
 * vm and vCPU fds, with the requests the exit loop uses; signals only to
 * vmm's own threads; no executable memory.  Plain read/write go to any fd,
 * since no new fd can be opened once the filter is in.
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
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <ucontext.h>
#include <unistd.h>

#include "sandbox.h"
#include "sandbox_rules.h"
#include "snapshot/snapshot.h"
#include "vm.h"

static const struct rule rules[] = {
	/* vCPU thread: the exit loop, the halt check, the crash dump */
	IOCTL(A0_VCPU_FD, KVM_RUN),
	IOCTL(A0_VCPU_FD, KVM_GET_MP_STATE),
	IOCTL(A0_VCPU_FD, KVM_GET_REGS),
	IOCTL(A0_VCPU_FD, KVM_GET_SREGS),
	/* vmm/emulate.c: finishing iret / int n that KVM's emulator refuses */
	IOCTL(A0_VCPU_FD, KVM_SET_REGS),
	IOCTL(A0_VCPU_FD, KVM_SET_SREGS),
	/* devices raising interrupts (serial; later i8042, ATA) */
	IOCTL(A0_VM_FD, KVM_IRQ_LINE),
	/* main thread, snapshots (vmm/snapshot/kvm_state.c): the vCPU, parked */
	IOCTL(A0_VCPU_FD, KVM_GET_FPU), IOCTL(A0_VCPU_FD, KVM_GET_XSAVE),
	IOCTL(A0_VCPU_FD, KVM_GET_XSAVE2), IOCTL(A0_VCPU_FD, KVM_GET_XCRS),
	IOCTL(A0_VCPU_FD, KVM_GET_MSRS), IOCTL(A0_VCPU_FD, KVM_GET_VCPU_EVENTS),
	IOCTL(A0_VCPU_FD, KVM_GET_DEBUGREGS), IOCTL(A0_VCPU_FD, KVM_GET_LAPIC),
	/* ... and the machine: PICs, IOAPIC, PIT, clock */
	IOCTL(A0_VM_FD, KVM_GET_IRQCHIP), IOCTL(A0_VM_FD, KVM_GET_PIT2),
	IOCTL(A0_VM_FD, KVM_GET_CLOCK),
	/* migration: the disk images' locks go to the destination and come back */
	ALLOW(flock),

	/* device back ends: serial output, disk images, signalfd, eventfd */
	ALLOW(read), ALLOW(write), ALLOW(readv), ALLOW(writev),
	ALLOW(pread64), ALLOW(pwrite64), ALLOW(preadv), ALLOW(pwritev),
	ALLOW(lseek), ALLOW(fsync), ALLOW(fdatasync),

	/* main thread: waiting for signals, the stop event and ticks */
	ALLOW(poll), ALLOW(ppoll),
	ALLOW(clock_gettime), ALLOW(clock_nanosleep), ALLOW(nanosleep),
	ALLOW(gettimeofday),

	/* every thread: locks, kicks (pthread_kill: vmm's own threads only),
	 * signal returns, exit */
	ALLOW(futex), ALLOW(rt_sigreturn), ALLOW(rt_sigprocmask),
	ALLOW_IF_A0(tgkill, A0_OWN_PID), ALLOW(getpid), ALLOW(gettid),
	ALLOW(sched_yield), ALLOW(restart_syscall), ALLOW(exit), ALLOW(exit_group),
	/* glibc's thread start-up, for threads created just before the filter */
	ALLOW(set_robust_list), ALLOW(rseq),
	/* CMOS thread: arms its timerfd for the next RTC interrupt (devices/cmos.c) */
	ALLOW(timerfd_settime),
	/* I/O thread: asks for fine timer slack as it starts (vmm/iothread.c) */
	ALLOW_IF(prctl, 0, 0xffffffffu, PR_SET_TIMERSLACK),

	/* malloc and thread stacks; never executable memory */
	ALLOW_IF(mmap, 2, PROT_EXEC, 0), ALLOW_IF(mprotect, 2, PROT_EXEC, 0),
	ALLOW(munmap), ALLOW(mremap), ALLOW(brk), ALLOW(madvise),

	/* teardown: closing fds */
	ALLOW(close),

	/*
	 * stdio's first use of a stream: glibc 2.36's fstat(fd) is
	 * newfstatat(fd, "", buf, AT_EMPTY_PATH).  A filter cannot read the
	 * path, so newfstatat traps and the SIGSYS handler serves exactly that
	 * form with the fd-only fstat; a path kills the process.
	 */
	ALLOW(fstat), EMULATE(newfstatat),

	/* the terminal (UI thread, stdio's isatty, restoring at exit) */
	IOCTL(A0_ANY, TCGETS), IOCTL(A0_ANY, TCSETS), IOCTL(A0_ANY, TCSETSW),
	IOCTL(A0_ANY, TCSETSF), IOCTL(A0_ANY, TIOCGWINSZ),
	/* UI thread: waiting for keys; ncurses (re)installs its SIGTSTP and
	 * SIGWINCH handlers while it runs */
	ALLOW(select), ALLOW(pselect6), ALLOW(rt_sigaction),
};

/*
 * Not killed but refused: glibc's gettext may look for a message catalogue
 * when strerror() is first used in a non-C locale.  (Sanitizer builds allow
 * open: their rules come instead.)  openat only from the working
 * directory: snapshot folders get their own rule below, and libseccomp
 * lets an unconditional rule win over it.
 */
static const struct rule no_open_rules[] = {
	{ SCMP_SYS(openat), A0_ANY, 0, 0xffffffffu, (uint32_t)AT_FDCWD, EACCES },
	REFUSE(open, EACCES),
};

/*
 * A folder vmm writes files into: renameat and unlinkat within it, and
 * with create, openat of a new file (a temporary one) there.
 */
static int folder_rules(scmp_filter_ctx ctx, int fd, bool create)
{
	uint32_t d = (uint32_t)fd;
	struct scmp_arg_cmp a0 = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, d);
	struct scmp_arg_cmp a2 = SCMP_A2(SCMP_CMP_MASKED_EQ, 0xffffffffu, d);
	int e = 0;

	/* sanitizer builds allow openat everywhere already */
	/* mode 0600, as save() asks: never a set-uid file */
	if (create && !sandbox_n_sanitizer_rules)
		e = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 3, a0,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, ~0u,
					     O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC),
				     SCMP_A3(SCMP_CMP_MASKED_EQ, ~0u, 0600));
	e = e ? e : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(renameat), 2, a0, a2);
	e = e ? e : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(unlinkat), 2, a0,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, ~0u, 0));
	return e;
}

/*
 * Snapshots (vmm/snapshot/save.c) write a temporary file in a folder opened
 * before the filter and rename or link it into place: exactly those calls,
 * relative to exactly those folders.  The paths they take are Landlock's
 * to confine (sandbox_paths.c): seccomp cannot read them.  Migration
 * connects nothing itself: the broker (sock_broker.c) hands it sockets
 * connected to the targets named before the filter.
 */
static int add_snapshot_rules(scmp_filter_ctx ctx, const struct vm *vm)
{
	int fds[SNAP_MAX_DIRS];
	int n = snap_dir_fds(vm, fds, SNAP_MAX_DIRS), e = 0;
	int broker = vm->snap ? vm->snap->mig.broker_fd : -1;

	for (int i = 0; i < n && !e; i++) {
		uint32_t d = (uint32_t)fds[i];

		e = folder_rules(ctx, fds[i], true);
		/* NAME-N.snap is linked, never renamed over an existing file */
		e = e ? e : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(linkat), 3,
					     SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, d),
					     SCMP_A2(SCMP_CMP_MASKED_EQ, 0xffffffffu, d),
					     SCMP_A4(SCMP_CMP_MASKED_EQ, ~0u, 0));
	}
	/* --stats FILE: its temporary file, made before, renamed at exit */
	if (vm->stats_dirfd >= 0 && !e)
		e = folder_rules(ctx, vm->stats_dirfd, false);
	/* the broker's replies carry the sockets it connected */
	if (broker >= 0 && !e)
		e = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(recvmsg), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint32_t)broker));
	if (e)
		fprintf(stderr, "vmm: sandbox: snapshot and migration rules: %s\n",
			strerror(-e));
	return e;
}

/* A migration feature reads which pages the guest wrote (sandbox.h). */
static const struct rule dirty_log_rules[] = {
	IOCTL(A0_VM_FD, KVM_GET_DIRTY_LOG),
};

static bool trap_mode;

static void die_by_sigsys(int nr)
{
	if (trap_mode) {
		char msg[80];
		int n = snprintf(msg, sizeof(msg),
				 "vmm: sandbox: refused system call %d\n", nr);

		if (write(STDERR_FILENO, msg, (size_t)n) < 0)
			_exit(128 + SIGSYS);
		_exit(128 + SIGSYS);
	}
	/* as the kernel's kill would: the pending SIGSYS ends the process
	 * as soon as this handler returns */
	signal(SIGSYS, SIG_DFL);
	raise(SIGSYS);
}

/* newfstatat(fd, "", buf, AT_EMPTY_PATH) is fstat(fd, buf); nothing else is. */
static bool emulate_fstat(greg_t *r)
{
	const char *path = (const char *)r[REG_RSI];
	int saved = errno;

	if (!path || path[0] || !(r[REG_R10] & AT_EMPTY_PATH))
		return false;
	long ret = syscall(SYS_fstat, (int)r[REG_RDI], (struct stat *)r[REG_RDX]);

	r[REG_RAX] = ret < 0 ? -errno : ret;
	errno = saved;
	return true;
}

static void sigsys_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	if (si->si_syscall == SYS_newfstatat && emulate_fstat(uc->uc_mcontext.gregs))
		return;
	die_by_sigsys(si->si_syscall);
}

static int add_rule(scmp_filter_ctx ctx, const struct rule *r, const struct vm *vm)
{
	struct scmp_arg_cmp cmp[2];
	unsigned int n = 0;
	uint32_t action = r->err == RULE_TRAP ? SCMP_ACT_TRAP :
			  r->err ? SCMP_ACT_ERRNO((uint32_t)r->err) : SCMP_ACT_ALLOW;
	uint32_t def = 0;
	int a0 = r->a0 == A0_VM_FD ? vm->vm_fd : r->a0 == A0_VCPU_FD ? vm->vcpu_fd :
		 r->a0 == A0_OWN_PID ? getpid() : -1;

	/* libseccomp refuses a rule that says what the default says */
	if (seccomp_attr_get(ctx, SCMP_FLTATR_ACT_DEFAULT, &def) == 0 && def == action)
		return 0;
	if (r->a0 != A0_ANY)
		cmp[n++] = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint32_t)a0);
	if (r->arg >= 0)
		cmp[n++] = (struct scmp_arg_cmp){
			.arg = (unsigned int)r->arg, .op = SCMP_CMP_MASKED_EQ,
			.datum_a = r->mask, .datum_b = r->val,
		};
	int e = seccomp_rule_add_array(ctx, action, r->nr, n, cmp);

	if (e) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, r->nr);

		fprintf(stderr, "vmm: sandbox: rule for %s: %s\n", name ? name : "?",
			strerror(-e));
		free(name);
	}
	return e;
}

int sandbox_add_rules(scmp_filter_ctx ctx, const struct rule *r, size_t n,
		      const struct vm *vm)
{
	for (size_t i = 0; i < n; i++)
		if (add_rule(ctx, &r[i], vm))
			return -1;
	return 0;
}

static scmp_filter_ctx build(const struct vm *vm, unsigned int features)
{
	scmp_filter_ctx ctx = seccomp_init(trap_mode ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS);

	if (!ctx) {
		fprintf(stderr, "vmm: sandbox: seccomp_init failed\n");
		return NULL;
	}
	/* the vCPU thread (and any other) already runs: filter them all */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) ||
	    sandbox_add_rules(ctx, rules, sizeof(rules) / sizeof(rules[0]), vm) ||
	    (sandbox_n_sanitizer_rules ?
	     sandbox_add_rules(ctx, sandbox_sanitizer_rules, sandbox_n_sanitizer_rules, vm) :
	     sandbox_add_rules(ctx, no_open_rules, 2, vm)) ||
	    ((features & SANDBOX_DIRTY_LOG) &&
	     sandbox_add_rules(ctx, dirty_log_rules, 1, vm)) ||
	    add_snapshot_rules(ctx, vm)) {
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

int sandbox_install_with(const struct vm *vm, unsigned int features)
{
	struct sigaction sa = { .sa_sigaction = sigsys_handler,
				.sa_flags = SA_SIGINFO };
	scmp_filter_ctx ctx;

	trap_mode = getenv("VMM_SANDBOX_TRAP") != NULL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSYS, &sa, NULL);
	/* no set-uid or file-capability gain from here on, filter or not */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		fprintf(stderr, "vmm: sandbox: PR_SET_NO_NEW_PRIVS: %s\n", strerror(errno));
		return -1;
	}
	sandbox_sanitizer_prepare();
	ctx = build(vm, features);
	if (!ctx)
		return -1;
	int e = seccomp_load(ctx);

	seccomp_release(ctx);
	if (e) {
		fprintf(stderr, "vmm: sandbox: seccomp_load: %s (try --no-sandbox)\n",
			strerror(-e));
		return -1;
	}
	return sandbox_selftest(vm, getenv("VMM_SANDBOX_SELFTEST"));
}

int sandbox_revoke(const struct vm *vm, unsigned int features)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int e = -1;

	if (!ctx)
		return -1;
	/* filters stack and the strictest answer wins: this one only kills */
	if (!seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) &&
	    (!(features & SANDBOX_DIRTY_LOG) ||
	     !seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(ioctl), 2,
			       SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint32_t)vm->vm_fd),
			       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, KVM_GET_DIRTY_LOG))))
		e = seccomp_load(ctx);
	seccomp_release(ctx);
	return e ? -1 : 0;
}
