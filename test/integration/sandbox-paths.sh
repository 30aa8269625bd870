#!/usr/bin/env bash
# The sandbox confines files by path (issue 19): through the real filters
# in the real process (VMM_SANDBOX_SELFTEST, vmm/sandbox_selftest.c), the
# snapshot folder's fd cannot reach a path outside it, by an absolute name
# or by "..", to create, rename, link or remove a file, and a file made in
# it cannot be set-uid.
source "$(dirname "$0")/../lib.sh"
require_kvm

mkdir -p "$TMP/home" "$TMP/out"
mkcfg "$TMP/home/h.cfg" hello 'cmdline = "exit=7";'
echo victim > "$TMP/out/victim"

# escape NAME CASE:PATH FILE-THAT-MUST-NOT-EXIST: refused with an errno, nothing made
escape() {
	local name=$1 c=$2 made=$3
	VMM_SANDBOX_SELFTEST=$c run_vmm "$TMP/$name" -c "$TMP/home/h.cfg" --headless
	if ! skipping && grep -q "self-test: .* refused: Permission denied" "$TMP/$name.err" &&
	   [ ! -e "$made" ] && [ "$(cat "$TMP/out/victim")" = victim ]; then
		pass "$name"
	else
		fail "$name" "status $STATUS, $made $(ls -la "$made" 2>&1 | cut -c1-40): $(grep self-test "$TMP/$name.err" | tail -1)"
	fi
}
escape sandbox-paths-create-absolute "create-outside:$TMP/out/pwned" "$TMP/out/pwned"
escape sandbox-paths-create-dotdot "create-outside:../out/pwned2" "$TMP/out/pwned2"
escape sandbox-paths-rename-absolute "rename-outside:$TMP/out/victim" "$TMP/out/victim.moved"
escape sandbox-paths-link-absolute "link-outside:$TMP/out/victim" "$TMP/out/victim.link"
escape sandbox-paths-unlink-absolute "unlink-outside:$TMP/out/victim" "$TMP/out/nothing"

# the mode is pinned: a set-uid file in the folder kills vmm (SIGSYS);
# sanitizer builds let their runtime open() anywhere, so no rule pins it
if [ "$B" != build ]; then
	skip sandbox-paths-setuid-mode-killed "sanitizer builds allow open() everywhere ($B)"
else
	VMM_SANDBOX_SELFTEST=create-setuid:suid run_vmm "$TMP/suid" -c "$TMP/home/h.cfg" --headless
	expect_eq sandbox-paths-setuid-mode-killed "$STATUS $(ls "$TMP/home/suid" 2> /dev/null)" "159 "
fi

# a save into the folder still works, with Landlock in; -v says it is
mkcfg "$TMP/home/sh.cfg" shell 'memory = 16;'
run_vmm "$TMP/save" -c "$TMP/home/sh.cfg" --headless -v \
	--keys "{until:shell>}{save:$TMP/home/ok.snap}exit 7\n"
if [ -s "$TMP/home/ok.snap" ] && grep -q "vmm: sandbox: Landlock ABI [0-9]*: files are written only beneath the snapshot folders" "$TMP/save.err"; then
	pass sandbox-paths-save-still-works
else
	fail sandbox-paths-save-still-works "status $STATUS: $(grep -i 'sandbox\|save' "$TMP/save.err" | head -3)"
fi

# a migration's socket connects only to its target: a probe of another
# listening socket (think docker.sock) is killed before it connects
if ! skipping; then
	python3 - "$TMP/other.sock" > "$TMP/other.rep" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(1)
s.settimeout(30 * int(os.environ.get("HANG_X", "1")))  # a hang guard: vmm is done long before
try:
    c, _ = s.accept(); print("connected")
except OSError:
    print("nobody")
PY
	listener=$!
	wait_for 20 test -S "$TMP/other.sock"
	VMM_SANDBOX_SELFTEST=connect-other:$TMP/other.sock run_vmm "$TMP/conn" -c "$TMP/home/h.cfg" \
		--headless --keys "{migrate:unix:$TMP/dest.sock}"
	# the listener learns nothing came once vmm is gone: close its wait
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.send(b"x")' "$TMP/other.sock" 2> /dev/null
	wait $listener
fi
expect_eq sandbox-paths-connect-other-killed "$STATUS $(grep -c 'not refused' "$TMP/conn.err" 2> /dev/null)" "159 0"
