#!/usr/bin/env python3
"""bench/linux.py: time from start to a Linux shell prompt, vmm against QEMU.

    bench/linux.py [--runs N] [--only CASES] [--kernel FILE] [--initrd FILE]
                   [--timeout SECONDS] [--require-all]

Cases (comma-separated for --only): vmm (vmm's own boot protocol, the
--kernel path), vmm-grub (SeaBIOS and GRUB 2 from a disk image made by
test/firmware/mkgrub.sh), qemu-pc (qemu-system-x86_64 -M pc -kernel) and
qemu-microvm (-M microvm -kernel), all with -accel kvm, the same kernel,
initramfs (guest/linux/mkinitramfs.sh) and command line, 256 MiB, one vCPU.
Each run starts the VM, reads its serial output until the busybox prompt,
notes the time, reads KVM's exit counters for that VM (debugfs, as root),
types poweroff -f and waits for the VM to end.  Results stream as they
come, one line per run, then a table of medians.  --require-all: exit 1
unless every run reached its prompt (the ten-boots target, make linux-boots).
Needs a KVM that runs ring-0 code at speed (not kvm_pvm: run it in a nested VM).
"""
import argparse
import glob
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.environ.get("B", "build")
VMM = os.path.join(ROOT, B, "bin", "vmm")
CMDLINE = "console=tty0 console=ttyS0 quiet acpi=off"
PROMPT = b"/ # "
DEBUGFS = "/sys/kernel/debug/kvm"
COUNTERS = ("exits", "io_exits", "mmio_exits", "halt_exits", "irq_exits",
            "irq_window_exits", "insn_emulation", "hypercalls", "signal_exits")


def kvm_counters(pid):
    """KVM's counters of the VM process pid made, or {} (no debugfs)."""
    dirs = glob.glob(f"{DEBUGFS}/{pid}-*")
    out = {}
    for d in dirs:
        for c in COUNTERS:
            try:
                with open(os.path.join(d, c)) as f:
                    out[c] = out.get(c, 0) + int(f.read())
            except OSError:
                pass
    return out


def commands(case, kernel, initrd, grub_img):
    qemu = ["qemu-system-x86_64", "-accel", "kvm", "-cpu", "host", "-m", "256",
            "-smp", "1", "-nographic", "-no-reboot", "-kernel", kernel,
            "-initrd", initrd, "-append", CMDLINE]
    return {
        # vga.strategy as conf/linux.cfg has it: a console that scrolls reads the screen
        "vmm": [VMM, "--kernel", kernel, "--initrd", initrd, "--append", CMDLINE,
                "--set", "memory=256", "--set", "vga.strategy=ram", "--headless",
                "--dump", "none"],
        "vmm-grub": [VMM, "--boot", grub_img, "--set", "memory=256",
                     "--set", "vga.strategy=ram", "--headless", "--dump", "none"],
        "qemu-pc": qemu[:1] + ["-M", "pc"] + qemu[1:],
        "qemu-microvm": qemu[:1] + ["-M", "microvm"] + qemu[1:],
    }[case]


def one_run(cmd, timeout):
    """(seconds to the prompt or None, KVM counters then, exit status)."""
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    seen, t_prompt, counters = b"", None, {}
    while time.monotonic() - start < timeout:
        r, _, _ = select.select([p.stdout], [], [], 1.0)
        if not r:
            if p.poll() is not None:
                break
            continue
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            break
        seen = (seen + chunk)[-4096:]
        if PROMPT in seen:
            t_prompt = time.monotonic() - start
            counters = kvm_counters(p.pid)
            break
    try:
        p.stdin.write(b"poweroff -f\n")
        p.stdin.flush()
    except OSError:
        pass
    try:
        status = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        status = p.wait()
    return t_prompt, counters, status


def grub_image(kernel, initrd, tmp):
    cfg = os.path.join(tmp, "grub.cfg")
    with open(cfg, "w") as f:
        f.write("set timeout=0\nset default=0\nmenuentry Linux {\n"
                "    set gfxpayload=text\n"
                f"    linux /{os.path.basename(kernel)} {CMDLINE}\n"
                f"    initrd /{os.path.basename(initrd)}\n    boot\n}}\n")
    img = os.path.join(tmp, "grub-linux.img")
    subprocess.run(["bash", os.path.join(ROOT, "test/firmware/mkgrub.sh"), "--cfg", cfg,
                    img, kernel, initrd], check=True,
                   env=dict(os.environ, GRUB_MODULES="linux"))
    return img


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="vmm,vmm-grub,qemu-pc,qemu-microvm")
    ap.add_argument("--kernel", default="/vmlinuz")
    ap.add_argument("--initrd")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--require-all", action="store_true")
    a = ap.parse_args()
    if os.path.isdir("/sys/module/kvm_pvm"):
        print("bench/linux.py: this KVM (kvm_pvm) emulates ring-0 code: a boot takes "
              "hours; run it in a nested VM", file=sys.stderr)
        return 2
    if not os.path.isdir(DEBUGFS) and os.geteuid() == 0:
        subprocess.run(["mount", "-t", "debugfs", "none", "/sys/kernel/debug"],
                       stderr=subprocess.DEVNULL)
    tmp = tempfile.mkdtemp(prefix="vmm-linux-bench.")
    kernel = os.path.realpath(a.kernel)
    initrd = a.initrd or os.path.join(tmp, "initramfs.gz")
    if not a.initrd:
        subprocess.run([os.path.join(ROOT, "guest/linux/mkinitramfs.sh"), initrd], check=True)
    cases = a.only.split(",")
    grub = grub_image(kernel, initrd, tmp) if "vmm-grub" in cases else None
    results, failed = {}, 0
    print(f"# kernel {kernel}, command line '{CMDLINE}', {a.runs} runs per case", flush=True)
    for case in cases:
        for i in range(a.runs):
            t, c, status = one_run(commands(case, kernel, initrd, grub), a.timeout)
            results.setdefault(case, []).append((t, c))
            failed += t is None
            extra = " ".join(f"{k}={v}" for k, v in c.items())
            print(f"{case} run {i + 1}: " + (f"prompt after {t:.2f} s" if t else
                  "NO PROMPT") + f", status {status}; {extra}", flush=True)
    print(f"\n{'case':14} {'prompt s (median, min-max)':28} {'exits':>9} {'io':>8} "
          f"{'mmio':>7} {'halt':>7} {'emulated':>9}")
    for case, rs in results.items():
        ts = [t for t, _ in rs if t]
        if not ts:
            print(f"{case:14} no prompt in {len(rs)} runs")
            continue
        med = lambda k: int(statistics.median([c.get(k, 0) for t, c in rs if t]))
        print(f"{case:14} {statistics.median(ts):6.2f} ({min(ts):.2f}-{max(ts):.2f}), "
              f"{len(ts)}/{len(rs)} ok{'':5} {med('exits'):9} {med('io_exits'):8} "
              f"{med('mmio_exits'):7} {med('halt_exits'):7} {med('insn_emulation'):9}")
    subprocess.run(["rm", "-rf", tmp])
    return 1 if a.require_all and failed else 0


if __name__ == "__main__":
    sys.exit(main())
