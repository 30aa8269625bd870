# The printed tables, the JSON file and the plots, all from $CSV.

# get SECTION CASE SIZE METRIC [COLUMN]: one field of a row (median by
# default; "exits" for exits_per_op, "note", "min", "max")
get() {
	local col=7
	case ${5:-median} in
	runs) col=6 ;; min) col=8 ;; max) col=9 ;; exits) col=10 ;; note) col=12 ;;
	esac
	awk -F, -v s="$1" -v c="$2" -v n="$3" -v m="$4" -v col=$col \
		'$1 == s && $2 == c && $3 == n && $4 == m { print $col; exit }' "$CSV"
}

# fmt VALUE [PRINTF-FORMAT]: a number, or "n/a"
fmt() {
	if [ -z "$1" ]; then echo "n/a"; else LC_ALL=C printf "${2:-%.4g}" "$1"; fi
}

ratio() {
	[ -n "$1" ] && [ -n "$2" ] && calc "$1 / $2"
}

# verdict GOT OP LIMIT: "met", "MISSED" or "n/a"
verdict() {
	[ -z "$1" ] && { echo "n/a"; return; }
	awk -v g="$1" -v l="$3" "BEGIN { exit !(g $2 l) }" && echo "met" || echo "MISSED"
}

machine_json() {
	local cpu params=
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	local p
	for p in /sys/module/kvm*/parameters/*; do
		[ -r "$p" ] || continue
		params+="$(basename "$(dirname "$(dirname "$p")")").$(basename "$p")=$(cat "$p" 2> /dev/null)"$'\n'
	done
	jq -n --arg uname "$(uname -a)" --arg kernel "$(uname -r)" --arg cpu "$cpu" \
		--arg cpus "$(nproc)" --arg mem "$(awk '/MemTotal/ { print $2 " kB" }' /proc/meminfo)" \
		--arg kvm "$(lsmod 2> /dev/null | awk '/^kvm/ { print $1 }' | tr '\n' ' ')" \
		--arg params "$params" --arg qemu "$(qemu-system-i386 --version 2> /dev/null | head -1)" \
		--arg commit "$(git rev-parse --short HEAD 2> /dev/null)" --arg where "$BENCH_KVM" \
		--arg fs "$(df -T "$WORK" | awk 'NR == 2 { print $2 " on " $1 }')" \
		'{kvm: $where, uname: $uname, kernel: $kernel, cpu: $cpu, cpus: ($cpus | tonumber), memory: $mem,
		  kvm_modules: $kvm, kvm_params: ($params | split("\n") | map(select(. != ""))),
		  qemu: $qemu, vmm_commit: $commit, bench_filesystem: $fs}'
}

write_json() {
	local hdr
	hdr=$(head -1 "$CSV")
	tail -n +2 "$CSV" | jq -R -s --arg hdr "$hdr" --argjson machine "$(machine_json)" \
		--arg mode "$MODE" --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		--argjson runs "$RUNS" --argjson tsc "${TSC_KHZ:-0}" '
		($hdr | split(",")) as $k |
		{ date: $date, mode: $mode, runs: $runs, tsc_khz: $tsc, machine: $machine,
		  rows: [ split("\n")[] | select(. != "") | split(",") as $v |
			  [ range(0; $k | length) | { key: $k[.], value: ($v[.] // "") } ] |
			  from_entries |
			  with_entries(if (.key | test("^(size|runs|median|min|max|exits_per_op)$")) and .value != ""
				       then .value |= tonumber else . end) ] }' > "$JSON"
}

print_disk_tables() {
	local n s
	echo
	echo "== Disk writes: the lab's table (seconds for N sectors) =="
	echo "lab = published times (seed 000, time(1) of whole runs); ours = the guest's own time for the phase, median of $RUNS"
	printf '%-10s %9s %8s | %9s %9s %9s %9s %9s | %9s | %9s %9s %9s\n' sectors "lab emul" "lab PV" \
		lab-patt outsw multi pv-sector pv-ring host-wb "emul gain" "PV gain" "ring/host"
	while IFS=, read -r n le lp; do
		case $n in [0-9]*) ;; *) continue ;; esac
		local v=()
		for s in $DB_ALL; do
			v+=("$(get disk "vmm-$s-write-writeback" "$n" s)")
		done
		local host
		host=$(get disk host-writeback "$n" s)
		printf '%-10s %9s %8s | %9s %9s %9s %9s %9s | %9s | %9s %9s %9s\n' "$n" "$le" "$lp" \
			"$(fmt "${v[0]}")" "$(fmt "${v[1]}")" "$(fmt "${v[2]}")" "$(fmt "${v[3]}")" "$(fmt "${v[4]}")" \
			"$(fmt "$host")" "$(fmt "$(ratio "$le" "${v[0]}")" %.3gx)" \
			"$(fmt "$(ratio "$lp" "${v[3]}")" %.3gx)" "$(fmt "$(ratio "$host" "${v[4]}")" %.2f)"
	done < "$LAB"
	echo "emul gain = lab emulated / our lab pattern; PV gain = lab PV / our PV sector call; ring/host = host time / PV ring time (1.0 = the host's own speed)"
	echo
	echo "== Disk: exits per sector written (--stats minus an n=0 run); reads: seconds (exits per sector) =="
	printf '%-10s' sectors
	for s in $DB_STRATEGIES; do printf ' %11s' "$s-w"; done
	for s in $DB_STRATEGIES; do printf ' %16s' "$s-r"; done
	echo
	for n in $DISK_SIZES; do
		printf '%-10s' "$n"
		for s in $DB_STRATEGIES; do printf ' %11s' "$(fmt "$(get disk "vmm-$s-write-writeback" "$n" s exits)")"; done
		for s in $DB_STRATEGIES; do printf " %16s" "$(fmt "$(get disk "vmm-$s-read-writeback" "$n" s)")($(fmt "$(get disk "vmm-$s-read-writeback" "$n" s exits)" %.2g))"; done
		echo
	done
	echo
	echo "== Disk: cache modes, PV ring write of $CACHE_SIZE sectors (s), host pwrite of the same bytes =="
	for s in writeback writethrough none unsafe; do
		local g h
		g=$(get disk "vmm-pvring-write-$s" "$CACHE_SIZE" s)
		h=$(get disk "host-$s" "$CACHE_SIZE" s)
		printf '%-13s vmm %9s  host %9s  host/vmm %s\n' "$s" "$(fmt "$g")" "$(fmt "$h")" "$(fmt "$(ratio "$h" "$g")" %.2f)"
	done
	if have_qemu; then
		echo
		echo "== Disk: vmm vs QEMU, same guest binary, guest's own time (s) =="
		for s in $DB_EMULATED; do
			for n in $DISK_SIZES; do
				[ "$n" -le "$QEMU_DISK_MAX" ] || break
				local a q
				a=$(get disk "vmm-$s-write-writeback" "$n" s)
				q=$(get disk "qemu-$s-write-writeback" "$n" s)
				printf '%-6s %8s sectors: vmm %9s  QEMU %9s  QEMU/vmm %s\n' "$s" "$n" "$(fmt "$a")" "$(fmt "$q")" \
					"$(fmt "$(ratio "$q" "$a")" %.3gx)"
			done
		done
	fi
}

last_size() {
	echo "${DISK_SIZES##* }"
}

print_tables() {
	echo "KVM: $BENCH_KVM (every figure below measured there, side by side)"
	echo
	echo "== Per-exit cost (guest rdtsc, net of the loop; TSC $(fmt "$TSC_KHZ" %.0f) kHz) =="
	printf '%-10s %12s %14s %12s   %s\n' exit "us/exit" "(min-max)" "exits/op" "QEMU us/exit"
	local p
	for p in $EXIT_PHASES; do
		printf '%-10s %12s %14s %12s   %s\n' "$p" "$(fmt "$(get exits "$p" "$EXIT_N" us_per_exit)")" \
			"$(fmt "$(get exits "$p" "$EXIT_N" us_per_exit min)")-$(fmt "$(get exits "$p" "$EXIT_N" us_per_exit max)")" \
			"$(fmt "$(get exits "$p" "$EXIT_N" us_per_exit exits)")" \
			"$(fmt "$(get exits "qemu-$p" "$EXIT_N" us_per_exit)")"
	done
	print_disk_tables
	echo
	echo "== Screen: $SCREEN_FRAMES full 80x25 frames (guest's own time) =="
	printf '%-10s %10s %14s %12s %14s   %s\n' strategy "ms/frame" "us/cell (net)" "exits/frame" "exits/100 st" target
	local c
	for c in $SCREEN_CASES qemu-vga; do
		local e t=
		e=$(get screen "$c" "$SCREEN_FRAMES" ms_per_frame exits)
		case $c in
		ram) t="0 exits/frame: $(verdict "$e" "==" 0)" ;;
		coalesced) t="<= 1 exit/100 stores: $(verdict "$(calc "$e / 20")" "<=" 1)" ;;
		pvframe) t="1 exit/frame: $(verdict "$e" "==" 1)" ;;
		esac
		printf '%-10s %10s %14s %12s %14s   %s\n' "$c" "$(fmt "$(get screen "$c" "$SCREEN_FRAMES" ms_per_frame)")" \
			"$(fmt "$(get screen "$c" "$SCREEN_FRAMES" us_per_cell_net)")" "$(fmt "$e")" \
			"$(fmt "$(calc "$e / 20")")" "$t"
	done
	echo
	echo "== Start-up: empty guest, ms from process start (median of $START_RUNS; min-max) =="
	for c in vmm-first-instruction vmm-first-exit vmm-exit qemu-microvm-exit qemu-pc-exit; do
		printf '%-24s %9s  (%s-%s)\n' "$c" "$(fmt "$(get startup "$c" 1 ms)")" \
			"$(fmt "$(get startup "$c" 1 ms min)")" "$(fmt "$(get startup "$c" 1 ms max)")"
	done
	printf '%-24s %9s\n' "QEMU microvm / vmm" "$(fmt "$(ratio "$(get startup qemu-microvm-exit 1 ms)" "$(get startup vmm-exit 1 ms)")" %.3gx)"
	printf '%-24s %9s MiB (16 MiB guest)  %s MiB (512 MiB guest)  QEMU microvm %s MiB\n' "vmm peak RSS" \
		"$(fmt "$(get startup vmm-maxrss 16 maxrss)")" "$(fmt "$(get startup vmm-maxrss 512 maxrss)")" \
		"$(fmt "$(get startup qemu-microvm-maxrss 128 maxrss)")"
	echo
	echo "== Terminal UI against a pty (steady state, 60 Hz guest load) =="
	for c in $UI_CASES; do
		local b cp
		b=$(get ui "$c" 60 bytes_per_s)
		cp=$(get ui "$c" 60 cpu_pct)
		if [ -z "$b" ]; then
			printf '%-6s %s\n' "$c" "$(get ui "$c" 60 bytes_per_s note)"
		else
			printf '%-6s %10s B/s %8s %% of a core\n' "$c" "$(fmt "$b" %.0f)" "$(fmt "$cp" %.2f)"
		fi
	done
	print_firmware_table
	print_snapshot_table
	print_keys_table
	print_targets
}

print_targets() {
	echo
	echo "== Targets (issue 6) =="
	local v
	v=$(get disk vmm-lab-write-writeback 10000 s exits)
	printf '%-58s %-12s %s\n' "ATA lab pattern <= 3 exits/sector (10,000)" "$(fmt "$v")" "$(verdict "$v" "<=" 3)"
	v=$(ratio "$(get disk qemu-lab-write-writeback 10000 s)" "$(get disk vmm-lab-write-writeback 10000 s)")
	printf '%-58s %-12s %s\n' "ATA lab pattern >= 10x faster than QEMU (10,000)" "$(fmt "$v" %.3gx)" "$(verdict "$v" ">=" 10)"
	v=$(get disk vmm-multi-read-writeback "$(last_size)" s exits)
	printf '%-58s %-12s %s\n' "ATA multi-sector reads <= 1.1 exits/sector" "$(fmt "$v")" "$(verdict "$v" "<=" 1.1)"
	v=$(get disk vmm-pvsector-write-writeback "$(last_size)" s exits)
	printf '%-58s %-12s %s\n' "PV sector call = 1 exit/sector" "$(fmt "$v")" "$(verdict "$v" "==" 1)"
	v=$(get disk vmm-pvring-write-writeback "$(last_size)" s exits)
	printf '%-58s %-12s %s\n' "PV ring <= 1 exit per 64 sectors" "$(fmt "$v")" "$(verdict "$v" "<=" 0.015625)"
	v=$(ratio "$(get disk host-writeback 1000000 s)" "$(get disk vmm-pvring-write-writeback 1000000 s)")
	printf '%-58s %-12s %s\n' "PV ring >= 70% of host write throughput (1,000,000)" "$(fmt "$v" %.2f)" "$(verdict "$v" ">=" 0.7)"
	v=$(get screen ram "$SCREEN_FRAMES" ms_per_frame exits)
	printf '%-58s %-12s %s\n' "screen ram: 0 exits/frame" "$(fmt "$v")" "$(verdict "$v" "==" 0)"
	v=$(calc "$(get screen coalesced "$SCREEN_FRAMES" ms_per_frame exits) / 20")
	printf '%-58s %-12s %s\n' "screen coalesced: <= 1 exit/100 stores" "$(fmt "$v")" "$(verdict "$v" "<=" 1)"
	v=$(get screen pvframe "$SCREEN_FRAMES" ms_per_frame exits)
	printf '%-58s %-12s %s\n' "screen PV frame: 1 exit/frame" "$(fmt "$v")" "$(verdict "$v" "==" 1)"
	v=$(get startup vmm-first-instruction 1 ms)
	printf '%-58s %-12s %s\n' "start-up to first instruction < 20 ms" "$(fmt "$v") ms" "$(verdict "$v" "<" 20)"
	v=$(ratio "$(get startup qemu-microvm-exit 1 ms)" "$(get startup vmm-exit 1 ms)")
	printf '%-58s %-12s %s\n' "start-up to exit >= 2x faster than QEMU microvm" "$(fmt "$v" %.3gx)" "$(verdict "$v" ">=" 2)"
	v=$(get startup vmm-maxrss 16 maxrss)
	printf '%-58s %-12s %s\n' "VMM memory beyond guest RAM < 8 MiB (bound: whole RSS)" "$(fmt "$v") MiB" "$(verdict "$v" "<" 8)"
	v=$(get ui idle 60 bytes_per_s)
	printf '%-58s %-12s %s\n' "UI idle: 0 bytes/s" "$(fmt "$v")" "$(verdict "$v" "==" 0)"
	v=$(get ui full 60 cpu_pct)
	printf '%-58s %-12s %s\n' "UI full-screen change at 60 Hz < 10% of a core" "$(fmt "$v")" "$(verdict "$v" "<" 10)"
}

make_plots() {
	if ! command -v gnuplot > /dev/null; then
		say "  gnuplot not installed: no plots"
		return
	fi
	local s d=$WORK/plot
	mkdir -p "$d"
	# one data file per series: sectors seconds
	for s in $DB_STRATEGIES; do
		awk -F, -v c="vmm-$s-write-writeback" '$2 == c && $7 != "" { print $3, $7, $8, $9 }' "$CSV" > "$d/$s.dat"
		awk -F, -v c="vmm-$s-read-writeback" '$2 == c && $7 != "" { print $3, $7, $8, $9 }' "$CSV" > "$d/$s-read.dat"
		awk -F, -v c="qemu-$s-write-writeback" '$2 == c && $7 != "" { print $3, $7, $8, $9 }' "$CSV" > "$d/qemu-$s.dat"
	done
	awk -F, '$2 == "host-writeback" && $7 != "" { print $3, $7, $8, $9 }' "$CSV" > "$d/host.dat"
	awk -F, 'NR > 1 && $1 ~ /^[0-9]/ { print $1, $2, $3 }' "$LAB" > "$d/lab.dat"
	local sp= f
	sp+="'$d/lab.dat' using 1:2 with linespoints pt 7 ps 1.5 lw 2 dt 2 lc rgb 'black' title 'lab: emulated (published)', "
	sp+="'$d/lab.dat' using 1:3 with linespoints pt 5 ps 1.5 lw 2 dt 2 lc rgb 'gray40' title 'lab: PV (published)'"
	for s in $DB_STRATEGIES; do
		[ -s "$d/$s.dat" ] && sp+=", '$d/$s.dat' using 1:2:3:4 with yerrorlines lw 2 title 'vmm: $s write'"
		[ -s "$d/$s-read.dat" ] && sp+=", '$d/$s-read.dat' using 1:2 with lines dt 3 title 'vmm: $s read'"
		[ -s "$d/qemu-$s.dat" ] && sp+=", '$d/qemu-$s.dat' using 1:2 with linespoints dt 4 title 'QEMU: $s write'"
	done
	[ -s "$d/host.dat" ] && sp+=", '$d/host.dat' using 1:2 with linespoints lw 2 lc rgb 'dark-green' title 'host pwrite (limit)'"
	gnuplot <<-GP 2> "$WORK/gnuplot-disk.err" || say "  gnuplot (disk) failed: $(head -3 "$WORK/gnuplot-disk.err")"
		set terminal pngcairo size 1100,750 noenhanced
		set output '$OUT/disk.png'
		set title 'Disk: time to write N sectors (log-log; lab points dashed; error bars = min-max)'
		set logscale xy
		set xlabel 'sectors'
		set ylabel 'seconds'
		set format x '10^%T'
		set format y '%g'
		set key outside right top
		set grid
		set xrange [50:10000000]
		plot $sp
	GP
	awk -F, -v n="$SCREEN_FRAMES" '$1 == "screen" && $4 == "ms_per_frame" && $7 != "" {
		printf "%d \"%s\" %s %s %s %s\n", NR, $2, $7, $8, $9, ($10 == "" ? "?" : $10) }' "$CSV" > "$d/screen.dat"
	[ -s "$d/screen.dat" ] || return 0
	gnuplot <<-GP 2> "$WORK/gnuplot-screen.err" || say "  gnuplot (screen) failed: $(head -3 "$WORK/gnuplot-screen.err")"
		set terminal pngcairo size 900,550 noenhanced
		set output '$OUT/screen.png'
		set title 'Screen: guest time per full 80x25 frame (bar: median; error: min-max; label: exits per frame)'
		set style fill solid 0.6
		set boxwidth 0.6
		set ylabel 'ms per frame'
		set yrange [0:*]
		set grid y
		unset key
		plot '$d/screen.dat' using 0:3:xtic(2) with boxes, \
		     '' using 0:3:4:5 with yerrorbars lc rgb 'black' pt 0, \
		     '' using 0:(\$5):(stringcolumn(6) eq '?' ? 'exits n/a' : sprintf('%s exits', stringcolumn(6))) with labels offset 0,1
	GP
}
