#!/usr/bin/env python3
"""Generate the book's appendix tables from include/, or check them.

    python3 book/appendices.py            rewrite the tables in place
    python3 book/appendices.py --check    exit 1 if any table is stale

Each appendix holds one or more generated blocks between a pair of
markers, and hand-written prose around them:

    <!-- begin generated: errno (python3 book/appendices.py; do not edit) -->
    | ... table ... |
    <!-- end generated: errno -->

Only the text between the markers is generated.  The tables come from the
one place each fact is defined: the system-call table in
include/syscalls.h (with each call's handler found in kernel/), the errno
table in include/errno.h, and the limits in include/param.h and
include/fs_format.h.  book/check.py calls check() on every run of
`make check-book`, so an appendix can never fall behind the code.

Appendix A also has one `### name` section per system call, written by
hand; check() makes sure those sections and the table name the same calls.
"""

import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from source_index import SourceIndex  # noqa: E402

BEGIN = "<!-- begin generated: %s (python3 book/appendices.py; do not edit) -->"
END = "<!-- end generated: %s -->"
BLOCK_RE = re.compile(r"<!-- begin generated: ([\w-]+)[^>]*-->\n(.*?)<!-- end generated: \1 -->",
                      re.S)

APPENDIX_SYSCALLS = "book/appendix-a-syscalls.md"
APPENDIX_ERRNO = "book/appendix-b-errno.md"
APPENDIX_LIMITS = "book/appendix-c-limits.md"

# Sizes of the fixed-width types, for evaluating sizeof() in limits.
TYPE_SIZES = {"uint8": 1, "int8": 1, "uint16": 2, "int16": 2, "uint32": 4,
              "int32": 4, "uint64": 8, "int64": 8, "uint": 4, "int": 4,
              "ushort": 2, "short": 2, "uchar": 1, "char": 1}


def read(root, path):
    with open(os.path.join(root, path), encoding="utf-8") as f:
        return f.read()


def continued_lines(text):
    """The text with backslash-newline continuations joined."""
    return text.replace("\\\n", "\n")


# ---- reading include/ -------------------------------------------------------

def parse_syscalls(root):
    """Rows of SYSCALL_TABLE: (number, name, return type, parameters)."""
    text = continued_lines(read(root, "include/syscalls.h"))
    rows = []
    for m in re.finditer(r"^\s*X\(\s*(\d+),\s*(\w+),\s*(.*?),\s*(\(.*\))\)\s*$",
                         text, re.M):
        rows.append((int(m.group(1)), m.group(2), m.group(3).strip(), m.group(4)))
    return rows


def parse_errno(root):
    """Rows of ERRNO_TABLE: (name, number, message)."""
    text = continued_lines(read(root, "include/errno.h"))
    rows = []
    for m in re.finditer(r'^\s*X\(\s*(\w+),\s*(\d+),\s*"((?:[^"\\]|\\.)*)"\)\s*$',
                         text, re.M):
        rows.append((m.group(1), int(m.group(2)), m.group(3)))
    return rows


def parse_defines(root, path):
    """Object-like macros of a header: (name, expression, comment), in
    order.  The comment is the one that starts on the define's line (it
    may go on over the next lines), or else the comment just above the
    define.  A comment above a group of defines explains the group, not
    each constant, so it goes to the first one only: every constant
    needs a comment of its own (see check_meanings)."""
    rows, above, block, pending = [], "", None, None
    for line in read(root, path).split("\n"):
        if block is not None:
            block.append(line)
            if "*/" in line:
                if pending is None:
                    above = comment_text(block)
                else:
                    rows.append(pending + (comment_text(block),))
                    pending = None
                block = None
            continue
        if re.match(r"\s*/\*", line):
            if "*/" in line:
                above = comment_text([line])
            else:
                block = [line]
            continue
        if not line.strip():
            above = ""
            continue
        m = re.match(r"#define\s+(\w+)\s+(.*?)\s*(?:/\*\s*(.*?)\s*(\*/)?)?\s*$",
                     line)
        if not m or m.group(1).endswith("_H"):
            continue
        if m.group(3) is not None and not m.group(4):  # a comment goes on
            pending, block = (m.group(1), m.group(2)), [m.group(3)]
            continue
        rows.append((m.group(1), m.group(2), m.group(3) or above))
        above = ""
    return rows


def check_meanings(root, path):
    """The constants of a header that have no comment of their own."""
    return [name for name, _, comment in parse_defines(root, path)
            if not comment]


def comment_text(lines):
    """The words of a C comment spread over lines, on one line."""
    text = " ".join(lines)
    text = text.replace("/*", " ").replace("*/", " ")
    text = re.sub(r"(^|\s)\*(?=\s)", " ", text)
    return " ".join(text.split())


def struct_sizes(root, path):
    """Sizes a header pins with _Static_assert(sizeof(struct x) == n)."""
    sizes = {}
    for m in re.finditer(r"_Static_assert\(\s*sizeof\(struct (\w+)\)\s*==\s*(\d+)",
                         read(root, path)):
        sizes["struct " + m.group(1)] = int(m.group(2))
    return sizes


def evaluate(expr, known, sizes):
    """The integer value of a C constant expression, or None."""
    e = re.sub(r"sizeof\(\s*(struct \w+|\w+)\s*\)",
               lambda m: str(sizes.get(m.group(1), TYPE_SIZES.get(m.group(1), "?"))), expr)
    e = re.sub(r"\((?:uint64|uint32|int|long|unsigned)\)", "", e)
    e = re.sub(r"\b(0[xX][0-9a-fA-F]+|\d+)(?:[uU]?[lL]{0,2}|[lL]{1,2}[uU]?)\b", r"\1", e)
    e = re.sub(r"\b[A-Za-z_]\w*\b",
               lambda m: str(known[m.group()]) if m.group() in known else "?", e)
    if "?" in e or not re.fullmatch(r"[\d\sxXa-fA-F+\-*/()<>|&%]+", e):
        return None
    try:
        return int(eval(e.replace("/", "//"), {"__builtins__": {}}))
    except (SyntaxError, ZeroDivisionError, TypeError, ValueError):
        return None


def find_handler(index, root, name):
    """The citation of sys_<name> in kernel/, or None."""
    for path in sorted(glob.glob(os.path.join(root, "kernel", "**", "*.c"), recursive=True)):
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        if rel.endswith("_test.c"):
            continue
        d = index.resolve(rel, "sys_" + name)
        if d is not None and d.kind == "function":
            return "%s:sys_%s" % (rel, name)
    return None


# ---- the tables -------------------------------------------------------------

def md_escape(text):
    return text.replace("|", "\\|")


def table_syscalls(root, index):
    lines = ["| number | call | C prototype (user/user.h) | kernel handler |",
             "|---:|---|---|---|"]
    for number, name, ret, params in parse_syscalls(root):
        noreturn = "noreturn" in ret
        ret = re.sub(r"__attribute__\(\(\w+\)\)\s*", "", ret)
        proto = "%s%s%s" % (ret, "" if ret.endswith("*") else " ", name + params)
        note = " (does not return)" if noreturn else ""
        handler = find_handler(index, root, name)
        lines.append("| %d | [%s](#%s) | `%s`%s | %s |" % (
            number, name, name, md_escape(proto), note,
            "`%s`" % handler if handler else "(none)"))
    return "\n".join(lines) + "\n"


def table_errno(root, index):
    lines = ["| number | name | message (strerror) |", "|---:|---|---|"]
    for name, number, message in sorted(parse_errno(root), key=lambda r: r[1]):
        lines.append("| %d | %s | %s |" % (number, name, md_escape(message)))
    return "\n".join(lines) + "\n"


def table_defines(root, path, heading):
    known, sizes = {}, struct_sizes(root, path)
    lines = ["| %s | value | meaning |" % heading, "|---|---:|---|"]
    for name, expr, comment in parse_defines(root, path):
        value = evaluate(expr, known, sizes)
        if value is not None:
            known[name] = value
        if value is None:
            shown = "`%s`" % md_escape(expr)
        elif re.fullmatch(r"\d+", expr):
            shown = expr
        else:
            shown = "%d (`%s`)" % (value, md_escape(expr))
        lines.append("| %s | %s | %s |" % (name, shown, md_escape(comment)))
    return "\n".join(lines) + "\n"


def table_params(root, index):
    return table_defines(root, "include/param.h", "constant")


def table_fs(root, index):
    return table_defines(root, "include/fs_format.h", "constant")


# Which blocks each appendix holds, and how to make each.
GENERATORS = {
    APPENDIX_SYSCALLS: {"syscalls": table_syscalls},
    APPENDIX_ERRNO: {"errno": table_errno},
    APPENDIX_LIMITS: {"param": table_params, "fs": table_fs},
}

SOURCES = {"syscalls": "include/syscalls.h", "errno": "include/errno.h",
           "param": "include/param.h", "fs": "include/fs_format.h"}


# ---- checking and rewriting -------------------------------------------------

def first_difference(old, new):
    """A short description of the first line where two tables differ."""
    a, b = old.split("\n"), new.split("\n")
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else "(nothing)"
        y = b[i] if i < len(b) else "(nothing)"
        if x != y:
            return "the book has\n        %s\n    but the code says\n        %s" % (x, y)
    return "they differ"


def lab_in_progress(root):
    """The lab that root's lab.conf names (make lab writes it), or None."""
    try:
        with open(os.path.join(root, "lab.conf"), encoding="utf-8") as f:
            m = re.search(r"^\s*LAB\s*:?=\s*(\S+)", f.read(), re.M)
    except OSError:
        return None
    return m.group(1) if m and m.group(1) != "base" else None


def table_calls(table):
    """The names of the calls a system-call table lists."""
    return set(re.findall(r"^\| \d+ \| \[(\w+)\]", table, re.M))


def base_rows(table, calls):
    """The system-call table with only the rows of calls."""
    return "".join(line for line in table.splitlines(True)
                   if not re.match(r"^\| \d+ \|", line) or
                   table_calls(line) <= calls)


def check(root, index=None):
    """Problems with the appendices, as 'path: message' strings.

    While a lab is in progress (lab.conf names one), the system calls the
    lab adds are not the book's business: the system-call table is checked
    only for the calls the book lists, so that the base system's table
    must still be right, and a call the student adds is no problem."""
    index = index or SourceIndex(root)
    problems = []
    lab = lab_in_progress(root)
    for path, blocks in GENERATORS.items():
        if not os.path.exists(os.path.join(root, path)):
            problems.append("%s: missing" % path)
            continue
        text = read(root, path)
        found = {m.group(1): m.group(2) for m in BLOCK_RE.finditer(text)}
        for key, make in blocks.items():
            if key not in found:
                problems.append("%s: no generated %s table (markers missing); "
                                "run python3 book/appendices.py" % (path, key))
                continue
            want = make(root, index)
            if lab and key == "syscalls":
                want = base_rows(want, table_calls(found[key]))
            if found[key] != want:
                problems.append("%s: the %s table disagrees with %s: %s\n"
                                "    run python3 book/appendices.py to regenerate it"
                                % (path, key, SOURCES[key],
                                   first_difference(found[key], want)))
    for header in ("include/param.h", "include/fs_format.h"):
        for name in check_meanings(root, header):
            problems.append("%s: %s has no comment of its own (on its line or "
                            "just above it), which appendix C would show as "
                            "its meaning" % (header, name))
    problems += check_syscall_sections(root, lab)
    return problems


def check_syscall_sections(root, lab=None):
    """Appendix A's hand-written sections must match the calls (during a
    lab, the calls the book's table lists)."""
    path = APPENDIX_SYSCALLS
    if not os.path.exists(os.path.join(root, path)):
        return []
    text = read(root, path)
    sections = re.findall(r"^### (\w+)\s*$", text, re.M)
    calls = [row[1] for row in parse_syscalls(root)]
    if lab:
        calls = [c for c in calls if c in table_calls(text)]
    problems = []
    for name in calls:
        if name not in sections:
            problems.append("%s: no '### %s' section for the system call %s "
                            "(include/syscalls.h)" % (path, name, name))
    for name in sections:
        if name not in calls:
            problems.append("%s: section '### %s' describes a call that "
                            "include/syscalls.h does not have" % (path, name))
    return problems


def rewrite(root, index=None):
    """Regenerate every block in place; return the files changed.  During
    a lab, as in check(), the system-call table keeps only the calls it
    lists: the calls the lab adds stay out of the book."""
    index = index or SourceIndex(root)
    changed = []
    lab = lab_in_progress(root)
    for path, blocks in GENERATORS.items():
        full = os.path.join(root, path)
        if not os.path.exists(full):
            continue
        text = read(root, path)
        found = {m.group(1): m.group(2) for m in BLOCK_RE.finditer(text)}
        new = text
        for key, make in blocks.items():
            want = make(root, index)
            if lab and key == "syscalls" and key in found:
                want = base_rows(want, table_calls(found[key]))
            block = BEGIN % key + "\n" + want + END % key
            pattern = re.compile(r"<!-- begin generated: %s[^>]*-->\n.*?"
                                 r"<!-- end generated: %s -->" % (key, key), re.S)
            if pattern.search(new):
                new = pattern.sub(lambda m: block, new)
            else:
                print("%s: no markers for the %s table; add\n    %s\n    %s"
                      % (path, key, BEGIN % key, END % key))
        if new != text:
            with open(full, "w", encoding="utf-8") as f:
                f.write(new)
            changed.append(path)
    return changed


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if argv[1:] == ["--check"]:
        problems = check(root)
        for p in problems:
            print(p)
        return 1 if problems else 0
    if argv[1:]:
        print("usage: appendices.py [--check]", file=sys.stderr)
        return 2
    for path in rewrite(root):
        print("rewrote the tables in %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
