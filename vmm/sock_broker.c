// SPDX-License-Identifier: MIT
/*
 * Migration's connections, made by a broker (see sock_broker.h).  seccomp
 * cannot read the path a connect() names, so sockets made before vmm's
 * filter could be connected to any listening socket on the machine.  The
 * broker is a child forked before vmm has threads; it knows the unix:
 * targets the scripts and Ctrl-A m named, and for a target's index, once,
 * connects a new socket to exactly that path and hands it back with
 * SCM_RIGHTS.  vmm then needs neither socket() nor connect().
 *
 * Request: one byte, the index.  Reply: an int, 0 or the errno of the
 * connect, with the socket attached when 0.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sandbox.h"
#include "sandbox_rules.h"
#include "snapshot/snapshot.h"
#include "sock_broker.h"
#include "vm.h"

/* what the broker does, and nothing else */
static const struct rule broker_rules[] = {
	ALLOW(read), ALLOW(sendmsg), ALLOW(close), ALLOW(connect),
	ALLOW_IF(socket, 0, 0xffffffffu, AF_UNIX),
	ALLOW(exit), ALLOW(exit_group), ALLOW(restart_syscall),
	ALLOW(rt_sigaction), ALLOW(rt_sigprocmask), ALLOW(rt_sigreturn),
};

static int reply(int fd, int err, int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &err, sizeof(err) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (!err) {
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);

		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(h), &sock, sizeof(int));
	}
	return sendmsg(fd, &m, MSG_NOSIGNAL) == (ssize_t)sizeof(err) ? 0 : -1;
}

/* One connection to target i's path; its errno, or 0 with *sock. */
static int connect_target(const struct snap_ctl *c, uint8_t i, bool *used, int *sock)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const char *t = i < c->mig.nsock ? c->mig.sock[i].target : "";

	if (i >= c->mig.nsock || used[i] || strncmp(t, "unix:", 5) ||
	    strlen(t + 5) >= sizeof(a.sun_path))
		return EPERM;
	used[i] = true;
	memcpy(a.sun_path, t + 5, strlen(t + 5) + 1);
	*sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*sock < 0)
		return errno;
	if (connect(*sock, (struct sockaddr *)&a, sizeof(a)) == 0)
		return 0;
	int e = errno;

	close(*sock);
	return e;
}

static void __attribute__((noreturn)) broker_main(const struct snap_ctl *c, int fd,
						  const struct sandbox_child *f)
{
	bool used[SNAP_MAX_SOCKETS] = { false };
	uint8_t i;

	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	/* vmm's fds (KVM, disks, folders) are none of its business */
	if (fd > 0)
		close_range(0, (unsigned int)fd - 1, 0);
	close_range((unsigned int)fd + 1, ~0u, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (f && sandbox_child_enter(f))
		_exit(1);
	while (read(fd, &i, 1) == 1) {
		int sock = -1, e = connect_target(c, i, used, &sock);

		if (reply(fd, e, sock))
			break;
		if (!e)
			close(sock);
	}
	_exit(0);
}

int broker_start(struct vm *vm, bool confined)
{
	struct snap_ctl *c = vm->snap;
	struct sandbox_child f;
	int sv[2], unix_targets = 0;

	for (int i = 0; c && i < c->mig.nsock; i++)
		unix_targets += !strncmp(c->mig.sock[i].target, "unix:", 5);
	if (!unix_targets)
		return 0;
	if (confined && sandbox_child_prepare_with(&f, broker_rules,
						   sizeof(broker_rules) / sizeof(broker_rules[0])))
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("vmm: migration broker");
		if (confined)
			sandbox_child_release(&f);
		return -1;
	}
	pid_t pid = fork();

	if (pid == 0)
		broker_main(c, sv[1], confined ? &f : NULL);
	close(sv[1]);
	if (confined)
		sandbox_child_release(&f);
	if (pid < 0) {
		perror("vmm: migration broker");
		close(sv[0]);
		return -1;
	}
	c->mig.broker_fd = sv[0];
	return 0;
}

int broker_connect(struct vm *vm, int i)
{
	const struct snap_ctl *c = vm->snap;
	uint8_t req = (uint8_t)i;
	int err = EIO, fd = -1;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &err, sizeof(err) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };

	if (c->mig.broker_fd < 0 || write(c->mig.broker_fd, &req, 1) != 1 ||
	    recvmsg(c->mig.broker_fd, &m, MSG_CMSG_CLOEXEC) != (ssize_t)sizeof(err)) {
		errno = EIO;
		return -1;
	}
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);

	if (!err && h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(h), sizeof(int));
	if (fd < 0)
		errno = err ? err : EIO;
	return fd;
}
