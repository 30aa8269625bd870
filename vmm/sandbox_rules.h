/* SPDX-License-Identifier: MIT */
/* Inside the sandbox: one rule's shape, shared by the filters of vmm/sandbox*.c. */
#ifndef VMM_SANDBOX_RULES_H
#define VMM_SANDBOX_RULES_H

#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

enum a0_pin { A0_ANY, A0_VM_FD, A0_VCPU_FD, A0_OWN_PID };

#define RULE_TRAP	(-1)	/* err: SIGSYS to vmm's handler (sandbox.c) */

struct rule {
	int nr;			/* SCMP_SYS(name) */
	enum a0_pin a0;		/* what argument 0 must be */
	int arg;		/* -1, or an argument that must match */
	uint64_t mask, val;	/* (arg & mask) == val */
	int err;		/* 0: allow; RULE_TRAP; else fail with this errno */
};

#define ALLOW(s)		{ SCMP_SYS(s), A0_ANY, -1, 0, 0, 0 }
#define REFUSE(s, e)		{ SCMP_SYS(s), A0_ANY, -1, 0, 0, e }
#define IOCTL(a0, req)		{ SCMP_SYS(ioctl), a0, 1, 0xffffffffu, req, 0 }
#define ALLOW_IF(s, a, m, v)	{ SCMP_SYS(s), A0_ANY, a, m, v, 0 }
#define ALLOW_IF_A0(s, a0)	{ SCMP_SYS(s), a0, -1, 0, 0, 0 }
#define EMULATE(s)		{ SCMP_SYS(s), A0_ANY, -1, 0, 0, RULE_TRAP }

/* Adds n rules, pinned to vm's fds and this process; -1 after a line on stderr. */
int sandbox_add_rules(scmp_filter_ctx ctx, const struct rule *r, size_t n,
		      const struct vm *vm);

/* A child's filter (sandbox.h) with extra rules of its own. */
struct sandbox_child;
int sandbox_child_prepare_with(struct sandbox_child *c, const struct rule *extra,
			       size_t n);

/* What the sanitizer runtimes need to print a report (none in plain builds). */
extern const struct rule sandbox_sanitizer_rules[];
extern const size_t sandbox_n_sanitizer_rules;
extern const struct rule sandbox_sanitizer_child_rules[];
extern const size_t sandbox_n_sanitizer_child_rules;
/* Set-up they need before the filter, called just before it goes in. */
void sandbox_sanitizer_prepare(void);

/* VMM_SANDBOX_SELFTEST=NAME once the filter is in (vmm/sandbox_selftest.c). */
int sandbox_selftest(const struct vm *vm, const char *name);

#endif
