// SPDX-License-Identifier: MIT
/*
 * SANITIZE builds only: what the ASan, UBSan and TSan runtimes call to print
 * a report (and LeakSanitizer's check at exit) once the filter is in.  A
 * report cut short by SIGSYS hides the bug it was about, so these builds
 * trade the tighter filter for complete reports; plain builds get none of it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "sandbox_rules.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZER_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZER_BUILD 1
#endif
#endif

#ifdef SANITIZER_BUILD
#include <sanitizer/common_interface_defs.h>

const struct rule sandbox_sanitizer_rules[] = {
	/* LeakSanitizer stops the world at exit: a helper task that ptraces
	 * the threads and reads /proc/self */
	ALLOW(openat), ALLOW(open), ALLOW(clone), ALLOW(clone3), ALLOW(ptrace),
	ALLOW(wait4), ALLOW(prctl), ALLOW(getdents), ALLOW(getdents64),
	ALLOW(sigaltstack), ALLOW(getppid), ALLOW(readlink), ALLOW(kill),
	ALLOW(sched_getaffinity), ALLOW(getrlimit), ALLOW(prlimit64),
	ALLOW(rt_sigtimedwait), ALLOW(setrlimit), ALLOW(getrusage), ALLOW(uname),
	/* reports: the symbolizer's pipes (its exec is refused: frames are
	 * then printed as module+offset) */
	ALLOW(pipe2), ALLOW(pipe),
};
const size_t sandbox_n_sanitizer_rules =
	sizeof(sandbox_sanitizer_rules) / sizeof(sandbox_sanitizer_rules[0]);

/* A forked child's runtime: TSan's interceptors allocate, its thread waits. */
const struct rule sandbox_sanitizer_child_rules[] = {
	ALLOW_IF(mmap, 2, PROT_EXEC, 0), ALLOW_IF(mprotect, 2, PROT_EXEC, 0),
	ALLOW(munmap), ALLOW(madvise), ALLOW(futex), ALLOW(getpid), ALLOW(gettid),
	ALLOW(sched_yield), ALLOW(nanosleep), ALLOW(clock_nanosleep),
	ALLOW(clock_gettime), ALLOW(write), ALLOW(fstat), ALLOW(newfstatat),
};
const size_t sandbox_n_sanitizer_child_rules =
	sizeof(sandbox_sanitizer_child_rules) / sizeof(sandbox_sanitizer_child_rules[0]);
#else
const struct rule sandbox_sanitizer_rules[1], sandbox_sanitizer_child_rules[1];
const size_t sandbox_n_sanitizer_rules, sandbox_n_sanitizer_child_rules;
#endif

/*
 * The runtime symbolizes a report's frames by opening, stat-ing and
 * mapping every loaded module's debug info on its first use; done once
 * here, before the filter, a report afterwards finds it all cached.
 */
void sandbox_sanitizer_prepare(void)
{
#ifdef SANITIZER_BUILD
	char buf[256];

	__sanitizer_symbolize_pc((void *)(uintptr_t)abort, "%p %F %L", buf, sizeof(buf));
	__sanitizer_symbolize_pc(__builtin_return_address(0), "%p %F %L", buf, sizeof(buf));
#endif
}
