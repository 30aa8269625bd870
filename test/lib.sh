# Helpers for integration tests (bash).  Each test prints PASS/FAIL/SKIP
# lines that test/run counts; source this file first.
set -u
: "${B:=build}"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VMM="$ROOT/$B/bin/vmm"
GUESTS="$ROOT/$B/guest"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmm-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }

have_kvm() { [ -r /dev/kvm ] && [ -w /dev/kvm ]; }

# check NAME CONDITION-MESSAGE COMMAND...: PASS when COMMAND succeeds
check() {
	local name=$1 msg=$2
	shift 2
	if "$@"; then pass "$name"; else fail "$name" "$msg"; fi
}

# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" == "$3" ]; then pass "$1"; else fail "$1" "got '$2', expected '$3'"; fi
}

# A config in $TMP: mkcfg FILE GUEST [extra lines...]
mkcfg() {
	local f=$1 g=$2
	shift 2
	{
		echo "name = \"test\";"
		echo "guest = \"$GUESTS/$g.elf\";"
		for l in "$@"; do echo "$l"; done
	} > "$f"
}

# run_vmm OUT-PREFIX ARGS...: stdout to PREFIX.out, stderr to PREFIX.err, status in $STATUS
run_vmm() {
	local p=$1
	shift
	timeout -k 5 120 "$VMM" "$@" > "$p.out" 2> "$p.err" < /dev/null
	STATUS=$?
	tr -d '\r' < "$p.out" > "$p.txt"
}

# kvm_tests NAME...: in a file whose tests all need KVM, skip each visibly
require_kvm() {
	if ! have_kvm; then
		for n in "$@"; do skip "$n" "/dev/kvm is not available"; done
		exit 0
	fi
}

# require_qemu NAME...: QEMU is the peer; without it these tests are skipped, visibly
require_qemu() {
	if ! command -v qemu-system-i386 > /dev/null; then
		for n in "$@"; do skip "$n" "qemu-system-i386 is not installed"; done
		exit 0
	fi
}

# run_qemu OUT-PREFIX ELF APPEND [QEMU-ARGS...]: the guest on QEMU's pc machine
# (-kernel loads Multiboot); status in $STATUS, which debug-exit makes (v << 1) | 1
run_qemu() {
	local p=$1 elf=$2 append=$3
	shift 3
	timeout -k 5 120 qemu-system-i386 -enable-kvm -machine pc -nodefaults -vga std \
		-display none -serial stdio -kernel "$elf" -append "$append" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@" \
		> "$p.out" 2> "$p.err" < /dev/null
	STATUS=$?
	tr -d '\r' < "$p.out" > "$p.txt"
}
