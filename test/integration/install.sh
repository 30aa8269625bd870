# make install, as a new user meets it: staged with DESTDIR and PREFIX,
# then used from another folder.  Every installed example config runs;
# the README's tutorial guest and guest/arith-test.c build out of the tree
# against the installed SDK (pkg-config), warning-free, and run.  The
# install and the builds need no KVM; the runs do.
source "$(dirname "$0")/../lib.sh"
T=install
require_kvm

# the build this test runs against (make picks B from SANITIZE)
case $B in
build-asan) san=(SANITIZE=1) ;;
build-tsan) san=(SANITIZE=thread) ;;
*) san=() ;;
esac
STAGE=$TMP/stage
P=$STAGE/opt/vmm
make -s -C "$ROOT" "${san[@]}" install DESTDIR="$STAGE" PREFIX=/opt/vmm > "$TMP/make.out" 2>&1
STATUS=$?
check $T-staged "status $STATUS: $(tail -3 "$TMP/make.out")" test "$STATUS" = 0

want=(bin/vmm share/man/man1/vmm.1 share/doc/vmm/README.md lib/pkgconfig/vmm-guest.pc
	lib/vmm-guest/libvmmguest.a lib/vmm-guest/vmm-guest.ld
	include/vmm-guest/sdk/sdk.h include/vmm-guest/sdk/vmm_abi.h share/vmm/mkgrub.sh
	bin/vmm-nested lib/vmm/nested/run lib/vmm/nested/init)
for f in "$ROOT"/conf/*.cfg; do
	want+=("share/vmm/conf/${f##*/}")
	g=$(sed -n 's|^guest = "\.\./build/guest/\(.*\)";|\1|p; s|.*path = "\.\./build/guest/\(boot/[^"]*\)".*|\1|p' "$f")
	[ -z "$g" ] || want+=("share/vmm/guest/$g")
done
absent=
for f in "${want[@]}"; do [ -s "$P/$f" ] || absent+=" $f"; done
check $T-files "not installed:$absent" test -z "$absent"
# the README's GRUB recipe, installed runnable; vmm(1) FILES names every example config
check $T-mkgrub "not executable" test -x "$P/share/vmm/mkgrub.sh"
files=$(sed -n '/^\.SH FILES/,/^\.SH /p' "$ROOT/vmm/vmm.1")
unnamed=$(for f in "$ROOT"/conf/*.cfg; do n=${f##*/}; [[ $files == *"${n%.cfg}"* ]] || echo "$n"; done)
check $T-man-files-configs "not in vmm.1 FILES: $unnamed" test -z "$unnamed"
check $T-binary-runs "$P/bin/vmm --version fails" test -n "$("$P/bin/vmm" --version)"
refs=$(grep -l 'build/' "$P"/share/vmm/conf/*.cfg)
check $T-configs-leave-the-tree "configs naming the build folder: $refs" test -z "$refs"
# the staged tree says nothing of the stage: it works once unpacked
leak=$(grep -rl "$STAGE" "$P" 2> /dev/null)
check $T-no-destdir-inside "files naming DESTDIR: $leak" test -z "$leak"

# PREFIX alone, as the README's `make install PREFIX=$HOME/.local`
make -s -C "$ROOT" "${san[@]}" install PREFIX="$TMP/plain" > "$TMP/plain.out" 2>&1
check $T-prefix "status $?: $(tail -3 "$TMP/plain.out")" test -x "$TMP/plain/bin/vmm"

# out-of-tree guests, from a folder outside the repository: the README's
# tutorial (its mine.c block) and the 64-bit arithmetic checks at -O0
W=$(mktemp -d /tmp/vmm-guest.XXXXXX)
trap 'rm -rf "$TMP" "$W"' EXIT
awk '/^```c$/ { on = 1; next } /^```$/ { on = 0 } on' "$ROOT/README.md" |
	awk '/^\/\* mine\.c/ { on = 1 } on' > "$W/mine.c"
check $T-readme-has-tutorial "no mine.c block in README.md" grep -q 'int main' "$W/mine.c"
cp "$ROOT/guest/arith-test.c" "$W/arith.c"
sed -i 's|#include "sdk/sdk.h"|#include <sdk/sdk.h>|' "$W/arith.c"
export PKG_CONFIG_PATH=$P/lib/pkgconfig
(cd "$W" && cc -O2 -Wall -Wextra -Werror mine.c -o mine.elf \
	$(pkg-config --cflags --libs vmm-guest)) > "$TMP/mine.log" 2>&1
check $T-sdk-builds-tutorial "warnings or errors: $(head -5 "$TMP/mine.log")" \
	test -f "$W/mine.elf" -a ! -s "$TMP/mine.log"
# the order pkg-config's output and the source come in does not matter
(cd "$W" && cc -O0 -Wall -Wextra -Werror $(pkg-config --cflags --libs vmm-guest) \
	arith.c -o arith.elf) > "$TMP/arith.log" 2>&1
check $T-sdk-builds-64bit-arith "warnings or errors: $(head -5 "$TMP/arith.log")" \
	test -f "$W/arith.elf" -a ! -s "$TMP/arith.log"

# from here on the installed vmm runs the installed configs and guests
VMM=$P/bin/vmm
mkdir -p "$TMP/elsewhere"
cd "$TMP/elsewhere" || exit 1
C=$P/share/vmm/conf
ran=" hello.cfg demo.cfg shell.cfg disk-emul.cfg disk-pv.cfg bootsect.cfg linux.cfg "
unrun=$(cd "$C" && for f in *.cfg; do [[ $ran == *" $f "* ]] || echo "$f"; done)
check $T-every-example-runs "installed but not run here: $unrun" test -z "$unrun"
run_vmm "$TMP/hello" -c "$C/hello.cfg" --headless
check $T-hello "status $STATUS: $(head -2 "$TMP/hello.err")" \
	test "$STATUS" = 7 -a "$(grep -c 'Hello from a Multiboot guest' "$TMP/hello.txt")" -ge 1
run_vmm "$TMP/demo" -c "$C/demo.cfg" --headless --set cmdline=frames=2
check $T-demo "status $STATUS: $(head -2 "$TMP/demo.err")" \
	test "$STATUS" = 0 -a "$(grep -c 'vmm demo - VGA text mode\|frame 2$' "$TMP/demo.txt")" = 2
run_vmm "$TMP/shell" -c "$C/shell.cfg" --headless --keys '{until:shell>}echo installed\nexit 3\n'
check $T-shell "status $STATUS: $(head -2 "$TMP/shell.err")" \
	test "$STATUS" = 3 -a "$(grep -c '^installed' "$TMP/shell.txt")" -ge 1

# the firmware example: SeaBIOS from Debian boots the installed boot sector
run_vmm "$TMP/boot" -c "$C/bootsect.cfg" --headless --keys '{until:press a key:}3'
check $T-bootsect "status $STATUS: $(head -2 "$TMP/boot.err")" \
	test "$STATUS" = 7 -a "$(grep -c '^exit code 3' "$TMP/boot.txt")" = 1

# a disk example without an image says how to make one; with one it runs,
# the image named as the README does, from the current folder
run_vmm "$TMP/noimg" -c "$C/disk-emul.cfg" --headless
check $T-disk-says-how "status $STATUS: $(cat "$TMP/noimg.err")" \
	test "$STATUS" = 2 -a "$(grep -c 'vmm --create-image' "$TMP/noimg.err")" = 1
for d in emul pv; do
	"$VMM" --create-image "disk-$d.img" --size 4M
	run_vmm "$TMP/disk-$d" -c "$C/disk-$d.cfg" --headless --set "disk.path=disk-$d.img"
	check $T-disk-$d "status $STATUS: $(head -2 "$TMP/disk-$d.err") $(tail -3 "$TMP/disk-$d.txt")" \
		test "$STATUS" = 0
done
check $T-disks-agree "the two drivers left different bytes" cmp -s disk-emul.img disk-pv.img

# the Linux example says how to make its initramfs, and with one made by the
# installed script passes every check before KVM (the boot itself is in
# linux.sh: hours where KVM emulates ring-0 code); 64 MiB is too little
run_vmm "$TMP/lx" -c "$C/linux.cfg" --headless
check $T-linux-says-how "status $STATUS: $(cat "$TMP/lx.err")" \
	test "$STATUS" = 2 -a "$(grep -c 'mkinitramfs.sh FILE' "$TMP/lx.err")" = 1
if [ -r /vmlinuz ] && "$P/share/vmm/guest/mkinitramfs.sh" "$TMP/initrd.gz"; then
	run_vmm "$TMP/lx2" -c "$C/linux.cfg" --headless --set "linux.initrd=$TMP/initrd.gz" \
		--set memory=64
	check $T-linux-checked "status $STATUS: $(cat "$TMP/lx2.err")" \
		test "$STATUS" = 2 -a "$(grep -c '^/vmlinuz: the kernel needs [0-9]* MiB of RAM' "$TMP/lx2.err")" = 1
else
	skip $T-linux-checked "no /vmlinuz or busybox-static (apt-get install linux-image-amd64 busybox-static)"
fi

# the tutorial guest: colours on the screen, a key read, its exit status
printf 'guest = "mine.elf";\n' > "$W/mine.cfg"
run_vmm "$TMP/mine" -c "$W/mine.cfg" --headless --dump ansi --keys q
check $T-tutorial-runs "status $STATUS: $(head -2 "$TMP/mine.err")" test "$STATUS" = 3
check $T-tutorial-screen "screen: $(head -3 "$TMP/mine.txt")" \
	grep -q $'\e\\[0;97;44mHello from my own guest!.*\e\\[0;93;44mPress a key' \
	<(tr -d '\n' < "$TMP/mine.txt")
check $T-tutorial-key "screen: $(grep -a pressed "$TMP/mine.txt")" \
	grep -q "You pressed 'q'" "$TMP/mine.txt"
run_vmm "$TMP/mine0" -c "$W/mine.cfg" --headless --dump none --keys x
check $T-tutorial-other-key "status $STATUS" test "$STATUS" = 0

printf 'guest = "arith.elf";\n' > "$W/arith.cfg"
run_vmm "$TMP/arith" -c "$W/arith.cfg" --headless --dump none
check $T-64bit-arith "status $STATUS: $(grep -a -m3 'FAIL\|arith-test' "$TMP/arith.txt")" \
	test "$STATUS" = 0 -a "$(grep -c '^arith-test: [0-9]* checks, 0 failed' "$TMP/arith.txt")" = 1
