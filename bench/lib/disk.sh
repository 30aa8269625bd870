# Section "disk": the lab's table.  Each strategy of the diskbench guest
# (bench/lib/diskbench.sh) at each size, writes then reads, timed by the
# guest's rdtsc (the phase alone) and by runwrap (the whole process);
# exits per sector from --stats minus a run with n=0 (boot and printing).
# "host" rows: bench/hostwrite writing the same bytes to the same file
# system with the same cache mode, the limit the PV ring is measured
# against.  Sizes whose estimated time (from the size below) would pass
# $BUDGET seconds are skipped with a note, unless --full-long.

DISK_CHUNK=1024		# sectors per host pwrite (512 KiB), as one PV ring descriptor

# fresh_image SECTORS: a new sparse image in $WORK, as a user would make one
fresh_image() {
	rm -f "$WORK/disk.img"
	truncate -s $(($1 * 512)) "$WORK/disk.img"
}

hostwrite_case() {
	local cache=$1 n=$2 r m
	: > "$WORK/hw.s"
	for r in $(seq "$RUNS"); do
		rm -f "$WORK/host.img"
		truncate -s $((n * 512)) "$WORK/host.img"
		"$HOSTWRITE" "$WORK/host.img" "$n" "$DISK_CHUNK" "$cache" > "$WORK/hw.out" 2>&1 &&
			bfield "$WORK/hw.out" seconds >> "$WORK/hw.s"
	done
	rm -f "$WORK/host.img"
	[ -s "$WORK/hw.s" ] || { na disk "host-$cache" "$n" s "hostwrite failed: $(tail -1 "$WORK/hw.out")"; return; }
	m=$(mstats < "$WORK/hw.s")
	row disk "host-$cache" "$n" s s "${m##* }" ${m% *} "" "" \
		"host pwrite of $((DISK_CHUNK / 2)) KiB chunks; $(calc "$n * 512 / ${m%% *} / 1e6") MB/s"
}

# est_ok CASE N: room in the budget for N sectors of CASE?  Uses the
# seconds per sector of the size below, from $WORK/per-sector.CASE
est_ok() {
	local f=$WORK/per-sector.$1 est
	[ "$FULL_LONG" = 1 ] || [ ! -s "$f" ] && return 0
	est=$(calc "$(cat "$f") * $2 * $RUNS")
	if awk "BEGIN { exit !($est > $BUDGET) }"; then
		SKIP_NOTE="skipped: estimated $(printf '%.0f' "$est") s for $RUNS runs > budget $BUDGET s (--full-long runs it)"
		return 1
	fi
	return 0
}

# disk_case STRATEGY OP N CACHE [ON]: one row; ON=qemu runs the peer
disk_case() {
	local s=$1 op=$2 n=$3 cache=$4 on=${5:-vmm} tag cfg r cy base= bbytes= e ebytes m err=
	local id=$on-$s-$op-$cache
	tag=db-$id
	if ! est_ok "$on-$s-$op" "$n"; then
		na disk "$id" "$n" s "$SKIP_NOTE"
		return
	fi
	: > "$WORK/$tag.s"; : > "$WORK/$tag.wall"; : > "$WORK/$tag.eps"
	cfg=$(mkcfg "$tag" diskbench \
		"disk = { path = \"$WORK/disk.img\"; mode = \"$(db_mode "$s")\"; cache = \"$cache\"; };")
	if [ "$on" = vmm ]; then
		fresh_image "$n"
		vmm_run "$tag-0" "$cfg" --set "cmdline=$(db_base_cmdline "$s" "$op" "$n")" &&
			base=$(guest_exits "$WORK/$tag-0.json") && bbytes=$(wc -c < "$WORK/$tag-0.out")
	fi
	for r in $(seq "$([ "$on" = qemu ] && echo "$QRUNS" || echo "$RUNS")"); do
		fresh_image "$n"
		if [ "$on" = qemu ]; then
			qemu_run "$tag-$r" pc "$(db_elf)" "$(db_cmdline "$s" "$op" "$n")" \
				-drive "file=$WORK/disk.img,format=raw,if=ide,cache=$cache"
		else
			vmm_run "$tag-$r" "$cfg" --set "cmdline=$(db_cmdline "$s" "$op" "$n")"
		fi
		cy=$(db_cycles "$WORK/$tag-$r.out" "$s" "$op")
		[ "$cy" = error ] && { err="the guest reported errors"; continue; }
		[ -n "$cy" ] || continue
		calc "$cy / $TSC_KHZ / 1000" >> "$WORK/$tag.s"
		calc "($(rwfield "$WORK/$tag-$r.rw" end_ns) - $(rwfield "$WORK/$tag-$r.rw" spawn_ns)) / 1e9" >> "$WORK/$tag.wall"
		if [ "$on" = vmm ] && [ -n "$base" ]; then
			e=$(guest_exits "$WORK/$tag-$r.json")
			ebytes=$(wc -c < "$WORK/$tag-$r.out")
			calc "($e - $base - 2 * ($ebytes - $bbytes)) / $n" >> "$WORK/$tag.eps"
		fi
	done
	rm -f "$WORK/disk.img"
	if [ ! -s "$WORK/$tag.s" ]; then
		na disk "$id" "$n" s "${err:-no result: $(tr -d '\r' < "$WORK/$tag-1.out" 2> /dev/null | tail -1) $(tail -1 "$WORK/$tag-1.err" 2> /dev/null)}"
		return
	fi
	m=$(mstats < "$WORK/$tag.wall")
	calc "${m%% *} / $n" > "$WORK/per-sector.$on-$s-$op"
	local wall=${m%% *} eps=
	m=$(mstats < "$WORK/$tag.s")
	# exits vary a little between runs (the I/O thread drains the coalesced
	# ring concurrently): the median
	[ -s "$WORK/$tag.eps" ] && eps=$(mstats < "$WORK/$tag.eps" | cut -d' ' -f1)
	row disk "$id" "$n" s s "${m##* }" ${m% *} "$eps" \
		"$([ "$on" = qemu ] && echo "QEMU pc IDE: $(db_describe "$s")" || db_describe "$s")" \
		"guest rdtsc time of the $op phase; whole process $wall s${err:+; some runs: $err}"
}

section_disk() {
	local n s op
	for n in $DISK_SIZES; do
		hostwrite_case writeback "$n"
		hostwrite_case writeback+fsync "$n"
	done
	for s in writethrough none unsafe; do
		hostwrite_case "$s" "$CACHE_SIZE"
	done
	if ! db_available; then
		for s in $DB_STRATEGIES; do
			for n in $DISK_SIZES; do
				na disk "vmm-$s-write-writeback" "$n" s "not built: no $(basename "$(db_elf)")"
			done
		done
		say "  diskbench guest: n/a (not built)"
		return
	fi
	for s in $DB_STRATEGIES; do
		for op in write read; do
			for n in $DISK_SIZES; do
				say "  disk $s $op $n"
				disk_case "$s" "$op" "$n" writeback
			done
		done
	done
	# the PV ring against the host at 1,000,000 sectors even in quick mode:
	# both take well under a second (not in --smoke: with the fsync'd host
	# writes around them, tens of seconds of make test)
	if [ "${DISK_MILLION:-1}" = 1 ] && [[ " $DISK_SIZES " != *" 1000000 "* ]]; then
		hostwrite_case writeback 1000000
		say "  disk pvring write 1000000"
		disk_case pvring write 1000000 writeback
	fi
	# cache modes for the fastest path
	for s in writethrough none unsafe; do
		disk_case pvring write "$CACHE_SIZE" "$s"
	done
	have_qemu || return 0
	for s in $DB_EMULATED; do
		for n in $DISK_SIZES; do
			[ "$n" -le "$QEMU_DISK_MAX" ] || break
			say "  disk $s write $n on QEMU"
			disk_case "$s" write "$n" writeback qemu
		done
	done
}
