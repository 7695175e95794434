"""Grading library: boot the system under QEMU, drive its shell, score tests.

A grader is a short Python script.  It declares tests with @test, each a
function that boots the system, types at its shell and checks what comes
back, and ends by calling run_tests():

    from gradelib import *

    r = Runner()

    @test(5, "echo prints its arguments")
    def test_echo():
        r.run_qemu(shell_script(["echo hello world"]))
        r.match(r"^hello world$")

    run_tests()

The pieces, in the order this file defines them:

  Verdicts     A test passes, or fails with one verdict: "wrong output" (a
               check did not hold), "panicked" (the kernel printed a panic
               or an unexpected trap), "timed out" (the console did not
               show what was awaited in time) or "grader error" (the grader
               itself raised).  A panic or a timeout ends the test at once.

  Machine      One QEMU guest.  It boots from its own copy of the disk
               image, so no test sees another's files; runs in a process
               group of its own that is always killed with it (and, on
               Linux, dies with the grader even when the grader is killed);
               and is watched by a reader thread that notices panics as
               they are printed.  expect(), send(), run() and halt() talk to
               its console.  The QEMU command line is the one `make
               print-qemu` prints, so the grader and `make qemu` agree.

  Gdb          A client for QEMU's gdb stub: breakpoints by kernel symbol,
               continue, registers and memory.  Each guest that asks for it
               gets a free TCP port, so graders running side by side never
               collide.

  Runner       What test functions call: boot() a machine or run_qemu()
               with monitors such as shell_script(), save() and
               stop_breakpoint(), then match() the console against regular
               expressions.  At the end of each boot the guest is powered
               off with `halt` when it sits at a prompt, and killed
               otherwise (and where a run ended at a breakpoint).

  run_tests()  Parses the command line (title filters, -v, -j N), runs the
               tests (in parallel with -j, each with its own guest), prints
               a report ending in "Score: X/Y" and "N passed, M failed",
               and writes results.json (the format Gradescope reads),
               junit.xml (for CI) and the full console of every failed
               test into the results directory.

  Lab files    check_time() and check_answers() check the files a student
               hands in with a lab; random_str(), make() and
               maybe_unlink() help tests prepare.  With save(), the
               monitors and run_qemu(timeout=), graders written for the
               gradelib.py of MIT's xv6 labs run here unchanged (see
               grading/README.md for what a port still changes).

All time limits are multiplied by the environment variable
GRADE_TIMEOUT_SCALE (default 1), for slow machines.
"""

import argparse
import atexit
import codecs
import contextlib
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import xml.etree.ElementTree as ET

__all__ = [
    "test", "end_part", "run_tests", "Runner", "Machine", "Gdb",
    "shell_script", "stop_on_line", "stop_breakpoint", "save",
    "assert_equal", "assert_lines_match",
    "check_time", "check_answers", "random_str", "make", "maybe_unlink",
    "TestFailure", "Panicked", "TimedOut", "TerminateTest",
    "ROOT", "PROMPT", "BANNER", "TIMEOUT_SCALE",
]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMEOUT_SCALE = float(os.environ.get("GRADE_TIMEOUT_SCALE") or "1")

# The shell's prompt: "$ " at the start of a line, or ending the output so
# far (after a command whose output did not end with a newline).
PROMPT = r"^\$ |\$ \Z"
BANNER = (r"^rivet: (\d+) harts?, (\d+) MiB RAM, (\d+) MiB free, "
          r"timer via (\w+)$")
# Lines that end a test at once: a kernel panic or an unexpected trap.
FATAL = re.compile(r"^(panic: .*|unexpected interrupt.*)$", re.M)

DEFAULT_WAIT = 30       # seconds an expect() waits when not told
UNTIL_DEADLINE = float("inf")   # a wait's timeout: until the run's or the
                                # test's time limit (DEFAULT_WAIT if none)
TEST_TIMEOUT = 60       # seconds a test may take when @test does not say
BOOT_WAIT = 60          # seconds a guest may take to show its first prompt
POWER_OFF_WAIT = 10     # seconds `halt` gets at the end of a test
TAIL_LINES = 20         # console lines shown with a failure

# ---- verdicts --------------------------------------------------------------

PASSED = "passed"
WRONG = "wrong output"
PANICKED = "panicked"
TIMED_OUT = "timed out"
ERROR = "grader error"


class TestFailure(AssertionError):
    """A check did not hold: the test fails with "wrong output"."""
    verdict = WRONG


class Panicked(TestFailure):
    """The kernel printed a panic or an unexpected trap."""
    verdict = PANICKED


class TimedOut(TestFailure):
    """The console did not show what was awaited within the time limit."""
    verdict = TIMED_OUT


class TerminateTest(Exception):
    """Ends a run_qemu() early and successfully: raised in the test's
    thread by a wait on the console once terminate_match appeared or the
    guest stopped at a breakpoint.  A monitor may raise it too.  run_qemu()
    catches it; the test goes on to check the console."""


def assert_equal(got, expect, msg=""):
    """Fail with "wrong output" unless got == expect."""
    if got != expect:
        raise TestFailure("%sgot      %r\nexpected %r" %
                          (msg + "\n" if msg else "", got, expect))


def assert_lines_match(text, *regexes, no=(), ordered=False):
    """Check text line by line.

    Every regex in regexes must match some line, and no regex in `no` may
    match any line.  Matching is re.match on each line (anchored at the
    start of the line; use ".*" to skip a prefix).  With ordered=True the
    regexes must match lines in the order given, each on a later line than
    the one before.  Fails with a list of what is missing or unwanted.
    """
    lines = text.splitlines()
    problems = []
    start = 0
    for regex in regexes:
        found = _first_match(regex, lines, start if ordered else 0)
        if found is None:
            problems.append("missing%s: %s" %
                            (" (in order)" if ordered else "", regex))
        elif ordered:
            start = found + 1
    for regex in no:
        found = _first_match(regex, lines, 0)
        if found is not None:
            problems.append("unexpected line: %s  (matches %s)" %
                            (lines[found], regex))
    if problems:
        raise TestFailure("\n".join(problems))


def _first_match(regex, lines, start):
    for i in range(start, len(lines)):
        if re.match(regex, lines[i]):
            return i
    return None


# ---- a lab's files, and helpers for tests ----------------------------------
# Paths are relative to the tree root (where `make grade` runs graders),
# whatever the grader's working directory.


def _tree_path(path):
    return os.path.join(ROOT, path)


def check_time(path="time.txt"):
    """Fail unless the file (time.txt in the tree root) holds the number of
    hours the student spent on the lab: a whole number, alone in the file
    (blank lines and spaces around it are allowed)."""
    try:
        with open(_tree_path(path)) as f:
            text = f.read()
    except OSError:
        raise TestFailure("cannot read %s: put in it the number of hours "
                          "you spent on the lab, a whole number such as 6"
                          % path) from None
    words = text.split()
    if len(words) != 1 or not re.fullmatch(r"[0-9]+", words[0]):
        raise TestFailure("%s must hold only the number of hours you spent "
                          "on the lab, a whole number such as 6; it holds %r"
                          % (path, text.strip()[:60]))


def check_answers(path, n=10):
    """Fail unless the answers file (path relative to the tree root, as
    answers-LAB.txt) exists and holds at least n characters of text, not
    counting white space at its start and end."""
    try:
        with open(_tree_path(path)) as f:
            text = f.read().strip()
    except OSError:
        raise TestFailure("cannot read %s: write your answers to the lab's "
                          "questions in it" % path) from None
    if len(text) < n:
        raise TestFailure("%s holds %d characters of text, fewer than %d: "
                          "it does not seem to answer the questions" %
                          (path, len(text), n))


def random_str(n=8):
    """A random string of n letters and digits, for names and contents a
    solution cannot know in advance."""
    alphabet = string.ascii_letters + string.digits
    return "".join(random.choice(alphabet) for _ in range(n))


def make(*targets):
    """Run make in the tree root for targets (none: the default goal),
    quietly.  Fails with "wrong output", showing the end of make's output,
    if make does.  A run boots the kernel and disk image as they are at its
    first boot: to rebuild with a test's own changes, call make() before
    that, at the top of the grader."""
    command = ["make", "-s", "--no-print-directory", "-C", ROOT] + list(targets)
    p = subprocess.run(command, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        tail = "\n".join(p.stdout.splitlines()[-TAIL_LINES:])
        raise TestFailure("make %s failed (status %d):\n%s" %
                          (" ".join(targets), p.returncode, _indent(tail)))


def maybe_unlink(*paths):
    """Remove each file (relative to the tree root) if it exists."""
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(_tree_path(path))


def _machine_size(make_args, cpus, mem):
    """cpus and mem, as make_args ("CPUS=1", "MEM=256M") set them."""
    for arg in make_args:
        name, _, value = arg.partition("=")
        if name == "CPUS" and value.isdigit():
            cpus = int(value)
        elif name == "MEM" and value:
            mem = value
        else:
            raise ValueError("run_qemu: make_args %r is not understood: "
                             "only CPUS=N and MEM=SIZE are (the guest boots "
                             "with make print-qemu's command line)" % arg)
    return cpus, mem


# ---- the run-wide state: snapshot, live machines, per-test context ---------

RUN_DIR_PREFIX = "rivet-grade-"  # + pid: where a run keeps its images

_live = set()                   # Machines whose QEMU may still run
_stopping = False               # set on Ctrl-C: start no more guests
_live_lock = threading.Lock()   # guards _live and _stopping
_rundir = None
_rundir_lock = threading.Lock()
_snapshot_lock = threading.Lock()


def kill_all(stop=False):
    """Kill every guest this process started and remove their image
    copies; with stop=True, also refuse to start any more.  Safe to call
    at any time, from any thread."""
    global _stopping
    with _live_lock:
        _stopping = _stopping or stop
        machines = list(_live)
    for m in machines:
        m.kill()
        shutil.rmtree(m.tmpdir, ignore_errors=True)


atexit.register(kill_all)


def _run_dir():
    """This process's directory for kernels and disk images, made on first
    use and removed at exit.  Making it also removes the directories of
    graders that died without removing theirs (killed outright)."""
    global _rundir
    with _rundir_lock:
        if _rundir is None:
            _remove_stale_run_dirs()
            _rundir = tempfile.mkdtemp(prefix=RUN_DIR_PREFIX +
                                       "%d-" % os.getpid())
            atexit.register(shutil.rmtree, _rundir, True)
        return _rundir


def _remove_stale_run_dirs():
    tmp = tempfile.gettempdir()
    for name in os.listdir(tmp):
        m = re.match(re.escape(RUN_DIR_PREFIX) + r"(\d+)-", name)
        if m and not _alive(int(m.group(1))):
            shutil.rmtree(os.path.join(tmp, name), ignore_errors=True)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _snapshot():
    """Copy kernel and disk image once per run; every boot starts from it.

    Others may rebuild the tree while a grader runs; the snapshot keeps all
    tests of one run on the same kernel and the same pristine image.
    Returns (kernel, image) paths.
    """
    d = _run_dir()
    with _snapshot_lock:
        kernel, image = os.path.join(d, "kernel"), os.path.join(d, "fs.img")
        if not os.path.exists(image):
            for f in ("kernel/kernel", "fs.img"):
                if not os.path.exists(os.path.join(ROOT, f)):
                    raise RuntimeError("%s is missing: run make first" % f)
            shutil.copyfile(os.path.join(ROOT, "kernel", "kernel"), kernel)
            shutil.copyfile(os.path.join(ROOT, "fs.img"), image + ".tmp")
            os.replace(image + ".tmp", image)
        return kernel, image


def pristine_image():
    """The path of this run's pristine copy of fs.img (do not change it:
    copy it, as Machine does)."""
    return _snapshot()[1]


class _Context:
    """What one running test owns: its deadlines, guests and commands.

    timeout is the test's time limit in seconds, already scaled.  With
    fixed=False (the test did not set one) a run_qemu(timeout=) longer than
    what is left of it extends it, as graders written for MIT's library,
    whose tests have no limit of their own, expect."""

    def __init__(self, title="", timeout=None, echo=None, fixed=True):
        self.title = title
        self.deadline = time.time() + timeout if timeout else None
        self.timeout = timeout
        self.fixed = fixed
        self.run_deadline = None    # set by run_qemu(timeout=) during a run
        self.run_timeout = None
        self.echo = echo
        self.machines = []
        self.outputs = []       # (command, output) from Machine.run
        self.saves = []         # (path, Machine) from save()

    def begin_run(self, timeout):
        """A run_qemu(timeout=) starts: bound every wait of the run by it."""
        if timeout is None:
            return
        self.run_timeout = timeout * TIMEOUT_SCALE
        self.run_deadline = time.time() + self.run_timeout
        if (not self.fixed and self.deadline is not None and
                self.deadline < self.run_deadline):
            self.deadline = self.run_deadline

    def end_run(self):
        self.run_deadline = self.run_timeout = None

    def wait_limit(self, timeout):
        """Absolute time a wait of `timeout` seconds (scaled) ends, and,
        when a time limit of the run or of the test ends it first, which
        one (words for the message), else None.  A timeout of
        UNTIL_DEADLINE waits until the run's or the test's limit, or
        DEFAULT_WAIT seconds when there is neither."""
        now = time.time()
        if timeout == UNTIL_DEADLINE:
            limit = float("inf")
        else:
            limit = now + (timeout or DEFAULT_WAIT) * TIMEOUT_SCALE
        # On a tie the run's limit is named: it is the one the grader set.
        bounds = [(self.deadline, "the test's time limit (%gs)" %
                   (self.timeout or 0)),
                  (self.run_deadline, "run_qemu's time limit (%gs)" %
                   (self.run_timeout or 0))]
        reason = None
        for deadline, what in bounds:
            if deadline is not None and deadline <= limit:
                limit, reason = deadline, what
        if limit == float("inf"):
            limit = now + DEFAULT_WAIT * TIMEOUT_SCALE
        return limit, reason


_local = threading.local()


def _context():
    ctx = getattr(_local, "ctx", None)
    if ctx is None:
        ctx = _local.ctx = _Context()
    return ctx


# ---- the QEMU command line -------------------------------------------------

_qemu_template = None
_default_size = None


def default_size():
    """(CPUS, MEM) as `make qemu` would use them: the lab's LAB_CPUS and
    LAB_MEM when a lab sets them, else the Makefile's defaults."""
    global _default_size
    if _default_size is None:
        out = subprocess.run(
            ["make", "-s", "--no-print-directory", "-C", ROOT, "print-size"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            check=True).stdout.split()
        _default_size = (int(out[-2]), out[-1])
    return _default_size


def qemu_command(kernel, image, cpus=None, mem=None, extra=()):
    """The QEMU command line of `make print-qemu`, for this kernel and image.
    cpus and mem default to default_size().

    Asking make (once per run) keeps the grader's QEMU the same as
    `make qemu`'s.
    """
    global _qemu_template
    if _qemu_template is None:
        out = subprocess.run(
            ["make", "-s", "--no-print-directory", "-C", ROOT, "print-qemu",
             "CPUS=@CPUS@", "MEM=@MEM@"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            check=True).stdout
        words = shlex.split(out.strip().splitlines()[-1])
        needed = ("kernel/kernel", "@CPUS@", "@MEM@")
        if not all(w in words for w in needed) or "file=fs.img" not in out:
            raise RuntimeError("make print-qemu printed an unexpected line; "
                               "update qemu_command in gradelib.py:\n" + out)
        _qemu_template = words
    cpus = cpus if cpus is not None else default_size()[0]
    mem = mem if mem is not None else default_size()[1]
    subst = {"kernel/kernel": kernel, "@CPUS@": str(cpus), "@MEM@": str(mem)}
    return [subst.get(w, w.replace("file=fs.img", "file=" + image))
            for w in _qemu_template] + list(extra)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    """Command prefix that makes the child die when this process dies
    (Linux's parent-death signal, set by util-linux's setpriv)."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL", "--"] if setpriv else []


# ---- one guest -------------------------------------------------------------

class Machine:
    """One QEMU guest with a private copy of the disk image.

    cpus, mem    what the guest gets (make's CPUS and MEM)
    image        disk image to copy (default: this run's snapshot of fs.img)
    extra        more QEMU arguments
    gdb          start halted with a gdb stub; self.gdb is connected to it
    command      run this instead of QEMU (tests of the grader use a fake
                 kernel); "{image}" in it becomes the image copy's path, and
                 with gdb it gets QEMU's "-gdb tcp:127.0.0.1:PORT -S"
    allow_panic  do not treat a panic line as the end of the test
    echo         function called with each piece of console output
    disk_errors  make the disk fail: a list of ("read" or "write", block)
                 pairs; every request touching that block fails with EIO
                 (QEMU's blkdebug driver)

    Use it in a `with` block, or call close(): that kills QEMU and its
    process group if still running, and removes the image copy.  The
    console text stays in self.output.
    """

    def __init__(self, cpus=None, mem=None, image=None, extra=(), gdb=False,
                 command=None, allow_panic=False, echo=None, kernel=None,
                 disk_errors=()):
        ctx = _context()
        self.ctx = ctx
        self.cpus = cpus        # None: default_size()
        self.allow_panic = allow_panic
        self.echo = echo if echo is not None else ctx.echo
        self.gdb = None
        self._cond = threading.Condition()
        self._copies = []       # files that save() copies the console to
        self._ended = None      # why the run ends early (see end_run)
        self._until = []        # what else ends it (see end_on)
        self.keep_stopped = False   # finish() kills, not powers off
        self.tmpdir = tempfile.mkdtemp(prefix="guest-", dir=_run_dir())
        if command is None:
            snap_kernel, snap_image = _snapshot()
            self.kernel = kernel or snap_kernel
            image = image or snap_image
        else:
            self.kernel = kernel
        self.image = os.path.join(self.tmpdir, "fs.img")
        if image:
            shutil.copyfile(image, self.image)
        self.disk_errors = list(disk_errors)
        ctx.machines.append(self)
        for attempt in range(3):
            self.command = self._command(command, cpus, mem, extra, gdb)
            self._start()
            if not gdb:
                break
            try:
                self.gdb = Gdb(self, self._gdb_port)
                break
            except TestFailure:
                # Another program may have taken the port: try another.
                if attempt == 2 or "bind" not in self.output:
                    raise
                self.kill()
                self.proc.wait()
                self._reader.join(5)

    def _command(self, command, cpus, mem, extra, gdb):
        self._gdb_port = None
        gdb_args = []
        if gdb:
            self._gdb_port = free_port()
            gdb_args = ["-gdb", "tcp:127.0.0.1:%d" % self._gdb_port, "-S"]
        if command is not None:
            return [w.replace("{image}", self.image)
                    for w in command] + gdb_args
        return qemu_command(self.kernel, self._drive_file(), cpus, mem,
                            list(extra) + gdb_args)

    def _drive_file(self):
        """The disk image QEMU opens: the image copy, behind a blkdebug
        layer that fails the requests disk_errors names, if any."""
        if not self.disk_errors:
            return self.image
        conf = os.path.join(self.tmpdir, "blkdebug.conf")
        sectors_per_block = 4096 // 512
        with open(conf, "w") as f:
            for kind, block in self.disk_errors:
                event = {"read": "read_aio", "write": "write_aio"}[kind]
                for sector in range(block * sectors_per_block,
                                    (block + 1) * sectors_per_block):
                    f.write('[inject-error]\nevent = "%s"\nerrno = "5"\n'
                            'sector = "%d"\n\n' % (event, sector))
        return "blkdebug:%s:%s" % (conf, self.image)

    def _start(self):
        self.output = ""        # the console so far, without \r
        self.mark = 0           # expect() searches from here
        self.fatal = None       # the first panic line, once seen
        self._scanned = 0       # output before this was checked for panics
        self._eof = False
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        with _live_lock:
            if _stopping:
                raise RuntimeError("the grader is stopping")
            self.proc = subprocess.Popen(
                _die_with_parent() + self.command,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, start_new_session=True)
            _live.add(self)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # -- the reader thread --

    def _read(self):
        fd = self.proc.stdout.fileno()
        while True:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            text = self._decoder.decode(data, final=not data)
            text = text.replace("\r", "")
            with self._cond:
                self.output += text
                self._scan_for_panic()
                if not data:
                    self._eof = True
                if text:
                    self._copy(text)
                self._cond.notify_all()
            if text and self.echo:
                self.echo(text)
            if not data:
                return

    def _copy(self, text):
        """Append text to the files save() named.  Needs _cond."""
        for f in self._copies:
            with contextlib.suppress(OSError, ValueError):
                f.write(text)
                f.flush()

    def copy_console_to(self, f):
        """Write the console so far to the open file f, and then all that
        follows as it arrives, until the guest is closed (which closes f)."""
        with self._cond:
            f.write(self.output)
            f.flush()
            self._copies.append(f)

    def _scan_for_panic(self):
        end = self.output.rfind("\n") + 1
        if end <= self._scanned:
            return
        m = FATAL.search(self.output, self._scanned, end)
        self._scanned = end
        if m and self.fatal is None and not self.allow_panic:
            self.fatal = m.group(1)

    # -- waiting --

    def _check_alive(self, what):
        """Raise if the kernel panicked or QEMU is gone.  Needs _cond."""
        if self.fatal is not None:
            self._settle()
            raise Panicked("the kernel stopped: " + self.fatal)
        if self._eof:
            self.proc.wait()
            raise TestFailure("QEMU exited (status %s) before %s" %
                              (self.proc.returncode, what))

    def _settle(self):
        """Let the rest of a panic message (the backtrace) arrive."""
        end = time.time() + 1.5
        size = -1
        while size != len(self.output) and time.time() < end and not self._eof:
            size = len(self.output)
            self._cond.wait(0.3)

    def _timed_out(self, what, timeout, reason):
        """The TimedOut for a wait; reason: the time limit that ended it,
        as wait_limit() names it, or None for the wait's own."""
        if reason:
            return TimedOut("%s ran out waiting for %s" % (reason, what))
        if timeout == UNTIL_DEADLINE:
            timeout = None
        return TimedOut("waited %gs for %s" %
                        ((timeout or DEFAULT_WAIT) * TIMEOUT_SCALE, what))

    # -- ending a run early (run_qemu) --

    def end_run(self, reason):
        """End the run: every wait on this guest, now or later, raises
        TerminateTest.  Safe from any thread (the gdb watcher uses it)."""
        with self._cond:
            if self._ended is None:
                self._ended = reason
            self._cond.notify_all()

    def end_on(self, pattern, typed=()):
        """End the run (as end_run does) as soon as pattern, a regex, shows
        on the console from here on, other than in the echo of a line in
        typed (the commands a script types).  end_on(None) disarms every
        pattern, and forgets that the run ended."""
        with self._cond:
            if pattern is None:
                self._until = []
                self._ended = None
            else:
                self._until.append(
                    _ConsoleWatch(pattern, typed, len(self.output)))

    def _check_end(self):
        """Raise TerminateTest if the run is to end.  Needs _cond."""
        for watch in self._until:
            if self._ended is None and watch.seen(self.output):
                self._ended = ("/%s/ showed on the console" %
                               watch.regex.pattern)
        if self._ended is not None:
            raise TerminateTest(self._ended)

    def wait_end(self, what, timeout=UNTIL_DEADLINE):
        """Wait until the run ends (TerminateTest); what names the awaited
        event for the TimedOut message."""
        self._wait(lambda: None, what, timeout)

    # -- waiting on the console --

    def _wait(self, found, what, timeout):
        """Wait until found() (called with _cond held) returns something
        other than None and return that.  Fails at once on a panic; raises
        TerminateTest when the run ends; TimedOut at the time limit."""
        limit, reason = self.ctx.wait_limit(timeout)
        with self._cond:
            while True:
                if self.fatal is None:
                    self._check_end()
                    result = found()
                    if result is not None:
                        return result
                self._check_alive(what)
                left = limit - time.time()
                if left <= 0:
                    raise self._timed_out(what, timeout, reason)
                self._cond.wait(min(left, 0.5))

    def expect(self, pattern, timeout=None):
        """Wait until pattern (a regex, ^ and $ match at line ends) shows
        on the console after the mark; move the mark past it and return the
        match.  Fails at once on a panic; TimedOut after timeout seconds
        (default 30, scaled; UNTIL_DEADLINE: as long as the run and the
        test allow) or when the run's or the test's own time is up.  ($
        also matches at the end of what has arrived so far: end a pattern
        with \n to wait for the whole line.)"""
        regex = (re.compile(pattern, re.M) if isinstance(pattern, str)
                 else pattern)
        what = ("the shell's prompt" if regex.pattern == PROMPT else
                "/%s/ on the console" % regex.pattern)

        def found():
            m = regex.search(self.output, self.mark)
            if m:
                self.mark = m.end()
            return m
        return self._wait(found, what, timeout)

    def wait_prompt(self, timeout=None):
        """Wait for the shell's prompt (see PROMPT)."""
        return self.expect(PROMPT, timeout)

    def send(self, text):
        """Type text at the console (no newline is added)."""
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass                # QEMU is gone; the next wait says so

    def run(self, command, timeout=None):
        """Type command and a newline at the prompt and wait for the next
        prompt.  Returns what the command printed, without the echo of the
        command line; also records (command, output) for the Runner."""
        start = self.mark
        self.send(command + "\n")
        try:
            m = self.expect(PROMPT, timeout)
        except TimedOut as e:
            raise TimedOut("%s, after typing %r" % (e, command)) from None
        except TerminateTest:
            # The run ends in the middle: keep what the command printed.
            with self._cond:
                text = self.output[start:]
            self.ctx.outputs.append((command, _after_echo(text, command)))
            raise
        out = _after_echo(self.output[start:m.start()], command)
        self.ctx.outputs.append((command, out))
        return out

    def wait_exit(self, timeout=None, deadline=True):
        """Wait for QEMU to exit and return its status.  Fails on a panic,
        and with TimedOut when it keeps running."""
        if deadline:
            limit, reason = self.ctx.wait_limit(timeout)
        else:
            limit, reason = time.time() + timeout * TIMEOUT_SCALE, None
        with self._cond:
            while not self._eof or self.proc.poll() is None:
                if self.fatal is not None:
                    self._check_alive("exiting")
                left = limit - time.time()
                if left <= 0:
                    raise self._timed_out("QEMU to exit", timeout, reason)
                self._cond.wait(min(left, 0.2))
        return self.proc.returncode

    def halt(self, timeout=POWER_OFF_WAIT, deadline=True):
        """Run `halt` and wait until the guest has powered off; returns
        QEMU's exit status (0 after a clean power-off)."""
        self.send("halt\n")
        return self.wait_exit(timeout, deadline)

    def at_prompt(self):
        """Is the console's last output a shell prompt?"""
        with self._cond:
            return self.output.endswith("$ ")

    def tail(self, lines=TAIL_LINES):
        """The last lines of the console, from the kernel's banner on if
        there is one (the firmware's lines say little)."""
        with self._cond:
            text = self.output
        banner = re.search(r"^rivet: ", text, re.M)
        if banner:
            text = text[banner.start():]
        return "\n".join(text.splitlines()[-lines:])

    def finish(self):
        """End a test's use of the guest: power it off if it sits at a
        prompt, then close it.  Raises Panicked if the kernel panicked.
        A guest that ended its run stopped at a breakpoint (see run_qemu)
        is killed as it is, so that its console stays as at the stop."""
        try:
            with self._cond:
                if self.fatal is not None:
                    self._check_alive("the end of the test")
            if self.keep_stopped:
                return
            if self.gdb is not None:
                self.gdb.detach()
            if self.proc.poll() is None and self.at_prompt():
                with contextlib.suppress(TestFailure):
                    self.halt(deadline=False)
            with self._cond:
                if self.fatal is not None:
                    self._check_alive("the end of the test")
        finally:
            self.close()

    # -- the end --

    def kill(self):
        """Kill QEMU's whole process group if it is still running."""
        proc = getattr(self, "proc", None)
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)

    def close(self):
        """Kill QEMU (and its group), reap it and remove the image copy."""
        self.kill()
        if self.gdb is not None:
            self.gdb.close()
        if getattr(self, "proc", None) is not None:
            self.proc.wait()
            self._reader.join(5)
            for f in (self.proc.stdin, self.proc.stdout):
                with contextlib.suppress(OSError):
                    f.close()
        with self._cond:
            copies, self._copies = self._copies, []
        for f in copies:
            with contextlib.suppress(OSError):
                f.close()
        with _live_lock:
            _live.discard(self)
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _after_echo(text, command):
    """What a command printed, given the console from just before it was
    typed: drop the echo of the command line, and anything a background
    job printed before it."""
    echo = text.find(command + "\n")
    if echo >= 0:
        return text[echo + len(command) + 1:]
    return text.split("\n", 1)[1] if "\n" in text else ""


class _ConsoleWatch:
    """Looks for a regex on the console from a given offset on, skipping
    the shell's echo of the lines a script typed ("$ " and the line), so
    that typing a command that contains the text does not count as the
    text showing.  Lines are looked at once complete, and the last,
    incomplete line again each time."""

    def __init__(self, pattern, typed, start):
        self.regex = re.compile(pattern, re.M)
        self.echoes = ["$ " + c.rstrip("\n") for c in typed]
        self.pos = start

    def seen(self, text):
        pos = self.pos
        while True:
            m = self.regex.search(text, pos)
            if m is None:
                break
            line_start = text.rfind("\n", 0, m.start()) + 1
            line_end = text.find("\n", m.start())
            line = text[line_start:len(text) if line_end < 0 else line_end]
            if not self._is_echo(line, complete=line_end >= 0):
                return True
            if line_end < 0:
                return False    # an echo still arriving: look again later
            pos = line_end + 1
        self.pos = max(pos, text.rfind("\n") + 1)
        return False

    def _is_echo(self, line, complete):
        """Is line (from its start) a prompt and the echo of a typed line,
        or, while incomplete, the start of one?"""
        at = line.find("$ ")
        while at >= 0:
            tail = line[at:]
            if complete and tail in self.echoes:
                return True
            if not complete and any(e.startswith(tail) for e in self.echoes):
                return True
            at = line.find("$ ", at + 1)
        return False


# ---- the gdb stub ----------------------------------------------------------

REGISTERS = ("zero ra sp gp tp t0 t1 t2 s0 s1 a0 a1 a2 a3 a4 a5 a6 a7 "
             "s2 s3 s4 s5 s6 s7 s8 s9 s10 s11 t3 t4 t5 t6 pc").split()

_symbol_cache = {}


def kernel_symbols(kernel):
    """Map of symbol name to address for a kernel ELF file, read with the
    cross toolchain's nm (or, without one, from kernel.sym beside it)."""
    if kernel in _symbol_cache:
        return _symbol_cache[kernel]
    text = None
    for prefix in ("riscv64-unknown-elf-", "riscv64-elf-",
                   "riscv64-linux-gnu-", "riscv64-unknown-linux-gnu-"):
        nm = shutil.which(prefix + "nm")
        if nm:
            text = subprocess.run([nm, kernel], stdout=subprocess.PIPE,
                                  text=True, check=True).stdout
            break
    if text is None:
        with open(os.path.join(ROOT, "kernel", "kernel.sym")) as f:
            text = f.read()
    table = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3:
            table[parts[2]] = int(parts[0], 16)
    _symbol_cache[kernel] = table
    return table


class Stop:
    """Why the guest stopped: the stop reply, the stub's thread id, the
    hart (0-based) and pc."""

    def __init__(self, reply, thread, hart, pc):
        self.reply, self.thread, self.hart, self.pc = reply, thread, hart, pc

    def __repr__(self):
        return "Stop(hart=%s, pc=%#x)" % (self.hart, self.pc or 0)


class Gdb:
    """A client of the gdb remote serial protocol, for QEMU's gdb stub.

    The guest starts halted.  breakpoint("sys_getpid") sets a breakpoint at
    a kernel symbol (or an address), cont() runs until one is hit and
    returns a Stop, finish() runs to the end of the function and returns
    its result, reg("a0") and memory(addr, n) read the stopped hart.
    resume() and interrupt() let the guest run and stop it again.
    watch() lets it run and ends the run when it stops (run_qemu uses it
    for stop_breakpoint).  detach() removes the breakpoints and lets the
    guest run on.
    """

    def __init__(self, machine, port, connect_timeout=10):
        self.machine = machine
        self.breakpoints = set()
        self.last_stop = None
        self.running = False    # resumed, and not known to have stopped
        self.sock = None
        self._buf = b""
        self._watcher = None
        self._unwatch = threading.Event()
        if port is None:
            return
        limit = time.time() + connect_timeout * TIMEOUT_SCALE
        while self.sock is None:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), 1)
            except OSError:
                if machine.proc.poll() is not None or time.time() > limit:
                    raise TestFailure("cannot reach QEMU's gdb stub on port "
                                      "%d:\n%s" % (port, machine.tail()))
                time.sleep(0.05)

    # -- packets: $data#checksum, acknowledged with + --

    @staticmethod
    def packet(data):
        """Frame data as a protocol packet."""
        return "$%s#%02x" % (data, sum(data.encode()) % 256)

    def _send(self, data):
        self.sock.sendall(self.packet(data).encode())

    def _recv(self, limit):
        """Return the data of the next packet, acknowledging it."""
        while True:
            m = re.search(rb"\$([^#]*)#[0-9a-fA-F]{2}", self._buf)
            if m:
                self._buf = self._buf[m.end():]
                self.sock.sendall(b"+")
                return _unrun(m.group(1).decode())
            self._fill(limit)

    def _fill(self, limit):
        while True:
            with self.machine._cond:
                self.machine._check_alive("the gdb stub to answer")
            left = limit - time.time()
            if left <= 0:
                raise TimedOut("the gdb stub did not answer in time")
            self.sock.settimeout(min(left, 0.2))
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            if not data:
                raise TestFailure("QEMU closed the gdb connection")
            self._buf += data
            return

    def command(self, data, timeout=10):
        """Send one packet and return the reply's data."""
        self._send(data)
        return self._recv(time.time() + timeout * TIMEOUT_SCALE)

    # -- what tests use --

    def address(self, where):
        """An address, given one or a kernel symbol's name."""
        if isinstance(where, int):
            return where
        table = kernel_symbols(self.machine.kernel)
        if where not in table:
            raise TestFailure("no kernel symbol %r" % where)
        return table[where]

    def breakpoint(self, where):
        """Set a breakpoint at a kernel symbol or address."""
        addr = self.address(where)
        reply = self.command("Z0,%x,4" % addr)
        if reply != "OK":
            raise TestFailure("gdb stub refused a breakpoint at %r: %r" %
                              (where, reply))
        self.breakpoints.add(addr)
        return addr

    def remove_breakpoint(self, where):
        addr = self.address(where)
        self.command("z0,%x,4" % addr)
        self.breakpoints.discard(addr)

    def cont(self, timeout=None):
        """Let the guest run until it stops (at a breakpoint); return the
        Stop.  Fails on a panic or when the time limit passes."""
        limit, reason = self.machine.ctx.wait_limit(timeout)
        try:
            stop = self._step_over_breakpoint(limit)
            if stop is None:
                self._send("c")
                self.running = True
                stop = self._stop(self._recv(limit))
        except TimedOut:
            raise self.machine._timed_out("a breakpoint to be hit", timeout,
                                          reason)
        self.last_stop = stop
        return stop

    def resume(self):
        """Let the guest run on without waiting for it to stop; use
        interrupt() to stop it again (needed to change breakpoints)."""
        self._step_over_breakpoint(time.time() + 10 * TIMEOUT_SCALE)
        self._send("c")
        self.running = True
        self.last_stop = None

    def interrupt(self, timeout=10):
        """Stop the running guest (as Ctrl-C in gdb does); return the Stop."""
        self.sock.sendall(b"\x03")
        self.last_stop = self._stop(
            self._recv(time.time() + timeout * TIMEOUT_SCALE))
        return self.last_stop

    def watch(self):
        """Let the guest run on (as resume() does) and watch, on a thread
        of its own, for it to stop: at a stop the Stop goes to the test's
        `stop` (Runner.stop) and the run ends (Machine.end_run), so that
        the test's current wait raises TerminateTest.  unwatch() (and
        detach()) stops watching."""
        self.resume()
        self._unwatch.clear()
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watcher.start()

    def _watch(self):
        while not self._unwatch.is_set():
            try:
                reply = self._recv(time.time() + 0.2)
                stop = self._stop(reply)
            except TimedOut:
                continue        # nothing yet: look at _unwatch again
            except Exception:   # a panic, QEMU gone, or the socket closed:
                return          # the test's own waits see to it
            self.last_stop = stop
            self.machine.ctx.stop = stop
            self.machine.end_run("the guest stopped at %#x" % (stop.pc or 0))
            return

    def unwatch(self):
        """Stop watching (see watch()); the guest may still be running."""
        if self._watcher is not None:
            self._unwatch.set()
            self._watcher.join()
            self._watcher = None

    def finish(self, timeout=None):
        """Run the function the stopped hart is in until it returns to its
        caller (the address in ra); return the value it returned (a0)."""
        hart, ra = self.last_stop.hart, self.reg("ra")
        added = ra not in self.breakpoints
        if added:
            self.breakpoint(ra)
        while True:
            stop = self.cont(timeout)
            if stop.hart == hart and stop.pc == ra:
                break
        if added:
            self.remove_breakpoint(ra)
        return self.reg("a0")

    def _step_over_breakpoint(self, limit):
        """QEMU would stop again at the breakpoint the hart sits on: lift
        it, step that hart alone one instruction (the others stay stopped,
        so none slips past the lifted breakpoint), and put it back.
        Returns a Stop if something else stopped the guest, else None."""
        last = self.last_stop
        if last is None or last.pc not in self.breakpoints:
            return None
        self.command("z0,%x,4" % last.pc)
        self._send("vCont;s:%s" % last.thread if last.thread else "s")
        stop = self._stop(self._recv(limit))
        self.command("Z0,%x,4" % last.pc)
        return stop if stop.hart != last.hart else None

    def _stop(self, reply):
        self.running = False
        if reply[:1] in ("W", "X"):
            raise TestFailure("the guest ended instead of stopping: " + reply)
        m = re.search(r"thread:((?:p[0-9a-f]+\.)?([0-9a-f]+));", reply)
        thread = m.group(1) if m else None
        hart = int(m.group(2), 16) - 1 if m else None
        return Stop(reply, thread, hart, self.reg("pc"))

    def reg(self, name):
        """A register of the stopped hart, by ABI name ("a0", "pc").
        (QEMU answers single-register reads only to a gdb that fetched its
        target description, so read them all.)"""
        i = REGISTERS.index(name)
        regs = self.command("g")
        return int.from_bytes(bytes.fromhex(regs[16 * i:16 * i + 16]),
                              "little")

    def memory(self, addr, n):
        """n bytes of guest memory at a (kernel virtual) address."""
        reply = self.command("m%x,%x" % (addr, n))
        if reply.startswith("E"):
            raise TestFailure("cannot read memory at %#x: %s" % (addr, reply))
        return bytes.fromhex(reply)

    def detach(self):
        """Remove all breakpoints and let the guest run freely.  (A
        running guest is stopped first: the stub takes no commands while
        the guest runs.)"""
        if self.sock is None:
            return
        self.unwatch()
        with contextlib.suppress(OSError, TestFailure):
            if self.running:
                self.interrupt(timeout=2)
            for addr in list(self.breakpoints):
                self.remove_breakpoint(addr)
            self.command("D", timeout=2)
        self.close()

    def close(self):
        self._unwatch.set()
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.sock = None


def _unrun(data):
    """Expand the protocol's run-length encoding: "x*" + chr(n + 29)
    means n more copies of x."""
    out = []
    i = 0
    while i < len(data):
        if data[i] == "*" and out and i + 1 < len(data):
            out.append(out[-1][-1] * (ord(data[i + 1]) - 29))
            i += 2
        else:
            out.append(data[i])
            i += 1
    return "".join(out)


# ---- the runner and its monitors -------------------------------------------


# A monitor is a function run_qemu() calls with the guest.  Most are
# "active": they drive the guest, one after the other (shell_script).
# Those marked passive only arrange something (save, stop_on_line,
# stop_breakpoint) and are called first, the ones that need gdb while the
# guest is still stopped before its first instruction.  A passive monitor
# with `awaits` (words for a message) names an event that ends the run:
# when no active monitor is given, run_qemu waits for one of those, for
# the monitor's `timeout` or as long as the run and the test allow.


def shell_script(script, terminate_match=None):
    """Monitor: wait for the prompt, then type each command of script in
    turn, each after the prompt that follows the one before.  Each command
    may take as long as the run (run_qemu's timeout=) and the test allow.
    A command "halt" powers the guest off (and must then be the last).

    With terminate_match (a regex), the run ends, successfully, as soon as
    that shows on the console, even in the middle of a command (the rest
    of the script is not typed); the shell's echo of a typed command does
    not count.  If the script ends first, the run waits for it."""
    commands = list(script)

    def monitor(machine):
        if terminate_match is not None:
            machine.end_on(terminate_match, commands)
        machine.wait_prompt(BOOT_WAIT)
        for command in commands:
            if command.strip() == "halt":
                machine.ctx.outputs.append(("halt", ""))
                status = machine.halt()
                assert_equal(status, 0, "QEMU's exit status after halt")
            else:
                machine.run(command, UNTIL_DEADLINE)
        if terminate_match is not None:
            machine.wait_end("/%s/ (terminate_match) on the console" %
                             terminate_match)
    return monitor


def stop_on_line(regex, timeout=None):
    """Monitor: end the run, successfully, as soon as a console line
    matches regex (re.match at the line's start).  Alone, the run waits
    for that line (timeout: at most that long)."""
    def monitor(machine):
        machine.end_on("^(?:%s)" % regex)
    monitor.passive = True
    monitor.awaits = "a line matching /%s/ on the console" % regex
    monitor.timeout = timeout
    return monitor


def stop_breakpoint(where, timeout=None):
    """Monitor: end the run, successfully, when the guest (booted with
    gdb) reaches a kernel symbol or address; the Stop is kept in the
    Runner's `stop`.  With other monitors, such as shell_script(), the run
    ends at the breakpoint or when they are done, whichever comes first;
    alone, it waits for the breakpoint (timeout: at most that long)."""
    def monitor(machine):
        machine.gdb.breakpoint(where)
    monitor.needs_gdb = True
    monitor.passive = True
    monitor.awaits = "a breakpoint at %s to be hit" % (
        "%#x" % where if isinstance(where, int) else where)
    monitor.timeout = timeout
    return monitor


def save(path):
    """Monitor: write the console of each run to path (relative to the
    tree root), as it arrives, replacing what was there.  When the test
    fails, its run's console is also kept in path.NAME (NAME: the test
    function's name without "test_"), and the report says so.  Usually
    given to every run: Runner(save("xv6.out")).  (With -j, tests that run
    at once write path together; the copy of a failed test's console is
    its own.)"""
    def monitor(machine):
        full = _tree_path(path)
        directory = os.path.dirname(full)
        if directory:
            os.makedirs(directory, exist_ok=True)
        machine.copy_console_to(open(full, "w"))
        machine.ctx.saves.append((full, machine))
    monitor.passive = True
    return monitor


class Runner:
    """What test functions use to boot guests and check their output.

    One Runner serves a whole grader, also with -j: what it holds (the
    guests and command outputs of the running test) is kept per test.
    Monitors given here run at every run_qemu(), before the test's own.
    """

    def __init__(self, *default_monitors, command=None, image=None):
        self.default_monitors = default_monitors
        self.command = command  # tests of the grader boot a fake kernel
        self.image = image

    @contextlib.contextmanager
    def boot(self, cpus=None, mem=None, gdb=False, allow_panic=False,
             extra=(), wait=True, image=None, disk_errors=()):
        """Boot a guest for a `with` block and wait for the first prompt
        (unless wait=False).  With gdb, the guest is then stopped there (or
        with wait=False, before its first instruction) for setting
        breakpoints through m.gdb.  image: a disk image to boot a copy of
        instead of the run's pristine one; disk_errors: blocks the disk
        fails to read or write (see Machine).  At the end the guest is powered
        off (at a prompt) or killed; a panic at any time fails the test."""
        m = Machine(cpus=cpus, mem=mem, gdb=gdb, allow_panic=allow_panic,
                    extra=extra, command=self.command,
                    image=image or self.image, disk_errors=disk_errors)
        try:
            if wait:
                if gdb:
                    m.gdb.resume()
                m.wait_prompt(BOOT_WAIT)
                if gdb:
                    m.gdb.interrupt()
            yield m
            m.finish()
        finally:
            m.close()

    def run_qemu(self, *monitors, cpus=None, mem=None, allow_panic=False,
                 gdb=False, extra=(), image=None, timeout=None,
                 make_args=()):
        """Boot a guest, run the monitors, then end it as boot() does.
        The console stays in self.qemu.output for match().

        The passive monitors (save, stop_on_line, stop_breakpoint) are
        called first, then the guest runs (with gdb: is resumed, and
        watched for a breakpoint) while the others are called in turn.
        The run ends when they are done, or earlier, successfully, when
        something a monitor waits for happens (TerminateTest): a
        terminate_match, a stop_on_line line, a breakpoint.  With no
        active monitor, the run waits for one of those events, or, if
        no monitor awaits one, for the first prompt.

        timeout bounds the whole run, in seconds (scaled); a wait that
        reaches it fails with "timed out".  A test that did not set its
        own time limit gets the run's, when that is longer.  make_args
        may set CPUS= and MEM= (as for `make qemu`); other make variables
        do not apply, since the grader boots the run's snapshot with make
        print-qemu's command line."""
        cpus, mem = _machine_size(make_args, cpus, mem)
        monitors = self.default_monitors + monitors
        first = [mon for mon in monitors
                 if getattr(mon, "passive", False) or
                 getattr(mon, "needs_gdb", False)]
        active = [mon for mon in monitors if mon not in first]
        awaited = [mon for mon in first if getattr(mon, "awaits", None)]
        gdb = gdb or any(getattr(mon, "needs_gdb", False) for mon in first)
        ctx = _context()
        ctx.stop = None
        ctx.begin_run(timeout)
        try:
            with self.boot(cpus, mem, gdb, allow_panic, extra, False,
                           image) as m:
                try:
                    for monitor in first:
                        monitor(m)
                    if gdb:
                        m.gdb.watch()
                    for monitor in active:
                        monitor(m)
                    if not active and awaited:
                        limits = [mon.timeout for mon in awaited]
                        m.wait_end(" or ".join(mon.awaits for mon in awaited),
                                   UNTIL_DEADLINE if None in limits
                                   else max(limits))
                    elif not active:
                        m.wait_prompt(BOOT_WAIT)
                except TerminateTest:
                    if gdb:
                        m.gdb.unwatch()
                        # Stopped at a breakpoint: end it there, as it is.
                        m.keep_stopped = not m.gdb.running
                finally:
                    m.end_on(None)
        finally:
            ctx.end_run()

    @property
    def qemu(self):
        """The test's latest guest (closed after run_qemu, with .output)."""
        machines = _context().machines
        if not machines:
            raise RuntimeError("no guest has been booted in this test")
        return machines[-1]

    @property
    def outputs(self):
        """(command, output) of each command the test ran, in order."""
        return _context().outputs

    @property
    def stop(self):
        """The Stop (hart, pc) at which the latest run_qemu() ended at a
        breakpoint (see stop_breakpoint), or None."""
        return getattr(_context(), "stop", None)

    def output_of(self, command):
        """What the last run of command printed."""
        for cmd, out in reversed(self.outputs):
            if cmd == command:
                return out
        raise RuntimeError("the test did not run %r" % command)

    def match(self, *regexes, no=(), ordered=False):
        """Check the latest guest's whole console (see assert_lines_match)."""
        assert_lines_match(self.qemu.output, *regexes, no=no, ordered=ordered)


# ---- declaring tests -------------------------------------------------------

class Test:
    """One declared test and, once run, its result."""

    def __init__(self, fn, points, title, parent, timeout):
        self.fn = fn
        self.points = points
        self.title = title
        self.parent = parent
        self.timeout = timeout
        self.verdict = None
        self.message = ""
        self.seconds = 0.0
        self.machines = []
        self.outputs = []
        self.stop = None
        self.saved = []         # copies of failed runs' consoles (save())
        self.done = threading.Event()

    @property
    def passed(self):
        return self.verdict == PASSED

    @property
    def score(self):
        return self.points if self.passed else 0

    @property
    def slug(self):
        return re.sub(r"[^A-Za-z0-9]+", "-", self.title).strip("-").lower()


class Part:
    """A marker: the report shows a subtotal of the tests before it."""

    def __init__(self, name):
        self.name = name


_declared = []          # Tests and Parts, in the order the grader gave them


def test(points, title=None, parent=None, timeout=None):
    """Decorator: declare a test worth points, titled title (default: the
    function's name without "test_", "_" read as spaces).  A test with a
    parent runs after it, sees its guest and outputs through the Runner,
    and fails when the parent failed.  timeout bounds the whole test, in
    seconds (scaled); without it the test gets TEST_TIMEOUT seconds, or a
    run_qemu(timeout=)'s longer limit for that run."""
    def register(fn):
        p = getattr(parent, "test", parent)
        t = Test(fn, points, title or _default_title(fn), p, timeout)
        fn.test = t
        _declared.append(t)
        return fn
    return register


def _default_title(fn):
    name = fn.__name__
    if name.startswith("test_"):
        name = name[len("test_"):]
    return name.replace("_", " ")


def end_part(name):
    """End a part: the report gives the score of the tests since the last
    part."""
    _declared.append(Part(name))


# ---- running tests ---------------------------------------------------------


def _run_one(t, echo):
    """Run test t in this thread and record its verdict."""
    start = time.time()
    ctx = _local.ctx = _Context(t.title,
                                (t.timeout or TEST_TIMEOUT) * TIMEOUT_SCALE,
                                echo, fixed=t.timeout is not None)
    inherited = 0
    try:
        if t.parent is not None:
            t.parent.done.wait()
            if not t.parent.passed:
                raise _ParentFailed(t.parent)
            ctx.machines = list(t.parent.machines)
            ctx.outputs = list(t.parent.outputs)
            ctx.stop = t.parent.stop
            inherited = len(ctx.machines)
        t.fn()
        t.verdict = PASSED
    except _ParentFailed as e:
        t.verdict, t.message = e.verdict, str(e)
    except AssertionError as e:
        t.verdict = getattr(e, "verdict", WRONG)
        t.message = str(e) or "assertion failed at " + _where(e)
    except Exception:
        t.verdict, t.message = ERROR, traceback.format_exc()
    finally:
        for m in ctx.machines[inherited:]:
            m.close()
    # A panic says more than whatever else went wrong in the same test.
    panics = [m.fatal for m in ctx.machines[inherited:] if m.fatal]
    if panics and t.verdict in (WRONG, TIMED_OUT, ERROR):
        t.verdict = PANICKED
        t.message = "the kernel stopped: %s\n%s" % (panics[0], t.message)
    t.machines, t.outputs = ctx.machines, ctx.outputs
    t.stop = getattr(ctx, "stop", None)
    if not t.passed:
        t.saved = _keep_saved(t, ctx.saves)
    t.seconds = time.time() - start
    _local.ctx = None


def _keep_saved(t, saves):
    """For a failed test: copy the console of its last run that save()
    wrote to each path, to path.NAME; return the copies' paths."""
    name = t.fn.__name__
    if name.startswith("test_"):
        name = name[len("test_"):]
    last = {}
    for path, machine in saves:
        last[path] = machine
    kept = []
    for path, machine in last.items():
        copy = "%s.%s" % (path, name)
        with contextlib.suppress(OSError):
            _write_atomically(copy, machine.output)
            kept.append(copy)
    return kept


class _ParentFailed(Exception):
    def __init__(self, parent):
        super().__init__("not run: the test it is part of (%s) failed" %
                         parent.title)
        self.verdict = parent.verdict


def _where(e):
    tb = traceback.extract_tb(e.__traceback__)
    return "%s line %d" % (os.path.basename(tb[-1].filename), tb[-1].lineno)


def _select(words):
    """The declared tests whose title has one of words (case-insensitive),
    with their parents; all tests when words is empty."""
    tests = [t for t in _declared if isinstance(t, Test)]
    if not words:
        return tests
    chosen = {t for t in tests
              if any(w.lower() in t.title.lower() for w in words)}
    for t in list(chosen):
        while t.parent is not None:
            t = t.parent
            chosen.add(t)
    return [t for t in tests if t in chosen]


class _Echo:
    """Shows consoles live (-v); with -j, each line is tagged with its
    test's title."""

    def __init__(self, tagged):
        self.tagged = tagged
        self.lock = threading.Lock()
        self.partial = {}

    def for_test(self, title):
        def echo(text):
            with self.lock:
                if not self.tagged:
                    sys.stdout.write(text)
                else:
                    lines = (self.partial.pop(title, "") + text).split("\n")
                    self.partial[title] = lines.pop()
                    for line in lines:
                        sys.stdout.write("[%s] %s\n" % (title, line))
                sys.stdout.flush()
        return echo


def _failure_text(t):
    """What the report and results.json say about a failed test."""
    text = "%s\n%s" % (t.verdict, t.message.rstrip())
    machines = t.machines
    if machines and t.verdict != ERROR:
        text += "\nlast lines of the console:\n" + _indent(machines[-1].tail())
    for path in t.saved:
        text += "\nconsole saved in %s" % os.path.relpath(path)
    return text


def _indent(text, prefix="    "):
    return "\n".join(prefix + line for line in text.splitlines())


def _report_line(t, results_dir):
    if t.passed:
        return "%s: OK (%.1fs)" % (t.title, t.seconds)
    lines = ["%s: FAIL (%s, %.1fs)" % (t.title, t.verdict, t.seconds)]
    lines.append(_indent(_failure_text(t).split("\n", 1)[1]))
    if t.machines:
        lines.append("    full console: %s" %
                     os.path.relpath(_transcript_path(t, results_dir)))
    return "\n".join(lines)


def _transcript_path(t, results_dir):
    return os.path.join(results_dir, t.slug + ".console")


def _write_atomically(path, text):
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def _write_results(tests, results_dir, name, seconds):
    """results.json (Gradescope), junit.xml and failed tests' consoles."""
    os.makedirs(results_dir, exist_ok=True)
    for f in os.listdir(results_dir):
        if f.endswith(".console"):
            with contextlib.suppress(OSError):
                os.remove(os.path.join(results_dir, f))
    score = sum(t.score for t in tests)
    total = sum(t.points for t in tests)
    results = {
        "score": score,
        "execution_time": round(seconds, 1),
        "output": "Score: %d/%d" % (score, total),
        "tests": [{
            "name": t.title,
            "score": t.score,
            "max_score": t.points,
            "status": "passed" if t.passed else "failed",
            "output": "passed" if t.passed else _failure_text(t),
            "extra_data": {"verdict": t.verdict,
                           "seconds": round(t.seconds, 2)},
        } for t in tests],
    }
    _write_atomically(os.path.join(results_dir, "results.json"),
                      json.dumps(results, indent=2) + "\n")

    suite = ET.Element("testsuite", name=name, tests=str(len(tests)),
                       failures=str(sum(not t.passed for t in tests)),
                       errors="0", time="%.2f" % seconds)
    for t in tests:
        case = ET.SubElement(suite, "testcase", classname=name, name=t.title,
                             time="%.2f" % t.seconds)
        if not t.passed:
            fail = ET.SubElement(case, "failure", message=t.verdict,
                                 type=t.verdict)
            fail.text = _failure_text(t)
    suites = ET.Element("testsuites")
    suites.append(suite)
    _write_atomically(os.path.join(results_dir, "junit.xml"),
                      ET.tostring(suites, encoding="unicode") + "\n")

    for t in tests:
        if not t.passed and t.machines:
            parts = ["=== guest %d: %s\n%s" %
                     (i + 1, " ".join(m.command), m.output)
                     for i, m in enumerate(t.machines)]
            _write_atomically(_transcript_path(t, results_dir),
                              "\n".join(parts))


def _parse_args(argv, name):
    p = argparse.ArgumentParser(
        description="Grade the system: boot it under QEMU and run tests.")
    p.add_argument("filters", nargs="*", metavar="WORD",
                   help="run only tests whose title contains a WORD")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="show each guest's console as it runs")
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                   help="run N tests at a time, each with its own guest")
    p.add_argument("-l", "--list", action="store_true",
                   help="list the tests and their points, run nothing")
    p.add_argument("--results", metavar="DIR",
                   default=os.path.join(ROOT, "build", "grade", name),
                   help="where results.json, junit.xml and the consoles of "
                        "failed tests go (default: %(default)s)")
    return p.parse_args(argv)


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def run_tests(argv=None):
    """Run the declared tests as the command line asks; print the report;
    exit with status 0 only if every test run passed."""
    name = os.path.basename(sys.argv[0]).replace(".py", "")
    name = re.sub(r"^grade-", "", name)
    if name == "grade":     # a lab's grader, labs/NAME/grade.py: NAME
        name = os.path.basename(os.path.dirname(os.path.abspath(sys.argv[0])))
    args = _parse_args(sys.argv[1:] if argv is None else argv, name)
    tests = _select(args.filters)
    if args.list:
        for t in tests:
            print("%3d  %s" % (t.points, t.title))
        return
    if not tests:
        sys.exit("no test title contains %s" % " or ".join(args.filters))
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupted)
    echo = _Echo(args.jobs > 1) if args.verbose else None
    start = time.time()
    try:
        _run_all(tests, max(1, args.jobs), echo, args.results)
    except KeyboardInterrupt:
        kill_all(stop=True)
        print("\ninterrupted: every guest was stopped", flush=True)
        sys.exit(130)
    seconds = time.time() - start
    _write_results(tests, args.results, name, seconds)
    passed = sum(t.passed for t in tests)
    print("Score: %d/%d" % (sum(t.score for t in tests),
                            sum(t.points for t in tests)))
    print("%d passed, %d failed" % (passed, len(tests) - passed), flush=True)
    sys.exit(0 if passed == len(tests) else 1)


def _run_all(tests, jobs, echo, results_dir):
    """Run tests on `jobs` worker threads; print each result in declared
    order as soon as it and all before it are done."""
    todo = list(tests)
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not todo:
                    return
                t = todo.pop(0)
            try:
                _run_one(t, echo.for_test(t.title) if echo else None)
            finally:
                t.done.set()

    for _ in range(jobs):
        threading.Thread(target=worker, daemon=True).start()
    selected = set(tests)
    part_tests = []
    for item in _declared:
        if isinstance(item, Part):
            if part_tests:
                print("Part %s: %d/%d" % (item.name,
                                          sum(t.score for t in part_tests),
                                          sum(t.points for t in part_tests)))
            part_tests = []
        elif item in selected:
            while not item.done.wait(0.2):
                pass
            print(_report_line(item, results_dir), flush=True)
            part_tests.append(item)
