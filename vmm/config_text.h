/* SPDX-License-Identifier: MIT */
#ifndef VMM_CONFIG_TEXT_H
#define VMM_CONFIG_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Config files are a few hundred bytes; anything this large is a mistake. */
#define CONFIG_TEXT_MAX	(1 << 20)

/* The whole file, NUL-terminated; NULL with errno set (EFBIG past the cap). */
char *config_text_read(const char *path, size_t *len);

/*
 * The integer literal after "name =" (or ":") whose name is on line: 1 and
 * its value in *out, 0 when there is none (an L suffix, a float...), -1 when
 * it needs more than 64 bits.  literal receives the text as written.
 */
int config_text_int(const char *text, size_t len, int line, const char *name,
		    long long *out, char *literal, size_t literal_size);

/*
 * The line of text's first @include (or of any '@' outside a string, which
 * libconfig may take for one), or 0: a saved config must have none.
 */
int config_text_include_line(const char *text, size_t len);

/*
 * Every @include in text, and theirs, must name a regular file (resolved as
 * libconfig does, against include_dir).  Prints "file:line: message", -1.
 */
int config_text_includes(const char *file, const char *text, size_t len,
			 const char *include_dir);

/* When line holds "a.b = ...", hint gets "; write it as a = { b = ... };", else "". */
void config_text_dotted_hint(const char *text, size_t len, int line,
			     char *hint, size_t size);

#endif
