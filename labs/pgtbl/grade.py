#!/usr/bin/env python3
"""The grader of the pgtbl lab: `make grade` runs it in a lab tree, and
`python3 labs/pgtbl/grade.py` runs it from the tree root.

Each part boots one guest and runs the lab's test programs
(labs/pgtbl/user/) at its shell; the tests of the part then read what
they printed.  The parts (README.md in this folder says what each must
do):

  pgdump      the page-table dump: its format, the tree it shows, the
              permissions of every part of a process's address space,
              ranges, bad ranges
  ugetpid     the read-only page at USYSCALL: the right pid after fork and
              exec, read-only, freed at exit, shown by pgdump, no trap,
              the heap stopping below it
  superpages  2 MiB leaves mapped at the first touch of a whole aligned
              heap range: nothing before the touch, 4 KiB pages where a
              range is not whole or not empty, seen in the dump, data
              kept, fork, shrinking into one, exit and exec, the fallback
              to pages, and the memory tests of usertests
  handin      time.txt and answers-pgtbl.txt

Physical addresses differ from run to run; no test depends on them.

Run `python3 labs/pgtbl/grade.py -h` for the options (filters, -v, -j).
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "grading"))

from gradelib import (Runner, TestFailure, check_answers,  # noqa: E402
                      check_time, end_part, run_tests, shell_script, test)

r = Runner()

# include/addrspace.h and include/param.h
PGSIZE = 4096
SUPERPGSIZE = 2 << 20
MAXVA = 1 << 38
TRAMPOLINE = MAXVA - PGSIZE
TRAPFRAME = TRAMPOLINE - PGSIZE
USYSCALL = TRAPFRAME - PGSIZE
USTACKPAGES = 4
SPAN = {0: PGSIZE, 1: SUPERPGSIZE, 2: 1 << 30}   # what an entry maps


def lines(text):
    return [line.rstrip() for line in text.splitlines()]


def show(text):
    """text, indented, for a failure message ("(nothing)" if empty)."""
    if not text.strip():
        return "    (nothing)"
    return "\n".join("    " + line for line in text.rstrip().splitlines())


def not_implemented(command, out):
    """Fail at once, with a clear message, on a starter's stub."""
    if "function not implemented" in out:
        raise TestFailure("%r printed:\n%s\na call is still the starter's "
                          "stub (ENOSYS)" % (command, show(out)))


# ---- reading pgdump's output ------------------------------------------------

HEAD = re.compile(r"^pgdump: pid (\d+) \((.*)\), va 0x([0-9a-f]{10})-"
                  r"0x([0-9a-f]{10})$")
ENTRY = re.compile(r"^( *)(\d) (\d{3}) 0x([0-9a-f]{10})-0x([0-9a-f]{10}) "
                   r"(table|[r-][w-][x-][u-]) pa 0x([0-9a-f]+)$")
TAIL = re.compile(r"^pgdump: (\d+) entries$")


class Entry:
    def __init__(self, m, text):
        self.text = text
        self.indent = len(m[1])
        self.level = int(m[2])
        self.index = int(m[3])
        self.first = int(m[4], 16)
        self.last = int(m[5], 16)
        self.flags = m[6]
        self.pa = int(m[7], 16)

    @property
    def leaf(self):
        return self.flags != "table"


class Dump:
    def __init__(self, m):
        self.pid = int(m[1])
        self.name = m[2]
        self.lo = int(m[3], 16)
        self.hi = int(m[4], 16)
        self.entries = []

    def leaf_at(self, va):
        """The leaf that maps va, or None."""
        for e in self.entries:
            if e.leaf and e.first <= va <= e.last:
                return e
        return None


def dumps_in(command, out):
    """The dumps in a command's output, in order, each checked against
    the format (the header, one line per entry, the count)."""
    not_implemented(command, out)
    found, dump = [], None
    for line in lines(out):
        if dump is None:
            m = HEAD.match(line)
            if m:
                dump = Dump(m)
            continue
        m, t = ENTRY.match(line), TAIL.match(line)
        if m:
            dump.entries.append(Entry(m, line))
        elif t:
            if int(t[1]) != len(dump.entries):
                raise TestFailure("%r: the dump's last line says %s entries, "
                                  "but %d lines came before it" %
                                  (command, t[1], len(dump.entries)))
            found.append(dump)
            dump = None
        else:
            raise TestFailure("%r: this line of a dump is not in pgdump's "
                              "format:\n    %s\nexpected \"LEVEL INDEX "
                              "0xFIRST-0xLAST FLAGS pa 0xPA\" (README.md), "
                              "or the last line \"pgdump: N entries\"\n"
                              "the output:\n%s" % (command, line, show(out)))
    if dump is not None:
        raise TestFailure("%r: a dump has no last line \"pgdump: N "
                          "entries\":\n%s" % (command, show(out)))
    if not found:
        raise TestFailure("%r printed no dump (a line \"pgdump: pid N "
                          "(NAME), va 0x...-0x...\" and what follows):\n%s" %
                          (command, show(out)))
    return found


def check_tree(command, dump):
    """Each entry is indented for its level, lies where its index and its
    parent table say, overlaps the range asked for, and comes after its
    older siblings; every entry below level 2 has a table entry above
    it; leaves are neither 1 GiB nor W and X, and their physical
    addresses are aligned to their size."""
    parents = {3: None}        # the table entry each level hangs from
    last_index = {}

    def bad(entry, why):
        raise TestFailure("%r: in the dump, the entry\n    %s\n%s" %
                          (command, entry.text, why))

    for e in dump.entries:
        if e.level not in SPAN:
            bad(e, "has a level other than 2, 1 or 0")
        if e.indent != 2 * (2 - e.level):
            bad(e, "is indented %d spaces; level %d takes %d" %
                (e.indent, e.level, 2 * (2 - e.level)))
        parent = parents.get(e.level + 1) if e.level < 2 else None
        if e.level < 2 and (parent is None or parent.leaf):
            bad(e, "is at level %d but does not follow a level-%d table "
                "entry" % (e.level, e.level + 1))
        base = parent.first if parent else 0
        key = id(parent)
        if last_index.get(key, -1) >= e.index:
            bad(e, "does not come after the entry before it in the same "
                "table (indexes go up)")
        last_index[key] = e.index
        if e.first != base + e.index * SPAN[e.level] or \
                e.last != e.first + SPAN[e.level] - 1:
            bad(e, "should cover 0x%010x-0x%010x: index %d of a level-%d "
                "table whose entry 0 is at 0x%x" %
                (base + e.index * SPAN[e.level],
                 base + (e.index + 1) * SPAN[e.level] - 1, e.index, e.level,
                 base))
        if e.last < dump.lo or e.first > dump.hi:
            bad(e, "lies outside the range asked for, 0x%x-0x%x" %
                (dump.lo, dump.hi))
        if e.leaf and e.level == 2:
            bad(e, "is a 1 GiB leaf: rivet makes none")
        if e.leaf and "w" in e.flags and "x" in e.flags:
            bad(e, "is both writable and executable")
        if e.leaf and e.pa % SPAN[e.level] != 0:
            bad(e, "maps a physical address not aligned to its size")
        if e.level == 0 and not e.leaf:
            bad(e, "is a level-0 entry marked \"table\": a valid level-0 "
                "entry always maps a page")
        parents[e.level] = e
        for lower in range(e.level):
            parents.pop(lower, None)


def expect_leaf(command, dump, va, flags, what, level=0):
    e = dump.leaf_at(va)
    if e is None:
        raise TestFailure("%r: no leaf in the dump maps %s (0x%x)" %
                          (command, what, va))
    if e.flags != flags or e.level != level:
        raise TestFailure("%r: %s (0x%x) is mapped by\n    %s\nexpected a "
                          "level-%d leaf with flags %s" %
                          (command, what, va, e.text, level, flags))
    return e


def program_ok(command, out, name):
    """The test program's own verdict line for check name."""
    if not re.search(r"^%s: OK$" % re.escape(name), out, re.M):
        raise TestFailure("%r printed:\n%s\nexpected the line \"%s: OK\"" %
                          (command, show(out), name))


# ---- pgdump -----------------------------------------------------------------

PGDUMP_COMMANDS = ["ptdump", "ptdump top", "ptdump bad"]


@test(0, "pgdump: run ptdump", timeout=90)
def test_pgdump_run():
    r.run_qemu(shell_script(PGDUMP_COMMANDS))


def ptdump():
    """The dump of plain ptdump and its landmarks (name -> address)."""
    out = r.output_of("ptdump")
    marks = dict((m[1], int(m[2], 16)) for m in
                 re.finditer(r"^ptdump: (\w+) 0x([0-9a-f]+)$", out, re.M))
    pid = re.search(r"^ptdump: pid (\d+)$", out, re.M)
    marks["pid"] = int(pid[1]) if pid else None
    dumps = dumps_in("ptdump", out)
    return dumps[0], marks, out


@test(5, "pgdump: one line per entry, in the documented format, levels "
      "consistent", parent=test_pgdump_run)
def test_pgdump_format():
    dump, marks, out = ptdump()
    check_tree("ptdump", dump)
    if (dump.lo, dump.hi) != (0, MAXVA - 1):
        raise TestFailure("pgdump(0, MAXVA)'s first line shows the range "
                          "0x%x-0x%x; expected 0x0000000000-0x%010x" %
                          (dump.lo, dump.hi, MAXVA - 1))
    if dump.pid != marks["pid"] or dump.name != "ptdump":
        raise TestFailure("the dump's first line names pid %d (%s), but "
                          "ptdump's getpid() is %s" %
                          (dump.pid, dump.name, marks.get("pid")))
    tables = [e for e in dump.entries if not e.leaf]
    if len([e for e in tables if e.level == 2]) < 2:
        raise TestFailure("ptdump's root table should have at least two "
                          "valid entries (the program at the bottom, the "
                          "trampoline at the top):\n%s" % show(out))


@test(5, "pgdump: text R-X, rodata R--, data and stack RW-, all U; the "
      "guard page not U", parent=test_pgdump_run)
def test_pgdump_user():
    dump, marks, _ = ptdump()
    for name in ("text", "rodata", "data", "bss", "stack", "heap"):
        if name not in marks:
            raise TestFailure("ptdump did not print its %s address" % name)
    expect_leaf("ptdump", dump, marks["text"], "r-xu", "main's page (text)")
    expect_leaf("ptdump", dump, marks["rodata"], "r--u",
                "a string constant's page (rodata)")
    expect_leaf("ptdump", dump, marks["data"], "rw-u",
                "an initialised global's page (data)")
    expect_leaf("ptdump", dump, marks["bss"], "rw-u",
                "a zeroed global's page (bss)")
    heap = marks["heap"]
    for i in range(1, USTACKPAGES + 1):
        expect_leaf("ptdump", dump, heap - i * PGSIZE, "rw-u",
                    "stack page %d (below the heap's start 0x%x)" % (i, heap))
    expect_leaf("ptdump", dump, marks["stack"], "rw-u",
                "a local variable's page (stack)")
    expect_leaf("ptdump", dump, heap - (USTACKPAGES + 1) * PGSIZE, "rw--",
                "the guard page below the stack")
    if dump.leaf_at(0):
        raise TestFailure("ptdump: page 0 is mapped:\n    %s" %
                          dump.leaf_at(0).text)
    for va in range(PGSIZE, heap, PGSIZE):
        if dump.leaf_at(va) is None:
            raise TestFailure("ptdump: no leaf maps 0x%x, between the "
                              "program's start and its heap" % va)


@test(4, "pgdump: trampoline R-X and trapframe RW-, not U; nothing W and X; "
      "nothing else above the heap", parent=test_pgdump_run)
def test_pgdump_top():
    dump, marks, _ = ptdump()
    expect_leaf("ptdump", dump, TRAMPOLINE, "r-x-", "the trampoline")
    expect_leaf("ptdump", dump, TRAPFRAME, "rw--", "the trapframe")
    for e in dump.entries:
        if e.leaf and "w" in e.flags and "x" in e.flags:
            raise TestFailure("ptdump: a page is writable and executable:"
                              "\n    %s" % e.text)
        if e.leaf and e.first >= marks.get("heap", 0) and \
                e.first not in (TRAMPOLINE, TRAPFRAME, USYSCALL):
            raise TestFailure("ptdump: a page above the heap's end 0x%x "
                              "is mapped:\n    %s" % (marks["heap"], e.text))


@test(3, "pgdump: a range prints only the entries it overlaps",
      parent=test_pgdump_run)
def test_pgdump_range():
    out = r.output_of("ptdump top")
    dumps = dumps_in("ptdump top", out)
    dump = dumps[0]
    check_tree("ptdump top", dump)
    got = [(e.level, e.index, e.flags) for e in dump.entries]
    want = [(2, 255, "table"), (1, 511, "table"), (0, 510, "rw--"),
            (0, 511, "r-x-")]
    if (dump.lo, dump.hi) != (TRAPFRAME, MAXVA - 1) or got != want:
        raise TestFailure("'ptdump top', that is pgdump(TRAPFRAME, MAXVA), "
                          "printed:\n%s\nexpected the range 0x%010x-0x%010x "
                          "and four entries: the root's 255, its table's "
                          "511, then the trapframe (510) and the trampoline "
                          "(511)" % (show(out), TRAPFRAME, MAXVA - 1))


@test(3, "pgdump: bad ranges fail with EINVAL", parent=test_pgdump_run)
def test_pgdump_bad():
    out = r.output_of("ptdump bad")
    not_implemented("ptdump bad", out)
    got = [line for line in lines(out) if line.startswith("ptdump: pgdump(")]
    wrong = [line for line in got if not line.endswith("= -1: invalid argument")]
    if len(got) != 5 or wrong or "pgdump: pid" in out:
        raise TestFailure("'ptdump bad' printed:\n%s\nexpected each of the "
                          "five ranges (empty, backwards, past MAXVA) to be "
                          "refused with EINVAL (\"= -1: invalid argument\"), "
                          "printing nothing" % show(out))


end_part("pgdump")

# ---- ugetpid ----------------------------------------------------------------

UGETPID_COMMANDS = ["ugetpidtest pids", "ugetpidtest memory",
                    "ugetpidtest speed", "ugetpidtest dump",
                    "ugetpidtest write", "ptdump"]


@test(0, "ugetpid: run ugetpidtest", timeout=120)
def test_ugetpid_run():
    r.run_qemu(shell_script(UGETPID_COMMANDS))


def pid_lines(out, who):
    return [(int(m[1]), int(m[2])) for m in re.finditer(
        r"^ugetpidtest: %s getpid (\d+) ugetpid (-?\d+)$" % who, out, re.M)]


@test(4, "ugetpid: the right pid in a process and in its children after fork",
      parent=test_ugetpid_run)
def test_ugetpid_fork():
    out = r.output_of("ugetpidtest pids")
    parent, children = pid_lines(out, "parent"), pid_lines(out, "child")
    problem = None
    if len(parent) != 1 or len(children) != 4:
        problem = "expected a line for the parent and one for each of 4 children"
    elif any(p != u for p, u in parent + children):
        problem = "ugetpid() must return what getpid() returns"
    elif len({p for p, _ in parent + children}) != 5:
        problem = "each child must have a pid of its own"
    if problem:
        raise TestFailure("'ugetpidtest pids' printed:\n%s\n%s" %
                          (show(out), problem))


@test(3, "ugetpid: the right pid after exec", parent=test_ugetpid_run)
def test_ugetpid_exec():
    out = r.output_of("ugetpidtest pids")
    forked = re.search(r"^ugetpidtest: forked (\d+) to exec$", out, re.M)
    after = pid_lines(out, "after exec")
    if not forked or after != [(int(forked[1]), int(forked[1]))]:
        raise TestFailure("'ugetpidtest pids' printed:\n%s\nexpected the "
                          "child that execs to print its own pid twice "
                          "(\"after exec getpid N ugetpid N\"): exec builds a "
                          "new page table, which must map the process's page "
                          "too" % show(out))
    program_ok("ugetpidtest pids", out, "ugetpidtest pids")


@test(3, "ugetpid: the page is read-only: read() into it fails, a store kills",
      parent=test_ugetpid_run)
def test_ugetpid_readonly():
    out = r.output_of("ugetpidtest write")
    writer = pid_lines(out, "writer")
    if len(writer) != 1 or writer[0][0] != writer[0][1]:
        raise TestFailure("'ugetpidtest write' printed:\n%s\nugetpid() "
                          "must first read the right pid from the page" %
                          show(out))
    if "ugetpidtest: read() into the page: bad address" not in out:
        raise TestFailure("'ugetpidtest write' printed:\n%s\nexpected "
                          "read() into the page to fail with EFAULT: the "
                          "kernel must not write where the process may not"
                          % show(out))
    kill = re.compile(r"^pid %d ugetpidtest: store page fault at address "
                      r"0x0*%x, pc 0x[0-9a-f]+: killed$" %
                      (writer[0][0], USYSCALL), re.M)
    if not kill.search(out) or "FAILED" in out:
        raise TestFailure("'ugetpidtest write' printed:\n%s\nexpected the "
                          "store into the page at 0x%x to kill the process "
                          "with a store page fault" % (show(out), USYSCALL))


@test(3, "ugetpid: each process's page is freed when it exits",
      parent=test_ugetpid_run)
def test_ugetpid_freed():
    out = r.output_of("ugetpidtest memory")
    m = re.search(r"^ugetpidtest: free pages before (\d+) after (\d+) "
                  r"\((\d+) children\)$", out, re.M)
    if not m:
        raise TestFailure("'ugetpidtest memory' printed:\n%s\nexpected a "
                          "line with the free pages before and after" %
                          show(out))
    lost = int(m[1]) - int(m[2])
    if lost != 0:
        raise TestFailure("'ugetpidtest memory' printed:\n%s\n%d pages were "
                          "lost over %s processes that forked and exited: "
                          "is the usyscall page freed with the process?" %
                          (show(out), lost, m[3]))
    program_ok("ugetpidtest memory", out, "ugetpidtest memory")


@test(2, "ugetpid: pgdump shows the page at USYSCALL as r--u",
      parent=test_ugetpid_run)
def test_ugetpid_dump():
    out = r.output_of("ugetpidtest dump")
    dump = dumps_in("ugetpidtest dump", out)[0]
    check_tree("ugetpidtest dump", dump)
    expect_leaf("ugetpidtest dump", dump, USYSCALL, "r--u",
                "the usyscall page")
    whole = dumps_in("ptdump", r.output_of("ptdump"))[0]
    check_tree("ptdump", whole)
    expect_leaf("ptdump", whole, USYSCALL, "r--u", "the usyscall page")
    expect_leaf("ptdump", whole, TRAPFRAME, "rw--", "the trapframe")


@test(2, "ugetpid: much faster than getpid (no trap)",
      parent=test_ugetpid_run)
def test_ugetpid_speed():
    out = r.output_of("ugetpidtest speed")
    timer = pid_lines(out, "timer")
    m = re.search(r"^ugetpidtest: (\d+) calls: getpid (\d+), ugetpid (\d+) "
                  r"time units$", out, re.M)
    if len(timer) != 1 or timer[0][0] != timer[0][1] or not m:
        raise TestFailure("'ugetpidtest speed' printed:\n%s\nexpected "
                          "ugetpid to be right, then the times of both" %
                          show(out))
    slow, fast = int(m[2]), int(m[3])
    if fast * 5 > slow:
        raise TestFailure("'ugetpidtest speed' printed:\n%s\nugetpid should "
                          "take a small part of getpid's time: it is one load, "
                          "with no trap into the kernel" % show(out))


@test(2, "ugetpid: the heap stops below the page (sbrk to the top, touch "
      "its last page, exit)", timeout=120)
def test_ugetpid_heap():
    command = "ugetpidtest heap"
    r.run_qemu(shell_script([command]))
    out = r.output_of(command)
    m = re.search(r"^ugetpidtest: the heap ends at 0x([0-9a-f]+), USYSCALL "
                  r"is 0x([0-9a-f]+)$", out, re.M)
    if not m:
        raise TestFailure("%r printed:\n%s\nexpected a line with the "
                          "heap's highest end" % (command, show(out)))
    end = int(m[1], 16)
    if end > USYSCALL:
        raise TestFailure("%r printed:\n%s\nthe heap grew to 0x%x, over the "
                          "usyscall page at 0x%x: growproc's limit must be "
                          "USYSCALL now, not TRAPFRAME (a touch there would "
                          "hit the read-only page, and exit would free it as "
                          "heap)" % (command, show(out), end, USYSCALL))
    program_ok(command, out, command)


end_part("ugetpid")

# ---- superpages -------------------------------------------------------------

SUPERPAGE_COMMANDS = ["superpagetest lazy", "superpagetest map",
                      "superpagetest fork", "superpagetest shrink",
                      "superpagetest free", "superpagetest fallback"]
EXPECTED = re.compile(r"^superpagetest: heap 0x([0-9a-f]+)-0x([0-9a-f]+), "
                      r"superpages expected at 0x([0-9a-f]+)-0x([0-9a-f]+)$",
                      re.M)
COST = re.compile(r"^superpagetest: (.*) used (-?\d+) pages$", re.M)


@test(0, "superpages: run superpagetest", timeout=300)
def test_superpages_run():
    r.run_qemu(shell_script(SUPERPAGE_COMMANDS))


def expected_superpages(command, out):
    """The superpages the program's first heap line announces."""
    m = EXPECTED.search(out)
    if not m:
        raise TestFailure("%r printed:\n%s\nexpected a line \"superpagetest: "
                          "heap ...\" (did sbrk fail?)" % (command, show(out)))
    return list(range(int(m[3], 16), int(m[4], 16), SUPERPGSIZE))


def expect_superpages(command, dump, firsts):
    check_tree(command, dump)
    for va in firsts:
        expect_leaf(command, dump, va, "rw-u",
                    "the 2 MiB of heap at 0x%x" % va, level=1)


def costs(command, out):
    """What each step cost, in pages, as the program reports it."""
    return dict((m[1], int(m[2])) for m in COST.finditer(out))


def expect_cost(command, out, what, lo, hi, why):
    used = costs(command, out).get(what)
    if used is None:
        raise TestFailure("%r printed:\n%s\nexpected a line \"superpagetest: "
                          "%s used N pages\"" % (command, show(out), what))
    if not lo <= used <= hi:
        raise TestFailure("%r printed:\n%s\n%s used %d pages; expected "
                          "%s: %s" % (command, show(out), what, used,
                                      lo if lo == hi else "%d to %d" % (lo, hi),
                                      why))


def lazy_run():
    """superpagetest lazy's output, its two dumps and its heap's start."""
    command = "superpagetest lazy"
    out = r.output_of(command)
    dumps = dumps_in(command, out)
    m = re.search(r"^superpagetest: heap 0x([0-9a-f]+)-0x([0-9a-f]+) "
                  r"untouched$", out, re.M)
    if not m or len(dumps) != 2:
        raise TestFailure("%r printed:\n%s\nexpected the heap's range and "
                          "two dumps (did sbrk or pgdump fail?)" %
                          (command, show(out)))
    for dump in dumps:
        check_tree(command, dump)
    return command, out, dumps, int(m[1], 16)


def announced(out, what):
    return [int(a, 16) for a in re.findall(
        r"^superpagetest: %s expected at 0x([0-9a-f]+)$" % what, out, re.M)]


@test(4, "superpages: a large sbrk costs nothing; touching one byte maps "
      "its whole aligned 2 MiB range", parent=test_superpages_run)
def test_superpages_lazy():
    command, out, dumps, start = lazy_run()
    expect_cost(command, out, "an sbrk of 66 MiB", 0, 0,
                "sbrk only moves the heap's end; memory comes at the first "
                "touch")
    heap = (start + PGSIZE - 1) & ~(PGSIZE - 1)
    leaves = [e for e in dumps[0].entries if e.leaf and e.first >= heap]
    if leaves:
        raise TestFailure("%r: before any touch, the dump of the heap shows "
                          "a leaf:\n    %s\nan untouched heap maps nothing" %
                          (command, leaves[0].text))
    expect_cost(command, out, "touching a byte in a whole range", 512, 514,
                "512 pages of a superpage (and at most two tables): the "
                "range lies wholly inside the heap with nothing mapped in it")
    for va in announced(out, "superpage"):
        expect_leaf(command, dumps[1], va, "rw-u",
                    "the touched 2 MiB range at 0x%x" % va, level=1)


@test(3, "superpages: a range only partly inside the heap, or already "
      "holding pages, gets 4 KiB pages", parent=test_superpages_run)
def test_superpages_partial():
    command, out, dumps, _ = lazy_run()
    expect_cost(command, out, "touching the range at the heap's end", 1, 3,
                "one 4 KiB page (and its table): half of that 2 MiB range "
                "lies beyond the heap's end")
    expect_cost(command, out, "touching that range again, now whole", 1, 3,
                "one 4 KiB page: the range holds a page already, so it can "
                "no longer be one superpage")
    pages = announced(out, "page")
    if len(pages) != 2:
        raise TestFailure("%r printed:\n%s\nexpected two lines \"page "
                          "expected at\"" % (command, show(out)))
    for va in pages:
        expect_leaf(command, dumps[1], va, "rw-u",
                    "the touched page at 0x%x" % va, level=0)
    program_ok(command, out, command)


@test(4, "superpages: touches, and read() into untouched heap, map whole "
      "aligned 2 MiB ranges with level-1 leaves", parent=test_superpages_run)
def test_superpages_mapped():
    command = "superpagetest map"
    out = r.output_of(command)
    not_implemented(command, out)
    firsts = expected_superpages(command, out)
    expect_cost(command, out, "growing the heap", 0, 0,
                "sbrk only moves the heap's end")
    expect_cost(command, out, "touching three superpages and two pages",
                3 * 512 + 2, 3 * 512 + 4,
                "three superpages, two 4 KiB pages and at most two tables")
    dump = dumps_in(command, out)[0]
    expect_superpages(command, dump, firsts)
    expect_leaf(command, dump, firsts[0] - PGSIZE, "rw-u",
                "the heap page just below the first superpage")
    expect_leaf(command, dump, firsts[-1] + SUPERPGSIZE, "rw-u",
                "the heap page just above the last superpage")


@test(3, "superpages: data written is read back, also through read() and "
      "write()", parent=test_superpages_run)
def test_superpages_data():
    out = r.output_of("superpagetest map")
    not_implemented("superpagetest map", out)
    program_ok("superpagetest map", out, "superpagetest map")


@test(4, "superpages: fork copies them; parent and child keep their own data",
      parent=test_superpages_run)
def test_superpages_fork():
    command = "superpagetest fork"
    out = r.output_of(command)
    firsts = expected_superpages(command, out)
    dump = dumps_in(command, out)[0]
    expect_superpages(command, dump, firsts)
    program_ok(command, out, command)


@test(4, "superpages: shrinking the heap into one keeps the lower half and "
      "unmaps the rest", parent=test_superpages_run)
def test_superpages_shrink():
    command = "superpagetest shrink"
    out = r.output_of(command)
    firsts = expected_superpages(command, out)
    m = re.search(r"^superpagetest: shrinking the heap to 0x([0-9a-f]+)$",
                  out, re.M)
    dumps = dumps_in(command, out)
    if not m or len(dumps) < 2:
        raise TestFailure("%r printed:\n%s\nexpected the new end and two "
                          "dumps" % (command, show(out)))
    cut = int(m[1], 16)
    expect_superpages(command, dumps[0], firsts[:1])
    check_tree(command, dumps[1])
    for va in (cut - 2 * PGSIZE, cut - PGSIZE):
        expect_leaf(command, dumps[1], va, "rw-u",
                    "the page at 0x%x, below the new end 0x%x" % (va, cut))
    for va in (cut, cut + PGSIZE):
        if dumps[1].leaf_at(va):
            raise TestFailure("%r: 0x%x, at or above the new end 0x%x, is "
                              "still mapped:\n    %s" %
                              (command, va, cut, dumps[1].leaf_at(va).text))
    if not re.search(r"^pid \d+ superpagetest: load page fault at address "
                     r"0x0*%x, pc 0x[0-9a-f]+: killed$" % cut, out, re.M):
        raise TestFailure("%r printed:\n%s\nexpected a load at the old heap "
                          "end 0x%x to be killed" % (command, show(out), cut))
    program_ok(command, out, command)


@test(3, "superpages: exit and exec free them (free memory back to its "
      "baseline)", parent=test_superpages_run)
def test_superpages_freed():
    command = "superpagetest free"
    out = r.output_of(command)
    dumps = dumps_in(command, out)
    heaps = [list(range(int(m[3], 16), int(m[4], 16), SUPERPGSIZE))
             for m in EXPECTED.finditer(out)]
    if len(dumps) != 2 or len(heaps) != 2:
        raise TestFailure("%r printed:\n%s\nexpected two children, each "
                          "with a heap line and a dump" % (command, show(out)))
    for dump, firsts in zip(dumps, heaps):
        expect_superpages(command, dump, firsts)
    program_ok(command, out, command)


@test(3, "superpages: with no 2 MiB block free, a touch falls back to a "
      "4 KiB page", parent=test_superpages_run)
def test_superpages_fallback():
    command = "superpagetest fallback"
    out = r.output_of(command)
    not_implemented(command, out)
    if re.search(r"^pid \d+ superpagetest: out of memory", out, re.M):
        raise TestFailure("%r printed:\n%s\na touch was killed for want of "
                          "memory while pages were still free: when no "
                          "order-9 block is left, uvm_fault must map a 4 KiB "
                          "page instead" % (command, show(out)))
    program_ok(command, out, command)


# usertests' memory, lazy-heap, user-pointer, fork and exec tests, less
# lazy_gigabyte_costs_nothing: it counts the pages two touched bytes of a
# fresh gigabyte cost and allows 4 KiB pages only, but one of its bytes
# lies in a whole aligned 2 MiB range, which now takes a superpage.
USERTESTS = ("usertests sbrk mem uptr proc_fork exec lazy_touch lazy_shrink "
             "lazy_kernel lazy_fork lazy_exec lazy_exhaustion")


@test(0, "superpages: run usertests of memory, processes and exec",
      timeout=400)
def test_usertests_run():
    with r.boot() as m:
        m.run(USERTESTS, timeout=360)


@test(3, "superpages: usertests of memory, processes and exec still pass",
      parent=test_usertests_run)
def test_usertests_pass():
    r.match(r"^ALL TESTS PASSED$", no=[r"^test .*: FAILED"])


end_part("superpages")

# ---- hand-in ----------------------------------------------------------------


@test(1, "handin: time.txt")
def test_time():
    check_time()


@test(1, "handin: answers-pgtbl.txt")
def test_answers():
    check_answers("answers-pgtbl.txt")


end_part("handin")

run_tests()
