# The disk guests on the peer: disk-test and diskbench run unchanged on
# QEMU's IDE disk, and what QEMU wrote reads back on vmm through the PV ring.
source "$(dirname "$0")/../lib.sh"
T=disk-qemu
require_kvm
require_qemu

# disk-test exits 0 on QEMU as (0 << 1) | 1
"$VMM" --create-image "$TMP/q.img" --size 1M
run_qemu "$TMP/q" "$GUESTS/disk-test.elf" "disk=ata-irq check=ata-poll seed=11" \
	-drive file="$TMP/q.img",format=raw,if=ide
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
run_qemu "$TMP/b" "$GUESTS/diskbench.elf" "mode=all n=20" \
	-drive file="$TMP/b.img",format=raw,if=ide
if [ $STATUS -eq 1 ] && [ "$(grep -c '^DISKBENCH mode=.* errors=0$' "$TMP/b.txt")" -eq 3 ] &&
   [ "$(grep -c 'skipped=1' "$TMP/b.txt")" -eq 2 ]; then
	pass $T-bench
else
	fail $T-bench "status $STATUS: $(grep DISKBENCH "$TMP/b.txt" | tr '\n' ' ')"
fi
