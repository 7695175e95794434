#!/usr/bin/env python3
"""Run every test suite of the tree and add up their results.

`make test` runs this after building.  Each suite is a command that ends
its output with a line "N passed, M failed".  Suites run TEST_JOBS at a
time (default 2, one per core of a small machine; the longest ones start
first), and a failure does not stop the rest.  Each suite's output is
printed whole when it ends, so suites running side by side do not mix
their lines; a table and one total line "N passed, M failed" close the
run.  A suite that exits non-zero without reporting a failure counts as
one failure; one that reports no count and succeeds, as one pass.

    python3 grading/run_tests.py [SUITE...]     (default: all of them)
    TEST_JOBS=1 python3 grading/run_tests.py    (one at a time, streaming)
"""

import os
import re
import subprocess
import threading
import sys
import time

PYTHON = sys.executable

# In the order they start: the longest first, so that the run ends soon
# after the longest suite does.
SUITES = [
    ("labs", [PYTHON, "grading/labs_test.py"]),
    ("grade", [PYTHON, "grading/grade-base.py"]),
    ("crash", [PYTHON, "grading/crash_test.py"]),
    ("unit", ["make", "--no-print-directory", "unit"]),
    ("tree", [PYTHON, "grading/tree_test.py"]),
    ("book", [PYTHON, "book/check.py"]),
    ("book-checker", [PYTHON, "book/check_test.py"]),
    ("book-sessions", [PYTHON, "grading/book_samples_test.py"]),
    ("book-html", [PYTHON, "book/browser_check.py"]),
    ("gradelib", [PYTHON, "grading/gradelib_test.py"]),
    ("mitstyle", [PYTHON, "grading/mitstyle_test.py"]),
    ("broken-kernel", [PYTHON, "grading/broken_kernel_test.py"]),
    ("gdb", [PYTHON, "grading/gdb_test.py"]),
    ("vscode", [PYTHON, "grading/vscode_test.py"]),
    ("messages", [PYTHON, "grading/troubleshooting_test.py"]),
]

COUNT_RE = re.compile(r"(\d+) passed, (\d+) failed")


print_lock = threading.Lock()


def run_suite(name, command, stream):
    """Run command; print its output (as it comes when stream, else whole
    at the end); return (passed, failed, seconds)."""
    start = time.time()
    passed = failed = 0
    lines = []
    proc = subprocess.Popen(command, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    header = "==== %s: %s\n" % (name, " ".join(
        command[-1:] if name != "unit" else command))
    if stream:
        sys.stdout.write(header)
    for line in proc.stdout:
        if stream:
            sys.stdout.write(line)
            sys.stdout.flush()
        else:
            lines.append(line)
        m = COUNT_RE.search(line)
        if m:
            # Suites that print several count lines (make unit) add up.
            passed += int(m.group(1))
            failed += int(m.group(2))
    status = proc.wait()
    if not stream:
        with print_lock:
            sys.stdout.write(header + "".join(lines))
            sys.stdout.flush()
    if status != 0 and failed == 0:
        failed = 1
    elif status == 0 and passed + failed == 0:
        passed = 1      # a check that reports no count, only its status
    return passed, failed, time.time() - start


def main(argv):
    wanted = argv[1:] or [name for name, _ in SUITES]
    unknown = set(wanted) - {name for name, _ in SUITES}
    if unknown:
        print("usage: run_tests.py [%s]..." % "|".join(n for n, _ in SUITES))
        return 2
    jobs = max(1, int(os.environ.get("TEST_JOBS", "2")))
    pending = [(name, command) for name, command in SUITES if name in wanted]
    order = [name for name, _ in pending]
    results = {}

    def worker():
        while True:
            with print_lock:
                if not pending:
                    return
                name, command = pending.pop(0)
            results[name] = run_suite(name, command, jobs == 1)

    threads = [threading.Thread(target=worker) for _ in range(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results = [(name,) + results[name] for name in order]
    print("\n==== summary")
    for name, passed, failed, seconds in results:
        print("  %-14s %4d passed %3d failed %7.1fs" % (name, passed, failed, seconds))
    total_passed = sum(r[1] for r in results)
    total_failed = sum(r[2] for r in results)
    print("%d passed, %d failed" % (total_passed, total_failed))
    return 0 if total_failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
