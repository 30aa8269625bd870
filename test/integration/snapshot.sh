#!/usr/bin/env bash
# Snapshots end to end: a shell saved mid-line and restored (same screen,
# the rest of the line, its exit status); a disk write storm saved and
# finished by the restored VM (every acknowledged sector there); the demo's
# timer still animating after a restore; SIGUSR2 and Ctrl-A-less saves
# beside the config; bad snapshots refused with status 2 and nothing run.
source "$(dirname "$0")/../lib.sh"
require_kvm

# the screen part of a headless run's stdout (serial lines end in CR LF)
screen_of() { grep -v $'\r$' "$1"; }

# --- a shell saved mid-line ----------------------------------------------------
# serial output off: stdout is the screen dump alone
mkcfg "$TMP/shell.cfg" shell 'memory = 16;' 'serial = { output = "none"; };'
# the keys are on the screen before the save: nothing waits in a queue
run_vmm "$TMP/src" -c "$TMP/shell.cfg" --headless \
	--keys "{until:shell>}echo hel{until:shell> echo hel}{save-and-quit:$TMP/s.snap}"
src=$STATUS
# the restored VM saved again at once: its screen as restored
run_vmm "$TMP/back" --restore "$TMP/s.snap" --headless --keys "{save-and-quit:$TMP/s2.snap}" --timeout $((60 * HANG_X))
if [ $src -eq 0 ] && [ -s "$TMP/s.snap" ] && [ $STATUS -eq 0 ] &&
   [ "$(screen_of "$TMP/src.out")" == "$(screen_of "$TMP/back.out")" ]; then
	pass snapshot-shell-same-screen
else
	fail snapshot-shell-same-screen "save $src, restore $STATUS: $(head -3 "$TMP/back.err")
$(diff <(screen_of "$TMP/src.out") <(screen_of "$TMP/back.out") | head -6)"
fi

run_vmm "$TMP/rest" --restore "$TMP/s.snap" --headless --keys 'lo\nexit 9\n' --timeout $((60 * HANG_X))
if [ $STATUS -eq 9 ] && screen_of "$TMP/rest.out" | grep -q '^shell> echo hello *$' &&
   screen_of "$TMP/rest.out" | grep -q '^hello *$' &&
   [ "$(screen_of "$TMP/rest.out" | grep -c 'vmm shell on')" -eq 1 ]; then
	pass snapshot-shell-rest-of-line
else
	fail snapshot-shell-rest-of-line "status $STATUS (want 9): $(head -2 "$TMP/rest.err")
$(screen_of "$TMP/rest.out" | grep -v '^ *$' | head -5)"
fi

# a snapshot of a restored VM (its RAM still mapped from the first file)
run_vmm "$TMP/again" --restore "$TMP/s2.snap" --headless --keys 'lo\nexit 9\n' --timeout $((60 * HANG_X))
if [ $STATUS -eq 9 ] && screen_of "$TMP/again.out" | grep -q '^hello *$'; then
	pass snapshot-of-a-restored-vm
else
	fail snapshot-of-a-restored-vm "status $STATUS (want 9): $(head -2 "$TMP/again.err")"
fi

# the restored VM does not need the config or the guest file any more
mkdir "$TMP/moved"
cp "$GUESTS/shell.elf" "$TMP/moved/shell.elf"
mkcfg "$TMP/moved/vm.cfg" shell 'memory = 16;'
sed -i "s|$GUESTS/shell.elf|$TMP/moved/shell.elf|" "$TMP/moved/vm.cfg"
run_vmm "$TMP/mv" -c "$TMP/moved/vm.cfg" --headless \
	--keys "{until:shell>}{save-and-quit:$TMP/moved.snap}"
rm -rf "$TMP/moved"
run_vmm "$TMP/mvr" --restore "$TMP/moved.snap" --headless --keys 'exit 4\n' --timeout $((60 * HANG_X))
expect_eq snapshot-no-config-needed "$STATUS" 4

# --- a disk write storm --------------------------------------------------------
# storm NAME MODE DRIVER: the guest writes sectors 0..n-1 three times,
# printing "ACK pass lba" after each acknowledged write; the VM is saved
# (its RAM copied while it runs on) and quits, the restored VM finishes.  Every sector must then hold
# the second pass's pattern, and the restored VM must have gone on where the
# first stopped (no new start, ACKs after the saved ones only).
storm() {
	local name=$1 mode=$2 drv=$3 n=200 passes=3
	rm -f "$TMP/$name.img"
	"$VMM" --create-image "$TMP/$name.img" --size 128K || return	# 256 sectors
	mkcfg "$TMP/$name.cfg" disk-test \
		"cmdline = \"disk=$drv op=storm n=$n passes=$passes seed=40\";" \
		"disk = { mode = \"$mode\"; path = \"$name.img\"; };"
	run_vmm "$TMP/$name-a" -c "$TMP/$name.cfg" --headless --dump none \
		--keys "{until:storm 0 20}{save-and-quit:$TMP/$name.snap}"
	local st1=$STATUS
	# the restoring user names the image (a snapshot chooses no host file)
	run_vmm "$TMP/$name-b" --restore "$TMP/$name.snap" --headless --dump none --timeout $((60 * HANG_X)) \
		--set "disk.path=$TMP/$name.img"
	python3 - "$TMP/$name.img" "$TMP/$name-a.txt" "$TMP/$name-b.txt" $n $passes \
		> "$TMP/$name.chk" <<'EOF'
import re, struct, sys
img, before, after, n, passes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
M = 0xffffffff
def pattern(lba, seed):
    v = (lba * 0x9e3779b1 + seed * 0x85ebca77) & M
    return b"".join(struct.pack("<I", (v + k * 0x01000193) & M) for k in range(128))
def acks(path):
    return [(int(p), int(l)) for p, l in re.findall(r"^ACK (\d+) (\d+)$", open(path).read(), re.M)]
a, b = acks(before), acks(after)
if len(a) < 20 or not b:
    print("acks before/after:", len(a), len(b)); sys.exit(1)
# COM1's queue at the save holds the last lines the source printed: the
# restored VM prints them again, but it does not start over
if "disk-test:" in open(after).read() or b[0] <= a[0]:
    print("the restored VM started over:", a[0], b[0]); sys.exit(1)
if b[-1] != (passes - 1, n - 1):
    print("the restored VM did not finish:", b[-1]); sys.exit(1)
data = open(img, "rb").read()
bad = [l for l in range(n) if data[l * 512:(l + 1) * 512] != pattern(l, 40 + passes - 1)]
if bad:
    print("sectors without the last pass:", bad[:8]); sys.exit(1)
print(len(a), "acknowledged before the save,", len(b), "after")
EOF
	local c=$?
	if [ $st1 -eq 0 ] && [ $STATUS -eq 0 ] && [ $c -eq 0 ]; then
		pass "$name"
	else
		fail "$name" "save $st1, restore $STATUS: $(cat "$TMP/$name.chk") $(head -2 "$TMP/$name-b.err")"
	fi
}
storm snapshot-storm-ata-irq emulated ata-irq
storm snapshot-storm-pv-ring pv pv-ring

# --- RAM checked while the VM starts (vmm/snapshot/verify.c) ----------------------
# A restore maps the file's RAM and checks its bytes on a thread of its own.
# A corrupt byte at the end of 96 MiB of RAM, in a guest restored mid-storm
# that writes at once, still ends as a refusal: status 2, the message, nothing on stdout, and the
# disk image exactly as it was (its writes wait for the verdict).
rm -f "$TMP/vr.img"
"$VMM" --create-image "$TMP/vr.img" --size 128K
mkcfg "$TMP/vr.cfg" disk-test 'cmdline = "disk=ata-irq op=storm n=200 passes=3 seed=40 ballast=96";' \
	'memory = 128;' 'disk = { mode = "emulated"; path = "vr.img"; };'
run_vmm "$TMP/vr-a" -c "$TMP/vr.cfg" --headless --dump none \
	--keys "{until:storm 0 20}{save-and-quit:$TMP/vr.snap}"
cp "$TMP/vr.img" "$TMP/vr-saved.img"
cp "$TMP/vr.snap" "$TMP/vr-bad.snap"
# one byte in the data of the file's last RAM section: a 64-byte header, then
# sections {type u32, u32, length u64, payload, crc u32}; RAM is type 6
python3 - "$TMP/vr-bad.snap" <<'EOF'
import struct, sys
f = sys.argv[1]
d = bytearray(open(f, "rb").read())
off, last = 64, None
while off + 16 <= len(d):
    t, n = struct.unpack_from("<I", d, off)[0], struct.unpack_from("<Q", d, off + 8)[0]
    if t == 6:
        last = (off + 16, n)
    off += 16 + n + 4
p, n = last
d[p + n - 100] ^= 0x5a
open(f, "wb").write(d)
EOF
run_vmm "$TMP/vr-b" --restore "$TMP/vr-bad.snap" --headless --timeout $((60 * HANG_X)) \
	--set "disk.path=$TMP/vr.img"
if [ $STATUS -eq 2 ] && [ ! -s "$TMP/vr-b.out" ] && cmp -s "$TMP/vr.img" "$TMP/vr-saved.img" &&
   grep -qF "vr-bad.snap: corrupted: the checksum of section 'ram' does not match (found as the restored VM started: it is stopped, and no disk image changed)" "$TMP/vr-b.err"; then
	pass snapshot-bad-ram-no-disk-write
else
	fail snapshot-bad-ram-no-disk-write "status $STATUS (want 2), image $(cmp -s "$TMP/vr.img" "$TMP/vr-saved.img" && echo unchanged || echo CHANGED), stdout $(wc -c < "$TMP/vr-b.out") bytes: $(head -2 "$TMP/vr-b.err")"
fi
# the good file, checked the same way, goes on and finishes the storm
run_vmm "$TMP/vr-c" --restore "$TMP/vr.snap" --headless --dump none --timeout $((60 * HANG_X)) \
	--set "disk.path=$TMP/vr.img" --stats "$TMP/vr-c.json"
verify_ms=$(jq -r '.snapshot.restore_verify_ms // 0' "$TMP/vr-c.json" 2> /dev/null)
if [ $STATUS -eq 0 ] && grep -q "^ACK 2 199$" "$TMP/vr-c.txt" && ! cmp -s "$TMP/vr.img" "$TMP/vr-saved.img" &&
   awk -v v="${verify_ms:-0}" 'BEGIN { exit !(v > 0) }'; then
	pass snapshot-ram-checked-while-running
else
	fail snapshot-ram-checked-while-running "status $STATUS (want 0), restore_verify_ms ${verify_ms:-?}: $(head -2 "$TMP/vr-c.err")"
fi

# --- the demo's timer ----------------------------------------------------------
mkcfg "$TMP/demo.cfg" demo 'serial = { output = "none"; };'
run_vmm "$TMP/demo" -c "$TMP/demo.cfg" --headless --keys "{until:frame }{save-and-quit:$TMP/demo.snap}"
run_vmm "$TMP/demo0" --restore "$TMP/demo.snap" --headless --keys "{save-and-quit:$TMP/demo2.snap}" --timeout $((60 * HANG_X))
run_vmm "$TMP/demo1" --restore "$TMP/demo.snap" --headless --timeout 2
# the animated rows (all but the title) differ once the timer has fired
if [ -s "$TMP/demo.snap" ] && [ $STATUS -eq 124 ] &&
   [ "$(head -1 "$TMP/demo0.out")" == "$(head -1 "$TMP/demo1.out")" ] &&
   [ "$(sed 1d "$TMP/demo0.out")" != "$(sed 1d "$TMP/demo1.out")" ]; then
	pass snapshot-demo-animates
else
	fail snapshot-demo-animates "status $STATUS: $(head -2 "$TMP/demo1.err")"
fi

# --- SIGUSR2: NAME-N.snap beside the config ------------------------------------
mkcfg "$TMP/busy.cfg" busy
if ! skipping; then
	"$VMM" -c "$TMP/busy.cfg" --headless --timeout $((60 * HANG_X)) > "$TMP/busy.out" 2> "$TMP/busy.err" < /dev/null &
	pid=$!
	for ((i = 0; i < 400 * HANG_X; i++)); do
		grep -q "busy: round 2" "$TMP/busy.out" 2> /dev/null && break
		sleep 0.05
	done
	kill -USR2 $pid
	for ((i = 0; i < 400 * HANG_X; i++)); do
		grep -q "saved" "$TMP/busy.err" 2> /dev/null && break
		sleep 0.05
	done
	kill -USR2 $pid
	for ((i = 0; i < 400 * HANG_X; i++)); do
		[ "$(grep -c "saved" "$TMP/busy.err")" -ge 2 ] && break
		sleep 0.05
	done
	kill -TERM $pid
	wait $pid
	st=$?
fi
run_vmm "$TMP/busyr" --restore "$TMP/test-2.snap" --headless --timeout 1
if [ "${st:-}" = 123 ] && grep -q "^vmm: saved $TMP/test-1.snap (" "$TMP/busy.err" &&
   grep -q "^vmm: saved $TMP/test-2.snap (" "$TMP/busy.err" && [ $STATUS -eq 124 ] &&
   grep -q "busy: round" "$TMP/busyr.out" && ! ls "$TMP"/.*.tmp > /dev/null 2>&1; then
	pass snapshot-sigusr2
else
	fail snapshot-sigusr2 "status ${st:-?}, restore $STATUS: $(head -3 "$TMP/busy.err")"
fi

# --- Ctrl-A w in the terminal UI: NAME-N.snap beside the config ----------------
if command -v tmux > /dev/null && ! skipping; then
	source "$ROOT/test/tmux_lib.sh"
	mkdir "$TMP/ui"
	mkcfg "$TMP/ui/ui.cfg" shell 'memory = 16;' 'display = "tui";' 'serial = { output = "none"; };'
	start 80 26 "'$VMM' -c ui/ui.cfg"
	wait_for 30 screen_has "shell>" && tm send-keys -t t C-a w &&
		wait_for 30 screen_has "saved ui/test-1.snap"
	saved=$?
	tm send-keys -t t C-a x
	wait_for 10 test -s "$TMP/exit"
fi
run_vmm "$TMP/uir" --restore "$TMP/ui/test-1.snap" --headless --keys 'exit 5\n' --timeout $((60 * HANG_X))
if [ "${saved:-1}" = 0 ] && [ "$(cat "$TMP/exit" 2> /dev/null)" = 0 ] && [ $STATUS -eq 5 ]; then
	pass snapshot-ctrl-a-w
elif ! command -v tmux > /dev/null; then
	skip snapshot-ctrl-a-w "tmux is not installed"
else
	fail snapshot-ctrl-a-w "saved ${saved:-?}, UI exit $(cat "$TMP/exit" 2> /dev/null), restore $STATUS: $(head -2 "$TMP/uir.err")"
fi

# --- a snapshot taken headless, restored in a terminal: the terminal UI --------
# How the saving run was shown is not the VM's (it was seen restored headless
# on a terminal, the UI nowhere); the shell saved mid-line takes the rest.
if command -v tmux > /dev/null && ! skipping; then
	source "$ROOT/test/tmux_lib.sh"
	start 80 26 "'$VMM' --restore s.snap"
	wait_for 30 screen_has "shell> echo hel" && tm send-keys -t t 'lo' Enter 'exit 4' Enter
	ui_end() { screen_has "hello" && screen_has "guest exited with status 4: press a key to close"; }
	wait_for 30 ui_end
	ended=$?
	why_ui="ended $ended: $(why_pane)"
	tm send-keys -t t q
	check snapshot-headless-restores-in-terminal "$why_ui $(status_of)" eval '[ $ended = 0 ] && exited_with 4'
else
	skip snapshot-headless-restores-in-terminal "tmux is not installed"
fi

# --- SeaBIOS: a boot sector waiting for its key ---------------------------------
cp "$GUESTS/boot/bootsect.img" "$TMP/bootsect.img"
printf 'name = "bs";\nfirmware = "seabios";\ndisk = { path = "bootsect.img"; };\n' > "$TMP/bs.cfg"
run_vmm "$TMP/bs" -c "$TMP/bs.cfg" --headless --keys "{until:press a key:}{save-and-quit:$TMP/bs.snap}"
run_vmm "$TMP/bsr" --restore "$TMP/bs.snap" --headless --keys '7' --timeout $((60 * HANG_X)) \
	--set "disk.path=$TMP/bootsect.img"
# status (7 << 1) | 1; the screen as the boot sector left it, then the key
if [ $STATUS -eq 15 ] && grep -q "^press a key: 7" "$TMP/bsr.txt" &&
   grep -q "^exit code 7" "$TMP/bsr.txt" && grep -q "^ vmm boot sector" "$TMP/bsr.txt"; then
	pass snapshot-seabios-boot-sector
else
	fail snapshot-seabios-boot-sector "status $STATUS (want 15): $(head -2 "$TMP/bsr.err")"
fi

# --- bad snapshots: refused, status 2, nothing run -----------------------------
# refused NAME FILE MESSAGE [ARGS...]
refused() {
	local name=$1 f=$2 msg=$3
	shift 3
	run_vmm "$TMP/$name" --restore "$f" --headless "$@"
	if [ $STATUS -eq 2 ] && grep -qF -- "$msg" "$TMP/$name.err" && [ ! -s "$TMP/$name.out" ]; then
		pass "$name"
	else
		fail "$name" "status $STATUS (want 2): $(head -2 "$TMP/$name.err")"
	fi
}
size=$(stat -c %s "$TMP/s.snap" 2> /dev/null || echo 0)
head -c $((size / 2)) "$TMP/s.snap" > "$TMP/trunc.snap"
refused snapshot-bad-truncated "$TMP/trunc.snap" "trunc.snap: truncated"
cp "$TMP/s.snap" "$TMP/flip.snap"
printf '\x5a' | dd of="$TMP/flip.snap" bs=1 seek=$((size / 3)) conv=notrunc 2> /dev/null
refused snapshot-bad-flipped-byte "$TMP/flip.snap" "flip.snap: corrupted: the checksum of section"
cp "$TMP/s.snap" "$TMP/v1.snap"
printf '\x01' | dd of="$TMP/v1.snap" bs=1 seek=8 conv=notrunc 2> /dev/null
refused snapshot-bad-version "$TMP/v1.snap" "snapshot format version 1, from an older vmm: this vmm cannot load it"
refused snapshot-bad-not-snapshot "$GUESTS/shell.elf" "not a vmm snapshot"
refused snapshot-bad-set "$TMP/s.snap" "--set memory=64: a restored VM keeps its machine: 'memory' cannot change" \
	--set memory=64

# a disk image written since the snapshot: refused, or restored with a warning
printf 'x' | dd of="$TMP/snapshot-storm-pv-ring.img" bs=1 seek=100000 conv=notrunc 2> /dev/null
refused snapshot-bad-disk-changed "$TMP/snapshot-storm-pv-ring.snap" \
	"snapshot-storm-pv-ring.img' changed since the snapshot" \
	--set "disk.path=$TMP/snapshot-storm-pv-ring.img"
run_vmm "$TMP/force" --restore "$TMP/snapshot-storm-pv-ring.snap" --headless --dump none \
	--restore-force-disk --set "disk.path=$TMP/snapshot-storm-pv-ring.img"
if [ $STATUS -eq 0 ] && grep -q "may be inconsistent" "$TMP/force.err"; then
	pass snapshot-force-disk
else
	fail snapshot-force-disk "status $STATUS: $(head -2 "$TMP/force.err")"
fi

# --- a save that fails: vmm's own status, never one a guest would pick ----------
mkdir "$TMP/isdir"
run_vmm "$TMP/sqf" -c "$TMP/shell.cfg" --headless --stats "$TMP/sqf.json" \
	--keys "{until:shell>}{save-and-quit:$TMP/isdir}"
expect_eq snapshot-save-and-quit-fails "$STATUS $(jq -r .stop.by "$TMP/sqf.json" 2>&1)" \
	"125 error"
