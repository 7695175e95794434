#!/usr/bin/env python3
"""Turn a kernel panic's backtrace into source lines, on the host.

A panic ends with the calls that led to it, innermost first, each as the
address of the call and the function it is in (kernel/lib/printf.c):

    panic: kernel trap: load page fault at address 0x0, pc 0x80201a2c ...
    hart 1, sh
    backtrace:
      0x0000000080206398 kerneltrap+0x5a
      0x00000000802071b4 kernelvec+0x70

Give this script the panic, pasted on standard input or in a file (the
whole console is fine: it finds the panic in it), or give it addresses:

    python3 kernel/lib/backtrace.py < console.txt
    python3 kernel/lib/backtrace.py console.txt
    python3 kernel/lib/backtrace.py 0x80206398 0x802071b4

For the faulting pc of a kernel trap and for each frame it prints the
source file, line and function, using addr2line on kernel/kernel (or the
kernel given with --kernel), which must be the kernel that panicked.
Where the compiler inlined a function into its caller, a frame has one
line per level, innermost first.  A frame printed as name+offset is
checked against the kernel's symbols, so a kernel rebuilt since the panic
is reported instead of silently giving wrong lines.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Tool prefixes tried in order, as the Makefile does; "" is the host's own
# binutils, whose addr2line reads any ELF file's line tables.
PREFIXES = ("riscv64-unknown-elf-", "riscv64-elf-", "riscv64-linux-gnu-",
            "riscv64-unknown-linux-gnu-", "")

FRAME_RE = re.compile(
    r"^\s*(?:#\d+\s+)?(?P<addr>0x[0-9a-fA-F]+)"
    r"(?:\s+(?P<name>[A-Za-z_.$][\w.$]*)\+(?P<off>0x[0-9a-fA-F]+))?\s*$")
TRAP_PC_RE = re.compile(r"^panic: .*\bpc (0x[0-9a-fA-F]+)")


class Frame:
    """One address to resolve, with the name+offset the kernel printed."""

    def __init__(self, label, addr, name=None, offset=None):
        self.label = label
        self.addr = addr
        self.name = name
        self.offset = offset


def parse_panic(text):
    """The frames of the last panic in text: the trap's pc if the panic
    names one, then each backtrace line.  Without a "backtrace:" line,
    every line that is just an address (or "address name+offset") is a
    frame."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == "backtrace:"]
    frames = []
    if starts:
        start = starts[-1]
        for line in reversed(lines[:start]):
            m = TRAP_PC_RE.match(line.strip())
            if m:
                frames.append(Frame("pc", int(m.group(1), 16)))
                break
            if line.startswith("panic: "):
                break
        body = lines[start + 1:]
    else:
        body = lines
    for line in body:
        m = FRAME_RE.match(line)
        if m:
            frames.append(Frame(
                "#%d" % sum(f.label != "pc" for f in frames),
                int(m.group("addr"), 16), m.group("name"),
                int(m.group("off"), 16) if m.group("off") else None))
        elif starts and line.strip():
            break       # the end of the backtrace
    return frames


def find_tool(name):
    """The first <prefix><name> on PATH, e.g. riscv64-unknown-elf-addr2line."""
    for prefix in PREFIXES:
        path = shutil.which(prefix + name)
        if path:
            return path
    return None


def function_addresses(nm, kernel):
    """Map each function name in kernel to its address (the first, if a
    static name occurs twice)."""
    out = subprocess.run([nm, kernel], stdout=subprocess.PIPE, check=True,
                         text=True).stdout
    table = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "Tt":
            table.setdefault(parts[2], int(parts[0], 16))
    return table


def check_frame(frame, functions):
    """Warn if the kernel's name+offset disagrees with this kernel file;
    trust the name+offset then, since code inside a function moves less
    than whole functions when a kernel is rebuilt."""
    if frame.name is None:
        return
    start = functions.get(frame.name)
    if start is None:
        print("warning: %s: no function %s in this kernel" %
              (frame.label, frame.name), file=sys.stderr)
    elif start + frame.offset != frame.addr:
        print("warning: %s: %s+0x%x is at 0x%x in this kernel, not 0x%x: "
              "was it rebuilt after the panic?" %
              (frame.label, frame.name, frame.offset, start + frame.offset,
               frame.addr), file=sys.stderr)
        frame.addr = start + frame.offset


def source_lines(addr2line, kernel, addr):
    """[(file:line, function)] for addr, innermost inlined function first."""
    out = subprocess.run([addr2line, "-e", kernel, "-f", "-i", hex(addr)],
                         stdout=subprocess.PIPE, check=True, text=True).stdout
    words = out.splitlines()
    tree = os.path.dirname(os.path.dirname(os.path.abspath(kernel))) + os.sep
    result = []
    for function, where in zip(words[0::2], words[1::2]):
        where = where.split(" (discriminator")[0]
        if where.startswith(tree):
            where = where[len(tree):]
        result.append((where, function))
    return result


def print_frame(frame, locations):
    """One frame: label, address, then "file:line  function" per level."""
    head = "%-4s0x%x" % (frame.label, frame.addr)
    for i, (where, function) in enumerate(locations):
        inlined = "  (inlined)" if i < len(locations) - 1 else ""
        print("%-16s  %-28s %s%s" % (head if i == 0 else "", where, function,
                                     inlined))


def main():
    ap = argparse.ArgumentParser(
        description="Print file:line for each frame of a kernel panic.")
    ap.add_argument("input", nargs="*",
                    help="a file holding the panic, or addresses "
                         "(default: read the panic from standard input)")
    ap.add_argument("--kernel", default=os.path.join(ROOT, "kernel", "kernel"),
                    help="the kernel ELF that panicked (default: %(default)s)")
    args = ap.parse_args()

    addr2line, nm = find_tool("addr2line"), find_tool("nm")
    if addr2line is None or nm is None:
        sys.exit("backtrace.py: no addr2line and nm found: install binutils "
                 "for riscv64 (make deps)")
    if not os.path.exists(args.kernel):
        sys.exit("backtrace.py: %s: no such file (run make)" % args.kernel)

    if args.input and all(re.fullmatch(r"0x[0-9a-fA-F]+", a) for a in args.input):
        frames = [Frame("#%d" % i, int(a, 16)) for i, a in enumerate(args.input)]
    elif args.input:
        with open(args.input[0], errors="replace") as f:
            frames = parse_panic(f.read())
    else:
        frames = parse_panic(sys.stdin.read())
    if not frames:
        sys.exit("backtrace.py: found no backtrace in the input")

    functions = function_addresses(nm, args.kernel)
    for frame in frames:
        check_frame(frame, functions)
        print_frame(frame, source_lines(addr2line, args.kernel, frame.addr))


if __name__ == "__main__":
    main()
