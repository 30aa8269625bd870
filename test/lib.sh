# Helpers for integration tests (bash).  Each test prints PASS/FAIL/SKIP
# lines that test/run counts; source this file first.
set -u
: "${B:=build}"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VMM="$ROOT/$B/bin/vmm"
GUESTS="$ROOT/$B/guest"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmm-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# A file whose tests need something this machine may lack calls require_*
# at its top.  require_kvm [ring0]: where this machine's /dev/kvm cannot run
# the file's guests (test/vm/where), the file runs again inside the nested
# VM (test/vm/run), so no test is ever skipped for lack of KVM; test/run
# sends such files there itself, in one VM for all of them.  Other needs
# (require_qemu) skip at once: from then on every result line the file
# prints is "SKIP name: why" under the test's own name.
SKIP_WHY=
skipping() { [ -n "$SKIP_WHY" ]; }
skip() { echo "SKIP $1: $2"; }
pass() { if skipping; then skip "$1" "$SKIP_WHY"; else echo "PASS $1"; fi; }
fail() { if skipping; then skip "$1" "$SKIP_WHY"; else echo "FAIL $1: $2"; fi; }

require_kvm() {
	[ "$("$ROOT/test/vm/where" "$@")" = host ] && return
	rm -rf "$TMP"
	exec "$ROOT/test/vm/run" -q -r 1 -C "$PWD" -- bash "$0"
}
require_qemu() {
	skipping || command -v qemu-system-i386 > /dev/null ||
		SKIP_WHY="qemu-system-i386 is not installed"
}

# check NAME CONDITION-MESSAGE COMMAND...: PASS when COMMAND succeeds
check() {
	local name=$1 msg=$2
	shift 2
	if skipping; then skip "$name" "$SKIP_WHY"; return; fi
	if "$@"; then pass "$name"; else fail "$name" "$msg"; fi
}

# Hang guards are bounds, never timing checks: inside a loaded nested VM a
# guest runs several times slower (a Linux boot took over 120 s), so there
# they are three times as long.
HANG_X=1
[ -n "${VMM_NESTED_INSIDE:-}" ] && HANG_X=3
export HANG_X	# the tests' python helpers scale their guards too

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds (bounded; x HANG_X)
wait_for() {
	local end=$((SECONDS + $1 * HANG_X))
	shift
	skipping && return 1
	until "$@"; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
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
# (a hang guard kills it after RUN_TIMEOUT seconds, 120 unless set; x HANG_X)
run_vmm() {
	local p=$1
	shift
	if skipping; then STATUS=125; : > "$p.out"; : > "$p.err"; : > "$p.txt"; return; fi
	timeout -k 5 $((${RUN_TIMEOUT:-120} * HANG_X)) "$VMM" "$@" > "$p.out" 2> "$p.err" < /dev/null
	STATUS=$?
	tr -d '\r' < "$p.out" > "$p.txt"
}

# run_qemu OUT-PREFIX ELF APPEND [QEMU-ARGS...]: the guest on QEMU's pc machine
# (-kernel loads Multiboot); status in $STATUS, which debug-exit makes (v << 1) | 1
run_qemu() {
	local p=$1 elf=$2 append=$3
	shift 3
	if skipping; then STATUS=125; : > "$p.out"; : > "$p.err"; : > "$p.txt"; return; fi
	timeout -k 5 $((120 * HANG_X)) qemu-system-i386 -enable-kvm -machine pc -nodefaults -vga std \
		-display none -serial stdio -kernel "$elf" -append "$append" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@" \
		> "$p.out" 2> "$p.err" < /dev/null
	STATUS=$?
	tr -d '\r' < "$p.out" > "$p.txt"
}
