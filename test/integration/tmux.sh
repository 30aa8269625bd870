#!/usr/bin/env bash
# The terminal UI in a real terminal emulator (tmux): text, colours,
# cursor, status line, help, Ctrl-A x quitting with status 0 and the
# terminal restored, --record from the UI; the layout at 120x40, 80x26,
# 80x25, 80x24 and smaller (centred, status line giving way, a window
# that follows the cursor and says what it hides, scrolling, resizes);
# a guest that ends keeps its screen until a key; the serial console
# view; terminal types the UI cannot drive.
source "$(dirname "$0")/../lib.sh"
require_kvm
command -v tmux > /dev/null || skipping || SKIP_WHY="tmux is not installed"
export LANG=C.UTF-8	# ${line:0:n} counts characters, as the terminal does

source "$ROOT/test/tmux_lib.sh"

mkcfg "$TMP/demo.cfg" demo 'display = "tui";' 'vga = { blink = false; };' \
	'serial = { output = "none"; };'
start 80 26 "'$VMM' -c demo.cfg --record ui.cast"

# the demo's loop has run once the frame counter shows: the screen is whole
if wait_for 60 screen_has "vmm demo - VGA text mode, driver emulated" &&
   wait_for 60 screen_has "frame " && screen_has "guest> "; then
	pass tmux-text
else
	fail tmux-text "no title after 20 s: $(pane | head -3)"
fi

# Colours: title yellow (93) on blue (44); the bg=8 row of the colour table
# dark grey background (100); CP437 box drawing as Unicode.
esc=$(tm capture-pane -t t -p -e)
title=$(printf '%s\n' "$esc" | sed -n 1p)
grey=$(printf '%s\n' "$esc" | grep -F '80' | head -1)
if printf '%s' "$title" | grep -qP '\e\[([0-9;]*;)?93(;[0-9;]*)?m' &&
   printf '%s' "$title" | grep -qP '\e\[([0-9;]*;)?44(;[0-9;]*)?m' &&
   printf '%s' "$grey" | grep -qP '\e\[([0-9;]*;)?100(;[0-9;]*)?m' &&
   screen_has "╔═ CP437 ═"; then
	pass tmux-colors
else
	fail tmux-colors "title: $(printf '%q' "$title" | head -c 200)"
fi

# the demo puts the cursor at its prompt, column 7 of row 23
at_prompt() { cursor_is "7 23 1"; }
where() { echo "cursor at $(cursor)"; }
await tmux-cursor 60 at_prompt where

# typed keys reach the guest (its keyboard) and it echoes them at the prompt
tm send-keys -t t 'hi there'
check tmux-keys "prompt row: '$(row 23)'" wait_for 30 screen_has "guest> hi there"

status=$(row 25)
if [[ $status == " test|vga emu/coal|disk none|ex/s "*"|fps "[0-9]*"^A x quit ^A h help" ]]; then
	pass tmux-status
else
	fail tmux-status "status line: '$status'"
fi

tm send-keys -t t C-a h
if wait_for 30 screen_has "Ctrl-A x        quit" && tm send-keys -t t q &&
   wait_for 30 screen_lacks "Ctrl-A x        quit"; then
	pass tmux-help
else
	fail tmux-help "help overlay did not open and close"
fi

tm send-keys -t t C-a x
exited_0() { exited_with 0; }
exited_7() { exited_with 7; }
exited_120() { exited_with 120; }
await tmux-quit 0 exited_0 status_of
# back on the normal screen, cursor visible, cooked mode with echo
wait_for 30 test -s "$TMP/stty"
alt=$(tm display -p -t t '#{alternate_on} #{cursor_flag}')
if [ "$alt" == "0 1" ] && grep -qw icanon "$TMP/stty" && grep -qw echo "$TMP/stty" &&
   screen_lacks "vmm demo"; then
	pass tmux-restored
else
	fail tmux-restored "alternate/cursor '$alt', stty: $(grep -o -- '-\?icanon\|-\?echo ' "$TMP/stty" | tr '\n' ' ')"
fi

out=$(python3 "$(dirname "$0")/castcheck.py" "$TMP/ui.cast")
check tmux-record "castcheck: $out" [ $? -eq 0 ]

# ---- Layout: a still screen (the demo with idle=1) through resizes. ----
start 80 26 "'$VMM' -c demo.cfg --set cmdline=idle=1"
wait_for 60 screen_has "guest>"
wait_for 30 cursor_is "7 23 1"
mapfile -t ref < <(pane | head -25)
# expect_rows FIRST N SHIFT-ROWS SHIFT-COLS: terminal rows FIRST.. show guest rows
# FIRST-SHIFT-ROWS.., indented by SHIFT-COLS; prints the first difference
expect_rows() {
	local got i pad
	printf -v pad '%*s' "$4" ''
	mapfile -t got < <(pane)
	for ((i = $1; i < $1 + $2; i++)); do
		local want=${ref[i - $3]}
		[ -n "$want" ] && want=$pad$want
		if [ "${got[i]}" != "$want" ]; then
			echo "row $i: '${got[i]}', expected '$want'"
			return 1
		fi
	done
}
# tag_row ROW WANT: the guest's row, cut at 80 - (length of WANT), then WANT
tag_row() {
	local n=$((80 - ${#2})) line=${ref[$1]}
	line=${line:0:n}
	while [ ${#line} -lt $n ]; do line+=" "; done
	echo "$line${2% }"
}
blank_rows() { [ -z "$(pane | sed -n "$(($1 + 1)),$(($1 + $2))p" | tr -d ' \n')" ]; }
if [ ${#ref[@]} == 25 ] && [[ ${ref[0]} == *"vmm demo - VGA"* ]] && [ "${ref[23]}" == "guest>" ]; then
	pass tmux-still-screen
else
	fail tmux-still-screen "$(pane | head -3)"
fi

# 120x40: the screen and its status line in the middle, as QEMU centres it
tm resize-window -t t -x 120 -y 40
centred() { cursor_is "27 30 1" && expect_rows 7 25 7 20 > /dev/null; }
if wait_for 30 centred && blank_rows 0 7 && blank_rows 33 7 &&
   [[ $(row 32) == "                     test|vga emu/coal|"*"^A x quit ^A h help" ]]; then
	pass tmux-120x40
else
	fail tmux-120x40 "cursor $(cursor); $(expect_rows 7 25 7 20); status '$(row 32)'"
fi

# 80x25: the whole screen, the status line gives way
tm resize-window -t t -x 80 -y 25
whole() { cursor_is "7 23 1" && expect_rows 0 25 0 0 > /dev/null; }
why_whole() { echo "cursor $(cursor); $(expect_rows 0 25 0 0)"; }
await tmux-80x25 60 whole why_whole

# 80x24: row 25 is hidden and the tag says so; the cursor's row shows
tm resize-window -t t -x 80 -y 24
tag1=$(tag_row 0 " ▼ row 25 ")
hides_25() { cursor_is "7 23 1" && [ "$(row 0)" == "$tag1" ] && expect_rows 1 23 0 0 > /dev/null; }
why_25() { echo "cursor $(cursor); row 0 '$(row 0)'; $(expect_rows 1 23 0 0)"; }
await tmux-80x24 60 hides_25 why_25

# Ctrl-A Down shows row 25 (and hides row 1); a typed key goes back
tm send-keys -t t C-a Down
tag2=$(tag_row 1 " ▲ row 1 ")
hides_1() { cursor_is "7 22 1" && [ "$(row 0)" == "$tag2" ] && expect_rows 1 23 -1 0 > /dev/null; }
why_1() { echo "cursor $(cursor); row 0 '$(row 0)'; $(expect_rows 1 23 -1 0)"; }
await tmux-80x24-scroll 60 hides_1 why_1
tm send-keys -t t z
await tmux-80x24-key-returns 60 hides_25 why_25

# fewer columns: the window follows the cursor's column too
tm resize-window -t t -x 60 -y 20
narrow() { cursor_is "7 19 1" && [[ $(row 0) == *" ▲ rows 1-4 ▼ row 25 ▶ cols 61-80" ]]; }
why_row0() { echo "cursor $(cursor); row 0 '$(row 0)'"; }
await tmux-60x20 60 narrow why_row0

tm resize-window -t t -x 30 -y 8
says_small() { screen_has "vmm needs a terminal of at"; }
top3() { pane | head -3 | tr '\n' '|'; }
await tmux-small 60 says_small top3
tm resize-window -t t -x 80 -y 26
regrown() { expect_rows 0 25 0 0 > /dev/null && [[ $(row 25) == *"^A x quit ^A h help" ]]; }
why_regrow() { expect_rows 0 25 0 0; echo "status '$(row 25)'"; }
await tmux-regrow 60 regrown why_regrow
tm send-keys -t t C-a x
exited_0

# ---- 80x24 with a guest whose cursor reaches the last row: the shell ----
mkcfg "$TMP/shell.cfg" shell 'display = "tui";'
start 80 24 "'$VMM' -c shell.cfg"
wait_for 60 screen_has "shell>"
tm send-keys -t t 'help' Enter 'help' Enter 'help' Enter
at_bottom() { cursor_is "7 23 1" && [ "$(row 23)" == "shell>" ] &&
	[[ $(row 0) == *" ▲ row 1" ]]; }
why_rows() { echo "cursor $(cursor); rows 0, 23: '$(row 0)' '$(row 23)'"; }
await tmux-80x24-follows 60 at_bottom why_rows
tm send-keys -t t C-a Up
hidden_cursor() { [ "$(cursor | cut -d' ' -f3)" == 0 ] && [[ $(row 0) == *" ▼ row 25" ]]; }
await tmux-80x24-scroll-up 60 hidden_cursor why_row0
tm send-keys -t t e
typed() { cursor_is "8 23 1" && [ "$(row 23)" == "shell> e" ]; }
await tmux-80x24-typing-shows 60 typed why_rows
# Ctrl-A and an unbound key: said over the screen (no status line here),
# and the key does not reach the guest
tm send-keys -t t C-a z
not_cmd() { screen_has "Ctrl-A z: not a command (Ctrl-A h for help)" && [ "$(row 23)" == "shell> e" ]; }
await tmux-80x24-not-a-command 60 not_cmd why_rows
# the help fits 80x24 whole: every line inside its box
tm send-keys -t t C-a h
help_fits() { screen_has "Ctrl-A m        migrate to vmm --incoming unix:NAME.sock there │" &&
	screen_has "┌" && screen_has "└"; }
await tmux-80x24-help-fits 60 help_fits why_pane
tm send-keys -t t q
wait_for 30 screen_lacks "vmm keys"
# Ctrl-A w says it saved, here too
tm send-keys -t t C-a w
said_saved() { screen_has "saved test-1.snap (" && [ -s "$TMP/test-1.snap" ]; }
await tmux-80x24-snapshot-said 60 said_saved why_rows
tm send-keys -t t C-a x
exited_0

# ---- A guest in a VGA graphics mode, at 80x24: said until text mode is back ----
mkcfg "$TMP/gfx.cfg" vgamode 'display = "tui";' 'cmdline = "hold=1";' 'serial = { output = "none"; };'
start 80 24 "'$VMM' -c gfx.cfg"
in_gfx() { screen_has "VGA graphics mode 320x200, 256 colours: not shown"; }
await tmux-graphics-mode-said 60 in_gfx why_pane
tm send-keys -t t a
back_text() { screen_has "vgamode: back in text mode" && ! in_gfx; }
await tmux-graphics-mode-ends 60 back_text why_pane
tm send-keys -t t C-a x
exited_0

# ---- A guest that ends: its last screen stays until a key ----
mkcfg "$TMP/hello.cfg" hello 'display = "tui";' 'cmdline = "exit=7";'
start 80 26 "'$VMM' -c hello.cfg"
kept() { [ "$(row 0)" == "Hello from a Multiboot guest!" ] &&
	[[ $(row 25) == " guest exited with status 7: press a key to close "* ]]; }
why_kept() { echo "rows 0, 25: '$(row 0)' '$(row 25)'"; }
await tmux-exit-kept 60 kept why_kept
tm send-keys -t t q
await tmux-exit-key-closes 0 exited_7 status_of

start 80 26 "'$VMM' -c hello.cfg --exit-on-halt"
await tmux-exit-on-halt 0 exited_7 status_of

mkcfg "$TMP/core.cfg" core-test 'display = "tui";' 'cmdline = "case=boot marker=xyzzy";'
# a crash report on stderr went over the UI: the kept screen is repainted clean
start 80 26 "'$VMM' -c core.cfg --set cmdline=case=triple"
crash_kept() { [ "$(row 0)" == "core-test triple" ] && blank_rows 1 24 &&
	[[ $(row 25) == " guest crashed: press a key to close (guest triple fault"* ]]; }
why_crash() { echo "rows: $(top3) status '$(row 25)'"; }
await tmux-crash-kept 60 crash_kept why_crash
tm send-keys -t t q
await tmux-crash-key-closes 0 exited_120 status_of

# ---- The serial console (Ctrl-A c): core-test writes its results on COM1 only ----
start 80 24 "'$VMM' -c core.cfg"
wait_for 60 screen_has "guest exited with status 0"
tm send-keys -t t C-a c
console() { screen_has "ok cpuid-signature" && screen_has "mem_upper=" &&
	[[ $(row 23) == " COM1|guest exited with status 0"* ]]; }
why_console() { echo "rows: $(top3) status '$(row 23)'"; }
await tmux-console 60 console why_console
tm send-keys -t t C-a c
# the status line has a row (the guest ended), so at 80x24 two rows hide
screen_again() { screen_lacks "ok cpuid-signature" &&
	[[ $(row 0) == "core-test boot "*" ▼ rows 24-25" ]]; }
await tmux-console-back 60 screen_again top3
tm send-keys -t t C-a x
await tmux-exit-ctrl-a-x-closes 0 exited_0 status_of

# ---- Terminals the UI cannot drive: status 2 and what to do ----
for t in no-such-term dumb; do
	start 80 26 "env TERM=$t '$VMM' -c hello.cfg 2> err.$t"
	exited_with 2
	echo "$(cat "$TMP/exit" 2> /dev/null) $(cat "$TMP/err.$t" 2> /dev/null)" > "$TMP/term.$t"
done
expect_eq tmux-unknown-term "$(cat "$TMP/term.no-such-term" 2> /dev/null)" \
	"2 vmm: terminal type 'no-such-term' is not in the terminfo database: run with TERM=xterm-256color (or install its entry), or use --headless"
expect_eq tmux-dumb-term "$(cat "$TMP/term.dumb" 2> /dev/null)" \
	"2 vmm: terminal type 'dumb' cannot move the cursor: run with TERM=xterm-256color, or use --headless"

# A crash of the VMM (SIGSEGV) still gives the terminal back.
start 80 26 "'$VMM' -c demo.cfg --set cmdline=idle=1"
wait_for 60 screen_has "vmm demo - VGA text mode"
vmm_pid=$(pgrep -P "$(tm display -p -t t '#{pane_pid}')" -x vmm)
[ -n "$vmm_pid" ] && kill -SEGV "$vmm_pid"
if wait_for 30 test -s "$TMP/stty"; then
	alt=$(tm display -p -t t '#{alternate_on} #{cursor_flag}')
	if [ "$(cat "$TMP/exit")" == 139 ] && [ "$alt" == "0 1" ] && grep -qw icanon "$TMP/stty"; then
		pass tmux-crash-restored
	else
		fail tmux-crash-restored "status $(cat "$TMP/exit"), alternate/cursor '$alt'"
	fi
else
	fail tmux-crash-restored "vmm (pid ${vmm_pid:-none}) did not die from SIGSEGV"
fi

# Colours the guest chose (guest/palette: colour 1 orange, 15 pale yellow):
# exact with COLORTERM=truecolor, the nearest of 256 without it, the nearest
# of the standard 16 with VMM_COLORS=16 (yellow on brown), and the terminal's own 16 once the
# guest restores the BIOS palette.  The title is colour 15 on colour 1.
mkcfg "$TMP/pal.cfg" palette 'display = "tui";' 'cmdline = "hold=1";' \
	'serial = { output = "none"; };'
# The guest draws, then reprograms the DAC (then, for "default", restores
# it): the title's colours change after its text shows, so wait for them.
title() { tm capture-pane -t t -p -e | sed -n 1p; }
title_is() { title | grep -qP "^\e\[[0-9;]*$1 palette: colours"; }
for c in "truecolor|COLORTERM=truecolor||38;2;255;255;162m.*48;2;255;130;0m" \
	 "256|COLORTERM=||38;5;229m.*48;5;208m" \
	 "16|VMM_COLORS=16 COLORTERM=truecolor||93m.*43m" \
	 "default|COLORTERM=truecolor|--set 'cmdline=hold=1 restore=1'|97m.*44m"; do
	IFS='|' read -r name env args want <<< "$c"
	start 80 26 "$env '$VMM' -c pal.cfg $args"
	if wait_for 60 title_is "$want"; then
		pass "tmux-palette-$name"
	else
		fail "tmux-palette-$name" "title: $(title | od -c | head -4 | tr -s ' ' | tr '\n' ' ')"
	fi
done

# A firmware boot in the UI: SeaBIOS's banner, then the boot sector's own
# screen with its colours (white and yellow on blue, written into VGA
# memory) and the hardware cursor after its prompt; the key typed is its
# exit code, and the last screen stays with the status until a key.
# The boot menu's 2.5 s wait keeps the banner up: where SeaBIOS runs fast
# (the nested VM) it was gone before the pane was read.
cp "$GUESTS/boot/bootsect.img" "$TMP/bootsect.img"
printf 'firmware = { image = "seabios"; menu = true; };\ndisk = { path = "bootsect.img"; };\n' \
	> "$TMP/fw.cfg"
start 80 26 "'$VMM' -c fw.cfg"
shows_banner() { screen_has "SeaBIOS (version"; }
shows_kept() { screen_has "guest exited with status 15"; }
await tmux-firmware-banner 120 shows_banner pane
if wait_for 120 screen_has "press a key:"; then
	title=$(tm capture-pane -t t -p -e | sed -n 1p)
	prompt=$(pane | grep -n '^press a key:' | cut -d: -f1)
	if printf '%s' "$title" | grep -qP '\e\[([0-9;]*;)?44(;[0-9;]*)?m vmm boot sector' &&
	   printf '%s' "$title" | grep -qP '\e\[([0-9;]*;)?93(;[0-9;]*)?mint 10h' &&
	   cursor_is "13 $((prompt - 1)) 1"; then
		pass tmux-firmware-screen
	else
		fail tmux-firmware-screen "cursor $(cursor) prompt row $prompt, title $(printf '%q' "$title" | head -c 160)"
	fi
else
	fail tmux-firmware-screen "no prompt: $(pane | grep -v '^ *$' | head -5)"
fi
tm send-keys -t t 7
await tmux-firmware-exit-kept 60 shows_kept pane
tm send-keys -t t q
if exited_with 15 && screen_lacks "press a key:"; then
	pass tmux-firmware-status
else
	fail tmux-firmware-status "exit '$(cat "$TMP/exit" 2>/dev/null)'"
fi
