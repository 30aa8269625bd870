#!/usr/bin/env bash
# Live migration between two vmm processes: the demo keeps animating on the
# destination and the source exits with 121 (passes and downtime in its
# --stats); a shell moved mid-line takes the rest of the line there; a
# disk write storm moved mid-pass is finished by the destination with
# every sector in place; fd:N on both sides; a destination that fails, or
# none at all, leaves the source running as if nothing happened.
source "$(dirname "$0")/../lib.sh"
require_kvm

# dest NAME SOCKET ARGS...: a vmm --incoming in the background, $DEST its pid;
# returns once it listens
dest() {
	local name=$1 sock=$2 i
	shift 2
	rm -f "$sock"
	timeout -k 5 $((330 * HANG_X)) "$VMM" --incoming "unix:$sock" --headless --stats "$TMP/$name.json" "$@" \
		> "$TMP/$name.out" 2> "$TMP/$name.err" < /dev/null &
	DEST=$!
	for ((i = 0; i < 3000 * HANG_X; i++)); do
		[ -S "$sock" ] && return 0
		sleep 0.01
	done
	return 1
}

# dest_wait NAME: the destination's status in $DSTATUS, its text in NAME.txt
dest_wait() {
	wait "$DEST"
	DSTATUS=$?
	tr -d '\r' < "$TMP/$1.out" > "$TMP/$1.txt"
}

screen_of() { grep -v $'\r$' "$1"; }

# --- the demo: its timer goes on over there ---------------------------------------
mkcfg "$TMP/demo.cfg" demo 'serial = { output = "none"; };'
if ! skipping; then
	dest demo-dst "$TMP/demo.sock" --timeout 3
	run_vmm "$TMP/demo-src" -c "$TMP/demo.cfg" --headless --stats "$TMP/demo-src.json" \
		--keys "{until:frame }{migrate:unix:$TMP/demo.sock}"
	src=$STATUS
	dest_wait demo-dst
fi
# the frame counter the source last showed, and the destination's at its end
f0=$(grep -o 'frame [0-9]*' "$TMP/demo-src.txt" | grep -o '[0-9]*$')
f1=$(grep -o 'frame [0-9]*' "$TMP/demo-dst.txt" 2> /dev/null | grep -o '[0-9]*$')
passes=$(jq -r '.migration.passes // empty' "$TMP/demo-src.json" 2> /dev/null)
down=$(jq -r '.migration.downtime_ms // empty' "$TMP/demo-src.json" 2> /dev/null)
if [ "${src:-}" = 121 ] && [ "${DSTATUS:-}" = 124 ] && [ -n "$f0" ] && [ -n "$f1" ] &&
   [ "$f1" -gt "$f0" ] && [ -n "$passes" ] && [ "$passes" -ge 2 ] && [ -n "$down" ] &&
   grep -q "^vmm: migrated to unix:$TMP/demo.sock" "$TMP/demo-src.err"; then
	pass migrate-demo-animates
else
	fail migrate-demo-animates "source ${src:-?} (want 121), destination ${DSTATUS:-?} (want 124), frames $f0 -> $f1, passes $passes, downtime $down: $(head -2 "$TMP/demo-dst.err")"
fi

# --- a shell moved mid-line ----------------------------------------------------------
mkcfg "$TMP/shell.cfg" shell 'memory = 16;' 'serial = { output = "none"; };'
if ! skipping; then
	dest sh-dst "$TMP/sh.sock" --keys 'lo\nexit 9\n' --timeout $((60 * HANG_X))
	run_vmm "$TMP/sh-src" -c "$TMP/shell.cfg" --headless \
		--keys "{until:shell>}echo hel{until:shell> echo hel}{migrate:unix:$TMP/sh.sock}"
	src=$STATUS
	dest_wait sh-dst
fi
if [ "${src:-}" = 121 ] && [ "${DSTATUS:-}" = 9 ] &&
   screen_of "$TMP/sh-dst.txt" | grep -q '^hello *$'; then
	pass migrate-shell-rest-of-line
else
	fail migrate-shell-rest-of-line "source ${src:-?}, destination ${DSTATUS:-?} (want 9): $(head -2 "$TMP/sh-dst.err")"
fi

# --- a disk write storm: the destination finishes it (3 passes over 200 sectors) ------
rm -f "$TMP/storm.img"
"$VMM" --create-image "$TMP/storm.img" --size 128K
mkcfg "$TMP/storm.cfg" disk-test 'cmdline = "disk=ata-irq op=storm n=200 passes=3 seed=40";' \
	'disk = { mode = "emulated"; path = "storm.img"; };'
if ! skipping; then
	# bounds only (x3 in a nested VM): the storm ends the guest itself
	dest st-dst "$TMP/st.sock" --dump none --timeout $((300 * HANG_X)) --set "disk.path=$TMP/storm.img"
	run_vmm "$TMP/st-src" -c "$TMP/storm.cfg" --headless --dump none --timeout $((110 * HANG_X)) \
		--keys "{until:storm 0 20}{migrate:unix:$TMP/st.sock}"
	src=$STATUS
	dest_wait st-dst
fi
python3 - "$TMP/storm.img" 200 > "$TMP/storm.chk" <<'EOF'
import struct, sys
img, n = sys.argv[1], int(sys.argv[2])
M = 0xffffffff
def pattern(lba, seed):
    v = (lba * 0x9e3779b1 + seed * 0x85ebca77) & M
    return b"".join(struct.pack("<I", (v + k * 0x01000193) & M) for k in range(128))
data = open(img, "rb").read()
bad = [l for l in range(n) if data[l * 512:(l + 1) * 512] != pattern(l, 42)]
print("sectors without the last pass:", bad[:8]) if bad else None
sys.exit(1 if bad else 0)
EOF
chk=$?
if [ "${src:-}" = 121 ] && [ "${DSTATUS:-}" = 0 ] && [ $chk -eq 0 ] &&
   ! grep -q "disk-test:" "$TMP/st-dst.txt" && grep -q "^ACK 2 199$" "$TMP/st-dst.txt"; then
	pass migrate-storm
else
	fail migrate-storm "source ${src:-?}, destination ${DSTATUS:-?}: $(cat "$TMP/storm.chk") $(head -2 "$TMP/st-dst.err")"
fi

# --- fd:N on both sides: a socket pair a script made ----------------------------------
if ! skipping; then
	python3 - "$VMM" "$TMP" <<'EOF' > "$TMP/fd.result"
import socket, subprocess, sys
vmm, tmp = sys.argv[1], sys.argv[2]
a, b = socket.socketpair()
dst = subprocess.Popen([vmm, "--incoming", "fd:%d" % b.fileno(), "--headless",
                        "--keys", "exit 6\\n", "--timeout", "60"], pass_fds=[b.fileno()],
                       stdout=subprocess.DEVNULL, stderr=open(tmp + "/fd-dst.err", "w"))
src = subprocess.Popen([vmm, "-c", tmp + "/shell.cfg", "--headless", "--keys",
                        "{until:shell>}{migrate:fd:%d}" % a.fileno(), "--timeout", "60"],
                       pass_fds=[a.fileno()], stdout=subprocess.DEVNULL,
                       stderr=open(tmp + "/fd-src.err", "w"))
a.close(); b.close()
print(src.wait(), dst.wait())
EOF
fi
expect_eq migrate-fd "$(cat "$TMP/fd.result" 2> /dev/null)" "121 6"

# --- no destination, or one that fails: the source goes on --------------------------
run_vmm "$TMP/none" -c "$TMP/shell.cfg" --headless --stats "$TMP/none.json" \
	--keys "{until:shell>}{migrate:unix:$TMP/nobody.sock}echo still here\nexit 7\n"
if [ $STATUS -eq 7 ] && screen_of "$TMP/none.txt" | grep -q '^still here *$' &&
   grep -q "^vmm: migration to unix:$TMP/nobody.sock failed (.*); the VM goes on here" "$TMP/none.err"; then
	pass migrate-no-destination
else
	fail migrate-no-destination "status $STATUS (want 7): $(head -2 "$TMP/none.err")"
fi

# a destination that refuses the VM (here: a --set that would change it)
if ! skipping; then
	# hang guards only: 600 ATA writes take tens of seconds in the nested VM
	dest bad-dst "$TMP/bad.sock" --set memory=64 --timeout 300
	RUN_TIMEOUT=330 run_vmm "$TMP/bad-src" -c "$TMP/storm.cfg" --headless --dump none --timeout 300 \
		--keys "{until:storm 0 10}{migrate:unix:$TMP/bad.sock}"
	src=$STATUS
	dest_wait bad-dst
fi
if [ "${src:-}" = 0 ] && [ "${DSTATUS:-}" = 2 ] &&
   grep -q "'memory' cannot change" "$TMP/bad-dst.err" &&
   grep -q "failed (.*); the VM goes on here" "$TMP/bad-src.err" &&
   grep -q "^ACK 2 199$" "$TMP/bad-src.txt"; then
	pass migrate-destination-fails
else
	fail migrate-destination-fails "source ${src:-?} (want 0), destination ${DSTATUS:-?} (want 2): $(head -2 "$TMP/bad-dst.err") / $(head -2 "$TMP/bad-src.err")"
fi

# A destination stopped before any VM came: one line, status 123, no socket
# file left behind, and --stats says a signal stopped it.
if ! skipping && dest term "$TMP/term.sock"; then
	kill -TERM "$DEST"
	dest_wait term
fi
expect_eq migrate-destination-sigterm \
	"$DSTATUS $(cat "$TMP/term.err") $(jq -r .stop.by "$TMP/term.json" 2>&1) $([ -e "$TMP/term.sock" ] && echo left)" \
	"123 vmm: --incoming unix:$TMP/term.sock: stopped by SIGTERM (Terminated) while waiting for a source signal "
