#!/usr/bin/env python3
"""Check that a grader written for MIT's gradelib.py runs here unchanged.

grade-mitstyle.py grades the base system the way graders of MIT's xv6
labs are written (save, shell_script with a terminate_match,
run_qemu(timeout=), stop_breakpoint with a shell_script, parent tests,
check_time).  This runs it on the real kernel, as `make grade` would, but
in a scratch root: a directory that links to everything in this tree but
grading/, which it copies (so that gradelib.py's tree root is the scratch
one), and has a time.txt, so that the files a grader reads and writes there
(time.txt, xv6.out) never touch the tree.  Then it runs the time test
again without time.txt, to see it fail with the reason.

Needs the kernel and fs.img built (make all).  Prints one line per check
and ends with "N passed, M failed"; exit status 0 only when all passed.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GRADER = "grade-mitstyle.py"
TESTS = ["echo", "ls", "sh < script, until DONE", "usertests pipe",
         "usertests: pipe_eof_after_writers_close",
         "usertests: all pipe tests", "kill stops in sys_kill", "time"]


def scratch_root():
    """A directory that looks like the tree to gradelib.py (see above)."""
    root = tempfile.mkdtemp(prefix="rivet-mitstyle-")
    for name in os.listdir(ROOT):
        if name not in (".git", "grading"):
            os.symlink(os.path.join(ROOT, name), os.path.join(root, name))
    # Copies, not links: Python finds a script's modules beside the file a
    # link points to, which would make this tree the root again.
    os.mkdir(os.path.join(root, "grading"))
    for name in os.listdir(HERE):
        if name.endswith(".py"):
            shutil.copy(os.path.join(HERE, name),
                        os.path.join(root, "grading", name))
    return root


def grade(root, *args):
    """Run the grader in root as make grade would; return (status, output).
    The output's closing count is reworded, so that it is not taken for
    this suite's own (run_tests.py adds up every "N passed, M failed")."""
    p = subprocess.run(
        [sys.executable, os.path.join(root, "grading", GRADER),
         "--results", os.path.join(root, "results")] + list(args),
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=300)
    return p.returncode, re.sub(r"(\d+) passed, (\d+) failed",
                                r"\1 tests passed, \2 tests failed", p.stdout)


def main():
    for f in ("kernel/kernel", "fs.img"):
        if not os.path.exists(os.path.join(ROOT, f)):
            print("%s is missing: run make first" % f)
            print("0 passed, 1 failed")
            return 1
    checks = []

    def check(name, ok, detail=""):
        checks.append(ok)
        print("check %s: %s" % (name, "OK" if ok else "FAILED"))
        if not ok and detail:
            print("    " + detail.rstrip().replace("\n", "\n    "))

    root = scratch_root()
    try:
        with open(os.path.join(root, "time.txt"), "w") as f:
            f.write("2\n")
        start = time.time()
        status, out = grade(root)
        seconds = time.time() - start
        sys.stdout.write(out)
        check("the grader passes every test", status == 0 and
              out.endswith("Score: 26/26\n8 tests passed, 0 tests failed\n"),
              out)
        for title in TESTS:
            check("%s passes" % title,
                  re.search(r"^%s: OK " % re.escape(title), out, re.M)
                  is not None)
        saved = os.path.join(root, "xv6.out")
        text = open(saved).read() if os.path.exists(saved) else ""
        check("save() wrote the last run's console to xv6.out, which "
              "ends at the breakpoint",
              "$ kill 4242" in text and "rivet: " in text and
              "\nafter\n" not in text, text[-500:])
        check("it took under 60 s (%.1fs)" % seconds, seconds < 60)

        os.unlink(os.path.join(root, "time.txt"))
        status, out = grade(root, "time")
        check("without time.txt the time test fails, saying why",
              status == 1 and "time: FAIL (wrong output" in out and
              "cannot read time.txt" in out, out)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    passed = sum(checks)
    print("mitstyle: %d passed, %d failed" % (passed, len(checks) - passed))
    return 0 if passed == len(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
