# Section "keys": key to screen at GRUB 2's menu (issue 20), vmm against
# QEMU -M isapc at the same menu:
#   a mkgrub.sh disk whose menu has four entries and no timeout; vmm boots
#   it once, is saved at the menu ({save-and-quit:}) and each run restores
#   it; each QEMU run boots to the menu (QEMU 7.2 restored with -incoming
#   showed zeros at 0xb8000 and took no key), waits 1 s; each run presses Down Down Down Up Up Up, each key once the
#   highlight ('*' before the entry) showed the last one moved, then Enter
#   on the first entry, an outb to debug-exit (status 207).
# A key's time runs from its injection (vmm: handed to the 8042, the
# "keys" of --stats; QEMU: QMP send-key sent) to the highlight on the new
# entry (vmm: its {until:}, polled every 10 ms; QEMU: its text page read by
# pmemsave every 2 ms, bench/lib/qemu_keys.py).  Rows: the median over
# every key of every run, min and max; vmm's carry the exits per key (and
# kicks per key in the note) from the same --stats.  A QEMU key that does
# not show within KEYS_CAP seconds counts as KEYS_CAP and ends that run (a
# vmm run stops after 7 x KEYS_CAP; its key counts to the stop): the
# median is then a lower bound, and the note says so.

KEYS_QMP=$ROOT/bench/lib/qemu_keys.py
KEYS_STATUS=207
KEYS_SEQ="Down:2 Down:3 Down:4 Up:3 Up:2 Up:1"

keys_grub_cfg() {
	cat <<-EOF
	set timeout=-1
	set default=0
	menuentry "bench entry 1" {
	    insmod iorw
	    outb 0xf4 0x67
	}
	menuentry "bench entry 2" { true }
	menuentry "bench entry 3" { true }
	menuentry "bench entry 4" { true }
	EOF
}

# the --keys script after a restore: each key, then its highlight
keys_script() {
	local k out=
	for k in $KEYS_SEQ; do
		out+="{${k%%:*}}{until:*bench entry ${k##*:}}"
	done
	echo "$out\\n"
}

# keys_row CASE FILE NOTE [EXITS]: a ms row from the latencies in FILE
keys_row() {
	local m
	m=$(mstats < "$2")
	row keys "$1" 1 ms_per_key ms "${m##* }" ${m% *} "${4:-}" "" "$3"
}

keys_vmm() {
	local img=$1 cfg=$WORK/keys-vmm.cfg snap=$WORK/keys-vmm.snap r j capped=0
	printf 'name = "bench";\nmemory = 16;\nfirmware = "seabios";\ndisk = { path = "%s"; };\n' \
		"$img" > "$cfg"
	if ! vmm_run keys-take "$cfg" --keys "{until:for a command-line.}{wait:1000}{save-and-quit:$snap}" ||
		[ ! -s "$snap" ]; then
		na keys vmm 1 ms_per_key "boot to the menu and save failed: $(tail -1 "$WORK/keys-take.err")"
		return
	fi
	: > "$WORK/keys-vmm.ms"; : > "$WORK/keys-vmm.exits"; : > "$WORK/keys-vmm.kicks"
	for r in $(seq "$KEYS_RUNS"); do
		j=$WORK/keys-vmm-$r.json
		timeout -k 5 $((KEYS_CAP * 7 + 60)) "$VMM" --restore "$snap" --set "disk.path=$img" \
			--headless --dump none --stats "$j" --keys "$(keys_script)" \
			--timeout $((KEYS_CAP * 7)) > "$WORK/keys-vmm-$r.out" 2> "$WORK/keys-vmm-$r.err" < /dev/null
		# pairs of steps: the key, then its {until:}; the first key that
		# never showed counts until the VM stopped (a lower bound), and
		# ends the run
		jq -r '.keys as $k | (.monotonic_ns.start + .wall_seconds * 1e9) as $stop |
			[range(0; 6) | select(($k[2 * .].step // "") == "key")] | .[] |
			if ($k[2 * . + 1].step // "") == "until" then
				"\(($k[2 * . + 1].ns - $k[2 * .].ns) / 1e6) \($k[2 * . + 1].exits - $k[2 * .].exits) \($k[2 * . + 1].kicks - $k[2 * .].kicks)"
			else "\(($stop - $k[2 * .].ns) / 1e6) - -" end' "$j" 2> /dev/null |
		while read -r ms ex ki; do
			echo "$ms" >> "$WORK/keys-vmm.ms"
			[ "$ex" = - ] && { echo x >> "$WORK/keys-vmm.capped"; break; }
			echo "$ex" >> "$WORK/keys-vmm.exits"
			echo "$ki" >> "$WORK/keys-vmm.kicks"
		done
	done
	[ -f "$WORK/keys-vmm.capped" ] && capped=$(wc -l < "$WORK/keys-vmm.capped")
	rm -f "$WORK/keys-vmm.capped"
	if [ ! -s "$WORK/keys-vmm.exits" ]; then
		na keys vmm 1 ms_per_key "no key showed: $(tail -1 "$WORK/keys-vmm-1.err")"
		return
	fi
	local ex ki
	ex=$(mstats < "$WORK/keys-vmm.exits"); ex=${ex%% *}
	ki=$(mstats < "$WORK/keys-vmm.kicks"); ki=${ki%% *}
	keys_row vmm "$WORK/keys-vmm.ms" \
		"vmm --restore at the menu; key to highlight; median exits/key $ex (kicks/key $ki apart)$([ "$capped" = 0 ] || echo "; $capped keys never showed (run stopped after $((KEYS_CAP * 7)) s; their time to the stop counted: a lower bound)")" \
		"$ex"
}

keys_qemu() {
	# the socket off OUT: the nested VM shares OUT over 9p, which refuses sockets
	local img=$1 mach=isapc sock r capped=0 k
	sock=$(mktemp -u /tmp/vmm-bench-keys.XXXXXX.sock)
	local args=(qemu-system-i386 -enable-kvm -M "$mach" -nodefaults -vga std -display none -m 16
		-drive "file=$img,format=raw,if=ide" -device isa-debug-exit,iobase=0xf4,iosize=0x04
		-qmp "unix:$sock,server,wait=off")
	local pairs=()
	for k in $KEYS_SEQ; do
		pairs+=("$(echo "${k%%:*}" | tr A-Z a-z)=*bench entry ${k##*:}")
	done
	: > "$WORK/keys-q.ms"
	for r in $(seq "$KEYS_RUNS"); do
		rm -f "$sock"
		timeout -k 5 $((KEYS_CAP * 8 + 1200)) python3 "$KEYS_QMP" keys "$sock" --cap "$KEYS_CAP" \
			--boot "for a command-line." "${pairs[@]}" "ret=-" -- "${args[@]}" \
			> "$WORK/keys-q-$r.out" 2> "$WORK/keys-q-$r.err"
		# the keys that showed, then the one capped (if any), Enter not counted
		awk '$1 != "ret" && $2 != "capped" { print $2 }' "$WORK/keys-q-$r.out" >> "$WORK/keys-q.ms"
		if grep -q ' capped' "$WORK/keys-q-$r.out"; then
			capped=$((capped + 1))
			echo "$((KEYS_CAP * 1000))" >> "$WORK/keys-q.ms"
		fi
	done
	rm -f "$sock"
	if [ ! -s "$WORK/keys-q.ms" ]; then
		na keys "qemu-$mach" 1 ms_per_key "no key measured: $(tail -1 "$WORK/keys-q-1.err")"
		return
	fi
	keys_row "qemu-$mach" "$WORK/keys-q.ms" \
		"QEMU -M $mach booted to the menu (restored with -incoming it showed no text and took no key); QMP send-key to highlight (pmemsave of 0xb8000)$([ "$capped" = 0 ] || echo "; $capped keys capped at $KEYS_CAP s (the run ended there): a lower bound")"
}

section_keys() {
	local img=$WORK/keys-grub.img
	[ "$KEYS_RUNS" -gt 0 ] || return 0
	keys_grub_cfg > "$WORK/keys-grub.cfg"
	if ! "$ROOT/test/firmware/mkgrub.sh" --cfg "$WORK/keys-grub.cfg" "$img" "$G/hello.elf" \
		2> "$WORK/keys-mkgrub.err"; then
		na keys vmm 1 ms_per_key "mkgrub.sh failed: $(head -1 "$WORK/keys-mkgrub.err")"
		return
	fi
	keys_vmm "$img"
	have_qemu && keys_qemu "$img"
	return 0
}

print_keys_table() {
	local v q
	echo
	echo "== GRUB 2 menu: key to screen, ms per key (median of $KEYS_RUNS x 6 keys; min-max); vmm restored, QEMU booted =="
	printf '%-22s %10s %22s %12s\n' "" "ms/key" "(min-max)" "exits/key"
	for c in vmm qemu-isapc; do
		printf '%-22s %10s %22s %12s\n' "$c" "$(fmt "$(get keys "$c" 1 ms_per_key)")" \
			"($(fmt "$(get keys "$c" 1 ms_per_key min)")-$(fmt "$(get keys "$c" 1 ms_per_key max)"))" \
			"$(fmt "$(get keys "$c" 1 ms_per_key exits)")"
	done
	for c in vmm qemu-isapc; do
		v=$(get keys "$c" 1 ms_per_key note)
		[[ $v == *"n/a"* || $v == *capped* ]] && echo "$c: $v"
	done
	v=$(get keys vmm 1 ms_per_key)
	q=$(get keys qemu-isapc 1 ms_per_key)
	printf '%-58s %-12s %s\n' "GRUB key to screen: QEMU isapc / vmm >= 1" \
		"$(fmt "$(ratio "$q" "$v")" %.3gx)" "$(verdict "$(ratio "$q" "$v")" ">=" 1)"
}
