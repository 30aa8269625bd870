/* SPDX-License-Identifier: MIT */
/*
 * The table of functions behind port 0xABBA (the lab's dispatch table,
 * bounds-checked): a number in, a handler called with the four argument
 * registers, a status out.  It knows nothing of KVM; vmm/doorbell.c reads
 * the registers and calls hypercall_dispatch().
 */
#ifndef HYPERCALLS_HYPERCALL_H
#define HYPERCALLS_HYPERCALL_H

#include <stdint.h>

#include "vmm_abi.h"

/* A handler gets ebx, ecx, esi, edi and returns eax. */
typedef int32_t (*hypercall_fn)(void *opaque, const uint32_t arg[4]);

struct hypercall_table {
	struct {
		hypercall_fn fn;
		void *opaque;
	} entry[VMM_HC_COUNT];
	/* counters: one writer (the vCPU thread), read with STAT_GET */
	uint64_t calls;			/* every doorbell ring */
	uint64_t by_nr[VMM_HC_COUNT];
	uint64_t invalid;		/* numbers nobody registered */
};

/* 0, or -1 when nr is out of range. */
int hypercall_set(struct hypercall_table *t, uint32_t nr, hypercall_fn fn,
		  void *opaque);
/* The handler's status, or VMM_E_NOSYS for a number nobody registered. */
int32_t hypercall_dispatch(struct hypercall_table *t, uint32_t nr,
			   const uint32_t arg[4]);
/* "vga_putc", ..., or NULL */
const char *hypercall_name(uint32_t nr);

#endif
