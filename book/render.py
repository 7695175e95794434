#!/usr/bin/env python3
"""Render the book to HTML, with every citation a link into the code.

    python3 book/render.py [OUTDIR]        (default: build/book)

Each Markdown file in book/ becomes OUTDIR/NAME.html (README.md becomes
index.html) through pandoc's GitHub-flavoured reader, so headings get the
same ids a code-hosting site gives them.  Before pandoc sees a chapter:

  - each citation `path:name` becomes a link to
    src/PATH.html#LN, where N is the line the definition is on today
    (found by book/source_index.py, as the checker finds it);
  - each bare path to a file becomes a link to src/PATH.html;
  - links to other chapters (x.md) become links to x.html, and links into
    the tree (../kernel/mem/vm.c) links to the source view.

The source views, OUTDIR/src/PATH.html, are written here: the file as
plain text with a numbered, linkable anchor (id "LN") on every line.

Finally every internal link in OUTDIR is followed: its file must exist and
its #fragment must be an id in that file.  Exit status 1 when pandoc fails
or a link is broken, 2 when pandoc is not installed.
"""

import argparse
import html
import html.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CSS = """\
body { max-width: 52em; margin: 2em auto; padding: 0 1em;
       font: 16px/1.5 system-ui, sans-serif; color: #222; }
pre, code { font-family: ui-monospace, monospace; font-size: 90%; }
pre { background: #f6f8fa; padding: .8em; overflow-x: auto; }
code { background: #f6f8fa; padding: 0 .2em; }
a code { color: #0645ad; }
table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: .2em .5em; vertical-align: top; }
nav { font-size: 90%; margin: 1em 0; }
nav a { margin-right: 1.5em; }
pre.source { background: none; padding: 0; font-size: 85%; line-height: 1.35; }
pre.source span.line { display: block; }
pre.source span.line:target { background: #fff3b0; }
pre.source a.n { display: inline-block; width: 4em; color: #999;
                 text-align: right; margin-right: 1em; text-decoration: none; }
"""


# ---- turning the book's Markdown into pandoc's input -------------------------

def html_name(md_name):
    return "index.html" if md_name == "README.md" else md_name[:-3] + ".html"


def src_href(path, line=None):
    """The link from a chapter to the source view of path."""
    href = "src/" + urllib.parse.quote(path) + ".html"
    return href + ("#L%d" % line if line else "")


class Linker:
    """Rewrites one chapter's code spans and links, and remembers which
    source files the book links to."""

    def __init__(self, tree):
        self.tree = tree
        self.sources = set()

    def span(self, m, text, start):
        ticks, body = m.group(1), m.group(2)
        span = " ".join(body.split())
        if start > 0 and text[start - 1] == "[":
            return m.group()            # already the text of a link
        kind, problem = check.check_span(self.tree, span)
        if kind is None or problem:
            return m.group()
        c = check.CITE_RE.match(span)
        if kind == "cite" and c:
            d = self.tree.index.resolve(c.group("path"), c.group("name"))
            self.sources.add(c.group("path"))
            return "[%s](%s)" % (m.group(), src_href(c.group("path"), d.line))
        path = span.rstrip("/")
        if os.path.isfile(os.path.join(self.tree.root, path)):
            self.sources.add(path)
            return "[%s](%s)" % (m.group(), src_href(path))
        return m.group()

    def link(self, m):
        target = m.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith(("#", "//")):
            return m.group()
        path, hash_, anchor = target.partition("#")
        rel = os.path.normpath(os.path.join("book", path)).replace(os.sep, "/")
        if rel.startswith("book/") and rel.endswith(".md") and rel.count("/") == 1:
            new = html_name(os.path.basename(rel))
        elif os.path.isfile(os.path.join(self.tree.root, rel)):
            self.sources.add(rel)
            new = src_href(rel)
            if not re.fullmatch(r"L\d+", anchor):
                hash_, anchor = "", ""     # a source view has only line ids
        else:
            return m.group()
        return "%s%s%s%s" % (m.group(1), new, hash_, anchor)

    def rewrite(self, text):
        """The chapter with citations and links rewritten, fenced blocks
        left exactly as they are."""
        out, prose = [], []
        fence = None
        for line in text.split("\n"):
            m = check.FENCE_RE.match(line)
            if fence is None and m:
                out.append(self._prose("\n".join(prose)))
                prose = []
                fence = m.group(1)
                out.append(line)
            elif fence is not None:
                out.append(line)
                if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                    fence = None
            else:
                prose.append(line)
        out.append(self._prose("\n".join(prose)))
        return "\n".join(x for x in out if x is not None)

    def _prose(self, text):
        if not text:
            return None
        pieces, last = [], 0
        for m in re.finditer(r"(?<!`)(`+)(?!`)((?:(?!\n\s*\n).)+?)(?<!`)\1(?!`)",
                             text, re.S):
            pieces.append(self._links(text[last:m.start()]))
            pieces.append(self.span(m, text, m.start()))
            last = m.end()
        pieces.append(self._links(text[last:]))
        return "".join(pieces)

    def _links(self, text):
        return re.sub(r"(\]\()\s*<?([^)\s>]+)>?(?=[\s)])", self.link, text)


# ---- source views -----------------------------------------------------------

def write_source(root, outdir, path):
    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    dest = os.path.join(outdir, "src", path + ".html")
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    up = "../" * (path.count("/") + 1)
    body = "\n".join(
        '<span class="line" id="L%d"><a class="n" href="#L%d">%d</a>%s</span>'
        % (i, i, i, html.escape(line)) for i, line in enumerate(lines, 1))
    with open(dest, "w", encoding="utf-8") as f:
        f.write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                "<title>%s</title><link rel=\"stylesheet\" href=\"%sbook.css\">"
                "</head><body>\n<nav><a href=\"%sindex.html\">contents</a></nav>\n"
                "<h1><code>%s</code></h1>\n<pre class=\"source\">%s</pre>\n"
                "</body></html>\n"
                % (html.escape(path), up, up, html.escape(path), body))


# ---- the whole book ---------------------------------------------------------

def nav_html(order, i):
    parts = []
    if i > 0:
        parts.append('<a href="%s">&larr; previous</a>' % html_name(order[i - 1]))
    parts.append('<a href="index.html">contents</a>')
    if i + 1 < len(order):
        parts.append('<a href="%s">next &rarr;</a>' % html_name(order[i + 1]))
    return "<nav>%s</nav>\n" % " ".join(parts)


def title_of(text, fallback):
    m = re.search(r"^# (.+)$", text, re.M)
    return re.sub(r"[`*]", "", m.group(1)).strip() if m else fallback


def render(root, outdir):
    """Render every book file into outdir; return a list of problems."""
    tree = check.Tree(root)
    linker = Linker(tree)
    book = os.path.join(root, "book")
    names = sorted(n for n in os.listdir(book) if n.endswith(".md"))
    readme = check.load(root, "book/README.md")
    order = [n for n in check.contents(tree, readme, []) if n in names]
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "book.css"), "w") as f:
        f.write(CSS)
    problems = []
    with tempfile.TemporaryDirectory(prefix="book-") as tmp:
        for name in names:
            with open(os.path.join(book, name), encoding="utf-8") as f:
                text = f.read()
            md = os.path.join(tmp, name)
            with open(md, "w", encoding="utf-8") as f:
                f.write(linker.rewrite(text))
            nav = os.path.join(tmp, name + ".nav.html")
            with open(nav, "w") as f:
                f.write(nav_html(order, order.index(name)) if name in order else
                        '<nav><a href="index.html">contents</a></nav>\n')
            cmd = ["pandoc", "-f", "gfm", "-t", "html5", "-s",
                   "--metadata", "pagetitle=%s" % title_of(text, name),
                   "--css", "book.css", "-B", nav, "-A", nav,
                   "-o", os.path.join(outdir, html_name(name)), md]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                problems.append("pandoc failed on book/%s: %s" % (name, r.stderr.strip()))
    for path in sorted(linker.sources):
        write_source(root, outdir, path)
    return problems


# ---- checking the result ----------------------------------------------------

class _Collector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.ids.add(value)
            if key in ("href", "src") and value:
                self.hrefs.append(value)


def check_html_links(outdir):
    """Every internal link of every HTML file under outdir must reach an
    existing file and, with a #fragment, an id in it.  Returns problems."""
    pages = {}
    for dirpath, _, files in os.walk(outdir):
        for name in files:
            if name.endswith(".html"):
                path = os.path.normpath(os.path.join(dirpath, name))
                c = _Collector()
                with open(path, encoding="utf-8") as f:
                    c.feed(f.read())
                pages[path] = c
    problems = []
    for path, c in sorted(pages.items()):
        for href in c.hrefs:
            if re.match(r"^[a-z][a-z0-9+.-]*:", href) or href.startswith("//"):
                continue
            target, _, frag = urllib.parse.unquote(href).partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(path), target)) \
                if target else path
            where = os.path.relpath(path, outdir)
            if not os.path.exists(dest):
                problems.append("%s: link %s: no file %s"
                                % (where, href, os.path.relpath(dest, outdir)))
            elif frag and (dest not in pages or frag not in pages[dest].ids):
                problems.append("%s: link %s: no id %r in %s"
                                % (where, href, frag, os.path.relpath(dest, outdir)))
    return problems, len(pages)


def main(argv):
    parser = argparse.ArgumentParser(description="Render the book to HTML.")
    parser.add_argument("--root", default=ROOT, help="top of the source tree")
    parser.add_argument("outdir", nargs="?", help="where to write (build/book)")
    args = parser.parse_args(argv[1:])
    outdir = args.outdir or os.path.join(args.root, "build", "book")
    if shutil.which("pandoc") is None:
        print("make book needs pandoc: install it with 'sudo apt-get install pandoc'"
              " (or 'make deps')", file=sys.stderr)
        return 2
    problems = render(args.root, outdir)
    link_problems, npages = check_html_links(outdir)
    problems += link_problems
    for p in problems:
        print(p)
    print("book: %d pages in %s%s" % (npages, os.path.relpath(outdir),
                                      ", %d problems" % len(problems) if problems else
                                      ", every internal link resolves"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
