#!/usr/bin/env python3
"""Keep the messages that the troubleshooting appendix quotes
(book/appendix-d-troubleshooting.md) true: produce each one that the
tree's own tools print and that takes no boot, and check that the
appendix quotes it word for word.

  check_tools_messages   make check-tools with a QEMU that is too old
                         (Debian/Ubuntu and Homebrew), with no QEMU even
                         after make deps, and with neither apt-get nor a
                         cross-compiler but brew (a Mac), each on a PATH
                         made for the purpose
  qemu_port_in_use       QEMU's gdb server on a port that is taken
  lab_messages           make lab and make handin refusing, in a scratch
                         git repository made from the tree's files

Port numbers are written as 25000 and the lab as util, as the appendix
writes them.  The messages gdb prints, and those that need the system
booted, are not checked here (the shell's are checked by
grading/grade-base.py).  Prints one line per check and ends with
"N passed, M failed".
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile

from gdb_test import run_checks
from gradelib import ROOT
import labtool

GUIDE = os.path.join(ROOT, "book", "appendix-d-troubleshooting.md")

checks = []


def check(fn):
    checks.append(fn)
    return fn


def quoted(lines):
    """Fail unless every line is quoted in the appendix, alone on its
    line (ignoring leading white space)."""
    with open(GUIDE, encoding="utf-8") as f:
        guide = {line.strip() for line in f}
    missing = [line for line in lines if line.strip() not in guide]
    if missing:
        raise AssertionError(
            "book/appendix-d-troubleshooting.md does not quote what the "
            "tools print now:\n  " + "\n  ".join(missing))


def script(path, text):
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + text)
    os.chmod(path, 0o755)


def tool_dir(tmp, fakes):
    """A directory for PATH holding the host tools make's recipes use,
    and the fake ones given as {name: script}."""
    d = tempfile.mkdtemp(dir=tmp)
    for name in ("sh", "make", "sed", "grep", "expr", "id", "cat", "find"):
        os.symlink(shutil.which(name), os.path.join(d, name))
    for name, text in fakes.items():
        script(os.path.join(d, name), text)
    return d


def plain_env(**changes):
    """The environment, less what an outer make (make test) passes down."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    env.update(changes)
    return env


MAKE_ERROR = re.compile(r"^make(\[\d+\])?: \*\*\*")


def make_lines(args, path):
    r = subprocess.run(["make", "--no-print-directory"] + args, cwd=ROOT,
                       env=plain_env(PATH=path),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    assert r.returncode != 0, r.stdout
    return [line for line in r.stdout.splitlines()
            if not MAKE_ERROR.match(line)]


@check
def check_tools_messages():
    tmp = tempfile.mkdtemp(prefix="rivet-messages-")
    try:
        old = 'echo "QEMU emulator version 6.2.0 (Debian 1:6.2+dfsg-2ubuntu6)"\n'
        debian = tool_dir(tmp, {"qemu-old": old, "apt-get": "exit 1\n"})
        lines = make_lines(["check-tools", "TOOLPREFIX=riscv64-unknown-elf-",
                            "QEMU=qemu-old"], debian)
        quoted(lines)
        brew = tool_dir(tmp, {"qemu-old": old, "brew": "exit 1\n"})
        quoted(make_lines(["check-tools", "TOOLPREFIX=riscv64-unknown-elf-",
                           "QEMU=qemu-old"], brew)[1:])
        # A Mac before anything is installed: no cross-compiler, no QEMU.
        quoted(make_lines(["check-tools"], brew))
        # make deps ran, yet QEMU is not on PATH (apt-get does nothing).
        gone = tool_dir(tmp, {"apt-get": "exit 0\n", "sudo": 'exec "$@"\n'})
        quoted(make_lines(["check-tools", "TOOLPREFIX=riscv64-unknown-elf-"],
                          gone))
        if len(lines) < 4:
            raise AssertionError("too few lines:\n" + "\n".join(lines))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@check
def qemu_port_in_use():
    qemu = shutil.which("qemu-system-riscv64")
    if not qemu:
        print("  (no qemu-system-riscv64: skipped)")
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = subprocess.run([qemu, "-machine", "virt", "-bios", "default",
                            "-nographic", "-S", "-gdb",
                            "tcp:127.0.0.1:%d" % port], cwd=ROOT,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=30)
    lines = [re.sub(r"\b%d\b" % port, "25000", line)
             for line in r.stdout.splitlines() if "Address already" in line]
    if not lines:
        raise AssertionError("QEMU did not refuse the port:\n" + r.stdout)
    quoted(lines)


def git(cwd, *args):
    subprocess.run(["git"] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def refusal(cwd, *args):
    """What `make ARGS` prints when labtool refuses, less make's own
    lines."""
    r = subprocess.run(["make", "--no-print-directory"] + list(args),
                       cwd=cwd, env=plain_env(), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    assert r.returncode != 0, r.stdout
    return [line for line in r.stdout.splitlines()
            if not MAKE_ERROR.match(line)]


@check
def lab_messages():
    tmp = tempfile.mkdtemp(prefix="rivet-messages-")
    try:
        repo = os.path.join(tmp, "rivet")
        base = labtool.lab_base(ROOT)
        if base:
            # Inside a lab, a fresh copy of the base system is what the
            # appendix describes.
            labtool.extract(base, repo, ROOT)
        else:
            files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT,
                                   stdout=subprocess.PIPE, check=True).stdout
            for rel in files.decode().split("\0"):
                if rel and os.path.isfile(os.path.join(ROOT, rel)):
                    os.makedirs(os.path.dirname(os.path.join(repo, rel)),
                                exist_ok=True)
                    shutil.copy(os.path.join(ROOT, rel),
                                os.path.join(repo, rel))
        env = ["-c", "user.name=t", "-c", "user.email=t@t"]
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, *env, "commit", "-q", "-m", "tree")
        lines = refusal(repo, "handin")
        with open(os.path.join(repo, "user", "echo.c"), "a") as f:
            f.write("/* changed */\n")
        lines += refusal(repo, "lab", "LAB=util")
        git(repo, "checkout", "-q", "user/echo.c")
        lines += refusal(repo, "lab")
        lines += refusal(repo, "lab", "LAB=nosuch")
        subprocess.run(["make", "-s", "lab", "LAB=util"], cwd=repo,
                       env=plain_env(), check=True, stdout=subprocess.DEVNULL)
        lines += refusal(repo, "lab", "LAB=util")
        lines += refusal(repo, "handin")                 # no time.txt
        with open(os.path.join(repo, "time.txt"), "w") as f:
            f.write("6 hours\n")
        lines += refusal(repo, "handin")
        with open(os.path.join(repo, "time.txt"), "w") as f:
            f.write("6\n")
        lines += refusal(repo, "handin")                 # no answers
        with open(os.path.join(repo, "answers-util.txt"), "w") as f:
            f.write("answers\n")
        lines += refusal(repo, "handin")                 # no commits
        with open(os.path.join(repo, "user", "new.c"), "w") as f:
            f.write("\n")
        lines += refusal(repo, "handin")                 # untracked file
        os.unlink(os.path.join(repo, "user", "new.c"))
        git(repo, "checkout", "-q", "main")
        git(repo, "branch", "-q", "-D", "lab-util")
        lines += refusal(repo, "lab", "LAB=util")        # tag left behind
        quoted(lines)
        if len(lines) < 12:
            raise AssertionError("too few lines:\n" + "\n".join(lines))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    run_checks(checks)


if __name__ == "__main__":
    main()
