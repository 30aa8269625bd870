// SPDX-License-Identifier: MIT
/*
 * The I/O thread: replays the coalesced ring while some device waits for
 * data that may sit there.  A guest that writes the last words of a sector
 * to a coalesced data port and then halts until IRQ 14 makes no further
 * exit, so without this thread its write would never complete.
 *
 * It polls only while a device asked for it (iothread_poll(vm, true), for
 * instance the ATA controller during a data-out phase) and otherwise sleeps
 * on a condition variable, so an idle VM costs no CPU.  While polling, an
 * empty ring doubles the sleep up to POLL_MAX_US, so a guest that stalls
 * in the middle of a sector does not keep a core busy.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "vm.h"

#define POLL_MIN_US	20
#define POLL_MAX_US	1000

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
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/* the default 50 us slack would make every poll three times longer */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	pthread_mutex_lock(&vm->io_lock);
	while (!vm->iot.stop) {
		if (!vm->iot.pollers) {
			pthread_cond_wait(&vm->iot.cond, &vm->io_lock);
			wait_us = POLL_MIN_US;
			continue;
		}
		uint64_t before = STAT_GET(vm->stats.coalesced_drained);

		coalesced_drain(vm);
		if (STAT_GET(vm->stats.coalesced_drained) != before)
			wait_us = POLL_MIN_US;
		else if (wait_us < POLL_MAX_US)
			wait_us *= 2;
		pthread_mutex_unlock(&vm->io_lock);
		sleep_us(wait_us);
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
