# The README and the man page say what the program does: the options of
# `vmm --help`, the config keys and values of vmm/config.c's schema and the
# environment variables vmm reads are all documented, and nothing
# documented is missing from the program.  Config examples use libconfig's
# group form and parse.  No KVM needed.
source "$(dirname "$0")/../lib.sh"
T=docs
README=$ROOT/README.md
MAN=$ROOT/vmm/vmm.1

# sorted, unique option names (--long and -x) in the text on stdin
options() { grep -oE -- '(^|[^a-zA-Z0-9-])--?[a-zA-Z][a-z-]*' | sed 's/^[^-]*//' | sort -u; }
# roff to plain text: \- and \(en are dashes, font changes go
unroff() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(en/-/g'; }
# the lines of FILE from the line matching START up to (not including) the next matching END
section() { awk -v s="$2" -v e="$3" '$0 ~ s { on = 1; next } on && $0 ~ e { exit } on' "$1"; }
# "what: a b c" when WANT (lines) has names HAVE (lines) lacks, nothing otherwise
missing() { comm -23 <(echo "$2") <(echo "$3") | tr '\n' ' ' | sed "s/./$1: &/; s/ $//"; }

help=$("$VMM" --help | grep -E '^ +-' | options)
[ -n "$help" ] || fail $T-help-lists-options "vmm --help printed no options"

# the README's command-line table: the first column of each row
table=$(section "$README" '^## Command line' '^## ' | grep '^| `' | sed 's/ | .*//')
readme=$(echo "$table" | options)
why="$(missing "not in the README's table" "$help" "$readme") $(missing "not in vmm --help" "$readme" "$help")"
check $T-readme-options "$why" test -z "${why// /}"
empty=$(section "$README" '^## Command line' '^## ' | grep '^| `' | grep -E '\| *\|$' || true)
check $T-readme-options-say-what "rows without a meaning: $empty" test -z "$empty"

# the man page: a .TP entry in OPTIONS for each, and each in the SYNOPSIS
man_opts=$(section "$MAN" '^\.SH OPTIONS' '^\.SH ' | grep -A1 '^\.TP' | grep -v '^\.TP\|^--$' |
	unroff | options)
why="$(missing "not in vmm.1 OPTIONS" "$help" "$man_opts") $(missing "not in vmm --help" "$man_opts" "$help")"
check $T-man-options "$why" test -z "${why// /}"
# (in its short or its long form: one of each line of --help)
synopsis=$(section "$MAN" '^\.SH SYNOPSIS' '^\.SH ' | unroff | options)
why=
while read -r line; do
	[ -n "$(comm -12 <(echo "$line" | options) <(echo "$synopsis"))" ] ||
		why+=" $(echo "$line" | options | tr '\n' ' ')"
done < <("$VMM" --help | grep -E '^ +-' | sed -E 's/^ +//; s/  .*//')
check $T-man-synopsis "not in vmm.1 SYNOPSIS:$why" test -z "$why"

# config keys: the schema table in vmm/config.c, plain groups left out
keys=$(sed -nE 's/^\t\{ "([a-z.]+)", K_(STRING|INT|BOOL|ENUM|SHORT), .*/\1/p' "$ROOT/vmm/config.c" | sort)
[ -n "$keys" ] || fail $T-config-schema "no keys found in vmm/config.c's schema"
ref=$(section "$README" '^## Config reference' '^## ' | sed -nE 's/^\| `([a-z.]+)` \|.*/\1/p' | sort)
why="$(missing "not in the README's reference" "$keys" "$ref") $(missing "not in the schema" "$ref" "$keys")"
check $T-readme-config-keys "$why" test -z "${why// /}"
man_conf=$(section "$MAN" '^\.SH CONFIGURATION' '^\.SH ' | unroff)
why=$(missing "not in vmm.1 CONFIGURATION" "$keys" \
	"$(echo "$man_conf" | grep -oE '[a-z]+(\.[a-z]+)?' | sort -u)")
check $T-man-config-keys "$why" test -z "$why"

# every value of an enum key is in its README row and in the man page
bad=
while read -r key names; do
	vals=$(sed -nE "s/.*\\b$names\\[\\] = \\{ (.*)\$/\\1/p; /\\b$names\\[\\] = \\{\$/,/\\};/p" \
		"$ROOT/vmm/config.c" | grep -oE '"[a-z]+"' | tr -d '"')
	row=$(grep -E "^\| \`$key\` \|" "$README")
	for v in $vals; do
		[[ $row == *"\"$v\""* ]] || bad+=" README:$key=$v"
		[[ $man_conf == *"$v"* ]] || bad+=" vmm.1:$key=$v"
	done
done < <(sed -nE 's/^\t\{ "([a-z.]+)", K_ENUM, ([a-z_]+) \},/\1 \2/p' "$ROOT/vmm/config.c")
check $T-config-values "missing:$bad" test -z "$bad"

# libconfig rejects `vga.mode = "pv";`: every example writes the group form
dotted=$(grep -nE '(^|[`[:space:]])[a-z]+\.[a-z]+ = ' "$README" "$MAN" "$ROOT"/conf/*.cfg |
	sed "s|$ROOT/||")
check $T-group-form "dotted keys: $dotted" test -z "$dotted"

# the config examples in the README and the man page parse: vmm gets as far
# as opening KVM (VMM_KVM_DEVICE points nowhere: status 126, not 2)
mkdir -p "$TMP/ex"
cp "$GUESTS/hello.elf" "$TMP/ex/mine.elf"
"$VMM" --create-image "$TMP/ex/disk.img" --size 1M
awk '/^```/ { if (on) { n++; on = 0 } else on = 1; next }
	on { print > (dir "/readme-" n ".cfg") }' dir="$TMP/ex" "$README"
section "$MAN" '^\.SH CONFIGURATION' '^\.SH ' | sed -n '/^\.nf/,/^\.fi/p' | sed '1d;$d' \
	> "$TMP/ex/man.cfg"
bad=
for f in $(find "$TMP/ex" -name "*.cfg"); do
	grep -q '^ *guest = ' "$f" || { rm "$f"; continue; }
	VMM_KVM_DEVICE=$TMP/no-kvm "$VMM" -c "$f" --headless > /dev/null 2> "$f.err"
	[ $? = 126 ] || bad+=" $(basename "$f"): $(head -1 "$f.err")"
done
n=$(find "$TMP/ex" -name "*.cfg" | wc -l)
check $T-config-examples-parse "${bad:-only $n examples found}" test -z "$bad" -a "$n" -ge 2

# every variable vmm reads, and what a terminal user sets, in ENVIRONMENT
env_read=$(cat "$ROOT"/vmm/*.c "$ROOT"/vmm/snapshot/*.c "$ROOT"/tui/*.c "$ROOT"/devices/*.c "$ROOT"/hypercalls/*.c |
	grep -oE 'getenv\("[A-Z_]+"\)' | sed -E 's/getenv\("(.*)"\)/\1/' | sort -u)
env_man=$(section "$MAN" '^\.SH ENVIRONMENT' '^\.SH ' | grep -A1 '^\.TP' | grep -oE '[A-Z][A-Z_]+' |
	sort -u)
why=$(missing "not in vmm.1 ENVIRONMENT" "$(printf '%s\nTERM\nCOLORTERM\n' "$env_read" | sort -u)" \
	"$env_man")
check $T-man-environment "$why" test -z "$why"

if command -v groff > /dev/null; then
	groff -man -Tutf8 -ww -z "$MAN" 2> "$TMP/groff.err"
	check $T-man-renders "groff: $(head -3 "$TMP/groff.err")" test ! -s "$TMP/groff.err"
else
	skip $T-man-renders "groff is not installed"
fi

# The docs stand alone: a relative path that climbs out of the repository
# points into one developer's machine, unless it comes back into one of the
# repository's folders (a config's `../guest/hello.elf` is an example seen
# from conf/).  Markdown links and `code` spans of every committed .md file.
tops=$(cd "$ROOT" && git ls-files | cut -d/ -f1 | sort -u)
paths_outside() {
	local f p r top
	for f in "$@"; do
		while read -r p; do
			r=$(realpath -m --relative-to="$ROOT" "$ROOT/$(dirname "$f")/$p")
			top=${p##*../}
			top=${top%%/*}
			case $r in ../*) grep -qxF "$top" <<< "$tops" || printf '%s: %s; ' "$f" "$p" ;; esac
		done < <(grep -oE '(\]\(|`)(\.\./)+[^`) ]+' "$ROOT/$f" | sed -E 's/^(\]\(|`)//')
	done
}
bad=$(paths_outside $(cd "$ROOT" && git ls-files '*.md'))
check $T-no-paths-outside "paths out of the repository: $bad" test -z "$bad"
# the check has teeth: two paths out are caught, a sibling folder's is not
printf 'See `../shared/notes/x.md`, [this](../../elsewhere.md) and `../guest/hello.elf`.\n' \
	> "$ROOT/docs-probe.md"
got=$(paths_outside docs-probe.md)
rm -f "$ROOT/docs-probe.md"
expect_eq $T-path-outside-caught "$got" \
	"docs-probe.md: ../shared/notes/x.md; docs-probe.md: ../../elsewhere.md; "
