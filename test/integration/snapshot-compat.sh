#!/usr/bin/env bash
# Snapshots outlive vmm releases: the ones under test/data/snapshots/, made
# by an earlier vmm (test/data/make-snapshots.sh), still restore and go on.
# A change that breaks one adds a converter or a documented refusal
# (DEVELOPERS.md), never a new file in its place.
source "$(dirname "$0")/../lib.sh"
require_kvm

DATA=$ROOT/test/data/snapshots
# the screen part of a headless run's stdout (serial lines end in CR LF)
screen_of() { grep -v $'\r$' "$1"; }

# the shell at its prompt, "echo hel" typed: the rest of the line, and exit
run_vmm "$TMP/shell" --restore "$DATA/shell.snap" --headless --keys 'lo\nexit 9\n' --timeout 60
if [ $STATUS -eq 9 ] && screen_of "$TMP/shell.out" | grep -q '^shell> echo hello *$' &&
   screen_of "$TMP/shell.out" | grep -q '^hello *$'; then
	pass snapshot-compat-shell
else
	fail snapshot-compat-shell "status $STATUS (want 9): $(head -2 "$TMP/shell.err")
$(screen_of "$TMP/shell.out" | grep -v '^ *$' | head -5)"
fi

# SeaBIOS's boot sector waiting for a key.  The image is a copy: the saved
# one's identity (inode, time) is of the machine that made the snapshot.
cp "$GUESTS/boot/bootsect.img" "$TMP/bootsect.img"
run_vmm "$TMP/bs" --restore "$DATA/bootsect.snap" --headless --keys '7' --timeout 60 \
	--set "disk.path=$TMP/bootsect.img" --restore-force-disk
# status (7 << 1) | 1; the screen as the boot sector left it, then the key
if [ $STATUS -eq 15 ] && grep -q "^press a key: 7" "$TMP/bs.txt" &&
   grep -q "^exit code 7" "$TMP/bs.txt" && grep -q "^ vmm boot sector" "$TMP/bs.txt"; then
	pass snapshot-compat-seabios-boot-sector
else
	fail snapshot-compat-seabios-boot-sector "status $STATUS (want 15): $(head -2 "$TMP/bs.err")"
fi

# disk-test mid-storm over ATA (24 sectors, 3 passes, seed 40): the
# restored guest finishes where it was, and every sector holds the last
# pass, whatever a fresh image held before
"$VMM" --create-image "$TMP/ata.img" --size 12K > /dev/null
run_vmm "$TMP/ata" --restore "$DATA/ata.snap" --headless --dump none --timeout 60 \
	--set "disk.path=$TMP/ata.img" --restore-force-disk
python3 - "$TMP/ata.img" "$TMP/ata.txt" > "$TMP/ata.chk" <<'EOF'
import re, struct, sys
img, out = sys.argv[1], sys.argv[2]
n, last, seed = 24, 2, 40 + 2
M = 0xffffffff
def pattern(lba):
    v = (lba * 0x9e3779b1 + seed * 0x85ebca77) & M
    return b"".join(struct.pack("<I", (v + k * 0x01000193) & M) for k in range(128))
acks = [(int(p), int(l)) for p, l in re.findall(r"^ACK (\d+) (\d+)$", open(out).read(), re.M)]
if "disk-test:" in open(out).read() or not acks or acks[0][0] != 0:
    print("the restored VM started over or wrote nothing:", acks[:2]); sys.exit(1)
if acks[-1] != (last, n - 1):
    print("the restored VM did not finish:", acks[-1:]); sys.exit(1)
data = open(img, "rb").read()
bad = [l for l in range(n) if data[l * 512:(l + 1) * 512] != pattern(l)]
if bad:
    print("sectors without the last pass:", bad[:8]); sys.exit(1)
EOF
chk=$?
if [ $STATUS -eq 0 ] && [ $chk -eq 0 ]; then
	pass snapshot-compat-ata-mid-transfer
else
	fail snapshot-compat-ata-mid-transfer "status $STATUS: $(cat "$TMP/ata.chk") $(head -2 "$TMP/ata.err")"
fi
