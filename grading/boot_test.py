#!/usr/bin/env python3
"""End-to-end check: boot the system and use the shell as a new user would.

Prints one line per check and ends with "N passed, M failed".  Exit
status 0 only when every check passed.
"""

import re
import sys
import time
import traceback

from qemu import Machine, Panic, Timeout

BANNER = r"rivet: (\d+) harts?, (\d+) MiB RAM"
checks = []


def check(fn):
    checks.append(fn)
    return fn


def boot(cpus=3, mem="128M"):
    m = Machine(cpus=cpus, mem=mem)
    m.expect(BANNER, timeout=60)
    m.expect(r"^\$ ", timeout=60)
    return m


def expect_in(out, pattern):
    if not re.search(pattern, out, re.M):
        raise AssertionError("expected %r in:\n%s" % (pattern, out))


@check
def banner_sizes():
    for cpus, mem, mib in ((1, "128M", 128), (8, "1G", 1024)):
        with Machine(cpus=cpus, mem=mem) as m:
            b = m.expect(BANNER, timeout=60)
            assert int(b.group(1)) == cpus, b.group(0)
            assert int(b.group(2)) == mib, b.group(0)
            m.expect(r"^\$ ", timeout=60)


@check
def shell_session():
    with boot() as m:
        expect_in(m.run("echo hi | wc"), r"^\s*1\s+1\s+3\s*$")
        expect_in(m.run("cat README.md | grep -c the"), r"^\d+\s*$")
        m.run("ls > out")
        expect_in(m.run("cat out"), r"^README\.md\s")
        out = m.run("mkdir d; cd d; echo x > f; cat f; cd ..")
        expect_in(out, r"^x\s*$")
        expect_in(m.run("(echo a; echo b) | cat"), r"^a\s*\nb\s*$")
        expect_in(m.run("nosuch"), r"sh: nosuch: no such file or directory")
        m.run("sleep 10 &")
        expect_in(m.run("echo after"), r"^after\s*$")
        out = m.run("crash")
        expect_in(out, r"pid \d+ crash: load page fault at address 0x0+, pc 0x[0-9a-f]+: killed")
        expect_in(m.run("echo alive"), r"^alive\s*$")
        m.send("halt\n")
        assert m.wait_exit(30) == 0


@check
def line_editing():
    with boot() as m:
        m.send("echo wrong\x15echo rigx\x7fht\n")
        m.expect(r"^right\s*$")
        m.expect(r"^\$ ")
        m.send("cat\n")
        time.sleep(0.5)
        m.send("hello\n")
        m.expect(r"^hello\s*$")
        m.send("\x04")
        m.expect(r"^\$ ")


@check
def ctrl_p_and_kill():
    with boot() as m:
        m.send("sleep 1000 &\n")
        m.expect(r"^\$ ")
        m.send("\x10")
        pid = int(m.expect(r"^\s*(\d+) sleep\s+-\s+sleep\s*$").group(1))
        m.expect(r"")
        m.run("kill %d" % pid)
        time.sleep(0.5)
        m.send("\x10")
        m.expect(r"pid state")
        time.sleep(0.5)
        assert not re.search(r"^\s*%d " % pid, m.output[m.mark:], re.M)


def main():
    passed = failed = 0
    for fn in checks:
        start = time.time()
        try:
            fn()
            passed += 1
            print("check %s: OK (%.1fs)" % (fn.__name__, time.time() - start))
        except (AssertionError, Timeout, Panic) as e:
            failed += 1
            print("check %s: FAILED (%.1fs)\n%s" % (fn.__name__, time.time() - start, e))
        except Exception:
            failed += 1
            print("check %s: FAILED\n%s" % (fn.__name__, traceback.format_exc()))
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
