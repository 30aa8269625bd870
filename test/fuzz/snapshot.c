// SPDX-License-Identifier: MIT
/*
 * The snapshot parser: the container and every section's decoder, as
 * `vmm --restore` runs them before anything is set up.  The first byte
 * picks how the rest is read:
 *   even  the rest is a snapshot file as is (header, sections, CRCs)
 *   odd   a u64 RAM size, then sections as {type u8, length u16, payload};
 *         the harness writes them as a stream with valid checksums, so
 *         the decoders behind the CRCs get arbitrary payloads too
 * Whatever loads must keep the bounds restore relies on, and freeing the
 * image must release everything (LeakSanitizer).
 * Covers: vmm/snapshot/stream.c vmm/snapshot/sections.c vmm/snapshot/kvm_state.c vmm/snapshot/ram.c
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../vmm/snapshot/internal.h"
#include "fuzz.h"
#include "snap_frame.h"

static int memfd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	memfd = memfd_create("snapshot-fuzz", MFD_CLOEXEC);
	if (memfd < 0)
		abort();
	return 0;
}

/* Framed input to a stream with valid checksums, in a malloc'd buffer. */
static uint8_t *frame(struct in *in, size_t *len)
{
	struct snap_writer w;
	struct snap_header h = { .ram_bytes = take(in, 8) };

	if (ftruncate(memfd, 0) || lseek(memfd, 0, SEEK_SET) || snap_writer_init(&w, memfd))
		abort();
	snap_write_header(&w, &h);
	fuzz_snap_sections(in, &w);
	snap_finish(&w);
	snap_writer_free(&w);
	*len = (size_t)w.bytes;
	uint8_t *buf = malloc(*len);

	if (!buf || pread(memfd, buf, *len, 0) != (ssize_t)*len)
		abort();
	return buf;
}

static void check(const struct snap_image *im)
{
	FUZZ_ASSERT(im->ndisks <= SNAP_MAX_DISKS);
	for (uint32_t i = 0; i < im->ndisks; i++) {
		FUZZ_ASSERT(im->disk[i].slot < SNAP_MAX_DISKS);
		FUZZ_ASSERT(memchr(im->disk[i].path, 0, sizeof(im->disk[i].path)));
	}
	FUZZ_ASSERT(im->vcpu.nmsrs <= SNAP_MAX_MSRS);
	FUZZ_ASSERT(!im->vcpu.xsave_size == !im->vcpu.xsave);
	FUZZ_ASSERT(im->vcpu.xsave_size <= SNAP_XSAVE_MAX);
	FUZZ_ASSERT(!im->have_devices || im->devices);
	for (int i = 0; im->have_machine && i < 3; i++)
		FUZZ_ASSERT(im->machine.chip[i].chip_id == (uint32_t)i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	bool framed = take(&in, 1) & 1;
	size_t len = in.n;
	uint8_t *buf = framed ? frame(&in, &len) : NULL;
	static struct snap_image im;
	struct snap_reader r;
	uint32_t type;
	const uint8_t *p;
	uint64_t n;
	char err[200];

	im = (struct snap_image){ .path = "fuzz.snap" };
	snap_reader_buffer(&r, "fuzz.snap", buf ? buf : in.p, len);
	if (snap_read_header(&r) == 0) {
		im.h = r.h;
		while (snap_next(&r, &type, &p, &n) > 0) {
			FUZZ_ASSERT(p + n <= (buf ? buf : in.p) + len);
			if (snap_load_section(&im, NULL, type, p, n, err, sizeof(err)))
				break;
			check(&im);
		}
	}
	check(&im);
	snap_image_free(&im);
	free(buf);
	return 0;
}
