// SPDX-License-Identifier: MIT
/*
 * Destroying a VM with the in-kernel irqchip takes KVM 7-15 ms here (one
 * SRCU grace period per device it unregisters), and a process does that
 * when it exits, after the guest is done.  A child holding the VM's file
 * descriptors lets vmm itself exit at once: when our end of the pipe
 * closes (we exited, however), the child drops the VM and goes too.
 * Guest RAM is not inherited (MADV_DONTFORK), so nothing is copied.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "reaper.h"
#include "vm.h"

/* Closes every descriptor but the sorted keepers (async-signal-safe). */
static void close_all_but(int *keep, int n)
{
	unsigned int lo = 0;

	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (keep[j] < keep[i]) {
				int t = keep[i];

				keep[i] = keep[j];
				keep[j] = t;
			}
	for (int i = 0; i < n; i++) {
		if ((unsigned int)keep[i] > lo)
			close_range(lo, (unsigned int)keep[i] - 1, 0);
		lo = (unsigned int)keep[i] + 1;
	}
	close_range(lo, ~0u, 0);
}

/* The child: only async-signal-safe calls (the parent may have threads). */
static void __attribute__((noreturn)) reaper_main(struct vm *vm, int rd,
						  const struct reaper_hooks *h)
{
	int keep[] = { rd, vm->vm_fd, vm->vcpu_fd };
	char c;

	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	close_all_but(keep, 3);
	if (h && h->enter && h->enter(h->opaque))
		_exit(1);
	while (read(rd, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

int reaper_start(struct vm *vm, const struct reaper_hooks *h)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();

	if (pid == 0)
		reaper_main(vm, p[0], h);
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return -1;
	}
	/* p[1] stays open until vmm exits: its close is the child's signal */
	return 0;
}
