#!/usr/bin/env bash
# Colours a guest chose: guest/palette reprograms the DAC and an attribute
# palette register; --dump ansi and --record must carry its colours as
# 24-bit SGR, and the standard 16 once it puts the BIOS colours back.
source "$(dirname "$0")/../lib.sh"
require_kvm

mkcfg "$TMP/p.cfg" palette "serial = { output = \"$TMP/p.serial\"; };"
run_vmm "$TMP/p" -c "$TMP/p.cfg" --headless --dump ansi --record "$TMP/p.cast"
check palette-guest-checks "status $STATUS: $(grep -m1 FAIL "$TMP/p.serial")" \
	grep -q '^palette: 0 failed' "$TMP/p.serial"

# title: colour 15 (pale yellow now) on colour 1 (orange); colour 2 shows
# DAC entry 0x2a (purple); colour 4 was left alone
e=$'\e'
bad=
grep -qF "${e}[0;38;2;255;255;162;48;2;255;130;0m palette: colours the guest chose" \
	"$TMP/p.out" || bad+=" title"
grep -qF "${e}[0;38;2;255;130;0;48;2;0;0;0mcolour  1 " "$TMP/p.out" || bad+=" colour-1"
grep -qF "${e}[0;38;2;130;0;255;48;2;0;0;0mcolour  2 " "$TMP/p.out" || bad+=" colour-2"
grep -qF "${e}[0;38;2;170;0;0;48;2;0;0;0mcolour  4 " "$TMP/p.out" || bad+=" colour-4"
grep -qF "${e}[0;38;2;255;255;162;48;2;0;0;0mcolour 15 " "$TMP/p.out" || bad+=" colour-15"
expect_eq palette-dump-24bit "${bad# }" ""

run_vmm "$TMP/r" -c "$TMP/p.cfg" --headless --dump ansi --set cmdline=restore=1
if [ "$STATUS" -eq 0 ] && grep -qF "${e}[0;97;44m palette: colours" "$TMP/r.out" &&
   ! grep -qF '38;2;' "$TMP/r.out"; then
	pass palette-restored-default
else
	fail palette-restored-default "status $STATUS: $(head -1 "$TMP/r.out" | cat -v)"
fi

# the text is the same whatever the colours
run_vmm "$TMP/t" -c "$TMP/p.cfg" --headless --dump text
run_vmm "$TMP/tr" -c "$TMP/p.cfg" --headless --dump text --set cmdline=restore=1
check palette-text-unchanged "the text dumps differ" cmp -s "$TMP/t.out" "$TMP/tr.out"

out=$(python3 "$(dirname "$0")/castcheck.py" "$TMP/p.cast" "$TMP/t.out")
rc=$?
if [ $rc -eq 0 ] && grep -qF '\u001b[0;38;2;255;255;162;48;2;255;130;0m' "$TMP/p.cast"; then
	pass palette-record-24bit
else
	fail palette-record-24bit "castcheck: $out"
fi
