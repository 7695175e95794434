#!/usr/bin/env python3
"""The lab machinery behind `make lab`, `make handin`, `make lab-export`
and `make autograder` (labs/README.md describes them for instructors).

    python3 grading/labtool.py start NAME        make lab LAB=NAME
    python3 grading/labtool.py handin NAME       make handin
    python3 grading/labtool.py solve NAME        make lab-solve (staff)
    python3 grading/labtool.py export DEST       make lab-export DEST=dir
    python3 grading/labtool.py autograder NAME   make autograder LAB=NAME

Commits this tool makes (a lab's start, the exported repository's one
commit) take their dates from the commit they start from and a fixed
author, so that the same tree always gives the same commit: a student's
`make lab` and the autograder's give the same start commit, which is what
the handin's git bundle needs to apply.

Each command prints what is wrong and exits 1 when it refuses.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The identity of the commits this tool makes (see above).
IDENTITY = {"GIT_AUTHOR_NAME": "rivet labs",
            "GIT_AUTHOR_EMAIL": "labs@rivet.invalid",
            "GIT_COMMITTER_NAME": "rivet labs",
            "GIT_COMMITTER_EMAIL": "labs@rivet.invalid"}

# Files a student may leave untracked when handing in: they go in the zip
# by themselves (or are the zip).
HANDIN_UNTRACKED = re.compile(r"^(time\.txt|answers-[\w-]+\.txt|"
                              r"lab-[\w-]+-handin\.zip)$")

# What the student repository leaves out besides labs/*/solution/.
STAFF_ONLY = []


class Refuse(Exception):
    """A command cannot go on: the message says why and what to do."""


def git(*args, cwd=ROOT, env=None, check=True):
    """Run git; return its standard output (stripped)."""
    full_env = dict(os.environ, **(env or {}))
    p = subprocess.run(["git"] + list(args), cwd=cwd, env=full_env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if check and p.returncode != 0:
        raise Refuse("git %s failed:\n%s" % (" ".join(args),
                                               p.stderr.strip()))
    return p.stdout.strip() if check else p


def fixed_identity(cwd=ROOT, rev="HEAD"):
    """The environment of a reproducible commit made on top of rev."""
    date = git("log", "-1", "--format=%cI", rev, cwd=cwd)
    return dict(IDENTITY, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)


def labs(root=ROOT):
    """The names of the labs in root's labs/ (those with a lab.mk or a
    grade.py)."""
    d = os.path.join(root, "labs")
    if not os.path.isdir(d):
        return []
    return sorted(n for n in os.listdir(d)
                  if any(os.path.exists(os.path.join(d, n, f))
                         for f in ("lab.mk", "grade.py")))


def lab_setting(name, var, root=ROOT):
    """The value lab.mk gives var (a plain `VAR := value` or `VAR = value`
    line), or ""."""
    path = os.path.join(root, "labs", name, "lab.mk")
    if not os.path.exists(path):
        return ""
    with open(path) as f:
        for line in f:
            m = re.match(r"^\s*%s\s*[:?]?=\s*(.*?)\s*(#.*)?$" % var, line)
            if m:
                return m.group(1)
    return ""


def current_lab(root=ROOT):
    """The lab lab.conf records, or "base"."""
    try:
        with open(os.path.join(root, "lab.conf")) as f:
            m = re.search(r"^\s*LAB\s*:?=\s*(\S+)", f.read(), re.M)
    except OSError:
        return "base"
    return m.group(1) if m else "base"


def changes(cwd=ROOT, untracked=True):
    """git status lines of what is not committed."""
    out = git("status", "--porcelain",
              "--untracked-files=" + ("all" if untracked else "no"), cwd=cwd)
    return [line for line in out.splitlines() if line]


# In a lab's starter/ or solution/, the one file that is applied as a
# patch (git apply, paths from the tree root) rather than copied: the way
# to change lines in an existing file, such as a new system call's row in
# a table, without replacing the whole file.
PATCH_NAME = "changes.patch"


def untracked_files(root=ROOT):
    """Files in root that git does not track (ignored ones left out)."""
    return [f for f in git("ls-files", "-o", "--exclude-standard", "-z",
                           cwd=root).split("\0") if f]


def copy_overlay(src, dest):
    """Copy every file under src to the same path under dest; return the
    paths copied, relative to dest."""
    copied = []
    for dirpath, _, files in os.walk(src):
        for f in files:
            rel = os.path.relpath(os.path.join(dirpath, f), src)
            if rel == PATCH_NAME:
                continue
            os.makedirs(os.path.dirname(os.path.join(dest, rel)),
                        exist_ok=True)
            # A fresh modification time (not copy2's), so that make
            # rebuilds what depends on a file the overlay replaces.
            shutil.copy(os.path.join(dirpath, f), os.path.join(dest, rel))
            copied.append(rel)
    return sorted(copied)


def apply_lab_dir(src, dest):
    """Put a lab's starter/ or solution/ into the repository dest: copy
    its files, then apply its changes.patch; return the paths changed."""
    files = copy_overlay(src, dest) if os.path.isdir(src) else []
    patch = os.path.join(src, PATCH_NAME)
    if os.path.exists(patch):
        p = git("apply", "--check", patch, cwd=dest, check=False)
        if p.returncode != 0:
            raise Refuse("%s no longer applies to this tree:\n%s" %
                         (os.path.relpath(patch, dest), p.stderr.strip()))
        git("apply", patch, cwd=dest)
        files += git("apply", "--numstat", patch, cwd=dest).split("\n")
        files = sorted({line.split("\t")[-1] for line in files if line})
    return files


# ---- make lab ----------------------------------------------------------------

def lab_base(root=ROOT):
    """While a lab is in progress in root, the commit it started from (the
    parent of its tag lab-NAME-start): the base system.  Else None."""
    lab = current_lab(root)
    if lab == "base":
        return None
    p = git("rev-parse", "-q", "--verify", "lab-%s-start^{commit}^" % lab,
            cwd=root, check=False)
    return p.stdout.strip() if p.returncode == 0 else None


def extract(rev, dest, root=ROOT):
    """Write the files of commit rev of root into the directory dest."""
    os.makedirs(dest, exist_ok=True)
    archive = subprocess.run(["git", "archive", "--format=tar", rev],
                             cwd=root, stdout=subprocess.PIPE, check=True)
    subprocess.run(["tar", "-x", "-C", dest], input=archive.stdout,
                   check=True)


def start_point(root=ROOT):
    """Where a new lab's branch starts: the commit the lab in progress
    started from, so that each lab begins from the base system (and from
    the same commit as the autograder's start); with no lab in
    progress, HEAD."""
    return lab_base(root) or git("rev-parse", "HEAD", cwd=root)


def start(name, root=ROOT, quiet=False):
    """Start lab name in the repository root: branch lab-NAME, starter
    files, lab.conf, commit, tag lab-NAME-start."""
    if name not in labs(root):
        raise Refuse("there is no lab %r; the labs are: %s" %
                     (name, ", ".join(labs(root)) or "(none)"))
    dirty = changes(root, untracked=False)
    if dirty:
        raise Refuse("you have uncommitted changes; commit them (git commit "
                     "-am '...') or stash them before starting a lab:\n  " +
                     "\n  ".join(dirty))
    branch, tag = "lab-" + name, "lab-%s-start" % name
    if git("rev-parse", "-q", "--verify", "refs/heads/" + branch, cwd=root,
           check=False).returncode == 0:
        raise Refuse("lab %s is already started: git checkout %s" %
                     (name, branch))
    if git("rev-parse", "-q", "--verify", "refs/tags/" + tag, cwd=root,
           check=False).returncode == 0:
        raise Refuse("the tag %s already exists; delete it (git tag -d %s) "
                     "to start the lab again" % (tag, tag))
    base = start_point(root)
    env = fixed_identity(root, base)
    was = git("symbolic-ref", "-q", "--short", "HEAD", cwd=root,
              check=False).stdout.strip() or git("rev-parse", "HEAD", cwd=root)
    untracked = set(untracked_files(root))
    git("checkout", "-q", "-b", branch, base, cwd=root)
    try:
        files = apply_lab_dir(os.path.join(root, "labs", name, "starter"),
                              root)
    except Refuse:
        # Leave the repository as it was: no branch, no starter files.
        git("reset", "-q", "--hard", cwd=root)
        for f in set(untracked_files(root)) - untracked:
            os.unlink(os.path.join(root, f))
        git("checkout", "-q", was, cwd=root)
        git("branch", "-q", "-D", branch, cwd=root)
        raise
    with open(os.path.join(root, "lab.conf"), "w") as f:
        f.write("LAB := %s\n" % name)
    git("add", "-f", "lab.conf", *files, cwd=root)
    git("commit", "-q", "--no-verify", "-m", "Start lab %s" % name,
        cwd=root, env=env)
    git("tag", tag, cwd=root)
    if not quiet:
        print("Started lab %s on branch %s (tag %s); starter files: %s" %
              (name, branch, tag, ", ".join(files) or "none"))
        print("Read labs/%s/README.md; make qemu, make grade, make handin." %
              name)


# ---- make lab-solve ---------------------------------------------------------

def solve(name=None, root=ROOT, quiet=False):
    """Put the reference solution of the lab in progress into the working
    tree (staff only: the students' repository has none); commit nothing."""
    name = name if name and name != "base" else current_lab(root)
    if name == "base":
        raise Refuse("no lab is in progress (no lab.conf): start one with "
                     "make lab LAB=NAME")
    sol = os.path.join(root, "labs", name, "solution")
    if not os.path.isdir(sol):
        raise Refuse("lab %s has no solution/ here (a student repository "
                     "has none)" % name)
    files = apply_lab_dir(sol, root)
    if not quiet:
        print("Applied the solution of lab %s: %s" %
              (name, ", ".join(files) or "nothing"))
    return files


# ---- make handin -------------------------------------------------------------

def check_time_file(path):
    try:
        with open(path) as f:
            words = f.read().split()
    except OSError:
        raise Refuse("there is no time.txt: write in it the number of hours "
                     "you spent on the lab, a whole number such as 6") \
            from None
    if len(words) != 1 or not re.fullmatch(r"[0-9]+", words[0]):
        raise Refuse("time.txt must hold only the number of hours you spent "
                     "on the lab, a whole number such as 6")


def handin(name=None, root=ROOT, quiet=False):
    """Write lab-NAME-handin.zip in root; return its path."""
    name = name if name and name != "base" else current_lab(root)
    if name == "base":
        raise Refuse("no lab is in progress (no lab.conf): start one with "
                     "make lab LAB=NAME")
    tag = "lab-%s-start" % name
    if git("rev-parse", "-q", "--verify", "refs/tags/" + tag, cwd=root,
           check=False).returncode != 0:
        raise Refuse("there is no tag %s: was the lab started with make lab "
                     "LAB=%s?" % (tag, name))
    dirty = [line for line in changes(root)
             if not (line.startswith("?? ") and
                     HANDIN_UNTRACKED.match(line[3:]))]
    if dirty:
        raise Refuse("you have uncommitted changes, which the handin would "
                     "leave out; commit them (git add, git commit) first:\n  "
                     + "\n  ".join(dirty))
    check_time_file(os.path.join(root, "time.txt"))
    answers = "answers-%s.txt" % name
    has_answers = os.path.exists(os.path.join(root, answers))
    if lab_setting(name, "LAB_ANSWERS", root) == "yes" and not has_answers:
        raise Refuse("this lab needs %s: write your answers to the lab's "
                     "questions in it" % answers)
    out = os.path.join(root, "lab-%s-handin.zip" % name)
    with tempfile.TemporaryDirectory() as tmp:
        bundle = os.path.join(tmp, "lab.bundle")
        if git("rev-parse", tag, cwd=root) == git("rev-parse", "HEAD",
                                                   cwd=root):
            raise Refuse("there are no commits since the lab started "
                         "(tag %s): commit your work first" % tag)
        git("bundle", "create", "-q", bundle, "%s..HEAD" % tag, cwd=root)
        patch = git("diff", "--binary", tag, "HEAD", cwd=root) + "\n"
        with zipfile.ZipFile(out + ".tmp", "w", zipfile.ZIP_DEFLATED) as z:
            z.write(bundle, "lab.bundle")
            z.writestr("lab.patch", patch)
            z.writestr("LAB", name + "\n")
            z.writestr("BASE", git("rev-parse", tag, cwd=root) + "\n")
            z.write(os.path.join(root, "time.txt"), "time.txt")
            if has_answers:
                z.write(os.path.join(root, answers), answers)
        os.replace(out + ".tmp", out)
    if not quiet:
        print("Wrote %s: upload it to Gradescope." % os.path.relpath(out))
    return out


# ---- make lab-export ---------------------------------------------------------

def staff_only(path):
    """Whether a path of the tree stays out of the student repository."""
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] == "labs" and parts[2] == "solution":
        return True
    return any(path == p or path.startswith(p + "/") for p in STAFF_ONLY)


def export(dest, root=ROOT, quiet=False):
    """Write the student repository (HEAD, less what is staff-only) as a
    fresh repository with one reproducible commit in dest."""
    if not dest:
        raise Refuse("usage: make lab-export DEST=dir")
    dest = os.path.abspath(dest)
    if os.path.exists(dest) and os.listdir(dest):
        raise Refuse("%s exists and is not empty" % dest)
    if os.path.commonpath([dest, root]) == root:
        raise Refuse("DEST must be outside the tree")
    os.makedirs(dest, exist_ok=True)
    files = git("ls-tree", "-r", "-z", "--name-only", "HEAD",
                cwd=root).split("\0")
    extract("HEAD", dest, root)
    for f in files:
        if f and staff_only(f):
            os.unlink(os.path.join(dest, f))
    for dirpath, dirs, names in os.walk(dest, topdown=False):
        if not os.listdir(dirpath) and dirpath != dest:
            os.rmdir(dirpath)
    env = fixed_identity(root)
    git("init", "-q", "-b", "main", cwd=dest)
    git("add", "-A", cwd=dest)
    git("commit", "-q", "--no-verify", "-m", "Rivet, for students", cwd=dest,
        env=env)
    if not quiet:
        print("Wrote the student repository to %s (commit %s)" %
              (dest, git("rev-parse", "--short", "HEAD", cwd=dest)))
    return dest


# ---- make autograder ---------------------------------------------------------

SETUP_SH = """#!/bin/sh
# Gradescope runs this once, as root, to build the autograder's image.
set -e
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq %s git zip
"""

RUN_AUTOGRADER = """#!/bin/sh
# Gradescope runs this for each submission.  AUTOGRADER_ROOT relocates
# /autograder (for testing).
root="${AUTOGRADER_ROOT:-/autograder}"
exec python3 "$root/source/tree/grading/autograde.py" %s
"""


def debian_packages(root=ROOT):
    with open(os.path.join(root, "Makefile")) as f:
        text = f.read().replace("\\\n", " ")
    m = re.search(r"^DEBIAN_PACKAGES\s*=\s*(.*)$", text, re.M)
    return " ".join(m.group(1).split()) if m else ""


def autograder(name, root=ROOT, quiet=False):
    """Write build/autograder-NAME.zip: setup.sh, run_autograder and the
    student repository in tree/; return its path."""
    if name not in labs(root):
        raise Refuse("usage: make autograder LAB=NAME, NAME one of: %s" %
                     (", ".join(labs(root)) or "(no labs)"))
    if not os.path.exists(os.path.join(root, "labs", name, "grade.py")):
        raise Refuse("labs/%s has no grade.py" % name)
    out = os.path.join(root, "build", "autograder-%s.zip" % name)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tree = export(os.path.join(tmp, "tree"), root, quiet=True)
        with zipfile.ZipFile(out + ".tmp", "w", zipfile.ZIP_DEFLATED) as z:
            for text, arc in ((SETUP_SH % debian_packages(root), "setup.sh"),
                              (RUN_AUTOGRADER % name, "run_autograder")):
                info = zipfile.ZipInfo(arc)
                info.external_attr = 0o755 << 16
                z.writestr(info, text)
            for dirpath, dirs, names in os.walk(tree):
                dirs.sort()
                for n in sorted(names) + [d for d in dirs if os.path.islink(
                        os.path.join(dirpath, d))]:
                    full = os.path.join(dirpath, n)
                    z.write(full, os.path.join(
                        "tree", os.path.relpath(full, tree)))
        os.replace(out + ".tmp", out)
    if not quiet:
        print("Wrote %s: upload it as the Gradescope autograder of lab %s." %
              (os.path.relpath(out), name))
    return out


COMMANDS = {"start": start, "solve": solve, "handin": handin,
            "export": export, "autograder": autograder}


def main(argv):
    if len(argv) < 2 or argv[1] not in COMMANDS:
        print(__doc__.strip().split("\n\n")[1])
        return 2
    try:
        COMMANDS[argv[1]](argv[2] if len(argv) > 2 else "")
    except Refuse as e:
        print("%s: %s" % ({"start": "make lab", "solve": "make lab-solve",
                           "handin": "make handin",
                           "export": "make lab-export",
                           "autograder": "make autograder"}[argv[1]], e),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
