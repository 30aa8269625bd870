# The boot sector (guest/boot/bootsect.S) on the peer: SeaBIOS on QEMU
# -M pc boots it from an IDE disk, it draws its screen, reads its second
# sector both ways, takes the key typed and exits with it.  What vmm must
# show and return for the same image.  One QEMU boot (~7 s); GRUB on QEMU
# is test/firmware/qemu-grub.sh (make qemu-grub), too slow for make test.
source "$(dirname "$0")/../lib.sh"
T=firmware-qemu
require_kvm
require_qemu
source "$ROOT/test/firmware/qemu-screen.sh"

cp "$GUESTS/boot/bootsect.img" "$TMP/bootsect.img"
qemu_screen_start pc "$TMP/bootsect.img"
if wait_for 120 qemu_screen_has "press a key:"; then
	# rows 2-4 as the boot sector prints them (SeaBIOS's text is cleared)
	got=$(qemu_screen | sed -n '2,5p' | tr '\n' '|')
	want="|int 13h CHS read: ok|EDD read: ok|press a key:|"
	title=$(qemu_screen | sed -n 1p)
	if [ "$got" = "$want" ] && [[ $title == " vmm boot sector "*" int 10h/13h/16h, port f4h" ]]; then
		pass $T-bootsect-screen
	else
		fail $T-bootsect-screen "title '$title', rows '$got'"
	fi
	# the title bar written straight into VGA memory: blue background
	# (44), the right part yellow (33, bold: the bright half of the palette)
	sgr=$(qemu_screen_sgr | sed -n 1p)
	if printf '%s' "$sgr" | grep -qP '\e\[([0-9;]*;)?44(;[0-9;]*)?m vmm boot sector' &&
	   printf '%s' "$sgr" | grep -qP '\e\[([0-9;]*;)?33(;[0-9;]*)?mint 10h'; then
		pass $T-bootsect-colours
	else
		fail $T-bootsect-colours "row 0: $(printf '%q' "$sgr" | head -c 200)"
	fi
else
	fail $T-bootsect-screen "no prompt after 120 s: $(qemu_screen | head -5; head -3 "$TMP/qemu.err" 2> /dev/null)"
	fail $T-bootsect-colours "no prompt"
fi

# the digit 7 is exit code 7: status (7 << 1) | 1
qemu_keys 7
wait_for 60 qemu_ended
expect_eq $T-bootsect-key "$(qemu_status)" 15
