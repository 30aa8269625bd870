# Section "startup": process start to the guest's first instruction and to
# its exit, for guest/empty.c (main returns 0 at once), and peak RSS.
# runwrap stamps CLOCK_MONOTONIC before fork(); vmm's --stats gives the
# same clock just before its first KVM_RUN (the guest's first instruction
# follows) and when that KVM_RUN returned (the first exit).

section_startup() {
	local cfg r sp
	cfg=$(mkcfg empty empty)
	: > "$WORK/st.run"; : > "$WORK/st.exit1"; : > "$WORK/st.end"; : > "$WORK/st.rss"
	for r in $(seq "$START_RUNS"); do
		vmm_run "st-$r" "$cfg" || continue
		sp=$(rwfield "$WORK/st-$r.rw" spawn_ns)
		calc "($(jget "$WORK/st-$r.json" .monotonic_ns.first_run) - $sp) / 1e6" >> "$WORK/st.run"
		calc "($(jget "$WORK/st-$r.json" .monotonic_ns.first_exit) - $sp) / 1e6" >> "$WORK/st.exit1"
		calc "($(rwfield "$WORK/st-$r.rw" end_ns) - $sp) / 1e6" >> "$WORK/st.end"
		rwfield "$WORK/st-$r.rw" maxrss_kb >> "$WORK/st.rss"
	done
	if [ ! -s "$WORK/st.end" ]; then
		na startup vmm-exit 1 ms "vmm run failed: $(tail -1 "$WORK/st-1.err" 2> /dev/null)"
		return
	fi
	local m
	m=$(mstats < "$WORK/st.run")
	row startup vmm-first-instruction 1 ms ms "${m##* }" ${m% *} "" "" \
		"spawn to the first KVM_RUN (the guest's first instruction)"
	VMM_FIRST=${m%% *}
	m=$(mstats < "$WORK/st.exit1")
	row startup vmm-first-exit 1 ms ms "${m##* }" ${m% *} "" "" "spawn to the first exit (serial init)"
	m=$(mstats < "$WORK/st.end")
	row startup vmm-exit 1 ms ms "${m##* }" ${m% *} "$(guest_exits "$WORK/st-1.json")" \
		"io" "spawn to process end; exits of the whole run"
	VMM_END=${m%% *}
	m=$(mstats < "$WORK/st.rss")
	row startup vmm-maxrss 16 maxrss MiB "${m##* }" $(echo "${m% *}" | awk '{ printf "%.2f %.2f %.2f", $1/1024, $2/1024, $3/1024 }') \
		"" "" "peak RSS of the whole vmm process; guest RAM is 16 MiB but only touched pages count"
	# Does RSS grow with guest RAM?  If not, the RSS is the VMM's own.
	local big
	big=$(mkcfg empty-big empty)
	sed -i 's/^memory = .*/memory = 512;/' "$big"
	if vmm_run st-big "$big"; then
		row startup vmm-maxrss 512 maxrss MiB 1 $(calc "$(rwfield "$WORK/st-big.rw" maxrss_kb) / 1024") \
			$(calc "$(rwfield "$WORK/st-big.rw" maxrss_kb) / 1024") \
			$(calc "$(rwfield "$WORK/st-big.rw" maxrss_kb) / 1024") "" "" \
			"same guest with 512 MiB of guest RAM: the difference is guest RAM touched"
	fi
	have_qemu || return 0
	local mach
	for mach in microvm pc; do
		: > "$WORK/stq-$mach.end"; : > "$WORK/stq-$mach.rss"
		for r in $(seq "$START_QRUNS"); do
			qemu_run "stq-$mach-$r" "$mach" "$G/empty.elf" ""
			# empty returns 0: isa-debug-exit makes that 1
			[ "$(rwfield "$WORK/stq-$mach-$r.rw" status)" = 1 ] || continue
			sp=$(rwfield "$WORK/stq-$mach-$r.rw" spawn_ns)
			calc "($(rwfield "$WORK/stq-$mach-$r.rw" end_ns) - $sp) / 1e6" >> "$WORK/stq-$mach.end"
			rwfield "$WORK/stq-$mach-$r.rw" maxrss_kb >> "$WORK/stq-$mach.rss"
		done
		if [ -s "$WORK/stq-$mach.end" ]; then
			m=$(mstats < "$WORK/stq-$mach.end")
			row startup "qemu-$mach-exit" 1 ms ms "${m##* }" ${m% *} "" "" \
				"qemu-system-i386 -machine $mach -kernel empty.elf; spawn to end"
			eval "QEMU_END_$mach=${m%% *}"
			m=$(mstats < "$WORK/stq-$mach.rss")
			row startup "qemu-$mach-maxrss" 128 maxrss MiB "${m##* }" \
				$(echo "${m% *}" | awk '{ printf "%.2f %.2f %.2f", $1/1024, $2/1024, $3/1024 }') \
				"" "" "peak RSS of QEMU (default 128 MiB guest RAM; touched pages only)"
		else
			na startup "qemu-$mach-exit" 1 ms "QEMU $mach could not run the guest: $(tail -1 "$WORK/stq-$mach-1.err")"
		fi
	done
}
