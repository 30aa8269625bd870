#!/usr/bin/env bash
# Linux on vmm: Debian's own kernel (linux-image-amd64) and a busybox
# initramfs built here (guest/linux/mkinitramfs.sh), booted by vmm itself
# (the 64-bit boot protocol), in one boot: the shell's prompt on the VGA
# screen, a typed command and its answer, the CPU /proc/cpuinfo names, the
# devices the kernel found (16550A, AT keyboard, rtc_cmos) and its clock
# (kvm-clock: no PIT calibration), COM1 both ways (console=ttyS0), a
# snapshot at the prompt that restores and takes a typed command (also in
# an 80x24 terminal, tmux), and poweroff -f ending vmm with status 0.  Then
# the same kernel and initramfs from a disk image through SeaBIOS and GRUB
# 2's linux/initrd (mkgrub.sh), and uncompressed as a vmlinux ELF
# (vmlinux.sh).  A kernel boot is tens of seconds under nested KVM and hours
# where KVM emulates ring-0 code (kvm_pvm).
source "$(dirname "$0")/../lib.sh"
require_kvm ring0
T=linux

K=${VMM_TEST_KERNEL:-/vmlinuz}
[ -r "$K" ] || K=$(ls /boot/vmlinuz-* 2> /dev/null | sort -V | tail -1)
skipping || [ -r "$K" ] || SKIP_WHY="no kernel in /boot (apt-get install linux-image-amd64)"
skipping || "$ROOT/guest/linux/mkinitramfs.sh" "$TMP/initrd.gz" > "$TMP/mk.err" 2>&1 ||
	SKIP_WHY="no initramfs: $(head -1 "$TMP/mk.err")"

# In the nested VM an interrupt can be taken inside STI's shadow (QEMU TCG's
# SVM; DEVELOPERS.md, Rules): between Linux's idle "sti; hlt" its handler
# runs, then hlt sleeps, and with the tick stopped in idle (NOHZ) nothing
# wakes the CPU for the keys it already has (seen twice in CI: linux-grub
# and the vmlinux boot sat at their prompts until the 850 s timeout).
# nohz=off keeps the tick in idle, so such a wake-up comes one tick late;
# an interrupt vmm never raised still leaves the guest waiting.
NOHZ= nohz_cfg=()
if [ -n "${VMM_NESTED_INSIDE:-}" ]; then
	NOHZ=" nohz=off"
	nohz_cfg=(--set "cmdline=$(sed -n 's/^cmdline = "\(.*\)";$/\1/p' "$ROOT/conf/linux.cfg")$NOHZ")
fi

# the screen part of a headless run's stdout (serial lines end in CR LF)
screen_of() { grep -v $'\r$' "$1"; }
serial_of() { grep -a $'\r$' "$1" | tr -d '\r'; }

# The example config (quiet: the screen has the shell alone).  Keys reach
# both shells, the keyboard's on tty1 and COM1's on ttyS0: each appends its
# answer to one file, and the screen's shell waits until both did, and again
# until COM1's shell has said both-2 (or poweroff -f may come first: seen in
# CI); then the screen is cleared for the kernel's own words (dmesg) on what
# it found.
# Each {until:} waits as long as the run may take (--timeout): a loaded
# nested VM boots Linux in minutes, beyond {until:}'s own 120 s bound.
RUN_TIMEOUT=900
said=('Hypervisor detected: KVM' 'Switched to clocksource kvm-clock' 'calibrate against PIT'
	'ttyS0 at I/O 0x3f8 (irq = 4, base_baud = 115200) is a 16550A'
	'AT Translated Set 2 keyboard' 'rtc_cmos rtc_cmos: registered as rtc0')
keys="{until:# }{save:$TMP/l.snap}echo ans-\$((6*7)) | tee -a /tmp/a\n{until:ans-42}\
until [ \$(grep -c ans- /tmp/a) = 2 ]; do :; done; echo both-\$((1+1)); echo x >> /tmp/b\n{until:both-2}\
until [ \$(grep -c x /tmp/b) = 2 ]; do :; done; clear; grep -m1 'model name' /proc/cpuinfo; dmesg | grep -oF$(printf " -e '%s'" "${said[@]}")\
; grep -h tx: /proc/tty/driver/serial | head -1; grep ' 4:' /proc/interrupts\
; echo dmesg-\$((3+4))\n{until:dmesg-7}poweroff -f\n"
run_vmm "$TMP/b" -c "$ROOT/conf/linux.cfg" --set "linux.kernel=$K" \
	--set "linux.initrd=$TMP/initrd.gz" "${nohz_cfg[@]}" --headless --timeout 850 --stats "$TMP/b.json" --keys "$keys"
screen_of "$TMP/b.out" > "$TMP/screen"
serial_of "$TMP/b.out" > "$TMP/serial"
why="status $STATUS: $(head -2 "$TMP/b.err") screen ($(wc -l < "$TMP/screen") lines): $(grep -v '^ *$' "$TMP/screen" | tail -12 | tr -s ' ' | tr '\n' '|')"
has() { sed 's/ *$//' "$TMP/screen" | grep -qxF -- "$1"; }

check $T-vga-prompt "$why" grep -q '^/ # ' "$TMP/screen"
# each {until:} is met before the next keys go: status 0 says ans-42 was on the screen
check $T-typed-command "$why" test "$STATUS" = 0
# The serial shell's answers may share a line with anything: busybox's line
# editing sends ESC [6n after its prompt, and the keys of the next line
# reach COM1 once the screen's shell answered, so the kernel's echo of them
# may surround the serial shell's answer (seen: "...keyboarboth-2d...").
# ans-42 and both-2 are never in the typed text (nor in the kernel's lines)
# on failure: what the guest's driver sent and its IRQ 4 count, what the UART took
check $T-serial-console "serial: $(grep -a -e ans- -e both "$TMP/serial" | head -4 | cat -v);\
 guest: $(grep -e 'tx:' -e ' 4:' "$TMP/screen" | tr -s ' ' | tr '\n' ' ');\
 vmm: $(jq -c .devices.serial "$TMP/b.json" 2> /dev/null); tail: $(tail -3 "$TMP/serial" | cat -v)" \
	eval "grep -q 'ans-42' '$TMP/serial' && grep -q 'both-2' '$TMP/serial'"
host_cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)
guest_cpu=$(sed -n 's/^model name[^:]*: //p' "$TMP/screen" | head -1)
check $T-cpuinfo "guest CPU '$guest_cpu', host '$host_cpu'" \
	test -n "$guest_cpu" -a "$guest_cpu" == "$host_cpu"
# kvm-clock gives the TSC rate: nothing is calibrated against the PIT
check $T-kvm-clock "$why" eval "has '${said[0]}' && has '${said[1]}' && ! has '${said[2]}'"
check $T-devices "$why" eval "has '${said[3]}' && has '${said[4]}' && has '${said[5]}'"
check $T-poweroff "$why; stop: $(jq -c .stop "$TMP/b.json" 2> /dev/null)" \
	test "$STATUS" = 0 -a "$(jq -r .stop.how "$TMP/b.json" 2> /dev/null)" = halt

# the prompt's snapshot: the same shell, at once, taking a new command (its
# answer starts a line; the echo of the next keys may follow on it)
RUN_TIMEOUT=300
run_vmm "$TMP/r" --restore "$TMP/l.snap" --headless --timeout 250 \
	--keys 'echo back $((2*3))\n{until:back 6}poweroff -f\n'
check $T-snapshot-restore "status $STATUS: $(head -2 "$TMP/r.err") $(screen_of "$TMP/r.out" | grep -v '^ *$' | tail -3)" \
	eval "test $STATUS = 0 && screen_of '$TMP/r.out' | grep -q '^back 6'"

# What a user sees: the prompt's snapshot in an 80x24 terminal (tmux), a
# command typed there and its answer, then poweroff -f: the last screen
# stays, saying status 0, until a key closes it and vmm exits with 0.
if command -v tmux > /dev/null; then
	source "$ROOT/test/tmux_lib.sh"
	start 80 24 "'$VMM' --restore '$TMP/l.snap'"
	# (tmux drops the prompt's trailing blank)
	at_prompt() { pane | grep -q '^/ #'; }
	wait_for 60 at_prompt && tm send-keys -t t 'echo tui-$((6*7))' Enter
	answered() { pane | grep -q '^tui-42'; }
	await $T-terminal-80x24-typed 60 answered why_pane
	tm send-keys -t t 'poweroff -f' Enter
	kept() { screen_has 'guest exited with status 0: press a key to close'; }
	if wait_for 60 kept; then
		tm send-keys -t t q
		check $T-terminal-poweroff "$(status_of)" exited_with 0
	else
		fail $T-terminal-poweroff "no 'status 0: press a key' after poweroff -f: $(why_pane)"
	fi
else
	skip $T-terminal-80x24-typed "tmux is not installed"
	skip $T-terminal-poweroff "tmux is not installed"
fi

# through the firmware: SeaBIOS runs GRUB 2 from the disk, GRUB loads both
if ! skipping; then
	printf '%s\n' 'set timeout=0' 'menuentry Linux {' '  set gfxpayload=text' \
		"  linux /kernel console=ttyS0 console=tty0 quiet acpi=off$NOHZ" \
		'  initrd /initrd.gz' '  boot' '}' > "$TMP/grub.cfg"
	cp "$K" "$TMP/kernel"
	GRUB_MODULES=linux bash "$ROOT/test/firmware/mkgrub.sh" --cfg "$TMP/grub.cfg" \
		"$TMP/grub.img" "$TMP/kernel" "$TMP/initrd.gz" 2> "$TMP/mkgrub.err" ||
		SKIP_WHY="mkgrub.sh: $(tail -1 "$TMP/mkgrub.err") (test/install-deps test)"
fi
printf '%s\n' 'firmware = "seabios";' 'memory = 256;' 'vga = { strategy = "ram"; };' \
	"disk = { path = \"$TMP/grub.img\"; readonly = true; };" > "$TMP/grub-vm.cfg"
RUN_TIMEOUT=900
run_vmm "$TMP/g" -c "$TMP/grub-vm.cfg" --headless --timeout 850 \
	--keys '{until:# }echo grub-$((6*7))\n{until:grub-42}poweroff -f\n'
check $T-grub "status $STATUS: $(head -2 "$TMP/g.err") $(screen_of "$TMP/g.out" | grep -v '^ *$' | tail -3)" \
	eval "test $STATUS = 0 && screen_of '$TMP/g.out' | grep -q '^grub-42'"

# the same kernel uncompressed (guest/linux/vmlinux.sh): the vmlinux ELF a
# kernel build leaves, entered at its startup_64 with no decompressor to run
if ! skipping; then
	"$ROOT/guest/linux/vmlinux.sh" "$K" "$TMP/vmlinux" 2> "$TMP/vml.err" ||
		SKIP_WHY="vmlinux.sh: $(head -1 "$TMP/vml.err") (test/install-deps test)"
fi
RUN_TIMEOUT=900
# (not quiet, the kernel's log on COM1: a failure shows where it stopped)
run_vmm "$TMP/v" --kernel "$TMP/vmlinux" --initrd "$TMP/initrd.gz" --set memory=256 \
	--set vga.strategy=ram --append "console=ttyS0 console=tty0 acpi=off$NOHZ" --headless \
	--timeout 850 -v --keys '{until:/ # }echo vmlinux-$((6*7))\n{until:vmlinux-42}poweroff -f\n'
check $T-vmlinux "status $STATUS: $(grep -v sandbox "$TMP/v.err" | head -2) serial: $(serial_of "$TMP/v.out" | tail -4)" \
	eval "test $STATUS = 0 && screen_of '$TMP/v.out' | grep -q '^vmlinux-42' &&
	      grep -q '^vmm: $TMP/vmlinux: vmlinux, 256 MiB, kernel at 0x1000000, entry 0x1000000' '$TMP/v.err'"
