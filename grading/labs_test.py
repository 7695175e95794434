#!/usr/bin/env python3
"""Check the lab machinery, and that every lab's solution still scores full.

Everything happens in scratch repositories made from this tree's files
(tracked and untracked, not ignored; while a lab is in progress, the base
commit it started from), never in the tree itself.

1. The machinery, on a small lab written here ("demo": a starter program
   that is wrong, a solution, a lab test program in labs/demo/user/, a
   data file, a -D flag): `make lab` refuses an unknown lab and
   uncommitted changes, then starts the lab (branch, tag, lab.conf,
   starter); `make grade` scores the starter below full and the solution
   full; `make handin` refuses without time.txt and with uncommitted
   changes, then writes a zip whose bundle applies to a fresh start of the
   lab; `make lab-export` leaves out every solution file and every line
   found only in one, reproducibly; `make autograder` builds the Gradescope
   zip, and its run_autograder, in a scratch /autograder, gives a
   submission that does not compile the "build" verdict with the
   compiler's message, and the solution's handin full marks.

2. Every labs/NAME/ with a grade.py and a solution/ (the students'
   repository has none): `make lab LAB=NAME`, grade (the starter
   must score below full), copy labs/NAME/solution/ over the tree, grade
   again (full), and hand that in to the lab's autograder (full).  Labs run
   two at a time.  With no labs, a line says so.

3. The proof fails when a solution is wrong: in a scratch copy whose util
   solution prints a wrong line, `labs_test.py util` must fail, naming
   the lab and the failing test.  (Run with part 2, unless only some labs
   are asked for.)

    python3 grading/labs_test.py [demo|labs|LAB...]

With lab names, only those labs are checked (part 2).

Prints one line per check and ends with "N passed, M failed"; exit status
0 only when every check passed.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import labtool  # noqa: E402

lock = threading.Lock()
results = []


def check(name, ok, detail=""):
    with lock:
        results.append(bool(ok))
        print("check %s: %s" % (name, "OK" if ok else "FAILED"), flush=True)
        if not ok and detail:
            print("    " + str(detail).rstrip()[-3000:].replace("\n", "\n    "),
                  flush=True)
    return ok


def sh(args, cwd, env=None, timeout=900):
    """Run a command; return (status, output).  Counts lines such as the
    grader's "N passed, M failed" are reworded, so that run_tests.py does
    not add them to this suite's."""
    p = subprocess.run(args, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=timeout,
                       env=dict(os.environ, **(env or {})))
    return p.returncode, re.sub(r"(\d+) passed, (\d+) failed",
                                r"\1 tests passed, \2 tests failed", p.stdout)


def make(tree, *args):
    return sh(["make", "--no-print-directory"] + list(args), tree)


def git(tree, *args):
    return sh(["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid"] +
              list(args), tree)


def scratch_repo(dest, extra=None):
    """A repository at dest holding this tree's files (as the working tree
    has them; or, while a lab is in progress, as the base system it
    started from has them) plus extra {path: text}, committed once."""
    base = labtool.lab_base(ROOT)
    if base:
        labtool.extract(base, dest, ROOT)
        files = ""
    else:
        files = subprocess.run(["git", "ls-files", "-z", "-c", "-o",
                                "--exclude-standard"], cwd=ROOT, check=True,
                               stdout=subprocess.PIPE, text=True).stdout
    for f in sorted(set(files.split("\0"))):
        src = os.path.join(ROOT, f)
        if not f or not os.path.isfile(src):
            continue
        os.makedirs(os.path.dirname(os.path.join(dest, f)), exist_ok=True)
        shutil.copy2(src, os.path.join(dest, f))
    for f, text in (extra or {}).items():
        os.makedirs(os.path.dirname(os.path.join(dest, f)), exist_ok=True)
        with open(os.path.join(dest, f), "w") as out:
            out.write(text)
    sh(["git", "init", "-q", "-b", "main"], dest)
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "Scratch copy")
    return dest


def score(output):
    m = re.findall(r"^Score: (\d+)/(\d+)$", output, re.M)
    return (int(m[-1][0]), int(m[-1][1])) if m else None


def grade(tree):
    status, out = make(tree, "grade")
    return score(out), out


def unzip(path, dest):
    """Unpack a zip, keeping each file's mode, as Gradescope's unzip does."""
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            z.extract(info, dest)
            mode = info.external_attr >> 16
            if mode:
                os.chmod(os.path.join(dest, info.filename), mode & 0o7777)


def run_autograder(ag_zip, submission_files, workdir):
    """Lay out a scratch /autograder as Gradescope does, with the
    submission's files, run run_autograder, and return (results, output)."""
    ag = os.path.join(workdir, "autograder")
    shutil.rmtree(ag, ignore_errors=True)
    for d in ("source", "submission", "results"):
        os.makedirs(os.path.join(ag, d))
    unzip(ag_zip, os.path.join(ag, "source"))
    shutil.copy(os.path.join(ag, "source", "run_autograder"),
                os.path.join(ag, "run_autograder"))
    for f in submission_files:
        if os.path.isdir(f):        # a whole tree, as from GitHub
            shutil.rmtree(os.path.join(ag, "submission"))
            shutil.copytree(f, os.path.join(ag, "submission"),
                            ignore=shutil.ignore_patterns(".git"))
        else:
            shutil.copy(f, os.path.join(ag, "submission"))
    status, out = sh([os.path.join(ag, "run_autograder")], ag,
                     env={"AUTOGRADER_ROOT": ag})
    try:
        with open(os.path.join(ag, "results", "results.json")) as f:
            return json.load(f), out
    except (OSError, ValueError):
        return None, out


def full(results):
    return results is not None and results["tests"] and \
        sum(t["score"] for t in results["tests"]) == \
        sum(t["max_score"] for t in results["tests"])


# ---- 1. the machinery, on the demo lab ----------------------------------------

DEMO = {
    "labs/demo/lab.mk": (
        "# The machinery test's lab (grading/labs_test.py).\n"
        "LAB_UPROGS := hello demoflag\n"
        "LAB_FILES := labs/demo/files/greeting.txt\n"
        "LAB_CFLAGS := -DLAB_DEMO\n"
        "LAB_QEMUOPTS := -name demo\n"
        "LAB_MEM := 192M\n"),
    "labs/demo/README.md": "# Lab demo\n\nMake `hello` greet the world.\n",
    "labs/demo2/lab.mk": "# A second lab, to start from inside the first.\n",
    # A lab whose starter no longer applies to the tree.
    "labs/demobad/lab.mk": "# A lab that cannot start.\n",
    "labs/demobad/starter/user/demobad.c": "int x;\n",
    "labs/demobad/starter/changes.patch": (
        "--- a/README.md\n+++ b/README.md\n@@ -1,1 +1,1 @@\n"
        "-no such first line\n+a changed first line\n"),
    "labs/demo/starter/user/hello.c": (
        '#include "user/user.h"\n\nint\nmain(void)\n{\n'
        '\t/* Your code here. */\n\treturn 0;\n}\n'),
    # The starter's patch edits the file its overlay just wrote; the
    # solution is a patch against that.
    "labs/demo/starter/changes.patch": (
        "--- a/user/hello.c\n+++ b/user/hello.c\n@@ -4,5 +4,6 @@\n"
        " main(void)\n {\n+\t/* Greet the world. */\n"
        " \t/* Your code here. */\n \treturn 0;\n }\n"),
    "labs/demo/solution/changes.patch": (
        "--- a/user/hello.c\n+++ b/user/hello.c\n@@ -5,5 +5,5 @@\n"
        " {\n \t/* Greet the world. */\n-\t/* Your code here. */\n"
        '+\tprintf("hello, wide world of demo solutions\\n");\n'
        " \treturn 0;\n }\n"),
    "labs/demo/user/demoflag.c": (
        '#include "user/user.h"\n\nint\nmain(void)\n{\n'
        '#ifdef LAB_DEMO\n\tprintf("demo flag on\\n");\n#endif\n'
        '\treturn 0;\n}\n'),
    "labs/demo/files/greeting.txt": "greetings from the demo lab\n",
    "labs/demo/grade.py": (
        "import os, sys\n"
        "sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname("
        "os.path.dirname(os.path.abspath(__file__)))), 'grading'))\n"
        "from gradelib import *\n\nr = Runner()\n\n\n"
        "@test(0, 'boot')\ndef test_boot():\n"
        "    r.run_qemu(shell_script(['hello', 'demoflag',"
        " 'cat greeting.txt']))\n\n\n"
        "@test(5, 'hello: greets the world', parent=test_boot)\n"
        "def test_hello():\n"
        "    assert_equal(r.output_of('hello'),"
        " 'hello, wide world of demo solutions\\n')\n\n\n"
        "@test(1, 'demoflag: LAB_CFLAGS reach user code', parent=test_boot)\n"
        "def test_flag():\n"
        "    assert_equal(r.output_of('demoflag'), 'demo flag on\\n')\n\n\n"
        "@test(1, 'LAB_MEM: the grader boots with the memory the lab sets',"
        " parent=test_boot)\n"
        "def test_mem():\n"
        "    assert_lines_match(r.qemu.output, '.*3 harts, 192 MiB RAM.*')\n\n\n"
        "@test(1, 'greeting.txt: LAB_FILES are on the disk',"
        " parent=test_boot)\n"
        "def test_file():\n"
        "    assert_equal(r.output_of('cat greeting.txt'),"
        " 'greetings from the demo lab\\n')\n\n\n"
        "run_tests()\n"),
}


def demo(tmp):
    tree = scratch_repo(os.path.join(tmp, "demo"), DEMO)
    base_head = git(tree, "rev-parse", "HEAD")[1].strip()

    status, out = make(tree, "lab", "LAB=nosuchlab")
    check("make lab refuses an unknown lab", status != 0 and
          "no lab 'nosuchlab'" in out, out)
    with open(os.path.join(tree, "README.md"), "a") as f:
        f.write("changed\n")
    status, out = make(tree, "lab", "LAB=demo")
    check("make lab refuses uncommitted changes", status != 0 and
          "uncommitted changes" in out and
          git(tree, "rev-parse", "--abbrev-ref", "HEAD")[1].strip() == "main",
          out)
    git(tree, "checkout", "-q", "README.md")
    status, out = make(tree, "lab", "LAB=demobad")
    check("make lab refuses a starter that no longer applies, and leaves the "
          "repository as it was", status != 0 and "no longer applies" in out
          and git(tree, "rev-parse", "--abbrev-ref", "HEAD")[1].strip() ==
          "main" and git(tree, "branch", "--list", "lab-demobad")[1] == ""
          and not os.path.exists(os.path.join(tree, "user/demobad.c")) and
          not labtool.changes(tree), out)

    status, out = make(tree, "lab", "LAB=demo")
    branch = git(tree, "rev-parse", "--abbrev-ref", "HEAD")[1].strip()
    tag = git(tree, "rev-parse", "lab-demo-start")[1].strip()
    head = git(tree, "rev-parse", "HEAD")[1].strip()
    conf = open(os.path.join(tree, "lab.conf")).read() \
        if os.path.exists(os.path.join(tree, "lab.conf")) else ""
    check("make lab LAB=demo starts branch lab-demo, tags its start, writes "
          "lab.conf and the starter", status == 0 and branch == "lab-demo"
          and tag == head and conf == "LAB := demo\n" and
          "Greet the world. */\n\t/* Your code here" in
          open(os.path.join(tree, "user/hello.c")).read()
          and git(tree, "log", "-1", "--format=%s")[1].strip() ==
          "Start lab demo" and not labtool.changes(tree), out)

    got, out = grade(tree)
    print("demo starter: %s" % (got,))
    check("make grade (no arguments) runs labs/demo/grade.py; the starter "
          "scores below full, the lab's program, file, flag and QEMU options "
          "in place", got is not None and got[0] < got[1] and
          "demoflag: LAB_CFLAGS reach user code: OK" in out and
          "greeting.txt: LAB_FILES are on the disk: OK" in out and
          "LAB_MEM: the grader boots with the memory the lab sets: OK" in out and
          "-name demo" in make(tree, "print-qemu")[1], out)

    status, out = make(tree, "handin")
    check("make handin refuses with no commits since the start, or no "
          "time.txt", status != 0, out)
    status, out = make(tree, "lab-solve")
    check("make lab-solve applies the solution's changes.patch",
          status == 0 and "demo solutions" in
          open(os.path.join(tree, "user/hello.c")).read(), out)
    status, out = make(tree, "handin")
    check("make handin refuses uncommitted changes",
          status != 0 and "uncommitted changes" in out, out)
    git(tree, "commit", "-q", "-am", "Greet the world")
    status, out = make(tree, "handin")
    check("make handin refuses without time.txt",
          status != 0 and "time.txt" in out, out)
    with open(os.path.join(tree, "time.txt"), "w") as f:
        f.write("5 hours\n")
    status, out = make(tree, "handin")
    check("make handin refuses a time.txt that is not a whole number",
          status != 0 and "whole number" in out, out)
    with open(os.path.join(tree, "time.txt"), "w") as f:
        f.write("5\n")

    got, out = grade(tree)
    print("demo solution: %s" % (got,))
    check("the demo solution scores full", got is not None and
          got[0] == got[1], out)

    status, out = make(tree, "handin")
    handin = os.path.join(tree, "lab-demo-handin.zip")
    names = zipfile.ZipFile(handin).namelist() if os.path.exists(handin) \
        else []
    check("make handin writes lab-demo-handin.zip with the bundle and "
          "time.txt", status == 0 and {"lab.bundle", "time.txt"} <=
          set(names), out)

    # A lab whose lab.mk sets LAB_ANSWERS := yes needs answers-demo.txt.
    with open(os.path.join(tree, "labs/demo/lab.mk"), "a") as f:
        f.write("LAB_ANSWERS := yes\n")
    git(tree, "commit", "-q", "-am", "Ask for answers")
    status, out = make(tree, "handin")
    refused = status != 0 and "answers-demo.txt" in out
    with open(os.path.join(tree, "answers-demo.txt"), "w") as f:
        f.write("The answers.\n")
    status, out2 = make(tree, "handin")
    check("make handin requires answers-demo.txt when LAB_ANSWERS is yes, "
          "and puts it in the zip", refused and status == 0 and
          "answers-demo.txt" in zipfile.ZipFile(handin).namelist(),
          out + out2)
    git(tree, "reset", "-q", "--hard", "HEAD~1")
    os.unlink(os.path.join(tree, "answers-demo.txt"))
    make(tree, "handin")

    # From inside a lab, the next lab starts from the base, not from the
    # first lab's work.
    status, out = make(tree, "lab", "LAB=demo2")
    parent = git(tree, "rev-parse", "HEAD^")[1].strip()
    check("make lab from inside another lab starts from the base system",
          status == 0 and parent == base_head and
          not os.path.exists(os.path.join(tree, "user/hello.c")) and
          open(os.path.join(tree, "lab.conf")).read() == "LAB := demo2\n",
          out)
    git(tree, "checkout", "-q", "lab-demo")

    # The bundle applies to a fresh start of the lab from the same base.
    fresh = os.path.join(tmp, "fresh")
    sh(["git", "clone", "-q", "-b", "main", tree, fresh], tmp)
    make(fresh, "lab", "LAB=demo")
    with zipfile.ZipFile(handin) as z:
        z.extract("lab.bundle", tmp)
    s1, o1 = git(fresh, "pull", "-q", "--ff-only",
                 os.path.join(tmp, "lab.bundle"), "HEAD")
    check("the handin's bundle applies to a fresh clone after make lab "
          "(same start commit)", s1 == 0 and
          git(fresh, "rev-parse", "HEAD")[1] == git(tree, "rev-parse",
                                                     "HEAD")[1], o1)

    # The student repository.
    git(tree, "checkout", "-q", "main")
    export_checks(tree, base_head, tmp)

    # The autograder.
    status, out = make(tree, "autograder", "LAB=demo")
    ag_zip = os.path.join(tree, "build", "autograder-demo.zip")
    names = zipfile.ZipFile(ag_zip).namelist() if os.path.exists(ag_zip) \
        else []
    check("make autograder LAB=demo writes the zip, without solutions",
          status == 0 and "setup.sh" in names and "run_autograder" in names
          and "tree/Makefile" in names and "tree/labs/demo/grade.py" in names
          and not any("/solution/" in n for n in names), out)
    broken_dir = os.path.join(tmp, "broken")
    sh(["git", "clone", "-q", "-b", "main", tree, broken_dir], tmp)
    # A student whose repository is the exported one: start there.
    student = os.path.join(tmp, "student")
    labtool.export(student, tree, quiet=True)
    make(student, "lab", "LAB=demo")
    with open(os.path.join(student, "user/hello.c"), "a") as f:
        f.write("\nint broken(void) { return undeclared_thing; }\n")
    git(student, "commit", "-q", "-am", "Break the build")
    with open(os.path.join(student, "time.txt"), "w") as f:
        f.write("3\n")
    make(student, "handin")
    res, out = run_autograder(ag_zip, [os.path.join(
        student, "lab-demo-handin.zip")], tmp)
    build = [t for t in (res or {}).get("tests", []) if t["name"] == "build"]
    check("run_autograder: a submission that does not compile gets the "
          "build verdict with the compiler's message, and zero",
          res is not None and build and build[0]["status"] == "failed" and
          "undeclared_thing" in build[0]["output"] and res["score"] == 0 and
          any(t["name"] == "hello: greets the world" and t["max_score"] == 5
              for t in res["tests"]), out + json.dumps(res)[:2000])

    # The solution, handed in from the student's repository.
    git(student, "reset", "-q", "--hard", "HEAD~1")
    labtool.apply_lab_dir(os.path.join(tree, "labs/demo/solution"), student)
    git(student, "commit", "-q", "-am", "Greet the world")
    make(student, "handin")
    res, out = run_autograder(ag_zip, [os.path.join(
        student, "lab-demo-handin.zip")], tmp)
    check("run_autograder: the solution's handin scores full", full(res),
          out + json.dumps(res)[:2000])

    # A whole tree whose grader was changed to pass the starter: the
    # autograder grades it with its own grader.
    git(student, "reset", "-q", "--hard", "lab-demo-start")
    grader = os.path.join(student, "labs/demo/grade.py")
    with open(grader) as f:
        text = f.read()
    with open(grader, "w") as f:
        f.write(text.replace("'hello, wide world of demo solutions\\n'",
                             "''"))
    make(student, "clean")
    res, out = run_autograder(ag_zip, [student], tmp)
    hello = [t for t in (res or {}).get("tests", [])
             if t["name"] == "hello: greets the world"]
    check("run_autograder: a submitted tree is graded with the autograder's "
          "own grader, not the tree's", text.count("demo solutions") == 1
          and hello and hello[0]["status"] == "failed" and
          res["tests"] and not full(res), out + json.dumps(res)[:2000])


def export_checks(tree, base_head, tmp):
    dest = os.path.join(tmp, "export")
    status, out = make(tree, "lab-export", "DEST=" + dest)
    solution_files, solution_lines = [], set()
    for d in [os.path.join(tree, "labs", n, "solution")
              for n in os.listdir(os.path.join(tree, "labs"))]:
        for dirpath, _, files in os.walk(d):
            for f in files:
                solution_files.append(os.path.relpath(
                    os.path.join(dirpath, f), tree))
                with open(os.path.join(dirpath, f), errors="replace") as s:
                    lines = list(s)
                if f == labtool.PATCH_NAME:     # only the lines it adds
                    lines = [line[1:] for line in lines
                             if line.startswith("+") and
                             not line.startswith("+++")]
                solution_lines |= {line.strip() for line in lines
                                   if line.strip()}
    other_lines = set()
    for dirpath, dirs, files in os.walk(tree):
        dirs[:] = [x for x in dirs if x not in (".git", "build", "bin")
                   and x != "solution"]
        for f in files:
            try:
                with open(os.path.join(dirpath, f)) as s:
                    other_lines |= {line.strip() for line in s}
            except (UnicodeDecodeError, OSError):
                pass
    unique = solution_lines - other_lines
    leaked = []
    for dirpath, dirs, files in os.walk(dest):
        dirs[:] = [x for x in dirs if x != ".git"]
        for f in files:
            rel = os.path.relpath(os.path.join(dirpath, f), dest)
            if rel in solution_files or "/solution/" in rel:
                leaked.append(rel)
                continue
            try:
                with open(os.path.join(dirpath, f)) as s:
                    leaked += ["%s: %s" % (rel, line.strip()) for line in s
                               if line.strip() in unique]
            except UnicodeDecodeError:
                pass
    commits = git(dest, "rev-list", "--count", "HEAD")[1].strip() \
        if os.path.isdir(os.path.join(dest, ".git")) else "0"
    check("make lab-export writes a one-commit repository with no solution "
          "file and no line only a solution has (%d such lines)" %
          len(unique), status == 0 and commits == "1" and not leaked and
          unique and os.path.exists(os.path.join(dest, "labs/demo/grade.py")),
          out + "\n".join(leaked))
    dest2 = os.path.join(tmp, "export2")
    make(tree, "lab-export", "DEST=" + dest2)
    check("make lab-export is reproducible (same commit twice)",
          git(dest, "rev-parse", "HEAD")[1] ==
          git(dest2, "rev-parse", "HEAD")[1])
    status, out = make(tree, "lab-export", "DEST=" + dest)
    check("make lab-export refuses a DEST that is not empty", status != 0,
          out)


# ---- 2. every lab ---------------------------------------------------------------

def one_lab(name, tmp):
    tree = os.path.join(tmp, name)
    scratch_repo(tree)
    status, out = make(tree, "lab", "LAB=" + name)
    if not check("%s: make lab LAB=%s" % (name, name), status == 0, out):
        return
    got, out = grade(tree)
    print("%s: the starter scores %s" % (name, "%d/%d" % got if got
                                         else "nothing"), flush=True)
    check("%s: the starter scores below full" % name,
          got is not None and got[0] < got[1], out)
    sol = os.path.join(tree, "labs", name, "solution")
    if not check("%s: has a solution/ overlay" % name, os.path.isdir(sol)):
        return
    try:
        labtool.apply_lab_dir(sol, tree)
    except labtool.Refuse as e:
        check("%s: the solution applies" % name, False, str(e))
        return
    if not os.path.exists(os.path.join(tree, "time.txt")):
        with open(os.path.join(tree, "time.txt"), "w") as f:
            f.write("1\n")
    answers = os.path.join(tree, "answers-%s.txt" % name)
    if labtool.lab_setting(name, "LAB_ANSWERS", tree) == "yes" and \
            not os.path.exists(answers):
        with open(answers, "w") as f:
            f.write("The reference answers are in the solution.\n")
    got, out = grade(tree)
    print("%s: the solution scores %s" % (name, "%d/%d" % got if got
                                          else "nothing"), flush=True)
    failed = re.findall(r"^(.*): FAIL", out, re.M)
    check("%s: the solution scores full%s" % (
        name, " (failed: %s)" % ", ".join(failed) if failed else ""),
        got is not None and got[0] == got[1], out)
    git(tree, "add", "-A", ".", ":!time.txt", ":!answers-*.txt")
    git(tree, "commit", "-q", "-m", "Solve the lab")
    status, out = make(tree, "handin")
    if not check("%s: make handin of the solution" % name, status == 0, out):
        return
    git(tree, "checkout", "-q", "main")
    status, out = make(tree, "autograder", "LAB=" + name)
    if not check("%s: make autograder" % name, status == 0, out):
        return
    res, out = run_autograder(
        os.path.join(tree, "build", "autograder-%s.zip" % name),
        [os.path.join(tree, "lab-%s-handin.zip" % name)], tree + "-ag")
    check("%s: the autograder gives the solution full marks" % name,
          full(res), out + json.dumps(res)[:2000])


# The lab whose solution the proof breaks on purpose (part 3), the file
# broken, and the change: pingpong's parent claims to receive "ping".
BROKEN_LAB = ("util", "labs/util/solution/user/pingpong.c",
              "received pong", "received ping")


def broken_solution(tmp):
    """A scratch copy of the tree whose util solution prints the wrong
    line: the proof of the labs must fail there, naming the lab and the
    test."""
    name, path, old, new = BROKEN_LAB
    tree = scratch_repo(os.path.join(tmp, "broken-" + name))
    with open(os.path.join(tree, path)) as f:
        text = f.read()
    with open(os.path.join(tree, path), "w") as f:
        f.write(text.replace(old, new))
    status, out = sh([sys.executable, "grading/labs_test.py", name], tree,
                     timeout=1800)
    check("a broken %s solution (%s) fails the proof, naming the lab and "
          "the test" % (name, path), old in text and status != 0 and
          re.search(r"^check %s: the solution scores full \(failed: "
                    r"pingpong: [^)]*\): FAILED" % name, out, re.M), out)


def every_lab(tmp, only=()):
    graded = [n for n in labtool.labs(ROOT)
              if os.path.exists(os.path.join(ROOT, "labs", n, "grade.py"))
              and (not only or n in only)]
    names = [n for n in graded
             if os.path.isdir(os.path.join(ROOT, "labs", n, "solution"))]
    for n in sorted(set(graded) - set(names)):
        # The students' repository (make lab-export) has no solutions.
        print("%s: no solution/ here, not checked" % n, flush=True)
    if not names:
        check("no labs with a grade.py and a solution in labs/: nothing to "
              "check", True)
        return
    print("labs: %s" % ", ".join(names), flush=True)
    pending = list(names)
    if not only and BROKEN_LAB[0] in names:
        pending.insert(1, None)         # the broken-solution check
    os.makedirs(os.path.join(tmp, "labs"))

    def worker():
        while True:
            with lock:
                if not pending:
                    return
                name = pending.pop(0)
            try:
                if name is None:
                    broken_solution(tmp)
                else:
                    one_lab(name, os.path.join(tmp, "labs"))
            except Exception as e:      # noqa: BLE001 (reported as failure)
                check("%s: ran without error" % (name or "the broken-"
                      "solution check"), False, repr(e))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main(argv):
    wanted = argv[1:] or ["demo", "labs"]
    tmp = tempfile.mkdtemp(prefix="rivet-labs-")
    try:
        if "demo" in wanted:
            try:
                demo(tmp)
            except Exception as e:      # noqa: BLE001
                import traceback
                check("the demo lab ran without error", False,
                      traceback.format_exc())
        only = [w for w in wanted if w not in ("demo", "labs")]
        if "labs" in wanted or only:
            every_lab(tmp, only)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    passed = sum(results)
    print("labs: %d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
