#!/usr/bin/env bash
# SIGHUP (an SSH connection dropped), SIGTERM, SIGINT and SIGPIPE on a
# closed stdout each end a busy headless VM cleanly: status 123, one line
# saying why, the final screen dump, and no hang.
#
# A device that must be left consistent (the disk image during a write
# storm) adds its config lines to EXTRA_CFG and a check function to
# POST_CHECKS; each check is called as CHECK NAME PREFIX after every stop.
source "$(dirname "$0")/../lib.sh"
require_kvm

EXTRA_CFG=()
POST_CHECKS=()

mkcfg "$TMP/busy.cfg" busy 'vga = { strategy = "coalesced"; };' "${EXTRA_CFG[@]}"

# wait_text FILE PATTERN SECONDS: poll until PATTERN shows up in FILE (x HANG_X)
wait_text() {
	local deadline=$((SECONDS + $3 * HANG_X))
	until grep -q "$2" "$1" 2>/dev/null; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.05
	done
}

# wait_gone PID SECONDS: poll until the process has exited
wait_gone() {
	local deadline=$((SECONDS + $2 * HANG_X))
	while kill -0 "$1" 2>/dev/null; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.05
	done
}

post_checks() {
	local c
	for c in "${POST_CHECKS[@]}"; do "$c" "$@"; done
}

for sig in HUP TERM INT; do
	name=signals-$(tr 'A-Z' 'a-z' <<< "$sig")
	p=$TMP/$sig
	# env --default-signal: bash starts background jobs with SIGINT ignored
	env --default-signal=INT "$VMM" -c "$TMP/busy.cfg" --headless > "$p.out" 2> "$p.err" < /dev/null &
	pid=$!
	if ! wait_text "$p.out" "busy: round 3" 30; then
		kill -KILL $pid 2>/dev/null
		fail $name "the guest never got running: $(tail -2 "$p.err")"
		continue
	fi
	kill -$sig $pid
	if ! wait_gone $pid 10; then
		kill -KILL $pid
		wait $pid 2>/dev/null
		fail $name "vmm still running 10 s after SIG$sig"
		continue
	fi
	wait $pid
	status=$?
	# serial lines end in CR LF, the final screen dump's 25 lines in LF
	dump=$(grep -vc $'\r$' "$p.out")
	if [ $status -eq 123 ] && grep -q "^vmm: stopped by SIG$sig (" "$p.err" &&
		[ "$dump" -eq 25 ] && grep -v $'\r$' "$p.out" | grep -q "^busy: round"; then
		pass $name
	else
		fail $name "status $status (want 123), $dump dump lines, stderr: $(tail -2 "$p.err")"
	fi
	post_checks $name "$p"
done

# SIGPIPE: the reader of stdout goes away; serial output fails with EPIPE
p=$TMP/pipe
set -o pipefail
timeout -k 5 60 "$VMM" -c "$TMP/busy.cfg" --headless 2> "$p.err" < /dev/null | head -c 100 > "$p.out"
status=${PIPESTATUS[0]}
set +o pipefail
if [ "$status" -eq 123 ] && grep -q "^vmm: serial output closed: Broken pipe" "$p.err" &&
	[ "$(wc -c < "$p.out")" -eq 100 ]; then
	pass signals-pipe
else
	fail signals-pipe "status $status (want 123), stderr: $(tail -2 "$p.err")"
fi
post_checks signals-pipe "$p"
