// SPDX-License-Identifier: MIT
/*
 * The filter of vmm's teardown helper: a process that holds the VM's fds,
 * waits for its pipe to close, closes fds and exits.  The program is built
 * before fork (libseccomp allocates), so the child only makes two prctl
 * calls, both async-signal-safe.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "sandbox.h"
#include "sandbox_rules.h"

static const struct rule child_rules[] = {
	ALLOW(read), ALLOW(close), ALLOW(close_range),
	ALLOW(exit), ALLOW(exit_group), ALLOW(restart_syscall),
	/* ignoring SIGINT/TERM/HUP, and any handler's return */
	ALLOW(rt_sigaction), ALLOW(rt_sigprocmask), ALLOW(rt_sigreturn),
};

/* libseccomp 2.5 exports to an fd only: a memfd, read back into memory */
static int export(scmp_filter_ctx ctx, struct sandbox_child *c)
{
	int fd = memfd_create("vmm-child-filter", MFD_CLOEXEC);
	off_t size;

	if (fd < 0)
		return -errno;
	int e = seccomp_export_bpf(ctx, fd);

	if (!e && (size = lseek(fd, 0, SEEK_END)) > 0 &&
	    size % sizeof(struct sock_filter) == 0 && size / sizeof(struct sock_filter) <= BPF_MAXINSNS) {
		c->prog.filter = malloc((size_t)size);
		c->prog.len = (unsigned short)(size / sizeof(struct sock_filter));
		if (!c->prog.filter || pread(fd, c->prog.filter, (size_t)size, 0) != size)
			e = -EIO;
	} else if (!e) {
		e = -EINVAL;
	}
	close(fd);
	return e;
}

int sandbox_child_prepare(struct sandbox_child *c)
{
	return sandbox_child_prepare_with(c, NULL, 0);
}

int sandbox_child_prepare_with(struct sandbox_child *c, const struct rule *extra,
			       size_t n)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int e = -1;

	memset(c, 0, sizeof(*c));
	if (!ctx) {
		fprintf(stderr, "vmm: sandbox: seccomp_init failed\n");
		return -1;
	}
	if (!sandbox_add_rules(ctx, child_rules,
			       sizeof(child_rules) / sizeof(child_rules[0]), NULL) &&
	    !sandbox_add_rules(ctx, extra, n, NULL) &&
	    !sandbox_add_rules(ctx, sandbox_sanitizer_rules,
			       sandbox_n_sanitizer_rules, NULL) &&
	    !sandbox_add_rules(ctx, sandbox_sanitizer_child_rules,
			       sandbox_n_sanitizer_child_rules, NULL)) {
		e = export(ctx, c);
		if (e)
			fprintf(stderr, "vmm: sandbox: a helper's filter: %s\n",
				strerror(-e));
	}
	seccomp_release(ctx);
	if (e)
		sandbox_child_release(c);
	return e ? -1 : 0;
}

int sandbox_child_enter(const struct sandbox_child *c)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &c->prog) < 0 ? -1 : 0;
}

void sandbox_child_release(struct sandbox_child *c)
{
	free(c->prog.filter);
	memset(c, 0, sizeof(*c));
}
