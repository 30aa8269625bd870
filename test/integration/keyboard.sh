# Keyboard and serial input: the shell typed into headless with --keys and
# stdin, COM1 input by interrupt, script errors, and an idle guest's cost.
source "$(dirname "$0")/../lib.sh"
T=kbd
require_kvm

mkcfg "$TMP/shell.cfg" shell 'serial = { output = "none"; };'

# the dump is the screen alone: serial output goes nowhere
run_vmm "$TMP/s" -c "$TMP/shell.cfg" --headless --timeout 60 \
	--keys '{until:shell>}echo hello world\nexit 42\n'
expect_eq $T-shell-exit "$STATUS" 42
if grep -qx 'shell> echo hello world' "$TMP/s.txt" && grep -qx 'hello world' "$TMP/s.txt" &&
	grep -qx 'bye (42)' "$TMP/s.txt"; then
	pass $T-shell-screen
else
	fail $T-shell-screen "screen: $(head -8 "$TMP/s.txt")"
fi

# --stats "keys": each --keys step as it ended, in order, with the exits
# so far (bench/ times a key to the screen from it; no timing checked here)
run_vmm "$TMP/ks" -c "$TMP/shell.cfg" --headless --timeout 60 --stats "$TMP/ks.json" \
	--keys '{until:shell>}{Up}{wait:10}exit 3\n'
got=$(jq -r '[.keys[].step] | join(" ")' "$TMP/ks.json" 2>&1)
ordered=$(jq -r '[.keys[] | [.ns, .exits]] | . == sort' "$TMP/ks.json" 2>&1)
expect_eq $T-stats-keys "$STATUS $got $ordered" "3 until key wait key true"

# Left, Home, Del, End and Backspace edit the line before Enter
run_vmm "$TMP/e" -c "$TMP/shell.cfg" --headless --timeout 60 --keys \
	'{until:shell>}echo wrld{Left}{Left}{Left}o{End}!!{Backspace}{Home}{Del}{Del}{Del}{Del}echo hi\nexit 0\n'
check $T-line-editing "screen: $(grep -m3 . "$TMP/e.txt")" grep -qx 'hi world!' "$TMP/e.txt"

# Up twice brings back the first line; Up, Backspace, X edits the recalled line
run_vmm "$TMP/h" -c "$TMP/shell.cfg" --headless --timeout 60 --keys \
	'{until:shell>}echo one\necho two\n{Up}{Up}\n{Up}{Backspace}X\n{Up}{Up}{Up}{Down}\nexit 0\n'
got=$(grep -x 'one\|two\|onX' "$TMP/h.txt" | tr '\n' ' ')
expect_eq $T-history "$got" "one two one onX one "

# the same shell with the paravirtual screen driver
run_vmm "$TMP/p" -c "$TMP/shell.cfg" --headless --timeout 60 --set vga.mode=pv \
	--keys '{until:shell>}echo on pv\nexit 7\n'
if [ "$STATUS" = 7 ] && grep -q 'on pv-frame screen' "$TMP/p.txt" && grep -qx 'on pv' "$TMP/p.txt"; then
	pass $T-pv-screen
else
	fail $T-pv-screen "status $STATUS: $(head -3 "$TMP/p.txt")"
fi

# the same keys through the IOAPIC and local APIC instead of the 8259s
run_vmm "$TMP/a" -c "$TMP/shell.cfg" --headless --timeout 60 --set cmdline=irq=ioapic \
	--keys '{until:shell>}echo via ioapic\n{Up}{Left}{Left}XY\nexit 8\n'
if [ "$STATUS" = 8 ] && grep -q 'no disk, ioapic\.' "$TMP/a.txt" &&
	grep -qx 'via ioapXYic' "$TMP/a.txt"; then
	pass $T-ioapic
else
	fail $T-ioapic "status $STATUS: $(head -4 "$TMP/a.txt")"
fi

# stdin that is not a terminal types into the guest; EOF does not stop it
printf 'echo from stdin\nexit 5\n' | timeout -k 5 60 "$VMM" -c "$TMP/shell.cfg" --headless \
	> "$TMP/i.txt" 2> "$TMP/i.err"
STATUS=$?
if [ "$STATUS" = 5 ] && grep -qx 'from stdin' "$TMP/i.txt"; then
	pass $T-stdin
else
	fail $T-stdin "status $STATUS: $(head -3 "$TMP/i.txt") $(cat "$TMP/i.err")"
fi

printf '{until:shell>}echo from a file\n{wait:50}exit 6\n' > "$TMP/keys"
run_vmm "$TMP/f" -c "$TMP/shell.cfg" --headless --timeout 60 --keys-file "$TMP/keys"
if [ "$STATUS" = 6 ] && grep -qx 'from a file' "$TMP/f.txt"; then
	pass $T-keys-file
else
	fail $T-keys-file "status $STATUS: $(cat "$TMP/f.err")"
fi

run_vmm "$TMP/d" -c "$TMP/shell.cfg" --headless --timeout 60 \
	--keys '{until:shell>}disk read 3\nexit 0\n'
check $T-no-disk "screen: $(grep -A1 'disk read' "$TMP/d.txt")" grep -qx 'no disk driver' "$TMP/d.txt"

run_vmm "$TMP/b" -c "$TMP/shell.cfg" --headless --timeout 60 \
	--keys '{until:shell>}bench 200\nexit 0\n'
if [ "$STATUS" = 0 ] && grep -q '^bench: 200 screen writes (emulated): [0-9]* cycles each$' "$TMP/b.txt" &&
	grep -q '^bench: 200 8042 status reads' "$TMP/b.txt"; then
	pass $T-bench
else
	fail $T-bench "status $STATUS: $(grep bench "$TMP/b.txt")"
fi

# COM1 by interrupt: 20000 bytes (5 times the host queue) arrive whole
python3 - "$TMP/data" <<'PY' > "$TMP/want"
import random, sys
random.seed(7)
d = bytes(random.randrange(32, 127) for _ in range(20000))
open(sys.argv[1], "wb").write(d)
h = 0
for b in d:
    h = (h * 31 + b) & 0xffffffff
print("serin: %d bytes, sum %d, hash %d" % (len(d), sum(d), h))
PY
mkcfg "$TMP/serin.cfg" serin 'cmdline = "n=20000";'
timeout -k 5 60 "$VMM" -c "$TMP/serin.cfg" --headless --dump none < "$TMP/data" > "$TMP/l.out" 2> "$TMP/l.err"
STATUS=$?
got=$(tr -d '\r' < "$TMP/l.out" | grep -o '^serin: 20000 bytes, sum [0-9]*, hash [0-9]*')
expect_eq $T-serial-long "$STATUS $got" "0 $(cat "$TMP/want")"

# two bursts, two receive interrupts at least
run_vmm "$TMP/r" -c "$TMP/serin6.cfg" --headless --dump none --timeout 60 --keys 'abc{wait:100}def'
for mode in pic ioapic; do
	name=$T-serial-irq
	[ $mode = ioapic ] && name=$T-serial-irq-ioapic
	mkcfg "$TMP/serin6.cfg" serin "cmdline = \"n=6 irq=$mode\";"
	run_vmm "$TMP/r" -c "$TMP/serin6.cfg" --headless --dump none --timeout 60 --keys 'abc{wait:100}def'
	n=$(sed -n "s/^serin: 6 bytes, sum 597, hash [0-9]*, \([0-9]*\) interrupts ($mode)\$/\1/p" "$TMP/r.txt")
	if [ "$STATUS" = 0 ] && [ "${n:-0}" -ge 2 ]; then
		pass $name
	else
		fail $name "status $STATUS: $(cat "$TMP/r.txt")"
	fi
done

run_vmm "$TMP/k" -c "$TMP/shell.cfg" --headless --keys 'x{Nope}'
if [ "$STATUS" = 2 ] && grep -q "vmm: --keys: {Nope}: unknown key name" "$TMP/k.err"; then
	pass $T-bad-key
else
	fail $T-bad-key "status $STATUS: $(cat "$TMP/k.err")"
fi

# with --timeout, {until:} waits as long as the run may last, not 120 s:
# the timeout's own note, and the screen as it was
run_vmm "$TMP/u" -c "$TMP/shell.cfg" --headless --timeout 1 --keys '{until:never shown}x'
if [ "$STATUS" = 124 ] && grep -qx 'vmm: timeout after 1 s' "$TMP/u.err" &&
	grep -qx 'shell>' "$TMP/u.txt"; then
	pass $T-until-bounded-by-timeout
else
	fail $T-until-bounded-by-timeout "status $STATUS: $(cat "$TMP/u.err")"
fi
run_vmm "$TMP/m" -c "$TMP/shell.cfg" --headless --keys-file "$TMP/nonexistent"
if [ "$STATUS" = 2 ] && grep -q "vmm: --keys-file .*nonexistent: No such file" "$TMP/m.err"; then
	pass $T-missing-keys-file
else
	fail $T-missing-keys-file "status $STATUS: $(cat "$TMP/m.err")"
fi

# An idle guest at its prompt (hlt with interrupts on) costs the host
# next to nothing: CPU time of the vmm process over 3 s of wall time.
mkcfg "$TMP/idle.cfg" shell
timeout -k 5 60 "$VMM" -c "$TMP/idle.cfg" --headless --dump none < /dev/null > "$TMP/c.out" 2>&1 &
pid=$!
for _ in $(seq 200); do
	grep -q 'shell> ' "$TMP/c.out" 2>/dev/null && break
	sleep 0.05
done
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
if grep -q 'shell> ' "$TMP/c.out"; then
	t0=$(date +%s%N); c0=$(cpu)
	sleep 3
	t1=$(date +%s%N); c1=$(cpu)
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null
	hz=$(getconf CLK_TCK)
	pct=$(awk -v c="$((c1 - c0))" -v hz="$hz" -v ns="$((t1 - t0))" \
		'BEGIN { printf "%.2f", 100 * (c / hz) / (ns / 1e9) }')
	if awk -v p="$pct" 'BEGIN { exit !(p < 3) }'; then
		pass "$T-idle-cpu ($pct% of a CPU over $(( (t1 - t0) / 1000000 )) ms)"
	else
		fail $T-idle-cpu "vmm used $pct% of a CPU while the guest sat at its prompt"
	fi
else
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	fail $T-idle-cpu "the shell never showed its prompt: $(cat "$TMP/c.out")"
fi
