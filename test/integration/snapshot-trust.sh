#!/usr/bin/env bash
# A snapshot or a migration stream is untrusted input (issue 19): the host
# files it names are neither created nor written by a restore or an
# incoming VM, which takes them from its own command line only.
source "$(dirname "$0")/../lib.sh"
require_kvm

# --- a restore appends nothing to the file the saved config named ---------------
mkdir -p "$TMP/home"
mkcfg "$TMP/sh.cfg" shell 'memory = 16;' "serial = { output = \"$TMP/home/.bashrc\"; };"
run_vmm "$TMP/src" -c "$TMP/sh.cfg" --headless --dump none \
	--keys "{until:shell>}{save-and-quit:$TMP/s.snap}"
src=$STATUS
echo original > "$TMP/home/.bashrc"
run_vmm "$TMP/rest" --restore "$TMP/s.snap" --headless --dump none \
	--keys 'echo pwned\nexit 3\n' --timeout $((60 * HANG_X))
if [ $src -eq 0 ] && [ $STATUS -eq 3 ] && [ "$(cat "$TMP/home/.bashrc")" = original ] &&
   grep -q "echo pwned" "$TMP/rest.txt" &&
   grep -qF "serial.output = \"$TMP/home/.bashrc\" is not used" "$TMP/rest.err"; then
	pass snapshot-trust-restore-keeps-host-file
else
	fail snapshot-trust-restore-keeps-host-file "save $src, restore $STATUS (want 3), .bashrc: $(head -c 80 "$TMP/home/.bashrc"): $(head -2 "$TMP/rest.err")"
fi

# the restoring user may still name the file
run_vmm "$TMP/mine" --restore "$TMP/s.snap" --headless --dump none \
	--set "serial.output=$TMP/mine.log" --keys 'echo mine\nexit 4\n' --timeout $((60 * HANG_X))
if [ $STATUS -eq 4 ] && grep -q "echo mine" "$TMP/mine.log" && ! grep -q "echo mine" "$TMP/mine.txt"; then
	pass snapshot-trust-restore-set-output
else
	fail snapshot-trust-restore-set-output "status $STATUS (want 4): $(head -2 "$TMP/mine.err")"
fi

# --- an incoming stream that names a file, then hangs up: nothing created --------
# the first bytes a real source sends (header and config), kept by a fake
# destination that then hangs up; the source goes on and ends
mkdir -p "$TMP/victim"
mkcfg "$TMP/in.cfg" shell 'memory = 16;' "serial = { output = \"$TMP/victim/in.log\"; };"
if ! skipping; then
	python3 - "$TMP/fake.sock" "$TMP/prefix" $((60 * HANG_X)) <<'EOF' &
import os, socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(1)
# bounded: a source that never connects must not hang the test
s.settimeout(float(sys.argv[3]))
c, _ = s.accept()
c.settimeout(float(sys.argv[3]))
def get(n):
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d: sys.exit(1)
        b += d
    return b
head = get(64)
sec = get(16)
n = struct.unpack_from("<Q", sec, 8)[0]
open(sys.argv[2], "wb").write(head + sec + get(n + 4))
c.close()
EOF
	fake=$!
	wait_for 20 test -S "$TMP/fake.sock"
	run_vmm "$TMP/insrc" -c "$TMP/in.cfg" --headless --dump none \
		--keys "{until:shell>}{migrate:unix:$TMP/fake.sock}exit 5\n" --timeout $((60 * HANG_X))
	wait $fake
	rm -f "$TMP/victim/in.log"
	python3 - "$TMP/dst.sock" "$TMP/prefix" <<'EOF' &
import socket, sys, time
for _ in range(6000):           # a hang guard: vmm listens within seconds
    try:
        c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1]); break
    except OSError:
        time.sleep(0.01)
c.sendall(open(sys.argv[2], "rb").read())
c.close()
EOF
	sender=$!
	run_vmm "$TMP/indst" --incoming "unix:$TMP/dst.sock" --headless --timeout $((60 * HANG_X))
	wait $sender
fi
if [ -s "$TMP/prefix" ] && [ $STATUS -eq 2 ] && [ ! -e "$TMP/victim/in.log" ]; then
	pass snapshot-trust-incoming-creates-nothing
else
	fail snapshot-trust-incoming-creates-nothing "prefix $(stat -c %s "$TMP/prefix" 2> /dev/null), status $STATUS (want 2), in.log $(ls "$TMP/victim"): $(head -2 "$TMP/indst.err")"
fi

# --- serial.raw from a snapshot: the terminal still gets escape sequences shown --
# the guest's escape sequences wait for a key; the saved config asks for raw
mkcfg "$TMP/esc.cfg" serout 'cmdline = "case=escapes key=1";' 'serial = { raw = true; };'
run_vmm "$TMP/escsrc" -c "$TMP/esc.cfg" --headless --dump none \
	--keys "{until:SEROUT-KEY}{save-and-quit:$TMP/esc.snap}"
src=$STATUS
CHECK="$(dirname "$0")/serialcheck.py"
if ! skipping; then
	python3 "$CHECK" pty "$TMP/escr" "$VMM" --restore "$TMP/esc.snap" --headless \
		--dump none --keys ' ' --timeout $((60 * HANG_X)) > "$TMP/escr.rep" 2>&1
fi
# COM1's filter (colours pass): no title, clipboard, query or alternate screen
if [ $src -eq 0 ] && grep -q '^status 0$' "$TMP/escr.rep" && grep -q 'title' "$TMP/escr.out" &&
   ! grep -qaF -e $'\e]0;' -e $'\e]52;' -e $'\e[6n' -e $'\e[?1049h' "$TMP/escr.out" &&
   grep -q 'serial.raw = "true" is not used' "$TMP/escr.err"; then
	pass snapshot-trust-raw-not-restored
else
	fail snapshot-trust-raw-not-restored "save $src, $(cat "$TMP/escr.rep"): $(od -c "$TMP/escr.out" | grep -m2 '033')"
fi

# --- the snapshot file: the user's alone; another's is copied, not mapped --------
check snapshot-trust-saved-0600 "mode $(stat -c %a "$TMP/s.snap" 2> /dev/null)" \
	test "$(stat -c %a "$TMP/s.snap" 2> /dev/null)" = 600

# shrink_run NAME FILE: restores FILE (-v says when its RAM is in), truncates
# the file under the running VM, then types; "status N" and vmm's stderr
shrink_run() {
	skipping && return
	python3 - "$VMM" "$2" "$TMP/$1" <<'PY' > "$TMP/$1.rep" 2>&1
import os, subprocess, sys, time
vmm, snap, prefix = sys.argv[1:4]
err = open(prefix + ".err", "w+")
p = subprocess.Popen([vmm, "--restore", snap, "--headless", "--dump", "none", "-v",
                      "--set", "serial.output=none", "--timeout", "60"],
                     stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
for _ in range(6000):           # a hang guard: the line comes in milliseconds
    if "vmm: restored" in open(prefix + ".err").read() or p.poll() is not None:
        break
    time.sleep(0.01)
os.truncate(snap, 0)
p.stdin.write(b"echo after\nexit 7\n")
p.stdin.close()
print("status", p.wait(90))
PY
}
cp "$TMP/s.snap" "$TMP/mapped.snap"
shrink_run mapped "$TMP/mapped.snap"
if grep -q '^status 125$' "$TMP/mapped.rep" &&
   grep -q "^vmm: the snapshot file $TMP/mapped.snap shrank under the running VM" "$TMP/mapped.err"; then
	pass snapshot-trust-mapped-file-shrinks
else
	fail snapshot-trust-mapped-file-shrinks "$(cat "$TMP/mapped.rep"): $(grep -v restored "$TMP/mapped.err" | head -3)"
fi
cp "$TMP/s.snap" "$TMP/shared.snap"
chmod 0666 "$TMP/shared.snap"
shrink_run shared "$TMP/shared.snap"
if grep -q '^status 7$' "$TMP/shared.rep" &&
   grep -q "copied: others may write the file" "$TMP/shared.err"; then
	pass snapshot-trust-others-writable-copied
else
	fail snapshot-trust-others-writable-copied "$(cat "$TMP/shared.rep"): $(head -3 "$TMP/shared.err")"
fi

# --- --incoming: signals and silence end the wait, the stream is bounded ---------
# incoming MODE NAME [VMM-ARGS...]: a destination fed the captured prefix by a
# sender that then (stall) stops and gets SIGTERM, (idle) stops, (endless)
# sends RAM sections for ever, or (wait) never connects and SIGTERM comes
incoming() {
	local mode=$1 name=$2
	shift 2
	skipping && return
	python3 - "$mode" "$VMM" "$TMP/$name" "$TMP/prefix" "$@" <<'PY' > "$TMP/$name.rep" 2>&1
import os, signal, socket, struct, subprocess, sys, time
mode, vmm, prefix, stream = sys.argv[1:5]
sock = prefix + ".sock"
p = subprocess.Popen([vmm, "--incoming", "unix:" + sock, "--headless", "--dump", "none"] +
                     sys.argv[5:], stdout=subprocess.DEVNULL, stderr=open(prefix + ".err", "w"))
def crc32c(data, crc=0):
    crc ^= 0xffffffff
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82f63b78 & -(crc & 1))
    return crc ^ 0xffffffff
for _ in range(6000):           # a hang guard: vmm listens within milliseconds
    if os.path.exists(sock) or p.poll() is not None:
        break
    time.sleep(0.01)
if mode != "wait":
    # the file exists from bind(); listen() follows: a refusal is retried
    for _ in range(6000):
        c = socket.socket(socket.AF_UNIX)
        try:
            c.connect(sock)
            break
        except ConnectionRefusedError:
            c.close()
            time.sleep(0.01)
    c.sendall(open(stream, "rb").read())
    c.settimeout(60 * int(os.environ.get("HANG_X", "1")))
    print("ready", c.recv(1))   # the destination's machine exists: it reads on
t0 = time.monotonic()
if mode in ("stall", "wait"):
    p.send_signal(signal.SIGTERM)
sent = 0
if mode == "endless":
    pages = struct.unpack_from("<Q", open(stream, "rb").read(), 32)[0] // 4096
    run = struct.pack("<QIHH", 0, pages, 1, 0)      # all of RAM: one zero run
    head = struct.pack("<IIQ", 6, 0, len(run))
    sec = head + run + struct.pack("<I", crc32c(head + run))
    try:
        while p.poll() is None and sent < 100000:
            c.sendall(sec)
            sent += 1
    except OSError:
        pass
try:
    st = p.wait(90)
except subprocess.TimeoutExpired:
    p.kill()
    st = "hung"
print("status", st)
print("ms", round((time.monotonic() - t0) * 1e3, 1), "sections", sent)
PY
}
incoming stall in-stall
if grep -q '^status 123$' "$TMP/in-stall.rep" &&
   grep -q "stopped by SIGTERM (Terminated) while the sender was sending" "$TMP/in-stall.err"; then
	pass snapshot-trust-incoming-sigterm-stalled-sender
else
	fail snapshot-trust-incoming-sigterm-stalled-sender "$(tr '\n' ' ' < "$TMP/in-stall.rep"): $(head -2 "$TMP/in-stall.err")"
fi
# a figure to read, never a threshold: SIGTERM to exit, ms
echo "# stalled sender: SIGTERM to exit $(sed -n 's/^ms \([0-9.]*\).*/\1/p' "$TMP/in-stall.rep" 2> /dev/null) ms"
incoming wait in-wait
if grep -q '^status 123$' "$TMP/in-wait.rep" &&
   grep -q "stopped by SIGTERM (Terminated) while waiting for a source" "$TMP/in-wait.err"; then
	pass snapshot-trust-incoming-sigterm-no-sender
else
	fail snapshot-trust-incoming-sigterm-no-sender "$(tr '\n' ' ' < "$TMP/in-wait.rep"): $(head -2 "$TMP/in-wait.err")"
fi
echo "# no sender: SIGTERM to exit $(sed -n 's/^ms \([0-9.]*\).*/\1/p' "$TMP/in-wait.rep" 2> /dev/null) ms"
incoming idle in-idle --incoming-timeout 0.5
if grep -q '^status 2$' "$TMP/in-idle.rep" &&
   grep -q "the sender sent nothing for 0.5 s (--incoming-timeout)" "$TMP/in-idle.err"; then
	pass snapshot-trust-incoming-idle-timeout
else
	fail snapshot-trust-incoming-idle-timeout "$(tr '\n' ' ' < "$TMP/in-idle.rep"): $(head -2 "$TMP/in-idle.err")"
fi
incoming endless in-endless
if grep -q '^status 2$' "$TMP/in-endless.rep" &&
   grep -q "more RAM than the passes of a migration hold" "$TMP/in-endless.err"; then
	pass snapshot-trust-incoming-endless-stream
else
	fail snapshot-trust-incoming-endless-stream "$(tr '\n' ' ' < "$TMP/in-endless.rep"): $(head -2 "$TMP/in-endless.err")"
fi
