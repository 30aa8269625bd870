# Helpers shared by the sections of bench/run (bash, sourced).
# Results are rows of one long CSV, $CSV, with the columns of CSV_HEADER.

CSV_HEADER="section,case,size,metric,unit,runs,median,min,max,exits_per_op,exit_kinds,note"

# row SECTION CASE SIZE METRIC UNIT RUNS MEDIAN MIN MAX EXITS_PER_OP EXIT_KINDS NOTE
# No commas inside a field: they become ';'.
row() {
	local out= f
	for f in "$@"; do
		out+="${out:+,}${f//,/;}"
	done
	echo "$out" >> "$CSV"
}

# na SECTION CASE SIZE METRIC WHY: a row that says why there is no number
na() {
	row "$1" "$2" "$3" "$4" "" 0 "" "" "" "" "" "n/a ($5)"
}

# mstats: numbers on stdin (one a line) -> "median min max count"
mstats() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (!NR) { print "  0"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.10g %.10g %.10g %d\n", m, v[1], v[NR], NR }'
}

# calc EXPR: floating-point arithmetic with awk; empty when it fails
calc() {
	awk "BEGIN { x = $1; printf \"%.10g\\n\", x }" 2> /dev/null
}

# bfield FILE KEY: KEY=VALUE from the first "BENCH" line of a guest's serial
# output, leading zeros (fixed-width fields) removed.
bfield() {
	tr -d '\r' < "$1" | awk -v k="$2" '/^BENCH / {
		for (i = 2; i <= NF; i++) if (index($i, k "=") == 1) {
			v = substr($i, length(k) + 2)
			if (v ~ /^[0-9]+$/) { sub(/^0+/, "", v); if (v == "") v = 0 }
			print v; exit
		} }'
}

# jget FILE JQ-FILTER: a value from a --stats file
jget() {
	jq -r "$2" "$1" 2> /dev/null
}

# guest_exits FILE: exits the guest caused (kicks are the VMM's own)
guest_exits() {
	jget "$1" '.exits - .kicks'
}

# mkcfg NAME GUEST [LINE...]: a config in $WORK, printed path
mkcfg() {
	local f=$WORK/$1.cfg g=$2
	shift 2
	{
		echo "name = \"bench\";"
		echo "memory = 16;"
		echo "guest = \"$G/$g.elf\";"
		echo "serial = { output = \"stdout\"; };"
		for l in "$@"; do echo "$l"; done
	} > "$f"
	echo "$f"
}

# vmm_run TAG CFG [VMM-ARGS...]: one headless run, timed by runwrap.
# Leaves $WORK/TAG.out (serial), .err, .json (--stats), .rw (runwrap).
vmm_run() {
	local tag=$1 cfg=$2
	shift 2
	timeout -k 5 "${RUN_TIMEOUT:-600}" "$RUNWRAP" "$WORK/$tag.rw" -- "$VMM" -c "$cfg" \
		--headless --dump none --stats "$WORK/$tag.json" "$@" \
		> "$WORK/$tag.out" 2> "$WORK/$tag.err" < /dev/null
}

# qemu_run TAG MACHINE ELF APPEND [QEMU-ARGS...]: the peer, same guest binary.
# isa-debug-exit turns the guest's status s into (s << 1) | 1.
qemu_run() {
	local tag=$1 machine=$2 elf=$3 append=$4
	shift 4
	timeout -k 5 "${RUN_TIMEOUT:-600}" "$RUNWRAP" "$WORK/$tag.rw" -- \
		qemu-system-i386 -enable-kvm -machine "$machine" -nodefaults \
		-display none -serial stdio -kernel "$elf" -append "$append" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@" \
		> "$WORK/$tag.out" 2> "$WORK/$tag.err" < /dev/null
}

have_qemu() {
	[ "$QEMU" = 1 ] && command -v qemu-system-i386 > /dev/null
}

# rwfield FILE KEY: a field of a runwrap line
rwfield() {
	tr ' ' '\n' < "$1" | sed -n "s/^$2=//p"
}

# cyc_us CYCLES: guest TSC cycles to microseconds with the measured rate
cyc_us() {
	calc "$1 * 1000 / $TSC_KHZ"
}

say() {
	printf '%s\n' "$*" >&2
}
