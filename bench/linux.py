#!/usr/bin/env python3
"""bench/linux.py: time from start to a Linux shell prompt, vmm against QEMU.

    bench/linux.py [--runs N] [--only CASES] [--kernel FILE] [--initrd FILE]
                   [--timeout SECONDS] [--require-all]

Cases (comma-separated for --only): vmm (vmm's own boot protocol, the
--kernel path), vmm-vmlinux and qemu-pc-vmlinux (the same kernel
uncompressed by guest/linux/vmlinux.sh: vmm enters its startup_64, QEMU
-M pc its PVH entry; no decompressor in the guest), vmm-grub (SeaBIOS and GRUB 2 from a disk image made by
test/firmware/mkgrub.sh), qemu-pc (qemu-system-x86_64 -M pc -kernel) and
qemu-microvm (-M microvm -kernel), all with -accel kvm, the same kernel,
initramfs (guest/linux/mkinitramfs.sh) and command line, 256 MiB, one vCPU.
Each run starts the VM, reads its serial output until the busybox prompt,
notes the time, reads KVM's exit counters for that VM (debugfs, as root),
types poweroff -f and waits for the VM to end.  Results stream as they
come, one line per run, then a table of medians.  --require-all: exit 1
unless every run reached its prompt (the ten-boots target, make linux-boots).
Exits by reason: KVM's own counters (debugfs) for every VM, and, as root
with tracefs, a histogram of the kvm_exit tracepoint by hardware exit
reason and of kvm_pio by port (port I/O KVM handles itself included), so
vmm and QEMU are compared on the same terms; vmm's --stats adds the exits
that reached vmm, by reason and by device.  Case vmm-restore: one vmm boot
saved at the prompt ({until:/ # }{save-and-quit:F}), then --runs restores
of it: ms from spawn to the first KVM_RUN (--stats, as bench/run's snapshot
rows) and to the answer of a typed command.
Needs a KVM that runs ring-0 code at speed (not kvm_pvm: run it in a nested VM).
"""
import argparse
import glob
import json
import os
import re
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
TRACEFS = "/sys/kernel/tracing"
COUNTERS = ("exits", "io_exits", "mmio_exits", "halt_exits", "irq_exits",
            "irq_window_exits", "insn_emulation", "hypercalls", "signal_exits",
            "request_irq_exits", "pf_fixed", "pf_taken", "pf_guest", "pf_emulate",
            "tlb_flush", "pages_4k", "pages_2m", "pages_1g")
# AMD SVM exit codes (the nested VM's KVM is kvm_amd)
SVM_EXITS = {0x400: "npf", 0x7b: "ioio", 0x60: "intr", 0x78: "hlt", 0x7c: "msr",
             0x72: "cpuid", 0x64: "vintr", 0x81: "vmmcall", 0x4e: "#pf",
             0x41: "#db", 0x46: "#ud", 0x4d: "#gp", 0x47: "#nm", 0x77: "pause",
             0x79: "invlpg", 0x6e: "rdtsc", 0x87: "rdtscp", 0x8d: "xsetbv",
             0x7f: "shutdown", 0x61: "nmi", 0x89: "wbinvd", 0x76: "invd",
             0x10: "cr0_write", 0x13: "cr3_write", 0x14: "cr4_write", 0x18: "cr8_write",
             0x0: "cr0_read", 0x3: "cr3_read", 0x4: "cr4_read", 0x65: "cr0_sel_write",
             0x401: "avic_ipi", 0x402: "avic_noaccel"}
HIST = {"kvm_exit": "hist:keys=exit_reason:sort=hitcount.descending:size=256",
        "kvm_pio": "hist:keys=port,rw:sort=hitcount.descending:size=1024"}


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


def trace_start():
    """Fresh kvm_exit and kvm_pio histograms; False without tracefs."""
    if not os.path.isdir(f"{TRACEFS}/events/kvm") and os.geteuid() == 0:
        subprocess.run(["mount", "-t", "tracefs", "none", TRACEFS], stderr=subprocess.DEVNULL)
    try:
        for ev, h in HIST.items():
            trig = f"{TRACEFS}/events/kvm/{ev}/trigger"
            with open(trig) as f:
                on = h.split(":")[1] in f.read()
            if on:
                with open(trig, "w") as f:
                    f.write("!" + h)
            with open(trig, "w") as f:
                f.write(h)
        return True
    except OSError:
        return False


def trace_read():
    """({exit reason name: count}, {(port, 'in'/'out'): count}) so far."""
    out = []
    for ev in HIST:
        d = {}
        try:
            with open(f"{TRACEFS}/events/kvm/{ev}/hist") as f:
                for line in f:
                    m = re.match(r"\{ (.*) \} hitcount:\s*(\d+)", line.strip())
                    if not m:
                        continue
                    k = dict(re.findall(r"(\w+):\s*([^,\s]+)", m.group(1)))
                    if ev == "kvm_exit":
                        code = int(k["exit_reason"])
                        key = SVM_EXITS.get(code, hex(code))
                    else:
                        key = (int(k["port"]), "out" if k["rw"] != "0" else "in")
                    d[key] = d.get(key, 0) + int(m.group(2))
        except OSError:
            pass
        out.append(d)
    return out


def top(d, n, fmt=str):
    return ", ".join(f"{fmt(k)} {v}" for k, v in
                     sorted(d.items(), key=lambda kv: -kv[1])[:n])


def port_name(k):
    return f"{k[1]} {k[0]:#x}"


def vmm_stats(path):
    """vmm's --stats: exits that reached vmm, by reason; port ranges by accesses."""
    try:
        with open(path) as f:
            j = json.load(f)
    except (OSError, ValueError):
        return None
    pio = {n: r["reads"] + r["writes"] for n, r in j.get("pio", {}).items()
           if isinstance(r, dict) and r.get("reads", 0) + r.get("writes", 0)}
    return {"exits": j.get("exits"), "by_reason": j.get("exits_by_reason", {}),
            "pio": pio, "first_run": j.get("monotonic_ns", {}).get("first_run"),
            "verify_ms": j.get("snapshot", {}).get("restore_verify_ms")}


def commands(case, kernel, initrd, grub_img, base_vmm=None, vmlinux=None):
    qemu = ["qemu-system-x86_64", "-accel", "kvm", "-cpu", "host", "-m", "256",
            "-smp", "1", "-nographic", "-no-reboot", "-kernel", kernel,
            "-initrd", initrd, "-append", CMDLINE]
    # the uncompressed kernel: vmm enters its startup_64, QEMU its PVH entry
    qemu_elf = [vmlinux if x == kernel else x for x in qemu]
    return {
        # vga.strategy as conf/linux.cfg has it: a console that scrolls reads the screen
        "vmm": [VMM, "--kernel", kernel, "--initrd", initrd, "--append", CMDLINE,
                "--set", "memory=256", "--set", "vga.strategy=ram", "--headless",
                "--dump", "none"],
        "vmm-grub": [VMM, "--boot", grub_img, "--set", "memory=256",
                     "--set", "vga.strategy=ram", "--headless", "--dump", "none"],
        "vmm-base": [base_vmm or VMM] + [
            "--kernel", kernel, "--initrd", initrd, "--append", CMDLINE,
            "--set", "memory=256", "--set", "vga.strategy=ram", "--headless",
            "--dump", "none"],
        "vmm-vmlinux": [VMM, "--kernel", vmlinux or "", "--initrd", initrd, "--append", CMDLINE,
                        "--set", "memory=256", "--set", "vga.strategy=ram", "--headless",
                        "--dump", "none"],
        "qemu-pc": qemu[:1] + ["-M", "pc"] + qemu[1:],
        "qemu-pc-vmlinux": qemu_elf[:1] + ["-M", "pc"] + qemu_elf[1:],
        "qemu-microvm": qemu[:1] + ["-M", "microvm"] + qemu[1:],
    }[case]


def one_run(cmd, timeout, prompt=PROMPT, typed=b"", stats=None):
    """One VM from spawn to PROMPT on its serial output (typed: written
    first): {"t": seconds or None, "kvm": KVM's counters then, "trace":
    (exit reasons, ports) or None, "status", "spawn_ns", "vmm": --stats}."""
    traced = trace_start()
    spawn_ns = time.monotonic_ns()
    start = time.monotonic()
    p = subprocess.Popen(cmd + (["--stats", stats] if stats else []),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    if typed:
        p.stdin.write(typed)
        p.stdin.flush()
    seen, r = b"", {"t": None, "kvm": {}, "trace": None, "spawn_ns": spawn_ns}
    while time.monotonic() - start < timeout:
        ready, _, _ = select.select([p.stdout], [], [], 1.0)
        if not ready:
            if p.poll() is not None:
                break
            continue
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            break
        seen = (seen + chunk)[-4096:]
        if prompt in seen:
            r["t"] = time.monotonic() - start
            r["kvm"] = kvm_counters(p.pid)
            r["trace"] = trace_read() if traced else None
            break
    try:
        p.stdin.write(b"poweroff -f\n")
        p.stdin.flush()
    except OSError:
        pass
    try:
        r["status"] = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        r["status"] = p.wait()
    r["vmm"] = vmm_stats(stats) if stats else None
    return r


def describe(case, i, r):
    """One run's lines, printed as it ends."""
    t, c = r["t"], r["kvm"]
    print(f"{case} run {i + 1}: " + (f"prompt after {t:.2f} s" if t else "NO PROMPT") +
          f", status {r['status']}; " + " ".join(f"{k}={v}" for k, v in c.items()),
          flush=True)
    if r["trace"]:
        reasons, ports = r["trace"]
        print(f"  kvm_exit by reason ({sum(reasons.values())}): {top(reasons, 12)}")
        print(f"  kvm_pio by port ({sum(ports.values())}): {top(ports, 14, port_name)}")
    v = r["vmm"]
    if v:
        print(f"  vmm --stats: {v['exits']} exits to vmm ({top(v['by_reason'], 8)}); "
              f"port ranges: {top(v['pio'], 10)}", flush=True)


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
    ap.add_argument("--only", default="vmm,qemu-pc,qemu-microvm,vmm-grub,vmm-restore,"
                    "vmm-vmlinux,qemu-pc-vmlinux")
    ap.add_argument("--kernel", default="/vmlinuz")
    ap.add_argument("--initrd")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--require-all", action="store_true")
    ap.add_argument("--base-vmm", help="another vmm binary (a build before a change): "
                    "adds case vmm-base, its direct boot, run beside the others")
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
    if a.base_vmm:
        cases.insert(1 if cases and cases[0] == "vmm" else 0, "vmm-base")
    grub = grub_image(kernel, initrd, tmp) if "vmm-grub" in cases else None
    vmlinux = None
    if any(c.endswith("vmlinux") for c in cases):
        vmlinux = os.path.join(tmp, "vmlinux")
        subprocess.run([os.path.join(ROOT, "guest/linux/vmlinux.sh"), kernel, vmlinux],
                       check=True)
    results, failed = {}, 0
    print(f"# kernel {kernel}, command line '{CMDLINE}', {a.runs} runs per case", flush=True)
    if "vmm-restore" in cases:
        snap = os.path.join(tmp, "prompt.snap")
        subprocess.run(commands("vmm", kernel, initrd, grub) + [
            "--timeout", str(int(a.timeout)),
            "--keys", "{until:/ # }{save-and-quit:%s}" % snap],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, timeout=a.timeout + 30)
        if not os.path.exists(snap):
            print("vmm-restore: the boot saved no snapshot at the prompt", flush=True)
            failed += 1
            cases.remove("vmm-restore")
    # run i of every case before run i + 1 of any: a shared host's load falls on all
    for i in range(a.runs):
        for case in cases:
            stats = os.path.join(tmp, f"{case}-{i}.json") if case.startswith("vmm") else None
            if case == "vmm-restore":
                # the shell waits at its prompt: a typed sum answers once it runs
                r = one_run([VMM, "--restore", snap, "--headless", "--dump", "none"],
                            a.timeout, b"42\r\n", b"echo $((6*5+12))\n", stats)
                fr = (r["vmm"] or {}).get("first_run")
                r["first_run_ms"] = (fr - r["spawn_ns"]) / 1e6 if fr else None
                r["verify_ms"] = (r["vmm"] or {}).get("verify_ms")
                print(f"vmm-restore run {i + 1}: first KVM_RUN "
                      f"{r['first_run_ms'] or 0:.1f} ms after spawn (its RAM checked "
                      f"meanwhile in {r['verify_ms'] or 0:.0f} ms), answer to a typed "
                      f"command after " + (f"{r['t'] * 1e3:.1f} ms" if r["t"] else "NONE") +
                      f", status {r['status']}", flush=True)
            else:
                r = one_run(commands(case, kernel, initrd, grub, a.base_vmm, vmlinux), a.timeout,
                            stats=stats)
                describe(case, i, r)
            results.setdefault(case, []).append(r)
            failed += r["t"] is None
    print(f"\n{'case':14} {'prompt s (median, min-max)':30} {'exits':>7} {'io':>7} "
          f"{'mmio':>6} {'halt':>6} {'npf':>7} {'intr':>6} {'emulated':>8} "
          f"{'x pc':>5} {'x microvm':>9}")
    med_t = {}
    for case, rs in results.items():
        ok = [r for r in rs if r["t"]]
        if ok:
            med_t[case] = statistics.median([r["t"] for r in ok])
    for case, rs in results.items():
        ok = [r for r in rs if r["t"]]
        if case == "vmm-restore":
            fr = [r["first_run_ms"] for r in rs if r.get("first_run_ms")]
            ans = [r["t"] * 1e3 for r in ok]
            if fr:
                print(f"{case:14} spawn to first KVM_RUN {statistics.median(fr):.1f} ms "
                      f"({min(fr):.1f}-{max(fr):.1f}); to a typed command's answer "
                      + (f"{statistics.median(ans):.0f} ms" if ans else "never") +
                      f" (median of {len(rs)})")
            continue
        if not ok:
            print(f"{case:14} no prompt in {len(rs)} runs")
            continue
        med = lambda k: int(statistics.median([r["kvm"].get(k, 0) for r in ok]))
        tr = lambda k: int(statistics.median([(r["trace"] or ({}, {}))[0].get(k, 0)
                                              for r in ok]))
        ratio = lambda other: (f"{med_t[case] / med_t[other]:.2f}" if other in med_t
                               else "-")
        ts = [r["t"] for r in ok]
        print(f"{case:14} {med_t[case]:6.2f} ({min(ts):.2f}-{max(ts):.2f}), "
              f"{len(ok)}/{len(rs)} ok{'':4} {med('exits'):7} {med('io_exits'):7} "
              f"{med('mmio_exits'):6} {med('halt_exits'):6} {tr('npf'):7} {tr('intr'):6} "
              f"{med('insn_emulation'):8} {ratio('qemu-pc'):>5} {ratio('qemu-microvm'):>9}")
    subprocess.run(["rm", "-rf", tmp])
    return 1 if a.require_all and failed else 0


if __name__ == "__main__":
    sys.exit(main())
