// SPDX-License-Identifier: MIT
/* Guest and snapshot files, from the host's file systems. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hostfile.h"

int hostfile_copy(int fd, size_t *len, void **mem)
{
	size_t want = *len, got = 0, page = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *p = want ? mmap(NULL, want, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : NULL;

	if (p == MAP_FAILED)
		return -1;
	while (got < want) {
		ssize_t n = pread(fd, p + got, want - got, (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* shrunk meanwhile, or unreadable: the caller judges */
		got += (size_t)n;
	}
	/* only whole pages past the data go, so munmap(p, got) frees the rest */
	size_t keep = got ? (got + page - 1) / page * page : 0;

	if (keep < want)
		munmap(p + keep, want - keep);
	*mem = got ? p : NULL;
	*len = got;
	return 0;
}

/* Written by the thread that maps the files; read by the handler alone. */
static char sigbus_line[2 * PATH_MAX + 300];
static size_t sigbus_len;
static int sigbus_status;

static void on_sigbus(int sig)
{
	(void)sig;
	if (write(STDERR_FILENO, sigbus_line, sigbus_len) < 0)
		_exit(sigbus_status);
	_exit(sigbus_status);
}

void hostfile_sigbus_exits(const char *line, int status, struct sigaction *before)
{
	struct sigaction sa = { .sa_handler = on_sigbus };
	size_t n = strlen(line);

	if (n > sizeof(sigbus_line))
		n = sizeof(sigbus_line);
	memcpy(sigbus_line, line, n);
	if (n)
		sigbus_line[n - 1] = '\n';	/* one line, even cut short */
	sigbus_len = n;
	sigbus_status = status;
	sigaction(SIGBUS, &sa, before);
}
