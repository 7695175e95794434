#!/usr/bin/env python3
"""Tests of the book's checker (book/check.py), its appendix generator
(book/appendices.py) and its renderer (book/render.py).

The tests that break something do it in a temporary copy of the tree, never
in the tree itself: they rename a function the book cites, or change an
error message, and expect the checker to fail and say where.  The
rendering test needs pandoc and says so when it is missing.

Prints one line per test and ends with "N passed, M failed"; exit status 0
only when every test passed.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "grading"))
import appendices  # noqa: E402
import labtool  # noqa: E402
import check  # noqa: E402
import render  # noqa: E402
from source_index import SourceIndex, scan_c  # noqa: E402

tests = []


def test(fn):
    tests.append(fn)
    return fn


class Skip(Exception):
    """The test cannot run here (for example, pandoc is missing)."""


# ---- helpers ----------------------------------------------------------------

class TreeCopy:
    """A temporary copy of the source tree (without build products), to
    break on purpose.  During a lab the copy is the base system instead
    (the commit the lab started from, labtool.lab_base): the tests break the tree
    the book describes, and a call the lab adds, or its lab.conf, would
    change what they expect."""

    IGNORE = staticmethod(shutil.ignore_patterns(".git", "build", "fs.img", "__pycache__",
                                                 "*.o", "*.d", "kernel.asm", "bin"))

    def __init__(self, root=ROOT):
        self.source = root

    def __enter__(self):
        self.tmp = tempfile.mkdtemp(prefix="book-test-")
        self.root = os.path.join(self.tmp, "tree")
        base = labtool.lab_base(self.source)
        if base:
            labtool.extract(base, self.root, self.source)
        else:
            shutil.copytree(self.source, self.root, ignore=self.IGNORE,
                            symlinks=True)
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, rel):
        return os.path.join(self.root, rel)

    def edit(self, rel, old, new, count=1):
        """Replace old by new in file rel (a regex); it must occur."""
        with open(self.path(rel), encoding="utf-8") as f:
            text = f.read()
        changed, n = re.subn(old, new, text, count=count)
        assert n > 0, "%s does not contain %r" % (rel, old)
        with open(self.path(rel), "w", encoding="utf-8") as f:
            f.write(changed)

    def write(self, rel, text):
        with open(self.path(rel), "w", encoding="utf-8") as f:
            f.write(text)

    def check(self):
        """Run the checker on the copy: (exit status, output)."""
        r = subprocess.run([sys.executable, os.path.join(self.root, "book", "check.py"),
                            "--root", self.root], capture_output=True, text=True)
        return r.returncode, r.stdout + r.stderr


def book_citations(root=ROOT):
    """(chapter, line, path, name) of every citation in the book."""
    out = []
    tree = check.Tree(root)
    for name in sorted(os.listdir(os.path.join(root, "book"))):
        if not name.endswith(".md"):
            continue
        doc = check.load(root, "book/" + name)
        for line, span in doc.code_spans():
            m = check.CITE_RE.match(span)
            if m and tree.looks_like_path(m.group("path")):
                out.append(("book/" + name, line, m.group("path"), m.group("name")))
    return out


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8", errors="replace") as f:
        return f.read()


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


# ---- the checker on the real book -------------------------------------------

@test
def book_is_clean():
    problems, counts = check.check_book(ROOT)
    expect(not problems, "the book has problems:\n" + "\n".join(problems))
    expect(counts["cite"] > 0, "no citations found at all")


@test
def every_citation_points_at_its_name():
    """The line each citation resolves to mentions the name cited."""
    index = SourceIndex(ROOT)
    bad = []
    for chapter, line, path, name in book_citations():
        d = index.resolve(path, name)
        if d is None:
            continue            # book_is_clean reports these
        with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
            text = f.read().split("\n")[d.line - 1]
        if name.split()[-1].split(".")[-1] not in text:
            bad.append("%s:%d: %s:%s -> line %d: %s" % (chapter, line, path, name,
                                                        d.line, text.strip()))
    expect(not bad, "citations resolved to the wrong line:\n" + "\n".join(bad))


# ---- breaking things in a copy ----------------------------------------------

@test
def tree_copy_is_the_base_during_a_lab():
    """In a lab's tree (lab.conf, a tag lab-NAME-start on the lab's first
    commit), TreeCopy copies the commit before that tag, not the lab."""
    tmp = tempfile.mkdtemp(prefix="book-test-")
    try:
        def git(*args):
            subprocess.run(["git", "-c", "user.name=t", "-c",
                            "user.email=t@t.invalid"] + list(args), cwd=tmp,
                           check=True, capture_output=True)

        def write(rel, text):
            with open(os.path.join(tmp, rel), "w") as f:
                f.write(text)

        git("init", "-q")
        write("table.h", "base\n")
        git("add", "-A")
        git("commit", "-q", "-m", "base")
        write("table.h", "base\nlab\n")
        write("lab.conf", "LAB := demo\n")
        git("add", "-A")
        git("commit", "-q", "-m", "Start lab demo")
        git("tag", "lab-demo-start")
        write("table.h", "base\nlab\nstudent\n")
        with TreeCopy(tmp) as t:
            with open(t.path("table.h")) as f:
                text = f.read()
            expect(text == "base\n" and not os.path.exists(t.path("lab.conf")),
                   "the copy of a lab's tree is not its base: table.h holds "
                   "%r" % text)
        os.remove(os.path.join(tmp, "lab.conf"))
        with TreeCopy(tmp) as t:
            with open(t.path("table.h")) as f:
                text = f.read()
            expect(text == "base\nlab\nstudent\n",
                   "without a lab in progress the copy must be the working "
                   "tree, as it is: table.h holds %r" % text)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@test
def a_lab_may_add_system_calls_and_programs():
    """While lab.conf names a lab, a call the lab adds (and a program) is
    no problem for the book; without it, the same call is one; and during
    a lab a base call that changes still is."""
    with TreeCopy() as t:
        t.edit("include/syscalls.h", r"(X\(24, fsync, .*\(int fd\)\))",
               r"\1 \\\n\tX(25, labcall, int, (int n))")
        t.write("user/labprog.c", '#include "user/user.h"\n\nint\n'
                'main(void)\n{\n\treturn 0;\n}\n')
        status, out = t.check()
        expect(status != 0 and "labcall" in out,
               "no lab.conf: the new call should be a problem:\n" + out)
        t.write("lab.conf", "LAB := util\n")
        status, out = t.check()
        expect(status == 0, "lab.conf names a lab: the lab's call should be "
               "ignored:\n" + out)
        t.edit("include/syscalls.h", r"(fsync, +int, +)\(int fd\)",
               r"\1(int fd, int how)")
        status, out = t.check()
        expect(status != 0 and "fsync" in out, "during a lab, a changed base "
               "call must still be a problem:\n" + out)


@test
def regenerating_during_a_lab_leaves_its_calls_out():
    """appendices.py run during a lab keeps the calls the lab adds out of
    appendix A, as check() ignores them: the book stays clean."""
    with TreeCopy() as t:
        t.edit("include/syscalls.h", r"(X\(24, fsync, .*\(int fd\)\))",
               r"\1 \\\n\tX(25, labcall, int, (int n))")
        t.write("lab.conf", "LAB := util\n")
        appendices.rewrite(t.root)
        with open(t.path(appendices.APPENDIX_SYSCALLS), encoding="utf-8") as f:
            expect("labcall" not in f.read(), "the lab's call was written "
                   "into appendix A")
        status, out = t.check()
        expect(status == 0, "the book should be clean after regenerating "
               "during a lab:\n" + out)


@test
def renamed_function_fails_naming_chapter_and_citation():
    index = SourceIndex(ROOT)
    cites = []
    for c, l, p, n in book_citations():
        d = index.resolve(p, n) if p.endswith(".c") else None
        if d is not None and d.kind == "function" and \
                re.search(r"(?m)^%s\(" % re.escape(n), read(p)):
            cites.append((c, l, p, n))
    expect(cites, "the book cites no C function to rename")
    chapter, line, path, name = cites[0]
    with TreeCopy() as t:
        status, out = t.check()
        expect(status == 0, "the copy should pass before the rename:\n" + out)
        t.edit(path, r"(?m)^%s\(" % re.escape(name), name + "_renamed(")
        status, out = t.check()
        expect(status == 1, "exit status %d, not 1, after renaming %s:\n%s"
               % (status, name, out))
        want = "%s:%d: `%s:%s` does not resolve: no definition of %s in %s" % (
            chapter, line, path, name, name, path)
        expect(want in out, "expected\n    %s\nin\n%s" % (want, out))
        expect("did you mean %s_renamed" % name in out,
               "no suggestion of the new name in:\n" + out)


@test
def changed_errno_message_fails_the_appendix_check():
    with TreeCopy() as t:
        t.edit("include/errno.h", r'"no such file or directory"', '"no such file"')
        status, out = t.check()
        expect(status == 1, "exit status %d, not 1:\n%s" % (status, out))
        expect("book/appendix-b-errno.md: the errno table disagrees with include/errno.h"
               in out, "the errno table was not reported:\n" + out)
        expect("no such file |" in out, "the new message is not shown:\n" + out)
        # Regenerating the tables makes the copy clean again.
        appendices.rewrite(t.root)
        status, out = t.check()
        expect(status == 0, "still failing after regenerating:\n" + out)


@test
def lock_diagram_follows_the_code():
    with TreeCopy() as t:
        t.edit("kernel/fs/pipe.c", r'initlock\(&pi->lock, "pipe"\)',
               'initlock(&pi->lock, "pipe ring")')
        status, out = t.check()
        expect(status == 1, "exit status %d, not 1:\n%s" % (status, out))
        expect('the lock diagram lacks "pipe ring", created in kernel/fs/pipe.c'
               in out, out)
        expect('the lock diagram lists "pipe", which no initlock' in out, out)


@test
def constants_need_a_meaning_of_their_own():
    with TreeCopy() as t:
        # A constant under a group comment, with none of its own; and a
        # trailing comment that goes on over the next line.
        t.edit("include/param.h", r"(?m)^(#define NBUFHASH .*)$",
               "\\1\n/* Two constants of a group. */\n#define NGROUPA 1\n"
               "#define NGROUPB 2\n#define NLONG 3   /* a comment that\n"
               "                        goes on */")
        rows = {name: comment for name, _, comment in
                appendices.parse_defines(t.root, "include/param.h")}
        expect(rows["NLONG"] == "a comment that goes on", repr(rows["NLONG"]))
        expect(rows["NGROUPA"] == "Two constants of a group.", repr(rows))
        status, out = t.check()
        expect(status == 1, "exit status %d, not 1:\n%s" % (status, out))
        expect("include/param.h: NGROUPB has no comment of its own" in out, out)
        expect("NGROUPA has no comment" not in out and
               "NLONG has no comment" not in out, out)


@test
def new_system_call_needs_a_row_and_a_section():
    with TreeCopy() as t:
        last = max(row[0] for row in appendices.parse_syscalls(t.root))
        # Append a row after the last one (which has no backslash).
        t.edit("include/syscalls.h", r"(?m)^(\s*X\(\s*%d,.*\))\s*$" % last,
               "\\1 \\\\\n\tX(%d, frobnicate, int, (void))" % (last + 1))
        status, out = t.check()
        expect(status == 1, "exit status %d, not 1:\n%s" % (status, out))
        expect("the syscalls table disagrees with include/syscalls.h" in out, out)
        expect("no '### frobnicate' section" in out, out)


@test
def missing_part_and_diagram_fail():
    with TreeCopy() as t:
        t.edit("book/03-boot.md", r"(?m)^## Commentary$", "## Remarks")
        t.edit("book/03-boot.md", r"(?m)^```(text)?$", "```c", count=0)
        status, out = t.check()
        expect(status == 1, out)
        expect("book/03-boot.md: the chapter needs exactly one '## Commentary' heading"
               in out, out)
        expect("book/03-boot.md: the chapter needs a diagram" in out, out)


@test
def line_numbers_missing_paths_and_broken_links_fail():
    with TreeCopy() as t:
        with open(t.path("book/01-using.md"), "a", encoding="utf-8") as f:
            f.write("\nSee `kernel/mem/vm.c:12`, `kernel/nosuch.c`, `kernel/nosuch.c:f`,\n"
                    "`kernel/mem/vm.c:walk` and [the end](05-page-tables.md#no-such-heading).\n"
                    "Build products are fine: `kernel/kernel.asm`, `user/bin/`.\n")
        status, out = t.check()
        expect(status == 1, out)
        for want in ("book/01-using.md:", "`kernel/mem/vm.c:12` cites a line number",
                     "`kernel/nosuch.c` names a file that does not exist",
                     "`kernel/nosuch.c:f` does not resolve: there is no file",
                     "names a heading that book/05-page-tables.md does not have"):
            expect(want in out, "expected %r in:\n%s" % (want, out))
        expect("kernel.asm" not in out and "user/bin" not in out,
               "a build product was reported:\n" + out)
        expect("kernel/mem/vm.c:walk`" not in out, "a good citation was reported:\n" + out)


@test
def gitignore_exceptions_are_not_build_products():
    tmp = tempfile.mkdtemp(prefix="book-test-")
    try:
        with open(os.path.join(tmp, ".gitignore"), "w") as f:
            f.write("/build/\n/.vscode/*\n!/.vscode/launch.json\n")
        tree = check.Tree(tmp)
        expect(tree.is_build_product("build/kernel/x.o"), "build/ is ignored")
        expect(tree.is_build_product(".vscode/settings.json"),
               ".vscode/settings.json is ignored")
        expect(not tree.is_build_product(".vscode/launch.json"),
               "!/.vscode/launch.json takes it back")
        expect(not tree.path_exists(".vscode/launch.json"),
               "a kept file must exist to be named")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@test
def stale_backtrace_sample_fails():
    with TreeCopy() as t:
        with open(t.path("book/13-debugging.md"), "a", encoding="utf-8") as f:
            f.write("\n```\n#0  0x80200000    kernel/main.c:1            kmain\n"
                    "#1  0x80200004    kernel/mem/vm.c:1       walk\n```\n"
                    "\n    (gdb) bt\n    #0  walkaddr (pagetable=0x0, va=0) at "
                    "kernel/mem/vm.c:2\n")
        status, out = t.check()
        expect(status == 1, out)
        expect("the sample line kernel/main.c:1 is not in kmain" in out, out)
        expect("the sample line kernel/mem/vm.c:1 is not in walk" in out, out)
        expect("the sample line kernel/mem/vm.c:2 is not in walkaddr" in out,
               "a stale gdb frame (in an indented block) was not reported:\n"
               + out)


# ---- the resolver -----------------------------------------------------------

C_SAMPLE = textwrap.dedent("""\
    #define LIMIT 10   /* a macro */
    #define TABLE(X) X(1, one) X(2, two)
    struct thing {
        int a;  /* not_a_definition(x); */
    };
    enum colour { RED, GREEN = 2, BLUE };
    typedef unsigned long word;
    typedef int (*handler_t)(int);
    static struct {
        int lock;
    } state;
    static int counter, *pointer;
    int table[LIMIT];
    static uint64 (*const dispatch[])(void) = { 0 };
    extern int elsewhere;
    void declared_only(int x);
    static inline int small(void) { return 1; }
    static struct thing *
    find(int key)
    {
        char *s = "find_fake(";
        return 0;
    }
    __attribute__((noreturn)) void
    stop(void)
    {
        for (;;)
            ;
    }
    TEST(macro_named_test)
    {
    }
    """)


@test
def resolver_finds_c_definitions():
    defs = {(d.name, d.kind) for d in scan_c(C_SAMPLE, header=False)}
    for want in [("LIMIT", "macro"), ("TABLE", "macro"), ("struct thing", "struct"),
                 ("enum colour", "enum"), ("RED", "enum constant"),
                 ("GREEN", "enum constant"), ("BLUE", "enum constant"),
                 ("word", "typedef"), ("handler_t", "typedef"), ("state", "variable"),
                 ("counter", "variable"), ("pointer", "variable"), ("table", "variable"),
                 ("dispatch", "variable"), ("small", "function"), ("find", "function"),
                 ("stop", "function"), ("macro_named_test", "function")]:
        expect(want in defs, "%s not found in %s" % (want, sorted(defs)))
    names = {d[0] for d in defs}
    for absent in ("one", "two", "not_a_definition", "find_fake", "elsewhere",
                   "declared_only", "a", "lock", "thing", "TEST"):
        expect(absent not in names, "%s should not be a definition" % absent)
    header = {d.name for d in scan_c(C_SAMPLE, header=True)}
    expect("declared_only" in header and "elsewhere" in header,
           "a header's prototypes and externs should count")


@test
def resolver_lines_are_exact():
    by_name = {d.name: d.line for d in scan_c(C_SAMPLE)}
    lines = C_SAMPLE.split("\n")
    for name, line in by_name.items():
        expect(name.split()[-1] in lines[line - 1],
               "%s resolved to line %d: %r" % (name, line, lines[line - 1]))


@test
def resolver_other_languages():
    with TreeCopy() as t:
        t.write("book/sample.py", "X = 1\n\nclass K:\n    def m(self):\n        pass\n\n"
                "def f():\n    pass\n")
        t.write("book/sample.S", "#define OFF 8\n.globl start\nstart:\n\tnop\nloop: j loop\n")
        t.write("book/sample.gdbinit", "define user-symbols\n  echo hi\nend\n")
        index = SourceIndex(t.root)
        for path, name, line in [("book/sample.py", "X", 1), ("book/sample.py", "K", 3),
                                 ("book/sample.py", "K.m", 4), ("book/sample.py", "f", 7),
                                 ("book/sample.S", "OFF", 1), ("book/sample.S", "start", 3),
                                 ("book/sample.S", "loop", 5),
                                 ("book/sample.gdbinit", "user-symbols", 1),
                                 ("Makefile", "qemu", None), ("Makefile", "CPUS", None),
                                 ("kernel/riscv/kernel.ld", "end", None)]:
            d = index.resolve(path, name)
            expect(d is not None, "%s:%s does not resolve" % (path, name))
            if line is not None:
                expect(d.line == line, "%s:%s is on line %d, not %d"
                       % (path, name, d.line, line))


# ---- rendering --------------------------------------------------------------

@test
def rendered_book_links_resolve():
    if shutil.which("pandoc") is None:
        raise Skip("pandoc is not installed (sudo apt-get install pandoc)")
    with tempfile.TemporaryDirectory(prefix="book-html-") as out:
        problems = render.render(ROOT, out)
        expect(not problems, "\n".join(problems))
        problems, pages = render.check_html_links(out)
        expect(not problems, "broken links:\n" + "\n".join(problems))
        expect(os.path.exists(os.path.join(out, "index.html")), "no index.html")
        # Each citation is a link to a line that mentions the name.
        with open(os.path.join(out, "04-memory.html"), encoding="utf-8") as f:
            page = f.read()
        links = re.findall(r'href="src/([^"#]+)\.html#L(\d+)"><code>([^<]+)</code>', page)
        expect(links, "04-memory.html has no citation links")
        for path, line, span in links:
            with open(os.path.join(ROOT, path), encoding="utf-8") as f:
                text = f.read().split("\n")[int(line) - 1]
            name = span.split(":", 1)[1].split()[-1].split(".")[-1]
            expect(name in text, "%s links to line %s: %r" % (span, line, text))
        # A source view: coloured, one line of the file per line of text.
        with open(os.path.join(out, "src/kernel/mem/vm.c.html"), encoding="utf-8") as f:
            view = f.read()
        with open(os.path.join(ROOT, "kernel/mem/vm.c"), encoding="utf-8") as f:
            nlines = len(f.read().rstrip("\n").split("\n"))
        pre = re.search(r'<pre class="source"><code>(.*)</code></pre>', view, re.S)
        rows = pre.group(1).split("\n") if pre else []
        expect(len(rows) == nlines and all(row.startswith('<span class="line" id="L%d">' % i)
                                           for i, row in enumerate(rows, 1)),
               "vm.c's view has %d lines, not one per line of the file (%d)"
               % (len(rows), nlines))
        expect('<span class="kw">' in view, "vm.c's view is not highlighted")
        # The repository's README is a page, not a source view.
        with open(os.path.join(out, "src/README.md.html"), encoding="utf-8") as f:
            readme = f.read()
        expect("<h1" in readme and 'class="source"' not in readme,
               "README.md is not rendered as a page")
        # The search index knows where walk is defined.
        with open(os.path.join(out, "search-index.js"), encoding="utf-8") as f:
            expect('["walk","function",' in f.read(), "search-index.js lacks walk")


@test
def broken_html_link_is_reported():
    with tempfile.TemporaryDirectory(prefix="book-html-") as out:
        with open(os.path.join(out, "a.html"), "w") as f:
            f.write('<h1 id="top">x</h1><a href="b.html#L3">b</a><a href="#top">t</a>'
                    '<a href="#gone">g</a><a href="https://example.org/">e</a>')
        with open(os.path.join(out, "b.html"), "w") as f:
            f.write('<span id="L1"></span>')
        problems, _ = render.check_html_links(out)
        expect(len(problems) == 2, "\n".join(problems) or "no problems found")
        expect(any("no id 'L3' in b.html" in p for p in problems), "\n".join(problems))
        expect(any("no id 'gone' in a.html" in p for p in problems), "\n".join(problems))


def main():
    passed = failed = skipped = 0
    for fn in tests:
        start = time.time()
        try:
            fn()
            passed += 1
            print("test %s: OK (%.1fs)" % (fn.__name__, time.time() - start))
        except Skip as e:
            skipped += 1
            print("test %s: SKIPPED: %s" % (fn.__name__, e))
        except AssertionError as e:
            failed += 1
            print("test %s: FAILED (%.1fs)\n%s" % (fn.__name__, time.time() - start, e))
        except Exception:
            failed += 1
            print("test %s: FAILED\n%s" % (fn.__name__, traceback.format_exc()))
        sys.stdout.flush()
    print("%d passed, %d failed%s" % (passed, failed,
                                      ", %d skipped" % skipped if skipped else ""))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
