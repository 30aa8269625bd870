// SPDX-License-Identifier: MIT
/*
 * The first wall, by path (Landlock): seccomp sees a directory fd and a
 * pointer, never the path, so openat(dirfd, "/elsewhere", O_CREAT) or
 * renameat(dirfd, "../x", ...) passed its snapshot rules.  Landlock
 * checks the path the kernel resolves: from here on vmm may create,
 * write, rename, link or remove files only beneath the snapshot folders
 * (and write the few files named to it).  Reading is left to seccomp,
 * which allows no open() at all once the VM runs.
 *
 * A Landlock domain covers the thread that enters it and the threads and
 * processes it creates later (there is no TSYNC for it, as for seccomp),
 * so main.c enters it before creating any.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox.h"
#include "snapshot/snapshot.h"
#include "vm.h"

/* Debian 12's headers stop at ABI 2; the kernel takes the newer values */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif
#define SCOPE_ABSTRACT_UNIX_SOCKET	(1ULL << 0)

/* struct landlock_ruleset_attr as of ABI 6: a larger struct, zero-filled, is accepted */
struct ruleset_attr {
	uint64_t handled_access_fs, handled_access_net, scoped;
};

#define WRITES_V1 (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | \
		   LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR | \
		   LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | \
		   LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | \
		   LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM)
/* what a save does in its folder: a new file written, renamed, linked, removed */
#define SAVE_ACCESS (LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
		     LANDLOCK_ACCESS_FS_WRITE_FILE)

static int allow(int ruleset, int fd, uint64_t access)
{
	struct landlock_path_beneath_attr pb = { .allowed_access = access, .parent_fd = fd };

	return (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
}

/* The rules: every snapshot folder, and each file (created as its writer would). */
static int add_rules(int ruleset, const struct vm *vm, const char *const *files,
		     int nfiles, uint64_t truncate)
{
	int fds[SNAP_MAX_DIRS], n = snap_dir_fds(vm, fds, SNAP_MAX_DIRS);

	for (int i = 0; i < n; i++)
		if (allow(ruleset, fds[i], SAVE_ACCESS | truncate))
			return -1;
	/* --stats FILE: its temporary file, renamed over it at exit */
	if (vm->stats_dirfd >= 0 && allow(ruleset, vm->stats_dirfd, SAVE_ACCESS | truncate))
		return -1;
	for (int i = 0; i < nfiles; i++) {
		int fd = open(files[i], O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_CLOEXEC,
			      0644);

		if (fd < 0 || allow(ruleset, fd, LANDLOCK_ACCESS_FS_WRITE_FILE | truncate)) {
			int e = errno;

			if (fd >= 0)
				close(fd);
			errno = e;
			fprintf(stderr, "vmm: sandbox: %s: %s\n", files[i], strerror(errno));
			return -1;
		}
		close(fd);
	}
	return 0;
}

int sandbox_paths(const struct vm *vm, const char *const *files, int nfiles, bool verbose)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
			   LANDLOCK_CREATE_RULESET_VERSION);

	if (abi < 1) {
		/* an older kernel, or Landlock left out of the LSMs it boots */
		if (verbose)
			fprintf(stderr, "vmm: sandbox: no Landlock here (%s): files are "
				"confined by seccomp alone\n", strerror(errno));
		return 0;
	}
	uint64_t truncate = abi >= 3 ? LANDLOCK_ACCESS_FS_TRUNCATE : 0;
	struct ruleset_attr attr = {
		.handled_access_fs = WRITES_V1 | (abi >= 2 ? LANDLOCK_ACCESS_FS_REFER : 0) |
				     truncate,
		/* no connecting to abstract sockets, which have no path to confine */
		.scoped = abi >= 6 ? SCOPE_ABSTRACT_UNIX_SOCKET : 0,
	};
	int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);

	if (ruleset < 0) {
		fprintf(stderr, "vmm: sandbox: Landlock: %s\n", strerror(errno));
		return -1;
	}
	int r = add_rules(ruleset, vm, files, nfiles, truncate);

	/* no set-uid or file-capability gain from here on (Landlock needs it) */
	if (!r && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		   syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)) {
		fprintf(stderr, "vmm: sandbox: Landlock: %s\n", strerror(errno));
		r = -1;
	}
	close(ruleset);
	if (!r && verbose)
		fprintf(stderr, "vmm: sandbox: Landlock ABI %ld: files are written only "
			"beneath the snapshot folders\n", abi);
	return r;
}
