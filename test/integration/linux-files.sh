#!/usr/bin/env bash
# Linux kernels and initramfs files vmm refuses before KVM exists: status 2
# and one "FILE: why" line, whatever the machine (no kernel boots here;
# test/unit/test_linux_boot.c checks every setup header field).
source "$(dirname "$0")/../lib.sh"
T=linux-files

run_vmm "$TMP/elf" --kernel "$GUESTS/hello.elf" --headless
expect_eq $T-not-a-bzimage "$STATUS $(cat "$TMP/elf.err")" \
	"2 $GUESTS/hello.elf: not a Linux kernel (no bzImage setup header \"HdrS\" at 0x202)"

# a header cut short: the first 600 bytes of a kernel-like file
{ head -c 514 /dev/zero; printf 'HdrS\x0f\x02'; head -c 80 /dev/zero; } > "$TMP/short"
printf '\x55\xaa' | dd of="$TMP/short" bs=1 seek=510 conv=notrunc 2> /dev/null
printf '\x6a' | dd of="$TMP/short" bs=1 seek=513 conv=notrunc 2> /dev/null
run_vmm "$TMP/short" --kernel "$TMP/short" --headless
expect_eq $T-header-cut "$STATUS $(cat "$TMP/short.err")" \
	"2 $TMP/short: setup header of protocol 2.15 ends at 0x26c, past the end of the file"

run_vmm "$TMP/none" --kernel "$TMP/nowhere" --headless
expect_eq $T-missing "$STATUS $(cat "$TMP/none.err")" \
	"2 vmm: linux.kernel '$TMP/nowhere': No such file or directory"

run_vmm "$TMP/lone" --initrd "$TMP/short" --headless
expect_eq $T-initrd-alone "$STATUS $(cat "$TMP/lone.err")" \
	"2 vmm: --initrd and --append go with --kernel FILE (or -c)"

printf 'guest = "%s";\nlinux = "%s";\n' "$GUESTS/hello.elf" "$TMP/short" > "$TMP/both.cfg"
run_vmm "$TMP/both" -c "$TMP/both.cfg" --headless
expect_eq $T-not-with-guest "$STATUS $(cat "$TMP/both.err")" \
	"2 $TMP/both.cfg:2: 'linux' boots a kernel without firmware: no 'guest', 'firmware' or 'boot' with it"
