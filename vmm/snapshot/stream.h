/* SPDX-License-Identifier: MIT */
/*
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
#ifndef VMM_SNAPSHOT_FILE_H
#define VMM_SNAPSHOT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

struct snap_header {
	uint32_t version;
	char vmm_version[16];	/* NUL-terminated */
	uint64_t ram_bytes;
	uint32_t flags;
};

uint32_t crc32c(uint32_t crc, const void *buf, size_t len);
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

#endif
