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
	/*
	 * io_lock is taken only to drain and to wait, never while spinning:
	 * the vCPU thread needs it for every exit.
	 */
	while (!__atomic_load_n(&vm->iot.stop, __ATOMIC_ACQUIRE)) {
		uint64_t t = now_ns();

		/*
		 * trylock: when the lock is taken, the vCPU thread is in an exit
		 * and drains the ring itself; blocking here would only add a
		 * futex wake-up, which costs up to a millisecond on these hosts.
		 */
		if (!ring_empty(vm) && pthread_mutex_trylock(&vm->io_lock) == 0) {
			vm_sync(vm);
			pthread_mutex_unlock(&vm->io_lock);
			wait_us = POLL_MIN_US;
			active = t;
		}
		/*
		 * Between two sectors nobody asks, but the next command comes
		 * within microseconds: keep spinning a little, since waking a
		 * sleeping thread here takes up to a millisecond.
		 */
		if (!__atomic_load_n(&vm->iot.pollers, __ATOMIC_ACQUIRE) &&
		    t - active >= SPIN_NS) {
			pthread_mutex_lock(&vm->io_lock);
			while (!vm->iot.pollers && !vm->iot.stop)
				pthread_cond_wait(&vm->iot.cond, &vm->io_lock);
			pthread_mutex_unlock(&vm->io_lock);
			wait_us = POLL_MIN_US;
			active = now_ns();
		} else if (t - active < SPIN_NS) {
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
	}
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
	__atomic_store_n(&vm->iot.stop, true, __ATOMIC_RELEASE);
	pthread_cond_signal(&vm->iot.cond);
	pthread_mutex_unlock(&vm->io_lock);
	pthread_join(vm->iot.thread, NULL);
	pthread_cond_destroy(&vm->iot.cond);
	vm->iot.started = false;
}

/* Called with io_lock held, by a device entering or leaving a wait. */
void iothread_poll(struct vm *vm, bool on)
{
	unsigned int n = vm->iot.pollers;

	if (on) {
		__atomic_store_n(&vm->iot.pollers, n + 1, __ATOMIC_RELEASE);
		if (n == 0 && vm->iot.started)
			pthread_cond_signal(&vm->iot.cond);
	} else if (n) {
		__atomic_store_n(&vm->iot.pollers, n - 1, __ATOMIC_RELEASE);
	}
}
