#!/usr/bin/env python3
"""The grader of the syscall lab: `make grade` runs it in a lab tree, and
`python3 labs/syscall/grade.py` runs it from the tree root.

Two guests do all the work:

  gdb      one guest, started halted under the grader's gdb client, finds
           in the kernel being graded the facts the gdb questions ask
           for (who calls syscall, which call init makes first);
           answers-syscall.txt is checked against them, and against the
           line of the caller's source that calls syscall.  Nothing
           checked depends on the compiler: the autograder's may not be
           the student's
  shell    one guest runs every command of the trace and sandbox parts
           at its shell, one after the other; each test then checks the
           output of its own commands

The parts (README.md in this folder says what each must do):

  gdb      answers-syscall.txt: the answers found with gdb
  trace    the per-process mask of traced calls, its lines, fork and exec
  sandbox  the per-process mask of forbidden calls, children, exec, trace
  handin   time.txt and the written answers

The system-call numbers come from include/syscalls.h, the masks are built
from them, and file names and contents are random, so that a kernel that
prints what a test expects without doing the work fails.

Run `python3 labs/syscall/grade.py -h` for the options (filters, -v, -j).
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "grading"))

from gradelib import (ROOT, Runner, TestFailure, check_time,  # noqa: E402
                      end_part, random_str, run_tests, shell_script, test)
from gradelib import kernel_symbols  # noqa: E402

r = Runner()

ANSWERS = "answers-syscall.txt"
# Its keys: the gdb answers, then the written ones.
GDB_KEYS = ("caller", "return-line", "pid", "a7", "call", "spp", "from")
WRITTEN = ("bypass", "inherit", "exit")
KEYS = GDB_KEYS + WRITTEN


def syscall_numbers():
    """{name: number} from the rows of include/syscalls.h."""
    with open(os.path.join(ROOT, "include", "syscalls.h")) as f:
        text = f.read()
    return {name: int(number) for number, name in
            re.findall(r"^\s*X\(\s*(\d+),\s*(\w+),", text, re.M)}


CALLS = syscall_numbers()
NAMES = {number: name for name, number in CALLS.items()}


def mask(*names):
    """The mask with the bits of the named calls."""
    return sum(1 << CALLS[name] for name in names)


def lines(text):
    """text's lines, trailing blanks dropped, empty ones left out."""
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def show(text):
    """text, indented, for a failure message ("(nothing)" if empty)."""
    if not text.strip():
        return "    (nothing)"
    return "\n".join("    " + line for line in text.rstrip().splitlines())


# ---- the trace lines ---------------------------------------------------------

TRACE = re.compile(r"^(\d+): syscall (\w+) -> (-?\w+)$")


def traces(out):
    """The trace lines in out, as (pid, name, result) with pid an int and
    result a string ("3", "-ENOENT")."""
    found = []
    for line in lines(out):
        m = TRACE.match(line)
        if m:
            found.append((int(m[1]), m[2], m[3]))
    return found


def others(out):
    """out without its trace lines."""
    return [line for line in lines(out) if not TRACE.match(line)]


def show_traces(got):
    return show("\n".join("%d: syscall %s -> %s" % t for t in got))


def not_implemented(command, out):
    """Fail at once, with a clear message, if a call is a starter stub."""
    if "function not implemented" in out:
        raise TestFailure("%r printed:\n%s\nENOSYS: the system call still "
                          "fails as the starter's stub does" %
                          (command, show(out)))


def expect_traces(command, out, want):
    """Fail unless the trace lines of out are exactly want, in order."""
    got = traces(out)
    if got != want:
        raise TestFailure("%r printed these trace lines:\n%s\nexpected, in "
                          "this order:\n%s\n(the whole output:)\n%s" %
                          (command, show_traces(got), show_traces(want),
                           show(out)))


def first_difference(got, want):
    """Where the lists of lines got and want first differ, in words."""
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return "line %d is %r, expected %r" % (i + 1, g, w)
    if len(got) < len(want):
        return "line %d, %r, is missing" % (len(got) + 1, want[len(got)])
    return "line %d, %r, is one too many" % (len(want) + 1, got[len(want)])


def expect_lines(command, got, want, why=""):
    """Fail unless the lines got (trace lines left out) are want."""
    if got != want:
        raise TestFailure("%r printed (trace lines left out):\n%s\n"
                          "expected:\n%s\nthe first difference: %s%s" %
                          (command, show("\n".join(got)),
                           show("\n".join(want)),
                           first_difference(got, want),
                           "\n" + why if why else ""))


def value(out, what):
    """The result syscalltest printed for what ("what: result"), or None."""
    m = re.search(r"^%s: (\S+)$" % re.escape(what), out, re.M)
    return m[1] if m else None


# ---- gdb ---------------------------------------------------------------------

# What the kernel being graded says, found by test_gdb_facts.
FACTS = {}


def call_lines(path, function, callee):
    """The numbers of the lines in function, in the C file path (from the
    tree root), that call callee()."""
    with open(os.path.join(ROOT, path)) as f:
        text = f.read().splitlines()
    found, inside = [], False
    for number, line in enumerate(text, 1):
        if re.match(r"^%s\(" % function, line):
            inside = True
        elif inside and line.startswith("}"):
            break
        elif inside and re.search(r"\b%s\(" % callee, line):
            found.append(number)
    return found


def function_at(symbols, address):
    """The name of the symbol at or below address (the function holding
    it, for a code address)."""
    below = [(a, name) for name, a in symbols.items() if a <= address]
    return max(below)[1] if below else "?"


@test(0, "gdb: stop in syscall and in init's first call's handler")
def test_gdb_facts():
    with r.boot(gdb=True, wait=False) as m:
        symbols = kernel_symbols(m.kernel)
        handlers = {symbols["sys_" + name]: name for name in CALLS
                    if "sys_" + name in symbols}
        m.gdb.breakpoint("syscall")
        m.gdb.cont(timeout=60)
        ra = m.gdb.reg("ra")
        FACTS.update(caller=function_at(symbols, ra))
        m.gdb.remove_breakpoint("syscall")
        for address in handlers:
            m.gdb.breakpoint(address)
        stop = m.gdb.cont(timeout=30)
        if stop.pc not in handlers:
            raise TestFailure("the guest stopped at %#x, not in a system-call "
                              "handler" % stop.pc)
        FACTS.update(call=handlers[stop.pc])
        m.gdb.detach()
        m.wait_prompt()


def read_answers():
    """{key: value} from answers-syscall.txt: lines "key: value" (or "key
    = value", any case) for the keys of KEYS; any other line continues the
    value before it; # starts a comment line."""
    try:
        with open(os.path.join(ROOT, ANSWERS)) as f:
            text = f.read()
    except OSError:
        raise TestFailure("cannot read %s: copy the template from "
                          "labs/syscall/README.md to the top of the tree and "
                          "fill it in" % ANSWERS) from None
    answers, key = {}, None
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        m = re.match(r"^\s*([A-Za-z][\w-]*)\s*[:=](.*)$", line)
        if m and m[1].lower() in KEYS:
            key = m[1].lower()
            answers[key] = m[2].strip()
        elif key and line.strip():
            answers[key] = (answers[key] + " " + line.strip()).strip()
    return answers


def answer(answers, key):
    """The answer to key, or a failure saying it is missing."""
    if not answers.get(key):
        raise TestFailure("%s has no answer for %r: add a line \"%s: ...\"" %
                          (ANSWERS, key, key))
    return answers[key]


def number(answers, key):
    """The answer to key as a number (decimal or 0x hex; the last one in
    the line, so "usertrap+270" and "<usertrap+0x10e>" are read too)."""
    text = answer(answers, key)
    found = re.findall(r"0[xX][0-9a-fA-F]+|\d+", text)
    if not found:
        raise TestFailure("%s: %r answers %r, which holds no number" %
                          (ANSWERS, key, text))
    return int(found[-1], 0)


def names(answers, key, name):
    """Does the answer to key name name (a function or a call), as a whole
    word: "usertrap()" and "sys_open (15)" do, "usertrapret" does not?"""
    text = answer(answers, key).lower()
    return re.search(r"(?<!\w)(sys_)?%s(?!\w)" % re.escape(name), text)


@test(2, "gdb: who calls syscall, and where it returns to",
      parent=test_gdb_facts)
def test_gdb_caller():
    answers = read_answers()
    if not names(answers, "caller", FACTS["caller"]):
        raise TestFailure("caller: you wrote %r, which is not the function "
                          "that frame #1 of the backtrace at a breakpoint in "
                          "syscall names" % answers["caller"])
    path = "kernel/riscv/trap.c"
    want = call_lines(path, FACTS["caller"], "syscall")
    line = number(answers, "return-line")
    if line not in want:
        raise TestFailure(
            "return-line: you wrote %d, which is not the line of %s that "
            "frame #1 of the backtrace at the breakpoint shows, as %s:N "
            "(it moves when you edit %s: answer from the tree you hand in)" %
            (line, FACTS["caller"], path, path))


@test(3, "gdb: init's first system call", parent=test_gdb_facts)
def test_gdb_first_call():
    answers = read_answers()
    pid = number(answers, "pid")
    if pid != 1:
        raise TestFailure("pid: you wrote %d, which is not the pid of the "
                          "process that makes the first system call after "
                          "boot ('curproc' at the first stop says)" % pid)
    a7 = number(answers, "a7")
    want = CALLS[FACTS["call"]]
    if a7 != want:
        raise TestFailure("a7: you wrote %d, which is not the number the "
                          "first system call puts in a7 ('trapframe' at the "
                          "first stop in syscall shows it)" % a7)
    if not names(answers, "call", FACTS["call"]):
        raise TestFailure("call: you wrote %r, which is not the name of "
                          "system call %d in include/syscalls.h" %
                          (answers["call"], want))


@test(1, "gdb: the privilege mode before the trap", parent=test_gdb_facts)
def test_gdb_mode():
    answers = read_answers()
    spp = number(answers, "spp")
    if spp != 0:
        raise TestFailure("spp: you wrote %d; read bit 8 of sstatus at the "
                          "breakpoint ('p ($sstatus >> 8) & 1')" % spp)
    mode = answer(answers, "from").lower()
    if not re.search(r"\buser\b|^u\b", mode) or "supervisor" in mode:
        raise TestFailure("from: you wrote %r; which mode does an SPP of 0 "
                          "mean the trap came from?  (answer user or "
                          "supervisor)" % answers["from"])


end_part("gdb")

# ---- the shell run -----------------------------------------------------------

WORD = random_str(12)
FILE = "f" + random_str(5)
DIR = "d" + random_str(5)

COMMANDS = {
    "read": "trace %d cat %s" % (mask("read"), FILE),
    "calls": "trace %d syscalltest calls" % mask("getpid", "open", "read",
                                                 "close"),
    "after": "echo after-trace",
    "fork": "trace %d syscalltest fork" % mask("fork", "wait", "getpid",
                                               "exec"),
    "badtrace": "syscalltest badtrace",
    "trace1": "trace 1 echo x",
    "mkdir": "sandbox %d mkdir %s" % (mask("mkdir"), DIR),
    "ls": "ls %s" % DIR,
    "open": "sandbox %d cat %s" % (mask("open"), FILE),
    "echo": "sandbox %d echo %s" % (mask("mkdir", "open"), WORD),
    "family": "syscalltest sandbox",
    "badsandbox": "syscalltest badsandbox",
    "sandbox-exit": "sandbox %d echo x" % mask("exit"),
    "traced-mkdir": "trace %d sandbox %d mkdir %s" % (
        mask("mkdir"), mask("mkdir"), DIR),
    "traced-exec": "trace %d sandbox %d echo %s" % (
        mask("exec"), mask("exec"), WORD),
}


@test(0, "shell: run the trace and sandbox commands", timeout=180)
def test_shell():
    script = ["echo %s > %s" % (WORD, FILE)] + list(COMMANDS.values())
    r.run_qemu(shell_script(script), timeout=180)


def out(key):
    """What the command COMMANDS[key] printed."""
    return r.output_of(COMMANDS[key])


# ---- trace ---------------------------------------------------------------------


@test(3, "trace: one line per traced call, with pid, name and result",
      parent=test_shell)
def test_trace_read():
    command, text = COMMANDS["read"], out("read")
    not_implemented(command, text)
    got = traces(text)
    pids = {pid for pid, _, _ in got}
    want = [("read", str(len(WORD) + 1)), ("read", "0")]
    if [(name, result) for _, name, result in got] != want or len(pids) != 1:
        raise TestFailure("%r (cat reads the %d bytes of %s, then end of "
                          "file) printed:\n%s\nexpected two lines from cat's "
                          "pid, \"PID: syscall read -> %d\" and \"PID: "
                          "syscall read -> 0\", and no line for a call not in "
                          "the mask" % (command, len(WORD) + 1, FILE,
                                        show(text), len(WORD) + 1))
    if others(text) != [WORD]:
        raise TestFailure("%r printed:\n%s\nexpected cat's output, %s, "
                          "besides the trace lines" %
                          (command, show(text), WORD))


@test(3, "trace: errors shown by name (open -> -ENOENT)", parent=test_shell)
def test_trace_calls():
    command, text = COMMANDS["calls"], out("calls")
    not_implemented(command, text)
    pid = value(text, "pid")
    if pid is None or not pid.isdigit():
        raise TestFailure("%r printed:\n%s\nno line \"pid: N\"" %
                          (command, show(text)))
    pid = int(pid)
    want = [(pid, "getpid", str(pid)), (pid, "open", "-ENOENT"),
            (pid, "open", "3"), (pid, "read", "10"), (pid, "close", "0"),
            (pid, "close", "-EBADF")]
    expect_traces(command, text, want)


@test(2, "trace: the mask is per process (the shell is not traced)",
      parent=test_shell)
def test_trace_per_process():
    if not traces(out("read")):
        raise TestFailure("%r printed no trace line at all: this test means "
                          "something only once trace works" % COMMANDS["read"])
    text = out("after")
    if traces(text) or others(text) != ["after-trace"]:
        raise TestFailure("'echo after-trace', after the traced commands, "
                          "printed:\n%s\nexpected only after-trace: the "
                          "shell never called trace, so neither it nor the "
                          "children it forks are traced" % show(text))


@test(4, "trace: inherited by fork, kept across exec", parent=test_shell)
def test_trace_fork_exec():
    command, text = COMMANDS["fork"], out("fork")
    not_implemented(command, text)
    m = re.search(r"^parent: (\d+) child: (\d+)$", text, re.M)
    if not m:
        raise TestFailure("%r printed:\n%s\nno line \"parent: P child: C\"" %
                          (command, show(text)))
    parent, child = int(m[1]), int(m[2])
    got = traces(text)
    mine = [t for t in got if t[0] == parent]
    theirs = [t for t in got if t[0] == child]
    strangers = [t for t in got if t[0] not in (parent, child)]
    # trace execs syscalltest ("syscalltest fork": argc 2), which calls
    # getpid and forks; the child calls getpid, execs "syscalltest
    # exec-child" and calls getpid again.
    want_parent = [(parent, "exec", "2"), (parent, "getpid", str(parent)),
                   (parent, "fork", str(child)), (parent, "wait", str(child))]
    want_child = [(child, "getpid", str(child)), (child, "exec", "2"),
                  (child, "getpid", str(child))]
    if mine != want_parent:
        raise TestFailure("%r: the traced process %d printed these trace "
                          "lines:\n%s\nexpected:\n%s\n(the exec line shows "
                          "the mask kept across trace's exec)" %
                          (command, parent, show_traces(mine),
                           show_traces(want_parent)))
    if theirs != want_child:
        raise TestFailure("%r: the child %d printed these trace lines:\n%s\n"
                          "expected:\n%s\n(fork gives the child its parent's "
                          "mask, and exec keeps it)" %
                          (command, child, show_traces(theirs),
                           show_traces(want_child)))
    if strangers:
        raise TestFailure("%r: trace lines from other processes:\n%s" %
                          (command, show_traces(strangers)))


@test(2, "trace: masks naming no call fail with EINVAL, changing nothing",
      parent=test_shell)
def test_trace_bad():
    command, text = COMMANDS["badtrace"], out("badtrace")
    not_implemented(command, text)
    want = ["trace(1): EINVAL", "trace(1 << 30): EINVAL",
            "trace(-1): EINVAL", "trace(getpid | 1 << 30): EINVAL",
            "trace(getpid): 0", "trace(0): 0"]
    expect_lines(command, [line for line in others(text)
                           if not line.startswith("pid:")], want,
                 "bit 0 and bit 30 name no system call, nor does bit 31 "
                 "(the sign of -1)")
    pid = int(value(text, "pid"))
    expect_traces(command, text, [(pid, "getpid", str(pid))])
    text = out("trace1")
    if not re.search(r"^trace: trace 1: invalid argument$", text, re.M):
        raise TestFailure("'trace 1 echo x' printed:\n%s\nexpected \"trace: "
                          "trace 1: invalid argument\"" % show(text))


end_part("trace")

# ---- sandbox -------------------------------------------------------------------


@test(3, "sandbox: a forbidden call fails with EPERM; others work",
      parent=test_shell)
def test_sandbox_forbids():
    checks = [
        ("mkdir", r"^mkdir: %s: operation not permitted$" % DIR,
         "mkdir's message \"mkdir: %s: operation not permitted\"" % DIR),
        ("ls", r"^ls: %s: no such file or directory$" % DIR,
         "ls to find no %s: the forbidden mkdir must not have run" % DIR),
        ("open", r"^cat: %s: operation not permitted$" % FILE,
         "cat's message \"cat: %s: operation not permitted\"" % FILE),
        ("echo", r"^%s$" % WORD,
         "%s: echo makes neither mkdir nor open, so it works" % WORD),
    ]
    for key, regex, what in checks:
        text = out(key)
        not_implemented(COMMANDS[key], text)
        if not re.search(regex, text, re.M):
            raise TestFailure("%r printed:\n%s\nexpected %s" %
                              (COMMANDS[key], show(text), what))


@test(4, "sandbox: children and exec inherit it; it only grows",
      parent=test_shell)
def test_sandbox_family():
    command, text = COMMANDS["family"], out("family")
    not_implemented(command, text)
    want = [
        "child sandbox(mkdir): 0",
        "child mkdir: EPERM",
        "child sandbox(0): 0",
        "child mkdir after sandbox(0): EPERM",
        "child unlink: ENOENT",
        "child sandbox(unlink): 0",
        "child unlink after sandbox(unlink): EPERM",
        "child mkdir after sandbox(unlink): EPERM",
        "child getpid works: yes",
        "grandchild mkdir: EPERM",
        "grandchild unlink: EPERM",
        "mkdir: sbx-exec: operation not permitted",
        "parent mkdir: 0",
        "parent stat sbx-child: ENOENT",
        "parent stat sbx-grandchild: ENOENT",
        "parent stat sbx-exec: ENOENT",
        "parent unlink sbx-parent: 0",
    ]
    expect_lines(command, others(text), want,
                 "a child forbids itself mkdir, then unlink as well; "
                 "sandbox(0) lifts nothing; its child, and the mkdir program "
                 "that child execs, inherit both bans; the parent has none")


@test(2, "sandbox: exit cannot be forbidden; bad masks fail with EINVAL",
      parent=test_shell)
def test_sandbox_bad():
    command, text = COMMANDS["badsandbox"], out("badsandbox")
    not_implemented(command, text)
    want = [
        "sandbox(exit): EINVAL",
        "sandbox(exit | mkdir): EINVAL",
        "mkdir: 0",
        "sandbox(1): EINVAL",
        "sandbox(1 << 30): EINVAL",
        "sandbox(-1): EINVAL",
        "unlink: 0",
        "sandbox(sandbox): 0",
        "sandbox(mkdir): EPERM",
        "mkdir again: 0",
        "unlink again: 0",
    ]
    expect_lines(command, others(text), want,
                 "a refused mask changes nothing (mkdir still works), and "
                 "a process that forbade sandbox can forbid nothing more")
    text = out("sandbox-exit")
    if not re.search(r"^sandbox: sandbox %d: invalid argument$" %
                     mask("exit"), text, re.M):
        raise TestFailure("%r printed:\n%s\nexpected \"sandbox: sandbox %d: "
                          "invalid argument\"" %
                          (COMMANDS["sandbox-exit"], show(text), mask("exit")))


@test(2, "sandbox: a traced call that is forbidden shows -EPERM",
      parent=test_shell)
def test_sandbox_traced():
    command, text = COMMANDS["traced-mkdir"], out("traced-mkdir")
    not_implemented(command, text)
    got = [(name, result) for _, name, result in traces(text)]
    if got != [("mkdir", "-EPERM")] or not re.search(
            r"^mkdir: %s: operation not permitted$" % DIR, text, re.M):
        raise TestFailure("%r printed:\n%s\nexpected one trace line \"PID: "
                          "syscall mkdir -> -EPERM\" and mkdir's message" %
                          (command, show(text)))
    command, text = COMMANDS["traced-exec"], out("traced-exec")
    got = [(name, result) for _, name, result in traces(text)]
    # trace execs "sandbox N echo WORD" (argc 4); sandbox then forbids exec,
    # so its own exec of echo fails.
    if got != [("exec", "4"), ("exec", "-EPERM")] or not re.search(
            r"^sandbox: exec echo: operation not permitted$", text, re.M):
        raise TestFailure("%r printed:\n%s\nexpected \"PID: syscall exec -> "
                          "4\" (trace's exec of sandbox), \"PID: syscall exec "
                          "-> -EPERM\" (sandbox's exec of echo, forbidden at "
                          "once) and sandbox's message" % (command, show(text)))


end_part("sandbox")

# ---- hand-in -------------------------------------------------------------------

@test(1, "handin: time.txt")
def test_time():
    check_time()


@test(2, "handin: the written answers in answers-syscall.txt")
def test_written():
    answers = read_answers()
    for key in WRITTEN:
        if len(answers.get(key, "")) < 40:
            raise TestFailure("%s: the answer to %r is missing or shorter "
                              "than a sentence: write a line \"%s: ...\" "
                              "(it may go on over the next lines)" %
                              (ANSWERS, key, key))


end_part("handin")

run_tests()
