#!/usr/bin/env python3
"""Check the book against the code.

    python3 book/check.py [--root DIR]

Reads every Markdown file in book/ and reports, one line each (file, line,
what is wrong):

  - a citation `path:name` that does not resolve to a definition of name in
    path (see book/source_index.py for what counts as a definition), with
    the nearest names the file does define;
  - a citation by line number (`path:123`), which would drift;
  - a bare path in a code span (`kernel/mem/vm.c`) that does not exist and is
    not a build product listed in .gitignore;
  - a relative link to a file or a heading that does not exist;
  - a chapter or appendix that the contents (book/README.md) lists but that
    is missing, or a Markdown file the contents does not list;
  - a numbered chapter without its parts `## Concept`, `## Code`,
    `## Commentary`, `## Exercises` (each once, in that order), or, in the
    chapters that must have one, without a diagram;
  - an appendix table that disagrees with include/ (book/appendices.py);
  - a sample of kernel/lib/backtrace.py's output (`kernel/x.c:123  name`
    in a code block, here or in README.md) whose line is no longer inside
    the function it names: such samples quote line numbers on purpose, so
    they are checked instead of banned.

Exit status 0 when the book is clean, 1 when anything is wrong.
"""

import argparse
import difflib
import fnmatch
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from source_index import SourceIndex  # noqa: E402
import appendices  # noqa: E402

PARTS = ["Concept", "Code", "Commentary", "Exercises"]
DIAGRAM_CHAPTERS = ("03", "05", "06", "09", "10")
CHAPTER_RE = re.compile(r"^(\d\d)-[\w-]+\.md$")

CITE_RE = re.compile(
    r"^(?P<path>[A-Za-z0-9_.][A-Za-z0-9_.\-/]*)"
    r":(?P<name>(?:struct|union|enum) [A-Za-z_]\w*"
    r"|[A-Za-z_][\w\-]*(?:\.[A-Za-z_]\w*)*)$")
LINE_CITE_RE = re.compile(r"^(?P<path>[A-Za-z0-9_.][A-Za-z0-9_.\-/]*):\d+(?:-\d+)?$")
PATH_RE = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.\-/*?]*$")
FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)")
LINK_RE = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFDEF_RE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\".*\")?\s*$", re.M)


# ---- reading Markdown -------------------------------------------------------

class Markdown:
    """A Markdown file split into what the checks need: the prose (with
    fenced blocks and HTML comments blanked, offsets kept), the fenced
    blocks, and the headings."""

    def __init__(self, path, text):
        self.path = path
        self.text = text
        self.fences = []          # (line, info string, body)
        prose = []
        fence, info, body, start = None, "", [], 0
        for i, line in enumerate(text.split("\n"), 1):
            m = FENCE_RE.match(line)
            if fence is None and m:
                fence, info, body, start = m.group(1), m.group(2), [], i
                prose.append("")
            elif fence is not None:
                if line.strip().startswith(fence[0] * len(fence)) and \
                        not line.strip().strip(fence[0]):
                    self.fences.append((start, info, "\n".join(body)))
                    fence = None
                else:
                    body.append(line)
                prose.append("")
            else:
                prose.append(line)
        self.prose = re.sub(r"<!--.*?-->", lambda m: re.sub(r"[^\n]", " ", m.group()),
                            "\n".join(prose), flags=re.S)

    def line_of(self, offset):
        return self.prose.count("\n", 0, offset) + 1

    def code_spans(self):
        """(line, text) of each inline code span, whitespace normalised."""
        for m in re.finditer(r"(?<!`)(`+)(?!`)((?:(?!\n\s*\n).)+?)(?<!`)\1(?!`)",
                             self.prose, re.S):
            yield self.line_of(m.start()), " ".join(m.group(2).split())

    def headings(self):
        """(line, level, text) of each ATX heading outside fenced blocks."""
        for i, line in enumerate(self.prose.split("\n"), 1):
            m = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
            if m:
                yield i, len(m.group(1)), m.group(2)

    def anchors(self):
        """The heading ids a code-hosting site (and pandoc's gfm reader)
        gives this file."""
        seen, ids = {}, set()
        for _, _, text in self.headings():
            slug = slugify(text)
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            ids.add(slug if n == 0 else "%s-%d" % (slug, n))
        return ids

    def links(self):
        """(line, target) of each inline link and reference definition."""
        for m in LINK_RE.finditer(self.prose):
            yield self.line_of(m.start()), m.group(1)
        for m in REFDEF_RE.finditer(self.prose):
            yield self.line_of(m.start()), m.group(1)


def slugify(heading):
    """GitHub's heading id: the text without markup, lower case, with
    punctuation dropped and spaces turned into hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"[`*]", "", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


# ---- what a code span means -------------------------------------------------

class Tree:
    """The source tree the book is checked against."""

    def __init__(self, root):
        self.root = root
        self.index = SourceIndex(root)
        self.missing = set()        # book files reported missing
        self.ignored = self._gitignore()
        self.top = set(os.listdir(root)) | {p.strip("!/").split("/")[0]
                                            for p in self.ignored}

    def _gitignore(self):
        path = os.path.join(self.root, ".gitignore")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return [line.strip() for line in f
                    if line.strip() and not line.startswith("#")]

    def is_build_product(self, path):
        """Does .gitignore list path (or a directory above it), and no
        `!pattern` take it back?"""
        parts = path.strip("/").split("/")
        for pattern in self.ignored:
            if pattern.startswith("!") and \
                    fnmatch.fnmatch("/".join(parts), pattern[1:].strip("/")):
                return False
        for pattern in self.ignored:
            if pattern.startswith("!"):
                continue
            anchored = pattern.startswith("/")
            pat = pattern.strip("/")
            for i in range(1, len(parts) + 1):
                prefix = "/".join(parts[:i])
                if fnmatch.fnmatch(prefix, pat) or \
                        (not anchored and fnmatch.fnmatch(parts[i - 1], pat)):
                    return True
        return False

    def looks_like_path(self, path):
        """Is path meant as a path in this tree?  Its first component must
        be a top-level entry, and it must have a '/' or a '.' in it (so
        that a plain word such as `kernel` is left alone)."""
        first = path.split("/")[0]
        return first in self.top and ("/" in path or "." in path or
                                      path == "Makefile")

    def path_exists(self, path):
        if any(c in path for c in "*?["):
            return bool(glob.glob(os.path.join(self.root, path)))
        return os.path.exists(os.path.join(self.root, path.rstrip("/"))) or \
            self.is_build_product(path)


def check_span(tree, span):
    """None when the code span is fine (or not a citation); otherwise what
    is wrong with it.  Also returns the kind of span for counting."""
    m = LINE_CITE_RE.match(span)
    if m and tree.looks_like_path(m.group("path")):
        return "cite", ("`%s` cites a line number, which drifts: cite a name "
                        "(a function, type or macro) instead" % span)
    m = CITE_RE.match(span)
    if m and tree.looks_like_path(m.group("path")):
        return "cite", resolve_problem(tree, span, m.group("path"), m.group("name"))
    if PATH_RE.match(span) and "/" in span and tree.looks_like_path(span):
        if not tree.path_exists(span):
            return "path", "`%s` names a file that does not exist" % span
        return "path", None
    return None, None


def resolve_problem(tree, span, path, name):
    if not tree.index.exists(path):
        return "`%s` does not resolve: there is no file %s" % (span, path)
    if os.path.isdir(os.path.join(tree.root, path)):
        return "`%s` does not resolve: %s is a directory" % (span, path)
    if tree.index.definitions(path) is None:
        return ("`%s` does not resolve: names cannot be cited in %s (only in C, "
                "assembly, Python, linker scripts, Makefiles and gdb scripts)"
                % (span, path))
    if tree.index.resolve(path, name) is not None:
        return None
    message = "`%s` does not resolve: no definition of %s in %s" % (span, name, path)
    close = difflib.get_close_matches(name, tree.index.names(path), n=3, cutoff=0.6)
    if close:
        message += " (did you mean %s?)" % ", ".join(close)
    return message


# ---- the checks -------------------------------------------------------------

def check_spans(tree, doc, problems, counts):
    for line, span in doc.code_spans():
        kind, problem = check_span(tree, span)
        if kind:
            counts[kind] += 1
        if problem:
            problems.append("%s:%d: %s" % (doc.path, line, problem))


def check_links(tree, doc, docs, problems):
    here = os.path.dirname(doc.path)
    for line, target in doc.links():
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("//"):
            continue
        path, _, anchor = target.partition("#")
        rel = os.path.normpath(os.path.join(here, path)).replace(os.sep, "/") \
            if path else doc.path
        if rel.startswith(".."):
            problems.append("%s:%d: the link %s leaves the tree" % (doc.path, line, target))
            continue
        if rel in tree.missing:
            continue        # reported once, as missing
        if not os.path.exists(os.path.join(tree.root, rel)):
            problems.append("%s:%d: the link %s points to %s, which does not exist"
                            % (doc.path, line, target, rel))
            continue
        if anchor and rel.endswith(".md"):
            target_doc = docs.get(rel) or load(tree.root, rel)
            if anchor not in target_doc.anchors():
                problems.append("%s:%d: the link %s names a heading that %s does not have"
                                % (doc.path, line, target, rel))


def check_structure(doc, problems):
    name = os.path.basename(doc.path)
    m = CHAPTER_RE.match(name)
    if not m:
        return
    heads = list(doc.headings())
    if not any(level == 1 for _, level, _ in heads):
        problems.append("%s:1: the chapter has no title (a '# ' heading)" % doc.path)
    parts = [(line, text) for line, level, text in heads
             if level == 2 and text in PARTS]
    order = [text for _, text in parts]
    for part in PARTS:
        if order.count(part) != 1:
            problems.append("%s: the chapter needs exactly one '## %s' heading (it has %d)"
                            % (doc.path, part, order.count(part)))
    if sorted(set(order)) == sorted(PARTS) and len(order) == 4 and order != PARTS:
        problems.append("%s: the parts must come in the order %s, not %s"
                        % (doc.path, ", ".join(PARTS), ", ".join(order)))
    if "Exercises" in order and not re.search(
            r"(?ms)^## Exercises\s*$.*?^\s*(?:\d+\.|[-*]|###)\s+\S", doc.prose):
        problems.append("%s: the Exercises part has no exercises" % doc.path)
    if m.group(1) in DIAGRAM_CHAPTERS and not has_diagram(doc):
        problems.append("%s: the chapter needs a diagram (a ```mermaid block, or "
                        "ASCII art in a ``` block)" % doc.path)


def has_diagram(doc):
    for _, info, body in doc.fences:
        if info == "mermaid":
            return True
        if info in ("", "text", "ascii") and body.count("\n") >= 2 and \
                re.search(r"[-+|]{2,}|-->|<--|\+-", body):
            return True
    return False


def contents(tree, readme, problems):
    """The chapter and appendix files the contents lists, in order."""
    listed = []
    for line, target in readme.links():
        path = target.partition("#")[0]
        if path.endswith(".md") and "/" not in path and path not in listed:
            listed.append(path)
    for name in listed:
        if not os.path.exists(os.path.join(tree.root, "book", name)):
            problems.append("book/%s: missing (book/README.md lists it)" % name)
            tree.missing.add("book/" + name)
    return listed


# Sample output that names source lines: backtrace.py's "path:N  name"
# and gdb's "name (args) at path:N".
SAMPLE_LINE_RE = re.compile(r"\b(kernel/[\w/]+\.[cS]):(\d+)\s{2,}([A-Za-z_]\w*)")
GDB_LINE_RE = re.compile(r"\b([A-Za-z_]\w*) \([^()]*\) at "
                         r"((?:kernel|user|include)/[\w/]+\.[cSh]):(\d+)")


def sample_lines(doc):
    """(line in doc, path, N, name) for every sample line in doc: in any
    code block, fenced or indented (prose may not cite line numbers)."""
    for i, line in enumerate(doc.text.split("\n"), 1):
        for m in SAMPLE_LINE_RE.finditer(line):
            yield i, m.group(1), int(m.group(2)), m.group(3)
        for m in GDB_LINE_RE.finditer(line):
            yield i, m.group(2), int(m.group(3)), m.group(1)


def check_sample_lines(tree, doc, problems):
    """Each sample line (sample_lines) must have line N inside name's
    definition in path: at or after its first line, before the next thing
    the file defines."""
    for i, path, n, name in sample_lines(doc):
        d = tree.index.resolve(path, name)
        later = [x.line for x in tree.index.definitions(path) or []
                 if d is not None and x.line > d.line]
        if d is None or n < d.line or (later and n >= min(later)):
            problems.append("%s:%d: the sample line %s:%d is not in %s "
                            "(rerun the command and paste its output)"
                            % (doc.path, i, path, n, name))


LOCK_DIAGRAM = "book/08-locking.md"
LOCK_MARK = "<!-- lock diagram:"
LOCK_INIT_RE = re.compile(r'\binit(?:sleep)?lock\(\s*[^;]*?,\s*"([^"]+)"\s*\)')


def kernel_lock_names(root):
    """{name: file} of every lock the kernel creates with a constant name."""
    names = {}
    for path in sorted(glob.glob(os.path.join(root, "kernel", "**", "*.c"),
                                 recursive=True)):
        with open(path, encoding="utf-8") as f:
            for name in LOCK_INIT_RE.findall(f.read()):
                names.setdefault(name, os.path.relpath(path, root))
    return names


def check_lock_diagram(root, doc, problems):
    """The diagram after LOCK_MARK must list, as "name", exactly the locks
    the kernel creates."""
    at = doc.text.find(LOCK_MARK)
    line = doc.text.count("\n", 0, at) + 1
    fence = [f for f in doc.fences if f[0] == line + 1]
    if at < 0 or not fence:
        problems.append("%s: no lock diagram (a fenced block right after a "
                        "'%s ...' line)" % (doc.path, LOCK_MARK))
        return
    listed = set(re.findall(r'"([^"]+)"', fence[0][2]))
    code = kernel_lock_names(root)
    for name in sorted(set(code) - listed):
        problems.append('%s:%d: the lock diagram lacks "%s", created in %s'
                        % (doc.path, line, name, code[name]))
    for name in sorted(listed - set(code)):
        problems.append('%s:%d: the lock diagram lists "%s", which no '
                        'initlock or initsleeplock call creates'
                        % (doc.path, line, name))


def load(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return Markdown(rel, f.read())


def check_book(root):
    """All problems with the book under root, and counts of what was seen."""
    tree = Tree(root)
    problems = []
    counts = {"cite": 0, "path": 0, "files": 0}
    readme_rel = "book/README.md"
    if not os.path.exists(os.path.join(root, readme_rel)):
        return ["book/README.md: missing (it is the book's contents)"], counts
    docs = {}
    for path in sorted(glob.glob(os.path.join(root, "book", "*.md"))):
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        docs[rel] = load(root, rel)
    listed = contents(tree, docs[readme_rel], problems)
    for rel, doc in docs.items():
        name = os.path.basename(rel)
        if rel != readme_rel and name not in listed:
            problems.append("%s: not listed in the contents (book/README.md)" % rel)
        counts["files"] += 1
        check_structure(doc, problems)
        check_spans(tree, doc, problems, counts)
        check_links(tree, doc, docs, problems)
    problems += [p for p in appendices.check(root, tree.index)
                 if p.split(":")[0] not in tree.missing]
    # A lab changes the code the samples and the lock diagram describe
    # (the student's tree is not the book's): check them in the base only.
    if not appendices.lab_in_progress(root):
        for rel in list(docs) + ["README.md"]:
            doc = docs.get(rel) or load(root, rel)
            check_sample_lines(tree, doc, problems)
        if LOCK_DIAGRAM in docs:
            check_lock_diagram(root, docs[LOCK_DIAGRAM], problems)
    return problems, counts


def main(argv):
    parser = argparse.ArgumentParser(description="Check the book against the code.")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), help="top of the source tree")
    args = parser.parse_args(argv[1:])
    problems, counts = check_book(args.root)
    for p in problems:
        print(p)
    print("check-book: %d files, %d citations, %d paths: %s"
          % (counts["files"], counts["cite"], counts["path"],
             "%d problem%s" % (len(problems), "" if len(problems) == 1 else "s")
             if problems else "all resolve"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
