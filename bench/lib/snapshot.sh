# Section "snapshot": saving and restoring a VM (vmm/snapshot/snapshot.h), with
# guest/memuse.elf (mb=N MiB of RAM holding data, then "memuse: ready" and
# a wait for a key) and the SeaBIOS boot sector, all from process start
# (runwrap's spawn) against the --stats clock:
#   restore-first-instruction   a restore to its first KVM_RUN, 32 and 512
#                               MiB guests with 4 MiB in use (goal < 10 ms)
#   save-pause / save-total / snapshot-size, against the MiB in use (512
#                               MiB guest): RAM goes while the guest runs,
#                               it is paused for the last dirty pages and
#                               the state (the first), the file is synced
#                               and renamed at the end of the second;
#                               restore-used: the restore of each;
#                               restore-used-copied: of the file made
#                               group-writable (read into memory, not mapped)
#   multiboot-cold / multiboot-restore   to "memuse: ready": a boot that
#                               ends there (exit=1) against a restore of a
#                               snapshot taken there
#   seabios-cold / seabios-restore       to the boot sector: bootexit.img
#                               against a restore of bootsect.img waiting
#                               for its key
#   migrate-*                   live migration of the demo guest (32 MiB,
#                               animating) to a vmm --incoming: total ms,
#                               downtime ms (paused here to running there),
#                               bytes, passes (the source's --stats)
#   qemu-*                      QEMU on the same memuse.elf: migrate
#                               "exec:cat > FILE" (its total and downtime)
#                               and -incoming "exec:cat FILE" to "running";
#                               and the demo migrated to another QEMU

SNAP_QMP=$ROOT/bench/lib/qemu_snapshot.py

# snap_cfg NAME MEM-MIB MB [EXIT]: a memuse config, printed path
snap_cfg() {
	local f
	f=$(mkcfg "$1" memuse "cmdline = \"mb=$3${4:+ exit=$4}\";")
	sed -i "s/^memory = .*/memory = $2;/" "$f"
	echo "$f"
}

# snap_take TAG CFG FILE [UNTIL [VMM-ARG]]: boots CFG, saves FILE once UNTIL shows
snap_take() {
	vmm_run "$1" "$2" --keys "{until:${4:-memuse: ready}}{save-and-quit:$3}" ${5:+"$5"} &&
		[ -s "$3" ]
}

# spawn_to TAG FIELD: ms from runwrap's spawn to a --stats monotonic_ns field
spawn_to() {
	calc "($(jget "$WORK/$1.json" ".monotonic_ns.$2") - $(rwfield "$WORK/$1.rw" spawn_ns)) / 1e6"
}

# snap_restores TAG FILE RUNS [KEY [STATUS]]: RUNS restores of FILE, the
# key ending each (memuse checks its RAM first: status 0); ms from spawn to
# the first instruction in $WORK/TAG.ms, from the runs that ended right
snap_restores() {
	local tag=$1 f=$2 r
	: > "$WORK/$tag.ms"
	for r in $(seq "$3"); do
		timeout -k 5 60 "$RUNWRAP" "$WORK/$tag-$r.rw" -- "$VMM" --restore "$f" \
			--headless --dump none --stats "$WORK/$tag-$r.json" --keys "${4:-x}" \
			> "$WORK/$tag-$r.out" 2> "$WORK/$tag-$r.err" < /dev/null
		[ "$(rwfield "$WORK/$tag-$r.rw" status)" = "${5:-0}" ] || continue
		spawn_to "$tag-$r" first_run >> "$WORK/$tag.ms"
	done
	[ -s "$WORK/$tag.ms" ]
}

# snap_row CASE SIZE FILE NOTE: a ms row from the numbers in FILE
snap_row() {
	local m
	m=$(mstats < "$3")
	row snapshot "$1" "$2" ms ms "${m##* }" ${m% *} "" "" "$4"
}

snap_restore_cases() {
	local mem f
	for mem in 32 512; do
		f=$WORK/snap-$mem.snap
		if ! snap_take "snap-take-$mem" "$(snap_cfg "snap-$mem" $mem 4)" "$f"; then
			na snapshot restore-first-instruction $mem ms "save failed: $(tail -1 "$WORK/snap-take-$mem.err")"
			continue
		fi
		snap_restores "snap-rest-$mem" "$f" "$SNAP_RUNS" &&
			snap_row restore-first-instruction $mem "$WORK/snap-rest-$mem.ms" \
				"$mem MiB guest; 4 MiB in use; $(stat -c %s "$f") byte file; spawn to first KVM_RUN"
	done
}

snap_used_cases() {
	local mb r f st
	for mb in $SNAP_USED; do
		: > "$WORK/su-$mb.pause"; : > "$WORK/su-$mb.total"
		for r in $(seq "$SNAP_RUNS"); do
			f=$WORK/su-$mb.snap
			snap_take "su-$mb-$r" "$(snap_cfg "su-$mb" 512 "$mb")" "$f" || continue
			st=$WORK/su-$mb-$r.json
			jget "$st" .snapshot.last_pause_ms >> "$WORK/su-$mb.pause"
			jget "$st" .snapshot.last_total_ms >> "$WORK/su-$mb.total"
		done
		if [ ! -s "$WORK/su-$mb.pause" ]; then
			na snapshot save-pause "$mb" ms "save failed: $(tail -1 "$WORK/su-$mb-1.err")"
			continue
		fi
		snap_row save-pause "$mb" "$WORK/su-$mb.pause" "512 MiB guest; MiB in use = size; the guest paused"
		snap_live_pause "$mb"
		snap_row save-total "$mb" "$WORK/su-$mb.total" "the same, to the file synced and renamed"
		local mib
		mib=$(calc "$(stat -c %s "$f") / 1048576")
		row snapshot snapshot-size "$mb" size MiB 1 "$mib" "$mib" "$mib" "" "" "file size"
		snap_restores "su-rest-$mb" "$f" "$SNAP_RUNS" &&
			snap_row restore-used "$mb" "$WORK/su-rest-$mb.ms" "spawn to first KVM_RUN (the file's CRCs are checked first)"
		# a file others may write is read into memory, not mapped: its cost
		chmod g+w "$f"
		snap_restores "su-copy-$mb" "$f" "$SNAP_RUNS" &&
			snap_row restore-used-copied "$mb" "$WORK/su-copy-$mb.ms" "the same file group-writable: copied, not mapped"
		chmod g-w "$f"
	done
}

# The same save of a VM allowed KVM's dirty log (one that can migrate; here
# --no-sandbox): RAM goes while the guest runs, the pause holds the rest.
snap_live_pause() {
	local mb=$1 r
	: > "$WORK/sl-$mb.pause"
	for r in $(seq "$SNAP_RUNS"); do
		snap_take "sl-$mb-$r" "$WORK/su-$mb.cfg" "$WORK/sl-$mb.snap" "memuse: ready" \
			--no-sandbox || continue
		jget "$WORK/sl-$mb-$r.json" .snapshot.last_pause_ms >> "$WORK/sl-$mb.pause"
	done
	[ -s "$WORK/sl-$mb.pause" ] && snap_row save-pause-live "$mb" "$WORK/sl-$mb.pause" \
		"the same with KVM's dirty log (a VM that can migrate): the guest paused"
}

# cold (a run that ends at the point) against restore (to the first instruction)
snap_cold_cases() {
	local r cfg
	cfg=$(snap_cfg snap-cold 32 4 1)
	: > "$WORK/mb-cold.ms"
	for r in $(seq "$SNAP_RUNS"); do
		vmm_run "mb-cold-$r" "$cfg" || continue
		calc "($(rwfield "$WORK/mb-cold-$r.rw" end_ns) - $(rwfield "$WORK/mb-cold-$r.rw" spawn_ns)) / 1e6" >> "$WORK/mb-cold.ms"
	done
	[ -s "$WORK/mb-cold.ms" ] && snap_row multiboot-cold 32 "$WORK/mb-cold.ms" \
		"memuse mb=4 exit=1: spawn to the end of a boot that stops at 'ready'"
	[ -s "$WORK/snap-rest-32.ms" ] && snap_row multiboot-restore 32 "$WORK/snap-rest-32.ms" \
		"spawn to the first instruction of a restore at 'ready'"
	snap_seabios_cases
}

# SeaBIOS to bootexit.img's first instruction: the firmware section's
# vmm-bootsector runs when it ran, else runs of our own
snap_seabios_cold() {
	local r
	if [ -n "$(get firmware vmm-bootsector 1 ms)" ]; then
		row snapshot seabios-cold 16 ms ms "$(get firmware vmm-bootsector 1 ms runs)" \
			"$(get firmware vmm-bootsector 1 ms)" "$(get firmware vmm-bootsector 1 ms min)" \
			"$(get firmware vmm-bootsector 1 ms max)" "" "" \
			"the firmware section's vmm-bootsector (SeaBIOS to bootexit.img)"
		return
	fi
	printf 'name = "bench";\nmemory = 16;\nfirmware = "seabios";\ndisk = { path = "%s"; readonly = true; };\n' \
		"$WORK/be.img" > "$WORK/be.cfg"
	: > "$WORK/bs-cold.ms"
	for r in $(seq "$SNAP_RUNS"); do
		vmm_run "bs-cold-$r" "$WORK/be.cfg"
		[ "$(rwfield "$WORK/bs-cold-$r.rw" status)" = 249 ] || continue
		calc "($(rwfield "$WORK/bs-cold-$r.rw" end_ns) - $(rwfield "$WORK/bs-cold-$r.rw" spawn_ns)) / 1e6" >> "$WORK/bs-cold.ms"
	done
	[ -s "$WORK/bs-cold.ms" ] && snap_row seabios-cold 16 "$WORK/bs-cold.ms" \
		"SeaBIOS to bootexit.img's first instruction (it exits there)"
}

snap_seabios_cases() {
	local boot=$G/boot/bootsect.img exitimg=$G/boot/bootexit.img
	if [ "$SNAP_SEABIOS" != 1 ]; then
		na snapshot seabios-restore 16 ms "not in $MODE mode (SeaBIOS takes seconds to boot here)"
		return
	fi
	if [ ! -f "$boot" ] || [ ! -f "$exitimg" ]; then
		na snapshot seabios-restore 16 ms "not built: $boot"
		return
	fi
	cp "$boot" "$WORK/bs.img"
	cp "$exitimg" "$WORK/be.img"
	snap_seabios_cold
	printf 'name = "bench";\nmemory = 16;\nfirmware = "seabios";\ndisk = { path = "%s"; readonly = true; };\n' \
		"$WORK/bs.img" > "$WORK/bs.cfg"
	if snap_take bs-take "$WORK/bs.cfg" "$WORK/bs.snap" "press a key" &&
	   snap_restores bs-rest "$WORK/bs.snap" "$SNAP_RUNS" 7 15; then
		snap_row seabios-restore 16 "$WORK/bs-rest.ms" \
			"bootsect.img saved at its key prompt; spawn to first KVM_RUN"
	else
		na snapshot seabios-restore 16 ms "$(tail -1 "$WORK/bs-take.err")"
	fi
}

# QEMU on memuse.elf: the same 32 MiB guest, 4 MiB in use
snap_qemu_cases() {
	local sock=$WORK/qmp.sock f=$WORK/qemu.snap r pid i
	local args=(qemu-system-i386 -enable-kvm -machine pc -nodefaults -vga std -display none
		-m 32 -kernel "$G/memuse.elf" -append "mb=4"
		-device isa-debug-exit,iobase=0xf4,iosize=0x04)
	: > "$WORK/q-save.ms"; : > "$WORK/q-down.ms"; : > "$WORK/q-rest.ms"
	for r in $(seq "$SNAP_RUNS"); do
		rm -f "$sock" "$WORK/q.serial" "$f"
		"${args[@]}" -serial "file:$WORK/q.serial" -qmp "unix:$sock,server,wait=off" \
			> /dev/null 2>&1 < /dev/null &
		pid=$!
		for ((i = 0; i < 600; i++)); do
			grep -q "memuse: ready" "$WORK/q.serial" 2> /dev/null && break
			sleep 0.05
		done
		local out
		out=$(python3 "$SNAP_QMP" save "$sock" "$f" 2> "$WORK/q-save.err")
		kill "$pid" 2> /dev/null
		wait "$pid" 2> /dev/null
		[ -n "$out" ] || continue
		set -- $out
		echo "$1" >> "$WORK/q-save.ms"
		echo "$2" >> "$WORK/q-down.ms"
		rm -f "$sock"
		# the same devices as the saved QEMU, or -incoming refuses the state
		python3 "$SNAP_QMP" restore "$sock" -- "${args[@]}" -serial "file:$WORK/q-rest.serial" \
			-qmp "unix:$sock,server,wait=off" -incoming "exec:cat $f" \
			>> "$WORK/q-rest.ms" 2> "$WORK/q-rest.err"
	done
	if [ ! -s "$WORK/q-save.ms" ]; then
		na snapshot qemu-save 4 ms "QEMU migrate to a file failed: $(tail -1 "$WORK/q-save.err")"
		return
	fi
	snap_row qemu-save-total 4 "$WORK/q-save.ms" "QEMU migrate exec:cat > file: total-time; file $(stat -c %s "$f") bytes"
	snap_row qemu-save-pause 4 "$WORK/q-down.ms" "QEMU migrate: downtime"
	if [ -s "$WORK/q-rest.ms" ]; then
		snap_row qemu-restore 32 "$WORK/q-rest.ms" \
			"QEMU -incoming exec:cat file: spawn to QMP status running"
	else
		na snapshot qemu-restore 32 ms "$(tail -1 "$WORK/q-rest.err")"
	fi
}

# the demo to a vmm --incoming, SNAP_RUNS times
snap_migrate_cases() {
	local cfg sock=$WORK/mig.sock r i src
	cfg=$(mkcfg mig demo)
	: > "$WORK/mig.total"; : > "$WORK/mig.down"; : > "$WORK/mig.bytes"; : > "$WORK/mig.passes"
	for r in $(seq "$SNAP_RUNS"); do
		rm -f "$sock"
		timeout -k 5 60 "$VMM" --incoming "unix:$sock" --headless --dump none --timeout 1 \
			> "$WORK/mig-dst-$r.out" 2> "$WORK/mig-dst-$r.err" < /dev/null &
		for ((i = 0; i < 500; i++)); do [ -S "$sock" ] && break; sleep 0.01; done
		vmm_run "mig-src-$r" "$cfg" --keys "{until:frame }{migrate:unix:$sock}"
		wait
		src=$WORK/mig-src-$r.json
		[ "$(jget "$src" .migration.result)" = done ] || continue
		jget "$src" .migration.total_ms >> "$WORK/mig.total"
		jget "$src" .migration.downtime_ms >> "$WORK/mig.down"
		calc "$(jget "$src" .migration.bytes) / 1048576" >> "$WORK/mig.bytes"
		jget "$src" .migration.passes >> "$WORK/mig.passes"
	done
	if [ ! -s "$WORK/mig.total" ]; then
		na snapshot migrate-downtime 32 ms "failed: $(tail -1 "$WORK/mig-src-1.err")"
		return
	fi
	snap_row migrate-total 32 "$WORK/mig.total" "demo.elf to vmm --incoming: the source's total"
	snap_row migrate-downtime 32 "$WORK/mig.down" "guest paused here to its first KVM_RUN there"
	local m
	m=$(mstats < "$WORK/mig.bytes")
	row snapshot migrate-bytes 32 size MiB "${m##* }" ${m% *} "" "" "sent, all passes"
	m=$(mstats < "$WORK/mig.passes")
	row snapshot migrate-passes 32 passes n "${m##* }" ${m% *} "" "" "the first, the dirty ones, the last"
}

# the demo from one QEMU to another (-incoming unix:)
snap_qemu_migrate() {
	local qmp=$WORK/qm.qmp sock=$WORK/qm.sock pid dpid out
	local args=(qemu-system-i386 -enable-kvm -machine pc -nodefaults -vga std -display none
		-m 32 -kernel "$G/demo.elf" -serial none
		-device isa-debug-exit,iobase=0xf4,iosize=0x04)
	: > "$WORK/qm.total"; : > "$WORK/qm.down"
	for r in $(seq "$SNAP_RUNS"); do
		rm -f "$qmp" "$sock"
		"${args[@]}" -incoming "unix:$sock" > /dev/null 2>&1 < /dev/null &
		dpid=$!
		"${args[@]}" -qmp "unix:$qmp,server,wait=off" > /dev/null 2>&1 < /dev/null &
		pid=$!
		sleep 2		# the demo animating (a benchmark, not a test)
		out=$(python3 "$SNAP_QMP" migrate "$qmp" "unix:$sock" 2> "$WORK/qm.err")
		kill "$pid" "$dpid" 2> /dev/null
		wait "$pid" "$dpid" 2> /dev/null
		[ -n "$out" ] || continue
		set -- $out
		echo "$1" >> "$WORK/qm.total"
		echo "$2" >> "$WORK/qm.down"
	done
	[ -s "$WORK/qm.total" ] || { na snapshot qemu-migrate-downtime 32 ms "$(tail -1 "$WORK/qm.err")"; return; }
	snap_row qemu-migrate-total 32 "$WORK/qm.total" "QEMU demo.elf migrate unix: to -incoming: total-time"
	snap_row qemu-migrate-downtime 32 "$WORK/qm.down" "QEMU: downtime"
}

section_snapshot() {
	if [ ! -f "$G/memuse.elf" ]; then
		na snapshot restore-first-instruction 32 ms "not built: $G/memuse.elf"
		return
	fi
	snap_restore_cases
	snap_used_cases
	snap_cold_cases
	snap_migrate_cases
	if have_qemu; then
		snap_qemu_cases
		snap_qemu_migrate
	fi
	return 0
}

print_snapshot_table() {
	local mb
	echo
	echo "== Snapshots: memuse.elf, ms (median of $SNAP_RUNS) =="
	printf '%-40s %10s %10s\n' "" vmm QEMU
	# pair LABEL SIZE UNIT CASE [CASE]: one row, each case's figure in a column
	pair() {
		local label=$1 size=$2 unit=$3 c out=
		shift 3
		for c in "$@"; do out+=$(printf ' %10s' "$(fmt "$(get snapshot "$c" "$size" "$unit")")"); done
		printf '%-40s%s\n' "$label" "$out"
	}
	pair "restore to first instruction, 32 MiB" 32 ms restore-first-instruction qemu-restore
	pair "restore to first instruction, 512 MiB" 512 ms restore-first-instruction
	pair "save, guest paused (4 MiB in use)" 4 ms save-pause qemu-save-pause
	pair "save, total (4 MiB in use)" 4 ms save-total qemu-save-total
	pair "Multiboot: cold boot to ready / restore" 32 ms multiboot-cold multiboot-restore
	pair "migration of the demo: downtime" 32 ms migrate-downtime qemu-migrate-downtime
	pair "migration of the demo: total" 32 ms migrate-total qemu-migrate-total
	printf '%-40s %10s MiB in %s passes\n' "migration of the demo: sent" \
		"$(fmt "$(get snapshot migrate-bytes 32 size)")" "$(fmt "$(get snapshot migrate-passes 32 passes)")"
	pair "SeaBIOS: cold boot to the boot sector / restore" 16 ms seabios-cold seabios-restore
	echo "512 MiB guest, by MiB in use: file MiB, save paused (live: with the dirty log) / total ms, restore ms (copied: a file others may write)"
	for mb in $SNAP_USED; do
		printf '  %5s MiB: %8s MiB %9s (%s) %9s %9s (%s)\n' "$mb" "$(fmt "$(get snapshot snapshot-size "$mb" size)")" \
			"$(fmt "$(get snapshot save-pause "$mb" ms)")" "$(fmt "$(get snapshot save-pause-live "$mb" ms)")" \
			"$(fmt "$(get snapshot save-total "$mb" ms)")" "$(fmt "$(get snapshot restore-used "$mb" ms)")" \
			"$(fmt "$(get snapshot restore-used-copied "$mb" ms)")"
	done
	local v
	v=$(get snapshot restore-first-instruction 32 ms)
	printf '%-58s %-12s %s\n' "snapshot: restore of a 32 MiB guest < 10 ms" "$(fmt "$v") ms" "$(verdict "$v" "<" 10)"
	v=$(get snapshot migrate-downtime 32 ms)
	printf '%-58s %-12s %s\n' "migration: downtime of a 32 MiB guest < 20 ms" "$(fmt "$v") ms" "$(verdict "$v" "<" 20)"
	v=$(calc "$(get snapshot seabios-restore 16 ms) / $(get snapshot seabios-cold 16 ms) * 100")
	printf '%-58s %-12s %s\n' "snapshot: SeaBIOS restore < 5% of its cold boot" "$(fmt "$v" %.2g) %" "$(verdict "$v" "<" 5)"
}
