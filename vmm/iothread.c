// SPDX-License-Identifier: MIT
/*
 * The I/O thread: replays the coalesced ring while some device waits for
 * data that may sit there.  A guest that writes the last words of a sector
 * to a coalesced data port and then halts until IRQ 14 makes no further
 * exit, so without this thread its write would never complete.
 *
 * It polls only while a device asked for it (iothread_poll(vm, true), for
 * instance the ATA controller during a data-out phase) and otherwise sleeps
 * on a condition variable, so an idle VM costs no CPU.  While asked, it
 * spins on the ring's indices (a read-only peek, no lock) and drains as soon
 * as entries appear: on these nested hosts a 20 us nanosleep takes 45 us on
 * average and several hundred at times, and waking a thread blocked on the
 * condition variable up to a millisecond: long enough for a guest writing a
 * sector word by word (~4 us per word) to fill the 169-entry ring and take
 * the exit this thread is there to save.  So it also keeps spinning for
 * SPIN_NS after the last entry even when nobody asks (the next sector's
 * command follows within microseconds), then sleeps, doubling up to
 * POLL_MAX_US while a device still asks, so a guest that stalls in the
 * middle of a sector does not keep a core busy.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "vm.h"

#define SPIN_NS		300000
#define POLL_MIN_US	20
#define POLL_MAX_US	1000

static bool ring_empty(const struct vm *vm)
{
	const struct kvm_coalesced_mmio_ring *r = vm->ring;

	return !r || __atomic_load_n(&r->first, __ATOMIC_RELAXED) ==
		     __atomic_load_n(&r->last, __ATOMIC_ACQUIRE);
}

static void sleep_us(unsigned int us)
{
	struct timespec ts = { 0, (long)us * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void *iothread_main(void *arg)
{
	struct vm *vm = arg;
	unsigned int wait_us = POLL_MIN_US;
	uint64_t active = now_ns();
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/* the default 50 us slack would stretch every sleep */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	pthread_mutex_lock(&vm->io_lock);
	while (!vm->iot.stop) {
		/*
		 * Between two sectors nobody asks, but the next command comes
		 * within microseconds: keep spinning a little, since waking a
		 * sleeping thread here takes up to a millisecond.
		 */
		if (!vm->iot.pollers && now_ns() - active >= SPIN_NS) {
			pthread_cond_wait(&vm->iot.cond, &vm->io_lock);
			wait_us = POLL_MIN_US;
			active = now_ns();
			continue;
		}
		uint64_t t = now_ns();

		if (!ring_empty(vm)) {
			coalesced_drain(vm);
			wait_us = POLL_MIN_US;
			active = t;
		}
		pthread_mutex_unlock(&vm->io_lock);
		if (t - active < SPIN_NS) {
			/* no pause: in a VM it may exit to the host and yield */
			for (int i = 0; i < 256 && ring_empty(vm); i++)
				__asm__ volatile("" ::: "memory");
			/* polite on a loaded host: the vCPU may want this core */
			if (ring_empty(vm))
				sched_yield();
		} else {
			sleep_us(wait_us);
			if (wait_us < POLL_MAX_US)
				wait_us *= 2;
		}
		pthread_mutex_lock(&vm->io_lock);
	}
	pthread_mutex_unlock(&vm->io_lock);
	return NULL;
}

int iothread_start(struct vm *vm)
{
	pthread_cond_init(&vm->iot.cond, NULL);
	vm->iot.stop = false;
	int e = pthread_create(&vm->iot.thread, NULL, iothread_main, vm);

	if (e) {
		fprintf(stderr, "vmm: cannot start the I/O thread: %s\n", strerror(e));
		return -1;
	}
	vm->iot.started = true;
	return 0;
}

void iothread_stop(struct vm *vm)
{
	if (!vm->iot.started)
		return;
	pthread_mutex_lock(&vm->io_lock);
	vm->iot.stop = true;
	pthread_cond_signal(&vm->iot.cond);
	pthread_mutex_unlock(&vm->io_lock);
	pthread_join(vm->iot.thread, NULL);
	pthread_cond_destroy(&vm->iot.cond);
	vm->iot.started = false;
}

/* Called with io_lock held, by a device entering or leaving a wait. */
void iothread_poll(struct vm *vm, bool on)
{
	if (on) {
		if (vm->iot.pollers++ == 0 && vm->iot.started)
			pthread_cond_signal(&vm->iot.cond);
	} else if (vm->iot.pollers) {
		vm->iot.pollers--;
	}
}
