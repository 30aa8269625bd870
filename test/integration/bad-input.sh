# Bad input: one line naming the file and the problem, status 2 (no KVM needed).
source "$(dirname "$0")/../lib.sh"
T=bad-input
head -c 3000 /dev/urandom > "$TMP/junk.elf"
printf 'guest = "junk.elf";\n' > "$TMP/junk.cfg"
"$VMM" -c "$TMP/junk.cfg" --headless > "$TMP/junk.out" 2> "$TMP/junk.err"
expect_eq $T-corrupt-elf "$? $(cat "$TMP/junk.err")" \
	"2 $TMP/junk.elf: no Multiboot header in the first 8192 bytes"
printf 'guest = "absent.elf";\n' > "$TMP/absent.cfg"
"$VMM" -c "$TMP/absent.cfg" --headless > /dev/null 2> "$TMP/absent.err"
expect_eq $T-missing-guest "$? $(cat "$TMP/absent.err")" \
	"2 $TMP/absent.cfg:1: guest '$TMP/absent.elf': No such file or directory"
printf 'guest = "%s";\nvga = { strategy = "trapp"; };\n' "$GUESTS/hello.elf" > "$TMP/typo.cfg"
"$VMM" -c "$TMP/typo.cfg" --headless > /dev/null 2> "$TMP/typo.err"
expect_eq $T-config-typo "$? $(cat "$TMP/typo.err")" \
	"2 $TMP/typo.cfg:2: 'vga.strategy' is \"trapp\"; expected one of: trap, coalesced, ram"
"$VMM" -c "$TMP/nothere.cfg" > /dev/null 2> "$TMP/nc.err"
expect_eq $T-missing-config "$? $(cat "$TMP/nc.err")" \
	"2 $TMP/nothere.cfg: cannot read config: No such file or directory"
"$VMM" --bogus > /dev/null 2> "$TMP/bo.err"
check $T-bad-flag "bad flag not refused with status 2" test $? = 2

# Integers libconfig 1.5 would truncate to 32 bits, an @include its scanner
# would die on, and the dotted key form libconfig does not know.
for m in 4294967360:4294967360 0x100000002:4294967298; do
	printf 'guest = "%s";\nmemory = %s;\n' "$GUESTS/hello.elf" "${m%:*}" > "$TMP/big.cfg"
	"$VMM" -c "$TMP/big.cfg" --headless > /dev/null 2> "$TMP/big.err"
	expect_eq $T-memory-overflow-${m%:*} "$? $(cat "$TMP/big.err")" \
		"2 $TMP/big.cfg:2: 'memory' is ${m#*:} MiB; it must be 2 to 3072"
done
mkdir "$TMP/incdir"
printf 'guest = "%s";\n@include "incdir"\n' "$GUESTS/hello.elf" > "$TMP/incdir.cfg"
"$VMM" -c "$TMP/incdir.cfg" --headless > /dev/null 2> "$TMP/incdir.err"
expect_eq $T-include-directory "$? $(cat "$TMP/incdir.err")" \
	"2 $TMP/incdir.cfg:2: @include '$TMP/incdir': not a regular file"
printf 'guest = "%s";\nvga.mode = "pv";\n' "$GUESTS/hello.elf" > "$TMP/dot.cfg"
"$VMM" -c "$TMP/dot.cfg" --headless > /dev/null 2> "$TMP/dot.err"
expect_eq $T-dotted-key "$? $(cat "$TMP/dot.err")" \
	"2 $TMP/dot.cfg:2: syntax error; write it as vga = { mode = ... };"

# No usable KVM: a clear message naming the device, status 126.
printf 'guest = "%s";\n' "$GUESTS/hello.elf" > "$TMP/ok.cfg"
VMM_KVM_DEVICE=$TMP/no-kvm "$VMM" -c "$TMP/ok.cfg" --headless > /dev/null 2> "$TMP/nokvm.err"
expect_eq $T-no-kvm "$? $(cat "$TMP/nokvm.err")" \
	"126 vmm: $TMP/no-kvm: No such file or directory (no KVM here: load kvm_intel or kvm_amd, or run vmm in a nested VM that offers it: vmm-nested vmm ARGS..., test/vm/run in the source tree)"
VMM_KVM_DEVICE=/dev/null "$VMM" -c "$TMP/ok.cfg" --headless > /dev/null 2> "$TMP/null.err"
expect_eq $T-not-kvm "$? $(cat "$TMP/null.err")" "126 vmm: /dev/null: KVM API version -1, need 12"

# A guest's 3 and "vmm could not run it" never look alike: without KVM the
# status is 126, and --stats says who stopped, even though nothing ran.
mkcfg "$TMP/three.cfg" hello 'cmdline = "exit=3";'
echo stale > "$TMP/three.json"
VMM_KVM_DEVICE=$TMP/no-kvm "$VMM" -c "$TMP/three.cfg" --headless --stats "$TMP/three.json" \
	> /dev/null 2>&1
expect_eq $T-no-kvm-not-guest-status "$? $(jq -r '.stop.by + " " + (.exit_status | tostring)' \
	"$TMP/three.json" 2>&1)" "126 error 126"
"$VMM" -c "$TMP/typo.cfg" --headless --stats "$TMP/typo.json" > /dev/null 2>&1
expect_eq $T-stats-bad-config "$? $(jq -r .stop.note "$TMP/typo.json" 2>&1)" \
	"2 the VM never started: bad input at: config (status 2)"
"$VMM" -c "$TMP/ok.cfg" --stats "$TMP/opt.json" --timeout x > /dev/null 2>&1
expect_eq $T-stats-bad-option "$? $(jq -r .stop.by "$TMP/opt.json" 2>&1)" "2 error"
# written whole or not at all: no temporary file stays beside it
left=$(ls -A "$TMP" | grep '\.tmp$')
check $T-stats-no-temporary "left behind: $left" test -z "$left"
"$VMM" -c "$TMP/ok.cfg" --headless --stats "$TMP/nodir/s.json" > /dev/null 2> "$TMP/nodir.err"
expect_eq $T-stats-bad-folder "$? $(cat "$TMP/nodir.err")" \
	"2 vmm: --stats $TMP/nodir/s.json: No such file or directory"

# Every check that needs no VM comes before KVM: a bad command line gets
# status 2 and its line on any machine (here /dev/kvm cannot be opened).
nokvm() { VMM_KVM_DEVICE=$TMP/no-kvm "$VMM" "$@" > /dev/null 2> "$TMP/nk.err"; echo "$? $(cat "$TMP/nk.err")"; }
expect_eq $T-keys-before-kvm "$(nokvm -c "$TMP/ok.cfg" --headless --keys '{BSpace}')" \
	"2 vmm: --keys: {BSpace}: unknown key name"
expect_eq $T-keys-file-before-kvm "$(nokvm -c "$TMP/ok.cfg" --headless --keys-file "$TMP/nothere.txt")" \
	"2 vmm: --keys-file $TMP/nothere.txt: No such file or directory"
printf 'abc' > "$TMP/three.bin"
expect_eq $T-boot-short-before-kvm "$(nokvm --boot "$TMP/three.bin" --headless)" \
	"2 vmm: boot '$TMP/three.bin' is 3 bytes: a boot sector is 512, ending in 55 AA"
expect_eq $T-boot-elf-before-kvm "$(nokvm --boot "$GUESTS/hello.elf" --headless)" \
	"2 vmm: boot '$GUESTS/hello.elf' is an ELF file, not a boot sector (a Multiboot guest runs with guest = \"FILE\")"
# a destination that could never run a VM does not listen for one
nokvm --incoming "unix:$TMP/in.sock" --headless > "$TMP/in.txt"
expect_eq $T-incoming-checks-kvm "$(cut -d' ' -f1-3 "$TMP/in.txt") $([ -e "$TMP/in.sock" ] && echo listened)" \
	"126 vmm: $TMP/no-kvm: "

# --boot beside a config that runs a guest: the message names --boot, not --set
head -c 510 /dev/zero > "$TMP/bs.bin"; printf '\x55\xaa' >> "$TMP/bs.bin"
expect_eq $T-boot-beside-config "$(nokvm -c "$TMP/ok.cfg" --boot "$TMP/bs.bin" --headless)" \
	"2 vmm: --boot $TMP/bs.bin: 'boot' runs a BIOS from an emulated disk: no 'guest' or 'disk.mode'"
# six bytes of text are no snapshot, not a truncated one
printf 'hello\n' > "$TMP/six.snap"
expect_eq $T-restore-not-a-snapshot "$(nokvm --restore "$TMP/six.snap" --headless)" \
	"2 vmm: $TMP/six.snap: not a vmm snapshot (no VMM-SNAP magic)"
