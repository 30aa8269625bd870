#!/usr/bin/env bash
# Linux kernels and initramfs files vmm refuses before KVM exists: status 2
# and one "FILE: why" line, whatever the machine (no kernel boots here;
# test/unit/test_linux_boot.c checks every setup header field).
source "$(dirname "$0")/../lib.sh"
T=linux-files

run_vmm "$TMP/elf" --kernel "$GUESTS/hello.elf" --headless
expect_eq $T-not-a-bzimage "$STATUS $(cat "$TMP/elf.err")" \
	"2 $GUESTS/hello.elf: not a Linux kernel: a 32-bit ELF (vmm boots a bzImage or an x86-64 vmlinux)"
run_vmm "$TMP/txt" --kernel "$ROOT/README.md" --headless
expect_eq $T-not-a-kernel "$STATUS $(cat "$TMP/txt.err")" \
	"2 $ROOT/README.md: not a Linux kernel (no bzImage setup header \"HdrS\" at 0x202)"

# vmlinux ELFs: x86-64 executables whose segments must lie in the file and in RAM
# vmlinux FILE PADDR FILESZ: one PT_LOAD of FILESZ bytes from offset 0x1000 at PADDR
vmlinux() {
	python3 - "$@" <<'EOF'
import struct, sys
f, paddr, filesz = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0)
eh = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9) + struct.pack("<HHIQQQIHHHHHH",
     2, 62, 1, paddr, 64, 0, 0, 64, 56, 1, 64, 0, 0)
ph = struct.pack("<IIQQQQQQ", 1, 7, 0x1000, 0xffffffff80000000 + paddr, paddr, filesz, filesz, 0x1000)
open(f, "wb").write((eh + ph).ljust(0x1000, b"\0") + b"\xf4" * 0x1000)
EOF
}
vmlinux "$TMP/cut.elf" 0x1000000 0x100000
run_vmm "$TMP/cut" --kernel "$TMP/cut.elf" --headless
expect_eq $T-vmlinux-cut "$STATUS $(cat "$TMP/cut.err")" \
	"2 $TMP/cut.elf: vmlinux: segment 0 data lies outside the file"
vmlinux "$TMP/low.elf" 0x20000 0x1000
run_vmm "$TMP/low" --kernel "$TMP/low.elf" --headless
expect_eq $T-vmlinux-low "$STATUS $(cat "$TMP/low.err")" \
	"2 $TMP/low.elf: vmlinux: a segment at 0x20000 lies below 1 MiB"
vmlinux "$TMP/big.elf" 0x40000000 0x1000
run_vmm "$TMP/big" --kernel "$TMP/big.elf" --headless
expect_eq $T-vmlinux-outside-ram "$STATUS $(cat "$TMP/big.err")" \
	"2 $TMP/big.elf: vmlinux: segment 0 [0x40000000, +0x1000) is outside guest RAM (32 MiB)"

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
