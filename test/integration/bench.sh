# bench/run --smoke: runs, and its CSV and JSON are well formed.  Numbers
# are not checked (no timing thresholds in tests); bench/ is for speed.
source "$(dirname "$0")/../lib.sh"
T=bench
require_kvm
command -v jq > /dev/null || skipping || SKIP_WHY="jq is not installed (test/install-deps test)"

# without --out a run writes under the build folder: only `make bench`
# updates the committed bench/results
res=$ROOT/$B/bench/results
committed() { cat "$ROOT"/bench/results/* | cksum; }
before=$(committed)
rm -f "$res/results.csv"
skipping || B=$B timeout -k 5 $((300 * HANG_X)) "$ROOT/bench/run" --smoke > "$TMP/out" 2> "$TMP/err"
STATUS=$?
check $T-smoke "status $STATUS: $(tail -5 "$TMP/err")" test "$STATUS" = 0
check $T-smoke-leaves-committed-results "bench/results changed" test "$(committed)" = "$before"

csv=$res/results.csv
hdr="section,case,size,metric,unit,runs,median,min,max,exits_per_op,exit_kinds,note"
# every row has the header's 12 fields; numeric columns are numbers or empty
bad=$(awk -F, -v h="$hdr" '
	NR == 1 { if ($0 != h) { print "header: " $0; exit } next }
	NF != 12 { print "line " NR " has " NF " fields"; exit }
	{ for (i = 6; i <= 10; i++) if ($i != "" && $i !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/) {
		print "line " NR " field " i ": " $i; exit } }
	END { if (NR < 10) print "only " NR " lines" }' "$csv" 2>&1)
check $T-csv "$bad" test -z "$bad"

rows=$(($(wc -l < "$csv") - 1))
got=$(jq '.rows | length' "$res/results.json" 2> "$TMP/jq.err")
check $T-json "rows $got (csv $rows): $(head -2 "$TMP/jq.err")" \
	test "$got" = "$rows" -a -n "$(jq -r '.machine.kernel // empty' "$res/results.json")"

check $T-table "no table: $(head -3 "$TMP/out")" \
	grep -q '^== Targets (issue 6) ==$' "$TMP/out"
