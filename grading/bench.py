#!/usr/bin/env python3
"""Run /bin/bench under exact instruction counting and print its report.

QEMU runs one hart with -icount shift=0,sleep=off, so every guest
instruction counts as one tick of rdinstret and results repeat from run to
run.  `make bench` runs this; arguments pick benchmarks (see user/bench.c).
"""

import sys

from gradelib import Machine

def main():
    args = " ".join(sys.argv[1:])
    with Machine(cpus=1, extra=("-icount", "shift=0,sleep=off")) as m:
        m.expect(r"^\$ ", timeout=120)
        out = m.run("bench " + args, timeout=900)
        print(out, end="")
        m.send("halt\n")
        m.wait_exit(60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
