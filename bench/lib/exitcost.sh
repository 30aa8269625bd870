# Section "exits": what one exit costs here (guest/exitcost.c).
# Sets TSC_KHZ, the guest's TSC rate (median of every run), used by all
# later sections to turn guest cycles into time.

EXIT_PHASES="port mmio vga hypercall"

# exit_kinds PHASE: which exits the phase makes, for the CSV
phase_kinds() {
	case $1 in
	port) echo "io (out to unclaimed port 0xed)" ;;
	mmio) echo "mmio (store to unclaimed 0xd0000000)" ;;
	vga) echo "mmio (store to VGA window; strategy trap)" ;;
	hypercall) echo "io (32-bit out to 0xabba; VMM_HC_VERSION)" ;;
	esac
}

section_exits() {
	local n=$EXIT_N cfg p r us ex khz base0 all_khz=
	cfg=$(mkcfg exitcost exitcost 'vga = { mode = "emulated"; strategy = "trap"; };')

	vmm_run ec-none "$cfg" --set "cmdline=phase=none n=$n" ||
		{ say "exitcost guest failed: $(tail -3 "$WORK/ec-none.err")"; return 1; }
	base0=$(guest_exits "$WORK/ec-none.json")
	all_khz=$(bfield "$WORK/ec-none.out" tsc_khz)
	for p in $EXIT_PHASES; do
		: > "$WORK/ec-$p.cyc"
		for r in $(seq "$RUNS"); do
			vmm_run "ec-$p-$r" "$cfg" --set "cmdline=phase=$p n=$n" || continue
			khz=$(bfield "$WORK/ec-$p-$r.out" tsc_khz)
			all_khz+=" $khz"
			echo "$(bfield "$WORK/ec-$p-$r.out" cycles) $(bfield "$WORK/ec-$p-$r.out" base)" \
				>> "$WORK/ec-$p.cyc"
			ex=$(guest_exits "$WORK/ec-$p-$r.json")
		done
		eval "EX_$p=\$(calc \"(\${ex:-0} - $base0) / $n\")"
	done
	TSC_KHZ=$(printf '%s\n' $all_khz | mstats | cut -d' ' -f1)
	say "  guest TSC: $TSC_KHZ kHz ($(bfield "$WORK/ec-none.out" tsc_src))"
	row exits tsc 0 tsc_khz kHz "$(printf '%s\n' $all_khz | wc -l)" \
		$(printf '%s\n' $all_khz | mstats | cut -d' ' -f1-3) "" "" \
		"guest TSC rate: $(bfield "$WORK/ec-none.out" tsc_src)"
	for p in $EXIT_PHASES; do
		[ -s "$WORK/ec-$p.cyc" ] || { na exits "$p" "$n" us_per_exit "guest run failed"; continue; }
		local net tot
		net=$(awk -v k="$TSC_KHZ" -v n="$n" '{ print ($1 - $2) * 1000 / k / n }' \
			"$WORK/ec-$p.cyc" | mstats)
		tot=$(awk -v k="$TSC_KHZ" -v n="$n" '{ print $1 * 1000 / k / n }' \
			"$WORK/ec-$p.cyc" | mstats)
		eval "ex=\$EX_$p"
		row exits "$p" "$n" us_per_exit us "${net##* }" ${net% *} "$ex" "$(phase_kinds "$p")" \
			"net of the bare loop; with the loop: $(echo "$tot" | cut -d' ' -f1) us"
		eval "US_$p=\$(echo \"\$net\" | cut -d' ' -f1)"
	done
	have_qemu || return 0
	# The same loops on QEMU (no hypercalls there): its own exit path.
	for p in port mmio vga; do
		: > "$WORK/ecq-$p.cyc"
		for r in $(seq "$QRUNS"); do
			qemu_run "ecq-$p-$r" pc "$G/exitcost.elf" "phase=$p n=$n" -vga std
			[ -n "$(bfield "$WORK/ecq-$p-$r.out" cycles)" ] &&
				echo "$(bfield "$WORK/ecq-$p-$r.out" cycles) $(bfield "$WORK/ecq-$p-$r.out" base)" \
					>> "$WORK/ecq-$p.cyc"
		done
		if [ -s "$WORK/ecq-$p.cyc" ]; then
			local q
			q=$(awk -v k="$TSC_KHZ" -v n="$n" '{ print ($1 - $2) * 1000 / k / n }' \
				"$WORK/ecq-$p.cyc" | mstats)
			row exits "qemu-$p" "$n" us_per_exit us "${q##* }" ${q% *} "" \
				"$(phase_kinds "$p")" "QEMU pc -vga std; same guest binary"
		else
			na exits "qemu-$p" "$n" us_per_exit "QEMU run failed"
		fi
	done
}
