/* SPDX-License-Identifier: MIT */
/*
 * Live migration between two vmm processes on one machine, over a UNIX
 * socket, in the snapshot stream format (vmm/snapshot/stream.h):
 *
 *	source                                destination (vmm --incoming)
 *	header, config ---------------------> sets the machine up from them
 *	RAM: every page with data, while the guest runs
 *	                       <------------- 'R': its machine is built
 *	RAM: the pages dirtied meanwhile, pass after pass (vmm/snapshot/live_copy.h)
 *	guest paused; disks flushed
 *	RAM: the last dirty pages; disks, devices, vCPU, machine, end ------->
 *	                                      applies them, runs the vCPU
 *	exits with VMM_EXIT_MIGRATED <------- "VMM-RUN" and its first KVM_RUN time
 *
 * If anything fails before the destination says it runs, the source's
 * guest goes on as if nothing happened.  No TCP: moving a VM between hosts
 * (and its disks) is an orchestrator's business; a script that has a
 * connected socket can pass it as fd:N.
 */
#ifndef VMM_MIGRATE_H
#define VMM_MIGRATE_H

#include <stddef.h>
#include <stdint.h>

#include "live_copy.h"

struct vm;
struct json;
struct snap_image;
struct snap_reader;

/* how long the source waits for the destination to run */
#define MIGRATE_ACK_MS		30000

/*
 * Set-up, before the sandbox: one later migration to target ("unix:PATH",
 * which the broker connects, vmm/sock_broker.h; or "fd:N").  0, or -1
 * after a line on stderr.
 */
int migrate_prepare(struct vm *vm, const char *target);
/* How many were named (a VM that can migrate gets KVM's dirty log). */
int migrate_targets(const struct vm *vm);

/*
 * The main thread: migrates the running VM to target.  0 when the
 * destination runs it (this VM then stops with VMM_EXIT_MIGRATED), -1 when
 * it goes on here; msg says what happened.
 */
int migrate_out(struct vm *vm, const char *target, char *msg, size_t msglen);

/*
 * The destination, before anything is set up: waits for a source on spec
 * ("unix:PATH": listens there; "fd:N": a listening or connected socket)
 * and reads the header and config into im.  0, or -1 after a line.
 * Throughout the stream, a stop signal on stop_fd (the signalfd) ends the
 * wait (im->stop_signo), and so does a sender silent for idle_ms.
 */
int migrate_accept(struct snap_image *im, const char *spec, int *fd, int stop_fd,
		   int idle_ms);
/*
 * The rest of the stream into the machine (RAM as it comes), bounded: at
 * most the sender's own LIVE_MAX_PASSES passes (and the last) over every
 * page of RAM, and each other section once.
 */
int migrate_receive(struct snap_image *im, struct vm *vm, int fd);
/* Once the vCPU runs: tells the source, and closes fd. */
void migrate_confirm(struct vm *vm, int fd);

void migrate_stats(const struct vm *vm, struct json *j);

#endif
