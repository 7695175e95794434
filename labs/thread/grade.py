#!/usr/bin/env python3
"""The grader of the thread lab: `make grade` runs it in a lab tree, and
`python3 labs/thread/grade.py` runs it from the tree root.

Guests with three harts (labs/thread/lab.mk) run the lab's probes, each
of which judges its own cases and prints "PROG: CASE: ok" or
"PROG: CASE: FAILED: why":

  uthread   labs/thread/user/uthreadtest.c: user-level threads
  kthread   labs/thread/user/threadtest.c: thread_create, thread_join and
            the shared address space
  sync      labs/thread/user/synctest.c: futex_wait/futex_wake, the mutex
            and the barrier
  usertests the base system's tests still pass
  handin    time.txt

Run `python3 labs/thread/grade.py -h` for the options (filters, -v, -j).
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "grading"))

from gradelib import (Runner, TestFailure, check_time, end_part,  # noqa: E402
                      run_tests, shell_script, test)

r = Runner()


def show(text):
    """text, indented, for a failure message ("(nothing)" if empty)."""
    if not text.strip():
        return "    (nothing)"
    return "\n".join("    " + line for line in text.rstrip().splitlines())


def expect_ok(prog, case, what, hint):
    """Fail unless `prog case` printed its ok line; say what it checks,
    what it printed, and where to look."""
    command = "%s %s" % (prog, case)
    out = r.output_of(command)
    failed = re.findall(r"^%s: %s: FAILED: (.*)$" % (prog, case), out, re.M)
    if failed:
        raise TestFailure("%r checks that %s.\nIt failed: %s\nIt printed:\n"
                          "%s\n%s" % (command, what, "\n  and: ".join(failed),
                                      show(out), hint))
    if not re.search(r"^%s: %s: ok$" % (prog, case), out, re.M):
        raise TestFailure("%r (which checks that %s) printed no verdict: "
                          "was it killed, or did the guest hang?  It "
                          "printed:\n%s\n%s" % (command, what, show(out),
                                                hint))


# ---- uthread: user-level threads ---------------------------------------------

UTHREAD_CASES = ["order", "sregs", "locals", "reuse"]
UTHREAD_HINT = ("Look at user/lib/uthread_switch.S and user/lib/uthread.c "
                "(uthread_create, uthread_run, uthread_yield, uthread_exit).")


@test(0, "uthread: run uthreadtest's cases", timeout=120)
def test_uthread_run():
    r.run_qemu(shell_script(["uthreadtest " + c for c in UTHREAD_CASES]),
               timeout=110)


@test(4, "uthread: threads start in their function and take turns",
      parent=test_uthread_run)
def test_uthread_order():
    expect_ok("uthreadtest", "order", "three threads that yield run round "
              "robin, each starting in its function", UTHREAD_HINT)


@test(5, "uthread: s0..s11 keep their values across a switch",
      parent=test_uthread_run)
def test_uthread_sregs():
    expect_ok("uthreadtest", "sregs", "each of s0..s11, loaded with a "
              "thread's own value, still holds it after uthread_yield while "
              "other threads ran", "uthread_switch must store and load ra, "
              "sp and all twelve s registers, at the offsets of struct "
              "uthread_context.")


@test(3, "uthread: a function's variables survive its yields",
      parent=test_uthread_run)
def test_uthread_locals():
    expect_ok("uthreadtest", "locals", "a C function with fourteen "
              "variables live across yields (the compiler keeps them in "
              "s registers) computes what it computes without threads",
              UTHREAD_HINT)


@test(3, "uthread: exited threads free their slots",
      parent=test_uthread_run)
def test_uthread_reuse():
    expect_ok("uthreadtest", "reuse", "UTHREAD_MAX threads can exist, no "
              "more, and their slots are free again once they exit by "
              "uthread_exit or by returning", UTHREAD_HINT)


end_part("uthread")

# ---- kthread: kernel threads ----------------------------------------------------

KTHREAD_CASES = ["create", "parallel", "sbrk", "many", "join", "fault"]
KTHREAD_HINT = ("Look at thread_create and thread_join in "
                "kernel/proc/proc.c, and at wait(), which must leave "
                "threads to thread_join.")


@test(0, "kthread: run threadtest's cases", timeout=180)
def test_kthread_run():
    r.run_qemu(shell_script(["threadtest " + c for c in KTHREAD_CASES]),
               timeout=170)


@test(5, "kthread: a thread runs fn(arg) on its stack, in shared memory",
      parent=test_kthread_run)
def test_kthread_create():
    expect_ok("threadtest", "create", "a new thread starts at fn with arg "
              "in a0 and sp at the stack given, writes memory its creator "
              "reads, and thread_join returns its id and exit status",
              "The new thread's trapframe needs epc, a0 and sp set, and "
              "the thread must share its creator's struct aspace (with a "
              "trapframe slot of its own: aspace_map_trapframe).  " +
              KTHREAD_HINT)


@test(3, "kthread: threads run at once on several harts",
      parent=test_kthread_run)
def test_kthread_parallel():
    expect_ok("threadtest", "parallel", "three threads run together, "
              "spinning on a flag their creator sets", KTHREAD_HINT)


@test(5, "kthread: sbrk and page faults in a shared address space",
      parent=test_kthread_run)
def test_kthread_sbrk():
    expect_ok("threadtest", "sbrk", "memory one thread adds with sbrk is "
              "there for the others, threads growing and touching the heap "
              "at once lose no bytes, and shrinking shared memory fails "
              "with EBUSY", "sz lives in the shared struct aspace: do "
              "your threads share their creator's, or copy it?  " +
              KTHREAD_HINT)


@test(4, "kthread: created and joined threads free what they took",
      parent=test_kthread_run)
def test_kthread_many():
    expect_ok("threadtest", "many", "30 rounds of 6 threads leave the "
              "free memory as it was, and a 16th thread at once fails "
              "with EAGAIN", "A joined thread's slot, trapframe and "
              "trapframe slot must be freed (freeproc does it when "
              "thread_join reaps it), and thread_create must return the "
              "error that allocproc or aspace_map_trapframe gives.  " +
              KTHREAD_HINT)


@test(4, "kthread: wait is for processes, thread_join for threads",
      parent=test_kthread_run)
def test_kthread_join():
    expect_ok("threadtest", "join", "wait() reaps only child processes "
              "(ECHILD when only threads are left), thread_join only "
              "threads the caller created (ESRCH otherwise), and a bad "
              "stack or function gets EINVAL", KTHREAD_HINT)


@test(3, "kthread: a faulting thread dies alone",
      parent=test_kthread_run)
def test_kthread_fault():
    expect_ok("threadtest", "fault", "a thread killed for a fault is "
              "joined with status -1 while its creator goes on",
              KTHREAD_HINT)


end_part("kthread")

# ---- sync: futexes, mutex, barrier -------------------------------------------------

SYNC_CASES = ["futex", "mutex", "barrier"]


@test(0, "sync: run synctest's cases", timeout=240)
def test_sync_run():
    r.run_qemu(shell_script(["synctest " + c for c in SYNC_CASES]),
               timeout=230)


@test(4, "sync: futex_wait sleeps only while the word is unchanged",
      parent=test_sync_run)
def test_sync_futex():
    expect_ok("synctest", "futex", "futex_wait returns at once with "
              "EAGAIN when the word differs, EINVAL for a misaligned "
              "address, and a waiter sleeps until woken",
              "Look at kernel/proc/futex.c.")


@test(6, "sync: the mutex excludes (no lost updates, one inside)",
      parent=test_sync_run)
def test_sync_mutex():
    expect_ok("synctest", "mutex", "four threads adding 20000 times each "
              "to one counter under the mutex count every addition, one "
              "thread inside at a time, and nobody sleeps for ever",
              "Look at mutex_lock and mutex_unlock in user/lib/tsync.c: "
              "taking the mutex must be one atomic step (an amoswap or "
              "a compare-and-swap), and an unlock must wake a sleeper.")


@test(6, "sync: the barrier holds everyone, and loses no wake-up",
      parent=test_sync_run)
def test_sync_barrier():
    expect_ok("synctest", "barrier", "four threads meeting at one barrier "
              "for 1000 rounds never pass it early and never sleep "
              "through the last arrival of a round",
              "Look at barrier_wait in user/lib/tsync.c and at "
              "futex_wait in kernel/proc/futex.c: between reading the "
              "round and sleeping, can the round end unseen?")


end_part("sync")

# ---- usertests ---------------------------------------------------------------------


@test(0, "usertests: run usertests -q", timeout=600)
def test_usertests_run():
    with r.boot() as m:
        m.run("usertests -q", timeout=580)


@test(5, "usertests: all pass", parent=test_usertests_run)
def test_usertests_pass():
    r.match(r"^ALL TESTS PASSED$", no=[r"^test .*: FAILED"])


end_part("usertests")

# ---- hand-in -------------------------------------------------------------------------


@test(1, "handin: time.txt")
def test_time():
    check_time()


end_part("handin")

run_tests()
