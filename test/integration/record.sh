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
	pass record-headless
	echo "    $events events, final cursor row/col/on: ${out#* }"
else
	fail record-headless "status $STATUS, castcheck: $out"
fi

run_vmm "$TMP/bad" -c "$TMP/demo.cfg" --headless --record "$TMP/no/such/dir/x.cast"
check record-bad-path "status $STATUS: $(cat "$TMP/bad.err")" \
	grep -q -- "--record $TMP/no/such/dir/x.cast: No such file" "$TMP/bad.err"

# --record-max: the file stops growing before SIZE, with one note on
# stderr, and what was written stays a valid asciicast (each line JSON).
run_vmm "$TMP/max" -c "$TMP/demo.cfg" --headless --record "$TMP/max.cast" --record-max 6K
size=$(stat -c %s "$TMP/max.cast" 2>/dev/null || echo 0)
lines=$(python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    json.loads(line)
    n += 1
print(n)' "$TMP/max.cast" 2>&1)
if [ "$STATUS" -eq 0 ] && [ "$size" -le 6144 ] && [ "$lines" -ge 2 ] &&
	[ "$(grep -c -- "--record $TMP/max.cast: stopped at $size bytes" "$TMP/max.err")" = 1 ]; then
	pass record-max-stops
else
	fail record-max-stops "status $STATUS, $size bytes, $lines lines: $(head -2 "$TMP/max.err")"
fi
run_vmm "$TMP/maxbad" -c "$TMP/demo.cfg" --headless --record "$TMP/mb.cast" --record-max 12X
expect_eq record-max-bad-size "$STATUS $(cat "$TMP/maxbad.err")" \
	"2 vmm: --record-max 12X: expected a size such as 64M"
