#!/usr/bin/env bash
# mkgrub.sh [--cfg FILE] IMAGE GUEST.elf [FILE...]
# Writes IMAGE, a raw disk that boots GRUB 2's menu through a PC BIOS, from
# the Debian grub-pc-bin and mtools packages alone: no root, no loop device,
# no grub-install.  GUEST.elf and the FILEs go to the root of its FAT
# partition; the menu (see default_cfg, or --cfg FILE) boots GUEST.elf
# with Multiboot.  Prints nothing on success.  GRUB_MODULES adds modules
# (linux, for a Linux kernel as GUEST with its initramfs as a FILE); the
# partition grows with the files.
#
# Layout (sectors of 512 bytes):
#   0          boot.img's code (440 bytes), the partition table, 55 AA
#   1..        core.img: diskboot.img, then the LZMA-packed kernel with the
#              biosdisk, part_msdos and fat modules and the prefix
#              (hd0,msdos1)/boot/grub.  boot.img loads sector 1 and
#              diskboot.img the rest from sector 2 on: both are the
#              defaults baked into the images, so nothing is patched.
#   2048..     partition 1, FAT (mformat): /boot/grub/grub.cfg, the
#              modules of MODULES and all they need, the .lst files, the
#              guests
set -euo pipefail

GRUB_LIB=/usr/lib/grub/i386-pc
# What the menu and a person at GRUB's prompt use.  Only these: GRUB scans
# the module directory for every module it loads, and with all ~280 of
# them that alone costs seconds of emulated instructions here.
MODULES="normal multiboot iorw echo test sleep ls cat configfile reboot halt ${GRUB_MODULES:-}"
PART_START=2048		# sectors; core.img must fit below it
PART_SECTORS=8192	# 4 MiB, or the files and a quarter more
HEADS=16 SPT=63		# the geometry BIOSes report for a small IDE disk

die() { echo "mkgrub.sh: $*" >&2; exit 1; }

default_cfg() {
	local g=$1
	cat <<-EOF
	# written by test/firmware/mkgrub.sh: no timeout, a test picks with keys
	set timeout=-1
	set default=0
	menuentry "$g exit=5" {
	    multiboot /$g exit=5
	    boot
	}
	menuentry "$g exit=9" {
	    multiboot /$g exit=9
	    boot
	}
	menuentry "reboot" {
	    reboot
	}
	EOF
}

# closure MODULE...: the modules and everything they need (moddep.lst)
closure() {
	awk -v want="$*" '
		BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) need[w[i]] = 1 }
		{ m = $1; sub(":", "", m); deps[m] = $0 }
		END {
			do {
				more = 0
				for (m in need) {
					k = split(deps[m], d, " ")
					for (i = 2; i <= k; i++)
						if (!(d[i] in need)) { need[d[i]] = 1; more = 1 }
				}
			} while (more)
			for (m in need) print m
		}' $GRUB_LIB/moddep.lst
}

# chs LBA: the 3 bytes of a partition entry's CHS address, as printf escapes
chs() {
	local c=$(($1 / (HEADS * SPT))) h=$(($1 / SPT % HEADS)) s=$(($1 % SPT + 1))
	[ $c -gt 1023 ] && c=1023 h=$((HEADS - 1)) s=$SPT
	printf '\\x%02x\\x%02x\\x%02x' $h $((s | (c >> 8) << 6)) $((c & 0xff))
}

le32() {
	printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 0xff)) $(($1 >> 8 & 0xff)) \
		$(($1 >> 16 & 0xff)) $(($1 >> 24 & 0xff))
}

# partition_table TYPE: the 64-byte table (one bootable entry) and 55 AA
partition_table() {
	local last=$((PART_START + PART_SECTORS - 1))
	printf "\\x80$(chs $PART_START)\\x$1$(chs $last)$(le32 $PART_START)$(le32 $PART_SECTORS)"
	head -c 48 /dev/zero
	printf '\x55\xaa'
}

cfg=
if [ "${1:-}" = --cfg ]; then
	[ $# -ge 2 ] || die "--cfg needs a file"
	cfg=$2
	shift 2
fi
[ $# -ge 2 ] || die "usage: mkgrub.sh [--cfg FILE] IMAGE GUEST.elf [FILE...]"
img=$1
shift
bytes=0
for f in "$@" $cfg; do
	[ -f "$f" ] || die "$f: no such file"
	bytes=$((bytes + $(stat -L -c %s "$f")))
done
[ $((bytes / 512 * 5 / 4 + 2048)) -le $PART_SECTORS ] || PART_SECTORS=$((bytes / 512 * 5 / 4 + 2048))
for t in grub-mkimage mformat mcopy; do
	command -v $t > /dev/null || die "$t is missing (test/install-deps test)"
done
[ -f $GRUB_LIB/boot.img ] || die "$GRUB_LIB/boot.img is missing (test/install-deps test)"

work=$(mktemp -d "${TMPDIR:-/tmp}/mkgrub.XXXXXX")
trap 'rm -rf "$work"' EXIT

grub-mkimage -O i386-pc -d $GRUB_LIB -o "$work/core.img" \
	-p '(hd0,msdos1)/boot/grub' biosdisk part_msdos fat
core_sectors=$((($(stat -c %s "$work/core.img") + 511) / 512))
[ $core_sectors -lt $PART_START ] || die "core.img has $core_sectors sectors, more than fit"

mkdir -p "$work/tree/boot/grub/i386-pc"
for m in $(closure $MODULES); do
	cp "$GRUB_LIB/$m.mod" "$work/tree/boot/grub/i386-pc/"
done
cp $GRUB_LIB/*.lst "$work/tree/boot/grub/i386-pc/"
if [ -n "$cfg" ]; then
	cp "$cfg" "$work/tree/boot/grub/grub.cfg"
else
	default_cfg "$(basename "$1")" > "$work/tree/boot/grub/grub.cfg"
fi

disk=$work/disk.img
truncate -s $(((PART_START + PART_SECTORS) * 512)) "$disk"
part="$disk@@$((PART_START * 512))"
mformat -i "$part" -T $PART_SECTORS -h $HEADS -s $SPT -H $PART_START ::
mcopy -s -i "$part" "$work/tree/boot" ::/
mcopy -i "$part" "$@" ::/

# FAT12 or FAT16 (mformat picks by size): partition type 01h or 04h
case $(dd if="$disk" bs=1 skip=$((PART_START * 512 + 54)) count=5 status=none) in
FAT12) type=01 ;;
FAT16) type=04 ;;
*) die "mformat made neither FAT12 nor FAT16" ;;
esac
dd if=$GRUB_LIB/boot.img of="$disk" bs=440 count=1 conv=notrunc status=none
partition_table $type | dd of="$disk" bs=1 seek=446 conv=notrunc status=none
dd if="$work/core.img" of="$disk" bs=512 seek=1 conv=notrunc status=none
mv "$disk" "$img"
