// SPDX-License-Identifier: MIT
/*
 * hostwrite FILE SECTORS CHUNK_SECTORS CACHE: the host's own limit.
 * Writes SECTORS * 512 bytes to FILE (an existing file, or a new one)
 * sequentially from offset 0 with pwrite() of CHUNK_SECTORS at a time,
 * opened the way the VMM opens a disk image for that cache mode:
 *   writeback    page cache
 *   writethrough O_DSYNC
 *   none         O_DIRECT from an aligned buffer
 *   unsafe       page cache
 * No fsync at the end: the VMM fsyncs writeback images only on a guest
 * flush or at exit, outside the guest's timed phase, so neither side
 * counts it.  Add "+fsync" to the mode (writeback+fsync) to count it.
 * and prints: BENCH hostwrite cache=C sectors=N chunk=K seconds=S mb_s=R
 * The buffer is filled once, as the benchmark guests do.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: hostwrite FILE SECTORS CHUNK_SECTORS writeback|writethrough|none|unsafe[+fsync]\n");
		return 2;
	}
	char *e1, *e2;
	unsigned long long sectors = strtoull(argv[2], &e1, 10);
	unsigned long chunk = strtoul(argv[3], &e2, 10);
	const char *cache = argv[4];
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
	int sync_end = 0;
	char mode[32];
	char *plus;

	if (*e1 || *e2 || !chunk || chunk > 65536) {
		fprintf(stderr, "hostwrite: bad SECTORS or CHUNK_SECTORS\n");
		return 2;
	}
	snprintf(mode, sizeof(mode), "%s", cache);
	if ((plus = strchr(mode, '+')) && !strcmp(plus, "+fsync")) {
		*plus = 0;
		sync_end = 1;
	}
	if (!strcmp(mode, "writethrough")) {
		flags |= O_DSYNC;
	} else if (!strcmp(mode, "none")) {
		flags |= O_DIRECT;
	} else if (strcmp(mode, "writeback") && strcmp(mode, "unsafe")) {
		fprintf(stderr, "hostwrite: unknown cache mode '%s'\n", cache);
		return 2;
	}
	int fd = open(argv[1], flags, 0644);

	if (fd < 0) {
		fprintf(stderr, "hostwrite: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	size_t len = chunk * 512;
	void *buf;

	if (posix_memalign(&buf, 4096, len)) {
		fprintf(stderr, "hostwrite: out of memory\n");
		return 1;
	}
	memset(buf, 0x5a, len);
	double t0 = now();

	for (unsigned long long s = 0; s < sectors; s += chunk) {
		size_t n = sectors - s < chunk ? (sectors - s) * 512 : len;

		if (pwrite(fd, buf, n, (off_t)(s * 512)) != (ssize_t)n) {
			fprintf(stderr, "hostwrite: pwrite at sector %llu: %s\n", s,
				strerror(errno));
			return 1;
		}
	}
	if (sync_end && fsync(fd)) {
		fprintf(stderr, "hostwrite: fsync: %s\n", strerror(errno));
		return 1;
	}
	double t = now() - t0;

	close(fd);
	free(buf);
	printf("BENCH hostwrite cache=%s sectors=%llu chunk=%lu seconds=%.6f mb_s=%.1f\n",
	       cache, sectors, chunk, t, t > 0 ? sectors * 512 / t / 1e6 : 0);
	return 0;
}
