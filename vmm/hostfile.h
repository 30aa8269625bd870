/* SPDX-License-Identifier: MIT */
#ifndef VMM_HOSTFILE_H
#define VMM_HOSTFILE_H

#include <signal.h>
#include <stddef.h>

/*
 * Reads the first *len bytes of fd (from offset 0) into anonymous memory,
 * for a file that cannot be mapped, or must not change under vmm once
 * checked.  *len becomes the bytes read: fewer when the file shrank
 * meanwhile, and munmap(*mem, *len) then frees it all (*mem is NULL when
 * nothing was read).  -1 with errno set when no memory could be had.
 */
int hostfile_copy(int fd, size_t *len, void **mem);

/*
 * From now on SIGBUS, a read of a mapped file past its shrunk end, ends
 * vmm with status and line (with its newline) on stderr, not a crash.
 * Calling again changes the line and status.  *before (if not NULL)
 * receives the disposition replaced.
 */
void hostfile_sigbus_exits(const char *line, int status, struct sigaction *before);

#endif
