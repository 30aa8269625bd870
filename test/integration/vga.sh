#!/usr/bin/env bash
# VGA: the vga-test guest's own checks, identical text and ANSI dumps
# under trap, coalesced, ram, PV frame and PV per-character, start address
# honoured by the host, and exits per frame from --stats.
source "$(dirname "$0")/../lib.sh"
require_kvm

CONFIGS=(trap coalesced ram pvframe pvchar)
cfg_for() {
	local extra=()
	case $1 in
	trap|coalesced|ram) extra=("vga = { strategy = \"$1\"; };") ;;
	pvframe) extra=("vga = { mode = \"pv\"; };") ;;
	pvchar) extra=("vga = { mode = \"pv\"; };" "cmdline = \"vga=pvchar\";") ;;
	esac
	mkcfg "$TMP/$1.cfg" vga-test "${extra[@]}" "serial = { output = \"$TMP/$1.serial\"; };"
}

bad=""
for c in "${CONFIGS[@]}"; do
	cfg_for "$c"
	run_vmm "$TMP/$c-text" -c "$TMP/$c.cfg" --headless --dump text
	[ "$STATUS" -eq 0 ] || bad+=" $c:status=$STATUS"
	grep -q '^FAIL' "$TMP/$c.serial" && bad+=" $c:$(grep -m1 '^FAIL' "$TMP/$c.serial")"
	grep -q '17 checks, 0 failed' "$TMP/$c.serial" || bad+=" $c:no-summary"
	run_vmm "$TMP/$c-ansi" -c "$TMP/$c.cfg" --headless --dump ansi
done
expect_eq vga-guest-checks "${bad# }" ""

bad=""
for c in "${CONFIGS[@]}"; do
	cmp -s "$TMP/trap-text.out" "$TMP/$c-text.out" || bad+=" $c(text)"
	cmp -s "$TMP/trap-ansi.out" "$TMP/$c-ansi.out" || bad+=" $c(ansi)"
done
# and the dumps say what the guest drew
grep -q '^vga-test done: 17 checks, 0 failed' "$TMP/trap-text.out" || bad+=" summary-line"
grep -q $'\e\\[0;97;44mvga-test done' "$TMP/trap-ansi.out" || bad+=" summary-colour"
[ "$(wc -l < "$TMP/trap-text.out")" -eq 25 ] || bad+=" not-25-lines"
expect_eq vga-same-dumps "${bad# }" ""

# hwonly leaves the start address one row down: row 0 shows vram row 1
bad=""
for c in trap coalesced ram; do
	cfg_for "$c"
	run_vmm "$TMP/$c-hw" -c "$TMP/$c.cfg" --headless --set cmdline=hwonly=1
	[ "$(sed -n 1p "$TMP/$c-hw.out")" == "row 1: 16-bit aligned stores" ] || bad+=" $c:row0"
	[ "$(sed -n 6p "$TMP/$c-hw.out")" == "row 6: 32-bit stores at offset 3" ] || bad+=" $c:row5"
	[ "$(sed -n 10p "$TMP/$c-hw.out")" == "row 11: scroll line 1" ] || bad+=" $c:scroll"
	cmp -s "$TMP/trap-hw.out" "$TMP/$c-hw.out" || bad+=" $c:differs"
done
expect_eq vga-start-address "${bad# }" ""

# exits: ram makes none for the screen; coalesced batches the same stores
# (ring entries + the exits of stores that found it full = trap's exits)
json() { grep -o "\"$2\": [0-9]*" "$1" | head -1 | grep -o '[0-9]*$'; }
mmio_of() { grep -o '"exits_by_reason": {[^}]*}' "$1" | grep -o '"mmio": [0-9]*' | grep -o '[0-9]*$'; }
bad=
for s in trap coalesced ram; do
	mkcfg "$TMP/demo-$s.cfg" demo "vga = { strategy = \"$s\"; };" 'cmdline = "frames=20";'
	run_vmm "$TMP/demo-$s" -c "$TMP/demo-$s.cfg" --headless --stats "$TMP/demo-$s.json"
	[ "$STATUS" -eq 0 ] || bad+="$s: status $STATUS "
done
expect_eq vga-demo-runs "$bad" ""
trap_mmio=$(mmio_of "$TMP/demo-trap.json")
ram_mmio=$(mmio_of "$TMP/demo-ram.json")
co_mmio=$(mmio_of "$TMP/demo-coalesced.json")
# stores that reached the text memory, through the ring or by exit
vga_stores() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["mmio"]["vga-mem"]["writes"])' "$1" 2>/dev/null; }
co_entries=$(vga_stores "$TMP/demo-coalesced.json")
trap_stores=$(vga_stores "$TMP/demo-trap.json")
echo "    demo, 20 frames: trap ${trap_mmio:-?} MMIO exits, coalesced ${co_mmio:-?} exits for ${co_entries:-?} stores, ram ${ram_mmio:-0}"
check vga-ram-no-exits "ram made ${ram_mmio} MMIO exits" [ "${ram_mmio:-0}" -eq 0 ]
check vga-coalesced-batches "coalesced: $co_mmio exits for $co_entries stores" \
	[ "${co_entries:-0}" -eq "${trap_stores:-1}" -a "${trap_mmio:-0}" -eq "${trap_stores:-1}" \
	  -a $(( ${co_mmio:-0} * 100 )) -le "${co_entries:-0}" ]

# A guest that leaves text mode (guest/vgamode.c writes mode 13h's or 12h's
# registers, then exits): the dump and --stats say which mode, instead of
# showing the last text screen as if it were on display.
for m in 13:"320x200, 256 colours" 12:"640x480, 16 colours"; do
	mkcfg "$TMP/gfx.cfg" vgamode "cmdline = \"mode=${m%%:*}\";"
	run_vmm "$TMP/gfx" -c "$TMP/gfx.cfg" --headless --stats "$TMP/gfx.json"
	expect_eq vga-graphics-mode-${m%%:*} \
		"$STATUS $(grep -v $'\r$' "$TMP/gfx.out") / $(jq -r .vga_graphics "$TMP/gfx.json" 2>&1)" \
		"0 (VGA graphics mode ${m#*:}: no text to show) / ${m#*:}"
done
