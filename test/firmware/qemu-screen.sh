# QEMU booting a raw disk on -display curses inside a detached 80x25 tmux
# pane, so a test reads what the BIOS and the boot code drew (capture-pane)
# and types into it (send-keys).  Source after test/lib.sh and after the
# test's require_* calls.  tmux's alternate screen is off, so the last
# frame QEMU drew stays in the pane after QEMU exits.
command -v tmux > /dev/null || skipping || SKIP_WHY="tmux is not installed"

QSOCK="vmm-fwq-$$"
printf 'set -g alternate-screen off\n' > "$TMP/qemu-tmux.conf"
qtm() { skipping || tmux -L "$QSOCK" -f "$TMP/qemu-tmux.conf" "$@"; }
trap 'qtm kill-server 2> /dev/null; rm -rf "$TMP"' EXIT

# qemu_screen_start MACHINE IMAGE [QEMU-ARGS...]: boots IMAGE from the
# first IDE disk with isa-debug-exit at 0xf4; stderr in $TMP/qemu.err,
# the exit status in $TMP/qemu.status once QEMU has ended
qemu_screen_start() {
	local m=$1 img=$2 cmd t
	shift 2
	t=$(printf %q "$TMP")
	rm -f "$TMP/qemu.status"
	cmd=$(printf '%q ' timeout --foreground -k 5 600 qemu-system-i386 -enable-kvm -M "$m" \
		-nodefaults -vga std -display curses \
		-drive "file=$img,format=raw,if=ide" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@")
	qtm new -d -s q -x 80 -y 25 "env TERM=tmux-256color $cmd 2> $t/qemu.err; \
echo \$? > $t/qemu.status; sleep 600"
}

qemu_screen() { qtm capture-pane -t q -p; }
# the screen with colours as SGR escapes
qemu_screen_sgr() { qtm capture-pane -t q -p -e; }
qemu_screen_has() { qemu_screen | grep -qF -- "$1"; }
qemu_keys() { qtm send-keys -t q "$@"; }
qemu_ended() { [ -s "$TMP/qemu.status" ]; }
qemu_status() { cat "$TMP/qemu.status" 2> /dev/null; }

# check_screen NAME SECONDS COMMAND...: PASS once COMMAND succeeds, else FAIL
# with the screen as it is then
check_screen() {
	local name=$1
	shift
	if wait_for "$@"; then
		pass "$name"
	else
		fail "$name" "after $1 s: $(qemu_screen | grep -v '^ *$' | head -12)"
	fi
}
