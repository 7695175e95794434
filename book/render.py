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

A Markdown file of the tree that the book links to (the top README.md,
say) is rendered the same way, as the page src/PATH.html, and what it
links to is rendered in turn.  Every other file the book reaches, and every
source file under kernel/, include/, user/ and mkfs/, gets a source view,
src/PATH.html: the file coloured by pandoc's highlighter (one pandoc run
for all of them), with a numbered, linkable anchor (id "LN") on every line.

Every page has the same frame: a sidebar with the contents (the current
page's sections or, in a source view, its definitions) and a search box,
and previous / next links along the chapters.  The search runs in the
browser, from files alone: search.html loads search-index.js (every
section of the book and every definition in the code, written here) and
book/search.js.  book/book.css is the style sheet.

Finally every internal link in OUTDIR is followed: its file must exist and
its #fragment must be an id in that file.  Exit status 1 when pandoc fails
or a link is broken, 2 when pandoc is not installed.
(book/browser_check.py then loads every page in a real browser.)
"""

import argparse
import html
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))

# Every source file under these directories gets a source view, cited or
# not, so that the search finds any function of the system.
CODE_DIRS = ("kernel", "include", "user", "mkfs")

# The language pandoc's highlighter is told for each kind of file; a file
# of another kind is shown as plain text.
LANGUAGES = {".c": "c", ".h": "c", ".S": "gnuassembler", ".py": "python",
             ".sh": "bash", ".awk": "awk", ".mk": "makefile", ".js": "javascript",
             ".css": "css"}


def language(path):
    if posixpath.basename(path) == "Makefile":
        return "makefile"
    return LANGUAGES.get(posixpath.splitext(path)[1])


# ---- where each page goes ---------------------------------------------------

def html_name(md_name):
    return "index.html" if md_name == "README.md" else md_name[:-3] + ".html"


def is_chapter(path):
    """Is tree path one of the book's own Markdown files?"""
    return path.startswith("book/") and path.count("/") == 1 and path.endswith(".md")


def page_of(path):
    """The page, relative to OUTDIR, that shows tree file path."""
    return html_name(path[len("book/"):]) if is_chapter(path) else "src/%s.html" % path


def href(from_page, path, fragment=""):
    """A link from the page from_page to the page of tree file path."""
    rel = posixpath.relpath(page_of(path), posixpath.dirname(from_page) or ".")
    return urllib.parse.quote(rel) + ("#" + fragment if fragment else "")


def up(page):
    """The way from page back to the top of OUTDIR: "", "../", ..."""
    return "../" * page.count("/")


# ---- turning Markdown into pandoc's input -----------------------------------

class Linker:
    """Rewrites the code spans and links of one Markdown file at a time,
    and remembers which other files of the tree they lead to: Markdown
    files (rendered as pages) and the rest (shown as source views)."""

    def __init__(self, tree):
        self.tree = tree
        self.sources = set()
        self.markdown = set()
        self.page = "index.html"      # the page being written
        self.dir = "book"             # the directory of its Markdown file

    def reach(self, path, fragment=""):
        """The link to tree file path from the current page."""
        if path.endswith(".md") and not is_chapter(path):
            self.markdown.add(path)
        elif not is_chapter(path):
            self.sources.add(path)
        return href(self.page, path, fragment)

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
            return "[%s](%s)" % (m.group(), self.reach(c.group("path"), "L%d" % d.line))
        path = span.rstrip("/")
        if os.path.isfile(os.path.join(self.tree.root, path)) and \
                not self.tree.is_build_product(path):  # kernel/kernel.asm, say
            return "[%s](%s)" % (m.group(), self.reach(path))
        return m.group()

    def link(self, m):
        target = m.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith(("#", "//")):
            return m.group()
        path, _, anchor = target.partition("#")
        rel = posixpath.normpath(posixpath.join(self.dir, path))
        if not (is_chapter(rel) or os.path.isfile(os.path.join(self.tree.root, rel))):
            return m.group()
        if not rel.endswith(".md") and not re.fullmatch(r"L\d+", anchor):
            anchor = ""                 # a source view has only line ids
        return m.group(1) + self.reach(rel, anchor)

    def rewrite(self, text, path):
        """The Markdown file path (text) with citations and links
        rewritten for its page, fenced blocks left exactly as they are."""
        self.page, self.dir = page_of(path), posixpath.dirname(path)
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


# ---- pandoc -----------------------------------------------------------------

def pandoc(text, reader="gfm"):
    """text converted to an HTML fragment; raises RuntimeError on failure."""
    r = subprocess.run(["pandoc", "-f", reader, "-t", "html5"], input=text,
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip())
    return r.stdout


def highlight_css():
    """The CSS of pandoc's default highlighting style: what a standalone
    page gets in its <style>, through a template that holds only that."""
    with tempfile.TemporaryDirectory(prefix="book-") as tmp:
        template = os.path.join(tmp, "css.tpl")
        with open(template, "w") as f:
            f.write("$highlighting-css$\n")
        r = subprocess.run(["pandoc", "-f", "gfm", "-t", "html5", "-s", "--template",
                            template, "--metadata", "pagetitle=css"],
                           input="```c\nint x;\n```\n", capture_output=True, text=True)
    return r.stdout if r.returncode == 0 else ""


HEADING_RE = re.compile(r'<h([1-6]) id="([^"]*)"[^>]*>(.*?)</h\1>', re.S)


def text_of(fragment):
    """The plain text of an HTML fragment, white space collapsed: a block
    element (a paragraph, a list item, a cell) ends a word, an inline one
    (a link, a code span) does not."""
    text = re.sub(r"</?(?:p|li|h\d|div|pre|td|th|tr|br|dt|dd|blockquote)\b[^>]*>",
                  " ", fragment)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


def sections(fragment):
    """(level, id, title, text) of each headed part of an HTML fragment,
    the text running to the next heading."""
    found = list(HEADING_RE.finditer(fragment))
    out = []
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(fragment)
        out.append((int(m.group(1)), m.group(2), text_of(m.group(3)),
                    text_of(fragment[m.end():end])))
    return out


# ---- source views -----------------------------------------------------------

def read_lines(root, path):
    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


# One line of a highlighted block: <span id="cb1-7"><a ...></a>TOKENS</span>
LINE_RE = re.compile(r'<span id="[^"]*">(?:<a [^>]*></a>)?(.*)</span>')


def highlight(root, paths):
    """{path: [the HTML of each line]} for the files among paths whose
    language pandoc knows, from one pandoc run over all of them.  A file
    missing from the answer is shown as plain text."""
    files = [(p, language(p), read_lines(root, p)) for p in sorted(paths) if language(p)]
    chunks = []
    for _, lang, lines in files:
        body = "\n".join(lines)
        ticks = max([len(t) for t in re.findall("`+", body)] + [2])
        fence = "`" * (ticks + 1)       # longer than any run in the file
        chunks.append("%s%s\n%s\n%s\n" % (fence, lang, body, fence))
    try:
        out = pandoc("\n".join(chunks), reader="commonmark")
    except RuntimeError:
        return {}
    blocks = re.findall(r'<code class="sourceCode[^"]*">(.*?)</code>', out, re.S)
    if len(blocks) != len(files):
        return {}
    result = {}
    for (path, _, lines), block in zip(files, blocks):
        matches = [LINE_RE.fullmatch(line) for line in block.split("\n")]
        # pandoc drops blank lines at the end of a block: add them back.
        if all(matches) and len(matches) <= len(lines):
            result[path] = [m.group(1) for m in matches] + [""] * (len(lines) - len(matches))
    return result


def source_body(path, lines, coloured):
    """A source view's main column: every line a span with id LN and a
    number linking to itself.  Lines are separated by newlines and the
    spans are inline, so one line of the file is one line on screen."""
    cells = coloured or [html.escape(line) for line in lines]
    rows = "\n".join('<span class="line" id="L%d"><a class="n" href="#L%d">%d</a>%s</span>'
                     % (i, i, i, cell) for i, cell in enumerate(cells, 1))
    return ('<h1><code>%s</code></h1>\n<pre class="source"><code>%s</code></pre>\n'
            % (html.escape(path), rows))


def code_files(tree):
    """Every source file under CODE_DIRS that is not a build product."""
    found = []
    for top in CODE_DIRS:
        for dirpath, dirs, files in os.walk(os.path.join(tree.root, top)):
            dirs.sort()
            for name in sorted(files):
                path = os.path.relpath(os.path.join(dirpath, name), tree.root)
                path = path.replace(os.sep, "/")
                if (language(path) or path.endswith(".ld")) and \
                        not tree.is_build_product(path):
                    found.append(path)
    return found


# ---- the frame of every page ------------------------------------------------

class Page:
    """One page to write: where, its title, its main column, and what the
    sidebar lists for it (sections, or a source file's definitions)."""

    def __init__(self, name, title, body, toc=(), kind="prose", script=""):
        self.name = name          # the path under OUTDIR
        self.title = title
        self.body = body
        self.toc = list(toc)      # (level, href, text, note)
        self.kind = kind          # "prose" or "source"
        self.script = script      # HTML at the end of the page


def toc_html(entries):
    """Nested lists of (level, href, text, note) entries: deeper levels
    under the entry before them."""
    out, depth = [], []
    for level, link, text, note in entries:
        while depth and depth[-1] > level:
            out.append("</li></ul>")
            depth.pop()
        if depth and depth[-1] == level:
            out.append("</li>")
        else:
            out.append("<ul>")
            depth.append(level)
        out.append('<li><a href="%s">%s</a>%s' % (html.escape(link), html.escape(text),
                   ' <span class="kind">%s</span>' % html.escape(note) if note else ""))
    while depth:
        out.append("</li></ul>")
        depth.pop()
    return "".join(out)


def sidebar(book, page):
    """The contents: the book's pages, the current one with its sections;
    other pages (a source view, say) list their own parts below."""
    top = up(page.name)

    def item(name, title, nested=False):
        """A link to page name; the current page's sections under it."""
        current = name == page.name
        return '<li%s><a href="%s%s">%s</a>%s</li>\n' % (
            ' class="current"' if current else "", top, name, html.escape(title),
            toc_html(page.toc) if current and nested else "")

    chapters = [html_name(n) for n, _ in book.chapters]
    own = ""
    if page.toc and page.name not in chapters:
        own = "<h2>On this page</h2>\n" + toc_html(page.toc) + "\n"
    return ('<nav class="sidebar" aria-label="Table of contents">\n'
            '<p class="book"><a href="%sindex.html">%s</a></p>\n'
            '<form class="search" action="%ssearch.html">'
            '<input type="search" name="q" placeholder="Search"'
            ' aria-label="Search the book and the code"></form>\n'
            '<h2>Chapters</h2>\n<ul>\n%s</ul>\n%s<h2>The code</h2>\n<ul>\n%s%s</ul>\n'
            '</nav>\n'
            % (top, html.escape(book.title), top,
               "".join(item(c, t, nested=True) for c, (_, t) in zip(chapters, book.chapters)),
               own, item("files.html", "All source files"),
               item(page_of("README.md"), "The repository's README")))


def pager(book, page):
    """Previous / next links, on the pages of the book's own files."""
    names = [html_name(n) for n, _ in book.chapters]
    if page.name not in names:
        return ""
    i = names.index(page.name)
    titles = [html.escape(title) for _, title in book.chapters]
    prev = nxt = "<span></span>"        # keeps "next" on the right
    if i > 0:
        prev = '<a rel="prev" href="%s">&larr; %s</a>' % (names[i - 1], titles[i - 1])
    if i + 1 < len(names):
        nxt = '<a rel="next" href="%s">%s &rarr;</a>' % (names[i + 1], titles[i + 1])
    return '<nav class="pager">%s%s</nav>\n' % (prev, nxt)


def write_page(outdir, book, page):
    nav = pager(book, page)
    title = page.title if page.name == "index.html" else "%s · %s" % (page.title, book.title)
    dest = os.path.join(outdir, page.name)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, "w", encoding="utf-8") as f:
        f.write('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
                '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                '<title>%s</title>\n<link rel="stylesheet" href="%sbook.css">\n'
                '</head><body>\n%s<main class="%s">\n%s%s%s%s</main>\n</body></html>\n'
                % (html.escape(title), up(page.name), sidebar(book, page), page.kind,
                   nav, page.body, nav, page.script))


# ---- the whole book ---------------------------------------------------------

class Book:
    """What every page's frame needs: the title and the chapters in
    reading order, as (file name, title)."""

    def __init__(self, title, chapters):
        self.title = title
        self.chapters = chapters


def title_of(text, fallback):
    m = re.search(r"^# (.+)$", text, re.M)
    return re.sub(r"[`*]", "", m.group(1)).strip() if m else fallback


def markdown_page(tree, linker, path, index):
    """The page of Markdown file path, its sections added to the index."""
    text = check.load(tree.root, path).text
    body = pandoc(linker.rewrite(text, path))
    name = page_of(path)
    title = title_of(text, path)
    parts = sections(body)
    for level, ident, heading, words in parts:
        where = title if level == 1 or heading == title else "%s › %s" % (title, heading)
        index["sections"].append([where, name + "#" + ident, words])
    toc = [(level, "#" + ident, heading, "") for level, ident, heading, _ in parts
           if level in (2, 3)]
    return Page(name, title, body, toc)


def source_page(tree, path, lines, coloured, index):
    defs = sorted({(d.line, d.name, d.kind) for d in tree.index.definitions(path) or []})
    name = page_of(path)
    index["files"].append([path, name, [[n, k, line] for line, n, k in defs]])
    toc = [(1, "#L%d" % line, n, k) for line, n, k in defs]
    return Page(name, path, source_body(path, lines, coloured), toc, kind="source")


def files_page(paths):
    """files.html: every source view and rendered file, by directory."""
    by_dir = {}
    for path in sorted(paths):
        by_dir.setdefault(posixpath.dirname(path) or ".", []).append(path)
    body, toc = ["<h1>Source files</h1>\n"], []
    for d in sorted(by_dir):
        ident = "dir-" + re.sub(r"[^A-Za-z0-9]+", "-", d).strip("-")
        toc.append((2, "#" + ident, d + "/" if d != "." else "(top)", ""))
        body.append('<h2 id="%s"><code>%s</code></h2>\n<ul class="files">\n' % (ident, html.escape(toc[-1][2])))
        for path in by_dir[d]:
            body.append('<li><a href="%s"><code>%s</code></a></li>\n'
                        % (href("files.html", path), html.escape(posixpath.basename(path))))
        body.append("</ul>\n")
    return Page("files.html", "Source files", "".join(body), toc)


def search_page():
    body = ('<h1>Search</h1>\n<div id="results"><p>Type a word, or the name of a '
            'function, type or macro, in the box at the top of the contents.</p></div>\n'
            '<noscript><p>The search needs JavaScript.</p></noscript>\n')
    script = ('<script src="search-index.js"></script>\n'
              '<script src="search.js"></script>\n')
    return Page("search.html", "Search", body, script=script)


def render(root, outdir):
    """Render every book file into outdir; return a list of problems."""
    tree = check.Tree(root)
    linker = Linker(tree)
    book_dir = os.path.join(root, "book")
    names = sorted(n for n in os.listdir(book_dir) if n.endswith(".md"))
    readme = check.load(root, "book/README.md")
    order = ["README.md"] + [n for n in check.contents(tree, readme, []) if n in names]
    titles = {}
    for name in order:
        with open(os.path.join(book_dir, name), encoding="utf-8") as f:
            titles[name] = title_of(f.read(), name)
    book = Book(titles["README.md"], [(n, titles[n]) for n in order])
    os.makedirs(outdir, exist_ok=True)
    index = {"sections": [], "files": []}
    pages, problems = [], []

    # The book's own files, then the tree's Markdown files they reach.
    todo, done = ["book/" + n for n in names], set()
    while todo:
        path = todo.pop(0)
        done.add(path)
        try:
            pages.append(markdown_page(tree, linker, path, index))
        except RuntimeError as e:
            problems.append("pandoc failed on %s: %s" % (path, e))
        todo += sorted(linker.markdown - done - set(todo))

    # Source views: what the pages link to, and all the code.
    sources = sorted(linker.sources | set(code_files(tree)))
    coloured = highlight(root, sources)
    plain = [p for p in sources if language(p) and p not in coloured]
    if plain:
        print("book: pandoc's highlighting not understood, shown as plain text: %s"
              % " ".join(plain), file=sys.stderr)
    for path in sources:
        lines = read_lines(root, path)
        pages.append(source_page(tree, path, lines, coloured.get(path), index))

    pages.append(files_page(sources + sorted(linker.markdown)))
    pages.append(search_page())
    for page in pages:
        write_page(outdir, book, page)
    with open(os.path.join(HERE, "book.css"), encoding="utf-8") as f:
        css = f.read()
    with open(os.path.join(outdir, "book.css"), "w", encoding="utf-8") as f:
        f.write(css + "\n/* pandoc's highlighting style */\n" + highlight_css())
    shutil.copy(os.path.join(HERE, "search.js"), os.path.join(outdir, "search.js"))
    with open(os.path.join(outdir, "search-index.js"), "w", encoding="utf-8") as f:
        f.write("// Every section of the book and every definition in the code,\n"
                "// for search.js (written by book/render.py).\n"
                "var SEARCH_INDEX = %s;\n" % json.dumps(index, separators=(",", ":")))
    return problems


# ---- checking the result ----------------------------------------------------

# A start tag, and in it an attribute that names an element or links.
# pandoc and this file escape every "<" of text and write every attribute
# value in double quotes, so regular expressions find them all, in a
# fraction of the time an HTML parser takes over the tens of thousands of
# tags of the source views.
TAG_RE = re.compile(r'<[a-zA-Z](?:[^>"]|"[^"]*")*>')
ATTR_RE = re.compile(r'\s(id|name|href|src)="([^"]*)"')


class _Collector:
    """The ids (and names) in one page, and the addresses it links to."""

    def __init__(self, text):
        self.ids = set()
        self.hrefs = []
        for tag in TAG_RE.findall(text):
            for key, value in ATTR_RE.findall(tag):
                value = html.unescape(value)
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
                with open(path, encoding="utf-8") as f:
                    pages[path] = _Collector(f.read())
    problems = []
    for path, c in sorted(pages.items()):
        for href in c.hrefs:
            if re.match(r"^[a-z][a-z0-9+.-]*:", href) or href.startswith("//"):
                continue
            target, _, frag = urllib.parse.unquote(href).partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(path), target)) \
                if target else path
            where = os.path.relpath(path, outdir)
            if dest not in pages and not os.path.exists(dest):
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
