// SPDX-License-Identifier: MIT
/*
 * VMM_SANDBOX_SELFTEST=NAME: right after the filter goes in, vmm makes one
 * call, so test/integration/sandbox.sh checks the real filter in the real
 * process.  A refused call never returns (SIGSYS); if it does, the case
 * says "not refused" and vmm stops with a set-up error.  The "allowed"
 * cases return and the VM runs on.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "sandbox_rules.h"
#include "snapshot/snapshot.h"
#include "vm.h"

static long refused(const char *what, long r)
{
	fprintf(stderr, "vmm: sandbox self-test: %s returned %ld, not refused\n", what, r);
	return -1;
}

static int t_socket(const struct vm *vm)
{
	return refused("socket()", socket(AF_INET, SOCK_STREAM, 0));
}

/* signal 0 to init: only a permission check, but a pid not vmm's */
static int t_tgkill(const struct vm *vm)
{
	return refused("tgkill(1, 1, 0)", syscall(SYS_tgkill, 1, 1, 0));
}

static int t_tkill(const struct vm *vm)
{
	return refused("tkill(1, 0)", syscall(SYS_tkill, 1, 0));
}

static int t_mmap_exec(const struct vm *vm)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return refused("mmap(PROT_EXEC)", (long)p);
}

static int t_mprotect_exec(const struct vm *vm)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return refused("mmap(PROT_READ | PROT_WRITE) failed; mprotect", -1);
	return refused("mprotect(PROT_EXEC)", mprotect(p, 4096, PROT_READ | PROT_EXEC));
}

/* the probe that read /etc/shadow's owner, mode and size */
static int t_stat_path(const struct vm *vm)
{
	struct stat st;

	return refused("newfstatat(AT_FDCWD, \"/etc/shadow\", AT_EMPTY_PATH)",
		       syscall(SYS_newfstatat, AT_FDCWD, "/etc/shadow", &st, AT_EMPTY_PATH));
}

static int t_dirty_log(const struct vm *vm)
{
	static unsigned long bitmap[64];
	struct kvm_dirty_log log = { .slot = 0, .dirty_bitmap = bitmap };

	return refused("KVM_GET_DIRTY_LOG", ioctl(vm->vm_fd, KVM_GET_DIRTY_LOG, &log));
}

/* allowed: glibc's fstat, and a signal to vmm's own thread */
static int t_fstat_fd(const struct vm *vm)
{
	struct stat st;

	if (fstat(STDERR_FILENO, &st))
		return refused("fstat(2) failed;", -1);
	fprintf(stderr, "vmm: sandbox self-test: fstat(2) works (mode %o)\n",
		(unsigned int)(st.st_mode & S_IFMT));
	return 0;
}

static int t_tgkill_self(const struct vm *vm)
{
	long r = syscall(SYS_tgkill, getpid(), gettid(), 0);

	fprintf(stderr, "vmm: sandbox self-test: tgkill(own pid, own tid, 0) returned %ld\n", r);
	return r ? -1 : 0;
}

/*
 * A report under the filter must come out whole (sanitizer builds).  UBSan
 * shows the memory around a misaligned pointer after checking, through a
 * pipe, that it can read it.
 */
static int t_ubsan(const struct vm *vm)
{
	char buf[8] = { 0 };
	uint32_t *volatile p = (uint32_t *)(buf + 1);

	*p = 1;
	return buf[2] - 1;
}

static int t_asan(const struct vm *vm)
{
	char *volatile p = malloc(8);
	volatile char c = p[8];

	free(p);
	return c;
}

static int racy;

static void *racer(void *arg)
{
	racy++;
	return arg;
}

static int t_tsan(const struct vm *vm)
{
	pthread_t t;

	if (pthread_create(&t, NULL, racer, NULL))
		return refused("pthread_create failed;", -1);
	racy++;
	pthread_join(t, NULL);
	return 0;
}

/*
 * The snapshot rules' escapes (issue 19): a path outside the folder given
 * with the folder's fd.  Landlock refuses them with an errno (the call
 * returns); the file named in arg must then not exist.
 */
static int escape(const char *what, long r)
{
	if (r >= 0)
		return refused(what, r);
	fprintf(stderr, "vmm: sandbox self-test: %s refused: %s\n", what, strerror(errno));
	return -1;
}

static int home_fd(const struct vm *vm)
{
	int fd = -1;

	return snap_dir_fds(vm, &fd, 1) == 1 ? fd : -1;
}

static int t_create_outside(const struct vm *vm, const char *arg)
{
	return escape("openat(folder, path outside, O_CREAT)",
		      openat(home_fd(vm), arg, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
}

/* the mode is pinned: 0600, never set-uid */
static int t_create_setuid(const struct vm *vm, const char *arg)
{
	return refused("openat(folder, name, O_CREAT, 06755)",
		       openat(home_fd(vm), arg, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 06755));
}

static int t_rename_outside(const struct vm *vm, const char *arg)
{
	char to[4096];

	snprintf(to, sizeof(to), "%s.moved", arg);
	return escape("renameat(folder, path outside, ...)",
		      renameat(home_fd(vm), arg, home_fd(vm), to));
}

static int t_link_outside(const struct vm *vm, const char *arg)
{
	char to[4096];

	snprintf(to, sizeof(to), "%s.link", arg);
	return escape("linkat(folder, path outside, ...)",
		      linkat(home_fd(vm), arg, home_fd(vm), to, 0));
}

static int t_unlink_outside(const struct vm *vm, const char *arg)
{
	return escape("unlinkat(folder, path outside)", unlinkat(home_fd(vm), arg, 0));
}

/*
 * A migration target's socket connected elsewhere: vmm holds no such
 * socket any more and may neither make one nor connect (the broker does).
 */
static int t_connect_other(const struct vm *vm, const char *arg)
{
	const struct snap_ctl *c = vm->snap;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = c && c->mig.nsock && c->mig.sock[0].fd >= 0 ? c->mig.sock[0].fd :
		 socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", arg);
	return refused("connect(a migration socket, another path)",
		       connect(fd, (struct sockaddr *)&a, sizeof(a)));
}

static const struct {
	const char *name;
	int (*fn)(const struct vm *vm, const char *arg);
} path_cases[] = {
	{ "create-outside", t_create_outside }, { "create-setuid", t_create_setuid },
	{ "rename-outside", t_rename_outside }, { "link-outside", t_link_outside },
	{ "unlink-outside", t_unlink_outside }, { "connect-other", t_connect_other },
};

/* NAME:PATH */
static int path_case(const struct vm *vm, const char *name)
{
	const char *colon = strchr(name, ':');

	for (size_t i = 0; colon && i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		if (strlen(path_cases[i].name) == (size_t)(colon - name) &&
		    !strncmp(name, path_cases[i].name, (size_t)(colon - name))) {
			fprintf(stderr, "vmm: sandbox self-test: %s\n", name);
			return path_cases[i].fn(vm, colon + 1);
		}
	}
	fprintf(stderr, "vmm: sandbox self-test: no case '%s'\n", name);
	return -1;
}

static const struct {
	const char *name;
	int (*fn)(const struct vm *vm);
} cases[] = {
	{ "socket", t_socket },
	{ "tgkill", t_tgkill }, { "tkill", t_tkill },
	{ "mmap-exec", t_mmap_exec }, { "mprotect-exec", t_mprotect_exec },
	{ "stat-path", t_stat_path }, { "dirty-log", t_dirty_log },
	{ "fstat-fd", t_fstat_fd }, { "tgkill-self", t_tgkill_self },
	{ "ubsan", t_ubsan }, { "asan", t_asan }, { "tsan", t_tsan },
};

int sandbox_selftest(const struct vm *vm, const char *name)
{
	if (!name)
		return 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!strcmp(name, cases[i].name)) {
			fprintf(stderr, "vmm: sandbox self-test: %s\n", name);
			return cases[i].fn(vm);
		}
	}
	return path_case(vm, name);
}
