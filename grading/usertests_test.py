#!/usr/bin/env python3
"""Boot the system, run the in-guest suite `usertests`, report each test.

usage: usertests_test.py [--cpus N] [--mem SIZE] [--full] [--runs K]
                         [--timeout SECONDS] [NAME...]

Runs `usertests -q` (the whole suite with --full; only the tests whose
names start with one of NAMEs when given) K times in a row in one boot,
and prints one line per guest test and run:

    check usertests pipe_eof_after_writers_close: OK
    check usertests file_link_counts: FAILED: link f g: nlink is 1, want 2

then the wall time of each run and "N passed, M failed".  A test that
never reports (the guest hangs in it) or during which the kernel panics
is FAILED with that reason, and so is every test the run did not reach.
Exit status 0 only when every test of every run passed.

Time limits are multiplied by GRADE_TIMEOUT_SCALE, as in every grader.
"""

import argparse
import re
import sys
import time

from gradelib import Machine, Panicked, TestFailure, TimedOut

RESULT = re.compile(r"^test (\S+): (OK|FAILED.*)\n", re.M)
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed\n", re.M)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cpus", type=int, default=3, help="harts (default 3)")
    p.add_argument("--mem", default="128M", help="guest memory (128M)")
    p.add_argument("--full", action="store_true",
                   help="the whole suite, not just the quick tests")
    p.add_argument("--runs", type=int, default=1,
                   help="run the suite this many times in one boot")
    p.add_argument("--timeout", type=float, default=300,
                   help="seconds one guest test may take (300)")
    p.add_argument("names", nargs="*", help="test names or prefixes")
    return p.parse_args()


def usertests_command(args, flags=""):
    words = ["usertests"] + ([] if args.full else ["-q"])
    if flags:
        words.append(flags)
    return " ".join(words + args.names)


def one_run(m, args, names):
    """Run usertests once; return [(name, result)] for every test in
    names (and the final leak check), in order, and the wall time."""
    start = time.time()
    results = []
    m.send(usertests_command(args) + "\n")
    pending = list(names) + ["leak_check"]
    try:
        while pending:
            got = m.expect(RESULT, timeout=args.timeout)
            name, result = got.group(1), got.group(2)
            results.append((name, result))
            if name in pending:
                pending.remove(name)
        m.expect(SUMMARY, timeout=60)
        m.wait_prompt(timeout=60)
    except (TimedOut, Panicked) as e:
        why = ("the kernel panicked" if isinstance(e, Panicked) else
               "no result in %gs: hung" % args.timeout)
        if pending:
            results.append((pending[0], "FAILED: %s (%s)" % (why, e)))
            results += [(n, "FAILED: not run") for n in pending[1:]]
        else:
            results.append(("summary", "FAILED: %s (%s)" % (why, e)))
        return results, time.time() - start, False
    return results, time.time() - start, True


def main():
    args = parse_args()
    passed = failed = 0
    times = []
    try:
        with Machine(cpus=args.cpus, mem=args.mem) as m:
            m.wait_prompt(timeout=120)
            listing = m.run(usertests_command(args, "-l"), timeout=60)
            names = [w for w in listing.split() if re.match(r"^\w+$", w)]
            if not names:
                print("check usertests: FAILED: no tests listed:\n" + listing)
                return 1
            for run in range(args.runs):
                results, seconds, alive = one_run(m, args, names)
                times.append(seconds)
                for name, result in results:
                    print("check usertests %s: %s" % (name, result))
                    if result == "OK":
                        passed += 1
                    else:
                        failed += 1
                sys.stdout.flush()
                if not alive:
                    break
    except TestFailure as e:
        print("check usertests: FAILED: %s" % e)
        failed += 1
    for run, seconds in enumerate(times):
        print("usertests run %d of %d at CPUS=%d: %.1fs" %
              (run + 1, args.runs, args.cpus, seconds))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
