# The peer: the same guest binaries run on QEMU's -kernel (Multiboot) with
# the same behaviour, emulated devices only.
source "$(dirname "$0")/../lib.sh"
T=qemu
require_kvm
require_qemu

# exit status 7 comes back from QEMU's debug-exit as (7 << 1) | 1
run_qemu "$TMP/h" "$GUESTS/hello.elf" "exit=7"
if [ "$STATUS" = 15 ] && grep -q '^Hello from a Multiboot guest!$' "$TMP/h.txt" &&
	grep -q '^hypervisor: other, screen driver: emulated$' "$TMP/h.txt"; then
	pass $T-hello
else
	fail $T-hello "status $STATUS: $(head -5 "$TMP/h.txt" "$TMP/h.err")"
fi

run_qemu "$TMP/i" "$GUESTS/core-test.elf" "case=irq"
expect_eq $T-irq "$STATUS $(grep -c '^ok ' "$TMP/i.txt")" "1 2"

# the VGA register file: read-back masks, DAC and attribute palette as QEMU's
# VGA (after SeaVGABIOS set mode 3) has them; vmm runs the same checks in
# test/integration/palette.sh
run_qemu "$TMP/p" "$GUESTS/palette.elf" ""
expect_eq $T-palette "$STATUS $(grep -c '^ok ' "$TMP/p.txt") $(grep -c '^FAIL' "$TMP/p.txt")" "1 11 0"
