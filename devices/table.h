/* SPDX-License-Identifier: MIT */
/*
 * The machine: every device, in the order main builds them (and tears
 * them down in reverse).  Adding a device is one file under devices/
 * that defines `const struct device_model NAME_device` (vmm/device.h), one
 * line here, and its tests.  A device the config leaves out is still
 * listed; its create() says it is absent.
 */
#ifndef DEVICES_TABLE_H
#define DEVICES_TABLE_H

#include "../vmm/device.h"

#define DEVICE_TABLE(X)							\
	X(debug_exit)	/* port 0xf4: the guest's exit status */	\
	X(serial)	/* COM1, a 16550A */				\
	X(i8042)	/* keyboard controller, IRQ 1 */		\
	X(reset_control) /* port 0xcf9 (firmware, Linux) */	\
	X(vga)		/* text memory at 0xb8000, CRTC and registers */ \
	X(pv_vga)	/* screen hypercalls (vga.mode = "pv") */	\
	X(ata)		/* IDE primary channel (disk.mode = "emulated") */ \
	X(pv_disk)	/* disk hypercalls and ring (disk.mode = "pv") */ \
	X(firmware)	/* the BIOS ROM below 1 MiB and 4 GiB (firmware =) */ \
	X(cmos)		/* CMOS/RTC, IRQ 8 (firmware, Linux) */		\
	X(fw_cfg)	/* QEMU's firmware configuration interface */	\
	X(debugcon)	/* port 0x402: the firmware's log */		\
	X(post)		/* port 0x80: POST codes */

#define DEVICE_DECLARE(n) extern const struct device_model n##_device;
DEVICE_TABLE(DEVICE_DECLARE)
#undef DEVICE_DECLARE

extern const struct device_model *const device_table[];
extern const int device_table_len;

#endif
