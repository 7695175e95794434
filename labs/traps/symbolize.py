#!/usr/bin/env python3
"""Name the frames of a user backtrace (the traps lab).

    python3 labs/traps/symbolize.py user/bin/PROG [console.txt]

Reads the kernel's output (a file, or pasted on standard input and ended
with Ctrl-D), finds the "user backtrace:" lines that follow a kill
message, and prints each frame with its function and source line, from
addr2line on the program given, which must be the one that faulted:

    #0  0x103a  level_c     labs/traps/user/faultchain.c:50
    #1  0x10f0  level_b     labs/traps/user/faultchain.c:72
    ...

Frame #0 is the faulting pc; the others are return addresses, looked up
one byte back so that the line shown is the call's, not the next one's.
"""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
FRAME = re.compile(r"^\s*#(\d+)\s+(0x[0-9a-fA-F]+)\s*$")


def addr2line():
    """The tool chain's addr2line, named after the Makefile's compiler."""
    out = subprocess.run(["make", "-s", "--no-print-directory",
                          "print-kernel-cc"], cwd=ROOT, capture_output=True,
                         text=True).stdout.split()
    if out and out[0].endswith("gcc"):
        return out[0][:-len("gcc")] + "addr2line"
    return "addr2line"


def frames(text):
    """[(number, address)] of every frame line after "user backtrace:"."""
    found, inside = [], False
    for line in text.splitlines():
        if line.strip() == "user backtrace:":
            inside = True
            continue
        m = FRAME.match(line)
        if inside and m:
            found.append((int(m[1]), int(m[2], 16)))
        else:
            inside = False
    return found


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.strip().splitlines()[2].strip())
    program = sys.argv[1]
    text = open(sys.argv[2]).read() if len(sys.argv) == 3 else sys.stdin.read()
    found = frames(text)
    if not found:
        sys.exit("no \"user backtrace:\" lines followed by frames found")
    lookups = ["0x%x" % (a if n == 0 else a - 1) for n, a in found]
    out = subprocess.run([addr2line(), "-f", "-e", program] + lookups,
                         capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    for i, (n, address) in enumerate(found):
        function, where = lines[2 * i], lines[2 * i + 1]
        where = os.path.relpath(where, ROOT) if where.startswith("/") else where
        print("#%-2d 0x%-6x  %-12s %s" % (n, address, function, where))


if __name__ == "__main__":
    main()
