/* SPDX-License-Identifier: MIT */
/*
 * What the files of vmm/snapshot/ share, and nothing outside the folder
 * includes (test/integration/layers.sh checks; the unit tests and fuzz
 * harnesses, which drive the pieces one by one, may).  The public API is
 * snapshot.h.
 *
 * The snapshot container, shared by snapshot files and the migration
 * stream (the same bytes go to a file or a socket):
 *
 *	header   64 bytes: magic "VMM-SNAP", format version, header size,
 *	         vmm version, guest RAM bytes, flags, CRC32C of the header
 *	section  type u32, flags u32, payload length u64, payload,
 *	         CRC32C u32 of the section header and payload
 *	...      (RAM may come in many sections; a later page wins)
 *	END      a section whose payload is the CRC32C of every byte before it
 *
 * All little-endian.  A reader trusts nothing: every length is checked
 * against what is left and against a per-type bound before it is used,
 * so a stream can be read section by section from a socket as well as
 * from a file in memory.
 */
#ifndef VMM_SNAPSHOT_INTERNAL_H
#define VMM_SNAPSHOT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

struct state;

/* ---- the stream (stream.c) -------------------------------------------- */

#define SNAP_MAGIC		"VMM-SNAP"
/*
 * 3: records found by name and versioned (vmm/state.h), so a record or
 * device added later no longer changes the format; 1 and 2 had
 * positional records and are refused.
 */
#define SNAP_FORMAT_VERSION	3
#define SNAP_HEADER_SIZE	64
#define SNAP_SECTION_HEAD	16
#define SNAP_PAGE		4096u
/* RAM goes in sections of at most this many pages (8 MiB of data) */
#define SNAP_RAM_CHUNK		2048u

enum snap_type {
	SNAP_CONFIG = 1,	/* the config as libconfig text (vmm/config.c) */
	SNAP_DISKS,		/* each image's path and identity */
	SNAP_VCPU,		/* registers, MSRs, LAPIC... (vmm/snapshot/kvm_state.c) */
	SNAP_MACHINE,		/* PICs, IOAPIC, PIT, clock */
	SNAP_DEVICES,		/* vm_devices_save(): every device's record */
	SNAP_RAM,		/* runs of non-zero pages */
	SNAP_END,		/* CRC32C of the whole stream before it */
	SNAP_TYPES
};

/* header flags */
#define SNAP_F_MIGRATION	1u	/* a stream, not a file */

uint32_t snap_crc32c(uint32_t crc, const void *buf, size_t len);
const char *snap_type_name(uint32_t type);

/*
 * The writer: buffered writes to an fd, with a running CRC of the whole
 * stream.  Errors stick: check w->err (an errno) once at the end.
 */
struct snap_writer {
	int fd;
	int err;
	bool align;		/* a file: RAM data on page boundaries (vmm/snapshot/ram.c) */
	uint64_t bytes;		/* written so far, header included */
	uint32_t crc;		/* of every byte so far */
	uint32_t sec_crc;	/* of the current section so far */
	uint64_t sec_left;	/* payload bytes the current section still expects */
	uint8_t *buf;
	size_t used;
};

int snap_writer_init(struct snap_writer *w, int fd);
void snap_write_header(struct snap_writer *w, const struct snap_header *h);
/* A section of len payload bytes: then snap_put() exactly len bytes. */
void snap_begin(struct snap_writer *w, uint32_t type, uint64_t len);
void snap_put(struct snap_writer *w, const void *p, size_t n);
void snap_end_section(struct snap_writer *w);
/* One section from one buffer. */
void snap_section(struct snap_writer *w, uint32_t type, const void *p, size_t n);
/* The END section and the last flush; returns 0 or the first errno. */
int snap_finish(struct snap_writer *w);
/* Flushes what is buffered (a migration pass ends with it). */
int snap_flush(struct snap_writer *w);
void snap_writer_free(struct snap_writer *w);

/*
 * The reader: from a buffer (a snapshot file in memory) or from an fd (a
 * migration socket; each section's payload is read into r->own).
 * Errors are one line in r->err, naming the stream.
 */
struct snap_reader {
	const char *name;	/* the file or socket, for messages */
	const uint8_t *buf;	/* buffer source, or NULL */
	size_t len, pos;
	int fd;			/* fd source when buf is NULL */
	uint8_t *own;		/* fd source: the current payload */
	size_t own_cap;
	uint32_t crc;
	uint64_t got;		/* bytes read so far */
	/*
	 * fd source: a signalfd polled with the socket (-1: none), so that
	 * SIGINT, SIGTERM, SIGHUP and SIGQUIT end a read the sender stalls
	 * (stop_signo says which); idle_ms: the longest silence (0: none).
	 */
	int stop_fd, idle_ms, stop_signo;
	bool halted;		/* err says why: a signal or the silence */
	/*
	 * buffer source: RAM sections' bytes are not read, so neither their
	 * CRCs nor the stream's are checked; snap_verify() checks the same
	 * buffer whole later (verify.c: while the restored VM starts)
	 */
	bool defer_ram, crc_deferred;
	struct snap_header h;
	char err[256];
};

void snap_reader_buffer(struct snap_reader *r, const char *name,
			const void *buf, size_t len);
void snap_reader_fd(struct snap_reader *r, const char *name, int fd);
void snap_reader_free(struct snap_reader *r);
/*
 * Waits until fd is readable (1), for timeout_ms (-1: for ever; 0 is
 * returned when it passes) or a stop signal on stop_fd (-1 with *signo;
 * other signals there are taken and ignored).  -1 with *signo 0: poll failed.
 */
int snap_wait(int fd, int stop_fd, int timeout_ms, int *signo);
/* 0, or -1 with r->err: not a snapshot, another format version, corrupt */
int snap_read_header(struct snap_reader *r);
/*
 * The next section: 1 with *type, *payload, *len (valid until the next
 * call); 0 once END was read and checked; -1 with r->err.
 */
int snap_next(struct snap_reader *r, uint32_t *type, const uint8_t **payload,
	      uint64_t *len);
/*
 * The whole stream: the header (r->h), then each section to each(), which
 * may end the walk early by returning non-zero.  0 once the end section
 * is checked; -1 with r->err for the stream's own fault; else each()'s.
 */
typedef int (*snap_each)(void *arg, uint32_t type, const uint8_t *payload, uint64_t len);
int snap_walk(struct snap_reader *r, snap_each each, void *arg);


/* ---- KVM's state (kvm_state.c) ---------------------------------------- */

/*
 * Each of struct snap_vcpu and snap_machine is collected with KVM's GET
 * ioctls, written as a record (vmm/state.h: every KVM struct as its size
 * and its bytes), and on restore decoded (pure: checked sizes and counts,
 * no KVM; the fuzz harness calls it) and applied with the SET ioctls in
 * the order KVM needs.
 *
 * The records' versions (vmm/state.h's scheme; the version leads the
 * section, sections.c): what this vmm writes, the oldest it loads.
 * Every KVM struct is led by its size, so a struct that grows is a new
 * version with the old size still loaded.
 */
#define SNAP_VCPU_VERSION		1
#define SNAP_VCPU_MIN_VERSION		1
#define SNAP_MACHINE_VERSION		1
#define SNAP_MACHINE_MIN_VERSION	1

#define SNAP_XSAVE_MAX		(64u << 10)

/*
 * Before the sandbox: which MSRs KVM can save, and the XSAVE size.  0, or
 * -1 after a line on stderr.
 */
int snap_kvm_probe(struct vm *vm);

/* With the vCPU paused (vcpu_pause) or not yet run: 0, or -1 and errno. */
int snap_vcpu_get(struct vm *vm, struct snap_vcpu *v);
int snap_machine_get(struct vm *vm, struct snap_machine *m);

/* The record, both ways (one walker, vmm/state.h); loading checks bounds. */
int snap_vcpu_state(struct state *s, struct snap_vcpu *v);
int snap_machine_state(struct state *s, struct snap_machine *m);
void snap_vcpu_free(struct snap_vcpu *v);

/*
 * Before the vCPU first runs.  0, or -1 with what KVM refused in err
 * (a value from the snapshot it does not accept).
 */
int snap_vcpu_set(struct vm *vm, const struct snap_vcpu *v, char *err, size_t errlen);
/* The PICs, IOAPIC and PIT: before snap_vcpu_set(). */
int snap_machine_set(struct vm *vm, const struct snap_machine *m, char *err,
		     size_t errlen);
/* The clock: last. */
int snap_clock_set(struct vm *vm, const struct snap_machine *m, char *err,
		   size_t errlen);

/* ---- guest RAM (ram.c) ------------------------------------------------ */

/*
 * As RAM sections: the pages whose bit is set in dirty (zero or not), or
 * (dirty NULL) every page that holds data; *pages counts them.
 */
int snap_write_pages(struct vm *vm, struct snap_writer *w, const uint64_t *dirty,
		     uint64_t *pages);
/* Guest RAM as a new VM's: all zero, before a snapshot's RAM goes in. */
int snap_ram_clear(struct vm *vm);
/* Where a RAM section's bytes came from, when it is a mapped file. */
struct snap_ram_src {
	const uint8_t *base;	/* the file's mapping, or its copy in memory */
	int fd;			/* -1: a copy, whose pages are moved, not copied */
};
/*
 * The RAM record's decoder; vm NULL: check only.  With src, page-aligned
 * data is mapped from the file into guest RAM (copy-on-write).  *pages
 * counts the pages the runs cover; past max_pages (0: no bound) a run is
 * refused, as a stream's are once they exceed what a sender sends.
 */
int snap_ram_load(struct vm *vm, uint64_t ram_bytes, const uint8_t *p,
		  uint64_t len, const struct snap_ram_src *src, uint64_t max_pages,
		  uint64_t *pages, char *err, size_t errlen);

/* ---- the other sections (sections.c) ---------------------------------- */

/*
 * With the vCPU parked, under io_lock: the disks, devices, vCPU and
 * machine sections.  0, or -1 with w->err.
 */
int snap_write_state(struct vm *vm, struct snap_writer *w, struct snap_vcpu *v,
		     struct snap_machine *m);
/*
 * One section of a stream, checked; with vm, RAM goes into guest memory
 * (without: only checked against the header's RAM size).  0, or -1 with
 * err.  Shared by file restore, the fuzz harnesses and migration.
 */
int snap_load_section(struct snap_image *im, struct vm *vm, uint32_t type,
		      const uint8_t *p, uint64_t len, char *err, size_t errlen);

/* ---- writing a running VM (save.c), for files and sockets alike ------- */

/*
 * A first pass sends every page with data, later passes the pages
 * dirtied meanwhile (KVM_GET_DIRTY_LOG on the RAM slots, and every range
 * gpa_ptr() handed out, since KVM does not see vmm's own stores), until
 * the dirty set is small, stops shrinking, or after SNAP_LIVE_MAX_PASSES;
 * the guest is paused only for the last pages and the state.  A later run
 * of a page wins on restore, so the stream stays a valid snapshot.
 */
struct snap_live {
	uint64_t *dirty, *touched;	/* one bit per page of guest RAM; NULL: not live */
	size_t words;
	uint32_t passes;
	uint64_t pages[SNAP_LIVE_MAX_PASSES + 2];	/* pages sent by each pass */
};

/* The header and config: what a receiver sets up from. */
int snap_write_prologue(struct vm *vm, struct snap_writer *w, uint32_t flags);
/* Dirty tracking on; 0, or -1 (nothing changed; also when snap_ctl.live is false). */
int snap_live_start(struct vm *vm, struct snap_live *lc);
/*
 * The passes, the guest running; ready (may be NULL) is called after the
 * first: a migration waits there for the destination.  0 or -1.
 */
int snap_live_passes(struct vm *vm, struct snap_live *lc, struct snap_writer *w,
		     int (*ready)(int fd));
/*
 * With the vCPU paused: the disks flushed, then RAM (lc's dirty pages, or
 * with lc not live all of it), the state and the end.  0 or -1.
 */
int snap_write_paused(struct vm *vm, struct snap_live *lc, struct snap_writer *w);
/* Tracking off, memory freed. */
void snap_live_stop(struct vm *vm, struct snap_live *lc);
/* Hands a save or a migration to the main thread and waits (save.c). */
int snap_ask(struct vm *vm, const char *path, bool quit, bool migrate,
	     char *msg, size_t msglen);

/* ---- migration's side (migrate.c) ------------------------------------- */

void snap_migrate_init(struct snap_migration *mg);
void snap_migrate_close(struct snap_migration *mg);
/*
 * The main thread: migrates the running VM to target.  0 when the
 * destination runs it (this VM then stops with VMM_EXIT_MIGRATED), -1 when
 * it goes on here; msg says what happened.
 */
int snap_migrate_out(struct vm *vm, const char *target, char *msg, size_t msglen);
void snap_migrate_stats(const struct vm *vm, struct json *j);

#endif
