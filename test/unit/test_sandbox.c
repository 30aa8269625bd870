// SPDX-License-Identifier: MIT
/*
 * The teardown helper's filter (sandbox_child_*): a child that waits on its
 * pipe, closes fds and exits runs under it (Seccomp: 2) and exits 0; any
 * other call kills it with SIGSYS.  And the one call a feature may add to
 * vmm's own filter for a while (sandbox_install_with, sandbox_revoke).
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../vmm/sandbox.h"
#include "../../vmm/vm.h"
#include "../unit.h"

/* Seccomp mode of pid as /proc shows it; polls until it is 2 or 5 s pass. */
static int seccomp_mode(pid_t pid)
{
	char path[64], line[128];
	int mode = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	for (int i = 0; i < 5000 && mode != 2; i++) {
		FILE *f = fopen(path, "r");

		while (f && fgets(line, sizeof(line), f))
			sscanf(line, "Seccomp: %d", &mode);
		if (f)
			fclose(f);
		if (mode != 2)
			nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	return mode;
}

/* What vmm's teardown helper does after fork. */
static void helper(const struct sandbox_child *c, int rfd, bool misbehave)
{
	char b;

	if (sandbox_child_enter(c))
		_exit(3);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	if (misbehave)
		socket(AF_INET, SOCK_STREAM, 0);
	close_range(rfd + 1, ~0u, 0);
	while (read(rfd, &b, 1) < 0)
		;
	_exit(0);
}

static pid_t start(const struct sandbox_child *c, int p[2], bool misbehave)
{
	if (pipe(p))
		return -1;
	pid_t pid = fork();

	if (pid == 0) {
		close(p[1]);
		helper(c, p[0], misbehave);
	}
	close(p[0]);
	return pid;
}

static void helper_runs_filtered(void)
{
	struct sandbox_child c;
	int p[2], status = -1;

	EXPECT_EQ(sandbox_child_prepare(&c), 0);
	EXPECT(c.prog.len > 0 && c.prog.filter);
	pid_t pid = start(&c, p, false);

	sandbox_child_release(&c);
	EXPECT(pid > 0);
	EXPECT_EQ(seccomp_mode(pid), 2);
	close(p[1]);
	EXPECT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

static void helper_killed_on_other_calls(void)
{
	struct sandbox_child c;
	int p[2], status = -1;

	EXPECT_EQ(sandbox_child_prepare(&c), 0);
	pid_t pid = start(&c, p, true);

	sandbox_child_release(&c);
	EXPECT_EQ(waitpid(pid, &status, 0), pid);
	close(p[1]);
	EXPECT(WIFSIGNALED(status));
	EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

/*
 * KVM_GET_DIRTY_LOG: refused unless a feature asks for it, and refused
 * again once the feature revokes it.  The child reports each call it
 * survived with one byte on a pipe.
 */
static int dirty_log_child(unsigned int features, bool revoke, int *survived)
{
	int p[2], status = -1;
	char c;

	if (pipe(p))
		return -1;
	pid_t pid = fork();

	if (pid == 0) {
		struct vm vm = { .vm_fd = open("/dev/null", O_RDONLY), .vcpu_fd = -1 };
		struct kvm_dirty_log log = { 0 };

		close(p[0]);
		if (sandbox_install_with(&vm, features))
			_exit(3);
		ioctl(vm.vm_fd, KVM_GET_DIRTY_LOG, &log);
		if (write(p[1], "a", 1) != 1 || (revoke && sandbox_revoke(&vm, features)))
			_exit(4);
		ioctl(vm.vm_fd, KVM_GET_DIRTY_LOG, &log);
		if (write(p[1], "b", 1) != 1)
			_exit(5);
		_exit(0);
	}
	close(p[1]);
	*survived = 0;
	while (read(p[0], &c, 1) == 1)
		(*survived)++;
	close(p[0]);
	waitpid(pid, &status, 0);
	return status;
}

static void dirty_log_only_for_a_feature(void)
{
	int n, st;

	st = dirty_log_child(0, false, &n);
	EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	EXPECT_EQ(n, 0);
	st = dirty_log_child(SANDBOX_DIRTY_LOG, false, &n);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_EQ(n, 2);
	st = dirty_log_child(SANDBOX_DIRTY_LOG, true, &n);
	EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	EXPECT_EQ(n, 1);
}

int main(void)
{
	RUN(helper_runs_filtered);
	RUN(helper_killed_on_other_calls);
	RUN(dirty_log_only_for_a_feature);
	UNIT_EXIT();
}
