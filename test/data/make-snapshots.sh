#!/usr/bin/env bash
# Makes the snapshots under test/data/snapshots/ that every later vmm must
# keep loading (test/integration/snapshot-compat.sh restores them):
#   shell.snap     the shell guest at its prompt, "echo hel" typed
#   bootsect.snap  SeaBIOS booted the boot sector, which waits for a key
#   ata.snap       disk-test writing sectors over ATA, a transfer in flight
# Run it from the repository after `make`, on a host with /dev/kvm, only
# when a snapshot must be made anew (a refusal documented in
# DEVELOPERS.md): rewriting them hides the break the test is there to find.
# Guest RAM is the minimum (2 MiB) and a file holds only the pages with
# data, so each stays well under 1 MiB.  The guests run from a temporary
# folder: the config a snapshot carries names no folder of this machine,
# and a restore names its disk image on the command line anyway.
set -eu
cd "$(dirname "$0")/../.."
out=test/data/snapshots
vmm=$PWD/build/bin/vmm
guests=$PWD/build/guest
work=$(mktemp -d /tmp/vmm-snapshots.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

cp "$guests/shell.elf" "$guests/disk-test.elf" "$guests/boot/bootsect.img" "$work/"
cd "$work"

printf 'name = "shell";\nguest = "shell.elf";\nmemory = 2;\n' > shell.cfg
"$vmm" -c shell.cfg --headless --dump none \
	--keys "{until:shell>}echo hel{until:shell> echo hel}{save-and-quit:shell.snap}"

printf 'name = "bootsect";\nfirmware = "seabios";\nmemory = 2;\ndisk = { path = "bootsect.img"; };\n' \
	> bootsect.cfg
"$vmm" -c bootsect.cfg --headless --dump none \
	--keys "{until:press a key:}{save-and-quit:bootsect.snap}"

# 24 sectors written three times; the save lands in the first pass.  The
# image needs no keeping: the restored guest writes every sector again.
"$vmm" --create-image ata.img --size 12K
printf '%s\n' 'name = "ata";' 'guest = "disk-test.elf";' 'memory = 2;' \
	'cmdline = "disk=ata-irq op=storm n=24 passes=3 seed=40";' \
	'disk = { mode = "emulated"; path = "ata.img"; };' > ata.cfg
"$vmm" -c ata.cfg --headless --dump none --keys "{until:storm 0 10}{save-and-quit:ata.snap}"

cd - > /dev/null
cp "$work/shell.snap" "$work/bootsect.snap" "$work/ata.snap" "$out/"
ls -l "$out"
