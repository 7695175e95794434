#!/usr/bin/env python3
"""Host tests of the grading library, against a fake kernel.

fake_kernel.py stands in for QEMU: it prints a banner and a prompt and
answers commands, and panics, traps or hangs when asked.  These tests
check matching, verdicts (wrong output, panicked, timed out), time limits
and their scale, pristine disk images, process clean-up (also when the
grader is interrupted or killed), the gdb protocol (against a fake gdb
stub), and the report, results.json and junit.xml of a whole grader run;
and what graders written for MIT's gradelib use: run_qemu(timeout=),
shell_script's terminate_match and its waits bounded by the test's time
limit (not 30 s a command), stop_breakpoint with shell_script (the fake
kernel's gdb stub), stop_on_line, save, check_time, check_answers,
random_str, make and maybe_unlink, and a whole grader in that style.
Prints "N passed, M failed" last; exit status 0 only when all passed.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import gradelib  # noqa: E402
from gradelib import (Gdb, Machine, Panicked, Runner,  # noqa: E402
                      TestFailure, TimedOut, assert_equal,
                      assert_lines_match, save, shell_script, stop_breakpoint,
                      stop_on_line)

FAKE = [sys.executable, os.path.join(HERE, "fake_kernel.py"), "{image}"]


def fake_machine(image=None, **kw):
    """A Machine running the fake kernel on a copy of image."""
    return Machine(command=FAKE, image=image, **kw)


def process_gone(pid, wait=5.0):
    """Has pid exited (and been reaped, or become a zombie)?"""
    end = time.time() + wait
    while time.time() < end:
        try:
            with open("/proc/%d/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            if state == "Z":
                return True
        except (FileNotFoundError, ProcessLookupError):
            return True
        time.sleep(0.05)
    return False


class MatchingTest(unittest.TestCase):
    TEXT = "rivet: 3 harts\n$ echo hi\nhi\n$ ls\nREADME.md file 5 100\n"

    def test_all_present(self):
        assert_lines_match(self.TEXT, r"^hi$", r"README\.md", r"\$ ls")

    def test_missing_line_is_named(self):
        with self.assertRaises(TestFailure) as cm:
            assert_lines_match(self.TEXT, r"^hi$", r"^bye$")
        self.assertIn("missing: ^bye$", str(cm.exception))
        self.assertEqual(cm.exception.verdict, "wrong output")

    def test_match_is_anchored_at_line_start(self):
        with self.assertRaises(TestFailure):
            assert_lines_match(self.TEXT, r"harts")
        assert_lines_match(self.TEXT, r".*harts")

    def test_no_rejects_unwanted_lines(self):
        with self.assertRaises(TestFailure) as cm:
            assert_lines_match(self.TEXT, r"^hi$", no=[r"README"])
        self.assertIn("unexpected line: README.md", str(cm.exception))

    def test_ordered(self):
        assert_lines_match(self.TEXT, r"^hi$", r"README", ordered=True)
        with self.assertRaises(TestFailure) as cm:
            assert_lines_match(self.TEXT, r"README", r"^hi$", ordered=True)
        self.assertIn("(in order)", str(cm.exception))
        assert_lines_match(self.TEXT, r"README", r"^hi$")

    def test_assert_equal(self):
        assert_equal(3, 3)
        with self.assertRaises(TestFailure) as cm:
            assert_equal(2, 3, "harts")
        self.assertIn("got      2\nexpected 3", str(cm.exception))


class MachineTest(unittest.TestCase):
    def setUp(self):
        gradelib._local.ctx = None
        self.tmp = tempfile.mkdtemp()
        self.image = os.path.join(self.tmp, "fs.img")
        open(self.image, "w").close()
        self.scale = gradelib.TIMEOUT_SCALE

    def tearDown(self):
        gradelib.TIMEOUT_SCALE = self.scale
        gradelib._local.ctx = None
        shutil.rmtree(self.tmp)

    def test_run_returns_output_without_echo(self):
        with fake_machine(self.image) as m:
            m.expect(gradelib.BANNER, 10)
            m.wait_prompt(10)
            self.assertEqual(m.run("echo hello world"), "hello world\n")
            self.assertNotIn("\r", m.output)
            self.assertEqual(m.halt(), 0)

    def test_prompt_after_output_without_newline(self):
        with fake_machine(self.image) as m:
            m.wait_prompt(10)
            self.assertEqual(m.run("printn ab", timeout=5), "ab")
            self.assertEqual(m.run("echo next", timeout=5), "next\n")
            self.assertTrue(m.at_prompt())

    def test_panic_fails_at_once_with_backtrace(self):
        with fake_machine(self.image) as m:
            m.wait_prompt(10)
            start = time.time()
            with self.assertRaises(Panicked) as cm:
                m.run("panic", timeout=60)
            self.assertLess(time.time() - start, 5)
            self.assertIn("panic: fake panic on request", str(cm.exception))
            self.assertIn("backtrace:", m.tail())
            self.assertEqual(cm.exception.verdict, "panicked")

    def test_unexpected_trap_counts_as_panic(self):
        with fake_machine(self.image) as m:
            m.wait_prompt(10)
            with self.assertRaises(Panicked):
                m.run("trap", timeout=60)

    def test_allow_panic(self):
        with fake_machine(self.image, allow_panic=True) as m:
            m.wait_prompt(10)
            m.send("panic\n")
            m.expect(r"^panic: fake", 10)

    def test_timeout_and_its_scale(self):
        with fake_machine(self.image) as m:
            m.wait_prompt(10)
            for scale in (1, 2):
                gradelib.TIMEOUT_SCALE = scale
                start = time.time()
                with self.assertRaises(TimedOut) as cm:
                    m.run("hang", timeout=0.5)
                took = time.time() - start
                self.assertGreaterEqual(took, 0.5 * scale)
                self.assertLess(took, 0.5 * scale + 1.5)
                self.assertIn("waited %gs" % (0.5 * scale), str(cm.exception))

    def test_test_deadline_bounds_every_wait(self):
        gradelib._local.ctx = gradelib._Context("t", timeout=1)
        with fake_machine(self.image) as m:
            start = time.time()
            with self.assertRaises(TimedOut) as cm:
                m.wait_prompt(10)
                m.run("hang", timeout=60)
            self.assertLess(time.time() - start, 3)
            self.assertIn("test's time limit", str(cm.exception))

    def test_early_exit_is_wrong_output(self):
        with fake_machine(self.image) as m:
            m.wait_prompt(10)
            m.send("halt\n")
            with self.assertRaises(TestFailure) as cm:
                m.expect("never", 10)
            self.assertIn("QEMU exited (status 0)", str(cm.exception))

    def test_each_guest_gets_a_pristine_image(self):
        with fake_machine(self.image) as m:
            m.wait_prompt(10)
            m.run("write first")
            self.assertEqual(m.run("files"), "first\n")
        with fake_machine(self.image) as m:
            m.wait_prompt(10)
            self.assertEqual(m.run("files"), "")
        self.assertEqual(os.path.getsize(self.image), 0)

    def test_close_kills_the_whole_process_group(self):
        m = fake_machine(self.image)
        m.wait_prompt(10)
        child = int(m.run("child"))
        guest = m.proc.pid
        tmpdir = m.tmpdir
        m.close()
        self.assertTrue(process_gone(guest))
        self.assertTrue(process_gone(child))
        self.assertFalse(os.path.exists(tmpdir))
        self.assertNotIn(m, gradelib._live)

    def test_finish_powers_off_at_a_prompt(self):
        m = fake_machine(self.image)
        m.wait_prompt(10)
        m.finish()
        self.assertIn("rivet: powering off", m.output)
        self.assertEqual(m.proc.returncode, 0)

    def test_finish_reports_a_panic_seen_earlier(self):
        m = fake_machine(self.image)
        m.wait_prompt(10)
        m.send("panic\n")
        time.sleep(0.5)
        with self.assertRaises(Panicked):
            m.finish()
        self.assertIsNotNone(m.proc.returncode)


class RunDirTest(unittest.TestCase):
    def test_dirs_of_dead_graders_are_removed(self):
        tmp = tempfile.mkdtemp()
        dead = subprocess.Popen(["true"])
        dead.wait()
        stale = os.path.join(tmp, "rivet-grade-%d-abc" % dead.pid)
        live = os.path.join(tmp, "rivet-grade-%d-def" % os.getppid())
        other = os.path.join(tmp, "rivet-image-123")
        for d in (stale, live, other):
            os.mkdir(d)
        saved = tempfile.tempdir, gradelib._rundir
        try:
            tempfile.tempdir, gradelib._rundir = tmp, None
            mine = gradelib._run_dir()
            self.assertTrue(os.path.basename(mine).startswith(
                "rivet-grade-%d-" % os.getpid()))
        finally:
            tempfile.tempdir, gradelib._rundir = saved
        self.assertFalse(os.path.exists(stale))
        self.assertTrue(os.path.exists(live))
        self.assertTrue(os.path.exists(other))
        shutil.rmtree(tmp)


class QemuCommandTest(unittest.TestCase):
    def test_derived_from_make_print_qemu(self):
        cmd = gradelib.qemu_command("/k/kernel", "/i/fs.img", 2, "256M",
                                    ["-S"])
        self.assertEqual(cmd[0], "qemu-system-riscv64")
        self.assertEqual(cmd[cmd.index("-kernel") + 1], "/k/kernel")
        self.assertEqual(cmd[cmd.index("-smp") + 1], "2")
        self.assertEqual(cmd[cmd.index("-m") + 1], "256M")
        self.assertTrue(any(w.startswith("file=/i/fs.img,") for w in cmd))
        self.assertEqual(cmd[-1], "-S")

    def test_free_ports_differ(self):
        a, b = gradelib.free_port(), gradelib.free_port()
        self.assertTrue(0 < a < 65536 and 0 < b < 65536)


class FakeGdbStub(threading.Thread):
    """Answers a gdb client like QEMU's stub, checking every checksum."""

    def __init__(self):
        super().__init__(daemon=True)
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.port = self.server.getsockname()[1]
        self.received = []
        self.bad_checksums = 0
        self.pc = 0
        self.start()

    def regs(self):
        values = [0] * 33
        values[10] = 42                 # a0
        values[32] = self.pc
        return "".join(v.to_bytes(8, "little").hex() for v in values)

    def answer(self, data):
        if data.startswith("Z0,"):
            self.pc = int(data.split(",")[1], 16)
            return "OK"
        if data in ("c", "s") or data.startswith("vCont;s:"):
            return "T05thread:p01.02;"
        if data == "g":
            return self.regs()
        if data.startswith("m"):
            return b"rivet".hex()
        return "OK"

    def run(self):
        conn, _ = self.server.accept()
        buf = b""
        while True:
            m = re.search(rb"\$([^#]*)#([0-9a-f]{2})", buf)
            if not m:
                data = conn.recv(4096)
                if not data:
                    return
                buf += data
                continue
            buf = buf[m.end():]
            data = m.group(1).decode()
            if sum(m.group(1)) % 256 != int(m.group(2), 16):
                self.bad_checksums += 1
            self.received.append(data)
            conn.sendall(b"+" + Gdb.packet(self.answer(data)).encode())


class GdbTest(unittest.TestCase):
    def setUp(self):
        gradelib._local.ctx = None
        self.tmp = tempfile.mkdtemp()
        self.image = os.path.join(self.tmp, "fs.img")
        open(self.image, "w").close()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_packet_framing(self):
        self.assertEqual(Gdb.packet("c"), "$c#63")
        self.assertEqual(Gdb.packet("Z0,80200000,4"),
                         "$Z0,80200000,4#%02x" % (sum(b"Z0,80200000,4") % 256))
        self.assertEqual(gradelib._unrun("0* "), "0" * 4)

    def test_breakpoint_continue_registers_memory(self):
        stub = FakeGdbStub()
        with fake_machine(self.image) as m:
            gdb = Gdb(m, stub.port)
            self.assertEqual(gdb.breakpoint(0x80201000), 0x80201000)
            stop = gdb.cont(5)
            self.assertEqual((stop.hart, stop.pc), (1, 0x80201000))
            self.assertEqual(gdb.reg("a0"), 42)
            self.assertEqual(gdb.memory(0x80200000, 5), b"rivet")
            gdb.cont(5)         # steps off the breakpoint first
            gdb.detach()
        self.assertEqual(stub.bad_checksums, 0)
        self.assertEqual(stub.received[:2], ["Z0,80201000,4", "c"])
        self.assertIn("z0,80201000,4", stub.received)
        self.assertIn("vCont;s:p01.02", stub.received)
        self.assertEqual(stub.received[-1], "D")


BREAK_AT = 0x80201000
BOOT_ADDRESS = 0x80200100       # fake_kernel.BOOT_ADDRESS


class RunQemuTest(unittest.TestCase):
    """run_qemu with monitors, in this process, on the fake kernel."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.image = os.path.join(self.tmp, "fs.img")
        open(self.image, "w").close()
        self.r = Runner(command=FAKE, image=self.image)
        self.scale = gradelib.TIMEOUT_SCALE
        self.in_test(10)

    def tearDown(self):
        gradelib.TIMEOUT_SCALE = self.scale
        gradelib._local.ctx = None
        shutil.rmtree(self.tmp)

    def in_test(self, timeout, fixed=True):
        """Be inside a test with this time limit (scaled, as run_tests
        does); fixed=False: the test did not set it."""
        gradelib._local.ctx = gradelib._Context(
            "t", timeout * gradelib.TIMEOUT_SCALE, fixed=fixed)

    def typed(self):
        return [cmd for cmd, _ in self.r.outputs]

    # -- time limits --

    def test_run_timeout_bounds_the_run(self):
        start = time.time()
        with self.assertRaises(TimedOut) as cm:
            self.r.run_qemu(shell_script(["hang"]), timeout=1)
        self.assertLess(time.time() - start, 4)
        self.assertIn("run_qemu's time limit (1s) ran out", str(cm.exception))
        self.assertIn("after typing 'hang'", str(cm.exception))

    def test_run_timeout_extends_a_default_test_limit(self):
        self.in_test(0.5, fixed=False)
        self.r.run_qemu(shell_script(["slow 1.5"]), timeout=5)
        self.assertEqual(self.r.output_of("slow 1.5"), "done\n")

    def test_a_test_limit_set_by_the_test_still_holds(self):
        self.in_test(1)
        with self.assertRaises(TimedOut) as cm:
            self.r.run_qemu(shell_script(["slow 3"]), timeout=5)
        self.assertIn("the test's time limit (1s)", str(cm.exception))

    def test_a_command_may_outlast_the_default_wait(self):
        # At scale 0.05 a wait without a timeout lasts 30 s of simulated
        # time (1.5 s) and the test's 60 s are 3 s: "slow 2" is a command
        # of 40 simulated seconds.
        gradelib.TIMEOUT_SCALE = 0.05
        self.in_test(60)
        with fake_machine(self.image) as m:
            m.wait_prompt()
            with self.assertRaises(TimedOut) as cm:
                m.run("slow 2")
            self.assertIn("waited 1.5s", str(cm.exception))
        self.in_test(60)
        self.r.run_qemu(shell_script(["echo start", "slow 2", "echo end"]))
        self.assertEqual(self.r.output_of("slow 2"), "done\n")
        self.assertEqual(self.r.output_of("echo end"), "end\n")

    def test_a_command_is_cut_by_the_test_limit(self):
        gradelib.TIMEOUT_SCALE = 0.05
        self.in_test(30)        # 1.5 s
        with self.assertRaises(TimedOut) as cm:
            self.r.run_qemu(shell_script(["slow 4"]))
        self.assertIn("the test's time limit (1.5s)", str(cm.exception))

    def test_make_args_set_cpus_and_mem(self):
        self.assertEqual(gradelib._machine_size(["CPUS=1", "MEM=256M"], 3,
                                                "128M"), (1, "256M"))
        with self.assertRaises(ValueError):
            self.r.run_qemu(shell_script([]), make_args=["FS=x.img"])

    # -- terminate_match and stop_on_line --

    def test_terminate_match_ends_the_run_at_once(self):
        start = time.time()
        self.r.run_qemu(shell_script(["echo a", "stall ALL TESTS PASSED",
                                      "echo never"], "ALL TESTS PASSED"))
        self.assertLess(time.time() - start, 4)
        self.assertEqual(self.r.output_of("stall ALL TESTS PASSED"),
                         "ALL TESTS PASSED\n")
        self.assertEqual(self.typed(), ["echo a", "stall ALL TESTS PASSED"])
        self.r.match(r"^ALL TESTS PASSED$", no=[r"^never$"])

    def test_terminate_match_in_an_earlier_command_skips_the_rest(self):
        self.r.run_qemu(shell_script(["echo DONE", "hang"], "DONE"))
        self.assertEqual(self.typed(), ["echo DONE"])

    def test_terminate_match_waits_after_the_script(self):
        with self.assertRaises(TimedOut) as cm:
            self.r.run_qemu(shell_script(["echo a"], "never shows"),
                            timeout=1)
        self.assertIn("/never shows/ (terminate_match)", str(cm.exception))

    def test_the_echo_of_a_typed_command_does_not_terminate(self):
        # "echo b" shows only in the echo of the command line.
        with self.assertRaises(TimedOut) as cm:
            self.r.run_qemu(shell_script(["echo a", "echo b"], "echo b"),
                            timeout=1)
        self.assertIn("(terminate_match)", str(cm.exception))
        self.assertEqual(self.typed(), ["echo a", "echo b"])
        watch = gradelib._ConsoleWatch("DONE", ["echo DONE"], 0)
        self.assertFalse(watch.seen("$ echo DO"))
        self.assertFalse(watch.seen("$ echo DONE\n"))
        self.assertTrue(watch.seen("$ echo DONE\nDONE\n"))

    def test_stop_on_line_ends_a_script(self):
        self.r.run_qemu(stop_on_line(r"do.e$"),
                        shell_script(["echo a", "slow 0.2", "echo never"]))
        self.assertEqual(self.typed(), ["echo a", "slow 0.2"])

    def test_stop_on_line_alone_waits_for_the_line(self):
        self.r.run_qemu(stop_on_line(r"init: starting"))
        self.assertIn("init: starting sh", self.r.qemu.output)

    # -- stop_breakpoint, with the fake kernel's gdb stub --

    def test_breakpoint_hit_during_a_script_ends_the_run(self):
        start = time.time()
        self.r.run_qemu(stop_breakpoint(BREAK_AT),
                        shell_script(["echo before", "reach %x" % BREAK_AT,
                                      "echo after"]))
        self.assertLess(time.time() - start, 5)
        self.assertEqual((self.r.stop.hart, self.r.stop.pc), (0, BREAK_AT))
        self.assertEqual(self.typed(), ["echo before", "reach %x" % BREAK_AT])
        self.r.match(r"^before$", no=[r"^reached$", r"^after$"])

    def test_script_done_before_the_breakpoint(self):
        start = time.time()
        self.r.run_qemu(stop_breakpoint(BREAK_AT),
                        shell_script(["echo only", "reach 80201004"]))
        self.assertLess(time.time() - start, 5)
        self.assertIsNone(self.r.stop)
        self.assertEqual(self.r.output_of("reach 80201004"), "reached\n")
        # The guest was stopped, detached, and powered off at its prompt.
        self.assertIn("rivet: powering off", self.r.qemu.output)
        self.assertEqual(self.r.qemu.proc.returncode, 0)

    def test_stop_breakpoint_alone(self):
        self.r.run_qemu(stop_breakpoint(BOOT_ADDRESS))
        self.assertEqual(self.r.stop.pc, BOOT_ADDRESS)
        self.assertIn("rivet: 3 harts", self.r.qemu.output)
        self.assertNotIn("init: starting sh", self.r.qemu.output)

    def test_stop_breakpoint_never_hit(self):
        with self.assertRaises(TimedOut) as cm:
            self.r.run_qemu(stop_breakpoint(BREAK_AT, timeout=0.5))
        self.assertIn("waited 0.5s for a breakpoint at %#x to be hit" %
                      BREAK_AT, str(cm.exception))

    def test_gdb_without_breakpoints_lets_the_script_run(self):
        self.r.run_qemu(shell_script(["echo hi"]), gdb=True)
        self.assertEqual(self.r.output_of("echo hi"), "hi\n")

    # -- save --

    def test_save_writes_the_whole_console(self):
        path = os.path.join(self.tmp, "out", "xv6.out")
        r = Runner(save(path), command=FAKE, image=self.image)
        r.run_qemu(shell_script(["echo saved"]))
        with open(path) as f:
            self.assertEqual(f.read(), r.qemu.output)
        self.assertIn("rivet: powering off", r.qemu.output)
        r.run_qemu(shell_script(["echo second"]))
        with open(path) as f:
            text = f.read()
        self.assertIn("second", text)
        self.assertNotIn("saved", text)


class LabFilesTest(unittest.TestCase):
    """check_time, check_answers, random_str, make, maybe_unlink."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.root = gradelib.ROOT
        gradelib.ROOT = self.tmp

    def tearDown(self):
        gradelib.ROOT = self.root
        shutil.rmtree(self.tmp)

    def write(self, name, text):
        with open(os.path.join(self.tmp, name), "w") as f:
            f.write(text)

    def test_check_time(self):
        with self.assertRaises(TestFailure) as cm:
            gradelib.check_time()
        self.assertIn("cannot read time.txt", str(cm.exception))
        for good in ("6\n", " 12 \n\n", "0"):
            self.write("time.txt", good)
            gradelib.check_time()
        for bad in ("", "six\n", "6 hours\n", "3.5\n", "4\n5\n", "-2"):
            self.write("time.txt", bad)
            with self.assertRaises(TestFailure) as cm:
                gradelib.check_time()
            self.assertIn("whole number", str(cm.exception))

    def test_check_answers(self):
        with self.assertRaises(TestFailure) as cm:
            gradelib.check_answers("answers-x.txt")
        self.assertIn("cannot read answers-x.txt", str(cm.exception))
        self.write("answers-x.txt", "\n  short  \n\n")
        with self.assertRaises(TestFailure) as cm:
            gradelib.check_answers("answers-x.txt")
        self.assertIn("5 characters", str(cm.exception))
        gradelib.check_answers("answers-x.txt", 5)
        self.write("answers-x.txt", "1. a2\n2. in main\n")
        gradelib.check_answers("answers-x.txt")

    def test_random_str(self):
        a, b = gradelib.random_str(), gradelib.random_str(20)
        self.assertEqual((len(a), len(b)), (8, 20))
        self.assertTrue(re.fullmatch(r"[A-Za-z0-9]+", a + b))
        self.assertNotEqual(gradelib.random_str(20), b)

    def test_maybe_unlink(self):
        self.write("a.out", "x")
        gradelib.maybe_unlink("a.out", "missing.out")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "a.out")))

    def test_make(self):
        gradelib.ROOT = self.root
        gradelib.make("print-qemu")
        with self.assertRaises(TestFailure) as cm:
            gradelib.make("no-such-target")
        self.assertIn("make no-such-target failed", str(cm.exception))


GRADER = """
import sys
sys.path.insert(0, {grading!r})
from gradelib import *

r = Runner(command={fake!r}, image={image!r})

@test(10, "echo works")
def test_echo():
    r.run_qemu(shell_script(["echo hi"]))
    r.match(r"^hi$")

@test(5, "wrong answer")
def test_wrong():
    r.run_qemu(shell_script(["echo no"]))
    r.match(r"^yes$")

@test(5, "kernel panics")
def test_panic():
    r.run_qemu(shell_script(["panic", "echo never"]))

@test(5, "guest hangs", timeout=2)
def test_hang():
    r.run_qemu(shell_script(["hang"]))

end_part("one")

@test(0, "parent runs")
def test_parent():
    r.run_qemu(shell_script(["echo area1 ok", "echo area2 bad"]))

@test(3, "child one", parent=test_parent)
def test_child1():
    r.match(r"^area1 ok$")

@test(3, "child two", parent=test_parent)
def test_child2():
    assert_equal(r.output_of("echo area2 bad"), "area2 ok\\n")

@test(2, "slow one")
def test_slow1():
    r.run_qemu(shell_script(["slow 1.5"]))

@test(2, "slow two")
def test_slow2():
    r.run_qemu(shell_script(["slow 1.5"]))

@test(1, "sleeps long", timeout=300)
def test_long():
    with r.boot() as m:
        m.run("child")
        m.run("hang", timeout=300)

end_part("two")
run_tests()
"""


class GraderRunTest(unittest.TestCase):
    """Whole grader runs, each in a process of its own."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.image = os.path.join(self.tmp, "fs.img")
        open(self.image, "w").close()
        self.grader = os.path.join(self.tmp, "grade-fake.py")
        with open(self.grader, "w") as f:
            f.write(GRADER.format(grading=HERE, fake=FAKE, image=self.image))
        self.results = os.path.join(self.tmp, "results")
        self.pidfile = os.path.join(self.tmp, "pids")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def grade(self, *args):
        p = subprocess.run(
            [sys.executable, self.grader, "--results", self.results] +
            list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, timeout=120)
        return p.returncode, p.stdout

    def test_report_verdicts_and_files(self):
        start = time.time()
        status, out = self.grade("-j", "2", "echo", "wrong", "panics",
                                 "hangs", "parent", "child", "slow")
        took = time.time() - start
        self.assertEqual(status, 1, out)
        self.assertIn("echo works: OK", out)
        self.assertIn("wrong answer: FAIL (wrong output", out)
        self.assertIn("missing: ^yes$", out)
        self.assertIn("kernel panics: FAIL (panicked", out)
        self.assertIn("panic: fake panic on request", out)
        self.assertIn("guest hangs: FAIL (timed out", out)
        self.assertIn("child one: OK", out)
        self.assertIn("child two: FAIL (wrong output", out)
        self.assertIn("Part one: 10/25", out)
        self.assertIn("Part two: 7/10", out)
        lines = out.strip().splitlines()
        self.assertEqual(lines[-2], "Score: 17/35")
        self.assertEqual(lines[-1], "5 passed, 4 failed")
        self.assertLess(took, 30)

        with open(os.path.join(self.results, "results.json")) as f:
            results = json.load(f)
        self.assertEqual(results["score"], 17)
        names = [t["name"] for t in results["tests"]]
        self.assertEqual(names[:3], ["echo works", "wrong answer",
                                     "kernel panics"])
        for t in results["tests"]:
            self.assertEqual(set(t) >= {"name", "score", "max_score",
                                        "output"}, True)
        panic = results["tests"][2]
        self.assertEqual((panic["score"], panic["max_score"]), (0, 5))
        self.assertIn("panicked", panic["output"])
        self.assertIn("backtrace:", panic["output"])

        suite = ET.parse(os.path.join(self.results, "junit.xml")).getroot()[0]
        self.assertEqual((suite.get("tests"), suite.get("failures")),
                         ("9", "4"))
        failed = [c.get("name") for c in suite
                  if c.find("failure") is not None]
        self.assertEqual(failed, ["wrong answer", "kernel panics",
                                  "guest hangs", "child two"])
        consoles = sorted(f for f in os.listdir(self.results)
                          if f.endswith(".console"))
        self.assertEqual(consoles, ["child-two.console", "guest-hangs.console",
                                    "kernel-panics.console",
                                    "wrong-answer.console"])
        with open(os.path.join(self.results, "kernel-panics.console")) as f:
            self.assertIn("rivet: 3 harts", f.read())

    def test_parallel_runs_overlap(self):
        start = time.time()
        status, out = self.grade("-j", "2", "slow")
        took = time.time() - start
        self.assertEqual(status, 0, out)
        self.assertTrue(out.endswith("2 passed, 0 failed\n"), out)
        self.assertLess(took, 2 * 1.5 + 1)

    def test_filter_keeps_parents_and_verbose_shows_console(self):
        status, out = self.grade("-v", "child one")
        self.assertEqual(status, 0, out)
        self.assertIn("rivet: 3 harts", out)
        self.assertIn("parent runs: OK", out)
        self.assertNotIn("child two", out)
        self.assertTrue(out.endswith("2 passed, 0 failed\n"), out)

    def test_list(self):
        status, out = self.grade("-l")
        self.assertEqual(status, 0)
        self.assertIn(" 10  echo works", out)

    def start_long_test(self):
        """Start the grader on its test that never ends; return it once
        the guest and the guest's own child are running."""
        env = dict(os.environ, FAKE_KERNEL_PIDFILE=self.pidfile,
                   TMPDIR=self.tmp)
        p = subprocess.Popen(
            [sys.executable, self.grader, "--results", self.results,
             "sleeps long"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, env=env)
        end = time.time() + 20
        pids = []
        while len(pids) < 2 and time.time() < end:
            time.sleep(0.1)
            if os.path.exists(self.pidfile):
                with open(self.pidfile) as f:
                    pids = [int(x) for x in f.read().split()]
        self.assertEqual(len(pids), 2, "the fake guest did not start")
        time.sleep(0.3)
        return p, pids

    def test_ctrl_c_leaves_no_guest(self):
        p, pids = self.start_long_test()
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=20)
        self.assertEqual(p.returncode, 130, out)
        self.assertIn("interrupted", out)
        for pid in pids:
            self.assertTrue(process_gone(pid), "pid %d survived" % pid)

    @unittest.skipUnless(shutil.which("setpriv"), "needs util-linux setpriv")
    def test_killed_grader_leaves_no_guest(self):
        p, pids = self.start_long_test()
        p.kill()
        p.communicate(timeout=20)
        self.assertTrue(process_gone(pids[0]), "the guest survived")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pids[1], signal.SIGKILL)    # the guest's own child


# A grader as one is written for MIT's gradelib.py, but for the lines
# marked "harness", which point it at the fake kernel and a scratch root.
MIT_GRADER = """
import sys
sys.path.insert(0, {grading!r})     # harness
import gradelib                     # harness
gradelib.ROOT = {root!r}            # harness

import re
from gradelib import *

r = Runner(save("xv6.out"), command={fake!r}, image={image!r})  # harness

@test(5, "echo")
def test_echo():
    r.run_qemu(shell_script(["echo hello"]))
    r.match("^hello$")

@test(5)
def test_long_command():
    r.run_qemu(shell_script(["slow 2", "echo after"]), timeout=100)
    r.match("^done$", "^after$")

@test(5, "stops at DONE")
def test_terminate():
    r.run_qemu(shell_script(["stall DONE", "echo never"], "DONE"))
    r.match("^DONE$", no=["^never$"])

@test(5, "breakpoint")
def test_breakpoint():
    r.run_qemu(stop_breakpoint(0x80201000),
               shell_script(["echo a", "reach 80201000", "echo b"]))
    r.match("^a$", no=["^reached$", "^b$"])

@test(2, "wrong")
def test_wrong():
    r.run_qemu(shell_script(["echo right"]))
    r.match("^left$")

@test(1, "time")
def test_time():
    check_time()

@test(1, "answers")
def test_answers():
    check_answers("answers-fake.txt")

run_tests()
"""


class MitStyleGraderTest(unittest.TestCase):
    """A grader written for MIT's gradelib, run whole, at a small time
    scale: a 40-second command (of simulated time) passes, and save()
    says where a failed test's console is."""

    def test_mit_style_grader(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        image = os.path.join(tmp, "fs.img")
        open(image, "w").close()
        grader = os.path.join(tmp, "grade-lab-fake.py")
        with open(grader, "w") as f:
            f.write(MIT_GRADER.format(grading=HERE, root=tmp, fake=FAKE,
                                      image=image))
        with open(os.path.join(tmp, "time.txt"), "w") as f:
            f.write("7\n")
        env = dict(os.environ, GRADE_TIMEOUT_SCALE="0.05")
        p = subprocess.run(
            [sys.executable, grader, "--results",
             os.path.join(tmp, "results"), "-l"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=env, timeout=60)
        self.assertIn("  5  long command", p.stdout)
        start = time.time()
        p = subprocess.run(
            [sys.executable, grader, "--results",
             os.path.join(tmp, "results")], cwd=tmp,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=env, timeout=60)
        out = p.stdout
        self.assertLess(time.time() - start, 30)
        self.assertEqual(p.returncode, 1, out)
        for title in ("echo", "long command", "stops at DONE", "breakpoint",
                      "time"):
            self.assertIn("\n%s: OK" % title, "\n" + out)
        self.assertIn("wrong: FAIL (wrong output", out)
        self.assertIn("console saved in xv6.out.wrong", out)
        self.assertIn("answers: FAIL (wrong output", out)
        self.assertIn("cannot read answers-fake.txt", out)
        self.assertTrue(out.endswith("Score: 21/24\n5 passed, 2 failed\n"),
                        out)
        with open(os.path.join(tmp, "xv6.out.wrong")) as f:
            self.assertIn("$ echo right\nright\n", f.read())
        self.assertTrue(os.path.exists(os.path.join(tmp, "xv6.out")))


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=1).run(suite)
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print("gradelib: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
