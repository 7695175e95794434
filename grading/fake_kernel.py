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
    slow SECONDS    wait, then print "done"
    write NAME      record NAME in the disk image (the file argument)
    files           print the names recorded in the disk image
    child           start a process in the same group; print its pid
    halt            print the power-off line and exit with status 0

Anything else gets the shell's "no such file or directory".  With the
environment variable FAKE_KERNEL_PIDFILE set, it appends its pid there
at start, and the pid of each process `child` starts.

Usage: fake_kernel.py [image]
"""

import os
import subprocess
import sys
import time


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


def run(line, image):
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
    elif cmd == "halt":
        say("rivet: powering off\n")
        return False
    else:
        say("sh: %s: no such file or directory\n" % cmd)
    return True


def main():
    image = sys.argv[1] if len(sys.argv) > 1 else os.devnull
    record_pid(os.getpid())
    say("\r\nFake firmware v0.1\r\nBoot HART ID : 0\r\n")
    say("\nrivet: 3 harts, 128 MiB RAM, 124 MiB free, timer via sstc\n")
    say("init: starting sh\n$ ")
    for line in sys.stdin:
        say(line)               # the console echoes what is typed
        if not run(line, image):
            return 0
        say("$ ")
    hang()                      # like a guest: the end of input is no exit


if __name__ == "__main__":
    sys.exit(main())
