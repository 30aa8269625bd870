/* SPDX-License-Identifier: MIT */
/*
 * The seccomp sandbox: once every file is open, guest RAM is mapped and
 * every thread exists, the VMM gives up every system call the running VM
 * does not need.  A guest that takes over a device model then holds a
 * process that can only do KVM ioctls on its own fds, read and write fds
 * it already has, and exit.
 */
#ifndef VMM_SANDBOX_H
#define VMM_SANDBOX_H

struct vm;

/*
 * Sets no_new_privs and installs the allowlist on every thread of the
 * process (TSYNC).  Anything else kills the whole process with SIGSYS.
 * Returns 0, or -1 after one line on stderr.
 *
 * Debugging aids, read from the environment before the filter goes in:
 *   VMM_SANDBOX_TRAP=1      print the number of a refused system call on
 *                           stderr before dying (instead of a bare SIGSYS)
 *   VMM_SANDBOX_SELFTEST=1  call socket() right after installing: the
 *                           test suite checks that this kills the process
 */
int sandbox_install(const struct vm *vm);

#endif
