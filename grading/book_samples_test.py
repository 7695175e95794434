#!/usr/bin/env python3
"""Check the book's sample sessions against the system, so they cannot go
stale.

A fenced block in book/*.md on the line right after

    <!-- session: checked by grading/book_samples_test.py -->

is a transcript of rivet's shell: a line that starts with "$ " is a
command typed at the prompt, and the lines after it, up to the next
command, are what it printed (a last "$" alone is the prompt that
follows).  For each such block this suite boots a fresh guest, on a
fresh copy of the disk image (so `ls` shows what a student sees at first
boot), types the commands in order and compares what each printed with
the book, line by line and exactly, except for one thing: a program
counter ("pc 0x..."), which depends on the compiler, matches any value.
The book says so where it shows one.  While a lab is in progress
(lab.conf) nothing is checked: the samples describe the base system.

    python3 grading/book_samples_test.py [--update]

Prints one line per session and ends with "N passed, M failed".  With
--update it rewrites each marked block with what the system printed
(after a change that alters a sample, such as README.md's size in `ls`).
"""

import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from gradelib import Machine, TestFailure  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "book"))
from appendices import lab_in_progress  # noqa: E402

MARK = "<!-- session: checked by grading/book_samples_test.py -->"
FENCE_RE = re.compile(r"^(```+|~~~+)")
PC_RE = re.compile(r"\bpc 0x[0-9a-f]+")


def sessions(root=ROOT):
    """(path, line, [(command, expected output)]) for every marked block."""
    found = []
    for path in sorted(glob.glob(os.path.join(root, "book", "*.md"))):
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        rel = os.path.relpath(path, root)
        for i, line in enumerate(lines):
            if line.strip() != MARK:
                continue
            if i + 1 >= len(lines) or not FENCE_RE.match(lines[i + 1]):
                found.append((rel, i + 1, None))
                continue
            body = []
            for text in lines[i + 2:]:
                if FENCE_RE.match(text):
                    break
                body.append(text)
            found.append((rel, i + 2, transcript(body)))
    return found


def transcript(body):
    """The (command, output) pairs of a transcript's lines."""
    pairs = []
    for line in body:
        if line.startswith("$ "):
            pairs.append((line[2:], []))
        elif line.rstrip() == "$":
            continue
        elif pairs:
            pairs[-1][1].append(line)
    return [(cmd, "".join(out_line + "\n" for out_line in out))
            for cmd, out in pairs]


def normal(text):
    return PC_RE.sub("pc 0x...", "\n".join(
        line.rstrip() for line in text.split("\n")))


def run_session(pairs):
    """Type the session's commands into a fresh guest; return what each
    printed."""
    with Machine() as m:
        m.wait_prompt(timeout=120)
        return [m.run(cmd, timeout=60) for cmd, _ in pairs]


def check_session(path, line, pairs, update=False):
    """Run one session; return the problems found.  With update, rewrite
    the block in path with what was printed instead."""
    if not pairs:
        return ["%s:%d: the block after the session mark has no '$ ' command "
                "lines" % (path, line)]
    problems = []
    try:
        outputs = run_session(pairs)
    except TestFailure as e:
        return ["%s:%d: the session could not run: %s" % (path, line, e)]
    if update:
        rewrite_block(path, line, pairs, outputs)
        return []
    for (cmd, want), got in zip(pairs, outputs):
        if normal(got) != normal(want):
            problems.append(
                "%s:%d: `%s` printed\n%s    but the book shows\n%s"
                "    (run python3 grading/book_samples_test.py --update)" %
                (path, line, cmd, indent(got), indent(want)))
    return problems


def rewrite_block(path, line, pairs, outputs):
    """Replace the body of the fenced block that opens on line `line` of
    path with the commands and what they printed."""
    full = os.path.join(ROOT, path)
    with open(full, encoding="utf-8") as f:
        lines = f.read().split("\n")
    end = line
    while not FENCE_RE.match(lines[end]):
        end += 1
    prompt = [t for t in lines[line:end] if t.rstrip() == "$"]
    body = []
    for (cmd, _), out in zip(pairs, outputs):
        body.append("$ " + cmd)
        body += out.rstrip("\n").split("\n") if out.strip() else []
    lines[line:end] = body + prompt
    with open(full, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def indent(text):
    return "".join("        " + t + "\n" for t in text.rstrip("\n").split("\n"))


def main(argv):
    update = "--update" in argv[1:]
    passed = failed = 0
    lab = lab_in_progress(ROOT)
    if lab is not None:
        # A lab adds programs (ls of / shows a bigger /bin) and changes the
        # kernel: the book's samples describe the base system.
        print("book sessions: skipped while lab %s is in progress" % lab)
        print("0 passed, 0 failed")
        return 0
    for path, line, pairs in reversed(sessions()):   # later blocks first:
        # rewriting one leaves the line numbers of those above it right
        if pairs is None:
            problems = ["%s:%d: the session mark is not followed by a fenced "
                        "block" % (path, line)]
        else:
            problems = check_session(path, line, pairs, update)
        print("check %s:%d (%d commands): %s" %
              (path, line, len(pairs or []), "FAILED" if problems else "OK"))
        for p in problems:
            print("    " + p.replace("\n", "\n    ").rstrip())
        passed += not problems
        failed += bool(problems)
    if passed + failed == 0:
        print("check book sessions: FAILED: no block carries the mark %s" %
              MARK)
        failed = 1
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
