#!/usr/bin/env python3
# QEMU's side of bench/lib/snapshot.sh, through QMP on a UNIX socket:
#   qemu_snapshot.py save SOCK FILE      migrate "exec:cat > FILE" on the QEMU
#                                        listening on SOCK, wait until done,
#                                        print "total_ms downtime_ms bytes", quit it
#   qemu_snapshot.py migrate SOCK URI     the same with migrate URI (another QEMU's
#                                        -incoming): "total_ms downtime_ms bytes"
#   qemu_snapshot.py restore SOCK -- QEMU-ARGS...
#                                        start QEMU (its args include
#                                        -incoming), print the ms from spawn
#                                        until QMP says "running", quit it
import json, os, socket, subprocess, sys, time


def connect(path, deadline):
    s = socket.socket(socket.AF_UNIX)
    while True:
        try:
            s.connect(path)
            break
        except OSError:
            if time.monotonic() > deadline:
                sys.exit("qemu_snapshot: no QMP on " + path)
            time.sleep(0.0005)
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
            sys.exit("qemu_snapshot: QMP closed during " + cmd)
        r = json.loads(line)
        if "error" in r:
            sys.exit("qemu_snapshot: %s: %s" % (cmd, r["error"].get("desc")))
        if "return" in r:
            return r["return"]


def save(sock, out):
    migrate(sock, "exec:cat > " + out, out)


def migrate(sock, uri, out=None):
    f = connect(sock, time.monotonic() + 10)
    qmp(f, "migrate", uri=uri)
    while True:
        r = qmp(f, "query-migrate")
        if r.get("status") in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.002)
    qmp(f, "quit")
    if r["status"] != "completed":
        sys.exit("qemu_snapshot: migration " + r["status"])
    size = os.path.getsize(out) if out else r["ram"]["transferred"]
    print(r["total-time"], r.get("downtime", ""), size)


def restore(sock, args):
    t0 = time.monotonic()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    f = connect(sock, t0 + 30)
    while qmp(f, "query-status")["status"] != "running":
        if time.monotonic() > t0 + 60:
            sys.exit("qemu_snapshot: never running")
        time.sleep(0.0005)
    ms = (time.monotonic() - t0) * 1000
    qmp(f, "quit")
    p.wait()
    print("%.3f" % ms)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "save":
        save(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 4 and sys.argv[1] == "migrate":
        migrate(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 5 and sys.argv[1] == "restore" and sys.argv[3] == "--":
        restore(sys.argv[2], sys.argv[4:])
    else:
        sys.exit("usage: qemu_snapshot.py save SOCK FILE | migrate SOCK URI | restore SOCK -- QEMU-ARGS...")
