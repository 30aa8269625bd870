// SPDX-License-Identifier: MIT
/* The --stats file: one JSON object that benchmark scripts read. */
#include <linux/kvm.h>

#include "vm.h"

static const char *const exit_names[] = {
	[KVM_EXIT_UNKNOWN] = "unknown",
	[KVM_EXIT_EXCEPTION] = "exception",
	[KVM_EXIT_IO] = "io",
	[KVM_EXIT_HYPERCALL] = "hypercall",
	[KVM_EXIT_DEBUG] = "debug",
	[KVM_EXIT_HLT] = "hlt",
	[KVM_EXIT_MMIO] = "mmio",
	[KVM_EXIT_IRQ_WINDOW_OPEN] = "irq_window_open",
	[KVM_EXIT_SHUTDOWN] = "shutdown",
	[KVM_EXIT_FAIL_ENTRY] = "fail_entry",
	[KVM_EXIT_INTR] = "intr",
	[KVM_EXIT_INTERNAL_ERROR] = "internal_error",
	[KVM_EXIT_SYSTEM_EVENT] = "system_event",
};

static const char *const hc_names[VMM_HC_COUNT] = {
	[VMM_HC_VERSION] = "version",
	[VMM_HC_VGA_PUTC] = "vga_putc",
	[VMM_HC_VGA_FRAME] = "vga_frame",
	[VMM_HC_DISK_SECTOR] = "disk_sector",
	[VMM_HC_DISK_RING] = "disk_ring",
	[VMM_HC_EXIT] = "exit",
};

const char *stats_exit_name(unsigned int reason)
{
	if (reason < sizeof(exit_names) / sizeof(exit_names[0]) && exit_names[reason])
		return exit_names[reason];
	return NULL;
}

static void bus_json(const struct bus *b, FILE *f)
{
	fprintf(f, "{");
	for (int i = 0; i < b->nr; i++)
		fprintf(f, "%s\"%s\": {\"base\": %llu, \"reads\": %llu, \"writes\": %llu}",
			i ? ", " : "", b->r[i].name,
			(unsigned long long)b->r[i].base,
			(unsigned long long)b->r[i].reads,
			(unsigned long long)b->r[i].writes);
	fprintf(f, "%s\"unclaimed\": {\"reads\": %llu, \"writes\": %llu}}",
		b->nr ? ", " : "", (unsigned long long)b->unclaimed_reads,
		(unsigned long long)b->unclaimed_writes);
}

void stats_write_json(const struct vm *vm, FILE *f)
{
	const struct vm_stats *s = &vm->stats;
	double wall = (double)(now_ns() - vm->start_ns) / 1e9;
	bool first = true;

	fprintf(f, "{\n  \"name\": \"%s\",\n", vm->cfg ? vm->cfg->name : "");
	fprintf(f, "  \"exit_status\": %d,\n  \"wall_seconds\": %.6f,\n",
		vm->exit_status, wall);
	fprintf(f, "  \"exits\": %llu,\n  \"exits_by_reason\": {",
		(unsigned long long)s->exits);
	for (unsigned int i = 0; i < STATS_EXIT_REASONS; i++) {
		if (!s->exit_reason[i])
			continue;
		const char *n = stats_exit_name(i);

		if (n)
			fprintf(f, "%s\"%s\": %llu", first ? "" : ", ", n,
				(unsigned long long)s->exit_reason[i]);
		else
			fprintf(f, "%s\"reason_%u\": %llu", first ? "" : ", ", i,
				(unsigned long long)s->exit_reason[i]);
		first = false;
	}
	fprintf(f, "},\n  \"kicks\": %llu,\n", (unsigned long long)s->kicks);
	fprintf(f, "  \"emulated_in_vmm\": %llu,\n", (unsigned long long)s->emulated);
	fprintf(f, "  \"io_elements\": %llu,\n", (unsigned long long)s->io_elements);
	fprintf(f, "  \"coalesced\": {\"entries\": %llu, \"drains\": %llu},\n",
		(unsigned long long)s->coalesced_drained,
		(unsigned long long)s->coalesced_drains);
	fprintf(f, "  \"hypercalls\": %llu,\n  \"hypercalls_by_name\": {",
		(unsigned long long)s->hypercalls);
	first = true;
	for (unsigned int i = 0; i < VMM_HC_COUNT; i++) {
		if (!s->hypercall_nr[i])
			continue;
		fprintf(f, "%s\"%s\": %llu", first ? "" : ", ", hc_names[i],
			(unsigned long long)s->hypercall_nr[i]);
		first = false;
	}
	fprintf(f, "},\n  \"hypercalls_invalid\": %llu,\n",
		(unsigned long long)s->hypercall_bad);
	fprintf(f, "  \"disk\": {\"sectors_read\": %llu, \"sectors_written\": %llu, \"flushes\": %llu},\n",
		(unsigned long long)s->sectors_read,
		(unsigned long long)s->sectors_written,
		(unsigned long long)s->flushes);
	fprintf(f, "  \"frames\": %llu,\n", (unsigned long long)s->frames);
	fprintf(f, "  \"monotonic_ns\": {\"start\": %llu, \"first_run\": %llu, \"first_exit\": %llu},\n",
		(unsigned long long)vm->start_ns,
		(unsigned long long)s->first_run_ns,
		(unsigned long long)s->first_exit_ns);
	fprintf(f, "  \"pio\": ");
	bus_json(&vm->pio, f);
	fprintf(f, ",\n  \"mmio\": ");
	bus_json(&vm->mmio, f);
	fprintf(f, "\n}\n");
}
