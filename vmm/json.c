// SPDX-License-Identifier: MIT
#include <inttypes.h>
#include <string.h>

#include "json.h"

void json_write_string(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);	/* UTF-8 passes through: JSON allows it */
	}
	fputc('"', f);
}

void json_init(struct json *j, FILE *f, bool pretty)
{
	*j = (struct json){ .f = f, .pretty = pretty };
	j->first[0] = true;
}

/* the comma, the indentation and the key before a member */
static void member(struct json *j, const char *key)
{
	bool first = j->first[j->depth];

	if (!first)
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (j->pretty && j->depth == 1)
		fputs("\n  ", j->f);
	else if (!first)
		fputc(' ', j->f);
	if (key) {
		json_write_string(j->f, key, strlen(key));
		fputs(": ", j->f);
	}
}

static void open_(struct json *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->f);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct json *j, char c)
{
	if (j->pretty && j->depth == 1)
		fputc('\n', j->f);
	if (j->depth > 0)
		j->depth--;
	fputc(c, j->f);
	if (j->depth == 0 && j->pretty)
		fputc('\n', j->f);
}

void json_object_begin(struct json *j, const char *key)
{
	open_(j, key, '{');
}

void json_object_end(struct json *j)
{
	close_(j, '}');
}

void json_array_begin(struct json *j, const char *key)
{
	open_(j, key, '[');
}

void json_array_end(struct json *j)
{
	close_(j, ']');
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void json_i64(struct json *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void json_double(struct json *j, const char *key, double v, int decimals)
{
	member(j, key);
	fprintf(j->f, "%.*f", decimals, v);
}

void json_strn(struct json *j, const char *key, const char *s, size_t n)
{
	member(j, key);
	json_write_string(j->f, s, n);
}

void json_str(struct json *j, const char *key, const char *s)
{
	json_strn(j, key, s ? s : "", s ? strlen(s) : 0);
}
