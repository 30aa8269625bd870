// SPDX-License-Identifier: MIT
/*
 * Raw image backend.  The lab opened its image with O_CREAT|O_TRUNC and
 * so wiped the disk at every start; here an image is only ever opened,
 * and creating one is a separate, explicit step (vmm --create-image).
 *
 * Cache modes, as QEMU names them:
 *   writeback     page cache; fsync on a guest flush and at exit
 *   writethrough  O_DSYNC: every write is on stable storage when acknowledged
 *   none          O_DIRECT through an aligned bounce buffer; fsync on flush
 *   unsafe        page cache; guest flushes and the exit fsync are skipped
 *                 (writes still reach the page cache before they are acked)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../hypercalls/vmm_abi.h"
#include "../vmm/config.h"
#include "../vmm/stats.h"
#include "disk_image.h"

#define BOUNCE_ALIGN	4096
#define BOUNCE_SECTORS	256	/* 128 KiB per O_DIRECT request */

static int open_flags(bool readonly, enum cache_mode cache)
{
	int fl = (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;

	if (cache == CACHE_WRITETHROUGH)
		fl |= O_DSYNC;
	else if (cache == CACHE_NONE)
		fl |= O_DIRECT;
	return fl;
}

/* The size must be a positive number of sectors; the image is locked for us. */
static int check_size_and_lock(struct disk_image *d)
{
	struct stat st;

	if (fstat(d->fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		fprintf(stderr, "vmm: disk image '%s': not a regular file or block device\n",
			d->path);
		return -1;
	}
	off_t size = lseek(d->fd, 0, SEEK_END);

	if (size < 0) {
		fprintf(stderr, "vmm: disk image '%s': %s\n", d->path, strerror(errno));
		return -1;
	}
	if (size == 0 || size % VMM_SECTOR_SIZE) {
		fprintf(stderr, "vmm: disk image '%s': size %lld bytes is not a positive multiple of %d\n",
			d->path, (long long)size, VMM_SECTOR_SIZE);
		return -1;
	}
	d->sectors = (uint64_t)size / VMM_SECTOR_SIZE;
	if (disk_image_lock(d, true) < 0) {
		fprintf(stderr, "vmm: disk image '%s': %s\n", d->path,
			errno == EWOULDBLOCK ? "in use by another process (or attached twice)" :
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Two VMMs writing one image corrupt it; a second reader is harmless. */
int disk_image_lock(struct disk_image *d, bool lock)
{
	int op = !lock ? LOCK_UN : d->readonly ? LOCK_SH : LOCK_EX;

	return flock(d->fd, op | LOCK_NB);
}

/* cache=none: an aligned bounce buffer, and proof that O_DIRECT reads work */
static int direct_io_setup(struct disk_image *d)
{
	if (posix_memalign((void **)&d->bounce, BOUNCE_ALIGN,
			   BOUNCE_SECTORS * VMM_SECTOR_SIZE)) {
		d->bounce = NULL;
		fprintf(stderr, "vmm: disk image '%s': out of memory\n", d->path);
		return -1;
	}
	/* O_DIRECT may refuse 512-byte units (4Kn disks): say so now. */
	if (pread(d->fd, d->bounce, VMM_SECTOR_SIZE, 0) != VMM_SECTOR_SIZE) {
		fprintf(stderr, "vmm: disk image '%s': cache=none: %s\n", d->path,
			strerror(errno));
		return -1;
	}
	return 0;
}

int disk_image_open(struct disk_image *d, const char *path, bool readonly,
		    enum cache_mode cache, struct vm_stats *stats)
{
	memset(d, 0, sizeof(*d));
	d->path = path;
	d->readonly = readonly;
	d->cache = cache;
	d->stats = stats;
	d->fd = open(path, open_flags(readonly, cache));
	if (d->fd < 0) {
		int e = errno;

		fprintf(stderr, "vmm: disk image '%s': %s%s\n", path, strerror(e),
			e == EINVAL && cache == CACHE_NONE ?
			" (cache=none needs O_DIRECT, which this file system refuses)" :
			e == ENOENT ? " (create it with: vmm --create-image FILE --size SIZE)" :
			e == EROFS || e == EACCES ? " (or set disk.readonly = true)" : "");
		return -1;
	}
	if (check_size_and_lock(d) || (cache == CACHE_NONE && direct_io_setup(d)))
		goto fail;
	return 0;
fail:
	free(d->bounce);
	d->bounce = NULL;
	close(d->fd);
	d->fd = -1;
	return -1;
}

/* Copies src (size bytes) into a new memfd of whole sectors; -1 with errno. */
static int copy_to_memory(int src, uint64_t size)
{
	int fd = memfd_create("vmm-boot", MFD_CLOEXEC);
	uint8_t buf[4096];
	uint64_t off = 0;

	if (fd < 0)
		return -1;
	while (off < size) {
		ssize_t n = pread(src, buf, sizeof(buf), (off_t)off);

		if (n <= 0 || pwrite(fd, buf, (size_t)n, (off_t)off) != n) {
			if (n == 0)
				errno = EIO;	/* the file shrank while we read it */
			goto fail;
		}
		off += (uint64_t)n;
	}
	if (ftruncate(fd, (off_t)((size + VMM_SECTOR_SIZE - 1) / VMM_SECTOR_SIZE *
				  VMM_SECTOR_SIZE)) == 0)
		return fd;
fail:
	close(fd);
	return -1;
}

int disk_image_open_copy(struct disk_image *d, const char *path, struct vm_stats *stats)
{
	struct stat st;
	int src = open(path, O_RDONLY | O_CLOEXEC);
	const char *why = NULL;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->path = path;
	d->readonly = true;
	d->cache = CACHE_UNSAFE;	/* nothing to flush: it is never written */
	d->stats = stats;
	if (src < 0 || fstat(src, &st) < 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_size == 0)
		why = "is empty";
	else if ((uint64_t)st.st_size > DISK_COPY_MAX)
		why = "is larger than 16 MiB: use disk = { path = ...; } for a disk image";
	else if ((d->fd = copy_to_memory(src, (uint64_t)st.st_size)) < 0)
		why = strerror(errno);
	if (src >= 0)
		close(src);
	if (why) {
		fprintf(stderr, "vmm: boot '%s': %s\n", path, why);
		return -1;
	}
	d->sectors = ((uint64_t)st.st_size + VMM_SECTOR_SIZE - 1) / VMM_SECTOR_SIZE;
	return 0;
}

int disk_image_close(struct disk_image *d)
{
	int r = 0;

	if (d->fd < 0)
		return 0;
	if (!d->readonly && d->cache != CACHE_UNSAFE && fsync(d->fd) < 0) {
		fprintf(stderr, "vmm: disk image '%s': fsync: %s\n", d->path,
			strerror(errno));
		r = -1;
	}
	close(d->fd);
	d->fd = -1;
	free(d->bounce);
	d->bounce = NULL;
	return r;
}

bool disk_image_range_ok(const struct disk_image *d, uint64_t lba,
			 uint64_t count)
{
	return lba <= d->sectors && count <= d->sectors - lba;
}

/* The whole of [off, off + len) or -1: retries short transfers and EINTR. */
static int xfer(int fd, bool write, uint8_t *p, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = write ? pwrite(fd, p, len, (off_t)off) :
				    pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;	/* n == 0: the file shrank under us */
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int rw(struct disk_image *d, bool write, uint64_t lba, uint64_t count,
	      uint8_t *buf)
{
	if (!disk_image_range_ok(d, lba, count))
		return VMM_E_RANGE;
	if (write && d->readonly)
		return VMM_E_ROFS;
	uint64_t off = lba * VMM_SECTOR_SIZE;

	if (!d->bounce) {
		if (xfer(d->fd, write, buf, count * VMM_SECTOR_SIZE, off))
			return VMM_E_IO;
	} else {
		/* O_DIRECT wants aligned memory: go through the bounce buffer */
		for (uint64_t done = 0; done < count;) {
			uint64_t n = count - done < BOUNCE_SECTORS ? count - done : BOUNCE_SECTORS;
			size_t len = n * VMM_SECTOR_SIZE;
			uint8_t *p = buf + done * VMM_SECTOR_SIZE;

			if (write)
				memcpy(d->bounce, p, len);
			if (xfer(d->fd, write, d->bounce, len, off + done * VMM_SECTOR_SIZE))
				return VMM_E_IO;
			if (!write)
				memcpy(p, d->bounce, len);
			done += n;
		}
	}
	if (d->stats) {
		if (write)
			STAT_ADD(d->stats->sectors_written, count);
		else
			STAT_ADD(d->stats->sectors_read, count);
	}
	return VMM_OK;
}

int disk_image_read(struct disk_image *d, uint64_t lba, uint64_t count, void *buf)
{
	return rw(d, false, lba, count, buf);
}

int disk_image_write(struct disk_image *d, uint64_t lba, uint64_t count,
		     const void *buf)
{
	if (d->write_gate && !d->write_gate(d->gate_arg))
		return VMM_E_IO;
	return rw(d, true, lba, count, (uint8_t *)buf);
}

int disk_image_flush(struct disk_image *d)
{
	if (d->stats)
		STAT_INC(d->stats->flushes);
	if (d->readonly || d->cache == CACHE_UNSAFE)
		return VMM_OK;
	return fdatasync(d->fd) < 0 ? VMM_E_IO : VMM_OK;
}

int disk_parse_size(const char *s, uint64_t *bytes)
{
	uint64_t v;

	if (config_parse_size(s, &v) || v % VMM_SECTOR_SIZE)
		return -1;
	*bytes = v;
	return 0;
}

int disk_image_create(const char *path, uint64_t bytes)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0) {
		fprintf(stderr, "vmm: --create-image '%s': %s%s\n", path, strerror(errno),
			errno == EEXIST ? " (refusing to overwrite an existing file)" : "");
		return -1;
	}
	/* sparse: the blocks come when the guest writes them */
	if (ftruncate(fd, (off_t)bytes) < 0 || fsync(fd) < 0) {
		fprintf(stderr, "vmm: --create-image '%s': %s\n", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}
