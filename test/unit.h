/* SPDX-License-Identifier: MIT */
/*
 * A tiny unit-test harness: each case prints "PASS name" or
 * "FAIL name: file:line: expression"; test/run counts the lines.
 */
#ifndef TEST_UNIT_H
#define TEST_UNIT_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *unit_case;
static int unit_case_failed, unit_failed;

/*
 * A case's name in the one style of every test: "FILE-CASE" in kebab
 * case, FILE from test/unit/test_FILE.c (test_bus.c's dispatch_by_range
 * is bus-dispatch-by-range).
 */
static const char *unit_name(const char *file, const char *fn)
{
	static char name[128];
	const char *base = strrchr(file, '/');
	size_t n = 0;

	base = base ? base + 1 : file;
	if (!strncmp(base, "test_", 5))
		base += 5;
	for (const char *p = base; *p && *p != '.' && n < sizeof(name) - 2; p++)
		name[n++] = *p == '_' ? '-' : *p;
	name[n++] = '-';
	for (const char *p = fn; *p && n < sizeof(name) - 1; p++)
		name[n++] = *p == '_' ? '-' : *p;
	name[n] = 0;
	return name;
}

#define EXPECT(cond)                                                      \
	do {                                                              \
		if (!(cond)) {                                            \
			if (!unit_case_failed)                            \
				printf("FAIL %s: %s:%d: %s\n", unit_case, \
				       __FILE__, __LINE__, #cond);        \
			unit_case_failed = 1;                             \
		}                                                         \
	} while (0)

#define EXPECT_EQ(a, b)                                                       \
	do {                                                                  \
		long long _a = (long long)(a), _b = (long long)(b);           \
		if (_a != _b) {                                               \
			if (!unit_case_failed)                                \
				printf("FAIL %s: %s:%d: %s == %lld, expected %lld\n", \
				       unit_case, __FILE__, __LINE__, #a, _a, _b); \
			unit_case_failed = 1;                                 \
		}                                                             \
	} while (0)

#define RUN(fn)                                                   \
	do {                                                      \
		unit_case = unit_name(__FILE__, #fn);             \
		unit_case_failed = 0;                             \
		fn();                                             \
		if (!unit_case_failed)                            \
			printf("PASS %s\n", unit_case);           \
		unit_failed |= unit_case_failed;                  \
		fflush(stdout);                                   \
	} while (0)

/*
 * Evaluates expr with stderr going to a temporary file, then puts what it
 * printed into the char array buf (cut to fit, NUL-terminated); the value
 * is expr's.  For checking the messages of code that reports on stderr.
 */
#define CAPTURE_STDERR(buf, expr) ({					\
	FILE *cap_f_ = tmpfile();					\
	int cap_saved_ = dup(2);					\
	fflush(stderr);							\
	dup2(fileno(cap_f_), 2);					\
	__typeof__(expr) cap_r_ = (expr);				\
	fflush(stderr);							\
	dup2(cap_saved_, 2);						\
	close(cap_saved_);						\
	ssize_t cap_n_ = pread(fileno(cap_f_), (buf), sizeof(buf) - 1, 0); \
	(buf)[cap_n_ > 0 ? cap_n_ : 0] = 0;				\
	fclose(cap_f_);							\
	cap_r_;								\
})

#define UNIT_EXIT() return unit_failed ? 1 : 0

#endif
