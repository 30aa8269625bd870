# The peer: the same guest binaries run on QEMU's -kernel (Multiboot) with
# the same behaviour, emulated devices only.
source "$(dirname "$0")/../lib.sh"
T=qemu
require_kvm $T-hello $T-irq
if ! command -v qemu-system-i386 > /dev/null; then
	skip $T-hello "qemu-system-i386 is not installed"
	skip $T-irq "qemu-system-i386 is not installed"
	exit 0
fi

qemu() {
	local p=$1 elf=$2 append=$3
	timeout -k 5 120 qemu-system-i386 -enable-kvm -machine pc -nodefaults -vga std \
		-display none -serial stdio -kernel "$elf" -append "$append" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 > "$p.out" 2> "$p.err" < /dev/null
	STATUS=$?
	tr -d '\r' < "$p.out" > "$p.txt"
}

# exit status 7 comes back from QEMU's debug-exit as (7 << 1) | 1
qemu "$TMP/h" "$GUESTS/hello.elf" "exit=7"
if [ "$STATUS" = 15 ] && grep -q '^Hello from a Multiboot guest!$' "$TMP/h.txt" &&
	grep -q '^hypervisor: other, screen driver: emulated$' "$TMP/h.txt"; then
	pass $T-hello
else
	fail $T-hello "status $STATUS: $(head -5 "$TMP/h.txt" "$TMP/h.err")"
fi

qemu "$TMP/i" "$GUESTS/core-test.elf" "case=irq"
expect_eq $T-irq "$STATUS $(grep -c '^ok ' "$TMP/i.txt")" "1 2"
