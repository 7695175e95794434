#!/usr/bin/env python3
"""The grader of the util lab: `make grade` runs it in a lab tree, and
`python3 labs/util/grade.py` runs it from the tree root.

Each test boots a fresh guest from a pristine copy of fs.img, types
commands at the shell and checks what they print.  The parts, one per
program of the lab (README.md in this folder says what each must do):

  pingpong   the byte goes down one pipe and back up the other
  primes     the sieve prints the primes, waits for its stages, leaks no
             descriptors (a larger bound runs out of them if it does)
  find       recursive search, never into "." or ".."
  xargs      one command per input line, the line as its last argument
  timeout    a quick command runs to its end; a slow one is killed
  handin     time.txt and answers-util.txt

Names and contents in the tests are random, so that a program that
prints what a test expects without doing the work fails.

Run `python3 labs/util/grade.py -h` for the options (filters, -v, -j).
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "grading"))

from gradelib import (Runner, TestFailure, TimedOut, assert_equal,  # noqa: E402
                      check_answers, check_time, end_part, run_tests,
                      shell_script, test, random_str)

r = Runner()

PRIMES_35 = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31]


def shell(*commands, timeout=None):
    """Run commands at the prompt of a fresh guest; return a dict of what
    each printed (the last run of a command repeated)."""
    r.run_qemu(shell_script(commands), timeout=timeout)
    return dict(r.outputs)


def lines(text):
    """text's lines, trailing blanks dropped."""
    return [line.rstrip() for line in text.splitlines()]


def show(text):
    """text, indented, for a failure message ("(nothing)" if empty)."""
    if not text.strip():
        return "    (nothing)"
    return "\n".join("    " + line for line in text.rstrip().splitlines())


def expect_lines(command, got, want):
    """Fail unless the output got of command is exactly the lines want."""
    if lines(got) != want:
        raise TestFailure("%r printed:\n%s\nexpected:\n%s" %
                          (command, show(got), show("\n".join(want))))


def not_implemented(command, out):
    """Fail at once, with a clear message, if command is a starter stub."""
    if "not implemented" in out:
        raise TestFailure("%r printed:\n%s\nthe program is still the "
                          "starter's" % (command, show(out)))


# ---- pingpong --------------------------------------------------------------

PING = r"^(\d+): received ping$"
PONG = r"^(\d+): received pong$"


def check_pingpong(out):
    """Check one run's output; return the (child, parent) pids."""
    not_implemented("pingpong", out)
    got = lines(out)
    if (len(got) != 2 or not re.match(PING, got[0]) or
            not re.match(PONG, got[1])):
        raise TestFailure("pingpong printed:\n%s\nexpected two lines, "
                          "\"<pid>: received ping\" from the child, then "
                          "\"<pid>: received pong\" from the parent" %
                          show(out))
    child = int(re.match(PING, got[0])[1])
    parent = int(re.match(PONG, got[1])[1])
    if child == parent:
        raise TestFailure("both lines show pid %d: the ping must be "
                          "received by the child and the pong by the "
                          "parent, each printing its own getpid()" % child)
    return child, parent


@test(4, "pingpong: the child receives ping, then the parent pong")
def test_pingpong():
    check_pingpong(shell("pingpong", timeout=30)["pingpong"])


@test(3, "pingpong: three runs in a row, each with a new child")
def test_pingpong_again():
    with r.boot() as m:
        pids = set()
        for _ in range(3):
            child, parent = check_pingpong(m.run("pingpong", 10))
            if child in pids:
                raise TestFailure("a child's pid %d was seen before: each "
                                  "run must fork a new child" % child)
            pids.add(child)


end_part("pingpong")

# ---- primes ----------------------------------------------------------------


def primes_upto(n):
    return [p for p in range(2, n + 1)
            if all(p % d for d in range(2, int(p ** 0.5) + 1))]


def check_primes(command, out, n):
    not_implemented(command, out)
    expect_lines(command, out, ["prime %d" % p for p in primes_upto(n)])


@test(6, "primes: the primes up to 35, in order")
def test_primes():
    check_primes("primes", shell("primes", timeout=60)["primes"], 35)


@test(3, "primes: every stage has finished when primes exits")
def test_primes_waits():
    # If a stage does not wait for the next one, the shell's prompt (and
    # so the marker echoed after it) can come before the last primes.
    with r.boot() as m:
        out = m.run("primes 100; echo %s" % "end-of-primes", 60)
        not_implemented("primes 100", out)
        got = lines(out)
        if not got or got[-1] != "end-of-primes":
            raise TestFailure("'primes 100; echo end-of-primes' printed:\n%s\n"
                              "the marker must come last: primes may exit "
                              "only after all its stages have printed and "
                              "exited (each waits for the next)" % show(out))
        check_primes("primes 100", "\n".join(got[:-1]), 100)


@test(4, "primes: up to 100 twice (25 stages; no leaked descriptors)")
def test_primes_100():
    # Each stage holding one pipe end too many hands it down to every
    # stage after it: 25 stages then run out of NOFILE descriptors.
    with r.boot() as m:
        for _ in range(2):
            check_primes("primes 100", m.run("primes 100", 60), 100)


end_part("primes")

# ---- find ------------------------------------------------------------------


@test(3, "find: a file in the directory searched")
def test_find_top():
    d, name = "d" + random_str(5), "f" + random_str(5)
    out = shell("mkdir %s" % d, "echo x > %s/%s" % (d, name),
                "echo y > %s/other" % d, "find %s %s" % (d, name),
                "find %s nosuch" % d, timeout=60)
    command = "find %s %s" % (d, name)
    not_implemented("find", out[command])
    expect_lines(command, out[command], ["%s/%s" % (d, name)])
    expect_lines("find %s nosuch" % d, out["find %s nosuch" % d], [])


@test(5, "find: files and directories at every depth, not in . or ..")
def test_find_deep():
    # The tree, under a directory a, with b the name looked for:
    #   a/b  a/c/b  a/c/d/b/  a/c/d/b/b  a/c/e/bb  a/c/e/f/x/b
    # and b at the top too, outside a (found only if find climbs "..").
    a, b = "a" + random_str(4), "b" + random_str(4)
    paths = ["%s/%s" % (a, b), "%s/c/%s" % (a, b), "%s/c/d/%s" % (a, b),
             "%s/c/d/%s/%s" % (a, b, b), "%s/c/e/f/x/%s" % (a, b)]
    script = ["mkdir %s %s/c %s/c/d %s/c/e %s/c/e/f %s/c/e/f/x %s/c/d/%s" %
              (a, a, a, a, a, a, a, b)]
    for p in paths:
        if not p.endswith("/d/" + b):
            script.append("echo hello > " + p)
    script += ["echo no > %s/c/e/%s%s" % (a, b, b), "echo top > " + b,
               "find %s %s" % (a, b), "cd %s/c" % a, "find . %s" % b]
    out = shell(*script, timeout=90)
    command = "find %s %s" % (a, b)
    not_implemented("find", out[command])
    got = lines(out[command])
    if sorted(got) != sorted(paths):
        missing = sorted(set(paths) - set(got))
        extra = sorted(set(got) - set(paths))
        raise TestFailure("%r printed:\n%s\nexpected these lines, in any "
                          "order:\n%s%s%s" %
                          (command, show(out[command]), show("\n".join(paths)),
                           "\nmissing: " + ", ".join(missing) if missing else "",
                           "\nnot expected: " + ", ".join(extra) if extra else ""))
    rel = ["./" + p[len(a) + 3:] for p in paths if p.startswith(a + "/c/")]
    command = "find . %s" % b
    if sorted(lines(out[command])) != sorted(rel):
        raise TestFailure("%r in %s/c printed:\n%s\nexpected, in any "
                          "order:\n%s\n(paths start with the directory as "
                          "given; \"..\" is never searched)" %
                          (command, a, show(out[command]), show("\n".join(rel))))


@test(2, "find: a missing directory, and a bad command line")
def test_find_errors():
    out = shell("find nosuch b", "find", "find a", timeout=60)
    not_implemented("find", out["find"])
    if not re.match(r"^find: .*nosuch", out["find nosuch b"]):
        raise TestFailure("'find nosuch b' printed:\n%s\nexpected a line "
                          "\"find: nosuch: <reason>\"" % show(out["find nosuch b"]))
    for command in ("find", "find a"):
        if not re.match(r"^usage: find", out[command]):
            raise TestFailure("%r printed:\n%s\nexpected a line starting "
                              "\"usage: find\"" % (command, show(out[command])))


end_part("find")

# ---- xargs -----------------------------------------------------------------


@test(5, "xargs: one command per line, the line as its last argument")
def test_xargs_args():
    w1, w2, w3 = random_str(4), random_str(4), random_str(4)
    command = "(echo %s %s; echo %s) | xargs showargs x" % (w1, w2, w3)
    out = shell(command, timeout=60)[command]
    not_implemented("xargs", out)
    want = ["argc=3", "showargs", "x", "%s %s" % (w1, w2),
            "argc=3", "showargs", "x", w3]
    if lines(out) != want:
        raise TestFailure("%r printed:\n%s\nexpected (showargs prints argc, "
                          "then one argument a line):\n%s\nxargs must run "
                          "the command once per line, each run to its end, "
                          "with the whole line as one more argument" %
                          (command, show(out), show("\n".join(want))))


@test(3, "xargs: runs in order; a missing command is reported")
def test_xargs_order():
    command = "(echo 1; echo 2; echo 3; echo 4) | xargs echo n"
    out = shell(command, "echo a | xargs nosuch", "xargs", timeout=60)
    not_implemented("xargs", out[command])
    expect_lines(command, out[command], ["n 1", "n 2", "n 3", "n 4"])
    if not re.search(r"nosuch", out["echo a | xargs nosuch"]):
        raise TestFailure("'echo a | xargs nosuch' printed:\n%s\nexpected "
                          "a message naming nosuch" %
                          show(out["echo a | xargs nosuch"]))
    if not re.match(r"^usage: xargs", out["xargs"]):
        raise TestFailure("'xargs' printed:\n%s\nexpected a line starting "
                          "\"usage: xargs\"" % show(out["xargs"]))


@test(4, "xargs: with find and grep")
def test_xargs_find():
    d, b = "x" + random_str(4), "b" + random_str(4)
    word = random_str(8)
    out = shell("mkdir %s %s/s %s/s/t" % (d, d, d),
                "echo %s > %s/%s" % (word, d, b),
                "echo other > %s/s/%s" % (d, b),
                "echo %s > %s/s/t/%s" % (word, d, b),
                "find %s %s | xargs grep %s" % (d, b, word), timeout=60)
    command = "find %s %s | xargs grep %s" % (d, b, word)
    not_implemented("xargs", out[command])
    expect_lines(command, out[command], [word, word])


end_part("xargs")

# ---- timeout ---------------------------------------------------------------


@test(3, "timeout: a quick command runs to its end")
def test_timeout_quick():
    word = random_str(6)
    with r.boot() as m:
        start = time.time()
        command = "timeout 1000 echo %s two" % word
        out = m.run(command, 30)
        not_implemented("timeout", out)
        expect_lines(command, out, [word + " two"])
        if time.time() - start > 8:
            raise TestFailure("%r took %.0f s: timeout must return as soon "
                              "as the command exits, not wait for the time "
                              "limit" % (command, time.time() - start))


@test(4, "timeout: a slow command is killed after the limit")
def test_timeout_kill():
    with r.boot() as m:
        start = time.time()
        try:
            out = m.run("timeout 50 sleep 100000", 30)
        except TimedOut:
            raise TestFailure("'timeout 50 sleep 100000' (half a second) "
                              "was still running after 30 s") from None
        not_implemented("timeout", out)
        if not re.search(r"^timeout: killed sleep after 50 ticks$", out,
                         re.M):
            raise TestFailure("'timeout 50 sleep 100000' printed:\n%s\n"
                              "expected \"timeout: killed sleep after 50 "
                              "ticks\"" % show(out))
        if time.time() - start < 0.4:
            raise TestFailure("'timeout 50 sleep 100000' returned before "
                              "its 50 ticks (0.5 s) had passed")
        # The killed sleep must be gone: its pid slot is reused, and a
        # second run works just the same.
        out = m.run("timeout 10 sleep 100000; echo after", 30)
        if lines(out)[-1:] != ["after"]:
            raise TestFailure("a second timeout run printed:\n%s" % show(out))


@test(1, "timeout: a bad command line")
def test_timeout_usage():
    out = shell("timeout", "timeout 10", "timeout x echo", timeout=60)
    not_implemented("timeout", out["timeout"])
    for command in ("timeout", "timeout 10", "timeout x echo"):
        if not re.match(r"^usage: timeout", out[command]):
            raise TestFailure("%r printed:\n%s\nexpected a line starting "
                              "\"usage: timeout\"" %
                              (command, show(out[command])))


end_part("timeout")

# ---- hand-in ---------------------------------------------------------------


@test(1, "handin: time.txt")
def test_time():
    check_time()


@test(1, "handin: answers-util.txt")
def test_answers():
    check_answers("answers-util.txt")


end_part("handin")

run_tests()
