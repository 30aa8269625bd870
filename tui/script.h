/* SPDX-License-Identifier: MIT */
/*
 * Scripted input for headless runs: --keys 'text' and --keys-file FILE.
 *   text          typed as is, after C escapes (\n \r \t \e \\ \xHH \NNN \{)
 *   {Name}        a named key (see keymap_named): {Up}, {F1}, {Ctrl-c}
 *   {wait:MS}     a pause of MS milliseconds
 *   {until:TEXT}  wait until TEXT shows on the guest's screen
 *   {save:FILE}   a snapshot of the VM to FILE (vmm/snapshot/snapshot.h); the VM goes on
 *   {save-and-quit:FILE}  the same, then the VM stops (status 0)
 *   {migrate:unix:PATH}   live migration to a vmm --incoming there (vmm/snapshot/snapshot.h)
 *   {{            a literal '{'
 */
#ifndef TUI_SCRIPT_H
#define TUI_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "keymap.h"

enum step_kind { STEP_TEXT, STEP_KEY, STEP_WAIT, STEP_UNTIL, STEP_SAVE, STEP_MIGRATE };

struct step {
	enum step_kind kind;
	/* STEP_TEXT bytes, STEP_UNTIL text, STEP_SAVE file, STEP_MIGRATE target (NUL-ended) */
	char *text;
	size_t len;
	struct km_key key;
	unsigned int ms;
	bool quit;		/* STEP_SAVE: {save-and-quit:} */
};

struct script {
	struct step *steps;
	size_t n;
};

/* 0, or -1 with a one-line reason in err. */
int script_parse(const char *src, size_t len, struct script *s, char *err,
		 size_t errlen);
void script_free(struct script *s);

#endif
