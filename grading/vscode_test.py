#!/usr/bin/env python3
"""Test the VS Code debugger set-up (.vscode/launch.json and tasks.json)
from a clean copy of the tree, without VS Code: run what it would run.

  vscode_files       both files parse (comments allowed, as VS Code allows
                     them), the configuration is a cppdbg launch whose
                     preLaunchTask is a background task of tasks.json
  vscode_matcher     the task's problem matcher reads a real error of the
                     cross-compiler as file, line, column, severity, message
  vscode_session     in a copy of the tree's files (what a fresh clone has:
                     no .gdbinit; with --clean, no build products either,
                     else the tree's are copied in, to save the build), the
                     task's command builds and starts QEMU; its background
                     patterns see the build begin and QEMU become ready
                     (with --clean the whole build comes between); then the
                     configuration's
                     debugger, with its arguments, runs in batch mode the
                     gdb commands the configuration issues (setupCommands,
                     customLaunchSetupCommands, then launchCompleteCommand)
                     with a breakpoint at kmain set before the last, as
                     the editor sets one; at kmain the .gdbinit helpers
                     answer; a second breakpoint (sys_exec) is reached by
                     continuing; and `kill`, which the C/C++ extension
                     sends when you stop debugging, ends QEMU and the task

The only change to the task's command is GDBPORT, a free port, so that
tests running side by side do not collide (the task itself uses your
port, `make print-gdbport`).  Skipped, counting as passed, when the
configuration's gdb is not installed.

    python3 grading/vscode_test.py [--clean]  Prints one line per check and ends
with "N passed, M failed".
"""

import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

from gdb_test import Process, Skip, expect_in, free_port, run_checks
from gradelib import ROOT

VSCODE = os.path.join(ROOT, ".vscode")
CONFIG = "rivet: kernel (make qemu-gdb)"

checks = []


def check(fn):
    checks.append(fn)
    return fn


# ---- reading the files --------------------------------------------------

def read_jsonc(path):
    """Parse a VS Code JSON file: JSON with // and /* */ comments and
    trailing commas."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    token = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.S)
    text = token.sub(lambda m: m.group() if m.group().startswith('"') else "",
                     text)
    text = re.sub(r",(\s*[\]}])", r"\1", text)
    return json.loads(text)


def configuration():
    launch = read_jsonc(os.path.join(VSCODE, "launch.json"))
    for c in launch["configurations"]:
        if c["name"] == CONFIG:
            return c
    raise AssertionError("launch.json has no configuration %r" % CONFIG)


def task(label):
    tasks = read_jsonc(os.path.join(VSCODE, "tasks.json"))
    for t in tasks["tasks"]:
        if t["label"] == label:
            return t
    raise AssertionError("tasks.json has no task %r" % label)


def expand(text, workspace):
    return text.replace("${workspaceFolder}", workspace)


@check
def vscode_files():
    c = configuration()
    assert c["type"] == "cppdbg" and c["request"] == "launch", c
    assert c["MIMode"] == "gdb", c
    t = task(c["preLaunchTask"])
    assert t["isBackground"] is True, t
    background = t["problemMatcher"]["background"]
    for key in ("beginsPattern", "endsPattern"):
        re.compile(background[key])
    assert c["launchCompleteCommand"] in ("exec-continue", "exec-run", "None")


@check
def vscode_matcher():
    matcher = task(configuration()["preLaunchTask"])["problemMatcher"]
    pattern = matcher["pattern"]
    cc = subprocess.run(["make", "-s", "--no-print-directory", "print-kernel-cc"],
                        cwd=ROOT, stdout=subprocess.PIPE, text=True,
                        check=True).stdout.split()[0]
    tmp = tempfile.mkdtemp(prefix="rivet-vscode-")
    try:
        os.makedirs(os.path.join(tmp, "kernel"))
        with open(os.path.join(tmp, "kernel", "bad.c"), "w") as f:
            f.write("int f(void)\n{\n\treturn undeclared;\n}\n")
        r = subprocess.run([cc, "-c", "-o", os.devnull, "kernel/bad.c"],
                           cwd=tmp, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    regex = re.compile(pattern["regexp"])
    found = [m for m in map(regex.match, r.stdout.splitlines()) if m]
    if not found:
        raise AssertionError("the problem matcher matched no line of:\n"
                             + r.stdout)
    m = found[0]
    assert m.group(pattern["file"]) == "kernel/bad.c", m.groups()
    assert m.group(pattern["line"]) == "3", m.groups()
    assert m.group(pattern["column"]) == "16", m.groups()
    assert m.group(pattern["severity"]) == "error", m.groups()
    assert "undeclared" in m.group(pattern["message"]), m.groups()


# ---- the session ---------------------------------------------------------

# What `make all` builds, copied into the copy of the tree unless --clean
# is given, so that the session does not spend its time rebuilding what
# the tree has just built (make test builds first).
BUILD_PRODUCTS = ("build/flags", "build/fsimg-files", "build/kernel",
                  "build/include", "build/u", "kernel/kernel",
                  "kernel/kernel.asm", "kernel/kernel.sym", "user/bin",
                  "mkfs/mkfs", "mkfs/fsck", "fs.img")


def seed_build(dest):
    """Copy the tree's build products into dest, times kept, so that make
    finds them up to date."""
    for rel in BUILD_PRODUCTS:
        src = os.path.join(ROOT, rel)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(dest, rel))
        elif os.path.exists(src):
            os.makedirs(os.path.dirname(os.path.join(dest, rel)),
                        exist_ok=True)
            shutil.copy2(src, os.path.join(dest, rel))


def clean_copy(dest):
    """Copy the tree's files as a fresh clone would have them (tracked
    files, and new ones not ignored), without build products."""
    r = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                        "--exclude-standard"], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if r.returncode != 0:       # not a git repository: copy, less builds
        shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(
            ".git", "build", "bin", "fs.img", ".gdbinit", "kernel",
            "kernel.asm", "kernel.sym", "mkfs", "fsck", "__pycache__"))
        return
    for rel in r.stdout.decode().split("\0"):
        src = os.path.join(ROOT, rel)
        if rel and os.path.isfile(src):
            os.makedirs(os.path.dirname(os.path.join(dest, rel)),
                        exist_ok=True)
            shutil.copy2(src, os.path.join(dest, rel))


def gdb_command_line(text):
    """A command of the configuration as a line of a gdb script: MI
    commands (those starting with '-') through interpreter-exec."""
    if text.startswith("-"):
        return 'interpreter-exec mi "%s"' % text.replace('"', '\\"')
    return text


# What the editor adds: a breakpoint at kmain (-break-insert, after the
# launch commands and before launchCompleteCommand, as the C/C++
# extension sets the editor's breakpoints), then, at kmain, the helpers
# and a second breakpoint, typed as in the Debug Console.  `kill` is what
# stopping the debugger sends.
AT_KMAIN = r"""
echo ==== kmain\n
backtrace 1
rivet
curproc
delete
syscall-break exec
continue
echo ==== exec\n
backtrace 3
procs
echo ==== end\n
kill
"""

def mi_console(output):
    """The text of gdb's MI console and log streams (~"..." and &"...")
    in output, as a terminal would show it."""
    text = []
    for line in output.splitlines():
        if line[:2] in ('~"', '&"'):
            text.append(ast.literal_eval(line[1:]))
    return "".join(text)


COMPLETE = {"exec-continue": "continue", "exec-run": "run", "None": ""}


@check
def vscode_session():
    c = configuration()
    t = task(c["preLaunchTask"])
    gdb = c.get("linux", {}).get("miDebuggerPath", c["miDebuggerPath"])
    if not shutil.which(gdb):
        raise Skip("%s (launch.json's miDebuggerPath) is not installed" % gdb)
    tmp = tempfile.mkdtemp(prefix="rivet-vscode-")
    qemu = debugger = None
    try:
        tree = os.path.join(tmp, "rivet")
        clean_copy(tree)
        if os.path.exists(os.path.join(tree, ".gdbinit")) or \
                os.path.exists(os.path.join(tree, "kernel", "kernel")):
            raise AssertionError("the copy is not clean")
        if not CLEAN:
            seed_build(tree)
        background = t["problemMatcher"]["background"]
        env = dict(os.environ, MAKEFLAGS="-j2")
        qemu = Process(["/bin/sh", "-c", "%s GDBPORT=%d" %
                        (expand(t["command"], tree), free_port())],
                       stdin=True, cwd=tree, env=env)
        qemu.expect(background["beginsPattern"], 120)
        qemu.expect(background["endsPattern"], 300)

        script = [gdb_command_line(expand(x["text"], tree))
                  for x in c.get("setupCommands", []) +
                  c.get("customLaunchSetupCommands", [])]
        script += ["echo ==== connected\\n", "print $pc",
                   gdb_command_line("-break-insert -f kmain"),
                   COMPLETE[c["launchCompleteCommand"]]]
        # What you type in the Debug Console after -exec, the extension
        # sends as -interpreter-exec console; so does this test.
        typed = [line if line.startswith("echo ") else
                 gdb_command_line('-interpreter-exec console "%s"' % line)
                 for line in AT_KMAIN.strip().splitlines()]
        with open(os.path.join(tmp, "session.gdb"), "w") as f:
            f.write("\n".join(script + typed) + "\n")
        # The extension starts gdb with --interpreter=mi, then its own
        # arguments; so does this test.
        argv = [gdb, "--interpreter=mi"] + \
            shlex.split(c.get("miDebuggerArgs", "")) + \
            ["-batch", "-x", os.path.join(tmp, "session.gdb")]
        debugger = Process(argv, cwd=expand(c["cwd"], tree))
        debugger.wait(120)
        out = mi_console(debugger.output)
        for name in ("connected", "kmain", "exec", "end"):
            if "==== %s\n" % name not in out:
                raise AssertionError("gdb stopped before %r:\n%s" %
                                     (name, out))
        connected, rest = out.split("==== connected\n", 1)[1].split(
            "==== kmain\n", 1)
        kmain, rest = rest.split("==== exec\n", 1)
        at_exec = rest.split("==== end\n", 1)[0]
        expect_in(connected, r"^\$1 = \(void \(\*\)\(\)\) 0x1000")
        expect_in(debugger.output,
                  r'bkpt=\{number="1",.*func="kmain",file="kernel/main\.c"')
        expect_in(kmain, r"^#0\s+kmain \(.*\) at kernel/main\.c:\d+")
        expect_in(kmain, r"^Commands for debugging rivet")
        expect_in(kmain, r"^no process on this hart$")
        expect_in(at_exec, r"^#0\s+sys_exec \(\) at kernel/proc/\S+\.c:\d+")
        expect_in(at_exec, r"^#1\s+0x[0-9a-f]+ in syscall \(\)")
        expect_in(at_exec, r"^\s+\d+\s+\d+\s+init\s+RUNNING on cpu \d+$")
        # kill ends QEMU, and with it the task.
        qemu.wait(30)
    except (AssertionError, subprocess.TimeoutExpired) as e:
        raise AssertionError(
            "%s\n---- gdb's output:\n%s\n---- the task's output:\n%s" %
            (e, debugger.tail() if debugger else "(not started)",
             qemu.tail() if qemu else ""))
    finally:
        for p in (debugger, qemu):
            if p:
                p.close()
        shutil.rmtree(tmp, ignore_errors=True)


CLEAN = False


def main():
    global CLEAN
    CLEAN = "--clean" in sys.argv[1:]
    run_checks(checks)


if __name__ == "__main__":
    main()
