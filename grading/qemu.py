"""Boot the system under QEMU and talk to its console.

Used by the boot test and the graders.  Each Machine boots from its own
copy of the disk image, runs QEMU in a process group of its own, and is
always killed with that group when it is closed (also on Ctrl-C or an
exception), so no QEMU outlives the test that started it.
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMEOUT_SCALE = float(os.environ.get("GRADE_TIMEOUT_SCALE", "1"))

PANIC_RE = re.compile(r"^panic: .*$", re.M)


class Timeout(Exception):
    """The console did not show what was expected in time."""


class Panic(Exception):
    """The kernel panicked."""


def qemu_command(image, cpus=3, mem="128M", extra=()):
    return [
        "qemu-system-riscv64", "-machine", "virt", "-bios", "default",
        "-kernel", os.path.join(ROOT, "kernel", "kernel"),
        "-m", str(mem), "-smp", str(cpus), "-nographic",
        "-global", "virtio-mmio.force-legacy=false",
        "-drive", "file=%s,if=none,format=raw,id=x0" % image,
        "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0",
        *extra,
    ]


class Machine:
    """One QEMU guest with a private disk image."""

    def __init__(self, cpus=3, mem="128M", image=None, extra=()):
        self.tmpdir = tempfile.mkdtemp(prefix="rivet-")
        self.image = os.path.join(self.tmpdir, "fs.img")
        shutil.copyfile(image or os.path.join(ROOT, "fs.img"), self.image)
        self.output = ""
        self.mark = 0            # expect() searches from here
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            qemu_command(self.image, cpus, mem, extra),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            data = os.read(self.proc.stdout.fileno(), 4096)
            if not data:
                return
            with self.lock:
                self.output += data.decode("utf-8", "replace")

    def expect(self, pattern, timeout=30):
        """Wait until pattern (a regex) appears after the mark; move the
        mark past it and return the match."""
        deadline = time.time() + timeout * TIMEOUT_SCALE
        regex = re.compile(pattern, re.M)
        while True:
            with self.lock:
                out = self.output
            m = regex.search(out, self.mark)
            if m:
                self.mark = m.end()
                return m
            p = PANIC_RE.search(out)
            if p:
                raise Panic(self.tail())
            if time.time() > deadline:
                raise Timeout("no match for %r\n%s" % (pattern, self.tail()))
            if self.proc.poll() is not None and not self.reader.is_alive():
                raise Timeout("QEMU exited (status %s) before %r\n%s" %
                              (self.proc.returncode, pattern, self.tail()))
            time.sleep(0.02)

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def run(self, command, timeout=30):
        """Type a command at the prompt and wait for the next prompt;
        return what it printed."""
        self.send(command + "\n")
        start = self.mark
        m = self.expect(r"^\$ ", timeout)
        with self.lock:
            text = self.output[start:m.start()]
        # Drop the echoed command line.
        return text.split("\n", 1)[1] if "\n" in text else ""

    def wait_exit(self, timeout=30):
        try:
            return self.proc.wait(timeout * TIMEOUT_SCALE)
        except subprocess.TimeoutExpired:
            raise Timeout("QEMU did not exit\n" + self.tail())

    def tail(self, lines=25):
        with self.lock:
            return "\n".join(self.output.splitlines()[-lines:])

    def close(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
