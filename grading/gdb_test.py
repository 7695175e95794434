#!/usr/bin/env python3
"""End-to-end checks of the debugging support: gdb, and panic backtraces.

The gdb checks share one session: `make qemu-gdb` (one hart, a free port,
a private disk image and .gdbinit), then the gdb command it prints, in
batch mode, with the commands in GDB_SCRIPT, while this script types at
the guest's shell.

  gdb_syscall_backtrace  break in the kernel's kill(), reached from the
                         kill system call; the backtrace names sys_kill,
                         syscall and usertrap
  gdb_helpers            procs, curproc, trapframe and pgwalk (.gdbinit)
                         show the process table, the call in a7, a user page
  gdb_user_main          after `user-symbols echo`, stop in echo's main
                         with the arguments typed at the shell
  gdb_step_ecall         with `break uservec` set, stepi on an ecall
                         stops in uservec, at the trampoline's address;
                         `break usertrap` then reaches C

  panic_backtrace        a test kernel (`make KTEST=1`, built in a scratch
                         copy of the tree) panics on Ctrl-\\ with a backtrace
                         of function names, which kernel/lib/backtrace.py turns
                         into file:line
  lock_lost_report       the test kernel booted with ktest.lostlock: hart 1
                         spins for a lock hart 0 took and never released,
                         and after 10 s panics naming the lock, its holder
                         and where the holder took it
  lock_again_report      with ktest.lockagain, hart 0 asks for a lock it
                         holds, and panics at once with the same report
  sleep_held_report      with ktest.sleepheld, the sleep system call takes
                         a lock before it sleeps: sleep() panics naming it
  lock_order_report      with ktest.lockorder, hart 0 takes two locks in
                         both orders; the lock-order checker (the test
                         kernel is a LOCKDEP build) reports both orders

The gdb checks need gdb-multiarch or a riscv64-*-gdb.  When there is none
they are skipped, saying so, and count as passed.  Prints one line per
check and ends with "N passed, M failed"; exit status 0 only when no
check failed.
"""

import atexit
import contextlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

from crash_test import build_test_kernel
from gradelib import ROOT, TIMEOUT_SCALE

GDB_NAMES = ("riscv64-unknown-elf-gdb", "riscv64-elf-gdb",
             "riscv64-linux-gnu-gdb", "riscv64-unknown-linux-gnu-gdb",
             "gdb-multiarch")

# Each "echo ==== NAME" starts the output a check reads.  The shell is
# typed at while gdb waits in `continue`: "kill 4242" reaches the first
# breakpoint, "echo gdbhello" the second.  One hart, so that after echo's
# exec no other process can run user code before echo's main.
GDB_SCRIPT = r"""
break kill
continue
echo ==== gdb_syscall_backtrace\n
backtrace
echo ==== gdb_helpers\n
procs
curproc
trapframe
pgwalk 0x1000
delete
syscall-break exec
continue
finish
curproc
user-symbols echo
set $echo_satp = (8L << 60) | ((uint64)$curproc->pagetable >> 12)
break main if $satp == $echo_satp
continue
echo ==== gdb_user_main\n
backtrace 1
print argv[1]
delete
break write if $satp == $echo_satp
continue
# Step to the stub's ecall (the instruction 0x00000073).
set $steps = 0
while $steps < 20 && *(unsigned int *)$pc != 0x00000073
  stepi
  set $steps = $steps + 1
end
echo ==== gdb_step_ecall\n
x/i $pc
break uservec
stepi
info symbol $pc
x/i $pc
break usertrap
continue
backtrace 1
echo ==== end\n
"""

checks = []


def check(fn):
    checks.append(fn)
    return fn


class Skip(Exception):
    """The check cannot run here (a tool is missing)."""


def expect_in(text, pattern):
    if not re.search(pattern, text, re.M):
        raise AssertionError("expected %r in:\n%s" % (pattern, text))


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A child process in its own process group, its output collected
    by a thread; close() kills the whole group."""

    def __init__(self, argv, stdin=False, **kw):
        self.output = ""
        self.mark = 0
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True, **kw)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            data = os.read(self.proc.stdout.fileno(), 4096)
            if not data:
                return
            with self.lock:
                self.output += data.decode("utf-8", "replace")

    def expect(self, pattern, timeout):
        """Wait for pattern after the mark; move the mark past it."""
        deadline = time.time() + timeout * TIMEOUT_SCALE
        regex = re.compile(pattern, re.M)
        while True:
            with self.lock:
                m = regex.search(self.output, self.mark)
            if m:
                self.mark = m.end()
                return m
            if time.time() > deadline or not self.reader.is_alive():
                raise AssertionError("no %r in:\n%s" % (pattern, self.tail()))
            time.sleep(0.02)

    def quiet(self, seconds, timeout):
        """Wait until no output has come for the given seconds."""
        deadline = time.time() + timeout * TIMEOUT_SCALE
        last, since = None, time.time()
        while time.time() < deadline:
            with self.lock:
                n = len(self.output)
            if n != last:
                last, since = n, time.time()
            elif time.time() - since >= seconds:
                return
            time.sleep(0.05)

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def wait(self, timeout):
        return self.proc.wait(timeout * TIMEOUT_SCALE)

    def tail(self, lines=40):
        with self.lock:
            return "\n".join(self.output.splitlines()[-lines:])

    def close(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()


# ---- the gdb session ---------------------------------------------------

def run_gdb_session():
    """Run `make qemu-gdb` and gdb on GDB_SCRIPT; return gdb's output,
    split into {check name: text}, or raise Skip without a gdb."""
    if not any(shutil.which(g) for g in GDB_NAMES):
        raise Skip("no gdb-multiarch or riscv64-*-gdb on PATH "
                   "(install gdb-multiarch, e.g. with make deps)")
    tmp = tempfile.mkdtemp(prefix="rivet-gdb-")
    qemu = gdb = None
    try:
        image = os.path.join(tmp, "fs.img")
        shutil.copyfile(os.path.join(ROOT, "fs.img"), image)
        gdbinit = os.path.join(tmp, "gdbinit")
        script = os.path.join(tmp, "session.gdb")
        with open(script, "w") as f:
            f.write(GDB_SCRIPT)
        qemu = Process(["make", "--no-print-directory", "qemu-gdb", "CPUS=1",
                        "GDBPORT=%d" % free_port(), "GDBINIT=" + gdbinit,
                        "FSIMG=" + image],
                       stdin=True, cwd=ROOT)
        # The command make tells the user to run, in batch mode.
        command = qemu.expect(r"^\*\*\*\s+(\S+ .*-x \S+)\s*$", 120).group(1)
        gdb = Process(shlex.split(command) + ["-batch", "-x", script],
                      cwd=ROOT)
        qemu.expect(r"^\$ ", 60)
        qemu.send("kill 4242\n")
        qemu.expect(r"^\$ ", 60)
        qemu.send("echo gdbhello\n")
        gdb.wait(120)
        return split_sections(gdb.output)
    except (AssertionError, subprocess.TimeoutExpired) as e:
        raise AssertionError(
            "%s\n---- gdb's output:\n%s\n---- console:\n%s" %
            (e, gdb.tail() if gdb else "(not started)",
             qemu.tail() if qemu else ""))
    finally:
        for p in (gdb, qemu):
            if p:
                p.close()
        shutil.rmtree(tmp, ignore_errors=True)


def split_sections(output):
    """Cut gdb's output at the "==== NAME" lines GDB_SCRIPT echoes."""
    sections, name = {}, None
    for line in output.splitlines():
        m = re.match(r"^==== (\w+)$", line)
        if m:
            name = m.group(1)
            sections[name] = ""
        elif name:
            sections[name] += line + "\n"
    if "end" not in sections:
        raise AssertionError("the gdb script did not finish:\n" + output)
    return sections


gdb_session = {}


def gdb_section(name):
    """The output of check name in the gdb session (run on first use)."""
    if "error" in gdb_session:
        raise gdb_session["error"]
    if "sections" not in gdb_session:
        try:
            gdb_session["sections"] = run_gdb_session()
        except (Skip, AssertionError) as e:
            gdb_session["error"] = e
            raise
    return gdb_session["sections"][name]


@check
def gdb_syscall_backtrace():
    out = gdb_section("gdb_syscall_backtrace")
    expect_in(out, r"^#0\s+kill \(pid=4242\) at kernel/proc/proc\.c:\d+")
    expect_in(out, r"^#1\s+0x[0-9a-f]+ in sys_kill \(\) at kernel/proc/sysproc\.c:\d+")
    expect_in(out, r"^#2\s+0x[0-9a-f]+ in syscall \(\) at kernel/proc/syscall\.c:\d+")
    expect_in(out, r"^#3\s+0x[0-9a-f]+ in usertrap \(\) at kernel/riscv/trap\.c:\d+")


@check
def gdb_helpers():
    out = gdb_section("gdb_helpers")
    expect_in(out, r"^\s+0\s+1\s+init\s+SLEEPING on 0x[0-9a-f]+")
    expect_in(out, r"^\s+\d+\s+\d+\s+sh\s+SLEEPING")
    expect_in(out, r"^\s+\d+\s+\d+\s+kill\s+RUNNING on cpu 0$")
    expect_in(out, r"^pid \d+ \(kill\), RUNNING, page table 0x[0-9a-f]+ \(satp 0x8[0-9a-f]+\)")
    expect_in(out, r"^trapframe of pid \d+ \(kill\)")
    expect_in(out, r"a0\s+0x1092\b")                 # 4242, kill's argument
    expect_in(out, r"a7 = 6 selects 0x[0-9a-f]+ <sys_kill>")
    expect_in(out, r"level 0: entry +1 = .*: page 0x[0-9a-f]+, r-xu$")
    expect_in(out, r"^va 0x1000 -> pa 0x[0-9a-f]+$")


@check
def gdb_user_main():
    out = gdb_section("gdb_user_main")
    expect_in(out, r"^#0\s+main \(argc=2, argv=0x[0-9a-f]+\) at user/echo\.c:\d+")
    expect_in(out, r'^\$\d+ = 0x[0-9a-f]+ "gdbhello"$')


@check
def gdb_step_ecall():
    out = gdb_section("gdb_step_ecall")
    expect_in(out, r"^=> 0x[0-9a-f]+ <write\+\d+>:\s+ecall")
    expect_in(out, r"^uservec in section \.text of .*trampoline\.sym$")
    expect_in(out, r"^=> 0x[0-9a-f]+ <uservec>:\s+csrw\s+sscratch,\s*a0$")
    # At -O2 the first line of usertrap is an inlined CSR helper.
    expect_in(out, r"^#0\s+(0x[0-9a-f]+ in )?usertrap \(\) at \S+:\d+")


# ---- the panic ---------------------------------------------------------

_test_kernel = None


def test_kernel():
    """A KTEST=1 kernel, built once per run in a scratch directory (removed
    at exit), as the crash tests build theirs: its path.  It is a LOCKDEP
    build too, so booting it to a prompt shows that the lock-order checker
    finds nothing wrong with the kernel's own locks."""
    global _test_kernel
    if _test_kernel is None:
        tmp = tempfile.mkdtemp(prefix="rivet-ktest-")
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
        _test_kernel = build_test_kernel(tmp)
    return _test_kernel


@contextlib.contextmanager
def test_guest(bootargs=""):
    """Boot the test kernel on two harts with a copy of fs.img (and the
    given bootargs), for a `with` block: the Process.  At the end QEMU is
    stopped and the copy removed."""
    tmp = tempfile.mkdtemp(prefix="rivet-ktest-img-")
    guest = None
    try:
        image = os.path.join(tmp, "fs.img")
        shutil.copyfile(os.path.join(ROOT, "fs.img"), image)
        argv = qemu_argv(test_kernel(), image)
        if bootargs:
            argv += ["-append", bootargs]
        guest = Process(argv, stdin=True, cwd=ROOT)
        yield guest
    finally:
        if guest:
            guest.close()
        shutil.rmtree(tmp, ignore_errors=True)


def qemu_argv(kernel, image):
    """`make print-qemu`'s command line, with this kernel and image."""
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "print-qemu", "CPUS=2",
         "FSIMG=" + image], cwd=ROOT, stdout=subprocess.PIPE, text=True,
        check=True).stdout
    argv = shlex.split(out.strip().splitlines()[-1])
    argv[argv.index("kernel/kernel")] = kernel
    return argv


@check
def panic_backtrace():
    with test_guest() as guest:
        guest.expect(r"^\$ ", 60)
        guest.send("\x1c")                       # Ctrl-\
        guest.expect(r"^panic: test kernel: Ctrl-\\ typed on the console", 30)
        guest.expect(r"^backtrace:", 30)
        guest.quiet(0.5, 10)
        console = guest.output
        frames = re.findall(r"^  0x[0-9a-f]{16} ([\w.]+)\+0x[0-9a-f]+$",
                            console, re.M)
        for name in ("ktest_console_key", "console_intr", "uart_intr"):
            if name not in frames:
                raise AssertionError("no frame %s in:\n%s" % (name, guest.tail()))
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, "kernel", "lib", "backtrace.py"),
         "--kernel", test_kernel()], input=console, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    expect_in(r.stdout, r"^#0\s+0x[0-9a-f]+\s+kernel/lib/ktest\.c:\d+\s+ktest_console_key$")
    expect_in(r.stdout, r"^#1\s+0x[0-9a-f]+\s+kernel/dev/console\.c:\d+\s+console_intr$")
    expect_in(r.stdout, r"^#2\s+0x[0-9a-f]+\s+kernel/riscv/uart\.c:\d+\s+uart_intr$")
    if "??" in r.stdout or "warning" in r.stdout or r.returncode != 0:
        raise AssertionError("backtrace.py did not resolve every frame:\n"
                             + r.stdout)


def lock_report(bootargs, what, lock, timeout):
    """Boot the test kernel with bootargs and expect, within timeout
    seconds, the deadlock panic what for lock, naming hart 0 as its holder
    and the boot hook (called from kmain) as where it took it."""
    with test_guest(bootargs) as guest:
        guest.expect(r'^panic: deadlock: %s lock "%s", held by hart 0, taken '
                     r'in ktest_hart_booted\+0x[0-9a-f]+ called from '
                     r'kmain\+0x[0-9a-f]+$' % (what, lock), timeout)
        guest.expect(r"^backtrace:", 30)


@check
def lock_lost_report():
    lock_report("ktest.lostlock", "waited 10 s for", "ktest lost", 120)


@check
def lock_again_report():
    lock_report("ktest.lockagain", "this hart already holds", "ktest again", 60)


@check
def sleep_held_report():
    with test_guest("ktest.sleepheld") as guest:
        guest.expect(r"^\$ ", 60)
        guest.send("sleep 1\n")
        guest.expect(r'^panic: sleep: would sleep holding lock "ktest held", '
                     r'held by hart \d, taken in sys_sleep\+0x[0-9a-f]+ '
                     r'called from syscall\+0x[0-9a-f]+$', 30)
        guest.expect(r"^backtrace:", 30)


@check
def lock_order_report():
    with test_guest("ktest.lockorder") as guest:
        guest.expect(r'^panic: lock order: "ktest a" taken in '
                     r'take_in_both_orders while holding "ktest b" \(taken in '
                     r'take_in_both_orders\),$', 60)
        guest.expect(r'^but earlier "ktest b" was taken in take_in_both_orders '
                     r'while holding "ktest a" \(taken in take_in_both_orders\):$',
                     10)
        guest.expect(r"^backtrace:", 30)


def run_checks(checks):
    """Run each check in turn: one line per check, then "N passed, M
    failed"; exit status 1 if any failed.  A check that raises Skip is
    counted as passed (the machine lacks what it needs)."""
    passed = failed = skipped = 0
    for fn in checks:
        start = time.time()
        try:
            fn()
            print("check %s: OK (%.1fs)" % (fn.__name__, time.time() - start))
            passed += 1
        except Skip as e:
            print("check %s: skipped: %s" % (fn.__name__, e))
            skipped += 1
        except Exception:
            print("check %s: FAILED (%.1fs)" % (fn.__name__, time.time() - start))
            traceback.print_exc(file=sys.stdout)
            failed += 1
        sys.stdout.flush()
    if skipped:
        print("(%d skipped, counted as passed)" % skipped)
    print("%d passed, %d failed" % (passed + skipped, failed))
    sys.exit(1 if failed else 0)


def main():
    run_checks(checks)


if __name__ == "__main__":
    main()
