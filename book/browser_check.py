#!/usr/bin/env python3
"""Load every page of the HTML book in a real browser: headless Chromium.

    python3 book/browser_check.py

It renders the book (book/render.py) into a temporary directory, starts
Chromium once, and drives it over the DevTools protocol, on a pipe: the
browser reads commands from its file descriptor 3 and writes answers and
events to descriptor 4, each message JSON ended by a NUL byte.  That needs
nothing but Python's standard library.

For every page of the book it checks that

  - the page, and everything it loads (style sheet, scripts), loads;
  - no script throws and nothing is logged to the console as an error;
  - every link in the page as the browser sees it, after its scripts ran,
    reaches a file of the book and, with a #fragment, an element with
    that id in it.

Then it searches as a reader would (search.html?q=walk, which is where the
search box sends a query) and checks that the first result for a kernel
function is the line that defines it, and that a search for words of the
prose finds the chapter about them.  Before all that it loads a page made
to fail, to prove that the check sees each kind of failure.

Without Chromium (or pandoc) it says "skipped" and succeeds.  It prints a
line per problem and ends with "N passed, M failed": a pass for each page
and each search.
"""

import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import check  # noqa: E402
import render  # noqa: E402

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         "--remote-debugging-pipe"]

# Kernel functions to search for: the first result must be the definition.
SEARCHES = [("walk", "kernel/mem/vm.c"), ("kalloc", "kernel/mem/kalloc.c"),
            ("usertrap", "kernel/riscv/trap.c")]
# Words of the prose, and the page whose sections must come up.
PROSE_SEARCHES = [("buddy allocator", "04-memory.html")]

# What the page reports of itself once loaded: the ids in it, and every
# address it links to or loads, resolved by the browser.
INSPECT = """(() => ({
  ids: Array.from(document.querySelectorAll("[id]"), e => e.id)
         .concat(Array.from(document.querySelectorAll("a[name]"), e => e.name)),
  links: Array.from(document.querySelectorAll("a[href], link[href]"), e => e.href)
         .concat(Array.from(document.querySelectorAll("script[src], img[src]"), e => e.src)),
  results: Array.from(document.querySelectorAll("#results a"), e => e.href),
}))()"""


class BrowserError(Exception):
    pass


class Browser:
    """One headless Chromium and one tab in it, driven over the pipe."""

    def __init__(self, exe):
        self.profile = tempfile.mkdtemp(prefix="book-chromium-")
        self.log = open(os.path.join(self.profile, "stderr.txt"), "w+")
        to_r, to_w = os.pipe()          # commands, to the browser
        from_r, from_w = os.pipe()      # answers and events, from it
        # The child's ends, moved to 5 or above, so that putting them on 3
        # and 4 cannot overwrite one with the other.
        ends = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 5) for fd in (to_r, from_w)]
        os.close(to_r)
        os.close(from_w)

        def on_3_and_4():               # runs in the child, before exec
            os.dup2(ends[0], 3)
            os.dup2(ends[1], 4)

        self.proc = subprocess.Popen(
            [exe] + FLAGS + ["--user-data-dir=" + self.profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            preexec_fn=on_3_and_4, close_fds=False, start_new_session=True)
        for fd in ends:
            os.close(fd)
        self.to, self.frm = to_w, from_r
        self.buf = b""
        self.events = []
        self.next_id = 0
        self.tab = None
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        # Commands for the tab carry the id it was attached under.
        self.tab = self.call("Target.attachToTarget",
                             {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(domain + ".enable")

    def call(self, method, params=None, timeout=30):
        """Send a command and wait for its answer."""
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if self.tab and not method.startswith(("Target.", "Browser.")):
            msg["sessionId"] = self.tab
        data = json.dumps(msg).encode() + b"\0"
        while data:
            data = data[os.write(self.to, data):]
        want = self.next_id
        answer = self.wait(lambda m: m.get("id") == want, timeout)
        if "error" in answer:
            raise BrowserError("%s: %s" % (method, answer["error"].get("message")))
        return answer.get("result", {})

    def wait(self, match, timeout):
        """The first message (or event already seen) that match accepts.
        Events read on the way are kept in self.events."""
        for m in self.events:
            if match(m):
                self.events.remove(m)
                return m
        deadline = time.time() + timeout
        while True:
            while b"\0" in self.buf:
                raw, self.buf = self.buf.split(b"\0", 1)
                m = json.loads(raw)
                if match(m):
                    return m
                if "method" in m:
                    self.events.append(m)
            left = deadline - time.time()
            if left <= 0:
                raise BrowserError("no answer from the browser in %ds" % timeout)
            if select.select([self.frm], [], [], left)[0]:
                data = os.read(self.frm, 1 << 20)
                if not data:
                    raise BrowserError("the browser quit: " + self.stderr())
                self.buf += data

    def load(self, url):
        """Load url; return (what the page reports, problems seen)."""
        self.events = []
        problems = []
        answer = self.call("Page.navigate", {"url": url})
        if answer.get("errorText"):
            return None, ["failed to load: %s" % answer["errorText"]]
        self.wait(lambda m: m.get("method") == "Page.loadEventFired", 30)
        page = self.call("Runtime.evaluate", {"expression": INSPECT,
                                              "returnByValue": True})["result"]["value"]
        for e in self.events:
            p = e.get("params", {})
            if e["method"] == "Runtime.exceptionThrown":
                d = p["exceptionDetails"]
                problems.append("script error: %s" % d.get("exception", {}).get(
                    "description", d.get("text")).split("\n")[0])
            elif e["method"] == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
                problems.append("console error: %s" % " ".join(
                    str(a.get("value", a.get("description", ""))) for a in p["args"]))
            elif e["method"] == "Log.entryAdded" and p["entry"]["level"] == "error":
                problems.append("console error: %s %s" % (p["entry"]["text"],
                                                          p["entry"].get("url", "")))
        return page, problems

    def stderr(self):
        self.log.seek(0)
        return " ".join(self.log.read().split()[-30:])

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except (BrowserError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)    # its own group only
            self.proc.wait()
        os.close(self.to)
        os.close(self.frm)
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


def file_url(path):
    return "file://" + urllib.parse.quote(os.path.abspath(path))


def link_problems(pages):
    """Every link of every loaded page (pages: file path -> what it
    reported) must reach a file and, with a #fragment, an id in it."""
    problems = []
    for path, page in sorted(pages.items()):
        for url in page["links"]:
            parts = urllib.parse.urlsplit(url)
            if parts.scheme != "file":
                continue                # the book links nowhere else
            dest = urllib.parse.unquote(parts.path)
            frag = urllib.parse.unquote(parts.fragment)
            if not os.path.exists(dest):
                problems.append((path, "link to a missing file: %s" % url))
            elif frag and frag not in pages.get(dest, {}).get("ids", ()):
                problems.append((path, "link to a missing id: %s" % url))
    return problems


def self_test(browser, tmp):
    """Load a page made to fail in every way the check looks for, and
    return what the check missed (nothing, when it works)."""
    bad = os.path.join(tmp, "broken.html")
    with open(bad, "w") as f:
        f.write('<!DOCTYPE html><html><head><meta charset="utf-8"><title>x</title>'
                '<link rel="stylesheet" href="missing.css"></head><body>'
                '<a href="nowhere.html">a</a><a href="#nothere">b</a>'
                '<script>console.error("logged on purpose")</script>'
                '<script>no_such_function()</script></body></html>')
    page, problems = browser.load(file_url(bad))
    problems += [p for _, p in link_problems({bad: page})]
    expected = ["missing.css", "logged on purpose", "no_such_function",
                "nowhere.html", "#nothere"]
    return [e for e in expected if not any(e in p for p in problems)]


def main():
    exe = os.environ.get("CHROMIUM") or next(filter(shutil.which, BROWSERS), None)
    if not exe or not shutil.which(exe):
        print("book-html: skipped: chromium not installed (apt-get install chromium)")
        return 0
    if not shutil.which("pandoc"):
        print("book-html: skipped: pandoc not installed (make deps)")
        return 0
    passed, failed = 0, 0
    start = time.time()
    tmp = tempfile.mkdtemp(prefix="book-browser-")
    browser = None
    try:
        out = os.path.join(tmp, "book")
        problems = render.render(ROOT, out)
        problems += render.check_html_links(out)[0]
        for p in problems:
            print("book-html: render: %s" % p)
        failed += bool(problems)
        built = time.time()

        browser = Browser(exe)
        missed = self_test(browser, tmp)
        if missed:
            print("book-html: the check itself is broken: a page made to fail "
                  "did not report %s" % ", ".join(missed))
            failed += 1
        else:
            passed += 1

        pages, bad = {}, set()
        files = sorted(os.path.join(d, n) for d, _, names in os.walk(out)
                       for n in names if n.endswith(".html"))
        for path in files:
            page, problems = browser.load(file_url(path))
            if page is not None:
                pages[path] = page
            for p in problems:
                print("book-html: %s: %s" % (os.path.relpath(path, out), p))
                bad.add(path)
        for path, p in link_problems(pages):
            print("book-html: %s: %s" % (os.path.relpath(path, out), p))
            bad.add(path)
        passed += len(files) - len(bad)
        failed += len(bad)

        tree = check.Tree(ROOT)
        search = file_url(os.path.join(out, "search.html"))
        for name, path in SEARCHES:
            d = tree.index.resolve(path, name)
            want = file_url(os.path.join(out, "src", path + ".html")) + "#L%d" % d.line
            page, problems = browser.load(search + "?q=" + urllib.parse.quote(name))
            got = page["results"][0] if page and page["results"] else "no result"
            if problems or got != want:
                print("book-html: search for %s: first result %s, not %s%s"
                      % (name, got, want, "".join("; " + p for p in problems)))
                failed += 1
            else:
                passed += 1
        for words, page_name in PROSE_SEARCHES:
            page, problems = browser.load(search + "?q=" + urllib.parse.quote(words))
            want = file_url(os.path.join(out, page_name))
            if problems or not any(r.split("#")[0] == want for r in page["results"]):
                print("book-html: search for %r does not find %s" % (words, page_name))
                failed += 1
            else:
                passed += 1
        print("book-html: %d pages loaded in %s (%.0fs to render, %.0fs in the "
              "browser)%s" % (len(files), os.path.basename(exe), built - start,
                              time.time() - built,
                              ": no console errors, every link resolves" if not bad else ""))
    except BrowserError as e:
        print("book-html: %s" % e)
        failed += 1
    finally:
        if browser:
            browser.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
