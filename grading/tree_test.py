#!/usr/bin/env python3
"""Check the shape of the source tree: what the README and the book promise
about where code lives and what it may include.

  - every header in kernel/ and include/ has an include guard named for its
    path, and compiles on its own (it includes what it uses);
  - only kernel/riscv/ and the page-table code (kernel/mem/vm.c) include the
    RISC-V definitions (kernel/riscv/riscv.h), and no kernel file outside
    kernel/riscv/ contains inline assembly: portable code reaches the
    machine through kernel/riscv/machine.h;
  - user programs and mkfs include nothing from kernel/: what they share
    with the kernel is in include/.

Prints one line per check and "N passed, M failed" last.
"""

import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
ISA_HEADER = "kernel/riscv/riscv.h"
ISA_ALLOWED = ("kernel/mem/vm.c",)
HOST_ONLY = ("include/unittest.h",)   # for host unit tests: needs the host libc


def files(*patterns):
    out = []
    for p in patterns:
        out += glob.glob(os.path.join(ROOT, p), recursive=True)
    return sorted(os.path.relpath(f, ROOT) for f in out)


def read(path):
    with open(os.path.join(ROOT, path)) as f:
        return f.read()


def guard_name(path):
    return re.sub(r"[^A-Za-z0-9]", "_", path).upper()


def headers_have_guards():
    bad = []
    for h in files("kernel/**/*.h", "include/*.h"):
        g = guard_name(h)
        text = read(h)
        if not re.search(r"^#ifndef %s\n#define %s\n" % (g, g), text, re.M):
            bad.append("%s: no include guard %s" % (h, g))
    return bad


def headers_compile_alone():
    cc = subprocess.run(["make", "-s", "--no-print-directory", "print-kernel-cc"],
                        cwd=ROOT, stdout=subprocess.PIPE, text=True,
                        check=True).stdout.split()
    cc = [a for a in cc if a not in ("-MD", "-MP")]   # no dependency files
    host = ["cc", "-Wall", "-Werror", "-std=gnu11", "-I."]
    bad = []
    for h in files("kernel/**/*.h", "include/*.h"):
        # Twice, so that a missing or broken guard shows as a redefinition.
        src = '#include "%s"\n#include "%s"\n' % (h, h)
        r = subprocess.run((host if h in HOST_ONLY else cc) + ["-fsyntax-only", "-x", "c", "-"], cwd=ROOT,
                           input=src, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            bad.append("%s does not compile on its own:\n%s" % (h, r.stdout))
    return bad


def portable_code_stays_portable():
    bad = []
    for f in files("kernel/**/*.[chS]", "include/*.[ch]"):
        if f.startswith("kernel/riscv/"):
            continue
        text = read(f)
        if ISA_HEADER in INCLUDE_RE.findall(text) and f not in ISA_ALLOWED:
            bad.append("%s includes %s: use kernel/riscv/machine.h" % (f, ISA_HEADER))
        if f.endswith((".c", ".h")) and re.search(r"\basm\b|__asm__", text):
            bad.append("%s has inline assembly: it belongs in kernel/riscv/" % f)
    return bad


def user_code_uses_only_include():
    bad = []
    for f in files("user/**/*.[chS]", "mkfs/*.[ch]"):
        for inc in INCLUDE_RE.findall(read(f)):
            if inc.startswith("kernel/"):
                bad.append("%s includes %s: share it through include/" % (f, inc))
    return bad


CHECKS = [headers_have_guards, headers_compile_alone,
          portable_code_stays_portable, user_code_uses_only_include]


def main():
    passed = failed = 0
    for check in CHECKS:
        problems = check()
        if problems:
            failed += 1
            print("check %s: FAILED" % check.__name__)
            for p in problems:
                print("    " + p)
        else:
            passed += 1
            print("check %s: OK" % check.__name__)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
