#!/usr/bin/env python3
"""A stand-in for QEMU running the kernel, for testing the grader itself.

It talks like the real console: firmware chatter, the boot banner, the
prompt "$ " on a line of its own, an echo of each line typed, and answers
to a few commands:

    echo WORDS      print WORDS
    printn WORDS    print WORDS with no newline after them
    crash           print a user fault message, as the kernel does
    panic           print a kernel panic and a backtrace, then hang
    trap            print an unexpected interrupt, then hang
    hang            stop answering
    stall WORDS     print WORDS, then stop answering
    slow SECONDS    wait, then print "done"
    write NAME      record NAME in the disk image (the file argument)
    files           print the names recorded in the disk image
    child           start a process in the same group; print its pid
    reach ADDRESS   pass the kernel address ADDRESS (hex), then print
                    "reached"
    halt            print the power-off line and exit with status 0

Anything else gets the shell's "no such file or directory".  With the
environment variable FAKE_KERNEL_PIDFILE set, it appends its pid there
at start, and the pid of each process `child` starts.

With QEMU's options "-gdb tcp:HOST:PORT" it also serves a gdb stub there,
as QEMU does, for one hart: Z0/z0 set and remove breakpoints, c
continues, s and vCont;s step (the pc moves on by 4), g reads the
registers (a0 is 42), m reads memory ("rivet" repeated), D detaches,
Ctrl-C (0x03) stops the running guest, and packets sent while it runs
are ignored.  With -S the guest starts stopped, printing nothing until
continued.  It passes BOOT_ADDRESS after the banner, and `reach` passes
an address: at a breakpoint the guest stops there, the console frozen,
and the stub sends a stop reply.

Usage: fake_kernel.py [image] [-gdb tcp:HOST:PORT] [-S]
"""

import os
import re
import socket
import subprocess
import sys
import threading
import time

BOOT_ADDRESS = 0x80200100       # passed once while booting ("main")


def say(text):
    sys.stdout.write(text)
    sys.stdout.flush()


def hang():
    while True:
        time.sleep(60)


def record_pid(pid):
    """Append pid to the file FAKE_KERNEL_PIDFILE names, if any."""
    pidfile = os.environ.get("FAKE_KERNEL_PIDFILE")
    if pidfile:
        with open(pidfile, "a") as f:
            f.write("%d\n" % pid)


class GdbStub:
    """A gdb stub for one hart, on a thread of its own."""

    STOPPED = "T05thread:p01.01;"
    INTERRUPTED = "T02thread:p01.01;"

    def __init__(self, host, port, halted):
        self.running = threading.Event()
        if not halted:
            self.running.set()
        self.lock = threading.Lock()    # guards conn's writes and pc
        self.conn = None
        self.breakpoints = set()
        self.pc = 0x80000000
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.server.bind((host, port))
        except OSError as e:
            say("fake_kernel: cannot bind port %d: %s\n" % (port, e))
            sys.exit(1)
        self.server.listen(1)
        threading.Thread(target=self.serve, daemon=True).start()

    def reply(self, data):
        packet = "$%s#%02x" % (data, sum(data.encode()) % 256)
        with self.lock:
            if self.conn is not None:
                self.conn.sendall(packet.encode())

    def serve(self):
        conn, _ = self.server.accept()
        with self.lock:
            self.conn = conn
        buf = b""
        while True:
            data = conn.recv(4096)
            if not data:
                self.running.set()      # gdb is gone: run on
                return
            buf += data
            while buf:
                if buf[:1] in (b"+", b"-"):
                    buf = buf[1:]
                elif buf[:1] == b"\x03":
                    buf = buf[1:]
                    if self.running.is_set():
                        self.running.clear()
                        self.reply(self.INTERRUPTED)
                else:
                    m = re.match(rb"\$([^#]*)#[0-9a-fA-F]{2}", buf)
                    if m is None:
                        break           # the rest has not arrived yet
                    buf = buf[m.end():]
                    with self.lock:
                        conn.sendall(b"+")
                    self.packet(m.group(1).decode())

    def packet(self, data):
        if self.running.is_set():
            return                      # as QEMU: only Ctrl-C while running
        if data == "c":
            self.running.set()
        elif data == "s" or data.startswith("vCont;s"):
            with self.lock:
                self.pc += 4
            self.reply(self.STOPPED)
        elif data.startswith(("Z0,", "z0,")):
            addr = int(data.split(",")[1], 16)
            if data[0] == "Z":
                self.breakpoints.add(addr)
            else:
                self.breakpoints.discard(addr)
            self.reply("OK")
        elif data == "g":
            values = [0] * 33
            values[10] = 42
            values[32] = self.pc
            self.reply("".join(v.to_bytes(8, "little").hex()
                               for v in values))
        elif data.startswith("m"):
            n = int(data.split(",")[1], 16)
            self.reply((b"rivet" * n)[:n].hex())
        elif data == "D":
            self.breakpoints.clear()
            self.reply("OK")
            self.running.set()
        elif data == "?":
            self.reply("S05")
        else:
            self.reply("")

    def reach(self, addr):
        """The guest passes addr: stop there if it is a breakpoint, and
        wait until continued."""
        self.running.wait()
        with self.lock:
            self.pc = addr
        if addr in self.breakpoints:
            self.running.clear()
            self.reply(self.STOPPED)
            self.running.wait()


def parse_args(argv):
    """image, and (host, port, halted) for a gdb stub or None."""
    image, gdb, halted = os.devnull, None, False
    i = 0
    while i < len(argv):
        if argv[i] == "-gdb":
            m = re.match(r"tcp:([^:]*):(\d+)$", argv[i + 1])
            gdb = (m.group(1) or "127.0.0.1", int(m.group(2)))
            i += 1
        elif argv[i] == "-S":
            halted = True
        else:
            image = argv[i]
        i += 1
    return image, gdb, halted


def run(line, image, stub):
    """Carry out one command line; return False to power off."""
    words = line.split()
    if not words:
        return True
    cmd, args = words[0], words[1:]
    if cmd == "echo":
        say(" ".join(args) + "\n")
    elif cmd == "printn":
        say(" ".join(args))
    elif cmd == "crash":
        say("pid 3 crash: load page fault at address 0x0000000000000000, "
            "pc 0x0000000000001004: killed\n")
    elif cmd == "panic":
        say("\npanic: fake panic on request\nhart 0, sh\nbacktrace:\n"
            "  0x0000000080201234\n  0x0000000080205678\n")
        hang()
    elif cmd == "trap":
        say("unexpected interrupt irq=99\n")
        hang()
    elif cmd == "hang":
        hang()
    elif cmd == "stall":
        say(" ".join(args) + "\n")
        hang()
    elif cmd == "slow":
        time.sleep(float(args[0]))
        say("done\n")
    elif cmd == "write":
        with open(image, "a") as f:
            f.write(args[0] + "\n")
    elif cmd == "files":
        with open(image) as f:
            say(f.read())
    elif cmd == "child":
        child = subprocess.Popen(["sleep", "600"])
        record_pid(child.pid)
        say("%d\n" % child.pid)
    elif cmd == "reach":
        if stub is not None:
            stub.reach(int(args[0], 16))
        say("reached\n")
    elif cmd == "halt":
        say("rivet: powering off\n")
        return False
    else:
        say("sh: %s: no such file or directory\n" % cmd)
    return True


def main():
    image, gdb, halted = parse_args(sys.argv[1:])
    record_pid(os.getpid())
    stub = GdbStub(gdb[0], gdb[1], halted) if gdb else None
    if stub is not None:
        stub.running.wait()     # -S: nothing runs until gdb continues
    say("\r\nFake firmware v0.1\r\nBoot HART ID : 0\r\n")
    say("\nrivet: 3 harts, 128 MiB RAM, 124 MiB free, timer via sstc\n")
    if stub is not None:
        stub.reach(BOOT_ADDRESS)
    say("init: starting sh\n$ ")
    for line in sys.stdin:
        if stub is not None:
            stub.running.wait()     # a stopped guest echoes nothing
        say(line)               # the console echoes what is typed
        if not run(line, image, stub):
            return 0
        say("$ ")
    hang()                      # like a guest: the end of input is no exit


if __name__ == "__main__":
    sys.exit(main())
