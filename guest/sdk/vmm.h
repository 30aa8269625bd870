/* SPDX-License-Identifier: MIT */
/* Talking to the vmm hypervisor: detection, boot info, hypercalls. */
#ifndef SDK_VMM_H
#define SDK_VMM_H

#include <stdint.h>

#include "vmm_abi.h"	/* hypercalls/, installed next to this file */

/* The boot info when running on vmm, NULL elsewhere (QEMU, real hardware). */
const struct vmm_boot_info *vmm_boot_info(void);

/* The CPUID base holding vmm's signature, 0 when not on vmm. */
uint32_t vmm_cpuid_base(void);

static inline int32_t vmm_hypercall(uint32_t nr, uint32_t a0, uint32_t a1,
				    uint32_t a2, uint32_t a3)
{
	uint32_t ret;

	__asm__ volatile("outl %%eax, %%dx"
			 : "=a"(ret)
			 : "a"(nr), "d"(VMM_HC_PORT), "b"(a0), "c"(a1), "S"(a2), "D"(a3)
			 : "memory");
	return (int32_t)ret;
}

#endif
