// SPDX-License-Identifier: MIT
/*
 * A migration stream as `vmm --incoming fd:N` reads it: through a socket,
 * section by section (snap_reader_fd), by migrate_accept() (header and
 * config) and migrate_receive() (RAM into guest memory as it comes, the
 * bounds on passes and repeated sections, the rest into the image).  The
 * input is framed as the snapshot harness's odd inputs are: a u64 RAM size,
 * then sections {type u8, length u16, payload}, written with valid
 * checksums and the migration flag, so the decoders behind the CRCs get
 * arbitrary payloads.  Guest RAM is 1 MiB; nothing may land outside it.
 * Covers: vmm/migrate.c vmm/snapshot_file.c vmm/snapshot.c vmm/snapshot_ram.c
 */
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../vmm/snapshot.h"
#include "../../vmm/vm.h"
#include "fuzz.h"
#include "snap_frame.h"

#define RAM	(1u << 20)

static struct vm vm;
static uint8_t *guard;		/* the page after guest RAM, never written */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	vm_init(&vm);
	vm.mem.size = RAM;
	vm.mem.base = mmap(NULL, RAM + SNAP_PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm.mem.base == MAP_FAILED)
		abort();
	guard = vm.mem.base + RAM;
	return 0;
}

/* The input as a stream with valid checksums, written into fd. */
static void send_stream(struct in *in, int fd)
{
	struct snap_writer w;
	struct snap_header h = { .ram_bytes = take(in, 8), .flags = SNAP_F_MIGRATION };

	if (snap_writer_init(&w, fd))
		abort();
	snap_write_header(&w, &h);
	fuzz_snap_sections(in, &w);
	/* odd lengths leave the end off: a sender that hangs up early */
	if (!(in->n & 1))
		snap_finish(&w);
	else
		snap_flush(&w);
	snap_writer_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	static struct snap_image im;
	char spec[32];
	int sv[2], fd = -1;

	/* the whole stream fits the socket's buffer: no second thread */
	if (size > 60000 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return 0;
	int big = 1 << 20;

	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	send_stream(&in, sv[0]);
	shutdown(sv[0], SHUT_WR);
	snprintf(spec, sizeof(spec), "fd:%d", sv[1]);
	if (migrate_accept(&im, spec, &fd, -1, 0) == 0) {
		FUZZ_ASSERT(im.config_text && fd == sv[1]);
		migrate_receive(&im, &vm, fd);
		FUZZ_ASSERT(im.ndisks <= SNAP_MAX_DISKS);
		FUZZ_ASSERT(im.ram_pages_loaded <= im.ram_pages_max);
	}
	for (size_t i = 0; i < SNAP_PAGE; i++)
		FUZZ_ASSERT(!guard[i]);
	snapshot_image_free(&im);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
