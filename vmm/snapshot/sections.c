// SPDX-License-Identifier: MIT
/*
 * A snapshot's sections other than the header, config and RAM, both ways:
 * the disks' identities, the devices, the vCPU and the machine, written
 * in one stop of the vCPU (save.c), and every section's decoding.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../config.h"
#include "../state.h"
#include "../vm.h"
#include "internal.h"

/* ---- disks ------------------------------------------------------------- */

static int disk_id_of(int fd, const char *path, uint32_t slot, struct snap_disk_id *id)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	*id = (struct snap_disk_id){
		.slot = slot, .dev = (uint64_t)st.st_dev, .ino = (uint64_t)st.st_ino,
		.size = (uint64_t)st.st_size, .mtime_s = (int64_t)st.st_mtim.tv_sec,
		.mtime_ns = (uint32_t)st.st_mtim.tv_nsec,
	};
	snprintf(id->path, sizeof(id->path), "%s", path);
	return 0;
}

static int disk_state(struct state *s, struct snap_disk_id *id)
{
	uint32_t n = (uint32_t)strnlen(id->path, sizeof(id->path));
	uint64_t ms = (uint64_t)id->mtime_s;

	state_u32(s, &id->slot);
	state_u32(s, &n);
	if (s->loading && (n >= sizeof(id->path) || id->slot >= SNAP_MAX_DISKS))
		return -1;
	state_bytes(s, id->path, n);
	if (s->loading)
		id->path[n] = 0;
	state_u64(s, &id->dev);
	state_u64(s, &id->ino);
	state_u64(s, &id->size);
	state_u64(s, &ms);
	id->mtime_s = (int64_t)ms;
	state_u32(s, &id->mtime_ns);
	return s->bad ? -1 : 0;
}

/* One entry per slot: a slot named twice would leave the other unchecked. */
static int disks_state(struct state *s, struct snap_disk_id *ids, uint32_t *n)
{
	uint32_t seen = 0;

	state_u32(s, n);
	if (s->loading && *n > SNAP_MAX_DISKS)
		return -1;
	for (uint32_t i = 0; i < *n; i++) {
		if (disk_state(s, &ids[i]) || (seen & 1u << ids[i].slot))
			return -1;
		seen |= 1u << ids[i].slot;
	}
	return state_failed(s);
}

static int same_disk(const struct snap_disk_id *a, const struct snap_disk_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_s == b->mtime_s && a->mtime_ns == b->mtime_ns;
}

/*
 * Why the image open in a slot cannot stand for the saved one, or NULL.
 * A block device's size and mtime say nothing of its contents, and a
 * file of another user is not one a snapshot should get to write.
 */
static const char *disk_unlike(const struct snap_disk_id *want, int fd,
			       const struct snap_disk_id *now)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return "cannot be examined";
	if (S_ISBLK(st.st_mode))
		return "is a block device, whose identity a snapshot cannot check";
	if (st.st_uid != geteuid())
		return "belongs to another user";
	if (!same_disk(want, now))
		return "changed since the snapshot (device, inode, size or modification time)";
	return NULL;
}

/* Messages name the image opened, and the saved path when it differs. */
static int check_slot(const struct snap_image *im, const struct snap_disk_id *want,
		      int fd, const char *path, bool force)
{
	char shown[256], saved[256], also[300] = "";
	struct snap_disk_id now;
	const char *why;

	config_shown(path, shown, sizeof(shown));
	if (strcmp(path, want->path))
		snprintf(also, sizeof(also), " (the snapshot's was '%s')",
			 config_shown(want->path, saved, sizeof(saved)));
	if (disk_id_of(fd, path, want->slot, &now)) {
		fprintf(stderr, "vmm: %s: disk image '%s' is missing\n", im->path, shown);
		return -1;
	}
	if (!(why = disk_unlike(want, fd, &now)))
		return 0;
	if (!force) {
		fprintf(stderr, "vmm: %s: disk image '%s'%s %s: refusing to restore "
			"(--restore-force-disk restores anyway)\n", im->path, shown, also, why);
		return -1;
	}
	fprintf(stderr, "vmm: warning: disk image '%s'%s %s; restoring anyway "
		"(--restore-force-disk): the guest's view of the disk may be "
		"inconsistent\n", shown, also, why);
	return 0;
}

int snap_check_disks(const struct snap_image *im, const int *fds,
		     const char *const *paths, bool force)
{
	const struct snap_disk_id *saved[SNAP_MAX_DISKS] = { 0 };
	uint32_t open = 0;

	for (uint32_t i = 0; i < im->ndisks; i++)
		saved[im->disk[i].slot] = &im->disk[i];
	for (uint32_t s = 0; s < SNAP_MAX_DISKS; s++)
		open += fds[s] >= 0;
	for (uint32_t s = 0; s < SNAP_MAX_DISKS; s++) {
		if ((fds[s] >= 0) != (saved[s] != NULL)) {
			fprintf(stderr, "vmm: %s: the snapshot has %u disk images, its "
				"config %u (slot %u differs)\n", im->path, im->ndisks, open, s);
			return -1;
		}
		if (saved[s] && check_slot(im, saved[s], fds[s], paths[s], force))
			return -1;
	}
	return 0;
}

/* ---- writing ------------------------------------------------------------ */

/*
 * The sections that are one record, each versioned as a device's is
 * (vmm/state.h): the version this vmm writes, the oldest it loads, and
 * the name a refusal gives.  The record follows its version, a u32.
 */
static const struct {
	const char *what;
	uint32_t version, min;
} versions[SNAP_TYPES] = {
	[SNAP_DISKS] = { "the disks", 1, 1 },
	[SNAP_VCPU] = { "the vCPU", SNAP_VCPU_VERSION, SNAP_VCPU_MIN_VERSION },
	[SNAP_MACHINE] = { "the irqchip, PIT and clock", SNAP_MACHINE_VERSION,
			   SNAP_MACHINE_MIN_VERSION },
};

/* One record as a section: the same walker saves as loads. */
static void record(struct snap_writer *w, uint32_t type,
		   int (*walk)(struct state *, void *), void *obj)
{
	uint32_t version = versions[type].version;
	struct state s;

	state_init_save(&s);
	state_u32(&s, &version);
	if (walk(&s, obj) == 0)
		snap_section(w, type, s.buf, s.len);
	else if (!w->err)
		w->err = ENOMEM;
	state_free(&s);
}

struct disk_ids {
	struct snap_disk_id id[SNAP_MAX_DISKS];
	uint32_t n;
};

static int disks_walk(struct state *s, void *d)
{
	struct disk_ids *ids = d;

	return disks_state(s, ids->id, &ids->n);
}

/* The images as they are now: the VM is paused and they were just flushed. */
static void disks(struct vm *vm, struct snap_writer *w)
{
	const struct snap_ctl *c = vm->snap;
	static struct disk_ids ids;	/* 8 KiB: main thread only */

	ids.n = 0;
	for (uint32_t i = 0; i < SNAP_MAX_DISKS; i++)
		if (c->disk[i].fd >= 0 &&
		    !disk_id_of(c->disk[i].fd, c->disk[i].path, i, &ids.id[ids.n]))
			ids.n++;
	record(w, SNAP_DISKS, disks_walk, &ids);
}

/* vm_devices_save() has its own messages: an error here is a device's. */
static void devices(struct vm *vm, struct snap_writer *w)
{
	struct state s;

	state_init_save(&s);
	if (vm_devices_save(vm, &s) == 0)
		snap_section(w, SNAP_DEVICES, s.buf, s.len);
	else if (!w->err)
		w->err = EIO;
	state_free(&s);
}

static int vcpu_walk(struct state *s, void *v) { return snap_vcpu_state(s, v); }
static int machine_walk(struct state *s, void *m) { return snap_machine_state(s, m); }

/* The caller holds io_lock, with the vCPU parked and the disks just flushed. */
int snap_write_state(struct vm *vm, struct snap_writer *w, struct snap_vcpu *v,
		     struct snap_machine *m)
{
	disks(vm, w);
	devices(vm, w);
	record(w, SNAP_VCPU, vcpu_walk, v);
	record(w, SNAP_MACHINE, machine_walk, m);
	return w->err ? -1 : 0;
}

/* ---- reading ------------------------------------------------------------ */

/*
 * Decodes into a copy and keeps it only when the whole record is good, so
 * the image never holds half a record (a refused one leaves what was).
 */
/*
 * 0, or -1 when the record does not decode (err says nothing yet), or 1
 * with err saying why its version is refused.
 */
static int load_record(uint32_t type, const uint8_t *p, uint64_t len,
		       struct snap_image *im, char *err, size_t errlen)
{
	static struct snap_vcpu v;
	static struct snap_machine m;
	static struct disk_ids ids;
	struct state s;
	int r;

	state_init_load(&s, p, (size_t)len);
	state_u32(&s, &s.version);
	if (s.bad)
		return -1;
	if (state_version_check(versions[type].what, s.version, versions[type].min,
				versions[type].version, err, errlen))
		return 1;
	if (type == SNAP_VCPU) {
		v = (struct snap_vcpu){ 0 };
		r = snap_vcpu_state(&s, &v);
		if (r)
			snap_vcpu_free(&v);
		else {
			snap_vcpu_free(&im->vcpu);
			im->vcpu = v;
		}
	} else if (type == SNAP_MACHINE) {
		r = snap_machine_state(&s, &m);
		if (!r)
			im->machine = m;
	} else {
		r = disks_walk(&s, &ids);
		if (!r) {
			memcpy(im->disk, ids.id, sizeof(ids.id));
			im->ndisks = ids.n;
		}
	}
	return r;
}

static int load_config(struct snap_image *im, const uint8_t *p, uint64_t len,
		       char *err, size_t errlen)
{
	if (im->config_text || memchr(p, 0, (size_t)len)) {
		snprintf(err, errlen, "a second config, or one with a NUL byte");
		return -1;
	}
	im->config_text = malloc((size_t)len + 1);
	if (!im->config_text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(im->config_text, p, (size_t)len);
	im->config_text[len] = 0;
	return 0;
}

static int load_devices(struct snap_image *im, const uint8_t *p, uint64_t len,
			char *err, size_t errlen)
{
	free(im->devices);
	im->devices = malloc((size_t)len ? (size_t)len : 1);
	if (!im->devices) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(im->devices, p, (size_t)len);
	im->devices_len = (size_t)len;
	im->have_devices = true;
	return 0;
}

/*
 * Checking (no vm), a file's RAM sections are noted for snap_apply();
 * with a vm, the pages go into guest RAM (mapped from the file if it is one).
 */
static int load_ram(struct snap_image *im, struct vm *vm, const uint8_t *p,
		    uint64_t len, char *err, size_t errlen)
{
	struct snap_ram_src src = { im->data, im->fd };

	if (!vm && im->data) {
		void *r = realloc(im->ram, (im->nram + 1) * sizeof(*im->ram));

		if (!r) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		im->ram = r;
		im->ram[im->nram].p = p;
		im->ram[im->nram++].len = len;
	}
	return snap_ram_load(vm, im->h.ram_bytes, p, len,
			     vm && im->data ? &src : NULL, im->ram_pages_max,
			     &im->ram_pages_loaded, err, errlen);
}

int snap_load_section(struct snap_image *im, struct vm *vm, uint32_t type,
		      const uint8_t *p, uint64_t len, char *err, size_t errlen)
{
	int r;

	switch (type) {
	case SNAP_CONFIG:
		return load_config(im, p, len, err, errlen);
	case SNAP_RAM:
		return load_ram(im, vm, p, len, err, errlen);
	case SNAP_DEVICES:
		return load_devices(im, p, len, err, errlen);
	case SNAP_DISKS:
	case SNAP_VCPU:
	case SNAP_MACHINE:
		r = load_record(type, p, len, im, err, errlen);
		if (r < 0)
			snprintf(err, errlen, "section '%s' does not decode",
				 snap_type_name(type));
		if (r)
			return -1;
		im->have_vcpu |= type == SNAP_VCPU;
		im->have_machine |= type == SNAP_MACHINE;
		return 0;
	}
	snprintf(err, errlen, "unexpected section '%s'", snap_type_name(type));
	return -1;
}
