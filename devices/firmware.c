// SPDX-License-Identifier: MIT
/*
 * The BIOS ROM and the CPU state it starts from.  The image is checked
 * (whole 64 KiB blocks, at most 256 KiB: what a PC's top of memory can
 * hold below KVM's TSS pages), copied into RAM below 1 MiB, and its
 * pristine copy mapped read only below 4 GiB for the reset vector.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../vmm/boot.h"
#include "../vmm/device.h"
#include "../vmm/guest_mem.h"
#include "../vmm/json.h"
#include "../vmm/state.h"
#include "../vmm/config.h"
#include "disk_image.h"
#include "firmware.h"

int firmware_read_file(const char *path, size_t max, uint8_t **data,
		       size_t *len, char *why, size_t why_len)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(why, why_len, "%s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		snprintf(why, why_len, S_ISREG(st.st_mode) ?
			 "is larger than %zu bytes" : "is not a regular file", max);
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(why, why_len, "out of memory");
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(why, why_len, "%s", n ? strerror(errno) :
				 "was truncated while being read");
			goto fail;
		}
		got += (size_t)n;
	}
	close(fd);
	*data = buf;
	*len = got;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return -1;
}

int firmware_load(struct firmware *fw, const struct guest_mem *mem,
		  const char *path)
{
	char why[256];
	uint8_t *img, *low;
	size_t len;
	const char *bad;

	/* anything plausible is read, so that the size check can say what is wrong */
	if (firmware_read_file(path, 16 * FIRMWARE_MAX, &img, &len, why, sizeof(why))) {
		fprintf(stderr, "vmm: firmware '%s': %s\n", path, why);
		return -1;
	}
	bad = config_firmware_size_problem(len);
	low = bad ? NULL : gpa_ptr(mem, FIRMWARE_LOW_END - len, len);
	if (bad || !low) {
		fprintf(stderr, "vmm: firmware '%s': %s\n", path,
			bad ? bad : "does not fit below 1 MiB in guest RAM");
		free(img);
		return -1;
	}
	/* page aligned, so that KVM can map it */
	fw->rom = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fw->rom == MAP_FAILED) {
		fw->rom = NULL;
		fprintf(stderr, "vmm: firmware '%s': %s\n", path, strerror(errno));
		free(img);
		return -1;
	}
	memcpy(fw->rom, img, len);
	memcpy(low, img, len);
	mprotect(fw->rom, len, PROT_READ);
	fw->size = len;
	free(img);
	return 0;
}

static void real_mode_segment(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	*s = (struct kvm_segment){
		.base = (uint64_t)sel << 4, .limit = 0xffff, .selector = sel,
		.type = type, .present = 1, .s = 1,
	};
}

void firmware_reset_state(struct kvm_regs *r, struct kvm_sregs *s)
{
	*r = (struct kvm_regs){
		.rip = 0xfff0,
		.rflags = 0x2,
		.rdx = 0x600,		/* family 6: what the reset leaves in EDX */
	};
	real_mode_segment(&s->cs, 0xf000, 0xb);
	s->cs.base = 0xffff0000;	/* until the first far jump */
	real_mode_segment(&s->ds, 0, 0x3);
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->tr = (struct kvm_segment){ .limit = 0xffff, .type = 0xb, .present = 1 };
	s->ldt = (struct kvm_segment){ .limit = 0xffff, .type = 0x2, .present = 1 };
	s->gdt.base = s->idt.base = 0;
	s->gdt.limit = s->idt.limit = 0xffff;
	s->cr0 = 0x60000010;		/* CD, NW, ET: caches off, no protection */
	s->cr2 = s->cr3 = s->cr4 = 0;
	s->efer = 0;
}

static void reset_state(struct kvm_regs *r, struct kvm_sregs *s, const void *arg)
{
	(void)arg;
	firmware_reset_state(r, s);
}

int firmware_reset_vcpu(int vcpu_fd)
{
	return boot_vcpu_state(vcpu_fd, reset_state, NULL, "reset");
}

static void firmware_destroy(void *dev)
{
	struct firmware *fw = dev;

	if (!fw)
		return;
	/*
	 * The slot stays: teardown runs inside the sandbox, which refuses
	 * KVM_SET_USER_MEMORY_REGION, the vCPU has stopped for good, and
	 * KVM drops the slot with the VM.  Unmapping the buffer under it is
	 * safe: KVM's MMU notifier forgets the pages.
	 */
	if (fw->rom)
		munmap(fw->rom, fw->size);
	free(fw);
}

/*
 * SeaBIOS resets the machine right after "No bootable device" (fw_cfg's
 * etc/boot-fail-wait is 0); when the disk cannot boot, that reset ends
 * the VM with a status that says so instead of a clean 0.
 */
static void note_unbootable_disk(struct device_host *h)
{
	uint8_t sector[512];
	struct disk_image *d = dev_disk(h, 0);
	char why[192];

	if (d && disk_image_read(d, 0, 1, sector) == VMM_OK &&
	    sector[510] == 0x55 && sector[511] == 0xaa)
		return;
	snprintf(why, sizeof(why),
		 ": the firmware found no bootable device (%s%s%s)",
		 d ? "sector 0 of '" : "no disk", d ? d->path : "",
		 d ? "' has no boot signature" : "");
	dev_reset_note(h, 1, why);
}

static int firmware_create(struct device_host *h, void **dev)
{
	struct firmware *fw;

	*dev = NULL;
	if (!h->cfg->firmware.image)
		return 0;
	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return VMM_EXIT_SETUP;
	if (firmware_load(fw, h->mem, h->cfg->firmware.image)) {
		firmware_destroy(fw);
		return VMM_EXIT_USAGE;
	}
	if (dev_map(h, SLOT_FIRMWARE_ALIAS, FIRMWARE_HIGH_END - fw->size, fw->size,
		    fw->rom, true)) {
		firmware_destroy(fw);
		return VMM_EXIT_SETUP;
	}
	note_unbootable_disk(h);
	*dev = fw;
	return 0;
}

static void firmware_stats(const void *dev, struct json *j)
{
	const struct firmware *fw = dev;

	json_u64(j, "size", fw->size);
}

/*
 * No state: the image comes from the config and the low copy is RAM.  But
 * the alias below 4 GiB is the file as read now, so a restore refuses an
 * image other than the one the snapshot ran.
 */
static int firmware_state(void *dev, struct state *s)
{
	const struct firmware *fw = dev;
	const char *why = "the firmware image differs from the snapshot's";

	if (state_expect_u64(s, fw->size, why) ||
	    state_expect_u64(s, state_digest(STATE_DIGEST_INIT, fw->rom, fw->size), why))
		return -1;
	return state_failed(s);
}

const struct device_model firmware_device = {
	.name = "firmware",
	.create = firmware_create,
	.destroy = firmware_destroy,
	.stats = firmware_stats,
	.state = firmware_state,
	.version = 1,
};
