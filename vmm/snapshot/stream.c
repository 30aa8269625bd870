// SPDX-License-Identifier: MIT
/*
 * The snapshot container (see internal.h): CRC32C, the writer and the
 * reader.  Nothing here knows KVM or devices; the fuzz harness drives the
 * reader on arbitrary bytes.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "internal.h"

#ifndef VMM_VERSION
#define VMM_VERSION "0.1"
#endif

#define WBUF_SIZE	(256u << 10)

/* ---- CRC32C (Castagnoli): the SSE4.2 instruction, else a table ------- */

static uint32_t crc_table[256];

static void crc_table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc_soft(uint32_t c, const uint8_t *p, size_t n)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, crc_table_init);
	while (n--)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c;
}

#if defined(__x86_64__)
/*
 * The instruction takes 3 cycles and can start one a cycle: three lanes
 * over neighbouring blocks of LANE bytes run three times as fast, and
 * their CRCs are joined by shifting the first two over the blocks after
 * them.  The raw CRC is linear, so a shift by n zero bytes is a table
 * lookup per byte of the CRC (shift[k][b]: b << 8k shifted), built once.
 */
#define LANE	4096u

static uint32_t shift_l[4][256], shift_2l[4][256];

__attribute__((target("sse4.2")))
static uint32_t zeros_hw(uint32_t c, size_t n)
{
	uint64_t c64 = c;

	for (; n; n -= 8)
		c64 = __builtin_ia32_crc32di(c64, 0);
	return (uint32_t)c64;
}

/* Each bit shifted once; a table entry is the XOR of its bits' shifts. */
__attribute__((target("sse4.2")))
static void shift_init(void)
{
	uint32_t bit_l[32], bit_2l[32];

	for (int b = 0; b < 32; b++) {
		bit_l[b] = zeros_hw(1u << b, LANE);
		bit_2l[b] = zeros_hw(1u << b, 2 * LANE);
	}
	for (int k = 0; k < 4; k++)
		for (uint32_t v = 0; v < 256; v++) {
			uint32_t l = 0, l2 = 0;

			for (int i = 0; i < 8; i++)
				if (v & (1u << i)) {
					l ^= bit_l[8 * k + i];
					l2 ^= bit_2l[8 * k + i];
				}
			shift_l[k][v] = l;
			shift_2l[k][v] = l2;
		}
}

static uint32_t shift(uint32_t t[4][256], uint32_t c)
{
	return t[0][c & 0xff] ^ t[1][(c >> 8) & 0xff] ^ t[2][(c >> 16) & 0xff] ^ t[3][c >> 24];
}

__attribute__((target("sse4.2")))
static uint32_t crc_hw(uint32_t c, const uint8_t *p, size_t n)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	uint64_t c64 = c;

	if (n >= 3 * LANE)
		pthread_once(&once, shift_init);
	for (; n >= 3 * LANE; n -= 3 * LANE, p += 3 * LANE) {
		uint64_t a = c64, b = 0, d = 0, va, vb, vd;

		for (size_t i = 0; i < LANE; i += 8) {
			memcpy(&va, p + i, 8);
			memcpy(&vb, p + LANE + i, 8);
			memcpy(&vd, p + 2 * LANE + i, 8);
			a = __builtin_ia32_crc32di(a, va);
			b = __builtin_ia32_crc32di(b, vb);
			d = __builtin_ia32_crc32di(d, vd);
		}
		c64 = shift(shift_2l, (uint32_t)a) ^ shift(shift_l, (uint32_t)b) ^ (uint32_t)d;
	}
	for (; n >= 8; n -= 8, p += 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c64 = __builtin_ia32_crc32di(c64, v);
	}
	c = (uint32_t)c64;
	while (n--)
		c = __builtin_ia32_crc32qi(c, *p++);
	return c;
}
#endif

uint32_t snap_crc32c(uint32_t crc, const void *buf, size_t len)
{
	uint32_t c = ~crc;

#if defined(__x86_64__)
	if (__builtin_cpu_supports("sse4.2"))
		return ~crc_hw(c, buf, len);
#endif
	return ~crc_soft(c, buf, len);
}

const char *snap_type_name(uint32_t type)
{
	static const char *const names[SNAP_TYPES] = {
		[SNAP_CONFIG] = "config", [SNAP_DISKS] = "disks",
		[SNAP_VCPU] = "vcpu", [SNAP_MACHINE] = "machine",
		[SNAP_DEVICES] = "devices", [SNAP_RAM] = "ram", [SNAP_END] = "end",
	};

	return type < SNAP_TYPES && names[type] ? names[type] : "unknown";
}

/* The most a section of each type may hold: a bound before any allocation. */
static uint64_t type_max(uint32_t type)
{
	switch (type) {
	case SNAP_CONFIG: return 64u << 10;
	case SNAP_DISKS: return 16u << 10;
	case SNAP_VCPU: return 256u << 10;
	case SNAP_MACHINE: return 64u << 10;
	case SNAP_DEVICES: return 16u << 20;
	/*
	 * A run's header, then in a file up to a page of padding before its
	 * data: a page of data between zero pages costs two pages and a
	 * header (Linux's memory is such a patchwork).
	 */
	case SNAP_RAM: return (uint64_t)SNAP_RAM_CHUNK * (2 * SNAP_PAGE + 16);
	case SNAP_END: return 4;
	}
	return 0;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* ---- writer ---------------------------------------------------------- */

int snap_writer_init(struct snap_writer *w, int fd)
{
	*w = (struct snap_writer){ .fd = fd };
	w->buf = malloc(WBUF_SIZE);
	if (!w->buf)
		w->err = ENOMEM;
	return w->buf ? 0 : -1;
}

void snap_writer_free(struct snap_writer *w)
{
	free(w->buf);
	w->buf = NULL;
}

static void write_all(struct snap_writer *w, const uint8_t *p, size_t n)
{
	while (n && !w->err) {
		ssize_t got = write(w->fd, p, n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			w->err = got < 0 ? errno : EIO;
			return;
		}
		p += got;
		n -= (size_t)got;
	}
}

int snap_flush(struct snap_writer *w)
{
	write_all(w, w->buf, w->used);
	w->used = 0;
	return w->err;
}

/*
 * Raw bytes: copied into the buffer, then counted in the stream's and the
 * section's CRC from the copy.  The source may be guest RAM that the guest
 * is writing (a live copy): read once, the CRCs and the file agree.
 */
static void emit(struct snap_writer *w, const void *p, size_t n)
{
	const uint8_t *s = p;

	while (n && !w->err) {
		size_t k = WBUF_SIZE - w->used < n ? WBUF_SIZE - w->used : n;
		uint8_t *d = w->buf + w->used;

		if (!k) {
			snap_flush(w);
			continue;
		}
		memcpy(d, s, k);
		w->crc = snap_crc32c(w->crc, d, k);
		w->sec_crc = snap_crc32c(w->sec_crc, d, k);
		w->used += k;
		w->bytes += k;
		s += k;
		n -= k;
	}
}

void snap_write_header(struct snap_writer *w, const struct snap_header *h)
{
	uint8_t b[SNAP_HEADER_SIZE] = { 0 };

	memcpy(b, SNAP_MAGIC, 8);
	put_le(b + 8, SNAP_FORMAT_VERSION, 4);
	put_le(b + 12, SNAP_HEADER_SIZE, 4);
	snprintf((char *)b + 16, 16, "%s", VMM_VERSION);
	put_le(b + 32, h->ram_bytes, 8);
	put_le(b + 40, h->flags, 4);
	put_le(b + 60, snap_crc32c(0, b, 60), 4);
	emit(w, b, sizeof(b));
}

void snap_begin(struct snap_writer *w, uint32_t type, uint64_t len)
{
	uint8_t b[SNAP_SECTION_HEAD] = { 0 };

	put_le(b, type, 4);
	put_le(b + 8, len, 8);
	w->sec_crc = 0;
	w->sec_left = len;
	emit(w, b, sizeof(b));
}

void snap_put(struct snap_writer *w, const void *p, size_t n)
{
	if (n > w->sec_left && !w->err)
		w->err = EINVAL;	/* a bug: more than the section announced */
	w->sec_left -= w->err ? 0 : n;
	emit(w, p, n);
}

void snap_end_section(struct snap_writer *w)
{
	uint8_t b[4];

	if (w->sec_left && !w->err)
		w->err = EINVAL;
	put_le(b, w->sec_crc, 4);
	emit(w, b, 4);
}

void snap_section(struct snap_writer *w, uint32_t type, const void *p, size_t n)
{
	snap_begin(w, type, n);
	snap_put(w, p, n);
	snap_end_section(w);
}

int snap_finish(struct snap_writer *w)
{
	uint8_t b[4];

	put_le(b, w->crc, 4);
	snap_section(w, SNAP_END, b, 4);
	return snap_flush(w);
}

/* ---- reader ---------------------------------------------------------- */

void snap_reader_buffer(struct snap_reader *r, const char *name,
			const void *buf, size_t len)
{
	/* never NULL: an empty file (nothing mapped) is a buffer too, not an fd */
	*r = (struct snap_reader){ .name = name, .buf = buf ? buf : (const void *)"",
				   .len = len, .fd = -1 };
}

void snap_reader_fd(struct snap_reader *r, const char *name, int fd)
{
	*r = (struct snap_reader){ .name = name, .fd = fd, .stop_fd = -1 };
}

void snap_reader_free(struct snap_reader *r)
{
	free(r->own);
	r->own = NULL;
	r->own_cap = 0;
}

int snap_wait(int fd, int stop_fd, int timeout_ms, int *signo)
{
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
			       { .fd = stop_fd, .events = POLLIN } };

	*signo = 0;
	for (;;) {
		struct signalfd_siginfo si;
		int n = poll(p, stop_fd >= 0 ? 2 : 1, timeout_ms);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n;
		if (!(p[1].revents & POLLIN))
			return 1;	/* data, or the end: read() says which */
		if (read(stop_fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			continue;
		if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM ||
		    si.ssi_signo == SIGHUP || si.ssi_signo == SIGQUIT) {
			*signo = (int)si.ssi_signo;
			return -1;
		}
	}
}

/* A reason that outranks the "truncated" that take()'s caller would say. */
__attribute__((format(printf, 2, 3)))
static int halt(struct snap_reader *r, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, sizeof(r->err), "%s: ", r->name);

	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	r->halted = true;
	return -1;
}

__attribute__((format(printf, 2, 3)))
static int bad(struct snap_reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->halted)
		return -1;
	int n = snprintf(r->err, sizeof(r->err), "%s: ", r->name);

	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* n bytes at *p: in place from a buffer, else read into dst. */
static int take(struct snap_reader *r, size_t n, uint8_t *dst, const uint8_t **p)
{
	if (r->buf) {
		if (n > r->len - r->pos)
			return -1;
		*p = r->buf + r->pos;
		r->pos += n;
		r->got += n;
		return 0;
	}
	for (size_t got = 0; got < n;) {
		int w = snap_wait(r->fd, r->stop_fd, r->idle_ms ? r->idle_ms : -1,
				  &r->stop_signo);

		if (w == 0)
			return halt(r, "the sender sent nothing for %g s (--incoming-timeout)",
				    r->idle_ms / 1e3);
		if (w < 0 && r->stop_signo)
			return halt(r, "stopped by SIG%s (%s) while the sender was sending",
				    sigabbrev_np(r->stop_signo), sigdescr_np(r->stop_signo));
		ssize_t k = read(r->fd, dst + got, n - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
		r->got += (uint64_t)k;
	}
	*p = dst;
	return 0;
}

int snap_read_header(struct snap_reader *r)
{
	uint8_t b[SNAP_HEADER_SIZE];
	const uint8_t *p;

	if (take(r, sizeof(b), b, &p)) {
		/* what did come: a short file of anything else is no snapshot */
		const uint8_t *part = r->buf ? r->buf + r->pos : b;
		size_t n = r->buf ? r->len - r->pos : (size_t)r->got;

		if (n && memcmp(part, SNAP_MAGIC, n < 8 ? n : 8))
			return bad(r, "not a vmm snapshot (no VMM-SNAP magic)");
		return bad(r, "truncated: %s", n ? "shorter than a snapshot header" : "empty");
	}
	if (memcmp(p, SNAP_MAGIC, 8))
		return bad(r, "not a vmm snapshot (no VMM-SNAP magic)");
	uint32_t v = (uint32_t)get_le(p + 8, 4);

	if (v < SNAP_FORMAT_VERSION)
		return bad(r, "snapshot format version %u, from an older vmm: this vmm "
			   "cannot load it (it reads version %u, whose records carry "
			   "their own versions); restore it with the vmm that saved it",
			   v, SNAP_FORMAT_VERSION);
	if (v > SNAP_FORMAT_VERSION)
		return bad(r, "snapshot format version %u, from a newer vmm: this vmm "
			   "reads version %u", v, SNAP_FORMAT_VERSION);
	if (get_le(p + 12, 4) != SNAP_HEADER_SIZE ||
	    get_le(p + 60, 4) != snap_crc32c(0, p, 60))
		return bad(r, "corrupted: the header's checksum does not match");
	r->h.version = v;
	memcpy(r->h.vmm_version, p + 16, 15);
	r->h.vmm_version[15] = 0;
	r->h.ram_bytes = get_le(p + 32, 8);
	r->h.flags = (uint32_t)get_le(p + 40, 4);
	r->crc = snap_crc32c(0, p, SNAP_HEADER_SIZE);
	return 0;
}

/* Room for an fd source's payload: at most the type's bound, so bounded. */
static int own_room(struct snap_reader *r, size_t n)
{
	if (n <= r->own_cap)
		return 0;
	uint8_t *b = realloc(r->own, n);

	if (!b)
		return bad(r, "out of memory");
	r->own = b;
	r->own_cap = n;
	return 0;
}

int snap_next(struct snap_reader *r, uint32_t *type, const uint8_t **payload,
	      uint64_t *len)
{
	uint8_t hb[SNAP_SECTION_HEAD], cb[4];
	const uint8_t *h, *p, *c;
	uint32_t before = r->crc;

	if (take(r, sizeof(hb), hb, &h))
		return bad(r, "truncated: the stream ends before its end section");
	*type = (uint32_t)get_le(h, 4);
	*len = get_le(h + 8, 8);
	const char *tn = snap_type_name(*type);

	if (!type_max(*type))
		return bad(r, "corrupted: unknown section type %u", *type);
	if (*len > type_max(*type))
		return bad(r, "corrupted: section '%s' claims %llu bytes (at most %llu)",
			   tn, (unsigned long long)*len,
			   (unsigned long long)type_max(*type));
	uint32_t sc = snap_crc32c(0, h, sizeof(hb));

	if (!r->buf && own_room(r, (size_t)*len ? (size_t)*len : 1))
		return -1;
	if (take(r, (size_t)*len, r->own, &p) || take(r, 4, cb, &c))
		return bad(r, "truncated: section '%s' needs %llu bytes",
			   tn, (unsigned long long)*len + 4);
	*payload = p;
	if (r->defer_ram && *type == SNAP_RAM) {
		r->crc_deferred = true;
		return 1;
	}
	sc = snap_crc32c(sc, p, (size_t)*len);
	if (get_le(c, 4) != sc)
		return bad(r, "corrupted: the checksum of section '%s' does not match", tn);
	r->crc = snap_crc32c(snap_crc32c(r->crc, h, sizeof(hb)), p, (size_t)*len);
	r->crc = snap_crc32c(r->crc, c, 4);
	if (*type != SNAP_END)
		return 1;
	if (*len != 4 || (!r->crc_deferred && get_le(p, 4) != before))
		return bad(r, "corrupted: the stream's checksum does not match");
	if (r->buf && r->pos != r->len)
		return bad(r, "corrupted: %zu bytes after the end section",
			   r->len - r->pos);
	return 0;
}

int snap_walk(struct snap_reader *r, snap_each each, void *arg)
{
	uint32_t type;
	const uint8_t *p;
	uint64_t len;
	int k, e;

	if (snap_read_header(r))
		return -1;
	while ((k = snap_next(r, &type, &p, &len)) > 0)
		if ((e = each(arg, type, p, len)))
			return e;
	return k;
}
