// SPDX-License-Identifier: MIT
/*
 * runwrap OUT -- COMMAND [ARGS...]: runs COMMAND and writes one line to OUT:
 *   spawn_ns=T end_ns=T status=S maxrss_kb=K utime_us=U stime_us=S
 * spawn_ns is CLOCK_MONOTONIC just before fork(), end_ns just after the
 * child was reaped, so they compare with the monotonic_ns fields of the
 * vmm --stats file.  Peak RSS and CPU times come from wait4()'s rusage:
 * the child's own, not this wrapper's.  COMMAND's stdio is inherited.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static long long tv_us(struct timeval tv)
{
	return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

int main(int argc, char **argv)
{
	if (argc < 4 || strcmp(argv[2], "--")) {
		fprintf(stderr, "usage: runwrap OUT -- COMMAND [ARGS...]\n");
		return 2;
	}
	FILE *out = fopen(argv[1], "w");

	if (!out) {
		fprintf(stderr, "runwrap: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	uint64_t t0 = mono_ns();
	pid_t pid = fork();

	if (pid < 0) {
		perror("runwrap: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		fprintf(stderr, "runwrap: %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	int st;
	struct rusage ru;

	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("runwrap: wait4");
			return 2;
		}
	uint64_t t1 = mono_ns();
	int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);

	fprintf(out, "spawn_ns=%llu end_ns=%llu status=%d maxrss_kb=%ld utime_us=%lld stime_us=%lld\n",
		(unsigned long long)t0, (unsigned long long)t1, status, ru.ru_maxrss,
		tv_us(ru.ru_utime), tv_us(ru.ru_stime));
	fclose(out);
	return status;
}
