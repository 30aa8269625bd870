# Section "ui": what the terminal UI costs, against a pty made by script(1)
# (util-linux), TERM=xterm-256color, 100x30.  The guest (screenbench ui=)
# keeps a steady load paced by 60 Hz timer interrupts, vCPU halted between
# ticks.  Bytes are counted in a window of the S2 run, from S1 seconds in to
# one second before the end, so neither start-up (the first frames, the
# status line settling) nor the final restore is counted:
#   bytes/s = (bytes at S2 - 1 s - bytes at S1) / (S2 - 1 - S1)
# CPU comes from two durations (S1, S2), so start-up and exit cancel out:
#   UI CPU  = (cpu_tui(S2) - cpu_tui(S1) - (cpu_headless(S2) - cpu_headless(S1))) / (S2 - S1)
# i.e. the vmm's CPU with the UI minus the same guest run headless.

UI_CASES="idle cell full"

ui_tty_run() {
	local tag=$1 cfg=$2 mode=$3 sec=$4
	TERM=xterm-256color timeout -k 5 $((sec + 60)) script -qefc \
		"stty rows 30 cols 100; exec '$RUNWRAP' '$WORK/$tag.rw' -- '$VMM' -c '$cfg' --exit-on-halt --set 'cmdline=ui=$mode seconds=$sec'" \
		/dev/null > "$WORK/$tag.tty" 2>&1 < /dev/null
}

cpu_us() {
	echo $(($(rwfield "$1" utime_us) + $(rwfield "$1" stime_us)))
}

section_ui() {
	local cfg c s1=$UI_S1 s2=$UI_S2 r
	cfg=$(mkcfg ui screenbench 'vga = { mode = "emulated"; strategy = "ram"; };')
	sed -i 's/output = "stdout"/output = "none"/' "$cfg"
	ui_tty_run ui-probe "$cfg" idle 1
	if [ "$(rwfield "$WORK/ui-probe.rw" status 2> /dev/null)" != 0 ]; then
		local why
		why=$(tr -d '\r' < "$WORK/ui-probe.tty" | grep -m1 -i 'vmm:' || echo "status $(rwfield "$WORK/ui-probe.rw" status)")
		for c in $UI_CASES; do
			na ui "$c" 60 bytes_per_s "not built: $why"
		done
		say "  terminal UI: n/a ($why)"
		return
	fi
	for c in $UI_CASES; do
		: > "$WORK/ui-$c.b"; : > "$WORK/ui-$c.cpu"
		for r in $(seq "$UI_RUNS"); do
			ui_tty_run "ui-$c-1-$r" "$cfg" "$c" "$s1"
			ui_tty_run "ui-$c-2-$r" "$cfg" "$c" "$s2" &
			local pid=$! b1 b2
			sleep "$s1"
			b1=$(wc -c < "$WORK/ui-$c-2-$r.tty")
			sleep "$((s2 - 1 - s1))"
			b2=$(wc -c < "$WORK/ui-$c-2-$r.tty")
			wait $pid
			vmm_run "uh-$c-1-$r" "$cfg" --set "cmdline=ui=$c seconds=$s1"
			vmm_run "uh-$c-2-$r" "$cfg" --set "cmdline=ui=$c seconds=$s2"
			calc "($b2 - $b1) / ($s2 - 1 - $s1)" >> "$WORK/ui-$c.b"
			calc "(($(cpu_us "$WORK/ui-$c-2-$r.rw") - $(cpu_us "$WORK/ui-$c-1-$r.rw")) - \
($(cpu_us "$WORK/uh-$c-2-$r.rw") - $(cpu_us "$WORK/uh-$c-1-$r.rw"))) / ($s2 - $s1) / 1e4" >> "$WORK/ui-$c.cpu"
		done
		local m
		m=$(mstats < "$WORK/ui-$c.b")
		row ui "$c" 60 bytes_per_s B/s "${m##* }" ${m% *} "" "" \
			"terminal bytes per second in steady state; guest changes $c at 60 Hz"
		m=$(mstats < "$WORK/ui-$c.cpu")
		row ui "$c" 60 cpu_pct "% of a core" "${m##* }" ${m% *} "" "" \
			"vmm CPU with the UI minus headless; steady state"
	done
}
