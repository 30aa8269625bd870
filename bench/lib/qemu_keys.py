#!/usr/bin/env python3
# QEMU's side of the grub-keys rows of bench/lib/firmware.sh, through QMP
# on a UNIX socket; the screen is read from guest memory (pmemsave of the
# 4000 bytes at 0xb8000, the VGA text page GRUB's console draws in).
#   qemu_keys.py save SOCK FILE TEXT -- QEMU-ARGS...
#       start QEMU (its args include -qmp on SOCK), wait until TEXT shows on
#       its screen, 1 s more, migrate to "exec:cat > FILE", quit it
#   qemu_keys.py keys SOCK [--cap S] [--boot TEXT] KEY=TEXT... -- QEMU-ARGS...
#       start QEMU (its args include -incoming), wait for "running"; for each
#       KEY (a QMP qcode: down, up, ret) send it and time until TEXT shows
#       (TEXT "-" : until QEMU ends); print one "KEY ms" line per key.  A
#       key whose TEXT does not show within S seconds (default 300) prints
#       "KEY capped" and ends the run (QEMU quit).  --boot TEXT: QEMU boots
#       instead (no -incoming), and the keys start 1 s after TEXT shows: on
#       QEMU 7.2 here a VM restored with -incoming showed zeros at 0xb8000
#       (pmemsave and xp alike) and took no key
import json, os, socket, subprocess, sys, tempfile, time

POLL = 0.002  # seconds between screen reads


def connect(path, deadline):
    s = socket.socket(socket.AF_UNIX)
    while True:
        try:
            s.connect(path)
            break
        except OSError:
            if time.monotonic() > deadline:
                sys.exit("qemu_keys: no QMP on " + path)
            time.sleep(0.002)
    f = s.makefile("rw")
    f.readline()  # the greeting
    qmp(f, "qmp_capabilities")
    return f


def qmp(f, cmd, **args):
    f.write(json.dumps({"execute": cmd, "arguments": args} if args else {"execute": cmd}) + "\n")
    f.flush()
    while True:
        line = f.readline()
        if not line:
            raise EOFError(cmd)
        r = json.loads(line)
        if "error" in r:
            sys.exit("qemu_keys: %s: %s" % (cmd, r["error"].get("desc")))
        if "return" in r:
            return r["return"]


class Screen:
    def __init__(self, f):
        self.f = f
        fd, self.path = tempfile.mkstemp(prefix="qemu-keys-", suffix=".vga")
        os.close(fd)

    def text(self):
        qmp(self.f, "pmemsave", val=0xB8000, size=4000, filename=self.path)
        with open(self.path, "rb") as g:
            b = g.read()
        return "\n".join(
            "".join(chr(c) if 0x20 <= c < 0x7F else "." for c in b[r * 160:(r + 1) * 160:2])
            for r in range(25))

    def wait(self, text, deadline):
        while text not in self.text():
            if time.monotonic() > deadline:
                return False
            time.sleep(POLL)
        return True

    def close(self):
        os.unlink(self.path)


def start(sock, args):
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    return p, connect(sock, time.monotonic() + 60)


def save(sock, out, text, args):
    p, f = start(sock, args)
    scr = Screen(f)
    try:
        if not scr.wait(text, time.monotonic() + 900):
            sys.exit("qemu_keys: '%s' never showed:\n%s" % (text, scr.text()))
        time.sleep(1)
        qmp(f, "migrate", uri="exec:cat > " + out)
        while True:
            r = qmp(f, "query-migrate")
            if r.get("status") in ("completed", "failed", "cancelled"):
                break
            time.sleep(0.01)
        if r["status"] != "completed":
            sys.exit("qemu_keys: migration " + r["status"])
        qmp(f, "quit")
    finally:
        scr.close()
        p.wait()


def keys(sock, cap, pairs, args, first=None):
    p, f = start(sock, args)
    scr = Screen(f)
    try:
        if first and not scr.wait(first, time.monotonic() + 900):
            sys.exit("qemu_keys: '%s' never showed:\n%s" % (first, scr.text()))
        if first:
            time.sleep(1)
        t0 = time.monotonic()
        while qmp(f, "query-status")["status"] != "running":
            if time.monotonic() > t0 + 120:
                sys.exit("qemu_keys: never running")
            time.sleep(0.002)
        for key, text in pairs:
            t = time.monotonic()
            qmp(f, "send-key", keys=[{"type": "qcode", "data": key}])
            if text == "-":
                try:
                    while True:
                        qmp(f, "query-status")
                        time.sleep(POLL)
                except (EOFError, OSError):
                    pass
                p.wait()
            elif not scr.wait(text, t + cap):
                print("%s capped" % key, flush=True)
                break
            print("%s %.3f" % (key, (time.monotonic() - t) * 1000), flush=True)
        if p.poll() is None:
            qmp(f, "quit")
    finally:
        scr.close()
        p.wait()
    return p.returncode


if __name__ == "__main__":
    a = sys.argv
    if "--" not in a:
        sys.exit("usage: qemu_keys.py save SOCK FILE TEXT -- QEMU-ARGS... | keys SOCK [--cap S] [--boot TEXT] KEY=TEXT... -- QEMU-ARGS...")
    i = a.index("--")
    if a[1] == "save" and i == 5:
        save(a[2], a[3], a[4], a[i + 1:])
    elif a[1] == "keys" and i >= 4:
        cap, first, rest = 300.0, None, a[3:i]
        if rest[:1] == ["--cap"]:
            cap, rest = float(rest[1]), rest[2:]
        if rest[:1] == ["--boot"]:
            first, rest = rest[1], rest[2:]
        sys.exit(keys(a[2], cap, [x.split("=", 1) for x in rest], a[i + 1:], first) or 0)
    else:
        sys.exit("usage: qemu_keys.py save SOCK FILE TEXT -- QEMU-ARGS... | keys SOCK [--cap S] [--boot TEXT] KEY=TEXT... -- QEMU-ARGS...")
