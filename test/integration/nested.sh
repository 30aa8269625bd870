#!/usr/bin/env bash
# The nested-VM harness (test/vm/run) itself, on every machine, KVM or not:
# the command's status, stdout and stderr come back whole and apart, the
# overlay takes FIFOs and UNIX sockets, a shared folder brings files back,
# /dev/kvm works inside, a wedged VM is found and booted again, missing
# pieces are named before anything boots, and the demo runs with a terminal
# attached (what make demo does without /dev/kvm) and quits on Ctrl-A x.
source "$(dirname "$0")/../lib.sh"
T=nested
RUN=$ROOT/test/vm/run
cd "$ROOT" || exit 1

# One boot for most checks: the command prints 100,000 numbered lines, some
# stderr, uses a FIFO and a UNIX socket in the overlay, writes to a shared
# folder, runs a guest on the nested /dev/kvm and exits with 7.
mkdir -p "$TMP/share"
cat > "$TMP/inside.sh" << 'EOF'
seq 100000
echo "to stderr" >&2
echo "env: $NESTED_TEST_VAR"
cd "$(mktemp -d /tmp/x.XXXX)" && mkfifo f && { echo through-fifo > f & } && cat f
python3 -c '
import os, socket
s = socket.socket(socket.AF_UNIX); s.bind("sock"); s.listen(1)
c = socket.socket(socket.AF_UNIX); c.connect("sock")
a, _ = s.accept(); c.sendall(b"through-socket"); print(a.recv(64).decode())'
echo written-inside > "$SHARE/back.txt"
"$VMM" -c "$ROOT/conf/hello.cfg" --headless --dump none > /dev/null 2> "$SHARE/hello.err"
echo "hello: $?"
# a clock 300 s ahead of the host's: the harness must say so
date -s "@$(($(date +%s) + 300))" > /dev/null
exit 7
EOF
# $TMP is shared too: the VM's /tmp is its own
NESTED_TEST_VAR=passed-in SHARE=$TMP/share VMM=$VMM ROOT=$ROOT \
	"$RUN" -q -s "$TMP" -s "$TMP/share" -- bash "$TMP/inside.sh" > "$TMP/a.out" 2> "$TMP/a.err"
st=$?
expect_eq $T-status-passed-through "$st" 7
if [ "$(grep -c '^[0-9]*$' "$TMP/a.out")" = 100000 ] &&
	[ "$(grep '^[0-9]*$' "$TMP/a.out" | md5sum)" = "$(seq 100000 | md5sum)" ]; then
	pass $T-stdout-whole
else
	fail $T-stdout-whole "$(grep -c '^[0-9]*$' "$TMP/a.out") numbered lines of 100000"
fi
if grep -qx 'to stderr' "$TMP/a.err" && ! grep -q 'to stderr' "$TMP/a.out"; then
	pass $T-stderr-apart
else
	fail $T-stderr-apart "stderr: $(head -3 "$TMP/a.err")"
fi
check $T-environment "NESTED_TEST_VAR did not arrive" grep -qx 'env: passed-in' "$TMP/a.out"
check $T-fifo-in-overlay "no line through the FIFO: $(cat "$TMP/a.err")" \
	grep -qx through-fifo "$TMP/a.out"
check $T-socket-in-overlay "no line through the socket: $(cat "$TMP/a.err")" \
	grep -qx through-socket "$TMP/a.out"
check $T-shared-folder "nothing came back in the shared folder" \
	grep -qx written-inside "$TMP/share/back.txt"
check $T-kvm-inside "hello did not exit 7 on the nested /dev/kvm: $(grep hello: "$TMP/a.out") $(cat "$TMP/share/hello.err")" \
	grep -qx 'hello: 7' "$TMP/a.out"

# A guest clock that ran off makes timeouts inside fire early: said after
# the run; a boot whose clock kept up says nothing of it.
check $T-clock-drift-said "$(grep -v '^[0-9]*$' "$TMP/a.err" | head -3)" \
	grep -qE "the nested VM's clock is (29[0-9]|30[0-9]) s off the host's" "$TMP/a.err"

# vmm where the kernel has no Landlock (booted without it in its LSMs):
# the sandbox falls back to seccomp alone, says so with -v, and the guest
# runs as anywhere else.
VMM_NESTED_APPEND="lsm=capability" "$RUN" -q -- "$VMM" -v -c "$ROOT/conf/hello.cfg" \
	--headless --dump none > /dev/null 2> "$TMP/ll.err"
st=$?
if [ $st = 7 ] && grep -q '^vmm: sandbox: no Landlock here (.*): files are confined by seccomp alone$' "$TMP/ll.err"; then
	pass $T-vmm-without-landlock
else
	fail $T-vmm-without-landlock "status $st (want 7): $(grep -i -m3 'sandbox\|landlock' "$TMP/ll.err")"
fi

# A failing command fails; one that is not there is 127, as in a shell.
"$RUN" -q -- false > /dev/null 2>&1
st1=$?
"$RUN" -q -- no-such-command-here > /dev/null 2> "$TMP/nc.err"
st2=$?
expect_eq $T-failing-command "$st1 $st2" "1 127"
check $T-clock-kept-silent "$(cat "$TMP/nc.err")" eval "! grep -q clock '$TMP/nc.err'"

# A wedged VM: stop the heartbeat in the first boot only; -r 1 boots again.
cat > "$TMP/wedge.sh" << 'EOF'
if [ ! -e "$SHARE/booted-once" ]; then
	touch "$SHARE/booted-once"
	kill -STOP "$(cat /tmp/nestvm.hb)"
	sleep 600
fi
echo second-boot
EOF
SHARE=$TMP/share "$RUN" -q -w 10 -r 1 -s "$TMP" -- bash "$TMP/wedge.sh" \
	> "$TMP/w.out" 2> "$TMP/w.err"
st=$?
if [ $st = 0 ] && grep -q 'wedged: no heartbeat for 10 s' "$TMP/w.err" &&
	grep -q 'booting again (1 of 1)' "$TMP/w.err" && grep -qx second-boot "$TMP/w.out"; then
	pass $T-wedge-detected-and-retried
else
	fail $T-wedge-detected-and-retried "status $st: $(cat "$TMP/w.err")"
fi

# Missing pieces are named, with the package, before anything boots.
"$RUN" -M no_such_module -- true > /dev/null 2> "$TMP/m.err"
st=$?
if [ $st = 125 ] && grep -q 'has no module no_such_module (apt-get install linux-image-amd64)' "$TMP/m.err"; then
	pass $T-missing-module
else
	fail $T-missing-module "status $st: $(cat "$TMP/m.err")"
fi
"$RUN" -k 0.0-none -- true > /dev/null 2> "$TMP/k.err"
st=$?
if [ $st = 125 ] && grep -q 'no kernel /boot/vmlinuz-0.0-none to boot (apt-get install linux-image-amd64)' "$TMP/k.err"; then
	pass $T-missing-kernel
else
	fail $T-missing-kernel "status $st: $(cat "$TMP/k.err")"
fi
mkdir -p "$TMP/bin"
for c in bash sed grep cat mktemp rm dirname; do ln -s "$(command -v $c)" "$TMP/bin/$c"; done
PATH=$TMP/bin "$RUN" -- true > /dev/null 2> "$TMP/q.err"
st=$?
if [ $st = 125 ] && grep -q 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)' "$TMP/q.err"; then
	pass $T-missing-qemu
else
	fail $T-missing-qemu "status $st: $(cat "$TMP/q.err")"
fi

# The demo with a terminal attached, as make demo runs it without /dev/kvm:
# the guest's screen in an 80x24 tmux window, Ctrl-A x ends vmm and the VM.
if command -v tmux > /dev/null; then
	source "$ROOT/test/tmux_lib.sh"
	start 80 24 "'$RUN' -i -C '$ROOT' -- '$VMM' -c conf/demo.cfg"
	# at 80x24 the window follows the cursor: the title row is out of view
	if wait_for 180 eval 'pane | grep -q "frame "' && pane | grep -qF "CP437" &&
		pane | grep -qF "guest> "; then
		pass $T-demo-on-terminal
	else
		fail $T-demo-on-terminal "no demo screen: $(pane | grep . | head -5)"
	fi
	tm send-keys -t t C-a x
	if exited_with 0; then
		pass $T-demo-ctrl-a-x
	else
		fail $T-demo-ctrl-a-x "$(status_of): $(pane | grep . | tail -5)"
	fi
else
	skip $T-demo-on-terminal "tmux is not installed"
	skip $T-demo-ctrl-a-x "tmux is not installed"
fi
