#!/usr/bin/env python3
"""The grader of the cow lab: `make grade` runs it in a lab tree, and
`python3 labs/cow/grade.py` runs it from the tree root.

Three guests:

  cow        runs labs/cow/user/cowtest.c, one command per case; cowtest
             judges each case itself and prints "ok" or "FAILED: why", and
             the readonly case's kills are checked on the console
  cost       runs labs/cow/user/cowbench.c on one hart with exact
             instruction counting (-icount, as make bench and make
             cowbench do): the pages one fork of a 32 MiB process takes
             are graded, the instructions are printed
  usertests  `usertests -q`, which must pass in full
  handin     time.txt

Run `python3 labs/cow/grade.py -h` for the options (filters, -v, -j).
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "grading"))

from gradelib import (Runner, TestFailure, check_time, end_part,  # noqa: E402
                      run_tests, shell_script, test)

r = Runner()

ICOUNT = ("-icount", "shift=0,sleep=off")
BENCH_MIB = 32
BENCH_PAGES = BENCH_MIB * 1024 * 1024 // 4096      # 8192 pages touched
PAGE_LIMIT = 100            # pages one fork of it may take


def show(text):
    """text, indented, for a failure message ("(nothing)" if empty)."""
    if not text.strip():
        return "    (nothing)"
    return "\n".join("    " + line for line in text.rstrip().splitlines())


# ---- cow: cowtest's cases -------------------------------------------------------

CASES = ["private", "big", "many", "copyout", "readonly", "race", "forkfail",
         "free"]


@test(0, "cow: run cowtest's cases", timeout=300)
def test_cow_run():
    r.run_qemu(shell_script(["cowtest " + c for c in CASES]), timeout=290)


def case_ok(case, what, hint):
    """Fail unless `cowtest case` printed its ok line: with cowtest's own
    words if it printed FAILED, and with the hint either way."""
    command = "cowtest " + case
    out = r.output_of(command)
    failed = re.search(r"^cowtest: %s: FAILED: (.*)$" % case, out, re.M)
    if failed:
        raise TestFailure("%r checks that %s, and failed:\n    %s\n%s\n"
                          "It printed:\n%s" %
                          (command, what, failed[1], hint, show(out)))
    if not re.search(r"^cowtest: %s: ok\b" % case, out, re.M):
        raise TestFailure("%r checks that %s, and printed no verdict: was "
                          "it killed, or did it hang?\n%s\nIt printed:\n%s" %
                          (command, what, hint, show(out)))
    return out


@test(5, "cow: parent and child each see only their own stores",
      parent=test_cow_run)
def test_private():
    case_ok("private", "after fork, a store by either process to a global "
            "in .data or .bss, the heap or the stack is seen by that "
            "process only",
            "A copy-on-write page must be copied at the first store by "
            "either side, and the copy mapped writable in the storer's "
            "table only (kernel/mem/vm.c:uvm_fault).")


@test(10, "cow: a process holding 60% of free memory can fork",
      parent=test_cow_run)
def test_big():
    case_ok("big", "a process that has stored to 60% of the free pages can "
            "fork, and that parent and child then each store to a few "
            "pages and see their own data",
            "fork must share the parent's pages (kernel/mem/vm.c:uvmcopy), "
            "not copy them: copying 60% of free memory cannot succeed.")


@test(8, "cow: eight children of a large process live at once; thirty more "
      "one by one", parent=test_cow_run)
def test_many():
    case_ok("many", "a process holding a quarter of free memory can have "
            "eight children alive at once, each storing to its own ninth of "
            "the pages, then fork thirty more, one after another, and get "
            "all its memory back",
            "A page shared by nine processes must keep a count of nine, "
            "drop one each time a process copies it or exits, and be freed "
            "at the last: then free memory comes back to what it was.")


@test(8, "cow: read() from a file and a pipe into a shared page changes the "
      "reader's copy only", parent=test_cow_run)
def test_copyout():
    case_ok("copyout", "read() from a file into the heap and from a pipe "
            "into .bss, in pages the child shares with its parent, lands in "
            "the reader's copy, whole pages copied, and nowhere else",
            "The kernel writes user memory only through copyout "
            "(kernel/mem/vm.c), which needs PTE_W: for a copy-on-write page "
            "it must break the sharing first, as a store fault would.")


@test(6, "cow: text, read-only data and the guard page stay unwritable "
      "after fork", parent=test_cow_run)
def test_readonly():
    out = case_ok("readonly", "stores to text, read-only data and the "
                  "stack's guard page still kill a forked child, and read() "
                  "into text or read-only data still fails with EFAULT",
                  "Only pages that were writable become copy-on-write: "
                  "text and read-only data are shared as they are, and the "
                  "guard page has no PTE_U.")
    tries = re.findall(r"^cowtest: readonly: a child stores to (.*) at "
                       r"0x([0-9a-f]+)$", out, re.M)
    for what, addr in tries:
        kill = (r"^pid \d+ cowtest: store page fault at address 0x0*%x, "
                r"pc 0x[0-9a-f]+: killed$" % int(addr, 16))
        if not re.search(kill, out, re.M):
            raise TestFailure("'cowtest readonly': the child that stored to "
                              "%s at 0x%s died without the kernel's kill "
                              "line for a store page fault at that address."
                              "\nIt printed:\n%s" % (what, addr, show(out)))
    if len(tries) != 3:
        raise TestFailure("'cowtest readonly' tried %d stores; expected 3 "
                          "(text, read-only data, guard page).\nIt printed:"
                          "\n%s" % (len(tries), show(out)))


@test(6, "cow: stores to the same shared pages on several harts at once",
      parent=test_cow_run)
def test_race():
    case_ok("race", "six children and their parent, on three harts, "
            "storing to the same 32 shared pages at once, twenty times, each "
            "see their own data, and every page is freed exactly once",
            "A store fault that copies a shared page drops one reference "
            "to it, and two processes may do that to one page at the same "
            "moment: the count must change atomically (or under the "
            "allocator's lock), and only the one that drops the last "
            "reference may free the page.")


@test(5, "cow: a fork that runs out of memory partway loses nothing",
      parent=test_cow_run)
def test_forkfail():
    out = r.output_of("cowtest forkfail")
    if re.search(r"^pid \d+ cowtest: out of memory for a page", out, re.M):
        raise TestFailure(
            "'cowtest forkfail' was killed for want of a page while no page "
            "was free, storing after forks that had failed partway.  Those "
            "forks left its pages marked copy-on-write, but shared with "
            "nobody (a count of 1): such a page must be made writable in "
            "place, not copied.\nIt printed:\n%s" % show(out))
    case_ok("forkfail", "fork of a process whose page tables alone need "
            "over 500 pages, with 0 to 252 pages free, fails with ENOMEM "
            "and gives back every page and every reference it took",
            "When uvmcopy fails partway, what it mapped in the child must be "
            "unmapped, dropping each reference it added; the parent's pages "
            "stay copy-on-write, and its next store to each, finding it no "
            "longer shared, must not need a new page.")


@test(6, "cow: exit, exec and sbrk shrinking drop references; free memory "
      "back to its baseline", parent=test_cow_run)
def test_free():
    case_ok("free", "processes that share pages and then exit, exec, are "
            "killed or shrink their heaps give every page back, and that a "
            "shrink never frees a page another process still maps",
            "Every path that unmaps a user page (uvmunmap, uvmfree) must drop "
            "one reference, and free the page only when it was the last.")


end_part("cow")

# ---- cost: what a fork of 32 MiB takes -------------------------------------------


@test(0, "cost: run cowbench (one hart, exact instruction counting)",
      timeout=300)
def test_cost_run():
    with r.boot(cpus=1, extra=ICOUNT) as m:
        m.run("cowbench %d" % BENCH_MIB, timeout=280)


@test(10, "cost: a fork of a process with 32 MiB of heap takes page tables, "
      "not copies", parent=test_cost_run)
def test_cost():
    command = "cowbench %d" % BENCH_MIB
    out = r.output_of(command)
    m = re.search(r"^cowbench: per fork: (\d+) instructions, (\d+) pages$",
                  out, re.M)
    if not m:
        raise TestFailure("%r printed no figures (a line \"cowbench: per "
                          "fork: N instructions, M pages\"); was it killed?\n"
                          "It printed:\n%s" % (command, show(out)))
    instructions, pages = int(m[1]), int(m[2])
    print("cost: cowbench measured one fork of a process with %d MiB of "
          "heap: %d instructions, %d pages" % (BENCH_MIB, instructions, pages),
          flush=True)
    if pages > PAGE_LIMIT:
        raise TestFailure(
            "%r: one fork of a process that has stored to all %d pages of "
            "its %d MiB heap took %d free pages; expected at most %d.\n"
            "Copying every page takes more than %d.  With copy-on-write, "
            "fork takes the child's page tables (about 20 for this process), "
            "its trapframe, and a copy of the few pages the two processes "
            "store to before fork returns (a stack page or two): about 25.\n"
            "It printed:\n%s" % (command, BENCH_PAGES, BENCH_MIB, pages,
                                 PAGE_LIMIT, BENCH_PAGES, show(out)))


end_part("cost")

# ---- usertests -------------------------------------------------------------------


@test(0, "usertests: run usertests -q", timeout=700)
def test_usertests_run():
    with r.boot() as m:
        m.run("usertests -q", timeout=600)


@test(10, "usertests: usertests -q passes in full", parent=test_usertests_run)
def test_usertests():
    out = r.output_of("usertests -q")
    failed = re.findall(r"^test \S+: FAILED.*$", out, re.M)
    if failed or not re.search(r"^ALL TESTS PASSED$", out, re.M):
        raise TestFailure(
            "usertests -q did not pass%s\n%s\nRun the failing test alone in "
            "make qemu (usertests NAME); fork, exec, sbrk and exit are all "
            "exercised there, and so is every leak check." %
            (":" if failed else " (no \"ALL TESTS PASSED\"); the end of its "
             "output:", show("\n".join(failed) if failed else
                             "\n".join(out.splitlines()[-15:]))))


end_part("usertests")

# ---- hand-in ---------------------------------------------------------------------


@test(1, "handin: time.txt")
def test_time():
    check_time()


end_part("handin")

run_tests()
