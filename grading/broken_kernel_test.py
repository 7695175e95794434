#!/usr/bin/env python3
"""Check that the grader catches broken kernels, and blames the right test.

For each mutation below: copy the tree to a temporary directory, break one
line of the kernel there, rebuild, run grade-base.py on the copy (only the
tests the mutation concerns, to keep it quick), and check that the run
scores below full marks and that the tests the mutation must break failed,
with the expected verdict.  (Others may fail too, as a broken system call
can upset tests of other areas; they are listed.)  The tree itself is
never touched.

Prints one line per mutation and ends with "N passed, M failed"; exit
status 0 only when every mutation was caught as expected.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# file, line pattern, replacement, grader filter words, and the tests that
# must fail with their verdicts
MUTATIONS = [
    {
        "name": "getpid returns the caller's pid plus one",
        "file": "kernel/proc/sysproc.c",
        "pattern": r"(sys_getpid\(void\)\n\{\n\treturn myproc\(\)->pid);",
        "replace": r"\1 + 1;",
        "filters": ["usertests"],
        "fail": {"usertests: processes": "wrong output"},
    },
    {
        "name": "chdir accepts a file",
        "file": "kernel/fs/sysfile.c",
        "pattern": (r"(sys_chdir\(void\)\n(?:.*\n)*?\tif \()"
                    r"ip->type != T_DIR\)"),
        "replace": r"\g<1>0)",
        "filters": ["shell: cd"],
        "fail": {"shell: cd": "wrong output"},
    },
    {
        "name": "read and write accept a negative count",
        "file": "kernel/fs/sysfile.c",
        "pattern": (r"(\targint\(2, &n\);\n)"
                    r"\tif \(n < 0\)\n\t\treturn -EINVAL;\n"),
        "replace": r"\1",
        "filters": ["fuzz"],
        "fail": {"fuzz: seeded random system calls on four harts, "
                 "all checked": "wrong output"},
    },
]


def copy_tree(dest):
    """Copy the tree (with its build products, so that only what a
    mutation touches is rebuilt) to dest."""
    shutil.copytree(ROOT, dest, symlinks=True,
                    ignore=shutil.ignore_patterns(".git", "grade"))


def mutate(tree, mutation):
    """Apply mutation to the copy; return the original text of the file."""
    path = os.path.join(tree, mutation["file"])
    with open(path) as f:
        text = f.read()
    broken, n = re.subn(mutation["pattern"], mutation["replace"], text,
                        count=1)
    if n != 1:
        raise RuntimeError("%s no longer has the line to break: update "
                           "MUTATIONS in %s" % (mutation["file"],
                                                os.path.basename(__file__)))
    with open(path, "w") as f:
        f.write(broken)
    return text


def build(tree):
    p = subprocess.run(["make", "-C", tree, "--no-print-directory", "all"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if p.returncode != 0:
        raise RuntimeError("the broken kernel did not build:\n" + p.stdout)


def grade(tree, filters):
    """Run the copy's grade-base.py on the tests filters select; return
    its results.json as a dict."""
    results = os.path.join(tree, "build", "grade", "mutation")
    p = subprocess.run([sys.executable,
                        os.path.join(tree, "grading", "grade-base.py"),
                        "--results", results] + filters,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if p.returncode not in (0, 1):
        raise RuntimeError("the grader failed to run:\n" + p.stdout)
    with open(os.path.join(results, "results.json")) as f:
        return json.load(f)


def check(results, expected):
    """Return a list of what is wrong with results, given the
    {title: verdict} of the failures that must be there."""
    problems = []
    tests = results["tests"]
    full = sum(t["max_score"] for t in tests)
    if results["score"] >= full:
        problems.append("full marks (%d/%d) for a broken kernel" %
                        (results["score"], full))
    failed = {t["name"]: t["extra_data"]["verdict"] for t in tests
              if t["status"] != "passed"}
    for title, verdict in expected.items():
        if failed.get(title) != verdict:
            problems.append("%r: %s, expected %s" %
                            (title, failed.get(title, "passed"), verdict))
    return problems


def run(mutation, tree):
    """Try one mutation on the copy; return (ok, message)."""
    original = mutate(tree, mutation)
    try:
        build(tree)
        results = grade(tree, mutation["filters"])
    finally:
        with open(os.path.join(tree, mutation["file"]), "w") as f:
            f.write(original)
    problems = check(results, mutation["fail"])
    score = "%d/%d" % (results["score"],
                       sum(t["max_score"] for t in results["tests"]))
    if problems:
        return False, "; ".join(problems)
    others = sorted(t["name"] for t in results["tests"]
                    if t["status"] != "passed" and t["name"] not in
                    mutation["fail"])
    return True, "caught by %s%s (score %s)" % (
        ", ".join(mutation["fail"]),
        "; also failed: " + ", ".join(others) if others else "", score)


def main():
    tmp = tempfile.mkdtemp(prefix="rivet-mutant-")
    passed = failed = 0
    try:
        tree = os.path.join(tmp, "tree")
        copy_tree(tree)
        for mutation in MUTATIONS:
            start = time.time()
            try:
                ok, message = run(mutation, tree)
            except RuntimeError as e:
                ok, message = False, str(e)
            print("mutation %s: %s (%.1fs)\n    %s" %
                  (mutation["name"], "OK" if ok else "FAILED",
                   time.time() - start, message), flush=True)
            passed += ok
            failed += not ok
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("broken kernels: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
