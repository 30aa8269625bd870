# The disk guests on the peer: disk-test and diskbench run unchanged on
# QEMU's IDE disk, and what QEMU wrote reads back on vmm through the PV ring.
source "$(dirname "$0")/../lib.sh"
T=disk-qemu
require_kvm $T-test $T-bench
if ! command -v qemu-system-i386 > /dev/null; then
	skip $T-test "qemu-system-i386 is not installed"
	skip $T-bench "qemu-system-i386 is not installed"
	exit 0
fi

qemu_disk() {
	local p=$1 elf=$2 append=$3 img=$4
	timeout -k 5 120 qemu-system-i386 -enable-kvm -machine pc -nodefaults \
		-display none -serial stdio -kernel "$elf" -append "$append" \
		-drive file="$img",format=raw,if=ide \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 > "$p.out" 2> "$p.err" < /dev/null
	STATUS=$?
	tr -d '\r' < "$p.out" > "$p.txt"
}

# disk-test exits 0 on QEMU as (0 << 1) | 1
"$VMM" --create-image "$TMP/q.img" --size 1M
qemu_disk "$TMP/q" "$GUESTS/disk-test.elf" "disk=ata-irq check=ata-poll seed=11" "$TMP/q.img"
qs=$STATUS
mkcfg "$TMP/v.cfg" disk-test 'cmdline = "disk=pv-ring op=verify seed=11";' \
	"disk = { mode = \"pv\"; path = \"$TMP/q.img\"; };"
run_vmm "$TMP/v" -c "$TMP/v.cfg" --headless --dump none
if [ $qs -eq 1 ] && grep -q "^disk-test: 0 failures" "$TMP/q.txt" && [ $STATUS -eq 0 ]; then
	pass $T-test
else
	fail $T-test "QEMU $qs ($(grep FAIL "$TMP/q.txt" | head -2)), vmm verify $STATUS"
fi

"$VMM" --create-image "$TMP/b.img" --size 1M
qemu_disk "$TMP/b" "$GUESTS/diskbench.elf" "mode=all n=20" "$TMP/b.img"
if [ $STATUS -eq 1 ] && [ "$(grep -c '^DISKBENCH mode=.* errors=0$' "$TMP/b.txt")" -eq 3 ] &&
   [ "$(grep -c 'skipped=1' "$TMP/b.txt")" -eq 2 ]; then
	pass $T-bench
else
	fail $T-bench "status $STATUS: $(grep DISKBENCH "$TMP/b.txt" | tr '\n' ' ')"
fi
