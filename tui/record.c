// SPDX-License-Identifier: MIT
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../vmm/json.h"
#include "../vmm/vm.h"
#include "dump.h"
#include "record.h"
#include "refresh.h"

#define REFRESH_NS (1000000000ull / 60)

struct recorder {
	FILE *f;
	char *path;
	uint64_t bytes, max;	/* written so far; --record-max */
	bool full;		/* stopped at max: nothing more is written */
	uint64_t start_ns, last_us;
	struct screen_frame last;
	bool have_last;
	uint64_t gen;
	/* headless refresh thread */
	struct vm *vm;
	pthread_t thread;
	bool threaded;
	int stop;
};

struct recorder *record_open(const char *path, const char *title, uint64_t max)
{
	struct recorder *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->max = max ? max : RECORD_MAX_DEFAULT;
	r->f = fopen(path, "w");
	if (!r->f) {
		fprintf(stderr, "vmm: --record %s: %s\n", path, strerror(errno));
		free(r);
		return NULL;
	}
	r->path = strdup(path);
	r->start_ns = now_ns();
	r->gen = UINT64_MAX;
	fprintf(r->f, "{\"version\": 2, \"width\": %d, \"height\": %d, "
		"\"timestamp\": %lld, \"title\": ", SCREEN_COLS, SCREEN_ROWS,
		(long long)time(NULL));
	json_write_string(r->f, title, strlen(title));
	fputs(", \"env\": {\"TERM\": \"xterm-256color\", \"SHELL\": \"/bin/sh\"}}\n",
	      r->f);
	fflush(r->f);
	r->bytes = (uint64_t)ftell(r->f);
	return r;
}

/* The ANSI bytes that turn the last recorded frame into f. */
static void encode(struct recorder *r, const struct screen_frame *f, FILE *out)
{
	const struct screen_frame *old = r->have_last ? &r->last : NULL;
	int attr = -1, pos = -1;	/* what the terminal has now; -1 unknown */
	/* blink and palette change what every attribute looks like */
	bool all = !old || old->blink != f->blink ||
		   memcmp(old->palette, f->palette, sizeof(f->palette));

	if (!old)
		fputs("\033[0m\033[H\033[2J", out);
	for (int i = 0; i < SCREEN_CELLS; i++) {
		uint16_t c = f->cells[i];

		if (!all && old->cells[i] == c)
			continue;
		if (pos != i)
			fprintf(out, "\033[%d;%dH", i / SCREEN_COLS + 1, i % SCREEN_COLS + 1);
		if (attr != c >> 8) {
			attr = c >> 8;
			dump_sgr((uint8_t)attr, f, out);
		}
		dump_glyph((uint8_t)c, true, out);
		/* after the last column the terminal waits to wrap: reposition */
		pos = (i + 1) % SCREEN_COLS ? i + 1 : -1;
	}
	if (attr != -1)
		fputs("\033[0m", out);
	if (!old || old->cursor != f->cursor || old->cursor_on != f->cursor_on ||
	    ftell(out) > 0) {
		if (f->cursor_on)
			fprintf(out, "\033[%d;%dH\033[?25h", f->cursor / SCREEN_COLS + 1,
				f->cursor % SCREEN_COLS + 1);
		else
			fputs("\033[?25l", out);
	}
}

/* One event line: [seconds, "o", "ANSI bytes"] */
static char *event(struct recorder *r, const char *ansi, size_t n, size_t *len)
{
	uint64_t us = (now_ns() - r->start_ns) / 1000;
	char *line = NULL;
	FILE *m = open_memstream(&line, len);

	if (!m)
		return NULL;
	/* times grow strictly, even for two events in one microsecond */
	if (r->have_last && us <= r->last_us)
		us = r->last_us + 1;
	r->last_us = us;
	fprintf(m, "[%llu.%06llu, \"o\", ", (unsigned long long)(us / 1000000),
		(unsigned long long)(us % 1000000));
	json_write_string(m, ansi, n);
	fputs("]\n", m);
	fclose(m);
	return line;
}

/* A recording that would pass --record-max ends, with a note, not the disk. */
static void append(struct recorder *r, const char *line, size_t len)
{
	if (r->bytes + len > r->max) {
		r->full = true;
		fprintf(stderr, "vmm: --record %s: stopped at %llu bytes, the next frame would pass "
			"--record-max %llu; the recording ends at %llu.%03llu s\n", r->path,
			(unsigned long long)r->bytes, (unsigned long long)r->max,
			(unsigned long long)(r->last_us / 1000000),
			(unsigned long long)(r->last_us / 1000 % 1000));
		return;
	}
	fwrite(line, 1, len, r->f);
	fflush(r->f);
	r->bytes += len;
}

void record_frame(struct recorder *r, const struct screen_frame *f)
{
	char *buf = NULL, *line;
	size_t len = 0, n;
	FILE *m;

	if (r->full || !(m = open_memstream(&buf, &len)))
		return;
	encode(r, f, m);
	fclose(m);
	if (len && (line = event(r, buf, len, &n))) {
		append(r, line, n);
		free(line);
	}
	free(buf);
	r->last = *f;
	r->have_last = true;
	r->gen = f->gen;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000ull), (long)(t % 1000000000ull) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void *record_main(void *arg)
{
	struct recorder *r = arg;
	struct screen_frame f;
	uint64_t next = now_ns();

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		if (screen_refresh(r->vm, &r->gen, &f)) {
			record_frame(r, &f);
			STAT_INC(r->vm->stats.frames);
		}
		next += REFRESH_NS;
		uint64_t now = now_ns();

		if (next < now)
			next = now + REFRESH_NS;	/* fell behind: skip, do not burst */
		sleep_until(next);
	}
	return NULL;
}

int record_start_thread(struct recorder *r, struct vm *vm)
{
	r->vm = vm;
	if (pthread_create(&r->thread, NULL, record_main, r)) {
		fprintf(stderr, "vmm: cannot start the recording thread\n");
		return -1;
	}
	pthread_setname_np(r->thread, "vmm-record");
	r->threaded = true;
	return 0;
}

void record_close(struct recorder *r, struct vm *vm)
{
	struct screen_frame f;

	if (!r)
		return;
	if (r->threaded) {
		__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
		pthread_join(r->thread, NULL);
	}
	if (vm && screen_refresh(vm, &r->gen, &f))
		record_frame(r, &f);
	if (fclose(r->f))
		fprintf(stderr, "vmm: --record %s: %s\n", r->path, strerror(errno));
	free(r->path);
	free(r);
}
