#!/usr/bin/env python3
"""Run /bin/cowbench under exact instruction counting and print what it
prints: `make cowbench` (labs/cow/lab.mk) runs this, with the tree built.

  python3 labs/cow/cowbench.py [MiB]

Under a plain `make qemu`, QEMU's instruction counter follows the host's
clock rather than the guest's instructions.  Here, as in `make bench`, the
guest has one hart and QEMU counts every instruction it runs (-icount
shift=0,sleep=off), so the figures are instructions and repeat from run
to run.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "grading"))

from gradelib import Machine  # noqa: E402

ICOUNT = ("-icount", "shift=0,sleep=off")


def main():
    command = " ".join(["cowbench"] + sys.argv[1:2])
    with Machine(cpus=1, extra=ICOUNT) as m:
        m.wait_prompt(timeout=120)
        print(m.run(command, timeout=600), end="")
        m.send("halt\n")
        m.wait_exit(60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
