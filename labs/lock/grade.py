#!/usr/bin/env python3
"""The grader of the lock lab: `make grade` runs it in a lab tree, and
`python3 labs/lock/grade.py` runs it from the tree root.

Every guest has four harts.  The parts (README.md in this folder says
what each must do):

  lockstat   the statistics: the lockstat table, lockstattest's checks of
             the call (rows, a short array, bad arguments), counts that
             grow with work, contention that is counted
  allocator  kalloctest: the zone's lock taken ten times less often and
             the allocator's locks rarely found held, pages freed on one
             hart found by another, free memory back where it started;
             stress and the memory tests of usertests still pass
  handin     time.txt

Contention depends on how many of the guest's harts the host runs at
once, so the starter's allocator shows anything from 5 to 400 contended
acquisitions per 10,000 pages.  The zone-lock test (acquisitions, which
do not depend on timing) is what fails a starter reliably; the contention
test asks for at most MAX_CONTENDED_PER_10000, which per-hart caches meet
with room to spare (they measure 0).

Run `python3 labs/lock/grade.py -h` for the options (filters, -v, -j).
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "grading"))

from gradelib import (Runner, TestFailure, check_time,  # noqa: E402
                      end_part, run_tests, test)

r = Runner()

CPUS = 4
# labs/lock/user/kalloctest.c's goals (the same numbers).
ZONE_LOCK = "kmem"
MAX_ZONE_PER_100 = 20
MAX_CONTENDED_PER_10000 = 5
# Locks every rivet kernel has, by the names initlock gives them.
BASE_LOCKS = ["proc", "kmem", "bcache", "ftable", "itable", "log", "disk",
              "printf", "sleep lock"]

OUT = {}


def show(text):
    """text, indented, for a failure message ("(nothing)" if empty)."""
    if not text.strip():
        return "    (nothing)"
    return "\n".join("    " + line for line in text.rstrip().splitlines())


def not_implemented(command, out):
    """Fail at once, with a clear message, on the starter's stub."""
    if "function not implemented" in out:
        raise TestFailure("%r printed:\n%s\nlockstat() is still the "
                          "starter's stub (ENOSYS)" % (command, show(out)))


def output(command):
    """What command printed in its part's run."""
    if command not in OUT:
        raise TestFailure("%r did not run (the part's run failed: see its "
                          "test)" % command)
    return OUT[command]


def run_commands(commands, timeout):
    """Boot a guest with CPUS harts and run commands at its shell, keeping
    each one's output in OUT."""
    with r.boot(cpus=CPUS) as m:
        for command in commands:
            OUT[command] = m.run(command, timeout=timeout)


# ---- lockstat ----------------------------------------------------------------

ROW = re.compile(r"^(.+?)\s+(\d+)\s+(\d+)\s+(\d+)$")


def table(command):
    """The rows lockstat printed: {name: (acquires, contended, spins)}."""
    out = output(command)
    not_implemented(command, out)
    lines = out.splitlines()
    if not lines or not re.match(r"^lock\s+acquires\s+contended\s+spins$",
                                 lines[0]):
        raise TestFailure("%r printed:\n%s\nexpected the header \"lock  "
                          "acquires  contended  spins\" first" %
                          (command, show(out)))
    rows = {}
    for line in lines[1:]:
        m = ROW.match(line.rstrip())
        if m:
            rows[m[1]] = tuple(int(x) for x in m.group(2, 3, 4))
    return rows


def checks(command, part):
    """lockstattest's checks in out: fail with the first FAILED one."""
    out = output(command)
    not_implemented(command, out)
    failed = re.findall(r"^(.*): FAILED: (.*)$", out, re.M)
    if failed:
        raise TestFailure("%r:\n%s\n(labs/lock/user/lockstattest.c has the "
                          "checks)" % (command, "\n".join(
                              "    %s: %s" % f for f in failed)))
    if not re.search(r"^lockstattest %s: OK$" % part, out, re.M):
        raise TestFailure("%r printed:\n%s\nno line \"lockstattest %s: OK\"" %
                          (command, show(out), part))


LOCKSTAT_COMMANDS = ["lockstat", "lockstattest calls", "lockstattest grow",
                     "lockstattest contend", "lockstat proc bcache nosuch"]


@test(0, "lockstat: run lockstat and lockstattest", timeout=240)
def test_lockstat_run():
    run_commands(LOCKSTAT_COMMANDS, timeout=200)


@test(2, "lockstat: one row per lock name, with sane numbers",
      parent=test_lockstat_run)
def test_lockstat_table():
    rows = table("lockstat")
    missing = [name for name in BASE_LOCKS if name not in rows]
    if missing:
        raise TestFailure("'lockstat' printed:\n%s\nno row for %s: every lock "
                          "initlock names needs a row, from boot on" %
                          (show(output("lockstat")), ", ".join(missing)))
    for name, (acquires, contended, spins) in rows.items():
        if contended > acquires or spins < contended:
            raise TestFailure("'lockstat': the row %r has %d acquires, %d "
                              "contended, %d spins: a contended acquisition "
                              "is an acquisition, and it spun at least once"
                              % (name, acquires, contended, spins))
    idle = [name for name in ("proc", "bcache", "kmem") if rows[name][0] == 0]
    if idle:
        raise TestFailure("'lockstat': %s never acquired, after a boot that "
                          "ran init and the shell" % ", ".join(idle))


@test(3, "lockstat: the call's rows, a short array and bad arguments",
      parent=test_lockstat_run)
def test_lockstat_calls():
    checks("lockstattest calls", "calls")


@test(3, "lockstat: acquisitions grow with the work done",
      parent=test_lockstat_run)
def test_lockstat_grow():
    checks("lockstattest grow", "grow")
    first = table("lockstat")
    later = table("lockstat proc bcache nosuch")
    for name in ("proc", "bcache"):
        if name not in later:
            raise TestFailure("'lockstat proc bcache nosuch' printed:\n%s\n"
                              "no row %r" % (show(output(
                                  "lockstat proc bcache nosuch")), name))
        if later[name][0] <= first[name][0]:
            raise TestFailure("%r had %d acquires at the first 'lockstat' and "
                              "%d at a later one, after lockstattest forked "
                              "and wrote files" % (name, first[name][0],
                                                   later[name][0]))
    if not re.search(r"^lockstat: no lock named nosuch$",
                     output("lockstat proc bcache nosuch"), re.M):
        raise TestFailure("'lockstat proc bcache nosuch' did not say "
                          "\"lockstat: no lock named nosuch\"")


@test(2, "lockstat: contended acquisitions and spins are counted",
      parent=test_lockstat_run)
def test_lockstat_contend():
    checks("lockstattest contend", "contend")


end_part("lockstat")

# ---- allocator ---------------------------------------------------------------


@test(0, "kalloctest: run on four harts", timeout=420)
def test_kalloctest_run():
    run_commands(["kalloctest"], timeout=360)


def kalloctest_line(regex, what):
    out = output("kalloctest")
    m = re.search(regex, out, re.M)
    if m is None:
        not_implemented("kalloctest", out)
        raise TestFailure("'kalloctest' printed:\n%s\nno line with %s" %
                          (show(out), what))
    return m


def pages_of():
    m = kalloctest_line(r"^kalloctest contention: \d+ workers x \d+ rounds x "
                        r"\d+ pages = (\d+) pages$", "the number of pages")
    return int(m[1])


@test(4, "kalloctest: the zone's lock \"kmem\" is taken 10x less often",
      parent=test_kalloctest_run)
def test_zone_lock():
    pages = pages_of()
    m = kalloctest_line(r"^kalloctest contention: %s: (\d+) acquires" %
                        ZONE_LOCK, "the acquisitions of %r" % ZONE_LOCK)
    per100 = int(m[1]) * 100 // pages
    if per100 > MAX_ZONE_PER_100:
        raise TestFailure(
            "while kalloctest's workers allocated and freed %d pages, the "
            "zone's lock %r was taken %s times, %d per 100 pages; the goal "
            "is at most %d (the starter takes it twice a page, 200): most "
            "kalloc and kfree calls must be served by this hart's cache "
            "without the zone's lock" % (pages, ZONE_LOCK, m[1], per100,
                                         MAX_ZONE_PER_100))


@test(4, "kalloctest: the allocator's locks are rarely found held",
      parent=test_kalloctest_run)
def test_contention():
    pages = pages_of()
    m = kalloctest_line(r"^kalloctest contention: %s\*: (\d+) acquires, "
                        r"(\d+) contended" % ZONE_LOCK,
                        "the contended acquisitions of the %s* locks" %
                        ZONE_LOCK)
    acquires, contended = int(m[1]), int(m[2])
    if acquires < pages:
        raise TestFailure(
            "the locks named %s... were taken %d times while %d pages were "
            "allocated and freed: either acquisitions go uncounted, or the "
            "allocator's new locks have names that do not start with %r" %
            (ZONE_LOCK, acquires, pages, ZONE_LOCK))
    per10000 = contended * 10000 // pages
    if per10000 > MAX_CONTENDED_PER_10000:
        raise TestFailure(
            "the allocator's locks (%s...) were found held %d times in %d "
            "pages, %d per 10,000; the goal is at most %d (the starter's one "
            "lock: 5 to 400).  'lockstat' after 'kalloctest' shows which "
            "lock; look at when two harts take the same one" %
            (ZONE_LOCK, contended, pages, per10000, MAX_CONTENDED_PER_10000))


@test(3, "kalloctest: a page freed on one hart is found by another",
      parent=test_kalloctest_run)
def test_steal():
    out = output("kalloctest")
    m = re.search(r"^kalloctest steal: took \d+ pages of \d+ free; (\d+) still "
                  r"free$", out, re.M)
    if m and int(m[1]) <= 16:
        return
    lines = re.findall(r"^kalloctest steal: .*$", out, re.M)
    raise TestFailure(
        "'kalloctest steal' (workers on every hart free pages, then one "
        "process takes all memory; it may run out only when at most 16 pages "
        "are free anywhere) printed:\n%s" % show("\n".join(lines) or out))


@test(2, "kalloctest: free memory comes back to where it started",
      parent=test_kalloctest_run)
def test_free_memory():
    found = re.findall(r"^kalloctest (\w+): free pages (\d+) before, (\d+) "
                       r"after$", output("kalloctest"), re.M)
    if not found:
        raise TestFailure("'kalloctest' printed no \"free pages N before, M "
                          "after\" line:\n%s" % show(output("kalloctest")))
    for name, before, after in found:
        if before != after:
            raise TestFailure(
                "kalloctest %s: sysinfo counted %s free pages before and %s "
                "after, once every worker had exited: pages are lost, or "
                "the pages in the harts' caches are not counted as free" %
                (name, before, after))


@test(3, "stress: random system calls on four harts; nothing leaks",
      timeout=240)
def test_stress():
    with r.boot(cpus=CPUS) as m:
        out = m.run("stress 10", timeout=200)
    if (re.search(r"^stress: \d+ operations: OK$", out, re.M) is None or
            re.search(r"FAILED|^stress: worker|^stress: leaked", out, re.M)):
        raise TestFailure("'stress 10' on four harts printed:\n%s\n"
                          "expected \"stress: N operations: OK\"" %
                          show(out[-3000:]))


USERTESTS = "usertests -q mem_ sbrk_ lazy_ malloc_ proc_ leak_"


@test(3, "usertests: memory, processes and leaks still pass", timeout=420)
def test_usertests():
    with r.boot(cpus=CPUS) as m:
        out = m.run(USERTESTS, timeout=360)
    failed = re.findall(r"^test .*: FAILED.*$", out, re.M)
    if failed or not re.search(r"^ALL TESTS PASSED$", out, re.M):
        raise TestFailure("'%s' printed:\n%s" % (
            USERTESTS, show("\n".join(failed) or out[-3000:])))


end_part("allocator")

# ---- hand-in ------------------------------------------------------------------


@test(1, "handin: time.txt")
def test_time():
    check_time()


end_part("handin")

run_tests()
