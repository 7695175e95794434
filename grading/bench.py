#!/usr/bin/env python3
"""Run /bin/bench under exact instruction counting and print its report,
then measure what an idle guest costs the host.

QEMU runs one hart with -icount shift=0,sleep=off, so every guest
instruction counts as one tick of rdinstret and results repeat from run to
run.  `make bench` runs this; arguments pick benchmarks (see user/bench.c;
"idle" is the host-side one below).

The boot figures: /bin/bench boot, which prints the instructions since
power-on less idle time, at the first prompt of a guest with 128 MiB and
of one with 2 GiB: what it costs to boot, and how that grows with RAM.

The idle figure: a 4-hart guest, booted normally (no -icount), left at
its prompt; after it settles, the host CPU time QEMU uses over 10 seconds,
as a percentage of one host core.  It depends on the host, so it is
printed with its own method, not as a guest instruction count.
"""

import os
import sys
import time

from gradelib import Machine

IDLE_HARTS = 4
IDLE_SETTLE, IDLE_WINDOW = 3, 10        # seconds


def cpu_seconds(pid):
    """User and system CPU time the process pid has used, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_cost():
    with Machine(cpus=IDLE_HARTS) as m:
        m.wait_prompt(timeout=120)
        time.sleep(IDLE_SETTLE)
        used, start = cpu_seconds(m.proc.pid), time.time()
        time.sleep(IDLE_WINDOW)
        used = cpu_seconds(m.proc.pid) - used
        percent = 100 * used / (time.time() - start)
    print("%-22s %8.2f %% of a host core   (%d harts at the prompt, "
          "%d s; target <= 0.5)" % ("idle guest", percent, IDLE_HARTS,
                                    IDLE_WINDOW))


BOOT_SIZES = ("128M", "2G")


def in_guest(command, mem=None):
    """Run /bin/bench with command's arguments under -icount, one hart;
    print what it prints."""
    with Machine(cpus=1, mem=mem, extra=("-icount", "shift=0,sleep=off")) as m:
        m.expect(r"^\$ ", timeout=120)
        out = m.run("bench " + command, timeout=900)
        print(out, end="")
        m.send("halt\n")
        m.wait_exit(60)


def main():
    names = sys.argv[1:]
    guest = [n for n in names if n not in ("idle", "boot")]
    if guest or not names:
        in_guest(" ".join(guest))
    if "boot" in names or not names:
        for mem in BOOT_SIZES:
            in_guest("boot", mem)
    if "idle" in names or not names:
        if not os.path.exists("/proc/self/stat"):
            print("idle guest: not measured (no /proc on this host)")
        else:
            idle_cost()
    return 0


if __name__ == "__main__":
    sys.exit(main())
