#!/usr/bin/env python3
"""Runs vmm with its serial output on a pipe, a FIFO or a terminal that
test/integration/serial.sh controls, and reports what happened.

  serialcheck.py pipe PREFIX ACTION VMM-ARGS...
      stdout is a one-page pipe that nobody reads.  ACTION:
        term      once the guest shows SEROUT-BUSY (it found the UART busy),
                  SIGTERM
        wait      nothing: vmm must end by itself (--timeout)
        read      once the guest shows SEROUT-BUSY, read everything
        late-read once vmm says it is waiting for the reader, read everything
        late-int  once vmm says it is waiting for the reader, SIGINT
      The guest's screen is watched with SIGUSR1 dumps on stderr.
  serialcheck.py pty PREFIX VMM-ARGS...
      stdout is a raw-mode terminal; everything that reaches it is kept
  serialcheck.py ui-fifo PREFIX FIFO VMM-ARGS...
      the terminal UI in a pty, serial.output a FIFO that nobody reads;
      once the UI shows SEROUT-BUSY, Ctrl-A x; once the UI has left the
      terminal, the FIFO is read (into PREFIX.fifo)

Prints "status N" (or "status hung" when vmm had to be killed after
GUARD seconds: a hang guard, not a timing check) and, for pipe, "seen
yes|no" (whether what ACTION waits for came), for ui-fifo "seen yes|no
left|stayed" (and whether the UI left the terminal after Ctrl-A x).
PREFIX.out gets what reached the output, PREFIX.err vmm's stderr.
"""
import fcntl
import os
import select
import signal
import subprocess
import sys
import termios
import time
import tty

GUARD = 60 * int(os.environ.get("HANG_X", "1"))  # x3 in the nested VM (test/lib.sh)
F_SETPIPE_SZ = 1031
MARK = b"SEROUT-BUSY"


def finish(p, prefix, out, extra=""):
    try:
        status = p.wait(timeout=GUARD)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        status = "hung"
    with open(prefix + ".out", "wb") as f:
        f.write(out)
    print("status", status)
    if extra:
        print(extra)


def usr1_blocked(pid):
    """vmm blocks SIGUSR1 (for its signalfd) early in main; before, it kills."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("SigBlk:"):
                    return int(line.split()[1], 16) & (1 << (signal.SIGUSR1 - 1))
    except OSError:
        pass
    return False


def wait_stderr(p, prefix, text, usr1):
    """Until stderr shows text; with usr1, SIGUSR1 dumps the screen there."""
    deadline = time.monotonic() + GUARD
    while usr1 and p.poll() is None and not usr1_blocked(p.pid):
        time.sleep(0.01)
    while p.poll() is None and time.monotonic() < deadline:
        if usr1:
            p.send_signal(signal.SIGUSR1)
        time.sleep(0.05)
        with open(prefix + ".err", "rb") as f:
            if text in f.read():
                return True
    return False


def read_all(fd, p):
    """Everything until the writers are gone (or the hang guard)."""
    data = b""
    deadline = time.monotonic() + GUARD
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            if p.poll() is not None:
                return data
            select.select([fd], [], [], 0.05)
            continue
        except OSError:  # a pty master after the last slave closed
            return data
        if not chunk:
            return data
        data += chunk
    return data


def run_pipe(prefix, action, args):
    r, w = os.pipe()
    fcntl.fcntl(w, F_SETPIPE_SZ, 4096)
    err = open(prefix + ".err", "wb")
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=w, stderr=err)
    os.close(w)
    late = action.startswith("late-")
    seen = action != "wait" and wait_stderr(
        p, prefix, b"waiting for the reader" if late else MARK, not late)
    out = b""
    if seen and action in ("term", "late-int"):
        p.send_signal(signal.SIGTERM if action == "term" else signal.SIGINT)
    elif seen and action in ("read", "late-read"):
        os.set_blocking(r, False)
        out = read_all(r, p)
    finish(p, prefix, out, "seen " + ("yes" if seen else "no"))
    os.close(r)


def spawn_pty(args, winsize=None):
    m, s = os.openpty()
    tty.setraw(s)
    if winsize:
        fcntl.ioctl(s, termios.TIOCSWINSZ, winsize)
    p = subprocess.Popen(args, stdin=s if winsize else subprocess.DEVNULL,
                         stdout=s, stderr=subprocess.PIPE,
                         env=dict(os.environ, TERM="xterm-256color"))
    os.close(s)
    os.set_blocking(m, False)
    return m, p


def run_pty(prefix, args):
    m, p = spawn_pty(args)
    out = read_all(m, p)
    finish(p, prefix, out)
    with open(prefix + ".err", "wb") as f:
        f.write(p.stderr.read())


def run_ui_fifo(prefix, fifo, args):
    os.mkfifo(fifo)
    r = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    fcntl.fcntl(r, F_SETPIPE_SZ, 4096)
    m, p = spawn_pty(args, bytes([30, 0, 100, 0, 0, 0, 0, 0]))  # 30 x 100
    screen, busy = b"", False
    deadline = time.monotonic() + GUARD
    while p.poll() is None and time.monotonic() < deadline and not busy:
        select.select([m], [], [], 0.05)
        try:
            screen += os.read(m, 65536)
        except (BlockingIOError, OSError):
            pass
        busy = MARK in screen
    left = False
    if busy:
        os.write(m, b"\x01x")
        while p.poll() is None and time.monotonic() < deadline and not left:
            select.select([m], [], [], 0.05)
            try:
                screen += os.read(m, 65536)
            except (BlockingIOError, OSError):
                pass
            left = b"\x1b[?1049l" in screen    # back from the alternate screen
    with open(prefix + ".fifo", "wb") as f:
        f.write(read_all(r, p) if left else b"")
    screen += read_all(m, p)
    finish(p, prefix, screen, "seen %s %s" % ("yes" if busy else "no",
                                               "left" if left else "stayed"))
    with open(prefix + ".err", "wb") as f:
        f.write(p.stderr.read())
    os.close(r)


def main():
    mode, prefix = sys.argv[1], sys.argv[2]
    if mode == "pipe":
        run_pipe(prefix, sys.argv[3], sys.argv[4:])
    elif mode == "pty":
        run_pty(prefix, sys.argv[3:])
    elif mode == "ui-fifo":
        run_ui_fifo(prefix, sys.argv[3], sys.argv[4:])
    else:
        sys.exit("serialcheck.py: unknown mode " + mode)


main()
