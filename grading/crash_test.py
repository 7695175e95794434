#!/usr/bin/env python3
"""Crash tests of the file system's log: whatever moment the power fails,
even on a disk that loses what is in its write cache, the file system on
the disk is consistent, and each operation is there whole or not at all.

    python3 grading/crash_test.py [--sweep]

How.  One boot per workload records what the kernel writes; every crash
is then built on the host, from the record, without booting again.

  1. Record.  A test kernel (`make KTEST=1`, built in a scratch copy of
     the tree) booted with `-append ktest.writelog` prints a console line
     for every block of every write request it gives the disk, and one for
     every cache flush, in the order it queues them (kernel/lib/ktest.c
     gives the format).  It runs one shell command line, the workload, on
     a fresh copy of fs.img.

  2. Crash images.  Replaying the record onto the starting image, stopped
     at some point, gives the disk as a power failure there leaves it.
     Two models of the disk, both built for every workload:
       - prefix: the writes reach the disk in order, one request at a
         time; the power fails after request k, for every k;
       - volatile cache: the disk keeps completed writes in a cache that a
         flush empties onto the medium, and loses any of them, in any
         order, when the power fails.  So for each stretch between two
         flushes (and the one after the last), the images in which any
         subset of the blocks written since the last flush are lost, the
         rest kept: every subset when there are at most CACHE_SUBSETS of
         them, otherwise CACHE_SUBSETS chosen by a seeded random draw,
         always with "all lost", "all kept", and as many as fit of "only
         one lost" and "only one kept".
     Both take a block to reach the disk whole or not at all (the log's
     header is one block); the cache model may keep
     some blocks of a request and lose others.  Images that come out the
     same are checked once.

  3. Checks of every distinct image, on the host:
       - `mkfs/fsck -n`, which replays a committed log transaction in
         memory the way the kernel's recovery does, must find nothing
         else wrong: exit 0, or 4 with the replay as its only remark;
       - the files the workload touched, read from the image (after the
         same replay) by a small reader of the on-disk format below, must
         be as they were after some prefix of the workload's operations,
         each write() of one transaction there whole or not at all (the
         workload's model lists the operations; a workload of concurrent
         writers checks each file on its own).
     And of a sample, by booting: the normal kernel boots on the image
     (its recovery replays the log), `ls` and `wc` must show what the
     reader showed, `halt` powers it off, and `mkfs/fsck -n` must then
     exit 0, with no log left to replay.  The sample is every distinct
     prefix image of the first workload, and a few images of each other
     workload, chosen among those whose log holds a committed transaction.

  4. A crash while recovering: the test kernel boots on a crash image whose
     log holds a committed transaction, recording the writes of recovery;
     every crash image of that record must pass the same checks.

  5. Broken kernels.  In another scratch copy of the tree the kernel is
     broken on purpose, a test kernel is built from it, and one workload
     is recorded and checked: the checks must fail.  Four ways: the flush
     between the log write and the installs left out, or the one between
     the installs and the next commit (only the volatile-cache images show
     these: in the prefix model nothing is wrong); the installs written
     before the log (the prefix images show it); a write() of two blocks
     split into two transactions (fsck finds nothing, since each
     transaction is consistent: the file check does).

--sweep (make crash-sweep) checks more: up to SWEEP_SUBSETS subsets per
stretch, and boots every distinct prefix image of every workload.

Prints one line per check, the counts of images checked by fsck and by
booting, and "N passed, M failed" last; exit status 0 only when every
check passed.
"""

import argparse
import concurrent.futures
import functools
import os
import queue
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grading"))
from gradelib import Machine, TestFailure  # noqa: E402
import fsimage  # noqa: E402

FSCK = os.path.join(ROOT, "mkfs", "fsck")
BSIZE = 4096
CACHE_SUBSETS = 64      # images per stretch between flushes, at most
SWEEP_SUBSETS = 1024    # the same, for --sweep
BOOTS_PER_WORKLOAD = 5  # images of each later workload booted
SEED = 1                # of the random draws: every run checks the same images
JOBS = 2                # fsck processes, and guests, at a time

# ---- building test kernels -------------------------------------------------

# Broken kernels: a replacement in one file, the workload to record, the
# model of the disk whose images must show the damage, and the check that
# must find it ("fsck", or "files": the workload's model of its files).
LOG_STEP = ("\tif (write_log(log.home, n) < 0 || disk_flush() < 0) {\n"
            "\t\tlog_fail(\"writing the log\");\n"
            "\t\treturn -EIO;\n"
            "\t}\n")
INSTALL_STEP = ("\tif (install(log.home, n) < 0 || disk_flush() < 0) {\n"
                "\t\tlog_fail(\"installing a transaction\");\n"
                "\t\treturn -EIO;\n"
                "\t}\n")
MUTANTS = [
    {
        "name": "no flush between the log write and the installs",
        "file": "kernel/fs/log.c",
        "old": LOG_STEP,
        "new": LOG_STEP.replace(" || disk_flush() < 0", ""),
        "workload": "mkdir",
        "caught_by": ("cache", "fsck"),
    },
    {
        "name": "no flush between the installs and the next commit",
        "file": "kernel/fs/log.c",
        "old": INSTALL_STEP,
        "new": INSTALL_STEP.replace(" || disk_flush() < 0", ""),
        "workload": "mkdir",
        "caught_by": ("cache", "fsck"),
    },
    {
        "name": "the installs written before the log",
        "file": "kernel/fs/log.c",
        "old": LOG_STEP + INSTALL_STEP,
        "new": INSTALL_STEP + LOG_STEP,
        "workload": "mkdir",
        "caught_by": ("prefix", "fsck"),
    },
    {
        # Not the log's fault, but the same promise: one write() of a few
        # blocks is one transaction.  Each transaction stays consistent,
        # so fsck finds nothing; only the files show the half-done write.
        "name": "a write() of two blocks split into two transactions",
        "file": "kernel/fs/file.c",
        "old": "\tuint64 most = (log_capacity() - 7) / 2;\n",
        "new": "\tuint64 most = 1;\n",
        "workload": "append",
        "caught_by": ("prefix", "files"),
    },
]


def build_test_kernel(tree, mutant=None):
    """Copy what the kernel is built from into tree, break it there if a
    mutant is given, and build a KTEST=1 kernel, with the lock-order
    checker and the costlier invariant checks on (LOCKDEP=1, CHECKS=1):
    its path.  The real tree and its build are
    never touched."""
    shutil.copy(os.path.join(ROOT, "Makefile"), tree)
    shutil.copytree(os.path.join(ROOT, "include"), os.path.join(tree, "include"))
    shutil.copytree(os.path.join(ROOT, "kernel"), os.path.join(tree, "kernel"),
                    ignore=shutil.ignore_patterns(
                        "kernel", "kernel.asm", "kernel.sym", "__pycache__"))
    if mutant is not None:
        path = os.path.join(tree, mutant["file"])
        with open(path) as f:
            text = f.read()
        if text.count(mutant["old"]) != 1:
            raise RuntimeError("%s no longer has the code to break: update "
                               "MUTANTS in crash_test.py" % mutant["file"])
        with open(path, "w") as f:
            f.write(text.replace(mutant["old"], mutant["new"]))
    r = subprocess.run(["make", "-s", "-j2", "KTEST=1", "LOCKDEP=1", "CHECKS=1",
                        "kernel/kernel"],
                       cwd=tree, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise RuntimeError("make KTEST=1 kernel/kernel failed:\n" + r.stdout)
    return os.path.join(tree, "kernel", "kernel")


# ---- the record ------------------------------------------------------------

RECORD_ARG = "ktest.writelog"
RECORD_START = re.compile(r"^ktest\.disk recording", re.M)
RECORD_LINE = re.compile(r"^ktest\.disk .*$", re.M)
WRITE_LINE = re.compile(r"^ktest\.disk W (\d+) (\d+) (\d+) (\d+) ([0-9a-f]{16}) (\S+)$")
FLUSH_LINE = re.compile(r"^ktest\.disk F (\d+)$")
RUN = re.compile(r"\*([0-9a-f]{2})([0-9a-f]+)\.")


class RecordError(Exception):
    """The console did not hold a complete, intact record."""


def fnv1a(data):
    """The 64-bit FNV-1a hash the kernel prints with each block."""
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return h


@functools.lru_cache(maxsize=4096)
def slot_checksum(data):
    """fsimage.log_checksum, remembered: the same slots recur in many
    images."""
    return fsimage.log_checksum(data)


def decode_block(text):
    """A block's data from its encoding in a record line, or None."""
    try:
        data = bytes.fromhex(RUN.sub(lambda m: m.group(1) * int(m.group(2), 16),
                                     text))
    except ValueError:
        return None
    return data if len(data) == BSIZE else None


def parse_record(console):
    """The requests in a console's record, in order: ("W", req, [(block,
    data), ...]) for a write, ("F", req, None) for a flush.  Raises
    RecordError on a missing, damaged or unexpected line."""
    if not RECORD_START.search(console):
        raise RecordError("the kernel recorded nothing (no \"ktest.disk "
                          "recording\" line): not a KTEST=1 kernel, or no "
                          "-append %s" % RECORD_ARG)
    requests = []
    sizes = {}          # write request: the block count its lines give
    by_hash = {}        # data already seen, for "=" lines
    for line in RECORD_LINE.findall(console):
        if RECORD_START.match(line):
            continue
        w, f = WRITE_LINE.match(line), FLUSH_LINE.match(line)
        if not (w or f):
            raise RecordError("damaged line: %.100s" % line)
        req = int((f or w).group(1))
        if f or int(w.group(2)) == 0:
            if req != len(requests) + 1:
                raise RecordError("request %d follows request %d: lines lost"
                                  % (req, len(requests)))
            requests.append(("F", req, None) if f else ("W", req, []))
            if f:
                continue
            sizes[req] = int(w.group(3))
        i, block, h = int(w.group(2)), int(w.group(4)), int(w.group(5), 16)
        data = by_hash.get(h) if w.group(6) == "=" else decode_block(w.group(6))
        if data is None or fnv1a(data) != h:
            raise RecordError("request %d, block %d: damaged data" % (req, block))
        by_hash[h] = data
        kind, last, blocks = requests[-1]
        if kind != "W" or last != req or len(blocks) != i or \
           (blocks and block != blocks[-1][0] + 1):
            raise RecordError("request %d: block line %d out of place" % (req, i))
        blocks.append((block, data))
    for kind, req, blocks in requests:
        if kind == "W" and len(blocks) != sizes[req]:
            raise RecordError("request %d: %d of its %d block lines" %
                              (req, len(blocks), sizes[req]))
    return requests


def record(kernel, image, command, timeout=120):
    """Boot the test kernel on a copy of image with the recorder on, run
    command (if any) at the shell, and return the record and the console."""
    with Machine(kernel=kernel, image=image, cpus=2,
                 extra=["-append", RECORD_ARG]) as m:
        m.wait_prompt(60)
        if command:
            m.run(command, timeout)
        console = m.output
    return parse_record(console), console


# ---- crash images ----------------------------------------------------------
#
# An image is a dict {block number: data} of the blocks that differ from
# the starting image (or may: equal ones are dropped before comparing),
# with a sentence saying how the crash left it.

def blocks_named(blocks):
    return "block%s %s" % ("s" if len(blocks) > 1 else "",
                           ", ".join(str(b) for b, _ in blocks))


def prefix_images(requests, start):
    """The image after each prefix of the write requests, the empty one
    included: (image, how)."""
    state = dict(start)
    yield dict(state), "power lost before the first write"
    writes = [r for r in requests if r[0] == "W"]
    for k, (_, req, blocks) in enumerate(writes):
        state.update(blocks)
        yield dict(state), ("power lost after write %d of %d (request %d: "
                            "%s)" % (k + 1, len(writes), req,
                                     blocks_named(blocks)))


def subsets(n, cap, rng):
    """Bit masks of the blocks kept, out of n written since a flush."""
    total = 1 << n
    if total <= cap:
        return list(range(total))
    full = total - 1
    chosen = [0, full]
    singles = [full & ~(1 << i) for i in range(n)] + [1 << i for i in range(n)]
    rng.shuffle(singles)
    taken = set(chosen)
    for m in singles:
        if len(chosen) < cap and m not in taken:
            chosen.append(m)
            taken.add(m)
    while len(chosen) < cap:
        m = rng.getrandbits(n)
        if m not in taken:
            chosen.append(m)
            taken.add(m)
    return chosen


def cache_images(requests, start, cap, rng, stats):
    """For each stretch between flushes, the images with any subset of the
    blocks written in it lost (the volatile-cache model): (image, how).
    Counts the stretches, and those with too many subsets to try them all,
    in stats["stretches"] and stats["sampled"]."""
    durable = dict(start)
    pending = []        # (request, block, data) since the last flush
    for kind, req, blocks in requests + [("end", None, None)]:
        if kind == "W":
            pending += [(req, b, d) for b, d in blocks]
            continue
        stats["stretches"] += 1
        stats["sampled"] += (1 << len(pending)) > cap
        for mask in subsets(len(pending), cap, rng):
            state = dict(durable)
            lost = []
            for i, (r, b, d) in enumerate(pending):
                if mask >> i & 1:
                    state[b] = d
                else:
                    lost.append("%d (request %d)" % (b, r))
            yield state, ("power lost %s; of the %d blocks written since, "
                          "lost: %s" % ("before flush request %d" % req if req
                                        else "at the end", len(pending),
                                        ", ".join(lost[:12]) +
                                        (", ..." if len(lost) > 12 else "")
                                        if lost else "none"))
        for _, b, d in pending:
            durable[b] = d
        pending = []


# ---- reading an image: the files a workload touched --------------------------

ROOTINO = 1
IPB = BSIZE // 64
NDIRECT = 11
NINDIRECT = BSIZE // 4
T_DIR, T_FILE = 1, 2


class FsView:
    """The image base (bytes) changed by delta, as the kernel sees it after
    replaying the log: enough of the on-disk format (include/fs_format.h)
    to look up a path and read a file or list a directory.  A damaged image
    raises ValueError or struct.error."""

    def __init__(self, base, delta):
        self.base = base
        self.blocks = dict(delta)
        (_, self.size, _, self.ninodes, self.nlog, self.logstart,
         self.inodestart, _) = struct.unpack_from("<8I", self.block(1))
        self.committed = self.replay()

    def block(self, b):
        if b in self.blocks:
            return self.blocks[b]
        if not 0 <= b < len(self.base) // BSIZE:
            raise ValueError("block %d is outside the image" % b)
        return self.base[b * BSIZE:(b + 1) * BSIZE]

    def replay(self):
        """Copy a committed transaction home, as kernel/fs/log.c:recover
        does: when every slot matches its checksum (the commit finished)
        and some home block differs from its slot (the installs did not).
        The number of blocks it holds, or 0 when there is nothing to do."""
        head = self.block(self.logstart)
        n = struct.unpack_from("<I", head)[0]
        if n == 0 or n > self.nlog - 1:
            return 0        # fsck says what is wrong with a bad header
        homes, sums = fsimage.log_header(head)
        slots = [self.block(self.logstart + 1 + i) for i in range(n)]
        if any(slot_checksum(s) != x for s, x in zip(slots, sums)):
            return 0
        if all(self.block(h) == s for h, s in zip(homes, slots)):
            return 0
        self.blocks.update(zip(homes, slots))
        return n

    def inode(self, inum):
        if not 0 < inum < self.ninodes:
            raise ValueError("inode %d does not exist" % inum)
        f = struct.unpack_from("<hhhhI13I", self.block(self.inodestart + inum // IPB),
                               inum % IPB * 64)
        return f[0], f[4], f[5:]        # type, size, addrs

    def pointer(self, b, i):
        """Entry i of indirect block b (0: none, when b is 0)."""
        return struct.unpack_from("<I", self.block(b), 4 * i)[0] if b else 0

    def bmap(self, addrs, bn):
        """The block holding block bn of a file with block map addrs."""
        if bn < NDIRECT:
            return addrs[bn]
        bn -= NDIRECT
        if bn < NINDIRECT:
            return self.pointer(addrs[NDIRECT], bn)
        bn -= NINDIRECT
        mid = self.pointer(addrs[NDIRECT + 1], bn // NINDIRECT)
        return self.pointer(mid, bn % NINDIRECT)

    def read(self, inum):
        _, size, addrs = self.inode(inum)
        if size > len(self.base):
            raise ValueError("inode %d: size %d is larger than the disk" % (inum, size))
        out = bytearray()
        for bn in range((size + BSIZE - 1) // BSIZE):
            b = self.bmap(addrs, bn)
            out += self.block(b) if b else bytes(BSIZE)
        return bytes(out[:size])

    def entries(self, inum):
        data = self.read(inum)
        names = {}
        for off in range(0, len(data) - len(data) % 16, 16):
            num = struct.unpack_from("<H", data, off)[0]
            name = data[off + 2:off + 16].split(b"\0")[0].decode("latin-1")
            if num != 0 and name not in (".", ".."):
                names[name] = num
        return names

    def look(self, path):
        """None (no such file), ("file", data), ("dir", frozenset of
        names) or ("type N", None)."""
        inum = ROOTINO
        for part in path.split("/"):
            if self.inode(inum)[0] != T_DIR:
                return None
            inum = self.entries(inum).get(part)
            if inum is None:
                return None
        kind = self.inode(inum)[0]
        if kind == T_DIR:
            return ("dir", frozenset(self.entries(inum)))
        if kind == T_FILE:
            return ("file", self.read(inum))
        return ("type %d" % kind, None)


def show(value):
    if value is None:
        return "absent"
    kind, v = value
    if kind == "file":
        return "file of %d bytes %r" % (len(v), v[:24] + (b"..." if len(v) > 24 else b""))
    if kind == "dir":
        return "directory {%s}" % " ".join(sorted(v))
    return kind


# ---- workloads and their models ----------------------------------------------

def chunks(data, size=4096):
    """data in the pieces cat writes it: one write() per read() of size."""
    return [data[i:i + size] for i in range(0, len(data), size)]


class Workload:
    """A shell command line and its model: the operations it performs, each
    one log transaction, as tuples ("create", path), ("write", path, data),
    ("mkdir", path), ("link", old, new), ("unlink", path).  ops is a
    function of the starting image (an FsView), since some operations copy
    what is there.  scope lists the paths to look at.
    With independent=True (concurrent writers) the operations on different
    paths interleave in any order, so each path is checked on its own."""

    def __init__(self, name, command, scope, ops, independent=False):
        self.name, self.command, self.scope = name, command, scope
        self.ops, self.independent = ops, independent

    def states(self, start):
        """The possible states, given the FsView of the starting image: a
        list of dicts path -> value, or with independent=True, a dict
        path -> list of values."""
        initial = {p: start.look(p) for p in self.scope}
        ops = self.ops(start)
        if self.independent:
            return {p: [s[p] for s in run_ops(initial, [o for o in ops if o[1] == p])]
                    for p in self.scope}
        return run_ops(initial, ops)

    def check(self, view, states):
        """None when what view shows is a state of the model, else why not."""
        seen = {p: view.look(p) for p in self.scope}
        if self.independent:
            bad = ["%s is %s" % (p, show(seen[p])) for p in self.scope
                   if seen[p] not in states[p]]
            if not bad:
                return None
            return "; ".join(bad) + " (not what any prefix of its writes leaves)"
        if seen in states:
            return None
        return ("no prefix of the operations leaves %s" %
                ", ".join("%s %s" % (p, show(seen[p])) for p in self.scope))


def run_ops(initial, ops):
    """The states after each prefix of ops, starting from initial."""
    state = dict(initial)
    states = [dict(state)]

    def enter(path, value):
        state[path] = value
        parent, _, name = path.rpartition("/")
        if parent in state and state[parent] and state[parent][0] == "dir":
            names = set(state[parent][1])
            if value is None:
                names.discard(name)
            else:
                names.add(name)
            state[parent] = ("dir", frozenset(names))

    for op in ops:
        if op[0] == "create":
            enter(op[1], ("file", b""))
        elif op[0] == "write":
            enter(op[1], ("file", state[op[1]][1] + op[2]))
        elif op[0] == "mkdir":
            enter(op[1], ("dir", frozenset()))
        elif op[0] == "link":
            enter(op[2], state[op[1]])
        elif op[0] == "unlink":
            enter(op[1], None)
        states.append(dict(state))
    return states


def echo_to(path, *words):
    """The writes of `echo words > path`: one write() per word and blank."""
    ops = [("create", path)]
    for i, w in enumerate(words):
        ops.append(("write", path, w.encode()))
        if i + 1 < len(words):
            ops.append(("write", path, b" "))
    return ops + [("write", path, b"\n")]


def cat_to(path, *files, create=True):
    """The writes of `cat files > path` (with create=False, >>): one
    write() per read() of each file."""
    ops = [("create", path)] if create else []
    for data in files:
        ops += [("write", path, c) for c in chunks(data)]
    return ops


def readme(start):
    return start.look("README.md")[1]


WORKLOADS = [
    Workload("create", "echo hello > f", ["f"],
             lambda v: echo_to("f", "hello")),
    Workload("mkdir", "mkdir d ; echo one > d/a ; echo two > d/b ; echo three > d/c",
             ["d", "d/a", "d/b", "d/c"],
             lambda v: [("mkdir", "d")] + echo_to("d/a", "one") +
             echo_to("d/b", "two") + echo_to("d/c", "three")),
    Workload("unlink", "rm README.md ; rm bin/usertests",
             ["README.md", "bin/usertests"],
             lambda v: [("unlink", "README.md"), ("unlink", "bin/usertests")]),
    Workload("rename", "ln README.md notes ; rm README.md", ["README.md", "notes"],
             lambda v: [("link", "README.md", "notes"), ("unlink", "README.md")]),
    Workload("append", "echo start > log ; cat README.md >> log ; echo end >> log",
             ["log"],
             lambda v: echo_to("log", "start") +
             cat_to("log", readme(v), create=False) +
             [("write", "log", b"end"), ("write", "log", b"\n")]),
    # Both stages of a pipeline run at once, and the shell waits for both.
    Workload("concurrent", "cat README.md README.md > x | cat README.md README.md > y",
             ["x", "y"],
             lambda v: cat_to("x", readme(v), readme(v)) +
             cat_to("y", readme(v), readme(v)),
             independent=True),
]
WORKLOAD_NAMED = {w.name: w for w in WORKLOADS}


# ---- checking images -----------------------------------------------------------

FILES = "files: "       # starts a problem the workload's model found
FSCK_REPLAYED = re.compile(r"^log: holds a committed transaction of \d+ blocks; "
                           r"checked as replayed")
FSCK_SUMMARY = re.compile(r": \d+ problems? found, \d+ repaired, \d+ left$")


def fsck_problems(path, replay_ok=True):
    """Run `fsck -n` on path: None when it finds the file system clean
    (once the log is replayed, with replay_ok), else what it printed."""
    r = subprocess.run([FSCK, "-n", path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    lines = [l for l in r.stdout.splitlines() if not FSCK_SUMMARY.search(l)]
    if r.returncode == 0 or (replay_ok and r.returncode == 4 and lines and
                             all(FSCK_REPLAYED.match(l) for l in lines)):
        return None
    return "fsck exit %d:\n%s" % (r.returncode, r.stdout.rstrip())


class Checker:
    """Checks crash images, JOBS at a time.  It keeps a copy of the starting
    image on the host's disk per image being checked at once, and turns a
    copy into the next image by rewriting only the blocks that differ."""

    def __init__(self, base, tmpdir):
        self.base = base
        self.tmpdir = tmpdir
        self.idle = queue.SimpleQueue()     # copies not in use
        self.files = []
        self.lock = threading.Lock()
        self.count = 0          # images checked

    def _take(self):
        """A copy not in use, made if need be: {"path", "fd", "delta"}."""
        try:
            return self.idle.get_nowait()
        except queue.Empty:
            pass
        with self.lock:
            path = os.path.join(self.tmpdir, "work-%d.img" % len(self.files))
            f = {"path": path, "delta": {}}
            self.files.append(f)
        with open(path, "wb") as out:
            out.write(self.base)
        f["fd"] = os.open(path, os.O_RDWR)
        return f

    def _turn_into(self, f, delta):
        """Make copy f hold the image delta."""
        for b in f["delta"]:
            if b not in delta:
                os.pwrite(f["fd"], self.base[b * BSIZE:(b + 1) * BSIZE], b * BSIZE)
        for b, d in delta.items():
            if f["delta"].get(b) is not d:
                os.pwrite(f["fd"], d, b * BSIZE)
        f["delta"] = delta

    def check(self, delta, workload, states):
        """What is wrong with one image: a list, empty when it passes."""
        problems = []
        f = self._take()
        try:
            self._turn_into(f, delta)
            bad = fsck_problems(f["path"])
        finally:
            self.idle.put(f)
        if bad:
            problems.append(bad)
        try:
            why = workload.check(FsView(self.base, delta), states)
        except (ValueError, struct.error) as e:
            why = "the image cannot be read: %s" % e
        if why:
            problems.append(FILES + why)
        with self.lock:
            self.count += 1
        return problems

    def check_all(self, images, workload, states):
        """Check every image (a list of (delta, how)); the failures, as a
        list of (how, problems)."""
        with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
            results = list(pool.map(lambda im: self.check(im[0], workload, states),
                                    images))
        return [(how, p) for (_, how), p in zip(images, results) if p]

    def close(self):
        for f in self.files:
            if "fd" in f:
                os.close(f["fd"])


def distinct(images, base):
    """images without repeats: blocks equal to the starting image's are
    dropped, and images left with the same blocks are kept once."""
    seen = set()
    out = []
    for delta, how in images:
        delta = {b: d for b, d in delta.items()
                 if d != base[b * BSIZE:(b + 1) * BSIZE]}
        key = frozenset(delta.items())
        if key not in seen:
            seen.add(key)
            out.append((delta, how))
    return out


def describe_failures(failures, limit=3):
    lines = []
    for how, problems in failures[:limit]:
        lines.append(how)
        for p in problems:
            lines += ["    " + l for l in p.splitlines()[:12]]
    if len(failures) > limit:
        lines.append("... and %d more" % (len(failures) - limit))
    return "\n".join(lines)


def write_image(base, delta, path):
    with open(path, "wb") as f:
        f.write(base)
        for b, d in delta.items():
            f.seek(b * BSIZE)
            f.write(d)


# ---- booting on crash images -----------------------------------------------------

WC_SPACE = b" \t\n\v\f\r"


def wc_counts(data):
    """lines, words and bytes as user/wc.c counts them."""
    words, in_word = 0, False
    for c in data:
        if c in WC_SPACE:
            in_word = False
        elif not in_word:
            in_word, words = True, words + 1
    return data.count(b"\n"), words, len(data)


def boot_check(base, delta, workload, tmpdir):
    """Boot the normal kernel on one image, compare what ls and wc show
    with the image as read on the host, halt, and fsck the disk the kernel
    left: a list of problems, empty when all agree."""
    view = FsView(base, delta)
    path = os.path.join(tmpdir, "boot-%d.img" % threading.get_ident())
    write_image(base, delta, path)
    problems = []
    try:
        with Machine(image=path, cpus=2) as m:
            m.wait_prompt(60)
            if view.committed and not re.search(
                    r"^log: recovered a transaction of %d blocks$" % view.committed,
                    m.output, re.M):
                problems.append("the kernel did not say it recovered the log's "
                                "%d blocks" % view.committed)
            for p in workload.scope:
                problems += compare(m, p, view.look(p))
            status = m.halt()
            if status != 0:
                problems.append("halt: QEMU exit status %d" % status)
            bad = fsck_problems(m.image, replay_ok=False)
            if bad:
                problems.append("after the kernel's recovery: " + bad)
    except TestFailure as e:
        problems.append("%s: %s" % (e.verdict, e))
    finally:
        os.remove(path)
    return problems


def compare(m, path, want):
    """Problems with what the booted kernel shows of path, given want (an
    FsView.look value)."""
    out = m.run("ls " + path)
    if want is None:
        return [] if out.startswith("ls: ") else \
            ["%s: absent on the host, but ls shows %r" % (path, out)]
    if out.startswith("ls: "):
        return ["%s: ls fails (%s) but the host finds %s" %
                (path, out.strip(), show(want))]
    if want[0] == "dir":
        names = {l.split()[0] for l in out.splitlines() if l.strip()}
        names -= {".", ".."}
        return [] if names == set(want[1]) else \
            ["%s: ls lists %s, the host %s" % (path, sorted(names), show(want))]
    fields = out.split()
    if len(fields) != 4 or fields[1] != "file" or fields[3] != str(len(want[1])):
        return ["%s: ls shows %r, the host finds %s" % (path, out.strip(), show(want))]
    got = m.run("wc " + path).split()[:3]
    expect = [str(n) for n in wc_counts(want[1])]
    if max(want[1], default=0) > 127:
        # Which bytes over 127 wc takes for blanks is its own business.
        got, expect = got[0::2], expect[0::2]
    if got != expect:
        return ["%s: wc counts %s, the host %s (lines words bytes)" %
                (path, " ".join(got), " ".join(expect))]
    return []


def boot_all(base, samples, tmpdir):
    """Boot on every (delta, how, workload) in samples, JOBS at a time;
    the failures as (how, problems)."""
    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        results = list(pool.map(lambda s: boot_check(base, s[0], s[2], tmpdir),
                                samples))
    return [("%s: %s" % (s[2].name, s[1]), p)
            for s, p in zip(samples, results) if p]


# ---- the checks ------------------------------------------------------------------

class Run:
    """What the checks share: the scratch directory, the starting image,
    the test kernel, the checker, the images to boot, and the counts."""

    def __init__(self, tmpdir, sweep):
        self.tmpdir = tmpdir
        self.sweep = sweep
        self.cap = SWEEP_SUBSETS if sweep else CACHE_SUBSETS
        self.base_path = os.path.join(tmpdir, "fs.img")
        shutil.copyfile(os.path.join(ROOT, "fs.img"), self.base_path)
        with open(self.base_path, "rb") as f:
            self.base = f.read()
        self.start = FsView(self.base, {})
        self.checker = Checker(self.base, tmpdir)
        self.kernel = None
        self.boot_samples = []
        self.booted = 0
        self.recorded = {}      # workload name -> its distinct prefix images

    def images(self, requests, start=None):
        """The distinct prefix and cache images of a record, and what was
        made: (prefix, cache, stats)."""
        start = start or {}
        rng = random.Random(SEED)
        stats = {"stretches": 0, "sampled": 0}
        prefix = list(prefix_images(requests, start))
        cache = list(cache_images(requests, start, self.cap, rng, stats))
        stats["prefix"], stats["cache"] = len(prefix), len(cache)
        return distinct(prefix, self.base), distinct(cache, self.base), stats

    def check_record(self, workload, requests, start=None):
        """Check every crash image of a record: (failures, message,
        distinct prefix images, distinct images)."""
        prefix, cache, stats = self.images(requests, start)
        both = distinct(prefix + cache, self.base)
        states = workload.states(self.start)
        failures = self.checker.check_all(both, workload, states)
        nwrites = sum(r[0] == "W" for r in requests)
        nblocks = sum(len(r[2]) for r in requests if r[0] == "W")
        commits = sum(r[0] == "W" and r[2][0][0] == self.start.logstart and
                      struct.unpack_from("<I", r[2][0][1])[0] > 0
                      for r in requests)
        sampled = "" if not stats["sampled"] else \
            ", %d drawn in each of the other %d" % (self.cap, stats["sampled"])
        message = ("%d write requests (%d blocks), %d flushes; %d prefix and "
                   "%d cache-loss images (every subset lost in %d of %d flush "
                   "intervals%s), %d distinct" %
                   (nwrites, nblocks, len(requests) - nwrites, stats["prefix"],
                    stats["cache"], stats["stretches"] - stats["sampled"],
                    stats["stretches"], sampled, len(both)))
        if start is None:
            message = "%d operations in %d commits: %s" % (
                len(workload.ops(self.start)), commits, message)
        return failures, message, prefix, both


def check_workload(run, workload):
    requests, _ = record(run.kernel, run.base_path, workload.command)
    if not requests or requests[-1][0] != "F":
        raise RecordError("the record does not end with a cache flush, as "
                          "every commit does: lines lost, or no "
                          "VIRTIO_BLK_F_FLUSH?")
    failures, message, prefix, both = run.check_record(workload, requests)
    run.recorded[workload.name] = prefix
    choose_boots(run, workload, prefix, both)
    if failures:
        return False, "%s; %d fail:\n%s" % (message, len(failures),
                                           describe_failures(failures))
    return True, message + ": all consistent"


def choose_boots(run, workload, prefix, both):
    """Add this workload's images to the boot sample: every distinct prefix
    image for the first workload (and for all with --sweep), and a few
    others whose log holds a committed transaction (so recovery has work)."""
    if run.sweep or workload is WORKLOADS[0]:
        run.boot_samples += [(d, how, workload) for d, how in prefix]
        if not run.sweep:
            return
    rng = random.Random(SEED)
    committed = [(d, how) for d, how in both if FsView(run.base, d).committed]
    rng.shuffle(committed)
    run.boot_samples += [(d, how, workload)
                         for d, how in committed[:BOOTS_PER_WORKLOAD]]


def check_recovery(run):
    """Crash again while the kernel replays the log at boot: the log of
    the largest committed transaction the sequential workloads left."""
    candidates = [(FsView(run.base, d).committed, d, how, w)
                  for w in WORKLOADS if not w.independent
                  for d, how in run.recorded.get(w.name, [])]
    if not candidates:
        return False, "no workload ran"
    n, delta, how, workload = max(candidates, key=lambda c: c[0])
    path = os.path.join(run.tmpdir, "recover.img")
    write_image(run.base, delta, path)
    requests, console = record(run.kernel, path, None)
    if not re.search(r"^log: recovered a transaction of %d blocks$" % n, console, re.M):
        return False, "booting on an image whose log holds %d blocks, the " \
            "kernel did not say it recovered them" % n
    failures, message, _, _ = run.check_record(workload, requests, delta)
    message = "recovering %d blocks (workload %s, %s): %s" % (
        n, workload.name, how, message)
    if failures:
        return False, "%s; %d fail:\n%s" % (message, len(failures),
                                           describe_failures(failures))
    return True, message + ": all consistent"


def check_boots(run):
    failures = boot_all(run.base, run.boot_samples, run.tmpdir)
    run.booted = len(run.boot_samples)
    message = "%d crash images booted (the kernel recovers; ls and wc agree " \
        "with the host; fsck clean after)" % run.booted
    if failures:
        return False, "%s; %d fail:\n%s" % (message, len(failures),
                                           describe_failures(failures))
    return True, message


def check_mutant(run, mutant):
    """Build a broken kernel, record its workload and check the images: the
    check the mutant names must fail on some image of the model it names."""
    tree = os.path.join(run.tmpdir, "mutant-%d" % MUTANTS.index(mutant))
    os.mkdir(tree)
    kernel = build_test_kernel(tree, mutant)
    workload = WORKLOAD_NAMED[mutant["workload"]]
    requests, _ = record(kernel, run.base_path, workload.command)
    prefix, cache, _ = run.images(requests)
    states = workload.states(run.start)
    found, summary = {}, []
    for model, images in (("prefix", prefix), ("cache", cache)):
        failures = run.checker.check_all(images, workload, states)
        found[model] = {
            "fsck": [f for f in failures
                     if any(not p.startswith(FILES) for p in f[1])],
            "files": [f for f in failures
                      if any(p.startswith(FILES) for p in f[1])],
        }
        summary.append("%s images: %d of %d fail fsck, %d the file check" %
                       (model, len(found[model]["fsck"]), len(images),
                        len(found[model]["files"])))
    model, check = mutant["caught_by"]
    caught = found[model][check]
    where = "%s on the %s images (%s broken; workload %s: %s)" % (
        "fsck" if check == "fsck" else "the file check", model,
        mutant["file"], workload.name, "; ".join(summary))
    if not caught:
        return False, "not caught by " + where
    return True, "caught by %s; the first:\n%s" % (where,
                                                   describe_failures(caught, 1))


# ---- main ------------------------------------------------------------------------

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sweep", action="store_true",
                   help="more cache-loss subsets, and boot every prefix image")
    args = p.parse_args()
    start = time.time()
    tmp = tempfile.mkdtemp(prefix="rivet-crash-")
    run = Run(tmp, args.sweep)
    passed = failed = checked = 0

    def report(name, fn, *a):
        nonlocal passed, failed
        t = time.time()
        try:
            ok, message = fn(*a)
        except (RuntimeError, RecordError, TestFailure) as e:
            ok, message = False, "%s: %s" % (type(e).__name__, e)
        except Exception:
            ok, message = False, "grader error:\n" + traceback.format_exc()
        print("crash %s: %s (%.1fs)" % (name, "OK" if ok else "FAILED",
                                         time.time() - t))
        print("\n".join("    " + l for l in message.splitlines()), flush=True)
        passed += ok
        failed += not ok

    def build():
        tree = os.path.join(tmp, "tree")
        os.mkdir(tree)
        run.kernel = build_test_kernel(tree)
        return True, "make KTEST=1 in a scratch copy of the tree"

    try:
        report("test kernel", build)
        if run.kernel:
            for w in WORKLOADS:
                report("workload %s (%s)" % (w.name, w.command),
                       check_workload, run, w)
            report("recovery crashes", check_recovery, run)
            report("boot", check_boots, run)
        checked = run.checker.count
        for mutant in MUTANTS:
            report("broken kernel: %s" % mutant["name"], check_mutant, run, mutant)
    finally:
        run.checker.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print("crash images checked: %d by fsck and the file check, %d of them "
          "also by booting (and %d of broken kernels); %.1fs" %
          (checked, run.booted, run.checker.count - checked, time.time() - start))
    print("crash tests: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
