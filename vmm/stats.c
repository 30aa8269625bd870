// SPDX-License-Identifier: MIT
/* The --stats file: one JSON object that benchmark scripts read. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "snapshot/snapshot.h"
#include "vm.h"

static const char *const exit_names[] = {
	[KVM_EXIT_UNKNOWN] = "unknown",
	[KVM_EXIT_EXCEPTION] = "exception",
	[KVM_EXIT_IO] = "io",
	[KVM_EXIT_HYPERCALL] = "hypercall",
	[KVM_EXIT_DEBUG] = "debug",
	[KVM_EXIT_HLT] = "hlt",
	[KVM_EXIT_MMIO] = "mmio",
	[KVM_EXIT_IRQ_WINDOW_OPEN] = "irq_window_open",
	[KVM_EXIT_SHUTDOWN] = "shutdown",
	[KVM_EXIT_FAIL_ENTRY] = "fail_entry",
	[KVM_EXIT_INTR] = "intr",
	[KVM_EXIT_INTERNAL_ERROR] = "internal_error",
	[KVM_EXIT_SYSTEM_EVENT] = "system_event",
};

const char *stats_exit_name(unsigned int reason)
{
	if (reason < sizeof(exit_names) / sizeof(exit_names[0]) && exit_names[reason])
		return exit_names[reason];
	return NULL;
}

static void exits_json(const struct vm_stats *s, struct json *j)
{
	json_u64(j, "exits", STAT_GET(s->exits));
	json_object_begin(j, "exits_by_reason");
	for (unsigned int i = 0; i < STATS_EXIT_REASONS; i++) {
		uint64_t n = STAT_GET(s->exit_reason[i]);
		char other[24];
		const char *name = stats_exit_name(i);

		if (!n)
			continue;
		if (!name) {
			snprintf(other, sizeof(other), "reason_%u", i);
			name = other;
		}
		json_u64(j, name, n);
	}
	json_object_end(j);
	json_u64(j, "kicks", STAT_GET(s->kicks));

	json_u64(j, "emulated_in_vmm", STAT_GET(s->emulated));
	json_u64(j, "io_elements", STAT_GET(s->io_elements));
	json_object_begin(j, "coalesced");
	json_u64(j, "entries", STAT_GET(s->coalesced_drained));
	json_u64(j, "drains", STAT_GET(s->coalesced_drains));
	json_object_end(j);
}

static void hypercalls_json(const struct hypercall_table *t, struct json *j)
{
	json_u64(j, "hypercalls", STAT_GET(t->calls));
	json_object_begin(j, "hypercalls_by_name");
	for (uint32_t i = 0; i < VMM_HC_COUNT; i++)
		if (STAT_GET(t->by_nr[i]))
			json_u64(j, hypercall_name(i), STAT_GET(t->by_nr[i]));
	json_object_end(j);
	json_u64(j, "hypercalls_invalid", STAT_GET(t->invalid));
}

/* Each range by its (unique) name; bus_register() refuses a second one. */
static void bus_json(const struct bus *b, const char *key, struct json *j)
{
	json_object_begin(j, key);
	for (int i = 0; i < b->nr; i++) {
		json_object_begin(j, b->r[i].name);
		json_u64(j, "base", b->r[i].base);
		json_u64(j, "reads", b->r[i].reads);
		json_u64(j, "writes", b->r[i].writes);
		json_object_end(j);
	}
	json_object_begin(j, "unclaimed");
	json_u64(j, "reads", b->unclaimed_reads);
	json_u64(j, "writes", b->unclaimed_writes);
	json_object_end(j);
	json_object_end(j);
}

/* Every device's own counters, under its name. */
static void devices_json(const struct vm *vm, struct json *j)
{
	json_object_begin(j, "devices");
	for (int i = 0; i < vm->ndevices; i++) {
		const struct vm_device *d = &vm->devices[i];

		if (!d->dev || !d->model->stats)
			continue;
		json_object_begin(j, d->model->name);
		d->model->stats(d->dev, j);
		json_object_end(j);
	}
	json_object_end(j);
}

/* What every --stats file begins with: who the VM was and who stopped it. */
static void head_json(struct json *j, const char *name, int status,
		      enum vm_stop_by by, const char *note)
{
	json_object_begin(j, NULL);
	json_str(j, "name", name ? name : "");
	json_i64(j, "exit_status", status);
	json_object_begin(j, "stop");
	json_str(j, "by", vm_stop_name(by));
	if (vm_stop_how(by))
		json_str(j, "how", vm_stop_how(by));
	json_str(j, "note", note);
	json_object_end(j);
}

void stats_write_failed(FILE *f, const char *name, int status, int by,
			const char *note)
{
	struct json j;

	json_init(&j, f, true);
	head_json(&j, name, status, (enum vm_stop_by)by, note);
	json_object_end(&j);
}

void stats_step(struct vm_stats *s, char kind)
{
	if (s->n_steps >= STATS_STEPS)
		return;
	s->steps[s->n_steps++] = (struct stats_step){
		.kind = kind, .ns = now_ns(), .exits = STAT_GET(s->exits),
		.kicks = STAT_GET(s->kicks),
	};
}

/* "keys": [{"step": "key", "ns": CLOCK_MONOTONIC, "exits": N, ...}...] */
static void steps_json(const struct vm_stats *s, struct json *j)
{
	static const struct { char kind; const char *name; } names[] = {
		{ 'k', "key" }, { 'u', "until" }, { 'w', "wait" }, { 's', "save" },
		{ 'm', "migrate" },
	};

	json_array_begin(j, "keys");
	for (unsigned int i = 0; i < s->n_steps; i++) {
		const char *name = "?";

		for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++)
			if (names[n].kind == s->steps[i].kind)
				name = names[n].name;
		json_object_begin(j, NULL);
		json_str(j, "step", name);
		json_u64(j, "ns", s->steps[i].ns);
		json_u64(j, "exits", s->steps[i].exits);
		json_u64(j, "kicks", s->steps[i].kicks);
		json_object_end(j);
	}
	json_array_end(j);
}

void stats_write_json(const struct vm *vm, FILE *f)
{
	const struct vm_stats *s = &vm->stats;
	struct json j;

	json_init(&j, f, true);
	head_json(&j, vm->cfg ? vm->cfg->name : "", vm->exit_status, vm->stop_by,
		  vm->exit_note);
	json_double(&j, "wall_seconds", (double)(now_ns() - vm->start_ns) / 1e9, 6);
	exits_json(s, &j);
	hypercalls_json(&vm->hc, &j);
	json_object_begin(&j, "disk");
	json_u64(&j, "sectors_read", STAT_GET(s->sectors_read));
	json_u64(&j, "sectors_written", STAT_GET(s->sectors_written));
	json_u64(&j, "flushes", STAT_GET(s->flushes));
	json_object_end(&j);
	json_u64(&j, "frames", STAT_GET(s->frames));
	/*
	 * The VGA graphics mode the guest left ("" for text): its screen is
	 * then nothing a dump can show.  Every other thread has stopped.
	 */
	json_str(&j, "vga_graphics", vm->screen.f.graphics);
	json_object_begin(&j, "monotonic_ns");
	json_u64(&j, "start", vm->start_ns);
	json_u64(&j, "first_run", s->first_run_ns);
	json_u64(&j, "first_exit", s->first_exit_ns);
	json_object_end(&j);
	steps_json(s, &j);
	bus_json(&vm->pio, "pio", &j);
	bus_json(&vm->mmio, "mmio", &j);
	devices_json(vm, &j);
	snap_stats(vm, &j);
	json_object_end(&j);
}

int stats_file_open(struct stats_file *sf, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char dir[4096];
	int fd;

	sf->path = path;
	sf->dirfd = -1;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + 1 : 1,
		 slash ? path : ".");
	if (!*base || strlen(base) > sizeof(sf->name) - 32) {
		fprintf(stderr, "vmm: --stats %s: %s\n", path,
			*base ? "file name too long" : "not a file name");
		return -1;
	}
	snprintf(sf->name, sizeof(sf->name), "%s", base);
	snprintf(sf->tmp, sizeof(sf->tmp), ".%s.%d.tmp", base, (int)getpid());
	sf->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = sf->dirfd < 0 ? -1 : openat(sf->dirfd, sf->tmp,
					 O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || !(sf->f = fdopen(fd, "w"))) {
		fprintf(stderr, "vmm: --stats %s: %s\n", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlinkat(sf->dirfd, sf->tmp, 0);
		}
		return -1;
	}
	return 0;
}

int stats_file_commit(struct stats_file *sf)
{
	int bad = ferror(sf->f) | fflush(sf->f);

	bad |= fclose(sf->f);
	sf->f = NULL;
	if (bad || renameat(sf->dirfd, sf->tmp, sf->dirfd, sf->name)) {
		fprintf(stderr, "vmm: --stats %s: %s\n", sf->path, strerror(errno));
		return -1;
	}
	sf->done = true;
	return 0;
}

void stats_file_close(struct stats_file *sf)
{
	if (sf->f)
		fclose(sf->f);
	sf->f = NULL;
	if (sf->dirfd >= 0 && !sf->done)
		unlinkat(sf->dirfd, sf->tmp, 0);
	if (sf->dirfd >= 0)
		close(sf->dirfd);
	sf->dirfd = -1;
}
