#!/usr/bin/env python3
"""Host tests of the grading library, against a fake kernel.

fake_kernel.py stands in for QEMU: it prints a banner and a prompt and
answers commands, and panics, traps or hangs when asked.  These tests
check matching, verdicts (wrong output, panicked, timed out), time limits
and their scale, pristine disk images, process clean-up (also when the
grader is interrupted or killed), the gdb protocol (against a fake gdb
stub), and the report, results.json and junit.xml of a whole grader run.
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
from gradelib import (Gdb, Machine, Panicked, TestFailure,  # noqa: E402
                      TimedOut, assert_equal, assert_lines_match)

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
