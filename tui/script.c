// SPDX-License-Identifier: MIT
/* The --keys mini-language: text with C escapes and {directives}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

static struct step *add(struct script *s, enum step_kind kind)
{
	struct step *n = realloc(s->steps, (s->n + 1) * sizeof(*n));

	if (!n)
		return NULL;
	s->steps = n;
	n = &s->steps[s->n++];
	*n = (struct step){ .kind = kind };
	return n;
}

/* A step that carries a string of its own (screen text, a file, a target). */
static struct step *add_text(struct script *s, enum step_kind kind, const char *text)
{
	struct step *st = add(s, kind);

	if (!st || !(st->text = strdup(text)))
		return NULL;
	st->len = strlen(st->text);
	return st;
}

/* Appends one byte to the text step at the end, starting one if needed. */
static int add_byte(struct script *s, char c)
{
	struct step *t = s->n ? &s->steps[s->n - 1] : NULL;

	if (!t || t->kind != STEP_TEXT) {
		t = add(s, STEP_TEXT);
		if (!t)
			return -1;
	}
	char *p = realloc(t->text, t->len + 2);

	if (!p)
		return -1;
	t->text = p;
	p[t->len++] = c;
	p[t->len] = 0;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One backslash escape at src[*i] (just after the backslash). */
static int escape(const char *src, size_t len, size_t *i)
{
	char c = src[(*i)++];
	int v;

	switch (c) {
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'e': return 0x1b;
	case 'a': return 0x07;
	case 'b': return 0x08;
	case 'x':
		if (*i >= len || hexval(src[*i]) < 0)
			return -1;
		v = hexval(src[(*i)++]);
		if (*i < len && hexval(src[*i]) >= 0)
			v = v * 16 + hexval(src[(*i)++]);
		return v;
	}
	if (c >= '0' && c <= '7') {
		v = c - '0';
		for (int k = 0; k < 2 && *i < len && src[*i] >= '0' && src[*i] <= '7'; k++)
			v = v * 8 + (src[(*i)++] - '0');
		return v & 0xff;
	}
	return (unsigned char)c;	/* \\ \{ \" and any other: itself */
}

static int directive(struct script *s, const char *d, char *err, size_t errlen)
{
	struct step *st;

	if (!strncmp(d, "wait:", 5) || !strncmp(d, "sleep:", 6)) {
		char *end;
		long ms = strtol(strchr(d, ':') + 1, &end, 10);

		if (*end || ms < 0 || ms > 3600000 || end == strchr(d, ':') + 1) {
			snprintf(err, errlen, "{%s}: expected milliseconds", d);
			return -1;
		}
		if (!(st = add(s, STEP_WAIT)))
			return -1;
		st->ms = (unsigned int)ms;
		return 0;
	}
	if (!strncmp(d, "until:", 6)) {
		if (!d[6]) {
			snprintf(err, errlen, "{until:}: expected screen text");
			return -1;
		}
		return add_text(s, STEP_UNTIL, d + 6) ? 0 : -1;
	}
	if (!strncmp(d, "save:", 5) || !strncmp(d, "save-and-quit:", 14)) {
		const char *file = strchr(d, ':') + 1;

		if (!*file || file[strlen(file) - 1] == '/') {
			snprintf(err, errlen, "{%s}: expected a snapshot file name", d);
			return -1;
		}
		if (!(st = add_text(s, STEP_SAVE, file)))
			return -1;
		st->quit = d[4] == '-';
		return 0;
	}
	if (!strncmp(d, "migrate:", 8)) {
		if (!d[8]) {
			snprintf(err, errlen, "{migrate:}: expected unix:PATH or fd:N");
			return -1;
		}
		return add_text(s, STEP_MIGRATE, d + 8) ? 0 : -1;
	}
	struct km_key k;

	if (!keymap_named(d, &k)) {
		snprintf(err, errlen, "{%s}: unknown key name", d);
		return -1;
	}
	if (!(st = add(s, STEP_KEY)))
		return -1;
	st->key = k;
	return 0;
}

int script_parse(const char *src, size_t len, struct script *s, char *err,
		 size_t errlen)
{
	*s = (struct script){ 0 };
	for (size_t i = 0; i < len;) {
		char c = src[i++];
		int v;

		if (c == '\\' && i < len) {
			v = escape(src, len, &i);
			if (v < 0) {
				snprintf(err, errlen, "bad escape near offset %zu", i);
				goto fail;
			}
			if (add_byte(s, (char)v))
				goto nomem;
			continue;
		}
		if (c == '{' && i < len && src[i] == '{') {
			i++;
			if (add_byte(s, '{'))
				goto nomem;
			continue;
		}
		if (c == '{') {
			const char *end = memchr(src + i, '}', len - i);
			char d[256];

			if (!end || (size_t)(end - (src + i)) >= sizeof(d)) {
				snprintf(err, errlen, "'{' at offset %zu has no '}'", i - 1);
				goto fail;
			}
			memcpy(d, src + i, (size_t)(end - (src + i)));
			d[end - (src + i)] = 0;
			i = (size_t)(end - src) + 1;
			if (directive(s, d, err, errlen))
				goto fail;
			continue;
		}
		if (add_byte(s, c))
			goto nomem;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	script_free(s);
	return -1;
}

void script_free(struct script *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->steps[i].text);
	free(s->steps);
	*s = (struct script){ 0 };
}
