#!/usr/bin/env python3
"""Checks an asciicast v2 file from vmm --record and replays it.

Usage: castcheck.py CAST [EXPECTED_TEXT_DUMP]
Checks the header, that every event is [time, "o", text] with strictly
growing times, replays the ANSI subset vmm writes (cursor position, SGR,
erase, cursor show/hide) on an 80x25 grid and compares the final screen
with the text dump (trailing blanks dropped).  Prints the number of events.
"""
import json
import re
import sys

TOKEN = re.compile(r'\x1b\[([0-9;?]*)([A-Za-z])|([^\x1b])', re.S)


def replay(events, w, h):
    grid = [[' '] * w for _ in range(h)]
    row = col = 0
    cursor_on = True
    for data in events:
        for m in TOKEN.finditer(data):
            if m.group(3) is not None:
                if col >= w:
                    raise ValueError('text past the last column')
                grid[row][col] = m.group(3)
                col += 1
                continue
            args, cmd = m.group(1), m.group(2)
            if cmd == 'H':
                p = [int(x) for x in args.split(';')] if args else [1, 1]
                row, col = p[0] - 1, p[1] - 1
                if not (0 <= row < h and 0 <= col < w):
                    raise ValueError('cursor outside the screen: ' + args)
            elif cmd == 'J' and args == '2':
                grid = [[' '] * w for _ in range(h)]
            elif cmd == 'm':
                pass
            elif cmd in 'hl' and args == '?25':
                cursor_on = cmd == 'h'
            else:
                raise ValueError('unexpected sequence %r' % m.group(0))
    return [''.join(r).rstrip() for r in grid], (row, col, cursor_on)


def main():
    lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    head = json.loads(lines[0])
    assert head['version'] == 2, head
    assert head['width'] == 80 and head['height'] == 25, head
    assert isinstance(head.get('timestamp'), int), head
    last = -1.0
    datas = []
    for n, line in enumerate(lines[1:], 2):
        ev = json.loads(line)
        assert isinstance(ev, list) and len(ev) == 3, 'line %d: %r' % (n, ev)
        t, kind, data = ev
        assert isinstance(t, float) and t > last, 'line %d: time %r after %r' % (n, t, last)
        assert kind == 'o' and isinstance(data, str) and data, 'line %d' % n
        last = t
        datas.append(data)
    assert datas, 'no events'
    screen, cur = replay(datas, head['width'], head['height'])
    if len(sys.argv) > 2:
        want = open(sys.argv[2], encoding='utf-8').read().split('\n')[:25]
        for r, (got, exp) in enumerate(zip(screen, want)):
            assert got == exp, 'row %d: got %r, expected %r' % (r, got, exp)
    print(len(datas), cur[0], cur[1], int(cur[2]))


if __name__ == '__main__':
    try:
        main()
    except (AssertionError, ValueError, KeyError, json.JSONDecodeError) as e:
        print('castcheck:', e)
        sys.exit(1)
