# Helpers for tests that drive the terminal UI in tmux, a real terminal
# emulator; source after lib.sh.  One tmux server per script (its own
# socket), ended with the script; the window under test is session "t".
# Sourced again (a second UI check in the same script): already set up.
[ -n "${TMUX_SOCK:-}" ] && return
TMUX_SOCK="vmm-test-$$"
tm() { skipping || tmux -L "$TMUX_SOCK" -f /dev/null "$@"; }
trap 'tm kill-server 2> /dev/null; rm -rf "$TMP"' EXIT
# tmux's server exits with its last session: one that lives as long as the
# script, so that start()'s kill-session never races a dying server
tm new -d -s keep "sleep 3600" 2> /dev/null

pane() { tm capture-pane -t t -p; }
screen_has() { pane | grep -qF -- "$1"; }
screen_lacks() { ! screen_has "$1"; }
row() { pane | sed -n "$(($1 + 1))p"; }
cursor() { tm display -p -t t '#{cursor_x} #{cursor_y} #{cursor_flag}'; }
cursor_is() { [ "$(cursor)" == "$1" ]; }
# start W H COMMAND: a new W x H window running COMMAND in $TMP; COMMAND's
# status goes to $TMP/exit, the terminal's settings after it to $TMP/stty
start() {
	tm kill-session -t t 2> /dev/null
	rm -f "$TMP/exit" "$TMP/stty"
	tm new -d -s t -x "$1" -y "$2" "cd '$TMP' && env TERM=tmux-256color LANG=C.UTF-8 \
$3; echo \$? > '$TMP/exit'; stty -a > '$TMP/stty'; sleep 60"
}
exited_with() { wait_for 30 test -s "$TMP/exit" && [ "$(cat "$TMP/exit")" == "$1" ]; }
status_of() { echo "status '$(cat "$TMP/exit" 2> /dev/null)' 10 s later"; }
why_pane() { pane | tr '\n' '|'; }
# await NAME SECONDS CONDITION WHY: PASS once CONDITION holds, else FAIL with
# the output of WHY (both functions), taken when the wait ended
await() {
	if skipping; then skip "$1" "$SKIP_WHY"; return; fi
	if wait_for "$2" "$3"; then pass "$1"; else fail "$1" "$($4)"; fi
}
