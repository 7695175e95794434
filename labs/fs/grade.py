#!/usr/bin/env python3
"""The grader of the fs lab: `make grade` runs it in a lab tree, and
`python3 labs/fs/grade.py` runs it from the tree root.

Most tests share one guest, the session: it runs the lab's test programs
(labs/fs/user/symtest.c, renametest.c), which print one line per check,
"NAME: ok" or "NAME: FAIL: why", and then a few shell commands that make
links and move files.  Each test below checks one of those checks'
lines.  The session ends with `halt`, and the disk image it leaves is
checked on the host with mkfs/fsck and booted again.  The parts:

  symlink      symlink, readlink, path walking that follows links,
               O_NOFOLLOW, ELOOP, links to directories and to nothing
  rename       files and directories, replacing, refusing; and in a guest
               of its own, ten processes renaming at once (a deadlock
               hangs only that test), then fsck
  consistency  fsck after the session; the session's files after a
               reboot; the power cut in the middle of renames (QEMU
               killed), then fsck and a reboot

Names and contents made at the shell are random, so that a kernel that
prints what a test expects without doing the work fails.

Run `python3 labs/fs/grade.py -h` for the options (filters, -v, -j).
"""

import atexit
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "grading"))

from gradelib import (ROOT, Runner, TestFailure, TimedOut,  # noqa: E402
                      end_part, make, random_str, run_tests, test)

r = Runner()

# The session's time limit, and each test's (the first test to need the
# session waits for all of it).
SESSION_TIMEOUT = 240


def show(text):
    """text, indented, for a failure message ("(nothing)" if empty)."""
    if not text.strip():
        return "    (nothing)"
    return "\n".join("    " + line for line in text.rstrip().splitlines())


def lines(text):
    return [line.rstrip() for line in text.splitlines()]


# ---- the disk image on the host --------------------------------------------

FSCK_REPLAYED = re.compile(r"^log: holds a committed transaction of \d+ "
                           r"blocks; ")
FSCK_SUMMARY = re.compile(r": \d+ problems? found, \d+ repaired, \d+ left$")


def fsck(path, replay_ok=False):
    """mkfs/fsck -n on an image: [] when it is clean, else fsck's lines.
    With replay_ok, a committed log transaction (which the kernel replays
    at boot) is not a problem."""
    fsck_bin = os.path.join(ROOT, "mkfs", "fsck")
    if not os.path.exists(fsck_bin):
        make("mkfs/fsck")
    p = subprocess.run([fsck_bin, "-n", path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    found = [l for l in p.stdout.splitlines()
             if l and not FSCK_SUMMARY.search(l)]
    if p.returncode == 0:
        return []
    if replay_ok and p.returncode == 4 and found and \
            all(FSCK_REPLAYED.match(l) for l in found):
        return []
    return found or ["fsck exited with status %d" % p.returncode]


class SavedImages:
    """A directory for the disk images guests leave, removed at exit."""

    def __init__(self):
        self.dir = None
        self.lock = threading.Lock()

    def take(self, m, name):
        """Copy guest m's disk image (QEMU stopped) to a file named name;
        return its path."""
        with self.lock:
            if self.dir is None:
                self.dir = tempfile.mkdtemp(prefix="rivet-fs-lab-")
                atexit.register(shutil.rmtree, self.dir, True)
        path = os.path.join(self.dir, name)
        shutil.copyfile(m.image, path)
        return path


saved = SavedImages()


# ---- the session -------------------------------------------------------------

WORD1, WORD2, WORD3 = random_str(6), random_str(6), random_str(6)
KEEP = "k" + random_str(5)          # the directory the shell commands make

# The shell part of the session: links and moves whose result the reboot
# test checks again.  (%(k)s is KEEP.)
SHELL_COMMANDS = [
    "ln -s /bin/echo /e%(k)s",
    "/e%(k)s %(w1)s %(w2)s",
    "mkdir %(k)s %(k)s/a %(k)s/b",
    "echo %(w1)s > %(k)s/a/f",
    "ln -s ../a/f %(k)s/b/lf",
    "ln -s /%(k)s/a %(k)s/la",
    "cat %(k)s/b/lf",
    "mv %(k)s/a/f %(k)s/b/g",
    "ln -s g %(k)s/b/lg",
    "mkdir %(k)s/a/sub",
    "echo %(w2)s > %(k)s/a/sub/x",
    "mv %(k)s/a/sub %(k)s/b/sub2",
    "echo %(w3)s > %(k)s/la/y",
    "ls %(k)s/b",
]
NAMES = {"k": KEEP, "w1": WORD1, "w2": WORD2, "w3": WORD3}


def command(i):
    return SHELL_COMMANDS[i] % NAMES


PROGRAMS = ["symtest", "renametest"]
PROGRAM_TIMEOUT = 60    # seconds for each test program (a few are enough)


class Session:
    """The shared guest's results: what each command printed, and the
    image it left (or why it could not be had).

    A command that hangs (a lock taken twice, say) does not cost the tests
    of the others: the grader keeps what it printed, notes it in .hung,
    and boots a fresh guest for the commands left.  Only a guest that
    reaches the end halts and leaves its image for the disk tests."""

    def __init__(self):
        self.lock = threading.Lock()
        self.done = False
        self.error = None
        self.out = {}
        self.hung = set()
        self.image = None
        self.fsck = None

    def get(self):
        with self.lock:
            if not self.done:
                self.done = True
                try:
                    self._run()
                except TestFailure as e:
                    self.error = e
            if self.error is not None:
                raise TestFailure("the shared session failed, so this test "
                                  "could not check anything:\n%s" %
                                  self.error)
            return self

    def _run(self):
        pending = PROGRAMS + [command(i) for i in range(len(SHELL_COMMANDS))]
        while pending:
            with r.boot() as m:
                if self._run_in(m, pending) and not self.hung:
                    m.halt()
                    self.image = saved.take(m, "session.img")
        if self.image is not None:
            self.fsck = fsck(self.image)

    def _run_in(self, m, pending):
        """Run pending's commands in guest m, removing each once it has
        run; stop after one that hangs.  True when none hung."""
        while pending:
            c = pending.pop(0)
            start = len(m.output)
            try:
                self.out[c] = m.run(c, PROGRAM_TIMEOUT if c in PROGRAMS
                                    else 30)
            except TimedOut:
                self.out[c] = m.output[start:]
                self.hung.add(c)
                return False
        return True


session = Session()


def program_check(program, name):
    """Pass if the session's `program` printed "program: name: ok"; else
    fail with its FAIL lines for that check."""
    out = session.get().out[program]
    prefix = "%s: %s: " % (program.split()[0], name)
    got = [l for l in lines(out) if l.startswith(prefix)]
    if any(l.startswith(prefix + "ok") for l in got):
        return
    if got:
        raise TestFailure("`%s` found problems in its check \"%s\":\n%s\n"
                          "(the check is in labs/fs/user/%s.c; run `%s` in "
                          "make qemu to see it all)" %
                          (program, name, show("\n".join(got)),
                           program.split()[0], program))
    if program in session.hung:
        raise TestFailure("`%s` hung (no prompt for %d s) before it reported "
                          "its check \"%s\": a call never returned; look "
                          "for a lock taken twice or never released.  It "
                          "printed:\n%s" % (program, PROGRAM_TIMEOUT, name,
                                            show("\n".join(lines(out)[-15:]))))
    raise TestFailure("`%s` never reported its check \"%s\": it crashed or "
                      "stopped before it.  It printed:\n%s" %
                      (program, name, show("\n".join(lines(out)[-15:]))))


def program_checks(program, *names):
    failures = []
    for name in names:
        try:
            program_check(program, name)
        except TestFailure as e:
            failures.append(str(e))
    if failures:
        raise TestFailure("\n".join(failures))


# ---- symbolic links ----------------------------------------------------------


@test(5, "symlink: symlink makes a link, readlink reads it",
      timeout=SESSION_TIMEOUT)
def test_symlink_create():
    program_check("symtest", "create")


@test(3, "symlink: bad pointers and sizes are refused",
      timeout=SESSION_TIMEOUT)
def test_symlink_bad():
    program_check("symtest", "bad addresses")


@test(6, "symlink: open follows a link at the end of a path",
      timeout=SESSION_TIMEOUT)
def test_symlink_follow():
    program_check("symtest", "follow")


@test(4, "symlink: a link to nothing is ENOENT; unlink removes the link",
      timeout=SESSION_TIMEOUT)
def test_symlink_dangling():
    program_checks("symtest", "dangling", "unlink")


@test(4, "symlink: O_NOFOLLOW refuses a link at the end (ELOOP)",
      timeout=SESSION_TIMEOUT)
def test_symlink_nofollow():
    program_check("symtest", "nofollow")


@test(5, "symlink: a relative target starts from the link's directory",
      timeout=SESSION_TIMEOUT)
def test_symlink_relative():
    program_check("symtest", "relative")


@test(6, "symlink: MAXSYMLINKS links are followed, one more is ELOOP",
      timeout=SESSION_TIMEOUT)
def test_symlink_depth():
    program_check("symtest", "depth")


@test(6, "symlink: links to directories, in and at the end of paths",
      timeout=SESSION_TIMEOUT)
def test_symlink_dirs():
    program_check("symtest", "directories")


@test(2, "symlink: link gives a link a second name",
      timeout=SESSION_TIMEOUT)
def test_symlink_hard_link():
    program_check("symtest", "hard link")


@test(4, "symlink: at the shell: ln -s, exec through a link, ls",
      timeout=SESSION_TIMEOUT)
def test_symlink_shell():
    s = session.get()
    for i in range(len(SHELL_COMMANDS)):
        if command(i) in s.hung:
            raise TestFailure("`%s` hung (no prompt for 30 s):\n%s" %
                              (command(i), show(s.out[command(i)])))
    out = s.out[command(1)]
    if lines(out) != ["%s %s" % (WORD1, WORD2)]:
        raise TestFailure("after `%s`, `%s` printed:\n%s\nexpected \"%s %s\": "
                          "exec of a link to /bin/echo must run echo" %
                          (command(0), command(1), show(out), WORD1, WORD2))
    out = s.out[command(6)]
    if lines(out) != [WORD1]:
        raise TestFailure("`%s` (a link to ../a/f) printed:\n%s\nexpected "
                          "%s, the contents of %s/a/f" %
                          (command(6), show(out), WORD1, KEEP))
    listing = s.out[command(13)]
    want = [("lf", r"link\s+-> \.\./a/f$", "link  -> ../a/f"),
            ("lg", r"link\s+-> g$", "link  -> g"),
            ("g", r"file\b", "file ..."), ("sub2", r"dir\b", "dir ...")]
    for name, regex, shown in want:
        if not re.search(r"^%s\s+%s" % (name, regex), listing, re.M):
            raise TestFailure("`%s` printed:\n%s\nexpected a line for %s "
                              "like \"%s  %s\" (ls shows a link as \"link  "
                              "-> target\", from readlink)" %
                              (command(13), show(listing), name, name, shown))


end_part("symlink")

# ---- rename ------------------------------------------------------------------


@test(8, "rename: a file, within and across directories",
      timeout=SESSION_TIMEOUT)
def test_rename_file():
    program_checks("renametest", "file", "across")


@test(5, "rename: replaces an existing file",
      timeout=SESSION_TIMEOUT)
def test_rename_replace():
    program_check("renametest", "replace")


@test(7, "rename: a directory: its .. and both parents' link counts",
      timeout=SESSION_TIMEOUT)
def test_rename_directory():
    program_check("renametest", "directory")


@test(5, "rename: EISDIR, ENOTDIR, ENOTEMPTY; a directory over an empty one",
      timeout=SESSION_TIMEOUT)
def test_rename_mismatch():
    program_check("renametest", "mismatch")


@test(5, "rename: into itself, the root, . and .. are refused",
      timeout=SESSION_TIMEOUT)
def test_rename_refusals():
    program_check("renametest", "refusals")


@test(2, "rename: onto itself or another name of the file does nothing",
      timeout=SESSION_TIMEOUT)
def test_rename_same():
    program_check("renametest", "same file")


@test(3, "rename: moves a link, not its target; works through links",
      timeout=SESSION_TIMEOUT)
def test_rename_symlinks():
    program_check("renametest", "symlinks")


RACE = "renametest race"


@test(5, "rename: ten processes at once, opposite ways, no deadlock",
      timeout=SESSION_TIMEOUT)
def test_rename_race():
    # A guest of its own: a deadlock here hangs only this test.
    with r.boot() as m:
        try:
            out = m.run(RACE, 90)
        except TimedOut:
            raise TestFailure("`%s` did not finish in 90 s (the solution "
                              "takes a few): renames deadlock.  Look at the "
                              "order rename locks its two parent "
                              "directories in, when two renames go opposite "
                              "ways and when one parent is above the other."
                              % RACE) from None
        m.halt()
        problems = fsck(saved.take(m, "race.img"))
    if "renametest: race: ok" not in out:
        raise TestFailure("`%s` printed:\n%s\nexpected \"renametest: race: "
                          "ok ...\"" % (RACE, show(out)))
    if problems:
        raise TestFailure("after `%s` and halt, mkfs/fsck -n finds:\n%s" %
                          (RACE, show("\n".join(problems))))


end_part("rename")

# ---- consistency -------------------------------------------------------------


def hung_commands(s):
    """The commands that hung in session s, for a message."""
    return " and ".join("`%s`" % c for c in sorted(s.hung))


@test(5, "consistency: fsck finds the disk clean after the session",
      timeout=SESSION_TIMEOUT)
def test_fsck_after_session():
    s = session.get()
    if s.image is None:
        raise TestFailure("%s hung, so the session did not end with a halt "
                          "and left no disk to check (the tests of what "
                          "hung say more)" % hung_commands(s))
    if s.fsck:
        raise TestFailure("mkfs/fsck -n on the disk the session left finds:"
                          "\n%s\nlook at the link counts and entries your "
                          "symlink and rename write (every change inside "
                          "one begin_op/end_op)" % show("\n".join(s.fsck)))
    # A disk nothing was done to is clean too: ask for the work.
    if "renametest: directory: ok" not in s.out["renametest"] or \
            "symtest: create: ok" not in s.out["symtest"]:
        raise TestFailure("fsck finds the disk clean, but this check counts "
                          "only once symlink and rename work (symtest's "
                          "\"create\" and renametest's \"directory\" "
                          "pass): the disk has not yet seen what it is "
                          "meant to check")


@test(4, "consistency: after a reboot, the links and moved files are there",
      timeout=SESSION_TIMEOUT)
def test_reboot():
    s = session.get()
    if s.image is None:
        raise TestFailure("%s hung, so the session left no disk to boot "
                          "again" % hung_commands(s))
    k = KEEP
    checks = [
        ("cat %s/b/lg" % k, lambda out: lines(out) == [WORD1],
         "%s (g, moved from a/f, through the link lg)" % WORD1),
        ("cat %s/b/lf" % k, lambda out: re.search(r"no such file", out),
         "an error: lf names ../a/f, which was moved away"),
        ("cat %s/la/../b/sub2/x" % k, lambda out: lines(out) == [WORD2],
         "%s (la is /%s/a; its .. is /%s)" % (WORD2, k, k)),
        ("cat %s/a/y" % k, lambda out: lines(out) == [WORD3],
         "%s (written through the link la)" % WORD3),
        ("ls %s/b/sub2/.." % k,
         lambda out: re.search(r"^g\s+file", out, re.M),
         "the listing of %s/b (sub2's .. after the move)" % k),
    ]
    with r.boot(image=s.image) as m:
        outs = [(c, m.run(c, 30)) for c, _, _ in checks]
        m.halt()
        after = fsck(saved.take(m, "rebooted.img"))
    for (c, out), (_, ok, want) in zip(outs, checks):
        if not ok(out):
            raise TestFailure("after a reboot, `%s` printed:\n%s\nexpected %s"
                              % (c, show(out), want))
    if after:
        raise TestFailure("after the reboot, mkfs/fsck -n finds:\n%s" %
                          show("\n".join(after)))


SPIN_LINE = r"^renametest: spin: (\d+ rounds|FAIL.*)$"


def spin_and_cut(delay):
    """Boot, run `renametest spin` until it has done some rounds, let it
    run delay seconds more and kill QEMU: the power fails in the middle of
    renames.  Returns the disk image it left."""
    with r.boot() as m:
        m.send("renametest spin\n")
        line = m.expect(SPIN_LINE, 60)
        if line.group(1).startswith("FAIL"):
            raise TestFailure("`renametest spin` printed:\n%s\nit renames a "
                              "file and a directory back and forth between "
                              "/spin/a and /spin/b" % show(line.group(0)))
        time.sleep(delay)
        m.kill()
        m.proc.wait()
        return saved.take(m, "cut-%.3f.img" % delay)


def check_spin_image(path, delay):
    problems = fsck(path, replay_ok=True)
    if problems:
        raise TestFailure("the power was cut %.2f s into the renames; then "
                          "mkfs/fsck -n finds (beyond a committed log "
                          "transaction to replay):\n%s\neach rename must be "
                          "one transaction" % (delay, show("\n".join(problems))))
    with r.boot(image=path) as m:
        out = m.run("ls /spin/a /spin/b", 30)
        text = {name: m.run("cat %s" % name, 30)
                for name in ("/spin/a/f", "/spin/b/f",
                             "/spin/a/d/x", "/spin/b/d/x")}
        m.halt()
        after = fsck(saved.take(m, "cut-rebooted.img"))
    for name, content in (("f", "spinning file"),
                          ("d/x", "inside the directory")):
        where = [d for d in ("a", "b")
                 if lines(text["/spin/%s/%s" % (d, name)]) == [content]]
        if len(where) != 1:
            raise TestFailure("the power was cut %.2f s into the renames; "
                              "after the reboot, %s is %s (`ls /spin/a "
                              "/spin/b` printed:\n%s\n); it must be in "
                              "exactly one of /spin/a and /spin/b" %
                              (delay, name, "in both" if where else
                               "in neither", show(out)))
    if after:
        raise TestFailure("the power was cut %.2f s into the renames; after "
                          "the reboot (the kernel replayed its log) and a "
                          "halt, mkfs/fsck -n finds:\n%s" %
                          (delay, show("\n".join(after))))


@test(6, "consistency: a power cut during renames leaves one name each",
      timeout=SESSION_TIMEOUT)
def test_power_cut():
    for delay in (random.uniform(0.0, 0.3), random.uniform(0.3, 0.8),
                  random.uniform(0.8, 1.5)):
        check_spin_image(spin_and_cut(delay), delay)


end_part("consistency")

run_tests()
