// SPDX-License-Identifier: MIT
/*
 * A restored VM starts before its RAM is checked.  Checking a snapshot
 * file means reading every byte of it for its CRCs: 80 MB of a Linux
 * guest at its prompt took 15 ms here and over a second in a nested VM,
 * which is most of a restore.  So snap_read() checks everything but the
 * RAM sections' bytes (their runs, bounds and padding included), maps
 * them as guest RAM, and this thread checks the file whole, exactly as a
 * restore did before, while the VM starts.
 *
 * What the guest does before the verdict stays inside it: a disk write
 * waits for the verdict (main.c puts snap_ram_verified() on the images'
 * write_gate, devices/disk_image.c), and so do serial output, a save, a
 * migration and the screen dump at exit.  A corrupt file stops
 * the VM with the message and status a restore gives it up front (2);
 * no disk image has changed.
 *
 * Only a mapped file is checked this way: a copied one (others may
 * write it) and a migration stream are checked as they are read.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "../vm.h"
#include "internal.h"

static void verdict(struct snap_verify *v, int value)
{
	pthread_mutex_lock(&v->lock);
	v->ns = now_ns() - v->t0;
	__atomic_store_n(&v->verdict, value, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&v->cond);
	pthread_mutex_unlock(&v->lock);
}

static int until_stopped(void *arg, uint32_t type, const uint8_t *p, uint64_t len)
{
	const struct snap_verify *v = arg;

	return __atomic_load_n(&v->stop, __ATOMIC_ACQUIRE);
}

/* The same walk as a restore's, with nothing deferred. */
static void *verify_main(void *arg)
{
	struct vm *vm = arg;
	struct snap_verify *v = &vm->snap->verify;
	struct snap_reader r;
	int k;

	snap_reader_buffer(&r, v->path, v->data, v->len);
	k = snap_walk(&r, until_stopped, v);
	if (k < 0) {
		/*
		 * The same words whoever stops the VM first, this thread or
		 * the guest (corrupt RAM may crash it, or a check of its own
		 * may end it): finish() says them when the guest was first.
		 */
		snprintf(v->err, sizeof(v->err), "%s%s", r.err, v->started ?
			 " (found as the restored VM started: it is stopped, and no disk "
			 "image changed)" : "");
		verdict(v, -1);
		vm_stop(vm, STOP_ERROR, VMM_EXIT_USAGE, "%s", v->err);
		return NULL;
	}
	verdict(v, k == 0 ? 1 : -1);
	return NULL;
}

int snap_verify_start(struct vm *vm, struct snap_image *im)
{
	struct snap_verify *v = vm->snap ? &vm->snap->verify : NULL;
	int e;

	if (!im->deferred)
		return 0;
	if (!v)
		return -1;
	*v = (struct snap_verify){ .data = im->data, .len = im->len, .t0 = now_ns() };
	snprintf(v->path, sizeof(v->path), "%s", im->path);
	pthread_mutex_init(&v->lock, NULL);
	pthread_cond_init(&v->cond, NULL);
	/* the mapping is the thread's now: freeing the image leaves it */
	im->data = NULL;
	v->active = true;
	v->started = true;
	e = pthread_create(&v->thread, NULL, verify_main, vm);
	if (e) {
		/* no thread: check now, as a restore always did */
		v->started = false;
		verify_main(vm);
		if (v->verdict == 1)
			return 0;
		fprintf(stderr, "vmm: %s\n", v->err);
		return -1;
	}
	return 0;
}

bool snap_ram_verified(struct vm *vm)
{
	struct snap_verify *v = vm->snap ? &vm->snap->verify : NULL;
	int value;

	if (!v || !v->active)
		return true;
	value = __atomic_load_n(&v->verdict, __ATOMIC_ACQUIRE);
	if (value)
		return value > 0;
	pthread_mutex_lock(&v->lock);
	while (!v->verdict)
		pthread_cond_wait(&v->cond, &v->lock);
	value = v->verdict;
	pthread_mutex_unlock(&v->lock);
	return value > 0;
}

const char *snap_verify_error(const struct vm *vm)
{
	const struct snap_verify *v = vm->snap ? &vm->snap->verify : NULL;

	return v && v->active && v->verdict < 0 ? v->err : NULL;
}

void snap_verify_end(struct vm *vm)
{
	struct snap_verify *v = vm->snap ? &vm->snap->verify : NULL;

	if (!v || !v->active)
		return;
	__atomic_store_n(&v->stop, true, __ATOMIC_RELEASE);
	if (v->started)
		pthread_join(v->thread, NULL);
	v->started = false;
	if (v->data)
		munmap((void *)v->data, v->len);
	v->data = NULL;
	pthread_mutex_destroy(&v->lock);
	pthread_cond_destroy(&v->cond);
	v->active = false;
}
