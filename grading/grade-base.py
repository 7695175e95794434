#!/usr/bin/env python3
"""The grader of the base system: `make grade` runs it.

Every test boots a fresh guest from a pristine copy of fs.img, types at
the shell and checks the answers.  The parts:

  boot       the banner for several machine sizes; every hart reaching the
             scheduler (a breakpoint through QEMU's gdb stub)
  shell      pipes, redirection, lists, groups, background jobs, cd,
             quoting, scripts, line editing, Ctrl-C, Ctrl-P
  programs   each program in /bin: its normal use, and its message for
             bad arguments or a missing file; a faulting program is killed
             with a message and the shell lives on; stress and fuzz make
             random system calls on four harts and check every result
  usertests  `usertests -q` once, then one test per area of it
  halt       powering off, and files written before it surviving a reboot
  disk       damaged images (made on the host with grading/fsimage.py) and a
             disk that fails reads or writes: the operation fails with EIO,
             the damage does not spread (mkfs/fsck checks the image after),
             and orphans are freed at the next boot

Run `python3 grading/grade-base.py -h` for the options (filters, -v, -j).
"""

import os
import re
import shutil
import subprocess
import tempfile
import time

import fsimage
from gradelib import (BANNER, ROOT, TIMEOUT_SCALE, Panicked, Runner,
                      TestFailure, TimedOut, assert_equal, assert_lines_match,
                      end_part, pristine_image, run_tests,
                      shell_script, test)

r = Runner()
ENOENT = "no such file or directory"


def shell(*commands, **boot):
    """Run commands at the prompt of a fresh guest; return a dict of what
    each printed (the last run of a command repeated)."""
    r.run_qemu(shell_script(commands), **boot)
    return dict(r.outputs)


def lines(text):
    """text's lines, trailing blanks dropped."""
    return [line.rstrip() for line in text.splitlines()]


def check_banner(cpus, mem, mib):
    """Boot with cpus harts and mem of RAM; check the banner says so."""
    r.run_qemu(shell_script([]), cpus=cpus, mem=mem)
    m = re.search(BANNER, r.qemu.output, re.M)
    if m is None:
        raise TestFailure("no boot banner matching " + BANNER)
    harts, ram, free, timer = int(m[1]), int(m[2]), int(m[3]), m[4]
    assert_equal(harts, cpus, "harts in the banner")
    assert_equal(ram, mib, "MiB of RAM in the banner")
    if not 0 < free < ram:
        raise TestFailure("free memory %d MiB is not between 0 and %d" %
                          (free, ram))
    assert_equal(timer, "sstc", "timer in the banner")
    r.match(r"^init: starting sh$")


# ---- boot ------------------------------------------------------------------


@test(4, "boot: banner for 3 harts, 128 MiB")
def test_banner():
    check_banner(3, "128M", 128)


@test(2, "boot: banner for 1 hart, 128 MiB")
def test_banner_one_hart():
    check_banner(1, "128M", 128)


@test(2, "boot: banner for 8 harts, 1 GiB")
def test_banner_big():
    check_banner(8, "1G", 1024)


@test(2, "boot: every hart enters the scheduler (gdb breakpoint)")
def test_harts_schedule():
    with r.boot(cpus=3, gdb=True, wait=False) as m:
        m.gdb.breakpoint("scheduler")
        harts = set()
        while len(harts) < 3:
            stop = m.gdb.cont(30)
            assert_equal(stop.pc, m.gdb.address("scheduler"),
                         "pc at the breakpoint")
            harts.add(stop.hart)
        assert_equal(sorted(harts), [0, 1, 2], "harts that stopped")
        m.gdb.detach()
        m.wait_prompt()


end_part("boot")

# ---- the shell -------------------------------------------------------------


@test(3, "shell: pipes")
def test_pipes():
    out = shell("echo hi | wc", "echo a b c | cat | cat | wc",
                "grep -c rivet README.md", "cat README.md | grep rivet | wc")
    assert_equal(out["echo hi | wc"], "1 1 3\n")
    assert_equal(out["echo a b c | cat | cat | wc"], "1 3 6\n")
    count = out["grep -c rivet README.md"].strip()
    assert_equal(out["cat README.md | grep rivet | wc"].split()[0], count,
                 "lines with 'rivet' counted through a pipe")


@test(3, "shell: redirection")
def test_redirection():
    out = shell("echo hello > f", "echo more >> f", "cat < f", "wc < f",
                "echo new > f", "cat f", "ls > listing", "grep README listing",
                "cat < nosuch", "echo x > nodir/f")
    assert_equal(out["cat < f"], "hello\nmore\n")
    assert_equal(out["wc < f"], "2 2 11\n")
    assert_equal(out["cat f"], "new\n", "'>' truncates")
    assert_lines_match(out["grep README listing"], r"^README\.md\s+file ")
    assert_equal(out["cat < nosuch"], "sh: nosuch: %s\n" % ENOENT)
    assert_equal(out["echo x > nodir/f"], "sh: nodir/f: %s\n" % ENOENT)


@test(3, "shell: lists and groups")
def test_lists():
    out = shell("echo a; echo b", "(echo a; echo b) | wc",
                "(echo x; echo y) > f; cat f", "echo one;",
                "nosuch; echo next")
    assert_equal(out["echo a; echo b"], "a\nb\n")
    assert_equal(out["(echo a; echo b) | wc"], "2 2 4\n")
    assert_equal(out["(echo x; echo y) > f; cat f"], "x\ny\n")
    assert_equal(out["echo one;"], "one\n")
    assert_equal(out["nosuch; echo next"],
                 "sh: nosuch: %s\nnext\n" % ENOENT)


@test(3, "shell: background jobs")
def test_background():
    with r.boot() as m:
        start = time.time()
        m.run("sleep 1000 &")
        if time.time() - start > 5:
            raise TestFailure("the shell waited for a background job")
        assert_equal(m.run("echo after"), "after\n")
        process_listed(m, "sleep")
        assert_equal(m.run("(sleep 100; echo late) & echo early"), "early\n")
        m.expect(r"late\n", 10)          # printed after the prompt
        assert_equal(m.run("echo done"), "done\n")


@test(3, "shell: cd")
def test_cd():
    out = shell("mkdir d", "cd d", "echo x > f", "cd ..", "cat d/f",
                "cd d", "cd", "ls README.md", "cd nosuch", "cd README.md",
                "cd a b", "cd /d", "cat f")
    assert_equal(out["cat d/f"], "x\n")
    assert_lines_match(out["ls README.md"], r"^README\.md\s+file",
                       no=[r"^ls: "])
    assert_equal(out["cd nosuch"], "sh: cd: nosuch: %s\n" % ENOENT)
    assert_equal(out["cd README.md"], "sh: cd: README.md: not a directory\n")
    assert_equal(out["cd a b"], "usage: cd [dir]\n")
    assert_equal(out["cat f"], "x\n", "cd with an absolute path")


@test(2, "shell: quoting, comments, errors")
def test_quoting():
    out = shell("echo 'a | b' \"c;d\"", "echo hi # a comment", "nosuch",
                "echo (", "echo a |", "| wc", "/bin/echo full path")
    assert_equal(out["echo 'a | b' \"c;d\""], "a | b c;d\n")
    assert_equal(out["echo hi # a comment"], "hi\n")
    assert_equal(out["nosuch"], "sh: nosuch: %s\n" % ENOENT)
    assert_equal(out["echo ("], "sh: syntax error near '('\n")
    assert_equal(out["echo a |"], "sh: syntax error near end of line\n")
    assert_equal(out["| wc"], "sh: syntax error near '|'\n")
    assert_equal(out["/bin/echo full path"], "full path\n")


@test(2, "shell: scripts (sh file, sh < file)")
def test_script():
    out = shell("echo 'echo from script; echo two | wc' > s", "sh s",
                "sh < s", "sh nosuch", "sh a b")
    assert_equal(out["sh s"], "from script\n1 1 4\n")
    # Reading a file on its input, sh shows no prompts.
    assert_equal(out["sh < s"], "from script\n1 1 4\n")
    assert_equal(out["sh nosuch"], "sh: nosuch: %s\n" % ENOENT)
    assert_equal(out["sh a b"], "usage: sh [file]\n")


@test(2, "console: line editing and Ctrl-D")
def test_line_editing():
    with r.boot() as m:
        m.send("echo wrong\x15echo rigx\x7fht\n")  # Ctrl-U, backspace
        m.expect(r"^right$")
        m.wait_prompt()
        m.send("cat\n")
        time.sleep(0.3)
        m.send("hello\n")
        m.expect(r"^hello\nhello$")               # the echo, then cat
        m.send("\x04")                            # Ctrl-D: end of input
        m.wait_prompt()


@test(2, "console: an over-long line keeps its end")
def test_long_line():
    # 205 characters do not fit the 128-byte input buffer.  What does not
    # fit is dropped, but the Enter still ends the line, so echo prints the
    # x's that fit and the next command runs on its own.
    with r.boot() as m:
        m.send("echo " + "x" * 200 + "\n")
        m.expect(r"^x{100,127}$")
        m.wait_prompt()
        m.send("echo next\n")
        m.expect(r"^next$")
        m.wait_prompt()


@test(2, "console: lines from processes on several harts do not mix")
def test_console_writes_whole():
    # Four scripts of 16 echoes each, one letter each, run at once on
    # four harts.  echo writes its word in one write(), so every run of a
    # letter on the console must be a whole word: exactly 60 letters.
    with r.boot(cpus=4) as m:
        for letter in "ABCD":
            name = letter.lower()
            m.run("echo 'echo %s' > %s1" % (letter * 60, name))
            for n in (1, 2, 4, 8):
                m.run("cat %s%d %s%d > %s%d" % (name, n, name, n, name, 2 * n))
        mark = len(m.output)
        # All four in the background: the prompt comes back at once, and
        # may land in the middle of the output, so wait for the letters.
        m.send("sh a16 & sh b16 & sh c16 & sh d16 &\n")
        limit = time.time() + 60 * TIMEOUT_SCALE
        while (len(re.findall(r"[ABCD]", m.output[mark:])) < 64 * 60 and
               time.time() < limit):
            time.sleep(0.2)
        time.sleep(0.5)
        out = m.output[mark:]
    runs = [len(run) for run in re.findall(r"A+|B+|C+|D+", out)]
    broken = [n for n in runs if n != 60]
    if broken or len(runs) < 64:
        raise TestFailure("%d words of 60 letters were written, one write() "
                          "each; on the console %d runs of one letter are "
                          "not 60 long (lengths: %s): writes from different "
                          "processes mixed" % (64, len(broken), broken[:10]))


def ctrl_p(m):
    """Press Ctrl-P; return the process listing it prints (after the
    listing has had half a second to arrive)."""
    m.send("\x10")
    m.expect(r"^\s*pid state")
    time.sleep(0.5)
    m.mark = len(m.output)
    return m.output[m.output.rfind("pid state"):]


def process_listed(m, name, tries=10):
    """Press Ctrl-P until a process called name is listed (a job just
    started may not have run yet); return its pid."""
    for _ in range(tries):
        listing = ctrl_p(m)
        found = re.search(r"^\s*(\d+) \S+\s+\S+\s+%s(\s.*)?$" % name,
                          listing, re.M)
        if found:
            return int(found[1])
    raise TestFailure("Ctrl-P did not list a process %s:\n%s" %
                      (name, listing))


@test(2, "console: Ctrl-P lists processes; kill ends one")
def test_ctrl_p_kill():
    with r.boot() as m:
        m.run("sleep 1000 &")
        pid = process_listed(m, "sleep")
        assert_lines_match(ctrl_p(m), r"^\s*1 \S+\s+\S+\s+init(\s.*)?$",
                           r"^\s*2 \S+\s+\S+\s+sh(\s.*)?$")
        assert_equal(m.run("kill %d" % pid), "")
        time.sleep(0.5)
        listing = ctrl_p(m)
        if re.search(r"^\s*%d " % pid, listing, re.M):
            raise TestFailure("process %d is still listed after kill:\n%s" %
                              (pid, listing))
        assert_equal(m.run("echo alive"), "alive\n")


@test(2, "console: Ctrl-P says what each sleeping process waits for")
def test_ctrl_p_waits():
    with r.boot() as m:
        m.run("sleep 1000 &")
        m.run("sleep 1000 | cat &")
        process_listed(m, "cat")
        # sleep(1000) wakes at every tick to look at the clock, so one
        # listing in a while catches it runnable: up to five are taken.
        waits = (r"^\s*1 sleep\s+-\s+init\s+a child to exit \(wait\)$",
                 r"^\s*2 sleep\s+-\s+sh\s+console 0x[0-9a-f]+$",
                 r"^\s*\d+ sleep\s+-\s+sleep\s+time to pass \(sleep\)$",
                 r"^\s*\d+ sleep\s+-\s+cat\s+pipe 0x[0-9a-f]+$")
        for _ in range(5):
            listing = ctrl_p(m)
            if all(re.search(w, listing, re.M) for w in waits):
                break
        assert_lines_match(listing, *waits)


def ctrl_c(m, command, settle=1.0):
    """Type command, give it settle seconds to start, press Ctrl-C, and
    wait for the prompt; return what the command printed (the ^C echo
    included)."""
    start = m.mark
    m.send(command + "\n")
    time.sleep(settle)
    m.send("\x03")
    try:
        m.expect(r"\^C\n", timeout=30)
        m.wait_prompt(timeout=30)
    except TimedOut:
        raise TestFailure("after %r and Ctrl-C, no prompt came back in 30 s: "
                          "the foreground job was not stopped (is it in the "
                          "console's foreground group?)" % command) from None
    return m.output[start:m.mark]


def expect_gone(m, names):
    """Fail if Ctrl-P lists a process called one of names."""
    time.sleep(0.5)
    listing = ctrl_p(m)
    for name in names:
        if re.search(r"^\s*\d+ \S+\s+\S+\s+%s(\s.*)?$" % name, listing, re.M):
            raise TestFailure("after Ctrl-C, %s is still running:\n%s" %
                              (name, listing))


@test(2, "console: Ctrl-C stops a program in an endless loop, not the shell")
def test_ctrl_c_loop():
    with r.boot() as m:
        out = ctrl_c(m, "spin")
        assert_lines_match(out, r"^\^C$")
        expect_gone(m, ["spin"])
        assert_equal(m.run("echo alive"), "alive\n")


@test(2, "console: Ctrl-C stops every process of a pipeline, and the rest of the line")
def test_ctrl_c_pipeline():
    with r.boot() as m:
        ctrl_c(m, "spin | spin | cat")
        expect_gone(m, ["spin", "cat"])
        out = ctrl_c(m, "cat; echo after")
        if re.search(r"^after$", out, re.M):
            raise TestFailure("after Ctrl-C stopped cat, the shell still ran "
                              "'echo after':\n%s" % out)


@test(2, "console: Ctrl-C stops a program blocked reading the console")
def test_ctrl_c_read():
    with r.boot() as m:
        ctrl_c(m, "cat")
        expect_gone(m, ["cat"])
        ctrl_c(m, "sh")          # a shell run from the shell, at its prompt
        ctrl_c(m, "cat")         # ... and a program it runs
        assert_equal(m.run("echo inner"), "inner\n")
        m.run("exit")
        assert_equal(m.run("echo alive"), "alive\n")


@test(2, "console: Ctrl-C leaves background jobs, the shell and init alone")
def test_ctrl_c_background():
    with r.boot() as m:
        m.run("spin &")
        pid = process_listed(m, "spin")
        ctrl_c(m, "sleep 1000")
        ctrl_c(m, "", settle=0.2)          # Ctrl-C at the prompt
        listing = ctrl_p(m)
        assert_lines_match(listing, r"^\s*1 \S+\s+\S+\s+init(\s.*)?$",
                           r"^\s*2 \S+\s+\S+\s+sh(\s.*)?$",
                           r"^\s*%d \S+\s+\S+\s+spin(\s.*)?$" % pid)
        if re.search(r"^\s*\d+ \S+\s+\S+\s+sleep(\s.*)?$", listing, re.M):
            raise TestFailure("after Ctrl-C, sleep is still running:\n%s" % listing)
        start = m.mark
        m.send("echo typed\x03")
        m.wait_prompt(timeout=30)
        if re.search(r"^typed$", m.output[start:], re.M):
            raise TestFailure("a line cut short by Ctrl-C was run anyway")
        assert_equal(m.run("kill %d" % pid), "")


@test(2, "console: wait reports that a job was interrupted (spin -w)")
def test_ctrl_c_status():
    with r.boot() as m:
        out = ctrl_c(m, "spin -w", settle=1.5)
        assert_lines_match(out, r"^spin: child \d+ spins; Ctrl-C stops it$",
                           r"^spin: child \d+ was interrupted \(exit status -2\)$")


end_part("shell")

# ---- the programs ----------------------------------------------------------


def usage_line(program):
    return r"^usage: %s( .*)?$" % program


@test(2, "echo: words, -n, nothing")
def test_echo():
    out = shell("echo hello   world", "echo -n ab | wc", "echo")
    assert_equal(out["echo hello   world"], "hello world\n")
    assert_equal(out["echo -n ab | wc"], "0 1 2\n")
    assert_equal(out["echo"], "\n")


@test(2, "cat: files, standard input, errors")
def test_cat():
    out = shell("echo one > a", "echo two > b", "cat a b", "echo in | cat",
                "cat a nosuch b")
    assert_equal(out["cat a b"], "one\ntwo\n")
    assert_equal(out["echo in | cat"], "in\n")
    assert_equal(out["cat a nosuch b"],
                 "one\ncat: nosuch: %s\ntwo\n" % ENOENT)


@test(2, "grep: -c -n -v, standard input, errors")
def test_grep():
    out = shell("echo apple > f; echo banana >> f; echo cherry >> f",
                "grep an f", "grep -n e f", "grep -v a f", "grep -c a f",
                "cat f | grep rr", "grep a f f", "grep", "grep -x a f",
                "grep a nosuch")
    assert_equal(out["grep an f"], "banana\n")
    assert_equal(out["grep -n e f"], "1:apple\n3:cherry\n")
    assert_equal(out["grep -v a f"], "cherry\n")
    assert_equal(out["grep -c a f"], "2\n")
    assert_equal(out["cat f | grep rr"], "cherry\n")
    assert_equal(out["grep a f f"], "f:apple\nf:banana\nf:apple\nf:banana\n")
    assert_lines_match(out["grep"], usage_line("grep"))
    assert_lines_match(out["grep -x a f"], usage_line("grep"))
    assert_equal(out["grep a nosuch"], "grep: nosuch: %s\n" % ENOENT)


@test(2, "head: -n, default length, errors")
def test_head():
    out = shell("cat README.md | head -n 3 | wc", "head README.md | wc",
                "head -n 2 README.md", "head -n x", "head -q", "head nosuch")
    assert_equal(len(lines(out["head -n 2 README.md"])), 2)
    assert_equal(out["cat README.md | head -n 3 | wc"].split()[0], "3")
    assert_equal(out["head README.md | wc"].split()[0], "10")
    assert_lines_match(out["head -n x"], usage_line("head"))
    assert_lines_match(out["head -q"], usage_line("head"))
    assert_equal(out["head nosuch"], "head: nosuch: %s\n" % ENOENT)


@test(2, "wc: counts, totals, errors")
def test_wc():
    out = shell("echo hello world > f", "wc f", "wc f f", "echo a b | wc",
                "wc nosuch")
    assert_equal(out["wc f"], "1 2 12 f\n")
    assert_equal(out["wc f f"], "1 2 12 f\n1 2 12 f\n2 4 24 total\n")
    assert_equal(out["echo a b | wc"], "1 2 4\n")
    assert_equal(out["wc nosuch"], "wc: nosuch: %s\n" % ENOENT)


@test(2, "ls: directories, files, errors")
def test_ls():
    out = shell("ls", "ls /bin", "ls README.md", "ls dev", "ls nosuch")
    assert_lines_match(out["ls"], r"^\.\s+dir\s", r"^\.\.\s+dir\s",
                       r"^README\.md\s+file\s+\d+\s+\d+$", r"^bin\s+dir\s",
                       r"^dev\s+dir\s")
    assert_lines_match(out["ls /bin"], r"^sh\s+file\s", r"^ls\s+file\s",
                       r"^init\s+file\s")
    assert_lines_match(out["ls README.md"], r"^README\.md\s+file\s+\d+\s+\d+$")
    assert_lines_match(out["ls dev"], r"^console\s+dev\s")
    assert_equal(out["ls nosuch"], "ls: nosuch: %s\n" % ENOENT)


@test(2, "mkdir: new directories, errors")
def test_mkdir():
    out = shell("mkdir a b", "ls a", "mkdir", "mkdir a", "mkdir x/y")
    assert_lines_match(out["ls a"], r"^\.\s+dir\s", r"^\.\.\s+dir\s")
    assert_lines_match(out["mkdir"], usage_line("mkdir"))
    assert_equal(out["mkdir a"], "mkdir: a: file exists\n")
    assert_equal(out["mkdir x/y"], "mkdir: x/y: %s\n" % ENOENT)


@test(2, "rm: files, errors")
def test_rm():
    out = shell("echo x > f", "rm f", "cat f", "mkdir d", "echo y > d/g",
                "rm d", "rm d/g d", "ls d", "rm", "rm nosuch")
    assert_equal(out["rm f"], "")
    assert_equal(out["cat f"], "cat: f: %s\n" % ENOENT)
    assert_equal(out["rm d"], "rm: d: directory not empty\n")
    assert_equal(out["rm d/g d"], "")
    assert_equal(out["ls d"], "ls: d: %s\n" % ENOENT)
    assert_lines_match(out["rm"], usage_line("rm"))
    assert_equal(out["rm nosuch"], "rm: nosuch: %s\n" % ENOENT)


@test(2, "ln: links, errors")
def test_ln():
    out = shell("echo data > f", "ln f g", "rm f", "cat g", "ln g g2",
                "ls g g2", "ln", "ln nosuch x", "ln g g2")
    assert_equal(out["cat g"], "data\n", "a link outlives the old name")
    inodes = {line.split()[2] for line in lines(out["ls g g2"])}
    assert_equal(len(inodes), 1, "inode numbers of two links")
    assert_lines_match(out["ln"], usage_line("ln"))
    assert_equal(out["ln nosuch x"], "ln: x -> nosuch: %s\n" % ENOENT)
    assert_equal(out["ln g g2"], "ln: g2 -> g: file exists\n")


@test(2, "kill: errors")
def test_kill():
    out = shell("kill", "kill abc", "kill 999", "kill 0")
    assert_lines_match(out["kill"], usage_line("kill"))
    assert_equal(out["kill abc"], "kill: abc: not a process id\n")
    assert_equal(out["kill 999"], "kill: 999: no such process\n")
    assert_equal(out["kill 0"], "kill: 0: no such process\n")


@test(2, "sleep: waits, errors")
def test_sleep():
    with r.boot() as m:
        start = time.time()
        assert_equal(m.run("sleep 50"), "")
        took = time.time() - start
        if took < 0.4:
            raise TestFailure("sleep 50 (0.5 s) returned after %.2f s" % took)
        assert_lines_match(m.run("sleep"), usage_line("sleep"))
        assert_lines_match(m.run("sleep x"), usage_line("sleep"))
        assert_lines_match(m.run("sleep 1 2"), usage_line("sleep"))


@test(1, "true: prints nothing")
def test_true():
    out = shell("true", "true | wc")
    assert_equal(out["true"], "")
    assert_equal(out["true | wc"], "0 0 0\n")


@test(3, "crash: a faulting program is killed with a message")
def test_crash():
    causes = [("null", "load page fault", "0x0000000000000000"),
              ("text", "store page fault", None),
              ("kernel", "load page fault", "0x0000000080200000"),
              ("illegal", "illegal instruction", None),
              ("fpu", "illegal instruction", None),
              ("csr", "illegal instruction", None),
              ("stack", "store page fault", None)]
    commands = ["crash " + how for how, _, _ in causes] + ["crash oom"]
    out = shell("crash", *commands, "crash nosuch", "echo alive")
    out["crash null"] = out["crash"]        # null is what crash does unasked
    for how, cause, addr in [("null",) + causes[0][1:]] + causes:
        if cause == "illegal instruction":   # stval holds the instruction
            what = r"illegal instruction 0x[0-9a-f]{8}"
        else:
            what = r"%s at address %s" % (cause, addr or "0x[0-9a-f]{16}")
        assert_lines_match(
            out["crash " + how],
            r"^pid \d+ crash: %s, pc 0x[0-9a-f]{16}: killed$" % what,
            no=[r".*still alive"])
    assert_lines_match(
        out["crash oom"],
        r"^pid \d+ crash: out of memory for a page at address "
        r"0x[0-9a-f]{16}, pc 0x[0-9a-f]{16}: killed$", no=[r".*still alive"])
    assert_lines_match(out["crash nosuch"], usage_line("crash"))
    assert_equal(out["echo alive"], "alive\n")


@test(1, "showargs: exec passes every argument")
def test_showargs():
    out = shell("showargs a '' 'b c'", "showargs")
    assert_equal(out["showargs a '' 'b c'"], "argc=4\nshowargs\na\n\nb c\n")
    assert_equal(out["showargs"], "argc=1\nshowargs\n")


@test(1, "bench: measures a kernel path")
def test_bench():
    out = shell("bench getpid")
    assert_lines_match(out["bench getpid"],
                       r"^getpid\s+[\d.]+ instructions/call")


@test(2, "forktest: fork fails cleanly when processes run out")
def test_forktest():
    out = shell("forktest")
    assert_lines_match(out["forktest"], r"^forktest: \d+ children, then fork "
                       r"failed: ", r"^fork test OK$")


@test(2, "stressfs: concurrent file writers")
def test_stressfs():
    out = shell("stressfs")
    assert_lines_match(out["stressfs"], r"^stressfs OK$",
                       no=[r".*FAILED", r"^stressfs: "])


@test(2, "stress: random system calls on four harts; nothing leaks",
      timeout=150)
def test_stress():
    with r.boot(cpus=4) as m:
        out = m.run("stress 10", timeout=120)
    assert_lines_match(out, r"^stress: \d+ workers for 10 seconds$",
                       r"^stress: \d+ operations: OK$",
                       no=[r".*FAILED", r"^stress: worker", r"^stress: leaked"])


# 10 to 25 seconds here, on four harts or one (it waits for the disk more
# than for the harts).  Any seed must pass.
FUZZ = "fuzz -s 2024 -n 5000 -p 4"


@test(3, "fuzz: seeded random system calls on four harts, all checked",
      timeout=300)
def test_fuzz():
    with r.boot(cpus=4) as m:
        try:
            out = m.run(FUZZ, timeout=240)
        except Panicked as e:
            raise Panicked("the kernel panicked during `%s` (%s); the "
                           "backtrace is in the console below, and the "
                           "same command in `make qemu` repeats the run"
                           % (FUZZ, e)) from None
        except TimedOut as e:
            try:
                ctrl_p(m)       # the process list, for the console below
            except TimedOut:
                pass
            raise TimedOut("`%s` did not finish (%s): a call hangs, or a "
                           "wakeup is lost; the console below ends with the "
                           "processes then (Ctrl-P)" % (FUZZ, e)) from None
        m.halt()
        status, problems = fsck(m.image)
    summary = re.search(r"^fuzz: seed \d+, \d+ procs x \d+ calls: (.*)$",
                        out, re.M)
    if summary is None:
        raise TestFailure("`%s` printed no summary line (is user/fuzz.c "
                          "missing?); it printed:\n%s" % (FUZZ, out[-2000:]))
    if summary.group(1) == "OK":
        if status != 0:
            raise TestFailure(
                "after `%s`, mkfs/fsck finds the file system damaged (look at "
                "the calls that change it, and their error paths):\n  %s" %
                (FUZZ, "\n  ".join(problems)))
        return
    calls = re.findall(r"^fuzz: (?:worker|to repeat).*$", out, re.M)
    raise TestFailure(
        "fuzz found system calls that misbehaved.  Each 'worker' line names "
        "a call, its arguments, what it returned and what is allowed "
        "(book/appendix-a-syscalls.md); the line after it repeats that "
        "worker's calls alone in `make qemu`.  'not given back' counts "
        "memory, blocks, inodes or processes a call leaked: look at its "
        "error paths.\n" + "\n".join(calls + [summary.group(0)]))


@test(1, "zombie: an exited child is reaped")
def test_zombie():
    with r.boot() as m:
        assert_equal(m.run("zombie"), "")
        time.sleep(0.3)
        listing = ctrl_p(m)
        if "zombie" in listing:
            raise TestFailure("a zombie is left:\n" + listing)
        assert_equal(m.run("echo alive"), "alive\n")


end_part("programs")

# ---- usertests -------------------------------------------------------------

# Each area of usertests is one graded test: its name prefixes and points.
USERTESTS_AREAS = [
    ("user pointers", 3, ("uptr_",)),
    ("memory", 3, ("mem_", "sbrk_", "lazy_", "malloc_")),
    ("processes", 4, ("proc_",)),
    ("exec", 2, ("exec_",)),
    ("pipes", 3, ("pipe_",)),
    ("files and directories", 4, ("file_", "dir_", "fd_", "fs_")),
    ("console, devices, time", 2, ("console_", "dev_", "time_", "sysinfo_")),
    ("no leaks", 1, ("leak_",)),
]


@test(2, "usertests -q: runs to the end", timeout=300)
def test_usertests():
    with r.boot() as m:
        out = m.run("usertests -q", timeout=240)
    if re.search(r"^sh: usertests: ", out, re.M):
        raise TestFailure("/bin/usertests is not on the disk image "
                          "(is user/usertests.c missing?)")
    assert_lines_match(out, r"^\d+ passed, \d+ failed$",
                       r"^(ALL TESTS PASSED|SOME TESTS FAILED)$",
                       ordered=True)


def usertests_results():
    """(name, "OK" or "FAILED: why") for each test usertests reported."""
    return re.findall(r"^test (\S+): (OK|FAILED.*)$", r.qemu.output, re.M)


def in_area(name, prefixes):
    """Is usertest name in the area of prefixes?  No prefixes: the area
    of the tests no other area claims."""
    if prefixes:
        return name.startswith(prefixes)
    return not any(name.startswith(p)
                   for _, _, ps in USERTESTS_AREAS for p in ps)


def usertests_area(prefixes):
    """A test function checking the usertests of one area."""
    def check():
        ours = [(name, result) for name, result in usertests_results()
                if in_area(name, prefixes)]
        if prefixes and not ours:
            raise TestFailure("usertests reported no test named %s*" %
                              "* or ".join(prefixes))
        failed = ["test %s: %s" % (n, res) for n, res in ours if res != "OK"]
        if failed:
            raise TestFailure("\n".join(failed))
    return check


for _title, _points, _prefixes in USERTESTS_AREAS + [("other", 1, ())]:
    test(_points, "usertests: " + _title,
         parent=test_usertests)(usertests_area(_prefixes))

end_part("usertests")

# ---- halt ------------------------------------------------------------------


@test(2, "halt: powers off cleanly")
def test_halt():
    with r.boot() as m:
        assert_lines_match(m.run("halt now"), usage_line("halt"))
        assert_equal(m.halt(), 0, "QEMU's exit status")
    r.match(r"^rivet: powering off$")


@test(2, "halt: files written before it survive a reboot")
def test_halt_persists():
    saved = tempfile.mkdtemp(prefix="rivet-image-")
    try:
        with r.boot() as m:
            m.run("mkdir keep; echo kept > keep/f")
            assert_equal(m.halt(), 0, "QEMU's exit status")
            shutil.copyfile(m.image, os.path.join(saved, "fs.img"))
        with r.boot(image=os.path.join(saved, "fs.img")) as m:
            assert_equal(m.run("cat keep/f"), "kept\n")
    finally:
        shutil.rmtree(saved, ignore_errors=True)


end_part("halt")


# ---- damaged and failing disks ----------------------------------------------

EIO = "input/output error"


class ImageCopy:
    """A private copy of the pristine image, to damage on the host and
    boot; removed at the end of a `with` block."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="rivet-disk-")
        self.path = os.path.join(self.dir, "fs.img")
        shutil.copyfile(pristine_image(), self.path)
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)

    def change(self, fn):
        """Apply fn(fsimage.Image) to the copy and save it."""
        img = fsimage.Image(self.path)
        fn(img)
        img.save()

    def take(self, m):
        """Make the copy what guest m left on its disk."""
        shutil.copyfile(m.image, self.path)


def fsck(path):
    """mkfs/fsck -n on an image: (exit status, its problem lines)."""
    p = subprocess.run([os.path.join(ROOT, "mkfs", "fsck"), "-n", path],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    return p.returncode, [l for l in p.stdout.splitlines()
                          if l and not l.startswith(path + ":")]


def expect_fsck_clean(path, when):
    """fsck must find nothing wrong on the image path, after `when`."""
    status, problems = fsck(path)
    if status != 0:
        raise TestFailure("fsck after %s:\n  %s" % (when, "\n  ".join(problems)))


def expect_same_problems(path, before, what):
    """fsck must find on the image what it found before the guest ran:
    the planted damage, and nothing the kernel made of it."""
    status, after = fsck(path)
    new = [p for p in after if p not in before]
    if new:
        raise TestFailure("%s: the damage spread; fsck now also finds:\n  %s" %
                          (what, "\n  ".join(new)))


@test(2, "disk: a block pointer into the inode table is refused")
def test_disk_bad_pointer():
    with ImageCopy() as img:
        def plant(i):
            ino = i.inode(i.lookup("/README.md"))
            ino["addrs"][0] = i.inodestart
            i.set_inode(i.lookup("/README.md"), ino)
        img.change(plant)
        inum = fsimage.Image(img.path).lookup("/README.md")
        planted = fsck(img.path)[1]
        with r.boot(image=img.path) as m:
            assert_lines_match(m.run("cat README.md"),
                               r"^cat: README.md: %s$" % EIO)
            assert_lines_match(m.run("echo more >> README.md"),
                               r"^sh: README.md: %s$" % EIO)
            assert_equal(m.run("echo ok > f; cat f"), "ok\n")
            r.match(r"^fs: damaged: inode %d: a block pointer is outside "
                    r"the data region$" % inum)
            m.halt()
            img.take(m)
        expect_same_problems(img.path, planted, "a pointer into the inode table")


@test(1, "disk: a directory of partial entries is refused")
def test_disk_partial_directory():
    with ImageCopy() as img:
        with r.boot(image=img.path) as m:
            m.run("mkdir d; echo hi > d/f")
            m.halt()
            img.take(m)
        def plant(i):
            ino = i.inode(i.lookup("/d"))
            ino["size"] -= 3
            i.set_inode(i.lookup("/d"), ino)
        img.change(plant)
        with r.boot(image=img.path) as m:
            assert_lines_match(m.run("cat d/f"), r"^cat: d/f: %s$" % EIO)
            r.match(r"^fs: damaged: inode \d+: it is a directory that ends "
                    r"in part of an entry$")


@test(2, "disk: a directory with two parents is not freed through one")
def test_disk_two_parents():
    with ImageCopy() as img:
        with r.boot(image=img.path) as m:
            m.run("mkdir a b a/x")
            m.halt()
            img.take(m)
        img.change(lambda i: i.add_entry(i.lookup("/b"), "x", i.lookup("/a/x")))
        with r.boot(image=img.path) as m:
            assert_lines_match(m.run("rm b/x"), r"^rm: b/x: %s$" % EIO)
            r.match(r"^fs: damaged: directory \d+ is named in directory \d+ "
                    r"but its \"..\" is \d+$")
            if len(lines(m.run("ls a/x"))) != 2:
                raise TestFailure("ls a/x does not list . and ..")
            m.halt()
            img.take(m)
        x = fsimage.Image(img.path).lookup("/a/x")
        if fsimage.Image(img.path).inode(x)["type"] != fsimage.T_DIR:
            raise TestFailure("a/x was freed through its second parent")


@test(2, "disk: a named inode with no links is not freed by reading it")
def test_disk_no_links():
    with ImageCopy() as img:
        def plant(i):
            ino = i.inode(i.lookup("/README.md"))
            ino["nlink"] = 0
            i.set_inode(i.lookup("/README.md"), ino)
        img.change(plant)
        with r.boot(image=img.path) as m:
            assert_lines_match(m.run("cat README.md"),
                               r"^cat: README.md: %s$" % EIO)
            r.match(r"^fs: damaged: inode \d+ is named but has no links; "
                    r"left for fsck$",
                    r"^fs: damaged: inode \d+: its link count is below 1$")
            m.halt()
            img.take(m)
        i = fsimage.Image(img.path)
        if i.inode(i.lookup("/README.md"))["type"] == 0:
            raise TestFailure("reading README.md freed its inode")


@test(2, "disk: a block in use but marked free is not handed out again")
def test_disk_bitmap_disagrees():
    with ImageCopy() as img:
        first = {}
        def plant(i):
            first["block"] = i.inode(i.lookup("/README.md"))["addrs"][0]
            i.set_marked(first["block"], False)
        img.change(plant)
        with r.boot(image=img.path) as m:
            r.match(r"^fs: damaged: block %d of inode \d+ is marked free; "
                    r"marking it in use$" % first["block"])
            m.run("cat README.md > copy; cat README.md > copy2")
            assert_equal(m.run("head -n 1 README.md"), "# rivet\n")
            m.halt()
            img.take(m)
        expect_fsck_clean(img.path, "the boot")


@test(2, "disk: structures that point back at themselves do not hang")
def test_disk_loops():
    # An indirect block listing itself, a log header naming a block twice,
    # and a directory entry naming its own directory: each would have the
    # kernel lock a buffer or an inode it already holds, and wait forever.
    with ImageCopy() as img:
        def plant(i):
            ino = i.inode(i.lookup("/bin/usertests"))
            ind = ino["addrs"][fsimage.NDIRECT]
            if ind == 0:
                raise TestFailure("/bin/usertests has no indirect block")
            blk = bytearray(i.block(ind))
            blk[0:4] = ind.to_bytes(4, "little")
            i.set_block(ind, bytes(blk))
            i.add_entry(fsimage.ROOTINO, "self", fsimage.ROOTINO)
        img.change(plant)
        with r.boot(image=img.path) as m:
            r.match(r"^fs: damaged: inode \d+: indirect block \d+ points back "
                    r"at itself$")
            assert_lines_match(m.run("rm self"), r"^rm: self: %s$" % EIO)
            r.match(r"^fs: damaged: directory 1 holds an entry naming itself$")
            assert_equal(m.run("echo alive"), "alive\n")
    with ImageCopy() as img:
        def plant_log(i):
            data = i.inode(i.lookup("/README.md"))["addrs"][0]
            i.set_log([data, data])
        img.change(plant_log)
        with r.boot(image=img.path) as m:
            r.match(r"^fs: damaged: the log header names a block twice; it is "
                    r"not replayed$")
            assert_equal(m.run("head -n 1 README.md"), "# rivet\n")


@test(2, "disk: a block the disk cannot read fails the read with EIO")
def test_disk_read_error():
    with ImageCopy() as img:
        i = fsimage.Image(img.path)
        block = i.inode(i.lookup("/README.md"))["addrs"][0]
        with r.boot(image=img.path, disk_errors=[("read", block)]) as m:
            assert_lines_match(m.run("cat README.md"),
                               r"^cat: README.md: %s$" % EIO)
            r.match(r"^disk: read of blocks %d\.\.%d failed \(status 1\)$" %
                    (block, block))
            assert_equal(m.run("echo alive"), "alive\n")


@test(3, "disk: a failed write makes the file system read-only")
def test_disk_write_error():
    with ImageCopy() as img:
        i = fsimage.Image(img.path)
        slot = i.logstart + 1          # the first commit writes the log here
        with r.boot(image=img.path, disk_errors=[("write", slot)]) as m:
            assert_lines_match(m.run("echo one > f1"), r"^sh: f1: %s$" % EIO)
            r.match(r"^fs: writing the log failed: the file system is "
                    r"read-only until reboot$")
            # The failed create left nothing behind, even in the cache; and
            # calls that change nothing still succeed, however they overlap.
            assert_lines_match(m.run("ls f1"), r"^ls: f1: %s$" % ENOENT)
            mark = len(m.output)
            m.run("wc README.md & wc README.md & wc README.md & wc README.md")
            time.sleep(1)
            if EIO in m.output[mark:]:
                raise TestFailure("reads failed on the read-only file "
                                  "system:\n" + m.output[mark:])
            assert_lines_match(m.run("echo two > f2"),
                               r"^sh: f2: read-only file system$")
            assert_lines_match(m.run("mkdir d"),
                               r"^mkdir: d: read-only file system$")
            assert_equal(m.run("head -n 1 README.md"), "# rivet\n")
            m.halt()
            img.take(m)
        expect_fsck_clean(img.path, "the failed write")


@test(2, "disk: after a failed commit a file shows what the disk holds, not a freed block's old data")
def test_disk_failed_commit_no_stale_data():
    with ImageCopy() as img:
        with r.boot(image=img.path) as m:
            m.run("echo stale-secret > old")
            m.run("rm old")                   # its block is free, and lowest
            m.run("head -n 0 README.md > f")  # f: empty, no block
            m.halt()
            img.take(m)
        i = fsimage.Image(img.path)
        with r.boot(image=img.path, disk_errors=[("write", i.logstart + 1)]) as m:
            m.run("sleep 10000 < f &")         # keeps f's inode cached
            process_listed(m, "sleep")
            # The append takes old's block for f; its commit fails.
            m.run("echo new >> f")
            r.match(r"^fs: writing the log failed: the file system is "
                    r"read-only until reboot$")
            out = m.run("cat f")
            if out != "":
                raise TestFailure("after the failed commit, cat f printed %r, "
                                  "not nothing: the inode cache still held the "
                                  "size and block pointer that never reached "
                                  "the disk, so f showed the old data of the "
                                  "block on the disk" % out)
            m.halt()


@test(2, "disk: the log is replayed only when every slot matches its checksum")
def test_disk_log_checksums():
    def plant(torn):
        def change(i):
            home = i.inode(i.lookup("/README.md"))["addrs"][0]
            i.set_block(i.logstart + 1, b"# RIVET" + i.block(home)[7:])
            i.set_log([home])
            if torn:        # the slot lost on the way, after its sum
                i.set_block(i.logstart + 1, b"# rivat" + i.block(home)[7:])
        return change
    for torn, first, said in (
            (False, "# RIVET", r"^log: recovered a transaction of 1 blocks$"),
            (True, "# rivet", r"^log: a commit that did not finish is ignored "
                              r"\(slot 0 does not match its checksum\)$")):
        with ImageCopy() as img:
            img.change(plant(torn))
            with r.boot(image=img.path) as m:
                r.match(said)
                got = m.run("head -n 1 README.md").rstrip("\n")
                if got != first:
                    raise TestFailure(
                        "a log whose slot %s its checksum: README.md begins "
                        "%r, expected %r" % ("fails" if torn else "matches",
                                             got, first))
                m.halt()
                img.take(m)
            expect_fsck_clean(img.path, "the boot")


@test(2, "disk: a file's new block holds zeroes past its end, not old data")
def test_disk_no_stale_data():
    with ImageCopy() as img:
        with r.boot(image=img.path) as m:
            m.run("cat README.md README.md > old")
            m.run("rm old")             # its blocks are free, still cached
            m.run("echo new > f")       # takes the first of them again
            m.halt()
            img.take(m)
        i = fsimage.Image(img.path)
        data = i.block(i.inode(i.lookup("/f"))["addrs"][0])
        if data[:4] != b"new\n":
            raise TestFailure("f's first block starts %r, not 'new\\n'" % data[:4])
        if data[4:] != bytes(len(data) - 4):
            first = next(k for k in range(4, len(data)) if data[k] != 0)
            raise TestFailure("f's first block holds old data past the "
                              "file's end, from byte %d: %r (a new block "
                              "must be zeroed unless it is written whole)" %
                              (first, data[first:first + 40]))


@test(3, "disk: a file unlinked while open is freed at the next boot")
def test_disk_orphan():
    with ImageCopy() as img:
        with r.boot(image=img.path) as m:
            m.run("cat README.md README.md > big")
            m.run("sleep 10000 < big &")
            process_listed(m, "sleep")  # it has exec'd: big is open
            m.run("rm big")
            time.sleep(0.5)
            img.take(m)                 # the power fails here
        status, problems = fsck(img.path)
        if status == 0 or not any("orphan" in p for p in problems):
            raise TestFailure("fsck found no orphan after the crash "
                              "(exit %d)" % status)
        with r.boot(image=img.path) as m:
            r.match(r"^fs: freed 1 orphaned inode \(unlinked while open at "
                    r"a crash\)$")
            m.halt()
            img.take(m)
        expect_fsck_clean(img.path, "the next boot")


end_part("disk")

run_tests()
