// SPDX-License-Identifier: MIT
/*
 * The exit loop: KVM_RUN, then hand the exit to the bus that owns it, then
 * KVM_RUN again.  Other threads stop or poke the vCPU with a signal that
 * sets kvm_run->immediate_exit, never with asynchronous cancellation.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "emulate.h"
#include "snapshot/snapshot.h"
#include "vm.h"

/*
 * A real-time signal: SIGUSR1 and SIGUSR2 belong to the user (screen dump,
 * snapshot) and are read from the main thread's signalfd.
 */
#define VCPU_KICK_SIGNAL (SIGRTMIN + 1)

/* Set on the vCPU thread: the signal handler finds its own VM's kvm_run. */
static __thread struct kvm_run *kick_run;
static __thread bool on_vcpu_thread;

void vcpu_release(struct vm *vm)
{
	struct vcpu_ctl *c = &vm->vcpu;

	pthread_mutex_lock(&c->gate_lock);
	c->gate_open = true;
	pthread_cond_broadcast(&c->gate_cond);
	pthread_mutex_unlock(&c->gate_lock);
}

static void kick_handler(int sig)
{
	(void)sig;
	if (kick_run)
		kick_run->immediate_exit = 1;
}

bool vm_stopping(const struct vm *vm)
{
	return __atomic_load_n(&vm->stopping, __ATOMIC_ACQUIRE);
}

const char *vm_stop_name(enum vm_stop_by by)
{
	static const char *const names[] = {
		[STOP_GUEST] = "guest", [STOP_HALT] = "guest", [STOP_RESET] = "guest",
		[STOP_CRASH] = "crash",
		[STOP_SIGNAL] = "signal", [STOP_TIMEOUT] = "timeout",
		[STOP_USER] = "user", [STOP_ERROR] = "error",
		[STOP_MIGRATED] = "migrated",
	};

	return (unsigned int)by < sizeof(names) / sizeof(names[0]) ? names[by] : "error";
}

const char *vm_stop_how(enum vm_stop_by by)
{
	return by == STOP_GUEST ? "exit" : by == STOP_HALT ? "halt" :
	       by == STOP_RESET ? "reset" : NULL;
}

void vm_stop(struct vm *vm, enum vm_stop_by by, int status, const char *fmt, ...)
{
	int expected = 0;

	if (!__atomic_compare_exchange_n(&vm->stopping, &expected, 1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	vm->exit_status = status;
	vm->stop_by = by;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vm->exit_note, sizeof(vm->exit_note), fmt, ap);
	va_end(ap);
	__atomic_store_n(&vm->stopping, 2, __ATOMIC_RELEASE);
	if (vm->wake_fd >= 0) {
		uint64_t one = 1;

		if (write(vm->wake_fd, &one, sizeof(one)) < 0)
			perror("vmm: eventfd");
	}
	if (!on_vcpu_thread)
		vcpu_kick(vm);
}

/*
 * vmm does not reboot: a reset ends the VM, with status 0 unless a device
 * knows better (a firmware with no bootable disk resets after saying so).
 */
void vm_request_reset(struct vm *vm, const char *how)
{
	vm_stop(vm, STOP_RESET, vm->reset.status, "guest requested a reset (%s)%s",
		how, vm->reset.why);
}

void vcpu_kick(struct vm *vm)
{
	struct vcpu_ctl *c = &vm->vcpu;

	pthread_mutex_lock(&c->kick_lock);
	if (c->alive)
		pthread_kill(c->thread, VCPU_KICK_SIGNAL);
	pthread_mutex_unlock(&c->kick_lock);
}

void vcpu_pause(struct vm *vm)
{
	struct vcpu_ctl *c = &vm->vcpu;

	if (!c->started)
		return;
	pthread_mutex_lock(&c->kick_lock);
	c->pause_req = true;
	if (c->alive)
		pthread_kill(c->thread, VCPU_KICK_SIGNAL);
	while (c->alive && !c->paused)
		pthread_cond_wait(&c->pause_cond, &c->kick_lock);
	pthread_mutex_unlock(&c->kick_lock);
}

void vcpu_resume(struct vm *vm)
{
	struct vcpu_ctl *c = &vm->vcpu;

	if (!c->started)
		return;
	pthread_mutex_lock(&c->kick_lock);
	c->pause_req = false;
	pthread_cond_broadcast(&c->pause_cond);
	pthread_mutex_unlock(&c->kick_lock);
}

/*
 * Called after KVM_RUN returned EINTR: KVM finished the exit we handled
 * last (an IN's data is in rax) and ran no instruction, so the state a
 * pauser reads is whole.
 */
static void park_if_asked(struct vcpu_ctl *c)
{
	pthread_mutex_lock(&c->kick_lock);
	if (c->pause_req) {
		c->paused = true;
		pthread_cond_broadcast(&c->pause_cond);
		while (c->pause_req)
			pthread_cond_wait(&c->pause_cond, &c->kick_lock);
		c->paused = false;
	}
	pthread_mutex_unlock(&c->kick_lock);
}

/*
 * This host's KVM emulates real-mode and 32-bit code without opening an
 * interrupt window at STI: an interrupt raised while the guest had them
 * off waits for a KVM_RUN entry that finds them on.  Code that enables
 * them for two instructions (SeaBIOS's int 16h, which GRUB calls in a
 * loop from protected mode) meets one only by chance, once a minute or
 * so: an arrow key took 30 to 110 s to reach GRUB's menu, on QEMU too.
 * Every kick is a new entry, at a new point of the guest's loop; so while
 * a line a device raised is not taken, the vCPU is kicked every
 * NUDGE_MS.  A line up for longer than NUDGE_FOR_NS is one the guest
 * masked or polls: left alone.  True: a line waits, call again soon.
 */
bool vcpu_nudge(struct vm *vm)
{
	uint64_t now = now_ns();
	bool waiting = false, kick = false;

	for (int i = 0; i < 16; i++) {
		uint64_t up = __atomic_load_n(&vm->vcpu.irq_up_ns[i], __ATOMIC_RELAXED);

		if (!up || now - up > NUDGE_FOR_NS)
			continue;
		waiting = true;
		kick |= now - up >= NUDGE_MS * 1000000ull;
	}
	if (kick)
		vcpu_kick(vm);
	return waiting;
}

/* True when the vCPU made no exit since the last call: halted or computing. */
bool vcpu_idle(struct vm *vm, uint64_t *last_exits)
{
	uint64_t e = STAT_GET(vm->stats.exits);
	bool idle = e == *last_exits;

	*last_exits = e;
	return idle;
}

static void crash(struct vm *vm, const char *what)
{
	/* a guest whose RAM vanished with its snapshot file did not crash */
	if (snap_source_shrank(vm))
		return;
	fprintf(stderr, "vmm: %s; registers:\n", what);
	if (vm_dump_regs(vm, stderr))
		vm_stop(vm, STOP_CRASH, VMM_EXIT_CRASH, "%s at rip=%#llx", what,
			(unsigned long long)vm->run->s.regs.regs.rip);
	else
		vm_stop(vm, STOP_CRASH, VMM_EXIT_CRASH, "%s", what);
}

static void handle_exit(struct vm *vm)
{
	struct kvm_run *run = vm->run;
	char what[96];

	switch (run->exit_reason) {
	case KVM_EXIT_IO: {
		uint8_t *data = (uint8_t *)run + run->io.data_offset;
		bool write = run->io.direction == KVM_EXIT_IO_OUT;

		STAT_ADD(vm->stats.io_elements, run->io.count);
		/* rep ins/outs: KVM hands over count elements in one exit */
		for (uint32_t i = 0; i < run->io.count && !vm_stopping(vm); i++)
			bus_access(&vm->pio, run->io.port, data + i * run->io.size,
				   run->io.size, write);
		break;
	}
	case KVM_EXIT_MMIO:
		bus_access(&vm->mmio, run->mmio.phys_addr, run->mmio.data,
			   run->mmio.len <= 8 ? run->mmio.len : 8,
			   run->mmio.is_write);
		break;
	case KVM_EXIT_HLT:
		vm_stop(vm, STOP_HALT, 0, "guest halted");
		break;
	case KVM_EXIT_SHUTDOWN:
		crash(vm, "guest triple fault (KVM_EXIT_SHUTDOWN)");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what), "VM entry failed (reason %#llx)",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		crash(vm, what);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
		    emulate_unsupported(vm))
			break;
		snprintf(what, sizeof(what), "KVM internal error (suberror %u)",
			 run->internal.suberror);
		crash(vm, what);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		if (run->system_event.type == KVM_SYSTEM_EVENT_RESET)
			vm_request_reset(vm, "system event");
		else
			vm_stop(vm, STOP_GUEST, 0, "guest requested power off");
		break;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
	case KVM_EXIT_INTR:
		break;
	default:
		snprintf(what, sizeof(what), "unexpected exit reason %u",
			 run->exit_reason);
		crash(vm, what);
	}
}

/*
 * With the in-kernel irqchip a HLT never reaches us.  A guest that halts
 * with interrupts off can never wake, so when a kick finds it so, end the
 * VM instead of hanging a headless run.
 */
static void check_halt(struct vm *vm)
{
	struct kvm_mp_state mp;

	if (ioctl(vm->vcpu_fd, KVM_GET_MP_STATE, &mp) < 0)
		return;
	if (mp.mp_state == KVM_MP_STATE_HALTED &&
	    !(vm->run->s.regs.regs.rflags & (1u << 9)))
		vm_stop(vm, STOP_HALT, 0, "guest halted with interrupts disabled");
}

static void *vcpu_main(void *arg)
{
	struct vm *vm = arg;
	struct vcpu_ctl *c = &vm->vcpu;
	sigset_t set;

	on_vcpu_thread = true;
	kick_run = vm->run;
	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	/* from here on the thread makes only the calls the sandbox allows */
	pthread_mutex_lock(&c->gate_lock);
	c->gate_reached = true;
	pthread_cond_broadcast(&c->gate_cond);
	while (!c->gate_open)
		pthread_cond_wait(&c->gate_cond, &c->gate_lock);
	pthread_mutex_unlock(&c->gate_lock);

	vm->stats.first_run_ns = now_ns();
	while (!vm_stopping(vm)) {
		int r = ioctl(vm->vcpu_fd, KVM_RUN, 0);
		int err = errno;

		if (!vm->stats.first_exit_ns)
			vm->stats.first_exit_ns = now_ns();

		if (r < 0) {
			if (err == EINTR || err == EAGAIN) {
				vm->run->immediate_exit = 0;
				STAT_INC(vm->stats.kicks);
				park_if_asked(c);
				check_halt(vm);
				continue;
			}
			if (err != EFAULT || !snap_source_shrank(vm))
				vm_stop(vm, STOP_CRASH, VMM_EXIT_CRASH, "KVM_RUN: %s",
					strerror(err));
			break;
		}
		/* only what the guest caused: our own kicks are counted apart */
		STAT_INC(vm->stats.exits);
		if (vm->run->exit_reason < STATS_EXIT_REASONS)
			STAT_INC(vm->stats.exit_reason[vm->run->exit_reason]);
		pthread_mutex_lock(&vm->io_lock);
		/* Stores queued before this exit happened before it: replay them first. */
		vm_sync(vm);
		handle_exit(vm);
		pthread_mutex_unlock(&vm->io_lock);
	}
	pthread_mutex_lock(&c->kick_lock);
	c->alive = false;
	pthread_cond_broadcast(&c->pause_cond);	/* a pauser waits no more */
	pthread_mutex_unlock(&c->kick_lock);
	return NULL;
}

int vcpu_start(struct vm *vm)
{
	struct vcpu_ctl *c = &vm->vcpu;
	struct sigaction sa = { .sa_handler = kick_handler };
	sigset_t set, old;

	pthread_mutex_init(&c->kick_lock, NULL);
	pthread_cond_init(&c->pause_cond, NULL);
	pthread_mutex_init(&c->gate_lock, NULL);
	pthread_cond_init(&c->gate_cond, NULL);
	sigemptyset(&sa.sa_mask);
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0) {
		perror("vmm: sigaction");
		return -1;
	}
	/* The vCPU thread starts with the kick blocked until it unblocks it. */
	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	pthread_mutex_lock(&c->kick_lock);
	int e = pthread_create(&c->thread, NULL, vcpu_main, vm);

	c->alive = !e;
	pthread_mutex_unlock(&c->kick_lock);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		fprintf(stderr, "vmm: cannot start the vCPU thread: %s\n", strerror(e));
		return -1;
	}
	c->started = true;
	/*
	 * Wait until the thread finished starting: glibc's thread start-up
	 * (set_robust_list, rseq, sigprocmask) must not meet the sandbox.
	 */
	pthread_mutex_lock(&c->gate_lock);
	while (!c->gate_reached)
		pthread_cond_wait(&c->gate_cond, &c->gate_lock);
	pthread_mutex_unlock(&c->gate_lock);
	return 0;
}

void vcpu_join(struct vm *vm)
{
	if (!vm->vcpu.started)
		return;
	vcpu_release(vm);	/* a VM stopped before it ran */
	pthread_join(vm->vcpu.thread, NULL);
	vm->vcpu.started = false;
}
