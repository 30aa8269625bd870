// SPDX-License-Identifier: MIT
/*
 * The config loader on arbitrary files.  Input: the file's text, then
 * optionally a NUL and up to 8 NUL-separated --set overrides.  Each input
 * is loaded without and with the overrides; whatever loads must satisfy
 * the bounds the rest of vmm relies on, and config_free must release all.
 * Beside the file, the folder holds what @include lines and firmware keys
 * name: a file to include, a folder (refused), a one-block BIOS image.
 * Each override is also read as a size, as --record-max and --size are.
 *
 * Covers: vmm/config.c vmm/config_text.c
 */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../hypercalls/vmm_abi.h"
#include "../../vmm/config.h"
#include "fuzz.h"

#define MAX_OV 8

static char dir[] = "/tmp/vmm-fuzz-config.XXXXXX";
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char guest[64];

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/vm.cfg", dir);
	snprintf(guest, sizeof(guest), "%s/g.elf", dir);
	FILE *f = fopen(guest, "w");	/* seeds say guest = "g.elf" */

	if (!f)
		abort();
	fclose(f);
	snprintf(guest, sizeof(guest), "%s/inc.cfg", dir);
	f = fopen(guest, "w");
	if (!f)
		abort();
	fputs("memory = 0x40;\n# included\n", f);
	fclose(f);
	snprintf(guest, sizeof(guest), "%s/fw.bin", dir);
	if (!(f = fopen(guest, "w")) || ftruncate(fileno(f), 64 << 10))
		abort();
	fclose(f);
	snprintf(guest, sizeof(guest), "%s/sub", dir);
	if (mkdir(guest, 0700))
		abort();
	/* BIOS images of the sizes config refuses: empty, not whole blocks, too big */
	const struct { const char *name; long size; } bad[] = {
		{ "fw-empty.bin", 0 }, { "fw-odd.bin", 1000 }, { "fw-big.bin", 512 << 10 },
	};
	for (int i = 0; i < 3; i++) {
		snprintf(guest, sizeof(guest), "%s/%s", dir, bad[i].name);
		if (!(f = fopen(guest, "w")) || ftruncate(fileno(f), bad[i].size))
			abort();
		fclose(f);
	}
	snprintf(guest, sizeof(guest), "%s/bad-inc.cfg", dir);
	if (!(f = fopen(guest, "w")))
		abort();
	fputs("memory = ;\n", f);
	fclose(f);
	return 0;
}

static void check(const struct vm_config *c)
{
	FUZZ_ASSERT(c->mem_mib >= CONFIG_MEM_MIN_MIB && c->mem_mib <= CONFIG_MEM_MAX_MIB);
	FUZZ_ASSERT(c->name[0] && strlen(c->name) < sizeof(c->name));
	FUZZ_ASSERT((c->guest || c->firmware.image) && c->cmdline && c->serial.output);
	/* a firmware boots the emulated disk and always has a log setting */
	FUZZ_ASSERT(!c->firmware.image ||
		    (c->firmware.log && c->disk.path && c->disk.mode == VMM_MODE_EMULATED));
	FUZZ_ASSERT(!c->firmware.log == !c->firmware.image);
	FUZZ_ASSERT(strlen(c->cmdline) <= CONFIG_CMDLINE_MAX);
	FUZZ_ASSERT(c->vga.mode == VMM_MODE_EMULATED || c->vga.mode == VMM_MODE_PV);
	FUZZ_ASSERT(c->vga.strategy <= VGA_RAM && c->disk.cache <= CACHE_UNSAFE);
	FUZZ_ASSERT(c->display == DISPLAY_TUI || c->display == DISPLAY_HEADLESS);
	FUZZ_ASSERT((c->disk.mode == VMM_MODE_NONE) == !c->disk.path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t text = nul ? (size_t)(nul - data) : size;
	char *ov[MAX_OV], *buf = NULL;
	int nov = 0;
	struct vm_config c;
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	fwrite(data, 1, text, f);
	fclose(f);
	if (nul) {
		size_t rest = size - text - 1;

		buf = malloc(rest + 1);
		memcpy(buf, nul + 1, rest);
		buf[rest] = 0;
		for (char *p = buf; nov < MAX_OV && p <= buf + rest; p += strlen(p) + 1)
			ov[nov++] = p;
		for (int i = 0; i < nov; i++) {
			uint64_t bytes = 0;

			if (!config_parse_size(ov[i], &bytes))
				FUZZ_ASSERT(bytes > 0);
		}
	}
	if (config_load(&c, path, NULL, 0) == 0)
		check(&c);
	config_free(&c);
	if (nov) {
		if (config_load(&c, path, ov, nov) == 0)
			check(&c);
		config_free(&c);
	}
	free(buf);
	return 0;
}
