/* SPDX-License-Identifier: MIT */
/*
 * A small JSON writer for --stats and the asciicast recorder: members are
 * written as they come, commas and escaping are its business.  Keys must
 * be unique within an object; the callers make them so.
 */
#ifndef VMM_JSON_H
#define VMM_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 8

struct json {
	FILE *f;
	int depth;
	bool pretty;			/* newlines and indentation at depth 1 */
	bool first[JSON_MAX_DEPTH];	/* no member written yet at this depth */
};

void json_init(struct json *j, FILE *f, bool pretty);
/* key is NULL for the outermost value and for array elements */
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_double(struct json *j, const char *key, double v, int decimals);
void json_str(struct json *j, const char *key, const char *s);
/* n bytes of s, which may hold NULs or invalid UTF-8 (escaped as \u00XX) */
void json_strn(struct json *j, const char *key, const char *s, size_t n);

/* A JSON string literal (with quotes) for s[0..n): the one escaper. */
void json_write_string(FILE *f, const char *s, size_t n);

#endif
