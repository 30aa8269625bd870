// SPDX-License-Identifier: MIT
/*
 * What Debian's libconfig (1.5) does not tell the loader, read from the
 * config text itself: an integer as written (its scanner keeps only the low
 * 32 bits of 4294967360 or 0x100000002), the @include targets (it exits the
 * process when one is a directory) and the dotted key behind a bare
 * "syntax error".  A small scanner that knows libconfig's comments,
 * strings, names and numbers finds them.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_text.h"

#define INCLUDE_DEPTH	10	/* libconfig's own limit */
#define INCLUDE_FILES	64	/* a file included twice per level is 2^10 reads */

enum tok { T_END, T_NAME, T_INT, T_NUM, T_STRING, T_INCLUDE, T_PUNCT };

struct lex {
	const char *p, *end;
	int line;
	bool bol;		/* only blanks since the line began */
};

struct token {
	enum tok type;
	const char *s;		/* T_INCLUDE: the name between the quotes */
	size_t n;
	int line;
};

static bool is_name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*';
}

static bool is_name_char(int c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool starts(const struct lex *x, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(x->end - x->p) >= n && !memcmp(x->p, s, n);
}

/* Moves past c, counting lines. */
static void step(struct lex *x)
{
	if (*x->p == '\n') {
		x->line++;
		x->bol = true;
	} else if (*x->p != ' ' && *x->p != '\t' && *x->p != '\r' && *x->p != '\f') {
		x->bol = false;
	}
	x->p++;
}

static void skip_space(struct lex *x)
{
	while (x->p < x->end) {
		if (strchr(" \t\r\n\f", *x->p)) {
			step(x);
		} else if (*x->p == '#' || starts(x, "//")) {
			while (x->p < x->end && *x->p != '\n')
				x->p++;
		} else if (starts(x, "/*")) {
			x->p += 2;
			x->bol = false;
			while (x->p < x->end && !starts(x, "*/"))
				step(x);
			x->p = x->p < x->end ? x->p + 2 : x->end;
			x->bol = false;
		} else {
			break;
		}
	}
}

/* A quoted string from the opening quote; a backslash escapes the next byte. */
static void skip_string(struct lex *x)
{
	for (x->p++; x->p < x->end && *x->p != '"'; step(x))
		if (*x->p == '\\' && x->p + 1 < x->end)
			step(x);
	if (x->p < x->end)
		x->p++;
}

/* [-+]digits or 0xhex with nothing after it is an int; L suffixes, floats are not. */
static enum tok number_type(const char *s, size_t n)
{
	size_t i = (*s == '-' || *s == '+');

	if (n > i + 2 && s[i] == '0' && (s[i + 1] | 0x20) == 'x') {
		for (i += 2; i < n; i++)
			if (!strchr("0123456789abcdefABCDEF", s[i]))
				return T_NUM;
		return T_INT;
	}
	for (; i < n; i++)
		if (!is_digit(s[i]))
			return T_NUM;
	return T_INT;
}

static void scan_number(struct lex *x, struct token *t)
{
	bool hex = false;

	x->p++;
	while (x->p < x->end) {
		char c = *x->p, prev = x->p[-1];

		if ((c | 0x20) == 'x' && prev == '0')
			hex = true;
		if (!is_name_char(c) && c != '.' &&
		    !((c == '-' || c == '+') && (prev | 0x20) == 'e' && !hex))
			break;
		x->p++;
	}
	t->n = x->p - t->s;
	t->type = number_type(t->s, t->n);
}

static bool at_include(struct lex *x, struct token *t)
{
	const char *q = x->p + strlen("@include");

	if (!x->bol || !starts(x, "@include") || q >= x->end || (*q != ' ' && *q != '\t'))
		return false;
	while (q < x->end && (*q == ' ' || *q == '\t'))
		q++;
	if (q >= x->end || *q != '"')
		return false;
	x->p = q;
	t->type = T_INCLUDE;
	t->s = q + 1;
	skip_string(x);
	t->n = x->p - t->s - (x->p[-1] == '"');
	return true;
}

static void next(struct lex *x, struct token *t)
{
	skip_space(x);
	t->s = x->p;
	t->line = x->line;
	t->n = 1;
	if (x->p >= x->end) {
		t->type = T_END;
		return;
	}
	char c = *x->p, d = x->p + 1 < x->end ? x->p[1] : 0;

	if (at_include(x, t))
		return;
	x->bol = false;
	if (c == '"') {
		t->type = T_STRING;
		skip_string(x);
	} else if (is_name_start(c)) {
		t->type = T_NAME;
		while (x->p < x->end && is_name_char(*x->p))
			x->p++;
		t->n = x->p - t->s;
	} else if (is_digit(c) || (strchr("-+.", c) && (is_digit(d) || d == '.'))) {
		scan_number(x, t);
	} else {
		t->type = T_PUNCT;
		x->p++;
	}
}

static bool is_punct(const struct token *t, const char *set)
{
	return t->type == T_PUNCT && strchr(set, *t->s);
}

static bool name_is(const struct token *t, const char *name)
{
	return t->type == T_NAME && t->n == strlen(name) && !memcmp(t->s, name, t->n);
}

/* -1 when the literal needs more than 64 bits */
static int parse_int(const char *s, size_t n, long long *out)
{
	char buf[80];
	bool neg = *s == '-';
	size_t i = (*s == '-' || *s == '+');
	unsigned long long u;
	char *end;

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s + i, n - i);
	buf[n - i] = 0;
	errno = 0;
	if (buf[0] == '0' && (buf[1] | 0x20) == 'x')
		u = strtoull(buf + 2, &end, 16);
	else
		u = strtoull(buf, &end, 10);
	if (errno || u > (unsigned long long)LLONG_MAX + neg)
		return -1;
	*out = neg ? (long long)(0 - u) : (long long)u;
	return 0;
}

int config_text_int(const char *text, size_t len, int line, const char *name,
		    long long *out, char *literal, size_t literal_size)
{
	struct lex x = { .p = text, .end = text + len, .line = 1, .bol = true };
	struct token t[3] = { 0 };

	do {
		t[0] = t[1];
		t[1] = t[2];
		next(&x, &t[2]);
		if (t[2].type == T_INT && name_is(&t[0], name) && t[0].line == line &&
		    is_punct(&t[1], "=:")) {
			snprintf(literal, literal_size, "%.*s", (int)t[2].n, t[2].s);
			return parse_int(t[2].s, t[2].n, out) ? -1 : 1;
		}
	} while (t[2].type != T_END);
	return 0;
}

char *config_text_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t cap = CONFIG_TEXT_MAX + 1;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap + 1);
	if (!buf) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	*len = fread(buf, 1, cap, f);
	int bad = ferror(f) ? errno : *len > CONFIG_TEXT_MAX ? EFBIG : 0;

	fclose(f);
	if (bad) {
		free(buf);
		errno = bad;
		return NULL;
	}
	buf[*len] = 0;
	return buf;
}

struct includes {
	const char *dir;
	int files;
};

static int check_includes(struct includes *inc, const char *file,
			  const char *text, size_t len, int depth);

static int check_one_include(struct includes *inc, const char *file,
			     const struct token *t, int depth)
{
	char path[PATH_MAX];
	struct stat st;

	if (t->s[0] == '/' || !inc->dir[0])
		snprintf(path, sizeof(path), "%.*s", (int)t->n, t->s);
	else
		snprintf(path, sizeof(path), "%s/%.*s", inc->dir, (int)t->n, t->s);
	if (stat(path, &st))
		return 0;	/* libconfig says "cannot open include file" */
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s:%d: @include '%s': not a regular file\n",
			file, t->line, path);
		return -1;
	}
	if (depth >= INCLUDE_DEPTH || ++inc->files > INCLUDE_FILES)
		return 0;	/* libconfig refuses the nesting itself */
	size_t n;
	char *text = config_text_read(path, &n);

	if (!text)
		return 0;
	int r = check_includes(inc, path, text, n, depth + 1);

	free(text);
	return r;
}

static int check_includes(struct includes *inc, const char *file,
			  const char *text, size_t len, int depth)
{
	struct lex x = { .p = text, .end = text + len, .line = 1, .bol = true };
	struct token t;

	for (next(&x, &t); t.type != T_END; next(&x, &t))
		if (t.type == T_INCLUDE && check_one_include(inc, file, &t, depth))
			return -1;
	return 0;
}

int config_text_include_line(const char *text, size_t len)
{
	struct lex x = { .p = text, .end = text + len, .line = 1, .bol = true };
	struct token t;

	for (next(&x, &t); t.type != T_END; next(&x, &t))
		if (t.type == T_INCLUDE || is_punct(&t, "@"))
			return t.line;
	return 0;
}

int config_text_includes(const char *file, const char *text, size_t len,
			 const char *include_dir)
{
	struct includes inc = { .dir = include_dir };

	return check_includes(&inc, file, text, len, 0);
}

/* "vga . mode =" on the line -> "vga = { mode = ... };" */
void config_text_dotted_hint(const char *text, size_t len, int line,
			     char *hint, size_t size)
{
	struct lex x = { .p = text, .end = text + len, .line = 1, .bol = true };
	struct token t[64];
	int n = 0;

	hint[0] = 0;
	do {
		next(&x, &t[n]);
	} while (t[n].type != T_END && t[n].line < line);
	while (n + 1 < 64 && t[n].line == line && t[n].type != T_END) {
		if (n % 2 ? !is_punct(&t[n], ".") : t[n].type != T_NAME)
			break;
		next(&x, &t[++n]);
	}
	if (n < 3 || n % 2 == 0 || !is_punct(&t[n], "=:") || t[n].line != line)
		return;
	size_t used = snprintf(hint, size, "; write it as");

	for (int i = 0; i < n && used < size; i += 2)
		used += snprintf(hint + used, size - used, " %.*s = %s", (int)t[i].n,
				 t[i].s, i + 1 < n ? "{" : "...");
	for (int i = 1; i < n && used < size; i += 2)
		used += snprintf(hint + used, size - used, " };");
}
