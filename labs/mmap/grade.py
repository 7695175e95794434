#!/usr/bin/env python3
"""The grader of the mmap lab: `make grade` runs it in a lab tree, and
`python3 labs/mmap/grade.py` runs it from the tree root.

Most tests share one guest, the session: it runs `mmaptest CASE` for each
case of labs/mmap/user/mmaptest.c, which prints what it sees and one
verdict line, "mmaptest: CASE: ok" or "mmaptest: CASE: FAILED: why".
Each test below reads one case's verdict; the two kill tests also find
the kernel's kill line for each address the case's children touched.
A case that panics the kernel or hangs costs only its own tests: the
cases left run in a fresh guest.  A session that runs to the end halts,
and the disk it leaves is checked on the host with mkfs/fsck.  The parts:

  mmap         mapping and faulting in: contents, laziness, MAP_PRIVATE,
               PROT_READ enforced, bad arguments, the heap's limit
  munmap       write-back at munmap, exit and exec; partial munmap;
               unmapped pages fault
  syscalls     read() and write() with mapped buffers
  fork         mappings inherited
  leaks        memory and open files come back; fsck; usertests -q
  handin       time.txt

Run `python3 labs/mmap/grade.py -h` for the options (filters, -v, -j).
"""

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "grading"))

from gradelib import (ROOT, Panicked, Runner, TestFailure,  # noqa: E402
                      TimedOut, check_time, end_part, make, run_tests, test)

r = Runner()

SESSION_TIMEOUT = 600   # the whole session, restarts included
CASE_TIMEOUT = 90       # one `mmaptest CASE` (a few seconds when right)
USERTESTS_TIMEOUT = 600

CASES = ["read", "lazy", "private", "rostore", "badargs", "heap", "shared",
         "exit", "partial", "unmapped", "syscalls", "samefile", "fork",
         "leaks"]


def show(text):
    """text, indented, for a failure message ("(nothing)" if empty)."""
    if not text.strip():
        return "    (nothing)"
    return "\n".join("    " + line for line in text.rstrip().splitlines())


def lines(text):
    return [line.rstrip() for line in text.splitlines()]


def tail(text, n=15):
    return show("\n".join(lines(text)[-n:]))


# ---- the session ------------------------------------------------------------

class _Restart(Exception):
    """A case panicked or hung: boot a fresh guest for the rest."""


class Session:
    """What each `mmaptest CASE` printed, and how the session ended: the
    cases that panicked or hung, and the disk image of a guest that ran
    to the end and halted (None if none did), with fsck's findings."""

    def __init__(self):
        self.done = False
        self.error = None
        self.out = {}
        self.broke = {}         # case -> "panicked: ..." or "hung"
        self.image = None
        self.fsck = None
        self.dir = None

    def get(self):
        if not self.done:
            self.done = True
            try:
                self._run()
            except TestFailure as e:
                self.error = e
        if self.error is not None:
            raise TestFailure("the shared session failed, so this test "
                              "could not check anything:\n%s" % self.error)
        return self

    def _run(self):
        pending = list(CASES)
        while pending:
            try:
                with r.boot() as m:
                    self._run_in(m, pending)
                    m.halt()
                    if not self.broke:
                        self.image = self._keep(m.image)
            except _Restart:
                continue
        if self.image is not None:
            self.fsck = fsck(self.image)

    def _run_in(self, m, pending):
        while pending:
            case = pending.pop(0)
            start = len(m.output)
            try:
                self.out[case] = m.run("mmaptest " + case, CASE_TIMEOUT)
            except Panicked as e:
                self.out[case] = m.output[start:]
                self.broke[case] = "panicked (%s)" % e
                raise _Restart()
            except TimedOut:
                self.out[case] = m.output[start:]
                self.broke[case] = "hung (no prompt for %d s)" % CASE_TIMEOUT
                raise _Restart()

    def _keep(self, image):
        self.dir = tempfile.mkdtemp(prefix="rivet-mmap-lab-")
        atexit.register(shutil.rmtree, self.dir, True)
        path = os.path.join(self.dir, "session.img")
        shutil.copyfile(image, path)
        return path


session = Session()

FSCK_SUMMARY = re.compile(r": \d+ problems? found, \d+ repaired, \d+ left$")


def fsck(path):
    """mkfs/fsck -n on an image: [] when it is clean, else fsck's lines."""
    fsck_bin = os.path.join(ROOT, "mkfs", "fsck")
    if not os.path.exists(fsck_bin):
        make("mkfs/fsck")
    p = subprocess.run([fsck_bin, "-n", path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if p.returncode == 0:
        return []
    found = [l for l in p.stdout.splitlines()
             if l and not FSCK_SUMMARY.search(l)]
    return found or ["fsck exited with status %d" % p.returncode]


def case_output(case):
    return session.get().out.get(case, "")


def check_case(case, what, hint):
    """Pass if `mmaptest case` printed its ok line; else fail saying what
    the case checks, what it printed, and where to look."""
    s = session.get()
    out = s.out.get(case, "")
    command = "mmaptest " + case
    if re.search(r"^mmaptest: %s: ok$" % case, out, re.M):
        return out
    if case in s.broke:
        raise TestFailure("`%s` (it checks that %s): the kernel %s.\n%s\n"
                          "It printed, last:\n%s" %
                          (command, what, s.broke[case], hint, tail(out)))
    if "function not implemented" in out:
        raise TestFailure("`%s` (it checks that %s) got ENOSYS: mmap or "
                          "munmap is still the starter's stub in "
                          "kernel/mem/mmap.c.  It printed:\n%s" %
                          (command, what, tail(out, 6)))
    failed = [l for l in lines(out)
              if l.startswith("mmaptest: %s: FAILED" % case)]
    if failed:
        raise TestFailure("`%s` (it checks that %s) failed:\n%s\n%s\n(the "
                          "case is test_%s in labs/mmap/user/mmaptest.c; "
                          "run `%s` in make qemu to see it all)  It "
                          "printed:\n%s" %
                          (command, what, show("\n".join(failed)), hint,
                           case, command, tail(out)))
    raise TestFailure("`%s` (it checks that %s) never reported a verdict: "
                      "was it killed?  It printed:\n%s" %
                      (command, what, tail(out)))


def check_kills(case, fault):
    """Each child of `mmaptest case` announced an address it was about to
    touch: the kernel's kill line must name that address and fault."""
    out = case_output(case)
    announced = re.findall(r"^mmaptest: %s: child (.*) address "
                           r"(0x[0-9a-f]+)$" % case, out, re.M)
    for what, addr in announced:
        line = (r"^pid \d+ mmaptest: %s at address %s, pc 0x[0-9a-f]+: "
                r"killed$" % (fault, addr))
        if not re.search(line, out, re.M):
            raise TestFailure(
                "`mmaptest %s`: a child %s address %s, and the kernel "
                "should have killed it with the line\n    pid N mmaptest: "
                "%s at address %s, pc 0x...: killed\nbut no such line "
                "showed.  It printed:\n%s" %
                (case, what, addr, fault, addr, tail(out)))


# ---- mmap: mapping and faulting in ----------------------------------------------


@test(6, "mmap: a read-only mapping shows the file, zeros past its end",
      timeout=SESSION_TIMEOUT)
def test_read():
    check_case("read", "a PROT_READ mapping, private or shared, from offset "
               "0 or PGSIZE, shows the file's bytes and zeros past its end, "
               "after the descriptor is closed",
               "A fault in a mapping should read the page at the mapping's "
               "offset plus (va - start) with readi, and leave the rest of "
               "the page zero.")


@test(5, "mmap: pages come in lazily: touching one costs one page",
      timeout=SESSION_TIMEOUT)
def test_lazy():
    check_case("lazy", "mmap of a 1 MiB file allocates nothing, a load from "
               "one page allocates that page only, and munmap gives all "
               "back (free pages from sysinfo)",
               "mmap should only record the mapping; the page fault "
               "(uvm_fault in kernel/mem/vm.c) reads one page.")


@test(5, "mmap: MAP_PRIVATE stores never reach the file",
      timeout=SESSION_TIMEOUT)
def test_private():
    check_case("private", "stores to a writable MAP_PRIVATE mapping (of a "
               "read-only descriptor) are seen by the process, not by "
               "another mapping, and never written to the file, neither at "
               "munmap nor at exit",
               "Only MAP_SHARED pages are written back.")


@test(5, "mmap: a store to a PROT_READ mapping kills the process",
      timeout=SESSION_TIMEOUT)
def test_rostore():
    check_case("rostore", "a store to a PROT_READ MAP_SHARED mapping of a "
               "writable file, to a page read before and to one never "
               "touched, kills the child that tries (wait status -1), and "
               "the file is unchanged",
               "A store fault in a mapping without PROT_WRITE must not be "
               "resolved: return -EFAULT, and user_page_fault kills.  A page "
               "read in for a PROT_READ mapping must not be mapped with W.")
    check_kills("rostore", "store page fault")


@test(6, "mmap: bad arguments fail with the right errno",
      timeout=SESSION_TIMEOUT)
def test_badargs():
    check_case("badargs", "mmap refuses length 0, bad flags and prot, and "
               "an unaligned offset with EINVAL, a bad descriptor with "
               "EBADF, a pipe or device with ENODEV, a descriptor that may "
               "not be read (or written, for a writable MAP_SHARED "
               "mapping) with EACCES, too large a length or a mapping past "
               "NVMA with ENOMEM; munmap refuses an unaligned address and "
               "length 0 with EINVAL; and no failure leaks a page",
               "The handout's table of errors says which check comes "
               "first.")


@test(3, "mmap: sbrk stops below the mappings, mmap above the heap",
      timeout=SESSION_TIMEOUT)
def test_heap():
    check_case("heap", "sbrk grows the heap up to the lowest mapping and no "
               "further (ENOMEM), the mapping's contents survive, mmap then "
               "fails with ENOMEM, and works again once the heap shrinks",
               "growproc (kernel/proc/proc.c) must compare the new end with "
               "the lowest mapping, not only with TRAPFRAME; mmap must not "
               "place a mapping below PGROUNDUP(p->sz).")


end_part("mmap")

# ---- munmap: write-back and unmapping ---------------------------------------------


@test(6, "munmap: MAP_SHARED stores reach the file at munmap",
      timeout=SESSION_TIMEOUT)
def test_shared():
    check_case("shared", "after munmap of a writable MAP_SHARED mapping, "
               "read() finds the stores in the file, the pages not stored "
               "to unchanged, and the file not grown by stores past its end",
               "munmap writes each dirty page back with writei, inside "
               "begin_op/end_op, only up to the file's size.")


@test(5, "munmap: MAP_SHARED stores reach the file at exit and exec",
      timeout=SESSION_TIMEOUT)
def test_exit():
    check_case("exit", "a child that stores to a MAP_SHARED mapping and "
               "exits, or execs, without munmap leaves its stores in the "
               "file",
               "exit (before it closes the files) and exec (once it can no "
               "longer fail) must unmap every mapping the way munmap does.")


@test(6, "munmap: unmapping the first or the last pages leaves the rest",
      timeout=SESSION_TIMEOUT)
def test_partial():
    check_case("partial", "munmap of a mapping's first page, then of its "
               "last, then of the rest, each succeeds, leaves the other "
               "pages mapped with the right contents, writes back the pages "
               "it removes, and gives all the memory back",
               "A mapping that loses its first pages keeps its file offset "
               "right: the offset moves up with the start.")


@test(4, "munmap: a load from an unmapped page kills the process",
      timeout=SESSION_TIMEOUT)
def test_unmapped():
    check_case("unmapped", "after munmap of a page, a load from it kills the "
               "child that tries (wait status -1)",
               "munmap must remove the page-table entries (uvmunmap) and "
               "the mapping's record, so that the next fault finds no "
               "mapping and returns -EFAULT.")
    check_kills("unmapped", "load page fault")


end_part("munmap")

# ---- syscalls: the kernel's copies through mapped pages ----------------------------


@test(5, "syscalls: write() from and read() into untouched mapped pages",
      timeout=SESSION_TIMEOUT)
def test_syscalls():
    check_case("syscalls", "write() from a mapping whose pages were never "
               "touched writes the file's bytes, read() into an untouched "
               "writable MAP_SHARED mapping fills it (and the file after "
               "munmap), and read() into a PROT_READ mapping fails with "
               "EFAULT",
               "copyin and copyout call uvm_fault for a missing page "
               "(user_page_for_copy): it must resolve mapping faults too, "
               "with the access the copy needs.")


@test(3, "syscalls: read() and write() of a file through its own mapping",
      timeout=SESSION_TIMEOUT)
def test_samefile():
    check_case("samefile", "read(fd, buf) where buf is an untouched page of "
               "fd's own file's mapping works, and so does write()",
               "readi and writei hold the file's inode lock while they "
               "copy, and the copy faults the mapping's page in: a fault "
               "that takes the same lock again waits for itself.  "
               "holdingsleep() says whether this process holds it.")


end_part("syscalls")

# ---- fork ----------------------------------------------------------------------


@test(6, "fork: the child inherits the mappings, and its stores to "
      "MAP_SHARED reach the file", timeout=SESSION_TIMEOUT)
def test_fork():
    check_case("fork", "a child sees its parent's mappings, shared and "
               "private, with the parent's stores and the file's untouched "
               "pages; its own stores to the shared one reach the file when "
               "it exits; and its exit gives back all its pages",
               "fork copies each mapping with filedup of its file, and the "
               "pages the parent has (uvmcopy copies only the heap and "
               "below).  If the child panics in uvmfree, its exit left "
               "mapped pages above sz.")


end_part("fork")

# ---- leaks and consistency -----------------------------------------------------


@test(4, "leaks: memory and open files all come back",
      timeout=SESSION_TIMEOUT)
def test_leaks():
    check_case("leaks", "three rounds of mmap, stores, fork, exit and "
               "partial munmaps give back every page, and mapping and "
               "unmapping a file NFILE+20 times does not run out of open "
               "files",
               "Pages: munmap, exit and a failed fork must free every page "
               "a mapping had (uvmunmap with do_free).  Files: each mapping "
               "holds a reference to its file (filedup), and the munmap "
               "that removes its last page must fileclose it.")


@test(3, "leaks: fsck finds the disk clean after the session",
      timeout=SESSION_TIMEOUT)
def test_fsck():
    s = session.get()
    if s.image is None:
        raise TestFailure("a case %s, so no guest ran the session to the end "
                          "and left a disk to check (the tests of those cases "
                          "say more)" % " and a case ".join(
                              sorted(set(s.broke.values()))))
    if s.fsck:
        raise TestFailure("mkfs/fsck -n on the disk the session left finds:"
                          "\n%s\nwrite-back must go through writei inside "
                          "begin_op/end_op, one page per operation" %
                          show("\n".join(s.fsck)))
    if not re.search(r"^mmaptest: shared: ok$", s.out.get("shared", ""),
                     re.M):
        raise TestFailure("fsck finds the disk clean, but this check counts "
                          "only once write-back works (`mmaptest shared` "
                          "passes): the disk has not yet seen what it is "
                          "meant to check")


@test(5, "leaks: usertests -q passes with mmap in the kernel",
      timeout=USERTESTS_TIMEOUT + 60)
def test_usertests():
    with r.boot() as m:
        out = m.run("usertests -q", timeout=USERTESTS_TIMEOUT)
    failed = re.findall(r"^test \S+: FAILED.*$", out, re.M)
    if not re.search(r"^ALL TESTS PASSED$", out, re.M):
        raise TestFailure("`usertests -q` did not pass%s:\n%s\n(sbrk and "
                          "the lazy heap share uvm_fault and growproc with "
                          "mappings; fork and exit changed too)" %
                          (", failing" if failed else "",
                           show("\n".join(failed)) if failed else tail(out)))


end_part("leaks")

# ---- hand-in ---------------------------------------------------------------------


@test(1, "handin: time.txt")
def test_time():
    check_time()


end_part("handin")

run_tests()
