#!/usr/bin/env bash
# The seccomp sandbox: a forbidden system call kills vmm with SIGSYS, and
# guests run normally with the sandbox on in every VGA set-up.
source "$(dirname "$0")/../lib.sh"
require_kvm

mkcfg "$TMP/h.cfg" hello 'cmdline = "exit=7";'

# VMM_SANDBOX_SELFTEST makes vmm call socket() right after the filter is in
VMM_SANDBOX_SELFTEST=socket run_vmm "$TMP/st" -c "$TMP/h.cfg" --headless
if [ "$STATUS" -eq $((128 + 31)) ] && grep -q "self-test: socket" "$TMP/st.err" &&
	! grep -q "not refused" "$TMP/st.err"; then
	pass sandbox-selftest-killed
else
	fail sandbox-selftest-killed "status $STATUS (want 159, SIGSYS): $(tail -2 "$TMP/st.err")"
fi

VMM_SANDBOX_TRAP=1 VMM_SANDBOX_SELFTEST=socket run_vmm "$TMP/tr" -c "$TMP/h.cfg" --headless
check sandbox-trap-names-call "no 'refused system call 41' line" \
	grep -q "sandbox: refused system call 41" "$TMP/tr.err"

VMM_SANDBOX_SELFTEST=socket run_vmm "$TMP/off" -c "$TMP/h.cfg" --headless --no-sandbox
expect_eq sandbox-off-no-selftest "$STATUS" 7

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
		pass sandbox-hello-$v
	else
		fail sandbox-hello-$v "status $STATUS: $(tail -2 "$TMP/$v.err")"
	fi
done

# Each call the filter refuses, made by vmm itself once the filter is in
# (VMM_SANDBOX_SELFTEST=NAME, vmm/sandbox_selftest.c): with VMM_SANDBOX_TRAP
# the handler names the refused call (x86-64 numbers), without it the
# process dies by SIGSYS.  Before these were refused the call returned and
# vmm stopped with "not refused".
for c in tgkill:234 tkill:200 mmap-exec:9 mprotect-exec:10 stat-path:262 dirty-log:16; do
	name=${c%:*} nr=${c#*:}
	VMM_SANDBOX_TRAP=1 VMM_SANDBOX_SELFTEST=$name run_vmm "$TMP/t-$name" -c "$TMP/h.cfg" --headless
	expect_eq sandbox-refuses-$name-trapped \
		"$STATUS $(grep -c "refused system call $nr\$" "$TMP/t-$name.err") $(grep -c 'not refused' "$TMP/t-$name.err")" \
		"159 1 0"
	VMM_SANDBOX_SELFTEST=$name run_vmm "$TMP/k-$name" -c "$TMP/h.cfg" --headless
	expect_eq sandbox-refuses-$name-killed \
		"$STATUS $(grep -c "self-test: $name\$" "$TMP/k-$name.err") $(grep -c 'not refused' "$TMP/k-$name.err")" \
		"159 1 0"
done

# What stays allowed: glibc's fstat (newfstatat with "" and AT_EMPTY_PATH,
# served by the SIGSYS handler) and a signal to vmm's own thread.
VMM_SANDBOX_SELFTEST=fstat-fd run_vmm "$TMP/fs" -c "$TMP/h.cfg" --headless
expect_eq sandbox-allows-fstat-fd "$STATUS $(grep -c 'fstat(2) works' "$TMP/fs.err")" "7 1"
VMM_SANDBOX_SELFTEST=tgkill-self run_vmm "$TMP/ts" -c "$TMP/h.cfg" --headless
expect_eq sandbox-allows-tgkill-self "$STATUS $(grep -c 'returned 0$' "$TMP/ts.err")" "7 1"

# A sanitizer's report made under the filter comes out whole: the runtime's
# calls (pipe2 for the symbolizer, ...) are allowed in SANITIZE builds.
sanitizer_report() {
	local name=$1 build=$2 want=$3 last=$4
	if [ "$B" != "$build" ]; then
		skip sandbox-$name-report-whole "only in $build (this is $B)"
		return
	fi
	VMM_SANDBOX_TRAP=1 VMM_SANDBOX_SELFTEST=$name run_vmm "$TMP/san-$name" -c "$TMP/h.cfg" --headless
	if grep -q "$want" "$TMP/san-$name.err" && grep -q "$last" "$TMP/san-$name.err" &&
		! grep -q "refused system call" "$TMP/san-$name.err"; then
		pass sandbox-$name-report-whole
	else
		fail sandbox-$name-report-whole "status $STATUS: $(grep -E 'refused|ERROR|WARNING' "$TMP/san-$name.err" | head -3)"
	fi
}
sanitizer_report ubsan build-asan "runtime error: store to misaligned address" "^ *\^ *$"
sanitizer_report asan build-asan "ERROR: AddressSanitizer: heap-buffer-overflow" "==ABORTING"
sanitizer_report tsan build-tsan "WARNING: ThreadSanitizer: data race" "^SUMMARY: ThreadSanitizer"

# Every vmm process of a running VM is filtered, the teardown helper (a
# child of vmm that holds the VM's fds) too.
mkcfg "$TMP/busy.cfg" busy
env "$VMM" -c "$TMP/busy.cfg" --headless > "$TMP/busy.out" 2> "$TMP/busy.err" < /dev/null &
pid=$!
deadline=$((SECONDS + 30 * HANG_X))
until grep -q "busy: round 3" "$TMP/busy.out" 2>/dev/null || [ $SECONDS -ge $deadline ]; do
	sleep 0.05
done
procs=$(cat /proc/$pid/task/*/children 2>/dev/null)
seccomp=""
for p in $pid $procs; do
	seccomp+="$p:$(sed -n 's/^Seccomp:\t//p' /proc/$p/status 2>/dev/null) "
done
kill -TERM $pid 2>/dev/null
wait $pid 2>/dev/null
if ! skipping && [ -n "$procs" ] && [[ $seccomp != *:[01]\ * ]] && [[ $seccomp != *:\ * ]]; then
	pass sandbox-every-process-filtered
else
	fail sandbox-every-process-filtered "Seccomp of vmm and its children (pid:mode): $seccomp"
fi
