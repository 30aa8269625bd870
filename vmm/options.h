/* SPDX-License-Identifier: MIT */
/* The command line, parsed and checked before anything else happens. */
#ifndef VMM_OPTIONS_H
#define VMM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#define OPTIONS_MAX_OVERRIDES 32
/* --incoming-timeout's default: a source sends its passes without pause */
#define OPTIONS_INCOMING_TIMEOUT_S 30

struct options {
	const char *config;
	bool headless;
	double timeout;			/* seconds, 0 = none */
	const char *stats;
	const char *keys, *keys_file;
	const char *record;
	uint64_t record_max;		/* bytes; 0 = the recorder's default */
	const char *dump;		/* "text", "ansi" or "none" */
	int verbose;
	const char *create_image, *size;
	bool no_sandbox;
	bool exit_on_halt;		/* the UI closes when the guest ends */
	char *boot;			/* --boot FILE, as the override "boot=/abs/FILE" */
	char *kernel;			/* --kernel FILE: "linux.kernel=/abs/FILE"; --initrd, */
	char *initrd, *append;		/* --append: "linux.initrd=...", "cmdline=..." */
	char cwd[4096];
	const char *restore;		/* --restore FILE: a snapshot instead of -c */
	bool restore_force_disk;	/* restore even if a disk image changed */
	const char *incoming;		/* --incoming unix:PATH|fd:N: a migrating VM */
	double incoming_timeout;	/* seconds a connected sender may be silent */
	char *overrides[OPTIONS_MAX_OVERRIDES];
	int n_overrides;
};

/*
 * Fills o from argv.  Returns 0, or -1 after a message on stderr (exit
 * status 2); --help and --version print and exit 0 themselves.
 */
int options_parse(int argc, char **argv, struct options *o);

#endif
