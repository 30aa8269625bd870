# Core: boot, exit paths, crashes, timeouts, headless dumps, stats.
source "$(dirname "$0")/../lib.sh"
T=core
require_kvm

mkcfg "$TMP/hello.cfg" hello 'cmdline = "exit=7";'
run_vmm "$TMP/h" -c "$TMP/hello.cfg" --headless
if [ "$STATUS" = 7 ] && grep -q '^Hello from a Multiboot guest!$' "$TMP/h.txt" &&
	grep -q 'exiting with status 7' "$TMP/h.txt"; then
	pass $T-hello
else
	fail $T-hello "status $STATUS, output: $(head -3 "$TMP/h.txt")"
fi
# the dump follows the serial text: its first line is the screen's first row
check $T-hello-screen "screen dump lacks the greeting" \
	grep -q "^vm 'test', 32 MiB of RAM$" "$TMP/h.txt"
# and a line of its own says where the serial text ends and the screen begins
expect_eq $T-hello-separator "$(sed -n '/^exiting with status 7$/,+2p' "$TMP/h.txt" | head -3 | tr '\n' '|')" \
	"exiting with status 7|--- the screen at exit ---|Hello from a Multiboot guest!|"

# stdout is not a terminal: headless without asking, even with display = "tui"
mkcfg "$TMP/tui.cfg" hello 'display = "tui";' 'cmdline = "exit=3";'
run_vmm "$TMP/a" -c "$TMP/tui.cfg"
expect_eq $T-auto-headless "$STATUS $(grep -c 'Hello from' "$TMP/a.txt")" "3 2"

run_vmm "$TMP/ansi" -c "$TMP/hello.cfg" --headless --dump ansi
# attribute 0x1f: bright white (97) on blue (VGA 1 = ANSI 4)
check $T-dump-ansi "no white-on-blue SGR in the ANSI dump" \
	grep -q $'\033\[0;97;44mHello from a Multiboot guest!' "$TMP/ansi.out"

mkcfg "$TMP/core.cfg" core-test
run_vmm "$TMP/b" -c "$TMP/core.cfg" --headless --dump none --set 'cmdline=case=boot marker=xyzzy'
if [ "$STATUS" = 0 ] && [ "$(grep -c '^ok ' "$TMP/b.txt")" = 10 ]; then
	pass $T-boot-state
else
	fail $T-boot-state "status $STATUS: $(grep 'not ok' "$TMP/b.txt")"
fi

run_vmm "$TMP/u" -c "$TMP/core.cfg" --headless --dump none --set cmdline=case=unclaimed \
	--stats "$TMP/u.json"
if [ "$STATUS" = 0 ] && [ "$(grep -c '^ok ' "$TMP/u.txt")" = 3 ] &&
	grep -q '"unclaimed": {"reads": 3, "writes": 2}' "$TMP/u.json" &&
	grep -q '"hypercalls_invalid": 2' "$TMP/u.json"; then
	pass $T-unclaimed
else
	fail $T-unclaimed "status $STATUS: $(grep 'not ok' "$TMP/u.txt"; grep unclaimed "$TMP/u.json")"
fi

run_vmm "$TMP/i" -c "$TMP/core.cfg" --headless --dump none --set cmdline=case=irq
expect_eq $T-irq "$STATUS $(grep -c '^ok ' "$TMP/i.txt")" "0 2"

# Handlers ending in a real iret, entered by IRQ 0 and by int $0x80: KVM's
# emulator refuses both on nested hosts; vmm/emulate.c finishes them.
run_vmm "$TMP/ir" -c "$TMP/core.cfg" --headless --dump none --set cmdline=case=iret
expect_eq $T-iret "$STATUS $(grep -c '^ok ' "$TMP/ir.txt")" "0 2"

# isa-debug-exit: status (v << 1) | 1, as QEMU reports it
run_vmm "$TMP/d" -c "$TMP/core.cfg" --headless --dump none --set 'cmdline=case=debugexit value=3'
expect_eq $T-debug-exit "$STATUS" 7

run_vmm "$TMP/t" -c "$TMP/core.cfg" --headless --dump none --set cmdline=case=triple
# the guest's rip, where the host keeps it; on AMD, KVM resets the vCPU at
# a shutdown, and vmm says the registers are lost rather than print 0xfff0
if [ "$STATUS" = 120 ] && grep -q 'triple fault' "$TMP/t.err" &&
	{ grep -q 'rip=0*10[0-9a-f]\{4\}' "$TMP/t.err" ||
	{ grep -q AuthenticAMD /proc/cpuinfo && grep -q 'not kept: KVM put the vCPU back' "$TMP/t.err" &&
	! grep -q 'rip=' "$TMP/t.err"; }; }; then
	pass $T-triple-fault
else
	fail $T-triple-fault "status $STATUS: $(cat "$TMP/t.err")"
fi

run_vmm "$TMP/hl" -c "$TMP/core.cfg" --headless --dump none --set cmdline=case=halt
if [ "$STATUS" = 0 ] && grep -q 'halted with interrupts disabled' "$TMP/hl.err"; then
	pass $T-halt
else
	fail $T-halt "status $STATUS: $(cat "$TMP/hl.err")"
fi

run_vmm "$TMP/to" -c "$TMP/core.cfg" --headless --dump none --set cmdline=case=spin --timeout 0.5 \
	--stats "$TMP/to.json"
if [ "$STATUS" = 124 ] && grep -q 'timeout after 0.5 s' "$TMP/to.err"; then
	pass $T-timeout
else
	fail $T-timeout "status $STATUS: $(cat "$TMP/to.err")"
fi

# SIGTERM while the guest writes: a clean stop with its own status
if ! skipping; then
	"$VMM" -c "$TMP/core.cfg" --headless --set cmdline=case=chatter --stats "$TMP/s.json" \
		> "$TMP/s.out" 2> "$TMP/s.err" &
	pid=$!
	for _ in $(seq 100); do grep -q 'line 20' "$TMP/s.out" 2>/dev/null && break; sleep 0.1; done
	kill -TERM $pid
	wait $pid
	STATUS=$?
fi
if [ "$STATUS" = 123 ] && grep -q 'line 20' "$TMP/s.out" && grep -q 'Terminated' "$TMP/s.err"; then
	pass $T-sigterm
else
	fail $T-sigterm "status $STATUS: $(cat "$TMP/s.err")"
fi

run_vmm "$TMP/j" -c "$TMP/hello.cfg" --headless --stats "$TMP/j.json"
if grep -q '"exit_status": 7' "$TMP/j.json" && grep -q '"exits_by_reason": {"io": [0-9]*, "mmio": [0-9]*}' "$TMP/j.json" &&
	grep -q '"hypercalls_by_name": {"exit": 1}' "$TMP/j.json"; then
	pass $T-stats-json
else
	fail $T-stats-json "$(cat "$TMP/j.json")"
fi


# every key unique, so any JSON parser sees every device; who stopped the VM
strict_json() {
	python3 -c '
import json, sys
def unique(pairs):
    keys = [k for k, _ in pairs]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise ValueError("duplicate keys: " + ", ".join(sorted(dup)))
    return dict(pairs)
d = json.load(open(sys.argv[1]), object_pairs_hook=unique)
print(d["stop"]["by"], " ".join(sorted(d["pio"])), " ".join(sorted(d["devices"])))
' "$1" 2>&1
}
expect_eq $T-stats-unique-keys "$(strict_json "$TMP/j.json")" \
	"guest debug-exit hypercall i8042-cmd i8042-data serial unclaimed vga-mono-crtc vga-mono-status vga-ports i8042 serial"
# a script tells a guest's own status 124 from a timeout by "stop.by"
stop_by() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stop"]["by"])' "$1" 2>&1; }
expect_eq $T-stats-stop-by "$(stop_by "$TMP/to.json") $(stop_by "$TMP/s.json")" "timeout signal"

# --stats that cannot be written is an error before the guest runs, not a
# green run without figures
run_vmm "$TMP/sw" -c "$TMP/hello.cfg" --headless --stats "$TMP/no/such/dir/s.json"
expect_eq $T-stats-unwritable "$STATUS $(cat "$TMP/sw.err") $(grep -c Hello "$TMP/sw.txt")" \
	"2 vmm: --stats $TMP/no/such/dir/s.json: No such file or directory 0"

# a terminal on stdout but not on stdin: vmm says it runs headless, and why
tty_run() {
	python3 - "$VMM" "$@" <<'PY'
import os, pty, subprocess, sys
m, s = pty.openpty()
p = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=s, stderr=subprocess.PIPE,
                   timeout=60 * int(os.environ.get("HANG_X", "1")))
os.close(s)
print(p.returncode, p.stderr.decode().strip())
PY
}
skipping || got=$(tty_run -c "$TMP/tui.cfg" --dump none 2>&1)
expect_eq $T-stdin-not-a-terminal "${got:-}" \
	"3 vmm: standard input is not a terminal: running headless (Ctrl-C stops the VM; --headless says so and silences this)"
