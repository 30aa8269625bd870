#!/bin/sh
# mkinitramfs.sh OUT [BUSYBOX]: a tiny initramfs (cpio newc, gzip) for a Linux
# kernel on vmm, from Debian's busybox-static (BUSYBOX defaults to /bin/busybox).
# Its init mounts proc, sys and dev, then runs a busybox shell on every
# console the kernel was given (console=ttyS0 console=tty0: COM1 and the VGA
# screen); when the shell on /dev/console (the last console=) exits, the VM
# powers off.  No root needed: the kernel's own initramfs brings /dev/console.
set -eu
out=${1:?usage: mkinitramfs.sh OUT.cpio.gz [BUSYBOX]}
bb=${2:-/bin/busybox}
if ! "$bb" --list >/dev/null 2>&1 || ldd "$bb" >/dev/null 2>&1; then
	echo "mkinitramfs.sh: $bb: not a static busybox (apt-get install busybox-static)" >&2
	exit 2
fi
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/bin" "$d/sbin" "$d/proc" "$d/sys" "$d/dev" "$d/tmp" "$d/root" "$d/etc"
cp "$bb" "$d/bin/busybox"
for a in $("$bb" --list); do
	[ "$a" = busybox ] || ln -s busybox "$d/bin/$a"
done
cat > "$d/init" <<'INIT'
#!/bin/sh
mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
exec </dev/console >/dev/console 2>&1
# every console but the last (that one is /dev/console) gets a shell of its own
set -- $(cat /sys/class/tty/console/active)
while [ $# -gt 1 ]; do
	setsid sh -c "exec sh </dev/$1 >/dev/$1 2>&1" &
	shift
done
echo "Linux $(uname -r) on $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1): poweroff -f ends the VM"
setsid cttyhack sh
poweroff -f
INIT
chmod 755 "$d/init"
(cd "$d" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9 > "$out"
