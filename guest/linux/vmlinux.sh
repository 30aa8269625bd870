#!/bin/sh
# vmlinux.sh BZIMAGE OUT: the kernel inside a bzImage, uncompressed: the
# vmlinux ELF its build made (a kernel developer has it in the build tree;
# Debian ships only the compressed bzImage).  vmm boots either; a vmlinux
# skips the decompressor, which runs in the guest at every boot (nested,
# seconds).  Reads the setup header's payload_offset/payload_length
# (boot protocol 2.08+) and unpacks the payload with the Debian tool for
# its format (xz-utils, gzip, zstd, lz4).
set -eu
in=${1:?usage: vmlinux.sh BZIMAGE OUT}
out=${2:?usage: vmlinux.sh BZIMAGE OUT}
# u32 at OFFSET of the file, little-endian
u32() { od -An -tu4 -j "$1" -N4 "$in" | tr -d ' '; }
u8() { od -An -tu1 -j "$1" -N1 "$in" | tr -d ' '; }
if [ "$(od -An -c -j 514 -N4 "$in" | tr -d ' ')" != HdrS ]; then
	echo "vmlinux.sh: $in: not a bzImage (no setup header)" >&2
	exit 2
fi
sects=$(u8 497)
[ "$sects" = 0 ] && sects=4
start=$(( (sects + 1) * 512 + $(u32 584) ))
len=$(u32 588)
magic=$(od -An -tx1 -j "$start" -N4 "$in" | tr -d ' ')
case $magic in
fd377a58) unpack="xz -dc" ;;
1f8b*) unpack="gzip -dc" ;;
28b52ffd) unpack="zstd -dc" ;;
02214c18) unpack="lz4 -dc" ;;
*) echo "vmlinux.sh: $in: payload of an unknown format (magic $magic)" >&2; exit 2 ;;
esac
tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT
# the decompressor's own trailer may follow the stream: tools complain, the output is whole
tail -c +"$((start + 1))" "$in" | head -c "$len" | $unpack > "$tmp" 2> /dev/null || true
if [ "$(od -An -c -N4 "$tmp" | tr -d ' ')" != "177ELF" ]; then
	echo "vmlinux.sh: $in: the payload did not unpack to an ELF ($unpack)" >&2
	exit 2
fi
mv "$tmp" "$out"
