#!/usr/bin/env bash
# The hostile guest suite: every case of guest/hostile.c (the guest lists
# them) runs in its own VM.  By default a case must end with status 0,
# print "hostile NAME: PASS" (the guest checked what it saw), and leave
# the screen blank.  The tables below give a case another config or
# another expected reaction; NAME@VARIANT runs a case again in a variant.
# HOSTILE_REPORT=FILE appends one line per case: what the VMM did.
source "$(dirname "$0")/../lib.sh"
require_kvm

declare -A CFG=(
	[pv_vga_bounds]='vga = { mode = "pv"; };'
	[hc_wild_args@pv]='vga = { mode = "pv"; };'
	[hc_unknown@pv]='vga = { mode = "pv"; };'
	[mmio_vga_edges]='vga = { strategy = "trap"; };'
	[mmio_vga_edges@coalesced]='vga = { strategy = "coalesced"; };'
	[mmio_vga_edges@ram]='vga = { strategy = "ram"; };'
	[vga_hole]='vga = { strategy = "trap"; };'
	[vga_hole@coalesced]='vga = { strategy = "coalesced"; };'
	[crtc_wild]='vga = { strategy = "trap"; };'
	[crtc_wild@ram]='vga = { strategy = "ram"; };'
)
# cases that get a fresh 1 MiB image in this disk mode; it must stay all zero
declare -A DISK=( [ata_hostile]=emulated [pv_disk_hostile]=pv )
# expected exit status and a line stderr must contain (extended regex)
declare -A STATUS=( [triple_fault]=120 [bp_empty_idt]=120 )
declare -A STDERR=(
	[triple_fault]='^vmm: guest triple fault \(KVM_EXIT_SHUTDOWN\)( at rip=|$)'
	[bp_empty_idt]='^vmm: (KVM internal error|guest triple fault)'
	[halt_forever]='^vmm: guest halted with interrupts disabled'
)
# cases with their own block at the end instead of the loop's run
declare -A OWN=( [ring_storm]=1 )
# cases whose own check cannot print PASS (the VM ends inside the case)
declare -A NO_PASS=( [triple_fault]=1 [bp_empty_idt]=1 [halt_forever]=1 )
VARIANTS="hc_unknown@pv hc_wild_args@pv mmio_vga_edges@coalesced mmio_vga_edges@ram
	vga_hole@coalesced crtc_wild@ram"

mkcfg "$TMP/list.cfg" hostile 'cmdline = "case=list";'
run_vmm "$TMP/list" -c "$TMP/list.cfg" --headless --dump none
cases=$(sed -n 's/^hostile cases://p' "$TMP/list.txt")
# without KVM the guest cannot list them: its case table can
skipping && cases=$(sed -n 's/^\t{ "\([a-z0-9_]*\)", [a-z0-9_]* },$/\1/p' "$ROOT/guest/hostile.c")
if [ -z "$cases" ]; then
	fail hostile-cases "case=list printed nothing: $(tail -2 "$TMP/list.err")"
	exit 0
fi
pass hostile-cases

blank=$(for i in $(seq 25); do echo; done)
for c in $cases $VARIANTS; do
	[ -n "${OWN[$c]:-}" ] && continue
	name=${c%@*}
	p=$TMP/$c
	disk=
	if [ -n "${DISK[$c]:-}" ]; then
		rm -f "$p.img"
		"$VMM" --create-image "$p.img" --size 1M
		disk="disk = { mode = \"${DISK[$c]}\"; path = \"$p.img\"; };"
	fi
	mkcfg "$p.cfg" hostile "cmdline = \"case=$name\";" "${CFG[$c]:-}" "$disk"
	run_vmm "$p" -c "$p.cfg" --headless --stats "$p.json"
	want=${STATUS[$c]:-0}
	why=
	[ "$STATUS" -eq "$want" ] || why="status $STATUS, want $want"
	if [ -n "${STDERR[$c]:-}" ]; then
		grep -Eq "${STDERR[$c]}" "$p.err" || why="$why; stderr lacks /${STDERR[$c]}/"
	elif [ -s "$p.err" ]; then
		why="$why; unexpected stderr: $(head -1 "$p.err")"
	fi
	if [ -z "${NO_PASS[$c]:-}" ]; then
		grep -q "^hostile $name: PASS" "$p.txt" ||
			why="$why; guest: $(grep -m3 -E "WRONG|FAIL|needs" "$p.txt" | tr '\n' ' ')"
	fi
	# serial lines end in CR LF; the final screen dump is the lines without CR
	screen=$(grep -v $'\r$' "$p.out")
	[ "$screen" == "$blank" ] || why="$why; the screen changed"
	if [ -n "$disk" ]; then
		[ "$(stat -c %s "$p.img")" -eq 1048576 ] || why="$why; the image changed size"
		[ -z "$(tr -d '\0' < "$p.img" | head -c 1)" ] || why="$why; bytes written to the image"
	fi
	t=hostile-${c//_/-}	# the guest's case name, in the style of every test name
	if [ -z "$why" ]; then pass "$t"; else fail "$t" "${why#; }"; fi
	if [ -n "${HOSTILE_REPORT:-}" ]; then
		printf '%s | %s | %s | %s\n' "$c" "$STATUS" "$(grep -m1 '^vmm:' "$p.err")" \
			"$(grep "observed" "$p.txt" | grep -v "observed hypercall" |
				sed "s/^hostile $name: observed //" | tr '\n' ';')" >> "$HOSTILE_REPORT"
	fi
done

# ring_storm: SIGTERM while the guest submits the largest ring the ABI
# allows (128 x 65,536 sectors, 4 GiB; writethrough, so that it takes
# seconds).  vmm stops between ring calls: fewer descriptors are done than
# were submitted, every done one is in the image and nothing else is.
storm_check() {
	python3 - "$1" "$2" <<'EOF'
import json, os, struct, sys
n, entries = 65536, 128
written = json.load(open(sys.argv[1]))["disk"]["sectors_written"]
done, part = divmod(written, n)
if part or done >= entries:
    sys.exit(f"{written} sectors written: {done} whole descriptors of {entries}, {part} more")
with open(sys.argv[2], "rb") as f:
    for i in range(done):
        want = bytearray(n * 512)
        for j in range(n):
            struct.pack_into("<I", want, j * 512, i + j + 1)
        f.seek(i * n * 512)
        if f.read(n * 512) != want:
            sys.exit(f"descriptor {i} (done) is not in the image")
    end = done * n * 512
    try:
        data = os.lseek(f.fileno(), end, os.SEEK_DATA)
    except OSError:
        data = None
    if data is not None:
        f.seek(data)
        if f.read(n * 512).strip(b"\0"):
            sys.exit(f"data past the done descriptors at byte {data}")
print(done)
EOF
}
p=$TMP/storm
if skipping; then
	skip hostile-ring-storm-sigterm "$SKIP_WHY"
else
	"$VMM" --create-image "$p.img" --size 4G
	mkcfg "$p.cfg" hostile 'cmdline = "case=ring_storm";' 'memory = 64;' \
		"disk = { mode = \"pv\"; path = \"$p.img\"; cache = \"writethrough\"; };"
	"$VMM" -c "$p.cfg" --headless --dump none --stats "$p.json" > "$p.out" 2> "$p.err" < /dev/null &
	pid=$!
	deadline=$((SECONDS + 60 * HANG_X))
	until grep -q "submitting" "$p.out" || [ $SECONDS -ge $deadline ]; do sleep 0.05; done
	kill -TERM $pid
	wait $pid
	status=$?
	if ! grep -q "submitting" "$p.out"; then
		fail hostile-ring-storm-sigterm "the guest never submitted: $(tail -2 "$p.err")"
	elif done=$(storm_check "$p.json" "$p.img" 2>&1) && [ $status -eq 123 ] &&
		grep -q "stopped by SIGTERM" "$p.err"; then
		pass hostile-ring-storm-sigterm
		[ -n "${HOSTILE_REPORT:-}" ] &&
			echo "ring_storm | $status | $(grep -m1 '^vmm:' "$p.err") | $done of 128 descriptors done" >> "$HOSTILE_REPORT"
	else
		fail hostile-ring-storm-sigterm "status $status, $(head -1 "$p.err"): $done"
	fi
	rm -f "$p.img"
fi
