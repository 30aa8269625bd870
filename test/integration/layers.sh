#!/usr/bin/env bash
# The folders are layers (DEVELOPERS.md): a file may include from its own
# folder and the ones below it, never from above.  vmm/main.c, the
# composition root, is the one file that may include from every folder.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"

# folder -> the folders it may include from
declare -A MAY=(
	[hypercalls]="hypercalls"
	[vmm]="hypercalls vmm"
	[devices]="hypercalls vmm devices"
	[tui]="hypercalls vmm devices tui"
	[guest]="hypercalls guest"
)

# upward_includes FILE...: one "file includes x (from -> to); " per violation
upward_includes() {
	local f top dir inc target to
	for f in "$@"; do
		[ "$f" = vmm/main.c ] && continue
		top=${f%%/*}
		dir=$(dirname "$f")
		while read -r inc; do
			target=$(realpath -m --relative-to="$ROOT" "$dir/$inc")
			to=${target%%/*}
			case " ${MAY[$top]:-} " in
			*" $to "*) ;;
			*) printf '%s includes %s (%s -> %s); ' "$f" "$inc" "$top" "$to" ;;
			esac
		done < <(sed -n 's/^#[ \t]*include[ \t]*"\([^"]*\)".*/\1/p' "$f")
	done
}

files=$(git ls-files 'hypercalls/*.[chS]' 'vmm/*.[ch]' 'devices/*.[ch]' 'tui/*.[ch]' \
	'guest/*.[chS]' 'guest/**/*.[chS]')
bad=$(upward_includes $files)
check layers-includes "$bad" test -z "$bad"

# the rule has teeth: a device that includes the terminal UI is caught
probe=devices/layers-probe.c
printf '#include <stdio.h>\n#include "../tui/ui.h"\n' > "$probe"
got=$(upward_includes "$probe")
rm -f "$probe"
expect_eq layers-upward-caught "$got" \
	"devices/layers-probe.c includes ../tui/ui.h (devices -> tui); "
