# Section "firmware": a PC booting a raw disk through SeaBIOS, from process
# start (runwrap's spawn) to
#   bootsector  the first boot-sector instruction: the disk is
#               guest/boot/bootexit.img, whose first two instructions write
#               to debug-exit, so the process ends as the BIOS jumps to
#               0x7C00 (status 249);
#   grub-menu   GRUB 2's menu drawn: a test/firmware/mkgrub.sh disk whose
#               menu counts down 1 s (timeout=1) and then runs its default
#               entry, an outb to debug-exit (status 207); the second is
#               taken off the wall time (not off the CPU time).
# on QEMU -M isapc and -M pc (-display none, -vga std, same image) and on
# vmm once it boots firmware (fw_vmm_cases).  The cpu_ms rows are user +
# system CPU of the whole process: this host's KVM emulates every real-mode
# and ring-0 instruction in the kernel, so they show how much of the wall
# time is the guest's own instructions rather than waiting.

FW_MACHINES="isapc pc"
FW_BOOTEXIT_STATUS=249	# guest/boot/bootexit.S: (0x7c << 1 | 1) & 0xff
FW_GRUB_STATUS=207	# the outb below: (0x67 << 1) | 1

fw_grub_cfg() {
	cat <<-EOF
	set timeout=1
	set default=0
	menuentry "bench: exit at the menu" {
	    insmod iorw
	    outb 0xf4 0x67
	}
	menuentry "hello.elf" {
	    multiboot /hello.elf
	    boot
	}
	EOF
}

fw_run() {
	local tag=$1
	shift
	timeout -k 5 "${RUN_TIMEOUT:-600}" "$RUNWRAP" "$WORK/$tag.rw" -- "$@" \
		> "$WORK/$tag.out" 2> "$WORK/$tag.err" < /dev/null
}

# fw_measure CASE WANT RUNS MINUS-MS NOTE COMMAND...: RUNS runs of COMMAND;
# rows "CASE ms" (spawn to end, minus MINUS-MS) and "CASE cpu_ms" from the
# runs that ended with status WANT; exits per boot from $WORK/fw-CASE.json
# when COMMAND wrote one (vmm --stats).  When none did it writes no row,
# leaves the first run's status and last stderr line in FW_STATUS and
# FW_ERR, and fails.
fw_measure() {
	local c=$1 want=$2 runs=$3 minus=$4 note=$5 r rw st m ex=
	shift 5
	: > "$WORK/fw-$c.ms"; : > "$WORK/fw-$c.cpu"
	FW_STATUS=
	for r in $(seq "$runs"); do
		fw_run "fw-$c-$r" "$@"
		rw=$WORK/fw-$c-$r.rw
		st=$(rwfield "$rw" status)
		: "${FW_STATUS:=$st}"
		[ "$st" = "$want" ] || continue
		calc "($(rwfield "$rw" end_ns) - $(rwfield "$rw" spawn_ns)) / 1e6 - $minus" >> "$WORK/fw-$c.ms"
		calc "($(rwfield "$rw" utime_us) + $(rwfield "$rw" stime_us)) / 1e3" >> "$WORK/fw-$c.cpu"
	done
	if [ ! -s "$WORK/fw-$c.ms" ]; then
		FW_ERR=$(tail -1 "$WORK/fw-$c-1.err" 2> /dev/null | sed "s|$WORK/||g")
		return 1
	fi
	[ -f "$WORK/fw-$c.json" ] && ex=$(guest_exits "$WORK/fw-$c.json")
	m=$(mstats < "$WORK/fw-$c.ms")
	row firmware "$c" 1 ms ms "${m##* }" ${m% *} "$ex" "" "$note"
	m=$(mstats < "$WORK/fw-$c.cpu")
	row firmware "$c" 1 cpu_ms ms "${m##* }" ${m% *} "" "" \
		"user + system CPU of the whole process$([ "$minus" = 0 ] || echo " (nothing taken off)")"
}

fw_qemu_cases() {
	local img=$1 what=$2 want=$3 runs=$4 minus=$5 mach
	for mach in $FW_MACHINES; do
		fw_measure "qemu-$mach-$what" "$want" "$runs" "$minus" \
			"qemu-system-i386 -M $mach -display none; spawn to $what" \
			qemu-system-i386 -enable-kvm -M "$mach" -nodefaults -vga std -display none \
			-drive "file=$img,format=raw,if=ide" \
			-device isa-debug-exit,iobase=0xf4,iosize=0x04 ||
			na firmware "qemu-$mach-$what" 1 ms "status $FW_STATUS, not $want: $FW_ERR"
	done
}

# The vmm column.  Written for the configuration issue 14 defines (a
# firmware and a disk, no guest); until vmm boots firmware it answers with
# a configuration error (status 2) and the rows say so.
fw_vmm_cases() {
	local img=$1 what=$2 want=$3 runs=$4 minus=$5 cfg=$WORK/fw-vmm-$2.cfg
	printf 'name = "bench";\nmemory = 16;\nfirmware = "seabios";\ndisk = { path = "%s"; };\n' \
		"$img" > "$cfg"
	fw_measure "vmm-$what" "$want" "$runs" "$minus" \
		"vmm firmware = \"seabios\"; spawn to $what; exits of one boot" \
		"$VMM" -c "$cfg" --headless --dump none --stats "$WORK/fw-vmm-$what.json" && return
	if [ "$FW_STATUS" = 2 ]; then
		na firmware "vmm-$what" 1 ms "vmm does not boot firmware yet (configuration error: $FW_ERR)"
	else
		na firmware "vmm-$what" 1 ms "status $FW_STATUS, not $want: $FW_ERR"
	fi
}

section_firmware() {
	local boot=$G/boot/bootexit.img grub=$WORK/fw-grub.img
	if [ ! -f "$boot" ]; then
		na firmware bootsector 1 ms "not built: $boot"
		return
	fi
	cp "$boot" "$WORK/fw-bootexit.img"
	fw_vmm_cases "$WORK/fw-bootexit.img" bootsector $FW_BOOTEXIT_STATUS "$FW_RUNS" 0
	have_qemu && fw_qemu_cases "$WORK/fw-bootexit.img" bootsector $FW_BOOTEXIT_STATUS "$FW_RUNS" 0
	[ "$FW_GRUB_RUNS" -gt 0 ] || return 0
	fw_grub_cfg > "$WORK/fw-grub.cfg"
	if ! "$ROOT/test/firmware/mkgrub.sh" --cfg "$WORK/fw-grub.cfg" "$grub" "$G/hello.elf" \
		2> "$WORK/fw-mkgrub.err"; then
		na firmware grub-menu 1 ms "mkgrub.sh failed: $(head -1 "$WORK/fw-mkgrub.err")"
		return
	fi
	fw_vmm_cases "$grub" grub-menu $FW_GRUB_STATUS "$FW_GRUB_RUNS" 1000
	have_qemu && fw_qemu_cases "$grub" grub-menu $FW_GRUB_STATUS "$FW_GRUB_RUNS" 1000
	return 0
}

print_firmware_table() {
	local w c
	echo
	echo "== Firmware: SeaBIOS from a raw disk, ms from process start (median of $FW_RUNS / $FW_GRUB_RUNS; CPU ms) =="
	printf '%-12s %22s %22s %22s %10s\n' "" vmm "QEMU isapc" "QEMU pc" "vmm exits"
	for w in bootsector grub-menu; do
		printf '%-12s' "$w"
		for c in vmm qemu-isapc qemu-pc; do
			printf ' %22s' "$(fmt "$(get firmware "$c-$w" 1 ms)" %.0f) ($(fmt "$(get firmware "$c-$w" 1 cpu_ms)" %.0f))"
		done
		printf ' %10s\n' "$(fmt "$(get firmware "vmm-$w" 1 ms exits)")"
	done
	local v
	v=$(get firmware vmm-bootsector 1 ms note)
	[[ $v == n/a* ]] && echo "vmm: $v"
	v=$(ratio "$(get firmware qemu-pc-bootsector 1 ms)" "$(get firmware vmm-bootsector 1 ms)")
	printf '%-58s %-12s %s\n' "firmware: to the boot sector >= 2x faster than QEMU -M pc" \
		"$(fmt "$v" %.3gx)" "$(verdict "$v" ">=" 2)"
	v=$(get firmware vmm-bootsector 1 ms exits)
	printf '%-58s %-12s %s\n' "firmware: < 200 exits from reset to 0x7C00" "$(fmt "$v")" "$(verdict "$v" "<" 200)"
}
