// SPDX-License-Identifier: MIT
/*
 * The teardown helper's filter (sandbox_child_*): a child that waits on its
 * pipe, closes fds and exits runs under it (Seccomp: 2) and exits 0; any
 * other call kills it with SIGSYS.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../vmm/sandbox.h"
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

int main(void)
{
	RUN(helper_runs_filtered);
	RUN(helper_killed_on_other_calls);
	UNIT_EXIT();
}
