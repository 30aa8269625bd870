# The one place that knows the diskbench guest (guest/diskbench.c, built by
# the disk branch).  Everything bench/ assumes about it is here; if the
# guest's command line or output changes, change these functions only.
#
# Assumed interface (a guest that runs one strategy and one operation per
# boot, so that --stats counts that phase's exits alone):
#   command line:  bench=STRATEGY op=write|read n=SECTORS
#                  STRATEGY: lab | outsw | multi | pvsector | pvring
#   serial output: one line per phase, key=value words, for example
#                  BENCH disk strategy=lab op=write sectors=N cycles=C
#                  ("cycles" are the guest's rdtsc cycles for the phase
#                  alone: buffer prepared once before the clock starts)
#   disk:          the image given in the config; lab/outsw/multi need
#                  disk.mode=emulated, pvsector/pvring disk.mode=pv
# If the guest is not built, every disk row says "n/a (not built)".

DB_STRATEGIES="lab outsw multi pvsector pvring"
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

# db_cmdline STRATEGY OP N: the guest's command line
db_cmdline() {
	echo "bench=$1 op=$2 n=$3"
}

# db_cycles OUTFILE STRATEGY OP: the phase's guest cycles, empty if absent
db_cycles() {
	tr -d '\r' < "$1" | awk -v s="$2" -v o="$3" '
		/^BENCH disk / {
			delete kv
			for (i = 3; i <= NF; i++) { p = index($i, "="); if (p) kv[substr($i, 1, p - 1)] = substr($i, p + 1) }
			if (kv["strategy"] == s && kv["op"] == o && kv["cycles"] != "") {
				c = kv["cycles"]; sub(/^0+/, "", c); print c + 0; exit
			}
		}'
}

# db_describe STRATEGY: what the strategy does, and the exits it should take
db_describe() {
	case $1 in
	lab) echo "ATA; one sector per command; 16-bit out per word (the lab's pattern)" ;;
	outsw) echo "ATA; one sector per command; rep outsw / rep insw" ;;
	multi) echo "ATA; READ/WRITE MULTIPLE; many sectors per command" ;;
	pvsector) echo "PV; one VMM_HC_DISK_SECTOR hypercall per sector (the lab's design)" ;;
	pvring) echo "PV; request ring; one VMM_HC_DISK_RING hypercall per ring of descriptors" ;;
	esac
}
