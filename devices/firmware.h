/* SPDX-License-Identifier: MIT */
/*
 * The BIOS ROM: an image of whole 64 KiB blocks (at most 256 KiB) copied
 * into guest RAM so that it ends at 1 MiB, where real-mode code finds it,
 * and mapped read only a second time so that it ends at 4 GiB, where the
 * reset vector (F000:FFF0 with CS base 0xFFFF0000) fetches its first
 * instruction.  The low copy is ordinary RAM: SeaBIOS writes to it.
 */
#ifndef DEVICES_FIRMWARE_H
#define DEVICES_FIRMWARE_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../vmm/config.h"

struct guest_mem;
struct device_model;

/* "seabios" in a config means this file, from Debian's seabios package. */
#define FIRMWARE_SEABIOS	CONFIG_SEABIOS
/* The VGA BIOS a firmware's folder holds, handed over by fw_cfg. */
#define FIRMWARE_VGABIOS	"vgabios-isavga.bin"
#define FIRMWARE_BLOCK		CONFIG_FIRMWARE_BLOCK
#define FIRMWARE_MAX		CONFIG_FIRMWARE_MAX
#define FIRMWARE_LOW_END	0x100000ull	/* the low copy ends at 1 MiB */
#define FIRMWARE_HIGH_END	0x100000000ull	/* the alias ends at 4 GiB */

struct firmware {
	uint8_t *rom;		/* the pristine image, page aligned (the alias) */
	size_t size;
};

/*
 * Reads a whole regular file of at most max bytes into a new buffer.
 * Returns 0, or -1 with a reason in why (the file missing, too big, or
 * shorter than it said).
 */
int firmware_read_file(const char *path, size_t max, uint8_t **data,
		       size_t *len, char *why, size_t why_len);
/*
 * Reads and checks the image and copies it below 1 MiB in mem.  Returns
 * 0, or -1 after "vmm: firmware 'path': why" on stderr.
 */
int firmware_load(struct firmware *fw, const struct guest_mem *mem,
		  const char *path);
/* The x86 power-on register state: real mode, CS:IP = F000:FFF0. */
void firmware_reset_state(struct kvm_regs *r, struct kvm_sregs *s);
/* Puts the vCPU in that state (instead of the Multiboot entry). */
int firmware_reset_vcpu(int vcpu_fd);

extern const struct device_model firmware_device;

#endif
