#!/usr/bin/env bash
# The folders are layers (DEVELOPERS.md): a file may include from its own
# folder and the ones below it, never from above.  vmm/main.c, the
# composition root, is the one file that may include from every folder.
# And the tree stands alone: nothing committed names a place on the machine
# it was written on, so a clone elsewhere reads and loads the same.
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

# vmm/snapshot/ is one module: outside the folder only its snapshot.h is
# included (the unit tests and fuzz harnesses, under test/, may look inside)
snapshot_insiders() {
	grep -lE '^#[[:space:]]*include[[:space:]]*".*snapshot/internal\.h"' -- "$@" |
		grep -v '^vmm/snapshot/' | tr '\n' ' '
}
bad=$(snapshot_insiders $files)
check layers-snapshot-internal "these include vmm/snapshot/internal.h: $bad" test -z "$bad"
probe=tui/layers-probe.c
printf '#include "../vmm/snapshot/internal.h"\n' > "$probe"
got=$(snapshot_insiders "$probe")
rm -f "$probe"
expect_eq layers-snapshot-internal-caught "$got" "tui/layers-probe.c "

# An absolute path under a home or the build machine's work folder, where a
# path starts (so "$work/root/mods", a variable's folder, is not one).  Any
# file, binary included: a stale snapshot holds its guest's path.
HOMES='(^|[^[:alnum:]_.$}/~-])/(work|home|root|Users)/'
machine_paths() { grep -lsE "$HOMES" -- "$@" | tr '\n' ' '; }
mapfile -d '' committed < <(git ls-files -z)
bad=$(machine_paths "${committed[@]}")
check layers-no-machine-paths "these hold a machine path: $bad" test -z "$bad"

# the check has teeth: a snapshot's config line and a doc's path are caught
probe=$TMP/paths-probe
printf 'guest = "/%s/me/vmm/build/guest/demo.elf";\n' home > "$probe.cfg"
printf 'See `/%s/shared/notes.md` and $work/root/mods.\n' work > "$probe.md"
printf 'kernel in $work/root/mods, "%s" is fine\n' /usr/lib > "$probe.txt"
got=$(machine_paths "$probe.cfg" "$probe.md" "$probe.txt")
expect_eq layers-machine-path-caught "$got" "$probe.cfg $probe.md "
