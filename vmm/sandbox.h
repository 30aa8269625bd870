/* SPDX-License-Identifier: MIT */
/*
 * The seccomp sandbox: once every file is open, guest RAM is mapped and
 * every thread exists, the VMM gives up every system call the running VM
 * does not need.  A guest that takes over a device model then holds a
 * process that can only do KVM ioctls on its own fds, read and write fds
 * it already has, signal its own threads, and exit.
 */
#ifndef VMM_SANDBOX_H
#define VMM_SANDBOX_H

#include <linux/filter.h>
#include <stdbool.h>

struct vm;

/*
 * Sets no_new_privs and installs the allowlist on every thread of the
 * process (TSYNC).  Anything else kills the whole process with SIGSYS.
 * Returns 0, or -1 after one line on stderr.
 *
 * Debugging aids, read from the environment before the filter goes in:
 *   VMM_SANDBOX_TRAP=1      print the number of a refused system call on
 *                           stderr before dying (instead of a bare SIGSYS)
 *   VMM_SANDBOX_SELFTEST=NAME  make one call right after installing
 *                           (vmm/sandbox_selftest.c: socket, tgkill,
 *                           mmap-exec, stat-path, dirty-log, ...): the test
 *                           suite checks the real filter refuses it
 *
 * features: calls only a feature needs, off unless asked for.  A feature
 * that needs one for a while (a migration reading dirty pages) installs
 * with it and revokes it when done: filters stack, so a revoked call stays
 * refused.
 */
enum sandbox_feature {
	SANDBOX_DIRTY_LOG = 1 << 0,	/* KVM_GET_DIRTY_LOG on the VM fd */
};
int sandbox_install_with(const struct vm *vm, unsigned int features);
int sandbox_revoke(const struct vm *vm, unsigned int features);

/*
 * The first wall, entered before vmm creates any thread (vmm/sandbox_paths.c):
 * with Landlock, no file may be created, written, renamed, linked or
 * removed but beneath the snapshot folders (vm->snap) and the files named
 * (created now if need be, as a log is).  Where Landlock is absent, 0 and
 * (verbose) a line saying so.  0, or -1 after a line on stderr.
 */
int sandbox_paths(const struct vm *vm, const char *const *files, int nfiles, bool verbose);

/*
 * The teardown helper (a child that holds the VM's fds so that destroying
 * the VM happens after vmm exits) runs under its own filter: read its
 * pipe, close fds, set signal dispositions, exit.
 *   sandbox_child_prepare()  before fork: builds the BPF program (0, or -1
 *                            after a line on stderr)
 *   sandbox_child_enter()    in the child right after fork: no_new_privs
 *                            and the filter, async-signal-safe; -1 if the
 *                            kernel refused (the child should _exit)
 *   sandbox_child_release()  in the parent after fork
 */
struct sandbox_child {
	struct sock_fprog prog;
};
int sandbox_child_prepare(struct sandbox_child *c);
int sandbox_child_enter(const struct sandbox_child *c);
void sandbox_child_release(struct sandbox_child *c);

#endif
