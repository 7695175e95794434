#!/usr/bin/env python3
"""The grader of the sched lab: `make grade` runs it in a lab tree, and
`python3 labs/sched/grade.py` runs it from the tree root.

Two guests, each with one hart (labs/sched/lab.mk), run
labs/sched/user/schedtest.c, one command per case:

  share    the call: setshare's result, EINVAL for bad shares, fork and
           exec keeping the share; schedtest judges these and prints ok
           or FAILED with the reason
  stride   the scheduler, measured: schedtest prints the CPU each
           process got, in ticks the kernel counted (cputicks), or how
           long sleep(1) took among hogs, and this grader judges the
           numbers against the shares, showing both
  handin   time.txt

Run `python3 labs/sched/grade.py -h` for the options (filters, -v, -j).
"""

import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "grading"))

from gradelib import (Runner, TestFailure, check_time, end_part,  # noqa: E402
                      run_tests, shell_script, test)

r = Runner()

RATIO_TOLERANCE = 0.10      # ratio: each process's part of the CPU, relative
LATE_TOLERANCE = 0.20       # newcomer, sleeper: the same, more loosely
LATENCY_LIMIT = 5           # interactive: the median sleep(1), in ticks
NSAMPLE = 20                # interactive: the sleeps schedtest times


def show(text):
    """text, indented, for a failure message ("(nothing)" if empty)."""
    if not text.strip():
        return "    (nothing)"
    return "\n".join("    " + line for line in text.rstrip().splitlines())


def output(case):
    """What `schedtest CASE` printed, and the command."""
    command = "schedtest " + case
    return command, r.output_of(command)


def no_failures(case):
    """Fail with schedtest's own words if it printed FAILED for case."""
    command, out = output(case)
    failed = re.search(r"^schedtest: %s: FAILED: (.*)$" % case, out, re.M)
    if failed:
        raise TestFailure("%r failed: %s\nit printed:\n%s" %
                          (command, failed[1], show(out)))
    return command, out


# ---- share: the call ----------------------------------------------------------

CALL_CASES = ["setshare", "badshare", "inherit"]


@test(0, "share: run schedtest's cases of the call", timeout=120)
def test_call_run():
    r.run_qemu(shell_script(["schedtest " + c for c in CALL_CASES]),
               timeout=110)


def call_case(case, what):
    """Fail unless `schedtest case` printed its ok line."""
    command, out = no_failures(case)
    if not re.search(r"^schedtest: %s: ok\b" % case, out, re.M):
        raise TestFailure("%r printed no verdict (it checks that %s); was "
                          "it killed?  It printed:\n%s" %
                          (command, what, show(out)))


@test(3, "share: setshare returns the old share", parent=test_call_run)
def test_setshare():
    call_case("setshare", "a process starts with SHARE_DEFAULT and each "
              "setshare returns the share before it")


@test(3, "share: bad shares get EINVAL and change nothing",
      parent=test_call_run)
def test_badshare():
    call_case("badshare", "0, negative shares and shares above SHARE_MAX "
              "get -1 with EINVAL and leave the share as it was")


@test(3, "share: fork's child and exec's program keep the share",
      parent=test_call_run)
def test_inherit():
    call_case("inherit", "a child starts with its parent's share, exec "
              "keeps it, and a child's setshare leaves the parent's alone")


end_part("share")

# ---- stride: the scheduler, measured --------------------------------------------

MEASURE_CASES = ["ratio", "starve", "newcomer", "sleeper", "interactive"]


@test(0, "stride: run schedtest's measuring cases", timeout=300)
def test_measure_run():
    r.run_qemu(shell_script(["schedtest " + c for c in MEASURE_CASES]),
               timeout=290)


def setshare_failures(case, out):
    """schedtest's lines saying that a hog's setshare failed."""
    return re.findall(r"^schedtest: %s: (setshare\(\d+\) failed: .*)$" %
                      case, out, re.M)


def measured(case):
    """The shares and the ticks `schedtest CASE` measured: two lists."""
    command, out = no_failures(case)
    m = re.search(r"^schedtest: %s: shares ([\d ]+) ticks ([-\d ]+)$" % case,
                  out, re.M)
    if not m:
        raise TestFailure("%r printed no measurement (a line \"schedtest: "
                          "%s: shares ... ticks ...\"); was it killed?  It "
                          "printed:\n%s" % (command, case, show(out)))
    shares = [int(x) for x in m[1].split()]
    ticks = [int(x) for x in m[2].split()]
    if len(shares) != len(ticks) or sum(ticks) <= 0 or min(ticks) < 0:
        raise TestFailure("%r measured ticks %s: cputicks() must count the "
                          "ticks that find a process running (the starter's "
                          "yield does)\nit printed:\n%s" %
                          (command, " ".join(m[2].split()), show(out)))
    return shares, ticks


def table(shares, ticks, tolerance=None):
    """The measurement as lines: share, ticks, and the part of the CPU got
    and expected, with the range allowed if there is a tolerance."""
    lines = ["    share   ticks    got   expected" +
             (" (allowed)" if tolerance else "")]
    for share, tick in zip(shares, ticks):
        want = share / sum(shares)
        line = "    %5d   %5d  %5.1f%%   %5.1f%%" % (
            share, tick, 100 * tick / sum(ticks), 100 * want)
        if tolerance:
            line += "  (%.1f%% to %.1f%%)" % (100 * want * (1 - tolerance),
                                             100 * want * (1 + tolerance))
        lines.append(line)
    return "\n".join(lines)


def ratios(ticks, shares):
    """The ticks as ratios, scaled to add up to the shares' total, so that
    they read beside the shares: "1.02 : 1.96 : 3.02"."""
    scale = sum(shares) / sum(ticks)
    return " : ".join("%.2f" % (t * scale) for t in ticks)


def within(shares, ticks, tolerance):
    """Does each process's part of the CPU lie within tolerance (relative)
    of its part of the shares?"""
    return all(abs(t / sum(ticks) - s / sum(shares)) <=
               tolerance * s / sum(shares) for s, t in zip(shares, ticks))


def expect_shares(case, what, tolerance, hint):
    """Fail unless the CPU `schedtest case` measured follows the shares."""
    shares, ticks = measured(case)
    command, out = output(case)
    if within(shares, ticks, tolerance):
        return
    failures = setshare_failures(case, out)
    raise TestFailure(
        "%r %s.  Measured, in ticks cputicks() counted:\n%s\nas ratios: "
        "%s, expected %s (each part of the CPU within %d%% of its "
        "share's part)\n%s" %
        (command, what, table(shares, ticks, tolerance),
         ratios(ticks, shares), " : ".join(map(str, shares)),
         round(100 * tolerance),
         ("but setshare failed, so the shares were never set:\n%s" %
          show("\n".join(failures))) if failures else hint))


@test(10, "stride: shares 1:2:3 get the CPU in the ratio 1:2:3",
      parent=test_measure_run)
def test_ratio():
    expect_shares("ratio", "ran three processes with shares 1, 2 and 3 "
                  "that never wait, for 300 ticks", RATIO_TOLERANCE,
                  "Each tick should charge the running process its stride "
                  "(a constant divided by its share) in yield, and the "
                  "scheduler should run the runnable process with the "
                  "smallest pass (runq_pop).")


@test(4, "stride: a share-1 process among share-50 ones still runs",
      parent=test_measure_run)
def test_starve():
    shares, ticks = measured("starve")
    command, out = output("starve")
    failures = setshare_failures("starve", out)
    light = shares.index(min(shares))
    expected = sum(ticks) * shares[light] / sum(shares)
    if failures:
        raise TestFailure("%r: setshare failed, so the shares were never "
                          "set:\n%s" % (command, show("\n".join(failures))))
    if ticks[light] < 1:
        raise TestFailure(
            "%r: the share-%d process got no CPU in 400 ticks beside two "
            "share-%d ones: it starved (expected about %.0f ticks).  "
            "Measured:\n%s\nIs the stride of a large share still above 0?  "
            "If it is 0, that process's pass never grows and it always "
            "has the smallest." %
            (command, shares[light], max(shares), expected,
             table(shares, ticks)))


@test(5, "stride: a new process gets its share, not a monopoly",
      parent=test_measure_run)
def test_newcomer():
    expect_shares("newcomer", "ran two processes with share 2 for 200 "
                  "ticks, then forked one with share 4, and measured all "
                  "three for 150 ticks from then", LATE_TOLERANCE,
                  "If the newcomer got nearly all of it, its pass began far "
                  "below the others': a new process's pass should begin at "
                  "the pass the scheduler has reached (the smallest among "
                  "the runnable), not at 0.")


@test(5, "stride: a process waking from a long sleep gets its share, "
      "not a monopoly", parent=test_measure_run)
def test_sleeper():
    expect_shares("sleeper", "ran two processes with share 2 beside one "
                  "with share 4 that slept for the first 200 ticks, and "
                  "measured all three for 150 ticks from its waking",
                  LATE_TOLERANCE,
                  "If the sleeper got nearly all of it, it kept the small "
                  "pass it went to sleep with: a process that wakes should "
                  "not be behind the pass the scheduler has reached.")


@test(5, "stride: a share-1 process that sleeps runs promptly among hogs",
      parent=test_measure_run)
def test_interactive():
    command, out = no_failures("interactive")
    m = re.search(r"^schedtest: interactive: sleep\(1\) took ([\d ]*) ticks$",
                  out, re.M)
    if not m:
        raise TestFailure("%r printed no times (a line \"schedtest: "
                          "interactive: sleep(1) took ... ticks\"); was it "
                          "killed?  It printed:\n%s" % (command, show(out)))
    took = [int(x) for x in m[1].split()]
    failures = setshare_failures("interactive", out)
    if failures:
        raise TestFailure("%r: setshare failed, so the shares were never "
                          "set:\n%s" % (command, show("\n".join(failures))))
    if len(took) < NSAMPLE or statistics.median(took) > LATENCY_LIMIT:
        raise TestFailure(
            "%r: a process with share 1 timed sleep(1) %d times while "
            "three with share 10 computed, and took:\n    %s ticks\n"
            "expected %d times with a median of at most %d ticks (about "
            "3: a tick or two asleep, then the hogs whose pass equals its "
            "own go first); the median was %s.\n"
            "A process that sleeps uses almost no CPU: is it charged a "
            "whole stride each time it is picked, rather than for the "
            "ticks that find it running?  Or does it wake with a pass "
            "far above the others'?" %
            (command, NSAMPLE, " ".join(map(str, took)) or "(none)",
             NSAMPLE, LATENCY_LIMIT,
             statistics.median(took) if took else "-"))


end_part("stride")

# ---- hand-in -------------------------------------------------------------------


@test(1, "handin: time.txt")
def test_time():
    check_time()


end_part("handin")

run_tests()
