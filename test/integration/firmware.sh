#!/usr/bin/env bash
# Real PC software on vmm: SeaBIOS from Debian boots the boot sector of
# guest/boot/ (int 10h, int 13h CHS and EDD, int 16h, port 0xf4) and GRUB
# 2's menu (test/firmware/mkgrub.sh) down to one of our Multiboot guests,
# with keys typed by --keys.  Bad firmware set-ups are refused before KVM.
# SeaBIOS takes a few seconds here and GRUB tens of seconds (every guest
# instruction is emulated): one run each.
source "$(dirname "$0")/../lib.sh"
T=firmware
require_kvm

fwcfg() {
	local f=$1
	shift
	for l in "$@"; do echo "$l"; done > "$f"
}

# --- refused before KVM: status 2, file:line: message ----------------------
truncate -s 1000 "$TMP/short.bin"
truncate -s 65536 "$TMP/disk.img"
fwcfg "$TMP/missing.cfg" 'firmware = "nowhere.bin";' 'disk = { path = "disk.img"; };'
run_vmm "$TMP/m" -c "$TMP/missing.cfg" --headless
expect_eq $T-missing "$STATUS $(cat "$TMP/m.err")" \
	"2 $TMP/missing.cfg:1: firmware '$TMP/nowhere.bin': No such file or directory (\"seabios\" names Debian's SeaBIOS)"
fwcfg "$TMP/short.cfg" 'disk = { path = "disk.img"; };' 'firmware = "short.bin";'
run_vmm "$TMP/s" -c "$TMP/short.cfg" --headless
expect_eq $T-wrong-size "$STATUS $(cat "$TMP/s.err")" \
	"2 $TMP/short.cfg:2: firmware '$TMP/short.bin' is not a whole number of 64 KiB blocks"
fwcfg "$TMP/nodisk.cfg" 'firmware = "seabios";'
run_vmm "$TMP/n" -c "$TMP/nodisk.cfg" --headless
check $T-no-disk "status $STATUS: $(cat "$TMP/n.err")" \
	grep -q "^$TMP/nodisk.cfg:1: a firmware boots 'disk.path'" "$TMP/n.err"

run_vmm "$TMP/bm" --boot "$TMP/nowhere.bin" --headless
expect_eq $T-boot-missing "$STATUS $(cat "$TMP/bm.err")" \
	"2 vmm: boot '$TMP/nowhere.bin': No such file or directory"

# --- the boot sector: its screen, the key typed, its exit code -------------
cp "$GUESTS/boot/bootsect.img" "$TMP/bootsect.img"
fwcfg "$TMP/bs.cfg" 'firmware = "seabios";' 'disk = { path = "bootsect.img"; };'
run_vmm "$TMP/bs" -c "$TMP/bs.cfg" --headless --keys '{until:press a key:}7' \
	--stats "$TMP/bs.json"
# status (7 << 1) | 1, as on QEMU; the rows as the boot sector wrote them
rows=$(sed -n '/^ vmm boot sector /,$p' "$TMP/bs.txt" | sed '1d; s/ *$//; /^$/d' | head -4 | tr '\n' '|')
expect_eq $T-bootsect "$STATUS $rows" \
	"15 int 13h CHS read: ok|EDD read: ok|press a key: 7|exit code 7|"
check $T-bootsect-title "title row: $(sed -n 1p "$TMP/bs.txt")" \
	grep -q '^ vmm boot sector .*int 10h/13h/16h, port f4h$' "$TMP/bs.txt"
check $T-bootsect-no-noise "stderr: $(cat "$TMP/bs.err")" test ! -s "$TMP/bs.err"

# --- a disk that cannot boot: SeaBIOS says so, vmm ends with status 1 -------
cp "$GUESTS/boot/noboot.img" "$TMP/noboot.img"
fwcfg "$TMP/nb.cfg" 'firmware = "seabios";' 'disk = { path = "noboot.img"; };'
run_vmm "$TMP/nb" -c "$TMP/nb.cfg" --headless
if [ "$STATUS" = 1 ] && grep -q 'No bootable device' "$TMP/nb.txt" &&
	grep -q "the firmware found no bootable device (sector 0 of '$TMP/noboot.img' has no boot signature)" \
		"$TMP/nb.err"; then
	pass $T-noboot
else
	fail $T-noboot "status $STATUS: $(cat "$TMP/nb.err"; grep -v '^ *$' "$TMP/nb.txt")"
fi

# --- GRUB 2: its menu, the arrows, and Multiboot into our hello guest -------
if ! skipping && ! bash "$ROOT/test/firmware/mkgrub.sh" "$TMP/grub.img" "$GUESTS/hello.elf" \
	2> "$TMP/mkgrub.err"; then
	SKIP_WHY="mkgrub.sh failed: $(tail -1 "$TMP/mkgrub.err") (test/install-deps test)"
fi
fwcfg "$TMP/grub.cfg" 'firmware = "seabios";' 'disk = { path = "grub.img"; };'
# each {until:} is GRUB's '*' on the entry: the selection followed the key.
# GRUB's code is emulated instruction by instruction here (~30 s of CPU to
# the menu; an arrow key's IRQ reaches it only at a vCPU entry, see
# vcpu_nudge(), so a key takes from 0.3 s to tens of seconds): --timeout,
# not {until:}'s 120 s, bounds the run
RUN_TIMEOUT=660 run_vmm "$TMP/g" -c "$TMP/grub.cfg" --headless --dump none --timeout 600 \
	--keys '{until:*hello.elf exit=5}{Down}{until:*hello.elf exit=9}\n'
if [ "$STATUS" = 19 ] && grep -q '^exiting with status 9$' "$TMP/g.txt"; then
	pass $T-grub-menu-to-multiboot
else
	fail $T-grub-menu-to-multiboot "status $STATUS: $(cat "$TMP/g.err"; tail -3 "$TMP/g.txt")"
fi

# --- vmm --boot FILE: no config, no image to make; the file is never written
cp "$GUESTS/boot/bootsect.img" "$TMP/plain.bin"
sum=$(md5sum < "$TMP/plain.bin")
run_vmm "$TMP/bf" --boot "$TMP/plain.bin" --headless --dump ansi --keys '{until:press a key:}3'
expect_eq $T-boot-flag "$STATUS $(md5sum < "$TMP/plain.bin")" "7 $sum"
# the title bar went straight into VGA memory: white on blue, then yellow
check $T-bootsect-colours "$(head -c 300 "$TMP/bf.out" | od -c | head -5)" \
	grep -q $'\033\\[0;97;44m vmm boot sector.*\033\\[0;93;44mint 10h' "$TMP/bf.out"
# the same as a config key, and a file that is not whole sectors: padded
# with zeros in memory, so the boot sector finds its second sector without
# the magic word at its end (exit code 17, status 35); the file keeps its size
head -c 700 "$GUESTS/boot/bootsect.img" > "$TMP/odd.bin"
printf 'boot = "odd.bin";\n' > "$TMP/odd.cfg"
run_vmm "$TMP/bo" -c "$TMP/odd.cfg" --headless --dump text
check $T-boot-key-padded "status $STATUS: $(grep -v '^ *$' "$TMP/bo.txt" | head -4)" \
	test "$STATUS" = 35 -a "$(stat -c %s "$TMP/odd.bin")" = 700
