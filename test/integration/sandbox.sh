#!/usr/bin/env bash
# The seccomp sandbox: a forbidden system call kills vmm with SIGSYS, and
# guests run normally with the sandbox on in every VGA set-up.
source "$(dirname "$0")/../lib.sh"
require_kvm

mkcfg "$TMP/h.cfg" hello 'cmdline = "exit=7";'

# VMM_SANDBOX_SELFTEST makes vmm call socket() right after the filter is in
VMM_SANDBOX_SELFTEST=1 run_vmm "$TMP/st" -c "$TMP/h.cfg" --headless
if [ "$STATUS" -eq $((128 + 31)) ] && grep -q "calling socket" "$TMP/st.err" &&
	! grep -q "not refused" "$TMP/st.err"; then
	pass sandbox_selftest_killed
else
	fail sandbox_selftest_killed "status $STATUS (want 159, SIGSYS): $(tail -2 "$TMP/st.err")"
fi

VMM_SANDBOX_TRAP=1 VMM_SANDBOX_SELFTEST=1 run_vmm "$TMP/tr" -c "$TMP/h.cfg" --headless
check sandbox_trap_names_call "no 'refused system call 41' line" \
	grep -q "sandbox: refused system call 41" "$TMP/tr.err"

VMM_SANDBOX_SELFTEST=1 run_vmm "$TMP/off" -c "$TMP/h.cfg" --headless --no-sandbox
expect_eq sandbox_off_no_selftest "$STATUS" 7

for v in trap coalesced ram pv; do
	if [ $v = pv ]; then
		extra='vga = { mode = "pv"; };'
	else
		extra="vga = { strategy = \"$v\"; };"
	fi
	mkcfg "$TMP/$v.cfg" hello 'cmdline = "exit=7";' "$extra"
	run_vmm "$TMP/$v" -c "$TMP/$v.cfg" --headless --stats "$TMP/$v.json"
	if [ "$STATUS" -eq 7 ] && grep -q "^Hello from a Multiboot guest!" "$TMP/$v.txt" &&
		grep -q '"exit_status": 7' "$TMP/$v.json"; then
		pass sandbox_hello_$v
	else
		fail sandbox_hello_$v "status $STATUS: $(tail -2 "$TMP/$v.err")"
	fi
done
