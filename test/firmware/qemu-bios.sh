#!/usr/bin/env bash
# SeaBIOS on the peer with the boot images of guest/boot/, beyond the one
# run make test does (test/integration/firmware-qemu.sh, -M pc):
# the boot sector on -M isapc (no PCI, as vmm's machine) reads its second
# sector both ways and exits with the key typed; a disk without the 55 AA
# signature is refused with SeaBIOS's own "No bootable device".
# About 15 s; `make qemu-firmware` runs it.
source "$(dirname "$0")/../lib.sh"
T=qemu-bios
require_kvm
require_qemu
source "$ROOT/test/firmware/qemu-screen.sh"

cp "$GUESTS/boot/bootsect.img" "$GUESTS/boot/noboot.img" "$TMP/"
qemu_screen_start isapc "$TMP/bootsect.img"
check_screen $T-isapc-screen 120 qemu_screen_has "EDD read: ok"
wait_for 60 qemu_screen_has "press a key:"
qemu_keys x
wait_for 60 qemu_ended
# any key but a digit is exit code 10: status 21
expect_eq $T-isapc-key "$(qemu_status)" 21
qtm kill-server 2> /dev/null

# SeaBIOS retries the boot after a minute; the screen says why before that
qemu_screen_start pc "$TMP/noboot.img"
check_screen $T-noboot 120 qemu_screen_has "No bootable device."
check $T-noboot-runs "QEMU ended with status $(qemu_status)" test ! -s "$TMP/qemu.status"
