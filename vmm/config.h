/* SPDX-License-Identifier: MIT */
#ifndef VMM_CONFIG_H
#define VMM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MEM_MIN_MIB	2
#define CONFIG_MEM_MAX_MIB	3072	/* below the 32-bit PCI hole */
#define CONFIG_MEM_DEFAULT_MIB	32
/* The command line shares the Multiboot info page (vmm/boot.c checks it fits). */
#define CONFIG_CMDLINE_MAX	2048

/* firmware = "seabios": the BIOS of Debian's seabios package */
#define CONFIG_SEABIOS		"/usr/share/seabios/bios.bin"
/* a BIOS image is whole 64 KiB blocks, at most 256 KiB (devices/firmware.c) */
#define CONFIG_FIRMWARE_BLOCK	(64u << 10)
#define CONFIG_FIRMWARE_MAX	(256u << 10)

enum display_mode { DISPLAY_TUI, DISPLAY_HEADLESS };
enum vga_strategy { VGA_TRAP, VGA_COALESCED, VGA_RAM };
enum cache_mode { CACHE_WRITEBACK, CACHE_WRITETHROUGH, CACHE_NONE, CACHE_UNSAFE };

struct vm_config {
	char *file;		/* the config file as given */
	char name[32];
	uint32_t mem_mib;
	char *guest;		/* resolved against the config's folder */
	char *cmdline;
	enum display_mode display;
	struct {
		int mode;	/* enum vmm_dev_mode */
		enum vga_strategy strategy;
		bool blink;	/* attribute bit 7 blinks (else bright bg) */
	} vga;
	struct {
		int mode;	/* VMM_MODE_NONE when no disk.path */
		char *path;
		char *slave;	/* optional second ATA image */
		bool readonly;
		bool in_memory;	/* boot = FILE: a padded copy in memory, never written */
		enum cache_mode cache;
	} disk;
	struct {
		char *output;	/* "stdout", "none" or a file path */
		bool raw;	/* no escaping of control bytes on a terminal */
	} serial;
	struct {
		char *path;	/* linux.kernel: a bzImage booted without firmware */
		char *initrd;	/* linux.initrd: its initramfs, or NULL */
	} kernel;		/* the command line is cmdline */
	struct {
		char *image;	/* NULL: a Multiboot guest; else the BIOS image */
		char *log;	/* port 0x402: "stderr", "none" or a file path */
		bool menu;	/* the BIOS's boot menu */
	} firmware;
};

/* A PC's devices (CMOS/RTC, port 0xCF9) for a firmware or a Linux kernel. */
static inline bool config_pc_devices(const struct vm_config *c)
{
	return c->firmware.image || c->kernel.path;
}

/*
 * Reads and checks a config file (NULL: none, as for vmm --boot FILE),
 * then applies "key=value" overrides.
 * On error, prints one "file:line: message" line to stderr and returns -1;
 * the caller exits with status 2.
 */
int config_load(struct vm_config *c, const char *file,
		char *const *overrides, int n_overrides);
/* config_load_text(): a restored VM does not load its guest file again */
#define CONFIG_NO_GUEST_FILE	1u
/*
 * config_load_text(): a snapshot's config, which may come from anyone.  It
 * does not choose host files (disk images, a firmware other than SeaBIOS,
 * serial.output, firmware.log) or serial.raw: those are dropped with a note
 * saying what they were, and only the overrides (the user's --set) give
 * them; a disk or firmware the machine had must be named there.
 */
#define CONFIG_SAVED		2u
/*
 * The same from text (a snapshot's saved config): origin stands for the
 * file in messages, and relative paths resolve against its folder.
 */
int config_load_text(struct vm_config *c, const char *origin, const char *text,
		     char *const *overrides, int n_overrides, unsigned int flags);
/*
 * The config as canonical libconfig text that config_load_text() reads
 * back to the same struct: every key written, every path absolute.
 * malloc'd; NULL when out of memory.
 */
char *config_to_text(const struct vm_config *c);
/* May --set change KEY of a restored VM?  (display, host files, the name) */
bool config_key_restorable(const char *key);
/*
 * s as it may be shown on a terminal: controls, DEL, C1 controls and bytes
 * that are not UTF-8 as \xNN, quotes and backslashes escaped.  Returns buf.
 */
const char *config_shown(const char *s, char *buf, size_t size);
void config_free(struct vm_config *c);
/* "64M", "1G", "4096" (K, M, G, T are powers of 1024) -> bytes; -1 if malformed or 0 */
int config_parse_size(const char *s, uint64_t *bytes);

/* NULL when a file of this size can be a BIOS image, else why not. */
const char *config_firmware_size_problem(uint64_t size);

extern const char *const config_cache_names[];
extern const char *const config_strategy_names[];

#endif
