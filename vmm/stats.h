/* SPDX-License-Identifier: MIT */
/*
 * Counters for --stats and the status line.  Each counter has one writer
 * at a time (the vCPU thread, or whoever holds the VM's io_lock), so a
 * relaxed load and store is enough; readers on other threads see a value
 * that is at most a little stale, never torn.
 */
#ifndef VMM_STATS_H
#define VMM_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>


#define STAT_ADD(x, n) \
	__atomic_store_n(&(x), __atomic_load_n(&(x), __ATOMIC_RELAXED) + (n), \
			 __ATOMIC_RELAXED)
#define STAT_INC(x) STAT_ADD(x, 1)
#define STAT_GET(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

#define STATS_EXIT_REASONS 64
#define STATS_STEPS 64

struct vm_stats {
	uint64_t exits;				/* KVM_RUN returns the guest caused */
	uint64_t exit_reason[STATS_EXIT_REASONS];
	uint64_t io_elements;			/* string I/O counts as many */
	uint64_t coalesced_drained;		/* ring entries replayed */
	uint64_t coalesced_drains;
	uint64_t kicks;				/* signals that interrupted KVM_RUN */
	uint64_t emulated;			/* IRET/INT n finished by vmm/emulate.c */
	uint64_t sectors_read, sectors_written, flushes;
	uint64_t frames;			/* UI refreshes that drew something */
	/* CLOCK_MONOTONIC ns around the first KVM_RUN, for bench/ start-up times */
	uint64_t first_run_ns, first_exit_ns;
	/*
	 * --keys steps as they ended (a key handed to the device, an {until:}
	 * met), written by the input thread, read once it has stopped: bench/
	 * times a key to the screen it caused, and counts the exits between.
	 */
	struct stats_step {
		char kind;			/* 'k' key or text, 'u' until, 'w' wait, 's' save... */
		uint64_t ns, exits, kicks;
	} steps[STATS_STEPS];
	unsigned int n_steps;
};

/* One --keys step ended now (the first STATS_STEPS are kept). */
void stats_step(struct vm_stats *s, char kind);

struct vm;
void stats_write_json(const struct vm *vm, FILE *f);
/*
 * A VM that never ran (set-up failed): the same head as stats_write_json()
 * writes, "stop": {"by": "error"} (or "signal", by an enum vm_stop_by), so
 * a script reading .stop.by learns it.
 */
void stats_write_failed(FILE *f, const char *name, int status, int by,
			const char *note);

/*
 * --stats FILE appears whole or not at all: the JSON goes to a temporary
 * file in FILE's folder, which is then renamed over FILE.  The folder is
 * opened before the sandbox, which allows exactly that rename and unlink
 * there (vmm/sandbox.c).
 */
struct stats_file {
	FILE *f;			/* the temporary file; NULL: not open */
	int dirfd;			/* FILE's folder, -1 */
	bool done;			/* renamed into place */
	char name[256], tmp[256];
	const char *path;		/* as given, for messages */
};
/* 0, or -1 after a message; dirfd is -1 until then */
int stats_file_open(struct stats_file *sf, const char *path);
/* Closes the temporary file and renames it over FILE: 0, or -1 after a message. */
int stats_file_commit(struct stats_file *sf);
/* A temporary file never committed is removed; the folder is closed. */
void stats_file_close(struct stats_file *sf);
const char *stats_exit_name(unsigned int reason);

#endif
