/*
 * include/fs_format.h: the on-disk file-system format, shared by the kernel and
 * the host-built mkfs.
 *
 * The disk is an array of BSIZE-byte blocks laid out as
 *
 *   +------+-------+---------------+----------+--------+------------------+
 *   | boot | super | log           | inodes   | bitmap | data blocks      |
 *   |  0   |   1   | header+blocks | IPB/blk  |        |                  |
 *   +------+-------+---------------+----------+--------+------------------+
 *
 * Block 0 is unused, block 1 holds the superblock, which records where each
 * other region starts.  fs_layout() computes a layout for an image size and
 * fs_superblock_check() is the one test, used by both the kernel's mount
 * and fsck, that a superblock describes a sane image.
 *
 * All integers on disk are little-endian, as RISC-V and the hosts mkfs runs
 * on are.
 */
#ifndef INCLUDE_FS_FORMAT_H
#define INCLUDE_FS_FORMAT_H

#include "include/types.h"
#include "include/param.h"

#define BSIZE      4096         /* block size in bytes: one page */
#define FSMAGIC    0x52495654   /* "RIVT" */
#define ROOTINO    1            /* inode number of the root directory */

struct superblock {
	uint32 magic;       /* FSMAGIC */
	uint32 size;        /* size of the image in blocks */
	uint32 nblocks;     /* number of data blocks */
	uint32 ninodes;     /* number of inodes */
	uint32 nlog;        /* number of log blocks, header included */
	uint32 logstart;    /* block number of the log header */
	uint32 inodestart;  /* block number of the first inode block */
	uint32 bmapstart;   /* block number of the first bitmap block */
};

/* Block pointers in an inode: direct, then one single- and one double-indirect. */
#define NDIRECT      11        /* direct block pointers in an inode */
#define NINDIRECT    (BSIZE / sizeof(uint32))   /* pointers in an indirect block */
#define NDINDIRECT   (NINDIRECT * NINDIRECT)    /* blocks a double-indirect block reaches */
#define INDIRECT_SLOT   NDIRECT         /* addrs[] index of the single-indirect block */
#define DINDIRECT_SLOT  (NDIRECT + 1)   /* addrs[] index of the double-indirect block */
#define NADDRS       (NDIRECT + 2)  /* length of addrs[]: the direct pointers and two more */
#define MAXFILE      ((uint64)NDIRECT + NINDIRECT + NDINDIRECT)   /* in blocks */
#define MAXFILESIZE  0xFFFFFFFFull    /* in bytes: the size field is 32 bits */

/*
 * An inode as stored on disk.
 *
 * nlink counts the directory entries naming the inode, but never a
 * directory's own "." or its children's "..":
 *   - a file or device: the entries naming it;
 *   - a directory: 1 for its entry in its parent (the root, which has
 *     none, counts as named once too) plus 1 for each subdirectory.
 * (Unix file systems usually count "." too, so there an empty directory
 * has 2.)  mkdir gives a new directory nlink 1 and adds one to its
 * parent's; removing it takes that one away again (kernel/fs/sysfile.c).
 * mkfs writes the same counts, and fsck checks them.
 */
struct dinode {
	int16  type;            /* T_DIR, T_FILE, T_DEVICE (include/stat.h); 0 = free */
	int16  major;           /* device files: driver number */
	int16  minor;           /* device files: unit number */
	int16  nlink;           /* directory entries naming this inode (above) */
	uint32 size;            /* bytes of data */
	uint32 addrs[NADDRS];   /* block numbers; 0 = not allocated (a hole) */
};

#define IPB   (BSIZE / sizeof(struct dinode))   /* inodes per block */
#define BPB   (BSIZE * 8)                       /* bitmap bits per block */

/*
 * The largest file system the kernel mounts (kernel/fs/inode.c:mount_problem).
 * Deleting a file may clear a bit in every bitmap block in one operation,
 * which also logs a directory block and two inode blocks, so the bitmap may
 * have at most MAXOPBLOCKS - 3 blocks: 13 of BPB bits, 425,984 blocks.
 */
#define FS_MAXBITMAP  (MAXOPBLOCKS - 3)             /* most bitmap blocks */
#define FS_MAXBLOCKS  ((uint32)FS_MAXBITMAP * BPB)  /* most blocks in an image */

/* Directory entries: a directory is a file holding an array of these. */
#define DIRSIZ 14      /* longest name in a directory entry, in bytes */

struct dirent {
	uint16 inum;            /* 0 = free slot */
	char   name[DIRSIZ];    /* NUL-padded; not terminated when DIRSIZ long */
};

#define FS_MAXINODES  65536u   /* most inodes: dirent.inum is 16 bits */

/*
 * The log header, stored in block logstart, and the blocks ("slots") that
 * follow it.  A commit writes the header and its n slots together, and a
 * disk may keep some of those blocks and lose others at a power failure;
 * so the header carries a checksum of each slot, and a transaction counts
 * as committed only when every slot matches its sum (kernel/fs/log.c).
 */
struct logheader {
	uint32 n;                   /* slots in the transaction; 0: none */
	uint32 block[LOGBLOCKS];    /* home block number of slot i */
	uint32 unused;              /* keeps sum[] 8-byte aligned */
	uint64 sum[LOGBLOCKS];      /* log_checksum() of slot i's contents */
};

#define LOG_SUM_START  0xcbf29ce484222325ull   /* FNV-1a's 64-bit offset basis */
#define LOG_SUM_PRIME  0x100000001b3ull        /* FNV-1a's 64-bit prime */

/*
 * The checksum of a slot: 64-bit FNV-1a taken a word at a time.  Each step
 * is a bijection of the running value, so a block that differs from the
 * one summed in a single word always fails the check, and a stale or torn
 * block passes only by a 1-in-2^64 chance.  log_sum_word() is one step,
 * for code that sums while it copies.
 */
static inline uint64
log_sum_word(uint64 sum, uint64 word)
{
	return (sum ^ word) * LOG_SUM_PRIME;
}

static inline uint64
log_checksum(const void *block)
{
	const uint64 *w = block;
	uint64 sum = LOG_SUM_START;

	for (int i = 0; i < BSIZE / 8; i++)
		sum = log_sum_word(sum, w[i]);
	return sum;
}

_Static_assert(sizeof(struct dinode) == 64, "dinode must be 64 bytes");
_Static_assert(BSIZE % sizeof(struct dinode) == 0, "inodes must tile a block");
_Static_assert(BSIZE % sizeof(struct dirent) == 0, "dirents must tile a block");
_Static_assert(sizeof(struct superblock) <= BSIZE, "superblock fits a block");
_Static_assert(sizeof(struct logheader) <= BSIZE, "log header fits a block");
_Static_assert(__builtin_offsetof(struct logheader, sum) == 8 + 4 * LOGBLOCKS,
	       "the log header has no hidden padding");
_Static_assert(MAXFILE * BSIZE >= 64ull * 1024 * 1024, "files of 64 MiB");
_Static_assert(FS_MAXINODES - 1 == (uint16)-1, "every inode number fits dirent.inum");

/* Block holding inode inum. */
static inline uint32
fs_inode_block(const struct superblock *sb, uint32 inum)
{
	return sb->inodestart + inum / IPB;
}

/* Bitmap block holding the bit for block b. */
static inline uint32
fs_bitmap_block(const struct superblock *sb, uint32 b)
{
	return sb->bmapstart + b / BPB;
}

/* First data block: everything below it is metadata. */
static inline uint32
fs_data_start(const struct superblock *sb)
{
	return sb->bmapstart + (sb->size + BPB - 1) / BPB;
}

/*
 * Fill *sb with the layout of an image of `size` blocks holding `ninodes`
 * inodes and a log of `nlog` blocks (header included).  Returns 0, or -1
 * when the metadata would not leave at least one data block.
 */
static inline int
fs_layout(struct superblock *sb, uint32 size, uint32 ninodes, uint32 nlog)
{
	uint32 ninodeblocks = (ninodes + IPB - 1) / IPB;
	uint32 nbitmap = (size + BPB - 1) / BPB;
	uint32 nmeta = 2 + nlog + ninodeblocks + nbitmap;

	if (size <= nmeta || ninodes < 2 || nlog < 2)
		return -1;
	sb->magic = FSMAGIC;
	sb->size = size;
	sb->ninodes = ninodes;
	sb->nlog = nlog;
	sb->logstart = 2;
	sb->inodestart = 2 + nlog;
	sb->bmapstart = 2 + nlog + ninodeblocks;
	sb->nblocks = size - nmeta;
	return 0;
}

/*
 * Check that *sb describes a consistent image that fits in a disk of
 * disk_blocks blocks (0: size unknown, skip that check).  Returns NULL when
 * it does, or a message saying what is wrong.
 */
static inline const char *
fs_superblock_check(const struct superblock *sb, uint64 disk_blocks)
{
	struct superblock want;

	if (sb->magic != FSMAGIC)
		return "bad magic number (not a file system image)";
	if (disk_blocks != 0 && sb->size > disk_blocks)
		return "file system is larger than the disk";
	if (sb->nlog > LOGBLOCKS + 1)
		return "log is larger than this kernel supports";
	if (fs_layout(&want, sb->size, sb->ninodes, sb->nlog) != 0)
		return "sizes leave no room for data";
	if (want.logstart != sb->logstart || want.inodestart != sb->inodestart ||
	    want.bmapstart != sb->bmapstart || want.nblocks != sb->nblocks)
		return "region boundaries do not match the sizes";
	return 0;
}

/*
 * Which level of the block map holds file block bn: 0 direct, 1 single
 * indirect, 2 double indirect, -1 beyond MAXFILE.  *index gets the index
 * within that level (for level 2, split it with NINDIRECT).
 */
static inline int
fs_block_level(uint64 bn, uint64 *index)
{
	if (bn < NDIRECT) {
		*index = bn;
		return 0;
	}
	bn -= NDIRECT;
	if (bn < NINDIRECT) {
		*index = bn;
		return 1;
	}
	bn -= NINDIRECT;
	if (bn < NDINDIRECT) {
		*index = bn;
		return 2;
	}
	return -1;
}

#endif /* INCLUDE_FS_FORMAT_H */
