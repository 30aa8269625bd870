# The one place that knows the diskbench guest (guest/diskbench.c, from the
# disk branch).  Everything bench/ assumes about it is here; if the guest's
# command line or output changes, change these functions only.
#
# The guest, as of the disk branch's first commit:
#   command line:  mode=lab|outsw|multi|pv-sector|pv-ring n=SECTORS reads=0|1
#                  (it writes n sectors, then reads them back unless reads=0)
#   serial output: DISKBENCH mode=M n=N lba=L write_cycles=C read_cycles=C errors=E
#                  or DISKBENCH mode=M n=N skipped=1 (PV mode without a PV disk)
#                  cycles are the guest's rdtsc for each phase alone; the
#                  buffer is prepared once before the clock starts
#   disk:          the config's image; ATA modes need disk.mode=emulated,
#                  PV modes disk.mode=pv
# A write row runs reads=0; its exits are those of the run minus a run with
# n=0.  A read row runs reads=1; its exits are minus the write-only run.
# Serial lines are not fixed-width, so each byte more than in the
# subtracted run (2 exits: status poll and data) is taken off too.
# Without the guest, every disk row says "n/a (not built)".

DB_ALL="lab outsw multi pvsector pvring"	# the lab table's columns, in order
DB_STRATEGIES=${DB_STRATEGIES:-$DB_ALL}	# what runs (--smoke: two of them)
DB_EMULATED="lab outsw multi"

db_elf() {
	echo "$G/diskbench.elf"
}

db_available() {
	[ -f "$(db_elf)" ]
}

# db_mode STRATEGY: the disk.mode it needs
db_mode() {
	case $1 in
	pv*) echo pv ;;
	*) echo emulated ;;
	esac
}

db_guest_mode() {
	case $1 in
	pvsector) echo pv-sector ;;
	pvring) echo pv-ring ;;
	*) echo "$1" ;;
	esac
}

# db_cmdline STRATEGY OP N: the guest's command line for one row
db_cmdline() {
	echo "mode=$(db_guest_mode "$1") n=$3 reads=$([ "$2" = read ] && echo 1 || echo 0)"
}

# db_base_cmdline STRATEGY OP N: the run whose exits are subtracted
db_base_cmdline() {
	if [ "$2" = read ]; then db_cmdline "$1" write "$3"; else db_cmdline "$1" write 0; fi
}

# db_cycles OUTFILE STRATEGY OP: the phase's guest cycles; empty if absent,
# "error" if the guest reported errors
db_cycles() {
	tr -d '\r' < "$1" | awk -v m="$(db_guest_mode "$2")" -v o="$3" '
		$1 == "DISKBENCH" {
			delete kv
			for (i = 2; i <= NF; i++) { p = index($i, "="); if (p) kv[substr($i, 1, p - 1)] = substr($i, p + 1) }
			if (kv["mode"] != m || kv["skipped"] != "") next
			if (kv["errors"] != "0") { print "error"; exit }
			c = kv[o "_cycles"]
			if (c != "") { print c + 0; exit }
		}'
}

# db_describe STRATEGY: what the strategy does
db_describe() {
	case $1 in
	lab) echo "ATA; one sector per command; 16-bit out per word (the lab's pattern)" ;;
	outsw) echo "ATA; one sector per command; rep outsw / rep insw" ;;
	multi) echo "ATA; READ/WRITE MULTIPLE; many sectors per command" ;;
	pvsector) echo "PV; one VMM_HC_DISK_SECTOR hypercall per sector (the lab's design)" ;;
	pvring) echo "PV; request ring of 1024-sector descriptors; one hypercall per 32 MiB (VMM_PV_RING_BUDGET)" ;;
	esac
}
