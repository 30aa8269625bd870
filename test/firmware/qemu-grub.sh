#!/usr/bin/env bash
# GRUB 2 on the peer, the whole chain vmm's firmware tests ask for:
# SeaBIOS on QEMU boots a disk made by mkgrub.sh, GRUB's menu shows its
# three entries with the first highlighted, the arrow keys move the
# highlight, and Enter on "hello.elf exit=9" loads build/guest/hello.elf
# with Multiboot, which prints on serial and exits 9 (status 19).
# GRUB's own code runs emulated here (20 s to minutes, with the machine's
# load): not part of make test; `make qemu-firmware` runs it.
#   test/firmware/qemu-grub.sh [MACHINE]      pc (default) or isapc
source "$(dirname "$0")/../lib.sh"
M=${1:-pc}
T=qemu-grub-$M
require_kvm
require_qemu
source "$ROOT/test/firmware/qemu-screen.sh"

# highlighted NAME: GRUB marks the selected entry with '*' inside the box
highlighted() { qemu_screen | grep -qF -- "│*$1 "; }

skipping || "$ROOT/test/firmware/mkgrub.sh" "$TMP/grub.img" "$GUESTS/hello.elf" \
	2> "$TMP/mkgrub.err"
check $T-image "mkgrub.sh: $(head -3 "$TMP/mkgrub.err" 2> /dev/null)" test -s "$TMP/grub.img"

# GRUB draws through int 10h, one emulated call per character: wait for
# the whole menu, its help text last
menu_drawn() {
	qemu_screen_has "GNU GRUB" && highlighted "hello.elf exit=5" &&
		qemu_screen_has "│ hello.elf exit=9 " && qemu_screen_has "│ reboot " &&
		qemu_screen_has "before booting or \`c' for a command-line."
}
qemu_screen_start "$M" "$TMP/grub.img" -serial "file:$TMP/serial"
check_screen $T-menu 600 menu_drawn

qemu_keys Down
check_screen $T-down 120 highlighted "hello.elf exit=9"
qemu_keys Down
check_screen $T-down-down 120 highlighted "reboot"
qemu_keys Up
check_screen $T-down-up 120 highlighted "hello.elf exit=9"

qemu_keys Enter
wait_for 600 qemu_ended
if [ "$(qemu_status)" = 19 ] && grep -q '^exiting with status 9' "$TMP/serial"; then
	pass $T-boot
else
	fail $T-boot "status '$(qemu_status)', serial: $(tr -d '\r' < "$TMP/serial" 2> /dev/null | tail -2)"
fi
