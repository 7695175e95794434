#!/usr/bin/env python3
"""The grader of the traps lab: `make grade` runs it in a lab tree, and
`python3 labs/traps/grade.py` runs it from the tree root.

The parts (README.md in this folder says what each must do):

  alarm      sigalarm/sigreturn, through labs/traps/user/alarmcheck.c:
             one command per case, all in one boot
  backtrace  the user call stack printed when a program is killed for a
             fault, through labs/traps/user/faultchain.c, in a second
             boot; each printed address is resolved against the
             program's own symbols (nm), so a different compiler or
             layout changes nothing
  callconv   the answers in answers-traps.txt, checked against the
             student's own user/bin/callconv (objdump and nm run here, at
             grading time); a wrong answer is named, never corrected
  handin     time.txt and answers-traps.txt

Run `python3 labs/traps/grade.py -h` for the options (filters, -v, -j).
"""

import functools
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "grading"))

from gradelib import (Runner, TestFailure, check_answers,  # noqa: E402
                      check_time, end_part, make, run_tests, shell_script,
                      test)

r = Runner()

ANSWERS = "answers-traps.txt"
MAX_FRAMES = 32          # lines a backtrace may have, #0 included


def show(text):
    """text, indented, for a failure message ("(nothing)" if empty)."""
    if not text.strip():
        return "    (nothing)"
    return "\n".join("    " + line for line in text.rstrip().splitlines())


# ---- the tool chain --------------------------------------------------------

@functools.lru_cache(maxsize=None)
def binutil(tool):
    """The tool chain's objdump or nm: the compiler the Makefile uses,
    with gcc replaced by the tool's name."""
    out = subprocess.run(["make", "-s", "--no-print-directory",
                          "print-kernel-cc"], cwd=ROOT, capture_output=True,
                         text=True).stdout.split()
    if not out or not out[0].endswith("gcc"):
        raise TestFailure("make print-kernel-cc did not name a compiler")
    return out[0][:-len("gcc")] + tool


def program(name):
    """The path of user/bin/NAME, built if need be."""
    make("user/bin/" + name)
    return os.path.join(ROOT, "user", "bin", name)


def symbols(name):
    """The functions of user/bin/NAME: (address, name) sorted by address;
    names lose any suffix the compiler adds to a copy (.constprop.0)."""
    out = subprocess.run([binutil("nm"), "-n", program(name)],
                         capture_output=True, text=True, check=True).stdout
    funcs = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tT":
            funcs.append((int(parts[0], 16), parts[2].split(".")[0]))
    return funcs


def function_at(funcs, address):
    """The name of the function holding address, or None."""
    found = None
    for start, name in funcs:
        if start > address:
            break
        found = name
    return found


def disassembly(name):
    """user/bin/NAME's instructions, by function: {function: [(address,
    size in bytes, mnemonic, operands)]}."""
    out = subprocess.run([binutil("objdump"), "-d", "--no-show-raw-insn",
                          program(name)], capture_output=True, text=True,
                         check=True).stdout
    raw = subprocess.run([binutil("objdump"), "-d", program(name)],
                         capture_output=True, text=True, check=True).stdout
    sizes = {}
    for m in re.finditer(r"^\s*([0-9a-f]+):\s+([0-9a-f]+)\s", raw, re.M):
        sizes[int(m[1], 16)] = len(m[2]) // 2
    funcs, current = {}, None
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <([^>]+)>:$", line)
        if m:
            current = funcs.setdefault(m[1].split(".")[0], [])
            continue
        m = re.match(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$", line)
        if m and current is not None:
            addr = int(m[1], 16)
            current.append((addr, sizes.get(addr, 4), m[2], m[3]))
    return funcs


# ---- alarm -----------------------------------------------------------------

ALARM_CASES = ["periodic", "registers", "slow", "stop", "noalarm",
               "badargs", "fork", "exec"]


@test(0, "alarm: run alarmcheck, one case at a time", timeout=150)
def test_alarm_run():
    r.run_qemu(shell_script(["alarmcheck " + c for c in ALARM_CASES]),
               timeout=140)


def alarm_case(case, what):
    """Fail unless `alarmcheck case` printed its ok line."""
    command = "alarmcheck " + case
    out = r.output_of(command)
    if re.search(r"^alarmcheck: %s: ok\b" % case, out, re.M):
        return
    failed = re.search(r"^alarmcheck: %s: FAILED: (.*)$" % case, out, re.M)
    if failed:
        raise TestFailure("%r failed: %s\n(checking that %s)\nit printed:\n%s"
                          % (command, failed[1], what, show(out)))
    raise TestFailure("%r printed no verdict (it should check that %s); "
                      "was it killed?  It printed:\n%s" %
                      (command, what, show(out)))


@test(5, "alarm: the handler runs again and again, every 2 ticks",
      parent=test_alarm_run)
def test_alarm_periodic():
    alarm_case("periodic", "sigalarm(2, handler) calls the handler six "
               "times, about every 2 ticks")


@test(7, "alarm: sigreturn restores every register and the pc",
      parent=test_alarm_run)
def test_alarm_registers():
    alarm_case("registers", "a loop holding a known value in every register "
               "sees none of them change while a handler that overwrites "
               "them all runs 5 times")


@test(4, "alarm: the handler is not entered again while it runs",
      parent=test_alarm_run)
def test_alarm_slow():
    alarm_case("slow", "a handler that takes 5 ticks, with sigalarm(1, ...), "
               "is never running twice at once, and finishes 3 times")


@test(3, "alarm: sigalarm(0, 0) stops the calls", parent=test_alarm_run)
def test_alarm_stop():
    alarm_case("stop", "no handler call comes after sigalarm(0, 0)")


@test(2, "alarm: sigreturn with no handler running fails with EINVAL",
      parent=test_alarm_run)
def test_alarm_noalarm():
    alarm_case("noalarm", "sigreturn() returns -1 with errno EINVAL when no "
               "handler is running")


@test(3, "alarm: bad arguments get EINVAL or EFAULT", parent=test_alarm_run)
def test_alarm_badargs():
    alarm_case("badargs", "a negative interval gets EINVAL, and a handler "
               "that is not user code (null, a variable, unmapped, the "
               "trapframe) gets EFAULT, leaving no alarm armed")


@test(2, "alarm: fork's child and exec's new program start with no alarm",
      parent=test_alarm_run)
def test_alarm_fork_exec():
    alarm_case("fork", "the child of fork has no alarm, while the parent's "
               "goes on")
    alarm_case("exec", "the program exec starts has no alarm")


end_part("alarm")

# ---- backtrace -------------------------------------------------------------

CHAIN = ["level_c", "level_b", "level_a", "main"]
FAULT_RUNS = ["", "leaf", "loop", "wild", "odd", "deep"]
KILLED = r"^pid \d+ faultchain: .*: killed$"
FRAME = r"^\s*#(\d+)\s+(0x[0-9a-fA-F]+)\s*$"


@test(0, "backtrace: run faultchain six ways", timeout=120)
def test_backtrace_run():
    r.run_qemu(shell_script([("faultchain " + way).strip()
                             for way in FAULT_RUNS] + ["echo still-alive"]),
               timeout=110)
    if "still-alive" not in r.output_of("echo still-alive"):
        raise TestFailure("the shell did not run a command after the "
                          "faults")


def backtrace(way):
    """The frames the kernel printed for `faultchain WAY`: a list of
    (address, function), the faulting pc first.  Return addresses are
    looked up one byte back, inside the call they return from."""
    command = ("faultchain " + way).strip()
    out = r.output_of(command)
    lines = out.splitlines()
    killed = [i for i, line in enumerate(lines) if re.match(KILLED, line)]
    if not killed:
        raise TestFailure("%r printed:\n%s\nexpected the kernel's line "
                          "\"pid N faultchain: ...: killed\"" %
                          (command, show(out)))
    rest = lines[killed[0] + 1:]
    if not rest or rest[0].strip() != "user backtrace:":
        raise TestFailure("%r printed:\n%s\nexpected a line \"user "
                          "backtrace:\" right after the kill message" %
                          (command, show(out)))
    funcs = symbols("faultchain")
    frames = []
    for line in rest[1:]:
        m = re.match(FRAME, line)
        if not m:
            break
        if int(m[1]) != len(frames):
            raise TestFailure("%r printed:\n%s\nframes must be numbered "
                              "#0, #1, #2, ... in order" %
                              (command, show(out)))
        address = int(m[2], 16)
        frames.append((address, function_at(
            funcs, address if not frames else address - 1)))
    if not frames:
        raise TestFailure("%r printed:\n%s\nexpected frame lines \"  #0 "
                          "0x...\" after \"user backtrace:\"" %
                          (command, show(out)))
    return command, out, frames


def named(frames):
    """The frames as "#N 0x... (function)" lines, for a message."""
    return "\n".join("    #%d 0x%x  %s" % (i, a, f or "(not in the program)")
                     for i, (a, f) in enumerate(frames))


def expect_chain(way, want, most):
    """Fail unless `faultchain WAY`'s frames start with the functions want
    and have at most `most` frames."""
    command, out, frames = backtrace(way)
    got = [f for _, f in frames]
    if got[:len(want)] != want or len(frames) > most:
        raise TestFailure("%r printed:\n%s\nwhose addresses are in:\n%s\n"
                          "expected %s%s" %
                          (command, show(out), named(frames),
                           ", ".join(want),
                           " and nothing after" if most == len(want) else
                           " (and at most %d frames)" % most))


@test(6, "backtrace: a fault in level_c shows level_c, level_b, level_a, "
      "main", parent=test_backtrace_run)
def test_backtrace_chain():
    # main's own return address, into _start, may follow.
    expect_chain("", CHAIN, len(CHAIN) + 1)


@test(2, "backtrace: a fault in a leaf function shows its caller too",
      parent=test_backtrace_run)
def test_backtrace_leaf():
    expect_chain("leaf", ["level_leaf"] + CHAIN[1:], len(CHAIN) + 1)


@test(4, "backtrace: a corrupted frame pointer ends the walk cleanly",
      parent=test_backtrace_run)
def test_backtrace_corrupt():
    # level_b's saved frame pointer points at its own frame, at a kernel
    # address, or at a misaligned stack address: the frames up to level_a
    # (whose return address is still intact) and then nothing.
    for way in ("loop", "wild", "odd"):
        expect_chain(way, CHAIN[:3], 3)


@test(2, "backtrace: a deep stack gives at most %d lines" % MAX_FRAMES,
      parent=test_backtrace_run)
def test_backtrace_deep():
    command, out, frames = backtrace("deep")
    names = {f for _, f in frames}
    if names != {"dive"} or not 16 <= len(frames) <= MAX_FRAMES:
        raise TestFailure("%r (dive calls itself 100 times, then faults) "
                          "printed frames in:\n%s\nexpected only dive, and "
                          "between 16 and %d lines" %
                          (command, named(frames), MAX_FRAMES))


end_part("backtrace")

# ---- callconv --------------------------------------------------------------

REGISTER_NAMES = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0",
                  "s1", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7",
                  "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10",
                  "s11", "t3", "t4", "t5", "t6"]


def read_answers():
    """answers-traps.txt as {key: value}: one "key: value" a line, keys
    compared without case, spaces, '-' or '_'; the last wins."""
    path = os.path.join(ROOT, ANSWERS)
    if not os.path.exists(path):
        raise TestFailure("%s is missing: write your answers there, one "
                          "\"key: value\" line each (README.md, Part 3)" %
                          ANSWERS)
    answers = {}
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"^\s*[-*]?\s*([A-Za-z][\w -]*?)\s*[:=]\s*(.*?)\s*$",
                         line)
            if m:
                answers[re.sub(r"[\s_-]", "", m[1].lower())] = \
                    m[2].strip("`'\" ")
    return answers


def answer(answers, key):
    value = answers.get(key.replace("-", ""))
    if not value:
        raise TestFailure("%s has no answer \"%s: ...\"" % (ANSWERS, key))
    return value


def register(text):
    """A register name, as its ABI name ("x12" and "A2" are "a2")."""
    text = text.strip().lower().lstrip("$%")
    if text == "fp":
        return "s0"
    m = re.fullmatch(r"x(\d+)", text)
    if m and int(m[1]) < 32:
        return REGISTER_NAMES[int(m[1])]
    return text


def numbers(text):
    """The values text may mean: hex with 0x or letters, else decimal or
    hex (an address written without 0x)."""
    t = text.strip().lower().replace(" ", "")
    sign = -1 if t.startswith("-") else 1
    t = t.lstrip("+-")
    try:
        if t.startswith("0x"):
            return {sign * int(t, 16)}
        if re.fullmatch(r"[0-9a-f]+", t):
            values = {sign * int(t, 16)}
            if t.isdigit():
                values.add(sign * int(t, 10))
            return values
    except ValueError:
        pass
    return set()


def wrong(key, hint):
    raise TestFailure("%s: \"%s\" is not right for your user/bin/callconv. "
                      "%s" % (ANSWERS, key, hint))


def check_register(answers, key, want, hint):
    if register(answer(answers, key)) != want:
        wrong(key, hint)


def check_number(answers, key, want, hint):
    if want not in numbers(answer(answers, key)):
        wrong(key, hint)


def instruction(insns, mnemonics, pattern):
    """The first instruction whose mnemonic is one of mnemonics and whose
    operands match the regex pattern: (address, size, match), or None."""
    for addr, size, mnem, ops in insns:
        m = re.match(pattern, ops)
        if mnem in mnemonics and m:
            return addr, size, m
    return None


@test(3, "callconv: arguments, a missing argument, byte order")
def test_callconv_abi():
    answers = read_answers()
    check_register(answers, "third-arg-register", "a2",
                   "Look at the instructions before main's call to mix.")
    check_register(answers, "missing-arg-register", "a2",
                   "printf reads its arguments in the order the "
                   "convention passes them.")
    if answer(answers, "little-endian-output") != "hi!":
        wrong("little-endian-output", "Run callconv, or work out the "
              "byte order of word in memory.")
    check_number(answers, "big-endian-value", 0x68692100,
                 "The bytes must sit in memory in the same order.")
    if len(answer(answers, "explain-limit")) < 20:
        raise TestFailure("%s: \"explain-limit\" needs a sentence or two"
                          % ANSWERS)


@test(4, "callconv: addresses in your binary")
def test_callconv_addresses():
    answers = read_answers()
    code = disassembly("callconv")
    addresses = {name: addr for addr, name in symbols("callconv")}
    if "mix" not in addresses or "main" not in code:
        raise TestFailure("user/bin/callconv has no function mix or main: "
                          "is labs/traps/user/callconv.c unchanged?")
    check_number(answers, "mix-address", addresses["mix"],
                 "Where does mix begin (nm, or the listing)?")
    call = instruction(code["main"], ("jal", "jalr", "call"), r".*<mix>")
    if call is None:
        raise TestFailure("main in user/bin/callconv does not call mix: is "
                          "labs/traps/user/callconv.c unchanged?")
    check_number(answers, "ra-after-call", call[0] + call[1],
                 "Which address does the call to mix in main leave in ra?")
    calls = [addr for addr, _, mnem, ops in code.get("mix", [])
             if mnem in ("jal", "jalr", "call") and "<scale" in ops]
    given = answer(answers, "scale-call")
    if calls:
        if not any(a in numbers(given) for a in calls):
            wrong("scale-call", "Does mix call scale, or does it compute "
                  "scale's result itself?  If it calls it, give the "
                  "address of the call.")
    elif given.lower() != "inlined":
        wrong("scale-call", "Does mix call scale, or does it compute "
              "scale's result itself?")


@test(3, "callconv: mix's stack frame")
def test_callconv_frame():
    answers = read_answers()
    mix = disassembly("callconv").get("mix", [])
    grow = instruction(mix, ("add", "addi"), r"sp,sp,-(\d+)$")
    frame = instruction(mix, ("add", "addi", "addi4spn"), r"s0,sp,(\d+)$")
    if grow is None or frame is None:
        raise TestFailure("mix in user/bin/callconv sets up no frame "
                          "pointer: is it built with "
                          "-fno-omit-frame-pointer?")
    size, top = int(grow[2][1]), int(frame[2][1])
    check_number(answers, "mix-frame-size", size,
                 "How many bytes does mix's first instruction take from "
                 "sp?")
    saves = {}
    for _, _, mnem, ops in mix:
        m = re.match(r"(\w+),(-?\d+)\(sp\)$", ops)
        if mnem == "sd" and m:
            saves.setdefault(m[1], int(m[2]))
    if "ra" not in saves or "s0" not in saves:
        raise TestFailure("mix in user/bin/callconv saves no ra or s0")
    check_number(answers, "ra-offset", saves["ra"] - top,
                 "Where is ra saved, counting from s0 once mix has set "
                 "it?")
    check_number(answers, "fp-offset", saves["s0"] - top,
                 "Where is the caller's s0 saved, counting from the new "
                 "s0?")
    want = set(saves) - {"ra", "s0"}
    given = {register(x) for x in re.split(r"[\s,;]+", answer(
        answers, "mix-saves")) if x}
    if given != want:
        wrong("mix-saves", "Which registers, besides ra and s0, does mix "
              "store on its stack, and why those?")


end_part("callconv")

# ---- hand-in ---------------------------------------------------------------


@test(1, "handin: time.txt")
def test_time():
    check_time()


@test(1, "handin: answers-traps.txt")
def test_answers():
    check_answers(ANSWERS, 200)


end_part("handin")

run_tests()
