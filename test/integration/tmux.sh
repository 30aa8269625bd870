#!/usr/bin/env bash
# The terminal UI in a real terminal emulator (tmux): text, colours,
# cursor, status line, help, resize below 80x26 and back, Ctrl-A x quitting
# with status 0 and the terminal restored, and --record from the UI.
source "$(dirname "$0")/../lib.sh"
require_kvm
command -v tmux > /dev/null || skipping || SKIP_WHY="tmux is not installed"

SOCK="vmm-test-$$"
tm() { skipping || tmux -L "$SOCK" -f /dev/null "$@"; }
trap 'tm kill-server 2> /dev/null; rm -rf "$TMP"' EXIT

screen_has() { tm capture-pane -t t -p | grep -qF -- "$1"; }
screen_lacks() { ! screen_has "$1"; }
row() { tm capture-pane -t t -p | sed -n "$(($1 + 1))p"; }

mkcfg "$TMP/demo.cfg" demo 'display = "tui";' 'vga = { blink = false; };' \
	'serial = { output = "none"; };'
tm new -d -s t -x 80 -y 26 "cd '$TMP' && env TERM=tmux-256color LANG=C.UTF-8 \
'$VMM' -c demo.cfg --record ui.cast; echo \$? > exit; stty -a > stty; sleep 60"

# the demo's loop has run once the frame counter shows: the screen is whole
if wait_for 20 screen_has "vmm demo - VGA text mode, driver emulated" &&
   wait_for 20 screen_has "frame " && screen_has "guest> "; then
	pass tui_text
else
	fail tui_text "no title after 20 s: $(tm capture-pane -t t -p | head -3)"
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
	pass tui_colors
else
	fail tui_colors "title: $(printf '%q' "$title" | head -c 200)"
fi

# the demo puts the cursor at its prompt, column 7 of row 23
cursor_at_prompt() { [ "$(tm display -p -t t '#{cursor_x} #{cursor_y} #{cursor_flag}')" == "7 23 1" ]; }
check tui_cursor "cursor at $(tm display -p -t t '#{cursor_x} #{cursor_y} #{cursor_flag}')" \
	wait_for 10 cursor_at_prompt

# typed keys reach the guest (its keyboard) and it echoes them at the prompt
tm send-keys -t t 'hi there'
check tui_keys "prompt row: '$(row 23)'" wait_for 10 screen_has "guest> hi there"

status=$(row 25)
if [[ $status == " test|vga emu/trap|disk none|ex/s "*"|fps "[0-9]*"^A x quit ^A h help" ]]; then
	pass tui_status
else
	fail tui_status "status line: '$status'"
fi

tm send-keys -t t C-a h
if wait_for 5 screen_has "Ctrl-A x        quit" && tm send-keys -t t q &&
   wait_for 5 screen_lacks "Ctrl-A x        quit"; then
	pass tui_help
else
	fail tui_help "help overlay did not open and close"
fi

tm resize-window -t t -x 60 -y 20
if wait_for 5 screen_has "vmm needs a terminal of at least 80x26; this one is 60x20."; then
	pass tui_small
else
	fail tui_small "$(tm capture-pane -t t -p | head -3)"
fi
tm resize-window -t t -x 80 -y 26
if wait_for 5 screen_has "vmm demo - VGA text mode" && wait_for 5 screen_has "^A x quit" &&
   screen_lacks "vmm needs a terminal"; then
	pass tui_regrow
else
	fail tui_regrow "$(tm capture-pane -t t -p | head -3)"
fi

tm send-keys -t t C-a x
if wait_for 10 test -s "$TMP/exit"; then
	expect_eq tui_quit "$(cat "$TMP/exit")" 0
else
	fail tui_quit "vmm still running 10 s after Ctrl-A x"
fi
# back on the normal screen, cursor visible, cooked mode with echo
wait_for 5 test -s "$TMP/stty"
alt=$(tm display -p -t t '#{alternate_on} #{cursor_flag}')
if [ "$alt" == "0 1" ] && grep -qw icanon "$TMP/stty" && grep -qw echo "$TMP/stty" &&
   screen_lacks "vmm demo"; then
	pass tui_restored
else
	fail tui_restored "alternate/cursor '$alt', stty: $(grep -o -- '-\?icanon\|-\?echo ' "$TMP/stty" | tr '\n' ' ')"
fi

out=$(python3 "$(dirname "$0")/castcheck.py" "$TMP/ui.cast")
check tui_record "castcheck: $out" [ $? -eq 0 ]

# A crash of the VMM (SIGSEGV) still gives the terminal back.
tm kill-session -t t
rm -f "$TMP/exit" "$TMP/stty"
tm new -d -s t -x 80 -y 26 "cd '$TMP' && env TERM=tmux-256color LANG=C.UTF-8 \
'$VMM' -c demo.cfg --set cmdline=idle=1; echo \$? > exit; stty -a > stty; sleep 60"
wait_for 20 screen_has "vmm demo - VGA text mode"
vmm_pid=$(pgrep -P "$(tm display -p -t t '#{pane_pid}')" -x vmm)
[ -n "$vmm_pid" ] && kill -SEGV "$vmm_pid"
if wait_for 10 test -s "$TMP/stty"; then
	alt=$(tm display -p -t t '#{alternate_on} #{cursor_flag}')
	if [ "$(cat "$TMP/exit")" == 139 ] && [ "$alt" == "0 1" ] && grep -qw icanon "$TMP/stty"; then
		pass tui_crash_restored
	else
		fail tui_crash_restored "status $(cat "$TMP/exit"), alternate/cursor '$alt'"
	fi
else
	fail tui_crash_restored "vmm (pid ${vmm_pid:-none}) did not die from SIGSEGV"
fi
