#!/usr/bin/env bash
# The disk end to end: one driver writes, another reads back, and the test
# reads the image file itself; emulated and PV leave identical images; bad
# images are refused untouched; nothing acknowledged is lost to SIGKILL, and
# SIGTERM/SIGHUP/SIGINT in the middle of a write storm end cleanly.
source "$(dirname "$0")/../lib.sh"

require_kvm

# check_image NAME IMAGE SEED [EXTRA]: the disk-test pattern is in IMAGE at
# the sectors disk-test writes (and only there, below sector 400)
check_image() {
	python3 - "$2" "$3" "${4:-}" <<'EOF'
import struct, sys
path, seed, extra = sys.argv[1], int(sys.argv[2]), sys.argv[3]
M = 0xffffffff
def pattern(lba, seed):
    v = ((lba & M) * 0x9e3779b1 + (lba >> 32) * 0x27d4eb2f + seed * 0x85ebca77) & M
    return b"".join(struct.pack("<I", (v + k * 0x01000193) & M) for k in range(128))
with open(path, "rb") as f:
    f.seek(0, 2)
    n = f.tell() // 512
    def sector(l):
        f.seek(l * 512)
        return f.read(512)
    want = {0} | set(range(1, 9)) | set(range(100, 400)) | {n - 1}
    if extra:
        want |= {int(extra)}
    bad = [l for l in sorted(want) if sector(l) != pattern(l, seed)]
    bad += [l for l in range(0, min(n - 1, 400)) if l not in want and sector(l) != bytes(512)]
    if bad:
        print("sectors wrong:", bad[:10])
        sys.exit(1)
EOF
}

newimg() { rm -f "$1"; "$VMM" --create-image "$1" --size "$2" || exit 1; }

# disk_cfg FILE MODE IMAGE CMDLINE [extra config lines]
disk_cfg() {
	local f=$1 mode=$2 img=$3 cmd=$4
	shift 4
	mkcfg "$f" disk-test "cmdline = \"$cmd\";" \
		"disk = { mode = \"$mode\"; path = \"$img\"; $* };"
}

# --- image creation and bad images ------------------------------------------
img=$TMP/new.img
"$VMM" --create-image "$img" --size 1M
s1=$?
echo "keep" > "$TMP/exists.img"
"$VMM" --create-image "$TMP/exists.img" --size 1M 2> "$TMP/c.err"
s2=$?
if [ $s1 -eq 0 ] && [ "$(stat -c %s "$img")" = 1048576 ] && [ $s2 -eq 2 ] &&
   [ "$(cat "$TMP/exists.img")" = keep ] && grep -q "refusing to overwrite" "$TMP/c.err"; then
	pass disk-create-image
else
	fail disk-create-image "create $s1, size $(stat -c %s "$img"), overwrite refusal $s2"
fi

head -c 1000 /dev/zero | tr '\0' 'x' > "$TMP/odd.img"
disk_cfg "$TMP/odd.cfg" emulated odd.img "op=write"
run_vmm "$TMP/odd" -c "$TMP/odd.cfg" --headless
if [ $STATUS -eq 2 ] && [ "$(wc -l < "$TMP/odd.err")" -eq 1 ] &&
   grep -q "odd.img.*multiple of 512" "$TMP/odd.err" &&
   [ "$(tr -d x < "$TMP/odd.img" | wc -c)" -eq 0 ] && [ "$(stat -c %s "$TMP/odd.img")" = 1000 ]; then
	pass disk-bad-image
else
	fail disk-bad-image "status $STATUS, stderr: $(head -2 "$TMP/odd.err")"
fi

# --- one driver writes, another reads, the test reads the file ----------------
# cross NAME SEED WRITE-MODE WRITE-DRIVER READ-MODE READ-DRIVER: one driver
# writes a pattern, the test checks the image file, the other reads it back
cross() {
	local name=$1 seed=$2 w c
	newimg "$TMP/$seed.img" 1M
	disk_cfg "$TMP/$seed-w.cfg" "$3" "$seed.img" "disk=$4 op=write seed=$seed"
	disk_cfg "$TMP/$seed-r.cfg" "$5" "$seed.img" "disk=$6 op=verify seed=$seed"
	run_vmm "$TMP/$seed-w" -c "$TMP/$seed-w.cfg" --headless --dump none
	w=$STATUS
	check_image "$seed" "$TMP/$seed.img" "$seed" > "$TMP/$seed.chk"
	c=$?
	run_vmm "$TMP/$seed-r" -c "$TMP/$seed-r.cfg" --headless --dump none
	if [ $w -eq 0 ] && [ $c -eq 0 ] && [ $STATUS -eq 0 ]; then
		pass "$name"
	else
		fail "$name" "$4 write $w, image check $c ($(cat "$TMP/$seed.chk")), $6 verify $STATUS: $(grep FAIL "$TMP/$seed-r.txt" | head -2)"
	fi
}
cross disk-ata-to-pv 5 emulated ata-irq pv pv-ring
cross disk-pv-to-ata 6 pv pv-sector emulated ata-poll

# --- each driver's full self-test (write, read back with another, errors) ----
bad=
for t in "emulated|disk=ata-poll check=ata-irq" "emulated|disk=ata-irq check=ata-poll ext=1" \
	 "pv|disk=pv-ring check=pv-sector" "pv|disk=pv-sector check=pv-ring"; do
	newimg "$TMP/s.img" 1M
	disk_cfg "$TMP/s.cfg" "${t%%|*}" s.img "${t#*|} seed=3"
	run_vmm "$TMP/s" -c "$TMP/s.cfg" --headless --dump none
	if [ $STATUS -ne 0 ] || ! check_image s "$TMP/s.img" 3 > /dev/null; then
		bad+="${t#*|}: status $STATUS: $(grep FAIL "$TMP/s.txt" | head -3 | tr '\n' ' '); "
	fi
done
check disk-selftest "$bad" test -z "$bad"
# -v says a slave drive goes unused with the PV disk (it was checked before -v was known)
run_vmm "$TMP/sv" -c "$TMP/s.cfg" -v --headless --dump none --set "disk.slave=$TMP/s.img"
check disk-pv-slave-unused-said "status $STATUS: $(head -3 "$TMP/sv.err")" \
	grep -qx "vmm: disk.slave is an ATA drive: unused with disk.mode = pv" "$TMP/sv.err"

# --- LBA48: a sparse 128 GiB image, sector 2^28 + 5 --------------------------
big=$(( (1 << 28) + 64 ))
newimg "$TMP/big.img" $(( big * 512 ))
disk_cfg "$TMP/bw.cfg" emulated big.img "disk=ata-poll op=write seed=8"
disk_cfg "$TMP/br.cfg" pv big.img "disk=pv-ring op=verify seed=8"
run_vmm "$TMP/bw" -c "$TMP/bw.cfg" --headless --dump none
w=$STATUS
check_image big "$TMP/big.img" 8 $(( (1 << 28) + 5 )) > "$TMP/big.chk"
c=$?
run_vmm "$TMP/br" -c "$TMP/br.cfg" --headless --dump none
if [ $w -eq 0 ] && [ $c -eq 0 ] && [ $STATUS -eq 0 ] && grep -q "write 2 at 268435461" "$TMP/bw.txt"; then
	pass disk-lba48
else
	fail disk-lba48 "write $w, check $c ($(cat "$TMP/big.chk")), verify $STATUS"
fi
rm -f "$TMP/big.img"

# --- master and slave --------------------------------------------------------
newimg "$TMP/m.img" 1M
newimg "$TMP/sl.img" 512K
disk_cfg "$TMP/ms.cfg" emulated m.img "disk=ata-irq slave=1 seed=2" "slave = \"sl.img\";"
run_vmm "$TMP/ms" -c "$TMP/ms.cfg" --headless --dump none
if [ $STATUS -eq 0 ] && grep -q "ok   slave read back" "$TMP/ms.txt" &&
   python3 -c "
import sys
m = open('$TMP/m.img', 'rb').read(); s = open('$TMP/sl.img', 'rb').read()
sys.exit(0 if s[:2048] != bytes(2048) and s[2048:] == bytes(len(s) - 2048) else 1)"; then
	pass disk-slave
else
	fail disk-slave "status $STATUS: $(grep -E 'FAIL|slave' "$TMP/ms.txt" | head -3 | tr '\n' ' ')"
fi

# --- disk.mode = pv: the ATA ports float ------------------------------------
disk_cfg "$TMP/pf.cfg" pv s.img "disk=ata-poll"
run_vmm "$TMP/pf" -c "$TMP/pf.cfg" --headless --dump none
if [ $STATUS -eq 100 ] && grep -q "cannot open the disk with ata-poll: -7" "$TMP/pf.txt"; then
	pass disk-pv-floats
else
	fail disk-pv-floats "status $STATUS: $(head -2 "$TMP/pf.txt")"
fi

# --- the two example configs leave byte-identical images ---------------------
newimg "$TMP/ce.img" 4M
newimg "$TMP/cp.img" 4M
run_vmm "$TMP/ce" -c "$ROOT/conf/disk-emul.cfg" --headless --dump none --set "disk.path=$TMP/ce.img"
s1=$STATUS
run_vmm "$TMP/cp" -c "$ROOT/conf/disk-pv.cfg" --headless --dump none --set "disk.path=$TMP/cp.img"
if [ $s1 -eq 0 ] && [ $STATUS -eq 0 ] && cmp -s "$TMP/ce.img" "$TMP/cp.img" &&
   check_image c "$TMP/ce.img" 1 > /dev/null; then
	pass disk-emul-vs-pv
else
	fail disk-emul-vs-pv "emulated $s1, pv $STATUS, images $(cmp "$TMP/ce.img" "$TMP/cp.img" 2>&1 | head -1)"
fi

# --- signals in the middle of a write storm ----------------------------------
# storm NAME MODE DRIVER SIGNAL: the guest writes sector after sector and
# prints "ACK pass lba" once each write was acknowledged; after 20 of them
# the VMM gets SIGNAL.  Every acknowledged sector must hold its pattern, and
# no sector may be torn (each is zero or a whole pattern of some pass).
storm() {
	local name=$1 mode=$2 drv=$3 sig=$4 n=200
	newimg "$TMP/$name.img" 128K
	disk_cfg "$TMP/$name.cfg" "$mode" "$name.img" "disk=$drv op=storm n=$n passes=0 seed=40"
	set -m		# background jobs keep SIGINT (not ignored)
	"$VMM" -c "$TMP/$name.cfg" --headless --dump none > "$TMP/$name.out" 2> "$TMP/$name.err" < /dev/null &
	local pid=$! i
	set +m
	for ((i = 0; i < 600 * HANG_X; i++)); do
		grep -q "^ACK 0 20" "$TMP/$name.out" 2> /dev/null && break
		kill -0 $pid 2> /dev/null || break
		sleep 0.05
	done
	kill -s "$sig" $pid 2> /dev/null
	for ((i = 0; i < 600 * HANG_X; i++)); do
		kill -0 $pid 2> /dev/null || break
		sleep 0.05
	done
	kill -9 $pid 2> /dev/null
	wait $pid 2> /dev/null
	local st=$?
	tr -d '\r' < "$TMP/$name.out" > "$TMP/$name.txt"
	local want=123
	[ "$sig" = KILL ] && want=137
	python3 - "$TMP/$name.img" "$TMP/$name.txt" $n > "$TMP/$name.chk" <<'EOF'
import re, struct, sys
img, log, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
M = 0xffffffff
def pattern(lba, seed):
    v = (lba * 0x9e3779b1 + seed * 0x85ebca77) & M
    return b"".join(struct.pack("<I", (v + k * 0x01000193) & M) for k in range(128))
acked = {}
for m in re.finditer(r"^ACK (\d+) (\d+)$", open(log).read(), re.M):
    acked[int(m.group(2))] = int(m.group(1))
if len(acked) < 20:
    print("only", len(acked), "acknowledged writes"); sys.exit(1)
top = max(acked.values()) + 2
data = open(img, "rb").read()
for l in range(n):
    s = data[l * 512:(l + 1) * 512]
    p = next((p for p in range(top) if s == pattern(l, 40 + p)), None)
    if p is None and s != bytes(512):
        print("sector", l, "torn"); sys.exit(1)
    if l in acked and (p is None or p < acked[l]):
        print("sector", l, "lost its acknowledged pass", acked[l], "has", p); sys.exit(1)
print(len(acked), "acknowledged, all present")
EOF
	local c=$?
	if [ $st -eq $want ] && [ $c -eq 0 ]; then
		pass "$name"
	else
		fail "$name" "status $st (want $want), $(cat "$TMP/$name.chk") $(head -2 "$TMP/$name.err")"
	fi
}

storm disk-sigkill emulated ata-irq KILL
storm disk-sigterm pv pv-ring TERM
storm disk-sighup emulated ata-poll HUP
storm disk-sigint pv pv-sector INT
