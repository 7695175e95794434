#!/usr/bin/env python3
"""Grade one Gradescope submission of a lab (the autograder's
run_autograder runs this; grading/labtool.py builds the zip it comes in).

    python3 grading/autograde.py NAME

Gradescope's layout, under $AUTOGRADER_ROOT (default /autograder):
source/tree/ is the student repository, as `make lab-export` writes it;
submission/ is what the student uploaded; results/results.json is where
the verdict goes.

The submission is either a whole tree (a repository uploaded from GitHub,
say: a Makefile at its top), or a handin zip of `make handin` (lab.bundle,
lab.patch, time.txt, answers-NAME.txt) or those files unpacked.  A clean clone of
source/tree starts the lab with `make lab`, which makes the same start
commit the student's `make lab` made, and the bundle's commits are fetched
on top (lab.patch is applied instead when the bundle's start commit is
not there, as when the student started from an older repository).  A tree
is used as it is.  Either way the grader's own files (grading/ and
labs/NAME/) are then restored from source/tree, so that a submission
cannot change how it is graded.

If the build fails, results.json holds one failed test "build" with the
compiler's messages, and every test of the grader at zero.  Otherwise the
lab's grader runs with --results results/.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

AG = os.environ.get("AUTOGRADER_ROOT", "/autograder")
SOURCE = os.path.join(AG, "source", "tree")
SUBMISSION = os.path.join(AG, "submission")
RESULTS = os.path.join(AG, "results")
MESSAGE_LIMIT = 20000       # characters of compiler messages kept


def run(args, cwd, **kw):
    return subprocess.run(args, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, **kw)


def write_results(results):
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "results.json"), "w") as f:
        json.dump(results, f, indent=2)


def grader_tests(tree, name):
    """(points, title) of every test of the lab's grader, from its -l."""
    p = run([sys.executable, os.path.join("labs", name, "grade.py"), "-l"],
            tree, env=dict(os.environ, PYTHONPATH=os.path.join(tree,
                                                                "grading")))
    tests = []
    for line in p.stdout.splitlines():
        words = line.split(None, 1)
        if len(words) == 2 and words[0].isdigit():
            tests.append((int(words[0]), words[1]))
    return tests


def fail_all(tree, name, test, message):
    """results.json with one failed test and every grader test at zero."""
    tests = [{"name": test, "score": 0, "max_score": 0, "status": "failed",
              "output": message}]
    for points, title in grader_tests(tree, name):
        tests.append({"name": title, "score": 0, "max_score": points,
                      "status": "failed",
                      "output": "not run: see the %s test" % test})
    write_results({"score": 0, "output": message, "tests": tests})
    print(message)
    return 1


def find_handin(submission, work):
    """The directory holding the handin's files (unpacking a zip into
    work), or None."""
    for dirpath, _, files in os.walk(submission):
        if "lab.bundle" in files or "lab.patch" in files:
            return dirpath
        for f in files:
            if f.endswith(".zip"):
                out = tempfile.mkdtemp(prefix="handin-", dir=work)
                with zipfile.ZipFile(os.path.join(dirpath, f)) as z:
                    z.extractall(out)
                if os.path.exists(os.path.join(out, "lab.bundle")):
                    return out
    return None


def apply_handin(tree, handin, name):
    """Start the lab in tree and put the handin's commits on top; return
    an error message or None."""
    p = run(["make", "--no-print-directory", "lab", "LAB=" + name], tree)
    if p.returncode != 0:
        return "make lab LAB=%s failed in the autograder:\n%s" % (name,
                                                                  p.stdout)
    bundle = os.path.join(handin, "lab.bundle")
    patch = os.path.join(handin, "lab.patch")
    applied = False
    if os.path.exists(bundle) and run(["git", "bundle", "verify", bundle],
                                      tree).returncode == 0:
        p = run(["git", "fetch", "-q", bundle, "HEAD"], tree)
        if p.returncode == 0:
            p = run(["git", "reset", "-q", "--hard", "FETCH_HEAD"], tree)
            applied = p.returncode == 0
    if not applied and os.path.exists(patch):
        p = run(["git", "apply", "--binary", "--whitespace=nowarn", patch],
                tree)
        if p.returncode != 0:
            return ("the submission's changes do not apply to the lab's "
                    "starting point:\n" + p.stdout)
        applied = True
    if not applied:
        return "the submission has neither a usable lab.bundle nor lab.patch"
    for f in os.listdir(handin):
        if f == "time.txt" or (f.startswith("answers-") and
                               f.endswith(".txt")):
            shutil.copy(os.path.join(handin, f), os.path.join(tree, f))
    return None


def restore_grader(tree, name):
    """Put the staff's grading/ and labs/NAME/ back over the tree."""
    for rel in ("grading", os.path.join("labs", name)):
        src = os.path.join(SOURCE, rel)
        dst = os.path.join(tree, rel)
        if os.path.isdir(dst):
            shutil.rmtree(dst)
        shutil.copytree(src, dst)
    with open(os.path.join(tree, "lab.conf"), "w") as f:
        f.write("LAB := %s\n" % name)


def main(argv):
    if len(argv) != 2:
        print("usage: autograde.py LAB")
        return 2
    work = tempfile.mkdtemp(prefix="rivet-autograde-")
    try:
        return grade(argv[1], work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def grade(name, work):
    """Grade the submission in the scratch directory work."""
    tree = os.path.join(work, "tree")
    is_tree = os.path.exists(os.path.join(SUBMISSION, "Makefile"))
    handin = None if is_tree else find_handin(SUBMISSION, work)
    if handin is not None:
        p = run(["git", "clone", "-q", SOURCE, tree], work)
        if p.returncode != 0:
            return fail_all(SOURCE, name, "submission",
                            "cannot clone the autograder's tree:\n" +
                            p.stdout)
        error = apply_handin(tree, handin, name)
        if error:
            return fail_all(SOURCE, name, "submission", error)
    elif is_tree:
        shutil.copytree(SUBMISSION, tree, symlinks=True)
    else:
        return fail_all(SOURCE, name, "submission",
                        "the submission is neither a handin zip (make "
                        "handin) nor a tree with a Makefile")
    restore_grader(tree, name)
    run(["make", "--no-print-directory", "clean"], tree)
    p = run(["make", "--no-print-directory", "-j2", "all"], tree)
    if p.returncode != 0:
        return fail_all(tree, name, "build",
                        "make failed: the submission does not build\n\n" +
                        p.stdout[-MESSAGE_LIMIT:])
    env = dict(os.environ, PYTHONPATH=os.path.join(tree, "grading"))
    p = subprocess.run([sys.executable, os.path.join("labs", name,
                                                     "grade.py"),
                        "--results", RESULTS], cwd=tree, env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
