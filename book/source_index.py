"""Find the definitions in a source file, for the book's citations.

The book cites code as ``path:name`` (``kernel/mem/vm.c:walk``).  This module
answers the question behind every citation: does ``path`` define ``name``,
and on which line?  It reads the file itself, with a small scanner per
language, and never trusts line numbers written anywhere else.

What counts as a definition:

  C (.c, .h)       a function with a body; a macro (#define); a struct,
                   union or enum tag (cited as ``struct name``); an enum
                   constant; a typedef; a global or static variable.  In a
                   header a prototype or an extern declaration counts too,
                   since the header is where an interface is written down.
  assembly (.S)    a label (``name:``), a macro (#define or .macro)
  Python (.py)     a function, a class, a method (``Class.method``), a
                   module-level variable
  linker script    a symbol assigned there (``end = .``, PROVIDE(end = .))
  Makefile         a target or a variable
  gdb script       a command (``define name``), and Python defs inside it

A row of an X-macro table (SYSCALL_TABLE, ERRNO_TABLE) is not a
definition: cite the table macro instead.

The C scanner is deliberately simple.  It blanks out comments, string
literals and preprocessor lines, then walks the top level of the file
chunk by chunk (a chunk ends at a ';' or at a function body), and names
what each chunk declares.  The tree's style (return type on its own line,
the function name in column 0) keeps that reliable.
"""

import ast
import os
import re

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
C_SUFFIXES = (".c", ".h")
TAG_KINDS = ("struct", "union", "enum")
# Kinds a bare name may resolve to; "declaration" only in a header.
PLAIN_KINDS = ("function", "macro", "typedef", "variable", "enum constant",
               "label", "class", "method", "target", "symbol", "command")
C_KEYWORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do",
    "double", "else", "enum", "extern", "float", "for", "goto", "if",
    "inline", "int", "long", "register", "restrict", "return", "short",
    "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while", "_Bool", "bool", "_Noreturn",
}


class Definition:
    """One thing a file defines: its name, kind and 1-based line."""

    def __init__(self, name, kind, line):
        self.name = name
        self.kind = kind
        self.line = line

    def __repr__(self):
        return "Definition(%r, %r, %d)" % (self.name, self.kind, self.line)


# ---- C ----------------------------------------------------------------------

def blank_comments_and_strings(text):
    """Return text with comments and string/char literals replaced by
    spaces, newlines kept, so offsets and line numbers are unchanged."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            for j in range(i, end):
                if out[j] != "\n":
                    out[j] = " "
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            for j in range(i, end):
                out[j] = " "
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                if out[k] != "\n":
                    out[k] = " "
            i = j + 1
        else:
            i += 1
    return "".join(out)


def blank_preprocessor(text, defs):
    """Blank every preprocessor directive (with its continuation lines),
    recording each #define in defs."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith("#"):
            i += 1
            continue
        m = re.match(r"\s*#\s*define\s+(%s)" % IDENT, lines[i])
        if m:
            defs.append(Definition(m.group(1), "macro", i + 1))
        while True:
            cont = lines[i].rstrip().endswith("\\")
            lines[i] = " " * len(lines[i])
            i += 1
            if not cont or i >= len(lines):
                break
    return "\n".join(lines)


def matching(text, i):
    """Index just past the bracket that closes the one at text[i]."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack = [pairs[text[i]]]
    j = i + 1
    while j < len(text) and stack:
        c = text[j]
        if c in pairs:
            stack.append(pairs[c])
        elif stack and c == stack[-1]:
            stack.pop()
        j += 1
    return j


def remove_groups(text, opener, keyword=None):
    """Replace each balanced group starting with opener (optionally only
    when it follows keyword) by spaces of the same length."""
    out = list(text)
    if keyword:
        starts = [m.end() for m in re.finditer(r"\b%s\s*(?=\()" % keyword, text)]
        for m in re.finditer(r"\b%s\b" % keyword, text):
            for j in range(m.start(), m.end()):
                out[j] = " "
    else:
        starts = [i for i, c in enumerate(text) if c == opener]
    done = 0
    for s in starts:
        if s < done:
            continue
        e = matching(text, s)
        for j in range(s, e):
            if out[j] != "\n":
                out[j] = " "
        done = e
    return "".join(out)


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def top_level_chunks(code):
    """Yield (start, end, body_start) for each top-level chunk of code.
    body_start is the offset of a function body's '{', else None."""
    i, n, start = 0, len(code), 0
    while i < n:
        c = code[i]
        if c in "([":
            i = matching(code, i)
        elif c == "{":
            before = code[start:i].rstrip()
            if before.endswith(")"):
                end = matching(code, i)
                yield start, end, i
                start = i = end
            else:
                i = matching(code, i)
        elif c == ";":
            yield start, i, None
            start = i = i + 1
        else:
            i += 1
    if code[start:].strip():
        yield start, n, None


def split_top(text, sep):
    """Split text at sep characters outside brackets; return offsets."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append((start, i))
            start = i + 1
    parts.append((start, len(text)))
    return parts


def last_paren_group(header):
    """Start offset of the last top-level (...) group in header, or -1."""
    i, last = 0, -1
    while i < len(header):
        if header[i] in "([{":
            if header[i] == "(":
                last = i
            i = matching(header, i)
        else:
            i += 1
    return last


def enum_constants(code, offset, chunk, defs):
    for m in re.finditer(r"\benum\b\s*(?:%s)?\s*\{" % IDENT, chunk):
        body_start = m.end() - 1
        body_end = matching(chunk, body_start) - 1
        body = chunk[body_start + 1:body_end]
        for s, _ in split_top(body, ","):
            im = re.match(r"\s*(%s)\s*(\(?)" % IDENT, body[s:])
            if im and not im.group(2):
                at = offset + body_start + 1 + s + im.start(1)
                defs.append(Definition(im.group(1), "enum constant",
                                       line_of(code, at)))


def tags(code, offset, chunk, defs):
    for m in re.finditer(r"\b(struct|union|enum)\s+(%s)\s*\{" % IDENT, chunk):
        defs.append(Definition("%s %s" % (m.group(1), m.group(2)), m.group(1),
                               line_of(code, offset + m.start(2))))


def declarators(code, offset, chunk, header, defs):
    """Name what a ';'-ended chunk declares: typedef, variables, prototypes."""
    flat = remove_groups(chunk, "(", "__attribute__")
    flat = remove_groups(flat, "{")
    stripped = flat.strip()
    if not stripped:
        return
    if re.match(r"typedef\b", stripped):
        m = re.search(r"\(\s*\*\s*(%s)\s*\)" % IDENT, flat)
        if not m:
            names = list(re.finditer(IDENT, remove_groups(flat, "[")))
            m = names[-1] if names else None
        if m:
            at = m.start(1) if m.re.groups else m.start()
            name = m.group(1) if m.re.groups else m.group()
            defs.append(Definition(name, "typedef", line_of(code, offset + at)))
        return
    if re.match(r"[A-Z_][A-Z0-9_]*\s*\([^;]*\)$", stripped):
        return      # an X-macro table expanded here: no name of its own
    is_extern = re.match(r"extern\b", stripped) is not None
    if is_extern and not header:
        return
    m = re.match(r"\s*(?:(?:static|const|volatile)\s+)*(?:struct|union|enum)\b"
                 r"\s*(?:%s)?\s*\{" % IDENT, chunk)
    if m and not chunk[matching(chunk, m.end() - 1):].strip():
        return      # struct x { ... }; declares only the tag
    for s, e in split_top(flat, ","):
        seg = flat[s:e]
        eq = split_top(seg, "=")[0]
        seg = seg[:eq[1]]
        fp = re.search(r"\(\s*\*\s*(?:const\s+)?(%s)" % IDENT, seg)
        if fp:
            defs.append(Definition(fp.group(1), "variable",
                                   line_of(code, offset + s + fp.start(1))))
            continue
        paren = seg.find("(")
        if paren >= 0:
            names = list(re.finditer(IDENT, seg[:paren]))
            if names and header and names[-1].group() != "_Static_assert":
                m = names[-1]
                defs.append(Definition(m.group(), "declaration",
                                       line_of(code, offset + s + m.start())))
            continue
        words = [m for m in re.finditer(IDENT, remove_groups(seg, "["))
                 if m.group() not in C_KEYWORDS]
        if not words:
            continue
        if len(words) == 1 and re.search(r"\b(struct|union|enum)\s+%s\s*$"
                                         % re.escape(words[0].group()),
                                         chunk[s:s + len(seg)]):
            continue
        kind = "declaration" if is_extern else "variable"
        m = words[-1]
        defs.append(Definition(m.group(), kind, line_of(code, offset + s + m.start())))


def scan_c(text, header=False):
    """The definitions in C source text."""
    defs = []
    code = blank_comments_and_strings(text)
    code = blank_preprocessor(code, defs)
    # A macro call alone on a line at the top level (SYSCALL_TABLE(X)) ends
    # a chunk, as if it had its ';'.
    code = re.sub(r"(?m)^([A-Z_][A-Z0-9_]*\s*\([^;{}\n]*\))[ \t]*$(?!\s*\{)",
                  r"\1;", code)
    for start, end, body in top_level_chunks(code):
        chunk = code[start:end]
        tags(code, start, chunk, defs)
        enum_constants(code, start, chunk, defs)
        if body is not None:
            head = remove_groups(code[start:body], "(", "__attribute__")
            p = last_paren_group(head)
            names = list(re.finditer(IDENT, head[:p])) if p > 0 else []
            inner = re.match(r"\(\s*(%s)\s*\)$" % IDENT,
                             head[p:].strip()) if p > 0 else None
            if names and inner and re.match(r"[A-Z_][A-Z0-9_]*$", names[-1].group()):
                # TEST(name) { ... }: a function a macro names for us.
                defs.append(Definition(inner.group(1), "function",
                                       line_of(code, start + p + inner.start(1))))
            elif names:
                m = names[-1]
                defs.append(Definition(m.group(), "function",
                                       line_of(code, start + m.start())))
        else:
            declarators(code, start, chunk, header, defs)
    return defs


# ---- other languages --------------------------------------------------------

def scan_asm(text):
    defs = []
    code = blank_comments_and_strings(text)
    code = blank_preprocessor(code, defs)
    for i, line in enumerate(code.split("\n"), 1):
        for m in re.finditer(r"(?:^|;)\s*([A-Za-z_.$][\w.$]*):", line):
            defs.append(Definition(m.group(1), "label", i))
        m = re.match(r"\s*\.macro\s+(%s)" % IDENT, line)
        if m:
            defs.append(Definition(m.group(1), "macro", i))
        m = re.match(r"\s*\.(?:set|equ)\s+(%s)" % IDENT, line)
        if m:
            defs.append(Definition(m.group(1), "symbol", i))
    return defs


def scan_python(text):
    defs = []
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return scan_python_lines(text)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defs.append(Definition(node.name, "function", node.lineno))
        elif isinstance(node, ast.ClassDef):
            defs.append(Definition(node.name, "class", node.lineno))
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    defs.append(Definition("%s.%s" % (node.name, item.name),
                                           "method", item.lineno))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    defs.append(Definition(t.id, "variable", node.lineno))
    return defs


def scan_python_lines(text):
    """Python defs found line by line (for gdb scripts with Python in them,
    or a file that does not parse)."""
    defs, cls = [], None
    for i, line in enumerate(text.split("\n"), 1):
        m = re.match(r"(\s*)(def|class)\s+(%s)" % IDENT, line)
        if not m:
            continue
        if m.group(2) == "class":
            cls = (len(m.group(1)), m.group(3))
            defs.append(Definition(m.group(3), "class", i))
        else:
            defs.append(Definition(m.group(3), "function", i))
            if cls and len(m.group(1)) > cls[0]:
                defs.append(Definition("%s.%s" % (cls[1], m.group(3)), "method", i))
    return defs


def scan_gdb(text):
    defs = scan_python_lines(text)
    for i, line in enumerate(text.split("\n"), 1):
        m = re.match(r"\s*define\s+([\w-]+)", line)
        if m:
            defs.append(Definition(m.group(1), "command", i))
    return defs


def scan_linker(text):
    defs = []
    code = blank_comments_and_strings(text)
    for i, line in enumerate(code.split("\n"), 1):
        for m in re.finditer(r"(?:PROVIDE\s*\(\s*|^\s*)(%s)\s*=" % IDENT, line):
            defs.append(Definition(m.group(1), "symbol", i))
    return defs


def scan_make(text):
    defs = []
    for i, line in enumerate(text.split("\n"), 1):
        if line.startswith("\t") or line.startswith("#"):
            continue
        m = re.match(r"([A-Za-z_][\w.]*)\s*(?:\?|\+|:|::|!)?=", line)
        if m:
            defs.append(Definition(m.group(1), "variable", i))
            continue
        m = re.match(r"([^:=#\s][^:=#]*?)\s*::?(?!=)", line)
        if m:
            for target in m.group(1).split():
                if "$" not in target:
                    defs.append(Definition(target, "target", i))
    return defs


def scan_shell(text):
    defs = []
    for i, line in enumerate(text.split("\n"), 1):
        m = re.match(r"\s*(?:function\s+)?(%s)\s*\(\)" % IDENT, line)
        if m:
            defs.append(Definition(m.group(1), "function", i))
    return defs


def scanner_for(path):
    """The scanner function for a file path, or None when the file's
    language is not one the book may cite names in."""
    base = os.path.basename(path)
    if path.endswith(C_SUFFIXES):
        return lambda text: scan_c(text, header=path.endswith(".h"))
    if path.endswith(".S") or path.endswith(".s"):
        return scan_asm
    if path.endswith(".py"):
        return scan_python
    if path.endswith(".ld"):
        return scan_linker
    if base == "Makefile" or path.endswith(".mk"):
        return scan_make
    if "gdbinit" in base or path.endswith(".gdb"):
        return scan_gdb
    if path.endswith(".sh"):
        return scan_shell
    return None


class SourceIndex:
    """Definitions of the files under one tree, read on first use."""

    def __init__(self, root):
        self.root = root
        self.cache = {}

    def exists(self, path):
        return os.path.exists(os.path.join(self.root, path))

    def definitions(self, path):
        """All definitions in path (a path relative to the root); None when
        the file's language has no scanner."""
        if path not in self.cache:
            scan = scanner_for(path)
            if scan is None:
                self.cache[path] = None
            else:
                with open(os.path.join(self.root, path), encoding="utf-8",
                          errors="replace") as f:
                    self.cache[path] = scan(f.read())
        return self.cache[path]

    def resolve(self, path, name):
        """The Definition that ``path:name`` cites, or None.  ``struct x``
        (union, enum) names a tag; a bare name anything else.  A function
        body wins over a declaration of the same name."""
        defs = self.definitions(path) or []
        header = path.endswith(".h")
        tag = name.split()[0] in TAG_KINDS and len(name.split()) == 2
        if tag:
            name = " ".join(name.split())
            found = [d for d in defs if d.name == name]
        else:
            allowed = PLAIN_KINDS + (("declaration",) if header else ())
            found = [d for d in defs if d.name == name and d.kind in allowed]
        found.sort(key=lambda d: (d.kind == "declaration", d.line))
        return found[0] if found else None

    def names(self, path):
        """Every citable name in path, for suggestions."""
        return sorted({d.name for d in self.definitions(path) or []})
