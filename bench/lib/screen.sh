# Section "screen": N full 80x25 screens through each strategy
# (guest/screenbench.c).  The guest loop is identical for every strategy,
# so "ram" (no exits) is its cost and the others are reported net of it.

SCREEN_CASES="ram trap coalesced pvframe pvchar"

# screen_args CASE: vmm options and guest command-line words for a case
screen_set() {
	case $1 in
	ram | trap | coalesced) echo "vga.mode=emulated vga.strategy=$1" ;;
	pvframe | pvchar) echo "vga.mode=pv vga.strategy=ram" ;;
	esac
}
screen_words() {
	[ "$1" = pvchar ] && echo " vga=pvchar"
}
screen_kinds() {
	case $1 in
	ram) echo "none (text window is RAM; host polls it)" ;;
	trap) echo "mmio (one per store)" ;;
	coalesced) echo "mmio (ring full: one per ~170 stores)" ;;
	pvframe) echo "io (one VMM_HC_VGA_FRAME hypercall per frame)" ;;
	pvchar) echo "io (one VMM_HC_VGA_PUTC hypercall per cell)" ;;
	esac
}

section_screen() {
	local n=$SCREEN_FRAMES c r cfg args s e0 e ms ram_ms=
	cfg=$(mkcfg screen screenbench)
	for c in $SCREEN_CASES; do
		args=()
		for s in $(screen_set "$c"); do args+=(--set "$s"); done
		vmm_run "sc-$c-0" "$cfg" "${args[@]}" --set "cmdline=frames=0$(screen_words "$c")" ||
			{ na screen "$c" "$n" ms_per_frame "guest run failed: $(tail -1 "$WORK/sc-$c-0.err")"; continue; }
		e0=$(guest_exits "$WORK/sc-$c-0.json")
		: > "$WORK/sc-$c.ms"
		for r in $(seq "$RUNS"); do
			vmm_run "sc-$c-$r" "$cfg" "${args[@]}" \
				--set "cmdline=frames=$n$(screen_words "$c")" || continue
			calc "$(bfield "$WORK/sc-$c-$r.out" cycles) / $TSC_KHZ / $n" >> "$WORK/sc-$c.ms"
			e=$(guest_exits "$WORK/sc-$c-$r.json")
		done
		[ -s "$WORK/sc-$c.ms" ] || { na screen "$c" "$n" ms_per_frame "guest run failed"; continue; }
		ms=$(mstats < "$WORK/sc-$c.ms")
		local epf driver
		epf=$(calc "($e - $e0) / $n")
		driver=$(bfield "$WORK/sc-$c-1.out" driver)
		row screen "$c" "$n" ms_per_frame ms "${ms##* }" ${ms% *} "$epf" "$(screen_kinds "$c")" \
			"guest driver $driver; exits per frame; $(calc "$epf * 100 / 2000") per 100 stores"
		[ "$c" = ram ] && ram_ms=${ms%% *}
		if [ -n "$ram_ms" ]; then
			local net
			net=$(awk -v r="$ram_ms" '{ print ($1 - r) * 1000 / 2000 }' "$WORK/sc-$c.ms" | mstats)
			row screen "$c" "$n" us_per_cell_net us "${net##* }" ${net% *} \
				"$(calc "$epf / 2000")" "$(screen_kinds "$c")" \
				"per cell minus the ram case's guest loop"
		fi
	done
	have_qemu || return 0
	# QEMU's VGA (-vga std: the window is coalesced MMIO there too)
	: > "$WORK/scq.ms"
	for r in $(seq "$QRUNS"); do
		qemu_run "scq-$r" pc "$G/screenbench.elf" "frames=$n" -vga std
		local cy
		cy=$(bfield "$WORK/scq-$r.out" cycles)
		[ -n "$cy" ] && calc "$cy / $TSC_KHZ / $n" >> "$WORK/scq.ms"
	done
	if [ -s "$WORK/scq.ms" ]; then
		ms=$(mstats < "$WORK/scq.ms")
		row screen qemu-vga "$n" ms_per_frame ms "${ms##* }" ${ms% *} "" "QEMU's own" \
			"QEMU pc -vga std; same guest binary"
	else
		na screen qemu-vga "$n" ms_per_frame "QEMU run failed"
	fi
}
