#!/usr/bin/env bash
# COM1's output path (guest/serout.c, test/integration/serialcheck.py):
# a reader that stops reading makes the UART busy, not vmm deaf (SIGTERM,
# --timeout and Ctrl-A x still end it, no byte is lost when reading
# resumes); a terminal gets escape sequences shown, not obeyed; the VGA
# dump never carries a control byte.
source "$(dirname "$0")/../lib.sh"
require_kvm

mkcfg "$TMP/so.cfg" serout
CHECK="$(dirname "$0")/serialcheck.py"

# sc MODE NAME ARGS...: serialcheck.py's report in $TMP/NAME.rep
sc() {
	local mode=$1 name=$2
	shift 2
	if skipping; then : > "$TMP/$name.rep"; : > "$TMP/$name.out"; : > "$TMP/$name.err"; return; fi
	python3 "$CHECK" "$mode" "$TMP/$name" "$@" > "$TMP/$name.rep" 2>&1
}
rep() { sed -n "s/^$2 //p" "$TMP/$1.rep"; }
# flood WORDS...: the command line of a flooding guest, in $FLOOD
flood() { FLOOD=("$VMM" -c "$TMP/so.cfg" --headless --set "cmdline=case=flood $*"); }

# Nobody reads stdout; the guest floods until the UART is busy; SIGTERM.
flood n=0
sc pipe term term "${FLOOD[@]}"
NOT_WRITTEN='^vmm: serial output: [0-9]* bytes not written: the reader stopped taking them$'
if [ "$(rep term status)" = 123 ] && [ "$(rep term seen)" = yes ] &&
	grep -q '^vmm: stopped by SIGTERM (' "$TMP/term.err" && grep -q "$NOT_WRITTEN" "$TMP/term.err"; then
	pass serial-sigterm-reader-stalled
else
	fail serial-sigterm-reader-stalled "$(cat "$TMP/term.rep"), stderr: $(grep -v '^ *$' "$TMP/term.err" | grep -v SEROUT | tail -3)"
fi

# The same with --timeout: the VM ends by itself, status 124.
sc pipe timeout wait "${FLOOD[@]}" --timeout 2
if [ "$(rep timeout status)" = 124 ] && grep -q '^vmm: timeout after 2 s$' "$TMP/timeout.err" &&
	grep -q "$NOT_WRITTEN" "$TMP/timeout.err"; then
	pass serial-timeout-reader-stalled
else
	fail serial-timeout-reader-stalled "$(cat "$TMP/timeout.rep"), stderr: $(tail -3 "$TMP/timeout.err")"
fi

# The reader stalls until the guest found the UART busy, then reads it all:
# every byte arrives, in order, and the guest saw THRE (and TEMT) clear.
# With irq=1 the guest sleeps until the THRE interrupt says there is room.
want() {
	python3 -c '
import sys
n = int(sys.argv[1])
sys.stdout.buffer.write(bytes(10 if i % 64 == 63 else 97 + (i // 64 + i) % 26 for i in range(n)))' "$1"
}
N=20000
want $N > "$TMP/want"
for irq in 0 1; do
	name=drain$irq
	flood n=$N irq=$irq
	sc pipe $name read "${FLOOD[@]}" --dump none
	summary=$(grep -a '^serout: ' "$TMP/$name.out" | tr -d '\r')
	head -c $N "$TMP/$name.out" > "$TMP/$name.data"
	[ $irq = 0 ] && t=serial-no-byte-lost || t=serial-no-byte-lost-irq
	sum=$(python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); h = 0
for b in d: h = (h * 31 + b) & 0xffffffff
print(sum(d), h)' "$TMP/want")
	if [ "$(rep $name status)" = 0 ] && [ "$(rep $name seen)" = yes ] &&
		cmp -s "$TMP/want" "$TMP/$name.data" &&
		[[ $summary == "serout: $N bytes, sum ${sum% *}, hash ${sum#* }, "* ]]; then
		pass $t
	else
		fail $t "$(tr '\n' ' ' < "$TMP/$name.rep") summary '$summary', $(cmp "$TMP/want" "$TMP/$name.data" 2>&1)"
	fi
	busy=$(sed -n 's/.* busy \([0-9]*\), spells \([0-9]*\), temt-while-busy \([0-9]*\), thre-irqs \([0-9]*\)$/\1 \2 \3 \4/p' <<< "$summary")
	read -r b s tw ti <<< "${busy:-0 0 0 0}"
	if [ $irq = 0 ]; then
		check serial-lsr-busy-when-full "busy polls/spells/TEMT-while-busy: $b/$s/$tw" \
			test "$b" -gt 0 -a "$s" -gt 0 -a "$tw" -eq 0
	else
		check serial-thre-irq-after-busy "spells $s, THRE interrupts $ti" \
			test "$s" -gt 0 -a "$ti" -ge "$s"
	fi
done

# The guest ends while nobody reads: vmm waits for the reader, however
# long, and says so; the reader then gets every byte, the separator line
# and the screen dump.
# A signal during that wait drops the rest at once.
N=6000
want $N > "$TMP/want"
flood n=$N
sc pipe late late-read "${FLOOD[@]}"
head -c $N "$TMP/late.out" > "$TMP/late.data"
if [ "$(rep late status)" = 0 ] && [ "$(rep late seen)" = yes ] &&
	cmp -s "$TMP/want" "$TMP/late.data" && grep -aq "^serout: $N bytes" "$TMP/late.out" &&
	[ "$(sed -n '/^serout: /,$p' "$TMP/late.out" | wc -l)" = 27 ] && ! grep -q "$NOT_WRITTEN" "$TMP/late.err"; then
	pass serial-exit-waits-for-reader
else
	fail serial-exit-waits-for-reader "$(tr '\n' ' ' < "$TMP/late.rep") $(cmp "$TMP/want" "$TMP/late.data" 2>&1), stderr: $(tail -2 "$TMP/late.err")"
fi
sc pipe lateint late-int "${FLOOD[@]}"
if [ "$(rep lateint status)" = 0 ] && [ "$(rep lateint seen)" = yes ] &&
	grep -q "$NOT_WRITTEN" "$TMP/lateint.err"; then
	pass serial-exit-wait-ends-on-signal
else
	fail serial-exit-wait-ends-on-signal "$(tr '\n' ' ' < "$TMP/lateint.rep") stderr: $(tail -2 "$TMP/lateint.err")"
fi

# The UI with a FIFO nobody reads as serial.output: Ctrl-A x still quits
# the UI at once; vmm then waits for the reader, who gets every byte.
mkcfg "$TMP/ui.cfg" serout 'cmdline = "case=flood n=0";' "serial = { output = \"$TMP/fifo\"; };"
sc ui-fifo uififo "$TMP/fifo" "$VMM" -c "$TMP/ui.cfg"
fifo_ok=$(python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
print(len(d) > 0 and d == bytes(10 if i % 64 == 63 else 97 + (i // 64 + i) % 26 for i in range(len(d))))' "$TMP/uififo.fifo" 2>&1)
if [ "$(rep uififo status)" = 0 ] && [ "$(rep uififo seen)" = "yes left" ] && [ "$fifo_ok" = True ]; then
	pass serial-ui-quit-reader-stalled
else
	fail serial-ui-quit-reader-stalled "$(tr '\n' ' ' < "$TMP/uififo.rep") FIFO data in order: $fifo_ok, stderr: $(tail -2 "$TMP/uififo.err")"
fi

# A terminal on stdout sees escape sequences, not their effects.
printf '%s\r\n' 'plain text' $'tab\there' $'bs x\bX' \
	$'sgr \e[1;31mred\e[0m \e[38;5;208morange\e[m \e[38:2::10:20:30mrgb\e[0m' \
	$'utf8 h\u00e9llo \u2713 \U0001F600' \
	'title ^[]0;pwned^G' 'osc52 ^[]52;c;cHduZWQ=^[\' 'altscreen ^[[?1049h' \
	'query ^[[6n ^[[21t ^[P$qm^[\' 'c1 M-^[6n M-BM-^[6n' 'bell ^G nul ^@ del ^?' \
	'bad M-@M-/ M-mM- M-^@ M-^?' > "$TMP/tty.want"
printf 'split M-bM-^\\' >> "$TMP/tty.want"
sc pty tty "$VMM" -c "$TMP/so.cfg" --headless --dump none --set cmdline=case=escapes
if [ "$(rep tty status)" = 0 ] && cmp -s "$TMP/tty.want" "$TMP/tty.out"; then
	pass serial-tty-escaped
else
	fail serial-tty-escaped "$(cat "$TMP/tty.rep"): $(cmp "$TMP/tty.want" "$TMP/tty.out" 2>&1); got $(od -c "$TMP/tty.out" | head -20)"
fi

# serial.raw = true, a file and a pipe: the guest's bytes as they are.
printf '%b' 'plain text\r\ntab\there\r\nbs x\bX\r\n' \
	'sgr \e[1;31mred\e[0m \e[38;5;208morange\e[m \e[38:2::10:20:30mrgb\e[0m\r\n' \
	'utf8 h\0303\0251llo \0342\0234\0223 \0360\0237\0230\0200\r\n' \
	'title \e]0;pwned\a\r\nosc52 \e]52;c;cHduZWQ=\e\\\r\naltscreen \e[?1049h\r\n' \
	'query \e[6n \e[21t \eP$qm\e\\\r\nc1 \0233''6n \0302\0233''6n\r\n' \
	'bell \a nul \0000 del \0177\r\nbad \0300\0257 \0355\0240\0200 \0377\r\n' \
	'split \0342\0234' > "$TMP/raw.want"
sc pty rawtty "$VMM" -c "$TMP/so.cfg" --headless --dump none --set cmdline=case=escapes --set serial.raw=true
if [ "$(rep rawtty status)" = 0 ] && cmp -s "$TMP/raw.want" "$TMP/rawtty.out"; then
	pass serial-tty-raw-option
else
	fail serial-tty-raw-option "$(cat "$TMP/rawtty.rep"): $(cmp "$TMP/raw.want" "$TMP/rawtty.out" 2>&1)"
fi
run_vmm "$TMP/rawfile" -c "$TMP/so.cfg" --headless --dump none --set cmdline=case=escapes
check serial-file-raw "status $STATUS, $(cmp "$TMP/raw.want" "$TMP/rawfile.out" 2>&1)" \
	cmp -s "$TMP/raw.want" "$TMP/rawfile.out"
if ! skipping; then
	timeout -k 5 120 "$VMM" -c "$TMP/so.cfg" --headless --dump none --set cmdline=case=escapes \
		< /dev/null 2> "$TMP/rawpipe.err" | cat > "$TMP/rawpipe.out"
fi
check serial-pipe-raw "$(cmp "$TMP/raw.want" "$TMP/rawpipe.out" 2>&1)" \
	cmp -s "$TMP/raw.want" "$TMP/rawpipe.out"

# Every byte 0-255 in VGA text memory reaches the dump as a printable
# character: CP437's glyph, never the control byte itself.
for fmt in text ansi; do
	run_vmm "$TMP/vga-$fmt" -c "$TMP/so.cfg" --headless --dump $fmt --set cmdline=case=vgabytes
	why=$(python3 - "$TMP/vga-$fmt.out" $fmt <<'EOF'
import re, sys, unicodedata
raw = open(sys.argv[1], "rb").read()
try:
    text = raw.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit("not UTF-8: %s" % e)
if sys.argv[2] == "ansi":
    text = re.sub("\x1b\\[[0-9;]*m", "", text)
bad = sorted({hex(ord(c)) for c in text if c != "\n" and unicodedata.category(c) == "Cc"})
lines = text.split("\n")
# row 0 holds 0-79, row 1 80-159, row 2 160-239, row 3 240-255
cells = "".join(l.ljust(80)[:80] for l in lines[:3]) + lines[3][:16]
want = {0x07: "\u2022", 0x1b: "\u2190", 0x7f: "\u2302", 0x9b: "\u00a2", 0xff: "\u00a0"}
wrong = ["%#x=%r" % (b, cells[b]) for b, g in want.items() if cells[b] != g]
if bad or wrong or len(lines) != 26:
    sys.exit("control characters %s, wrong glyphs %s, %d lines" % (bad, wrong, len(lines)))
EOF
	)
	check serial-vga-bytes-printable-$fmt "status $STATUS: $why" test "$STATUS" = 0 -a -z "$why"
done
