#!/usr/bin/env bash
# --record: a valid asciicast v2 file whose replay ends on the final
# screen (the same as --dump), headless, for a guest that animates.
source "$(dirname "$0")/../lib.sh"
require_kvm

mkcfg "$TMP/demo.cfg" demo 'cmdline = "frames=30";' 'serial = { output = "none"; };'
run_vmm "$TMP/demo" -c "$TMP/demo.cfg" --headless --record "$TMP/demo.cast" \
	--stats "$TMP/demo.json"
out=$(python3 "$(dirname "$0")/castcheck.py" "$TMP/demo.cast" "$TMP/demo.out")
rc=$?
events=${out%% *}
# the guest draws 30 frames at 30 Hz; the 60 Hz recorder sees most of them
if [ "$STATUS" -eq 0 ] && [ $rc -eq 0 ] && [ "$events" -ge 10 ]; then
	pass record_headless
	echo "    $events events, final cursor row/col/on: ${out#* }"
else
	fail record_headless "status $STATUS, castcheck: $out"
fi

run_vmm "$TMP/bad" -c "$TMP/demo.cfg" --headless --record "$TMP/no/such/dir/x.cast"
check record_bad_path "status $STATUS: $(cat "$TMP/bad.err")" \
	grep -q -- "--record $TMP/no/such/dir/x.cast: No such file" "$TMP/bad.err"
