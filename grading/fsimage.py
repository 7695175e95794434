"""Read and damage rivet disk images, for tests of how the kernel copes.

The layout is include/fs_format.h's: 4096-byte blocks, the superblock in
block 1, 64-byte inodes from sb.inodestart, one bitmap bit per block from
sb.bmapstart, directories made of 16-byte entries.  Only what the tests
need is here: find a path's inode, read and change an inode's fields, its
blocks, directory entries, and bitmap bits.

    img = Image(path)
    inum = img.lookup("/README.md")
    ino = img.inode(inum)            # a dict: type, major, minor, nlink,
    ino["nlink"] = 0                 #   size, addrs (13 block numbers)
    img.set_inode(inum, ino)
    img.save()
"""

import struct

BSIZE = 4096
DINODE = struct.Struct("<4h I 13I")     # type major minor nlink size addrs
DIRENT = struct.Struct("<H14s")
SUPER = struct.Struct("<8I")
LOGBLOCKS = 64                          # include/param.h
LOG_SUMS = 8 + 4 * LOGBLOCKS            # offset of struct logheader's sum[]
NDIRECT = 11
T_DIR, T_FILE, T_DEVICE = 1, 2, 3
ROOTINO = 1


def log_checksum(block):
    """include/fs_format.h:log_checksum of a block: 64-bit FNV-1a taken
    a little-endian word at a time."""
    h = 0xcbf29ce484222325
    for w in struct.unpack("<%dQ" % (BSIZE // 8), block):
        h = ((h ^ w) * 0x100000001b3) & 0xffffffffffffffff
    return h


def log_header(block):
    """The home block numbers and checksums a log header lists."""
    n = struct.unpack_from("<I", block)[0]
    n = min(n, LOGBLOCKS)
    return (struct.unpack_from("<%dI" % n, block, 4),
            struct.unpack_from("<%dQ" % n, block, LOG_SUMS))


class Image:
    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.data = bytearray(f.read())
        (self.magic, self.size, self.nblocks, self.ninodes, self.nlog,
         self.logstart, self.inodestart, self.bmapstart) = \
            SUPER.unpack_from(self.data, BSIZE)

    def save(self):
        with open(self.path, "wb") as f:
            f.write(self.data)

    # -- blocks and the bitmap --

    def block(self, b):
        return bytes(self.data[b * BSIZE:(b + 1) * BSIZE])

    def set_block(self, b, content):
        assert len(content) == BSIZE
        self.data[b * BSIZE:(b + 1) * BSIZE] = content

    def _bit(self, b):
        byte = self.bmapstart * BSIZE + b // 8
        return byte, 1 << (b % 8)

    def marked(self, b):
        byte, mask = self._bit(b)
        return bool(self.data[byte] & mask)

    def set_marked(self, b, used):
        byte, mask = self._bit(b)
        if used:
            self.data[byte] |= mask
        else:
            self.data[byte] &= ~mask & 0xff

    # -- inodes --

    def _inode_offset(self, inum):
        return (self.inodestart + inum // (BSIZE // DINODE.size)) * BSIZE + \
            (inum % (BSIZE // DINODE.size)) * DINODE.size

    def inode(self, inum):
        f = DINODE.unpack_from(self.data, self._inode_offset(inum))
        return {"type": f[0], "major": f[1], "minor": f[2], "nlink": f[3],
                "size": f[4], "addrs": list(f[5:])}

    def set_inode(self, inum, ino):
        DINODE.pack_into(self.data, self._inode_offset(inum), ino["type"],
                         ino["major"], ino["minor"], ino["nlink"],
                         ino["size"], *ino["addrs"])

    # -- directories (direct blocks only: enough for small test trees) --

    def entries(self, inum):
        """[(name, inum, byte offset in the image)] of a directory."""
        ino = self.inode(inum)
        out = []
        for off in range(0, ino["size"], DIRENT.size):
            b = ino["addrs"][off // BSIZE]
            at = b * BSIZE + off % BSIZE
            num, raw = DIRENT.unpack_from(self.data, at)
            if num != 0:
                out.append((raw.rstrip(b"\0").decode(), num, at))
        return out

    def lookup(self, path):
        inum = ROOTINO
        for name in [p for p in path.split("/") if p]:
            found = [n for e, n, _ in self.entries(inum) if e == name]
            if not found:
                raise KeyError(path)
            inum = found[0]
        return inum

    def set_log(self, blocks):
        """Write a log header committing blocks: the slots keep whatever
        they hold, and the header their checksums."""
        at = self.logstart * BSIZE
        struct.pack_into("<I%dI" % len(blocks), self.data, at, len(blocks), *blocks)
        for i in range(len(blocks)):
            slot = (self.logstart + 1 + i) * BSIZE
            struct.pack_into("<Q", self.data, at + LOG_SUMS + 8 * i,
                             log_checksum(self.data[slot:slot + BSIZE]))

    def add_entry(self, dir_inum, name, inum):
        """Append an entry to a directory (in its first block)."""
        ino = self.inode(dir_inum)
        assert ino["size"] + DIRENT.size <= BSIZE
        at = ino["addrs"][0] * BSIZE + ino["size"]
        DIRENT.pack_into(self.data, at, inum, name.encode())
        ino["size"] += DIRENT.size
        self.set_inode(dir_inum, ino)
