/* SPDX-License-Identifier: MIT */
/*
 * Migration's connections: a child forked before vmm's threads and filter
 * connects a new socket to a unix: target the scripts or Ctrl-A m named
 * (vm->snap->sock[]), once each, and hands it back.  seccomp cannot read
 * a connect()'s path; this way vmm needs no connect() at all.
 */
#ifndef VMM_SOCK_BROKER_H
#define VMM_SOCK_BROKER_H

#include <stdbool.h>

struct vm;

/* Forks the broker when there are unix: targets (confined: under its own filter). */
int broker_start(struct vm *vm, bool confined);
/* A socket connected to target i's path; -1 with errno. */
int broker_connect(struct vm *vm, int i);

#endif
