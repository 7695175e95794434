/*
 * kernel/fs/inode.c: the file system proper: block allocation, inodes,
 * directories and path names, on top of the log and the buffer cache.
 *
 * The file system is built in layers; each uses only the ones below it.
 *
 *   +------------------------------------------------------------------+
 *   | paths         namei, nameiparent: "/a/b" walked one name at a time|
 *   | directories   dirlookup, dirlink: a file of struct dirent          |
 *   | inodes        iget/ilock/iput, readi/writei, bmap, itrunc          |
 *   | blocks        balloc, bfree: one bitmap bit per disk block         |
 *   +------------------------------------------------------------------+
 *   | log (log.c)            begin_op, log_write, end_op: atomic updates |
 *   | buffer cache (bio.c)   bread, brelse: one locked copy per block    |
 *   | disk (dev/disk.h)      disk_rw                                     |
 *   +------------------------------------------------------------------+
 *
 * The on-disk format is in include/fs_format.h.  Everything here that
 * changes the disk does it with log_write() inside an operation the caller
 * began with begin_op(), so each system call's changes reach the disk all
 * together or not at all.
 *
 * Inodes.  An inode describes one file: its type, size, link count and the
 * blocks holding its data (NDIRECT direct block numbers, one single- and one
 * double-indirect block).  The inode cache (itable) keeps an in-memory copy
 * of each inode in use, so that all users of a file share one copy and one
 * lock.  Two counts are kept apart:
 *   - ip->ref, under itable.lock, counts the pointers to the entry (open
 *     files, current directories, lookups in progress); iget()/idup() add
 *     one, iput() drops one.  While ref > 0 the entry keeps its identity.
 *   - ip->nlink, under ip->lock, counts the directory entries naming the
 *     file on disk.
 * The file is deleted (its blocks and inode freed) when both reach zero,
 * in iput().  ilock() loads the contents from disk the first time.
 *
 * Directories.  A directory is a file holding struct dirent records; inum 0
 * marks a free slot.  nlink of a directory counts the entries naming it,
 * not counting its own ".": one for its entry in its parent, plus one for
 * each subdirectory's ".." (the rule beside struct dinode, which mkfs and
 * fsck follow too).
 *
 * A damaged disk.  Nothing read from the disk is trusted: an inode is
 * checked when ilock() loads it (type, link count, size, block pointers),
 * every block pointer read from an indirect block and every directory
 * entry is checked when it is used, and a block about to be freed must be
 * marked in use.  A structure that fails its check is named on the
 * console, and the operation fails with -EIO, never writing through it:
 * damage stays where it is instead of spreading (fsck repairs it).  A
 * block the disk cannot read fails the operation with -EIO the same way;
 * one that cannot be written makes the file system read-only (log.c).
 */
#include <stdarg.h>
#include "include/types.h"
#include "include/param.h"
#include "include/fs_format.h"
#include "include/path.h"
#include "include/stat.h"
#include "include/errno.h"
#include "include/string.h"
#include "include/fmt.h"
#include "kernel/lock/spinlock.h"
#include "kernel/lock/sleeplock.h"
#include "kernel/fs/buf.h"
#include "kernel/fs/bio.h"
#include "kernel/dev/disk.h"
#include "kernel/fs/log.h"
#include "kernel/fs/inode.h"
#include "kernel/proc/proc.h"
#include "kernel/mem/kalloc.h"
#include "kernel/lib/printf.h"

_Static_assert(sizeof(((struct inode *)0)->addrs) ==
	       sizeof(((struct dinode *)0)->addrs), "inode and dinode addrs match");

/* The mounted file system's layout, read by fs_init and constant after. */
static struct superblock sb;

/*
 * The inode cache.  itable.lock guards every entry's dev, inum and ref;
 * an entry's sleep lock guards the rest (see kernel/fs/inode.h).
 */
static struct {
	struct spinlock lock;
	struct inode inode[NINODE];
} itable;

/* What a file hole reads as. */
static const uchar zeroes[BSIZE];

static inline uint
umin(uint a, uint b)
{
	return a < b ? a : b;
}

/*
 * Name damage found on the disk on the console; the caller then fails its
 * operation with -EIO.  Returns -EIO, for "return fs_damaged(...)".
 */
int
fs_damaged(const char *fmt, ...)
{
	va_list ap;
	char what[96];

	va_start(ap, fmt);
	fmt_vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	printf("fs: damaged: %s\n", what);
	return -EIO;
}

/* May a block pointer hold b?  0 (no block), or a block of the data region. */
static bool
block_ok(uint b)
{
	return b == 0 || (b >= fs_data_start(&sb) && b < sb.size);
}

/* ---- mounting ----------------------------------------------------------- */

/* Why the superblock in sb cannot be used on this kernel, or NULL. */
static const char *
mount_problem(void)
{
	const char *why = fs_superblock_check(&sb, disk_blocks());

	if (why != NULL)
		return why;
	if (sb.nlog - 1 < MAXOPBLOCKS)
		return "log is too small for one file-system operation";
	if (sb.ninodes > FS_MAXINODES)
		return "more inodes than a directory entry can name";
	/* FS_MAXBLOCKS says why: its bitmap must fit one operation's log. */
	if (sb.size > FS_MAXBLOCKS)
		return "disk too large: its bitmap exceeds one operation's log room";
	return NULL;
}

static int load_inode(struct inode *ip, bool orphan);   /* ---- inodes */

/*
 * The mount scan.  Two kinds of damage would spread as soon as the file
 * system is used, so they are looked for before anything else runs:
 *
 *   - a block some file uses but the bitmap calls free would be handed
 *     out to another file, and the two would overwrite each other: such
 *     a block is marked in use;
 *   - an inode with no links left but still named by an entry would be
 *     freed by the first iput, while the entry still pointed at it: such
 *     an inode is reported, not freed.
 *
 * Then the real orphans, allocated inodes with no links that no entry
 * names (a file unlinked while open when the machine stopped, whose last
 * iput never came), are freed, as that iput would have.  The scan reads
 * every inode block, indirect block and directory block once; an on-disk
 * list of orphans would avoid part of that, at the cost of an update at
 * every unlink of an open file and every last close.  (The reverse of the
 * first problem, a marked block nothing uses, only wastes space; fsck
 * gives it back.)
 */
struct scan {
	uint dev;
	uint inum;               /* the inode being scanned */
	bool dir;                /* ... is a directory */
	uchar *named;            /* one bit per inode: some entry names it */
	int orphans;             /* orphans freed */
};

/* Mark block b in use, in an operation of its own, if the bitmap calls it
 * free, and say so. */
static void
claim_block(struct scan *sc, uint b)
{
	struct buf *bp;
	uint bit = b % BPB;

	begin_op();
	if ((bp = bread(sc->dev, fs_bitmap_block(&sb, b))) != NULL) {
		if ((bp->data[bit / 8] & (1 << (bit % 8))) == 0) {
			fs_damaged("block %u of inode %u is marked free; marking it in use",
				   b, sc->inum);
			bp->data[bit / 8] |= 1 << (bit % 8);
			log_write(bp);
		}
		brelse(bp);
	}
	end_op();
}

/* Note every inode the directory block b names (not counting "." and
 * "..", which name directories that have names of their own). */
static void
note_entries(struct scan *sc, uint b)
{
	struct buf *bp = bread(sc->dev, b);
	struct dirent *de;

	if (bp == NULL)
		return;
	de = (struct dirent *)bp->data;
	for (uint i = 0; i < BSIZE / sizeof(*de); i++)
		if (de[i].inum != 0 && de[i].inum < sb.ninodes &&
		    path_namecmp(de[i].name, ".") != 0 &&
		    path_namecmp(de[i].name, "..") != 0)
			sc->named[de[i].inum / 8] |= 1 << (de[i].inum % 8);
	brelse(bp);
}

/*
 * Does an indirect block point back at itself or at the indirect block
 * above it (held, 0 when there is none)?  Following it would read a block
 * this process holds locked and wait for itself forever.
 */
static bool
points_back(uint b, const uint held[2], uint inum)
{
	if (b == 0 || (b != held[0] && b != held[1]))
		return false;
	fs_damaged("inode %u: indirect block %u points back at itself", inum, b);
	return true;
}

/* Scan block b of the current inode and, for an indirect block depth
 * levels above the data, every valid block it points to.  held: the
 * indirect blocks above b, whose buffers are locked. */
static void
scan_tree(struct scan *sc, uint b, int depth, const uint held[2])
{
	uint below[2] = { b, held[0] };
	struct buf *bp;
	uint32 *a;

	if (b == 0 || !block_ok(b) || points_back(b, held, sc->inum))
		return;   /* a bad pointer is refused when used (map_slot) */
	claim_block(sc, b);
	if (depth == 0) {
		if (sc->dir)
			note_entries(sc, b);
		return;
	}
	if ((bp = bread(sc->dev, b)) == NULL)
		return;
	a = (uint32 *)bp->data;
	for (uint i = 0; i < NINDIRECT; i++)
		scan_tree(sc, a[i], depth - 1, below);
	brelse(bp);
}

/* The disk inode inum (type 0 if it cannot be read). */
static struct dinode
read_dinode(uint dev, uint inum)
{
	struct buf *bp = bread(dev, fs_inode_block(&sb, inum));
	struct dinode d;

	memset(&d, 0, sizeof(d));
	if (bp != NULL) {
		d = ((struct dinode *)bp->data)[inum % IPB];
		brelse(bp);
	}
	return d;
}

/* Claim the blocks of every inode, and note the inodes entries name. */
static void
scan_inodes(struct scan *sc)
{
	static const uint none[2] = { 0, 0 };
	struct dinode d;

	for (sc->inum = 1; sc->inum < sb.ninodes; sc->inum++) {
		d = read_dinode(sc->dev, sc->inum);
		if (d.type == 0)
			continue;
		sc->dir = d.type == T_DIR;
		for (int i = 0; i < NADDRS; i++)
			scan_tree(sc, d.addrs[i], i < NDIRECT ? 0 : i == INDIRECT_SLOT ? 1 : 2,
				  none);
	}
}

/* Free orphan inum as its last iput would have. */
static void
free_orphan(struct scan *sc, uint inum)
{
	struct inode *ip;
	int r;

	begin_op();
	ip = iget(sc->dev, inum);
	acquiresleep(&ip->lock);
	r = ip->valid ? 0 : load_inode(ip, true);
	releasesleep(&ip->lock);
	iput(ip);         /* the last reference: iput frees it */
	end_op();
	if (r == 0)
		sc->orphans++;
}

/* Free the orphans; report named inodes with no links. */
static void
reclaim_orphans(struct scan *sc)
{
	struct dinode d;

	if (log_readonly())
		return;   /* nothing can be freed: the next mount will */
	for (uint inum = 1; inum < sb.ninodes; inum++) {
		d = read_dinode(sc->dev, inum);
		if (d.type == 0 || d.nlink != 0)
			continue;
		if (inum == ROOTINO || (sc->named[inum / 8] & (1 << (inum % 8))))
			fs_damaged("inode %u is named but has no links; left for fsck", inum);
		else
			free_orphan(sc, inum);
	}
	if (sc->orphans > 0)
		printf("fs: freed %d orphaned inode%s (unlinked while open at a crash)\n",
		       sc->orphans, sc->orphans == 1 ? "" : "s");
}

static void
mount_scan(uint dev)
{
	struct scan sc = { .dev = dev };

	_Static_assert(FS_MAXINODES / 8 <= 2 * PGSIZE, "named[] fits 2 pages");
	if ((sc.named = kalloc_pages(1)) == NULL)
		panic("mount_scan: no memory at boot");
	memset(sc.named, 0, 2 * PGSIZE);
	scan_inodes(&sc);
	reclaim_orphans(&sc);
	kfree_pages(sc.named, 1);
}

/*
 * Mount the file system on dev: read and check the superblock, set up the
 * inode cache, recover the log, and scan the inodes (mount_scan).
 * Called once, from the first process
 * (it sleeps on disk I/O).  Without a root file system the kernel cannot
 * go on, so a bad image is reported and the kernel panics.
 */
void
fs_init(int dev)
{
	struct buf *bp;
	const char *why;
	int i;

	if ((bp = bread(dev, 1)) == NULL)
		panic("fs_init: the disk cannot read the superblock");
	memmove(&sb, bp->data, sizeof(sb));
	brelse(bp);
	why = mount_problem();
	if (why != NULL) {
		printf("fs: cannot mount the disk image: %s\n", why);
		printf("fs: rebuild it with 'make fs.img' (or 'make clean all')\n");
		panic("fs_init: no usable root file system");
	}

	initlock(&itable.lock, "itable");
	for (i = 0; i < NINODE; i++)
		initsleeplock(&itable.inode[i].lock, "inode");
	log_init(dev, &sb);
	mount_scan(dev);
}

/* ---- blocks ------------------------------------------------------------- */

/* Zero block b through the log (a new block: its old contents are not read). */
static void
zero_block(uint dev, uint b)
{
	struct buf *bp = bfresh(dev, b);

	memset(bp->data, 0, BSIZE);
	log_write(bp);
	brelse(bp);
}

/* The first clear bit of map in [from, to), or -1.  Full bytes are skipped. */
static int
bitmap_find_clear(const uchar *map, uint from, uint to)
{
	uint i = from;

	while (i < to) {
		if (i % 8 == 0 && map[i / 8] == 0xff) {
			i += 8;
			continue;
		}
		if ((map[i / 8] & (1 << (i % 8))) == 0)
			return i;
		i++;
	}
	return -1;
}

/*
 * Where balloc starts looking: just past the block it handed out last,
 * or at the lowest block freed since.  Without it, each allocation
 * searched the bitmap from the first data block, across every block in
 * use (in make bench's file write, 7% of all it did).  Only a
 * hint: a race between two updates costs a longer search or a higher
 * block, never a wrong answer, because balloc wraps around to the first
 * data block before it reports the disk full.  Read and written
 * atomically, without a lock.
 */
static uint alloc_hint;

/* Allocate the first free block in [lo, hi) into *b: 0, -ENOSPC or -EIO. */
static int
balloc_range(uint dev, uint lo, uint hi, uint *b)
{
	uint base, from, to;
	struct buf *bp;
	int bit;

	for (base = lo - lo % BPB; base < hi; base += BPB) {
		from = base < lo ? lo - base : 0;
		to = umin(BPB, hi - base);
		if ((bp = bread(dev, fs_bitmap_block(&sb, base))) == NULL)
			return -EIO;
		bit = bitmap_find_clear(bp->data, from, to);
		if (bit >= 0) {
			bp->data[bit / 8] |= 1 << (bit % 8);
			log_write(bp);
			brelse(bp);
			*b = base + bit;
			return 0;
		}
		brelse(bp);
	}
	return -ENOSPC;
}

/*
 * Allocate a disk block into *b: 0, -ENOSPC when the disk is full, or
 * -EIO.  Only data blocks (from fs_data_start) are handed out, whatever
 * the bitmap says about the metadata.  The block still holds what its
 * last owner left there: the caller zeroes or overwrites all of it, in
 * the same operation.  Inside an operation.
 */
static int
balloc(uint dev, uint *b)
{
	uint first = fs_data_start(&sb);
	uint start = __atomic_load_n(&alloc_hint, __ATOMIC_RELAXED);
	int r;

	if (start < first || start >= sb.size)
		start = first;
	r = balloc_range(dev, start, sb.size, b);
	if (r == -ENOSPC && start > first)
		r = balloc_range(dev, first, start, b);
	if (r == 0)
		__atomic_store_n(&alloc_hint, *b + 1, __ATOMIC_RELAXED);
	return r;
}

/*
 * Mark block b free.  A block the bitmap already calls free is damage
 * (two owners, or a bad pointer): it is reported and left alone, since
 * clearing the bit again would hand it out twice.  Inside an operation.
 */
static void
bfree(uint dev, uint b)
{
	struct buf *bp = bread(dev, fs_bitmap_block(&sb, b));
	uint bit = b % BPB;

	if (bp == NULL) {
		printf("fs: cannot read the bitmap to free block %u; it stays in use\n", b);
		return;
	}
	if ((bp->data[bit / 8] & (1 << (bit % 8))) == 0) {
		fs_damaged("block %u is freed but the bitmap says it is free", b);
		brelse(bp);
		return;
	}
	bp->data[bit / 8] &= ~(1 << (bit % 8));
	log_write(bp);
	brelse(bp);
	if (b < __atomic_load_n(&alloc_hint, __ATOMIC_RELAXED))
		__atomic_store_n(&alloc_hint, b, __ATOMIC_RELAXED);
}

/* Free data blocks: clear bits from fs_data_start to the end of the disk. */
static uint
count_free_blocks(uint dev)
{
	uint free = 0, b = fs_data_start(&sb);

	while (b < sb.size) {
		struct buf *bp = bread(dev, fs_bitmap_block(&sb, b));
		uint end = umin(sb.size, b - b % BPB + BPB);
		if (bp == NULL) {   /* unreadable: count its blocks as used */
			b = end;
			continue;
		}
		for (; b < end; b++)
			if ((bp->data[(b % BPB) / 8] & (1 << (b % 8))) == 0)
				free++;
		brelse(bp);
	}
	return free;
}

/* Free on-disk inodes (type 0), not counting the reserved inode 0. */
static uint
count_free_inodes(uint dev)
{
	uint free = 0;

	for (uint first = 0; first < sb.ninodes; first += IPB) {
		struct buf *bp = bread(dev, fs_inode_block(&sb, first));
		struct dinode *dip;
		if (bp == NULL)     /* unreadable: count its inodes as used */
			continue;
		dip = (struct dinode *)bp->data;
		for (uint i = 0; i < IPB && first + i < sb.ninodes; i++)
			if (first + i != 0 && dip[i].type == 0)
				free++;
		brelse(bp);
	}
	return free;
}

void
fs_usage(uint dev, uint *freeblocks, uint *totalblocks, uint *freeinodes,
	 uint *totalinodes)
{
	*freeblocks = count_free_blocks(dev);
	*totalblocks = sb.nblocks;
	*freeinodes = count_free_inodes(dev);
	*totalinodes = sb.ninodes - 1;
}

/* ---- inodes ------------------------------------------------------------- */

/*
 * Fill the cache entry of an inode ialloc has just claimed, as ilock would
 * load it: a new inode has no links yet, which ilock's check would call
 * damage.  Nobody else can reference it yet.
 */
static void
load_new_inode(struct inode *ip, short type)
{
	acquiresleep(&ip->lock);
	ip->type = type;
	ip->major = 0;
	ip->minor = 0;
	ip->nlink = 0;
	ip->size = 0;
	memset(ip->addrs, 0, sizeof(ip->addrs));
	ip->valid = true;
	releasesleep(&ip->lock);
}

/*
 * Allocate a free on-disk inode of the given type (nlink 0, no blocks):
 * 0 and *ipp referenced and unlocked, -ENOSPC when every inode is in use,
 * or -EIO.  Inside an operation.
 */
int
ialloc(uint dev, short type, struct inode **ipp)
{
	struct buf *bp;
	struct dinode *dip;
	uint first, i;

	for (first = 0; first < sb.ninodes; first += IPB) {
		if ((bp = bread(dev, fs_inode_block(&sb, first))) == NULL)
			return -EIO;
		dip = (struct dinode *)bp->data;
		for (i = 0; i < IPB && first + i < sb.ninodes; i++) {
			if (first + i == 0 || dip[i].type != 0)
				continue;
			memset(&dip[i], 0, sizeof(dip[i]));
			dip[i].type = type;
			log_write(bp);
			brelse(bp);
			*ipp = iget(dev, first + i);
			load_new_inode(*ipp, type);
			return 0;
		}
		brelse(bp);
	}
	return -ENOSPC;
}

/*
 * Copy ip's contents to its disk inode.  Caller holds ip's lock, in an op.
 * The inode's block was read when ilock loaded it, so failing to read it
 * again means the disk is failing: the file system goes read-only.
 */
void
iupdate(struct inode *ip)
{
	struct buf *bp;
	struct dinode *dip;

	assert_holdingsleep(&ip->lock);
	if ((bp = bread(ip->dev, fs_inode_block(&sb, ip->inum))) == NULL) {
		log_fail("updating an inode");
		return;
	}
	dip = (struct dinode *)bp->data + ip->inum % IPB;
	dip->type = ip->type;
	dip->major = ip->major;
	dip->minor = ip->minor;
	dip->nlink = ip->nlink;
	dip->size = ip->size;
	memmove(dip->addrs, ip->addrs, sizeof(ip->addrs));
	log_write(bp);
	brelse(bp);
}

/*
 * The cache entry for inode inum of dev, with one more reference.  Its
 * contents are not read until ilock().  An entry whose references are gone
 * keeps its inode (and its loaded contents) until it is recycled, so a
 * file used again soon is found without a disk read.  Running out of
 * entries is a broken invariant: NINODE covers the open files and the
 * current directories.
 */
struct inode *
iget(uint dev, uint inum)
{
	struct inode *ip, *unused = NULL;

	acquire(&itable.lock);
	for (ip = itable.inode; ip < itable.inode + NINODE; ip++) {
		if (ip->dev == dev && ip->inum == inum) {
			ip->ref++;
			release(&itable.lock);
			return ip;
		}
		if (unused == NULL && ip->ref == 0)
			unused = ip;
	}
	if (unused == NULL)
		panic("iget: all %d inode cache entries in use", NINODE);
	ip = unused;
	ip->dev = dev;
	ip->inum = inum;
	ip->ref = 1;
	ip->valid = false;
	release(&itable.lock);
	return ip;
}

/* One more reference to ip, for a second holder (fork, cwd copies). */
struct inode *
idup(struct inode *ip)
{
	acquire(&itable.lock);
	ip->ref++;
	release(&itable.lock);
	return ip;
}

/*
 * What is wrong with disk inode dip, or NULL.  Only an orphan (being freed
 * at mount) may have no links; any other inode is reached through a
 * directory entry, so it must be allocated and counted.
 */
static const char *
dinode_problem(const struct dinode *dip, bool orphan)
{
	if (dip->type == 0)
		return "it is free";
	if (dip->type != T_DIR && dip->type != T_FILE && dip->type != T_DEVICE)
		return "its type is unknown";
	if (dip->nlink < (orphan ? 0 : 1))
		return "its link count is below 1";
	if (dip->size > MAXFILESIZE || dip->size > MAXFILE * BSIZE)
		return "its size is beyond the largest file";
	if (dip->type == T_DIR && dip->size % sizeof(struct dirent) != 0)
		return "it is a directory that ends in part of an entry";
	for (int i = 0; i < NADDRS; i++)
		if (!block_ok(dip->addrs[i]))
			return "a block pointer is outside the data region";
	return NULL;
}

/*
 * Read ip's contents from its disk inode, checking them: 0 or -EIO.  On a
 * file system made read-only by a failed write, a free inode that is still
 * referenced is no damage: its creation was in the transaction that never
 * reached the disk.
 */
static int
load_inode(struct inode *ip, bool orphan)
{
	bool readonly = log_readonly();   /* before the read: see ilock */
	struct buf *bp;
	struct dinode *dip;
	const char *why;

	if ((bp = bread(ip->dev, fs_inode_block(&sb, ip->inum))) == NULL)
		return -EIO;
	dip = (struct dinode *)bp->data + ip->inum % IPB;
	if (readonly && dip->type == 0) {
		brelse(bp);
		return -EIO;
	}
	if ((why = dinode_problem(dip, orphan)) != NULL) {
		brelse(bp);
		return fs_damaged("inode %u: %s", ip->inum, why);
	}
	ip->type = dip->type;
	ip->major = dip->major;
	ip->minor = dip->minor;
	ip->nlink = dip->nlink;
	ip->size = dip->size;
	memmove(ip->addrs, dip->addrs, sizeof(ip->addrs));
	brelse(bp);
	ip->valid = true;
	ip->loaded_readonly = readonly;
	return 0;
}

/*
 * Lock ip, reading its contents from disk if they are not loaded yet.
 * Returns 0 with ip locked, or -EIO, unlocked, when the disk cannot read
 * the inode or holds a damaged one there (the console says which).
 *
 * A copy loaded before a failed write made the file system read-only is
 * read again: it may hold changes of the transaction that failed, which
 * never reached the disk, such as a size and a pointer to a block that on
 * the disk still holds its last owner's data.  (The failed transaction's
 * buffers were dropped from the cache, so the block would be read from the
 * disk.)  A process that holds ip's lock across the failure keeps its copy
 * until it lets go.
 */
int
ilock(struct inode *ip)
{
	if (ip == NULL || ip->ref < 1)
		panic("ilock: inode not referenced");
	acquiresleep(&ip->lock);
	if (ip->valid && !ip->loaded_readonly && log_readonly())
		ip->valid = false;
	if (!ip->valid && load_inode(ip, false) < 0) {
		releasesleep(&ip->lock);
		return -EIO;
	}
	return 0;
}

void
iunlock(struct inode *ip)
{
	if (ip == NULL || ip->ref < 1 || !holdingsleep(&ip->lock))
		panic("iunlock: inode not locked by this process");
	releasesleep(&ip->lock);
}

/* Mark on-disk inode inum free, for ialloc to hand out again.  In an op. */
static void
dinode_free(uint dev, uint inum)
{
	struct buf *bp = bread(dev, fs_inode_block(&sb, inum));
	struct dinode *dip;

	if (bp == NULL) {
		log_fail("freeing an inode");
		return;
	}
	dip = (struct dinode *)bp->data + inum % IPB;
	dip->type = 0;
	log_write(bp);
	brelse(bp);
}

/*
 * Drop a reference to ip.  When it was the last one and no directory entry
 * names the file any more, free the file's blocks and its inode.  Must run
 * inside an operation for that reason.
 *
 * The inode is marked free on disk only after the reference is gone.  The
 * moment its type is 0, ialloc may hand it out and iget the same cache
 * entry; had our reference still been counted there, the new file would
 * start with one reference too many, and its own last iput would not free
 * it.
 */
int
inode_number(const struct sleeplock *sl)
{
	for (int i = 0; i < NINODE; i++)
		if (sl == &itable.inode[i].lock)
			return itable.inode[i].inum;
	return -1;
}

void
iput(struct inode *ip)
{
	bool last;
	uint dev, inum;

	acquire(&itable.lock);
	/* A read-only file system frees nothing: the next mount reclaims it. */
	last = ip->ref == 1 && ip->valid && ip->nlink == 0 && !log_readonly();
	if (last) {
		/*
		 * The only reference is ours, so nobody else holds the lock
		 * (acquiresleep will not sleep) and nobody can iget the inode:
		 * no entry names it, and it is not free on disk yet.
		 */
		acquiresleep(&ip->lock);
		release(&itable.lock);

		itrunc(ip);
		ip->valid = false;   /* whoever gets the entry next rereads */

		releasesleep(&ip->lock);
		acquire(&itable.lock);
	}
	dev = ip->dev;   /* once ref is 0 the entry may be recycled */
	inum = ip->inum;
	ip->ref--;
	release(&itable.lock);
	if (last)
		dinode_free(dev, inum);
}

void
iunlockput(struct inode *ip)
{
	iunlock(ip);
	iput(ip);
}

/* ---- the block map ------------------------------------------------------ */

/* map_slot and bmap: the block was allocated just now. */
#define BMAP_NEW 1

/* What map_slot does with an empty slot. */
enum map_how {
	LOOKUP,           /* nothing: *b = 0, a hole */
	ALLOC_ZEROED,     /* allocate a block and zero it (an indirect block) */
	ALLOC_UNZEROED,   /* allocate a block and leave it for the caller to
	                     fill (a data block: writei) */
};

/*
 * The block number in *slot, into *b, allocating a block for it when it is
 * 0, as how says.  holder is the locked buffer *slot lives in (logged
 * when the slot changes), or NULL for ip->addrs, which ilock checked.  A
 * pointer read from a block is checked here, before it is used.  Returns
 * 0 (*b is the block found, or 0 for a hole), BMAP_NEW when it allocated
 * *b, -ENOSPC, or -EIO: callers test for errors with < 0, not != 0.
 */
static int
map_slot(struct inode *ip, uint32 *slot, struct buf *holder, enum map_how how,
	 uint *b)
{
	int r;

	if (!block_ok(*slot))
		return fs_damaged("inode %u: block pointer %u is outside the data region",
			       ip->inum, *slot);
	*b = *slot;
	if (*slot != 0 || how == LOOKUP)
		return 0;
	if ((r = balloc(ip->dev, b)) < 0)
		return r;
	if (how == ALLOC_ZEROED)
		zero_block(ip->dev, *b);
	*slot = *b;
	if (holder != NULL)
		log_write(holder);
	return BMAP_NEW;
}

/* Entry index of indirect block ind (0: there is none), as map_slot. */
static int
map_indirect(struct inode *ip, uint ind, uint index, enum map_how how, uint *b)
{
	struct buf *bp;
	int r;

	*b = 0;
	if (ind == 0)
		return 0;
	if ((bp = bread(ip->dev, ind)) == NULL)
		return -EIO;
	r = map_slot(ip, (uint32 *)bp->data + index, bp, how, b);
	brelse(bp);
	return r;
}

/*
 * The disk block holding block bn of ip's data, into *b: 0 for a hole
 * when alloc is false.  With alloc, missing data and indirect blocks are
 * allocated; ip->addrs may change in memory, so the caller must
 * iupdate(ip).  A new indirect block is zeroed, but a new data block is
 * not: bmap returns BMAP_NEW, and the caller fills the whole block (writei
 * mostly overwrites it anyway, and zeroing first was 15% of a large file
 * write).  Returns 0, BMAP_NEW, -ENOSPC or -EIO (so test errors with < 0).
 * Caller holds ip's lock (and is in an operation when alloc is set); bn
 * is below MAXFILE.
 */
static int
bmap(struct inode *ip, uint64 bn, bool alloc, uint *b)
{
	enum map_how data = alloc ? ALLOC_UNZEROED : LOOKUP;
	enum map_how table = alloc ? ALLOC_ZEROED : LOOKUP;
	uint64 index;
	uint ind;
	int r;

	assert_holdingsleep(&ip->lock);
	switch (fs_block_level(bn, &index)) {
	case 0:
		return map_slot(ip, &ip->addrs[index], NULL, data, b);
	case 1:
		if ((r = map_slot(ip, &ip->addrs[INDIRECT_SLOT], NULL, table, &ind)) < 0)
			return r;
		return map_indirect(ip, ind, index, data, b);
	case 2:
		if ((r = map_slot(ip, &ip->addrs[DINDIRECT_SLOT], NULL, table, &ind)) < 0 ||
		    (r = map_indirect(ip, ind, index / NINDIRECT, table, &ind)) < 0)
			return r;
		return map_indirect(ip, ind, index % NINDIRECT, data, b);
	}
	panic("bmap: file block %lu beyond MAXFILE", (unsigned long)bn);
}

/*
 * Free block b and, for an indirect block depth levels above the data,
 * every block it points to.  A pointer outside the data region is damage:
 * it is reported and not followed (freeing it would free some other
 * structure).  An indirect block that cannot be read keeps what it names,
 * and itself, in use: fsck finds them.  held: the indirect blocks above b,
 * whose buffers are locked.
 */
static void
free_block_tree(struct inode *ip, uint b, int depth, const uint held[2])
{
	uint below[2] = { b, held[0] };
	struct buf *bp;
	uint32 *a;
	uint i;

	if (points_back(b, held, ip->inum))
		return;
	if (b == 0 || !block_ok(b)) {
		if (b != 0)
			fs_damaged("inode %u: block pointer %u is outside the data region",
				ip->inum, b);
		return;
	}
	if (depth > 0) {
		if ((bp = bread(ip->dev, b)) == NULL)
			return;
		a = (uint32 *)bp->data;
		for (i = 0; i < NINDIRECT; i++)
			free_block_tree(ip, a[i], depth - 1, below);
		brelse(bp);
	}
	bfree(ip->dev, b);
}

/*
 * Free all of ip's blocks; size becomes 0.  This logs only the bitmap
 * blocks and the inode, however large the file (fs_init refuses disks
 * with too many bitmap blocks for that).  Caller holds ip's lock, in an
 * operation.
 */
void
itrunc(struct inode *ip)
{
	static const uint none[2] = { 0, 0 };
	int i, depth;

	assert_holdingsleep(&ip->lock);
	for (i = 0; i < NADDRS; i++) {
		if (ip->addrs[i] == 0)
			continue;
		depth = i < NDIRECT ? 0 : i == INDIRECT_SLOT ? 1 : 2;
		free_block_tree(ip, ip->addrs[i], depth, none);
		ip->addrs[i] = 0;
	}
	ip->size = 0;
	iupdate(ip);
}

/* ---- file contents ------------------------------------------------------ */

/* Caller holds ip's lock. */
void
stati(struct inode *ip, struct stat *st)
{
	assert_holdingsleep(&ip->lock);
	memset(st, 0, sizeof(*st));   /* padding too: st goes out to the user */
	st->dev = ip->dev;
	st->ino = ip->inum;
	st->type = ip->type;
	st->nlink = ip->nlink;
	st->size = ip->size;
}

/* Copy m bytes at offset off of ip to dst, all in one block: 0 or -E. */
static int
read_piece(struct inode *ip, bool user_dst, uint64 dst, uint off, uint m)
{
	struct buf *bp;
	uint b;
	int r;

	if ((r = bmap(ip, off / BSIZE, false, &b)) < 0)
		return r;
	if (b == 0)
		return either_copyout(user_dst, dst, zeroes, m) < 0 ? -EFAULT : 0;
	if ((bp = bread(ip->dev, b)) == NULL)
		return -EIO;
	r = either_copyout(user_dst, dst, bp->data + off % BSIZE, m);
	brelse(bp);
	return r < 0 ? -EFAULT : 0;
}

/*
 * Copy up to n bytes from offset off of ip to dst (a user address when
 * user_dst).  Each step moves the rest of one block with a single copy.
 * Returns the bytes copied (0 at or past the end); or, when nothing was
 * copied, -EFAULT for a bad dst or -EIO for a block the disk cannot read
 * or a damaged block map.  Caller holds ip's lock.
 */
int
readi(struct inode *ip, bool user_dst, uint64 dst, uint off, uint n)
{
	uint done, m;
	int r;

	assert_holdingsleep(&ip->lock);
	if (off >= ip->size)
		return 0;
	n = umin(n, ip->size - off);
	for (done = 0; done < n; done += m, off += m, dst += m) {
		m = umin(n - done, BSIZE - off % BSIZE);
		if ((r = read_piece(ip, user_dst, dst, off, m)) < 0)
			return done > 0 ? (int)done : r;
	}
	return n;
}

/*
 * Copy m bytes from src to offset off of ip, all in one block: 0 or -E.
 * A block bmap allocates just now is not read from the disk, and holds
 * what its last owner left: it is zeroed first when the copy covers only
 * part of it, and after a copy that faulted, so that none of that shows.
 */
static int
write_piece(struct inode *ip, bool user_src, uint64 src, uint off, uint m)
{
	struct buf *bp;
	bool fresh;
	uint b;
	int r;

	if ((r = bmap(ip, off / BSIZE, true, &b)) < 0)
		return r;
	fresh = r == BMAP_NEW;
	if (fresh) {
		bp = bfresh(ip->dev, b);
		if (m < BSIZE)
			memset(bp->data, 0, BSIZE);
	} else if ((bp = bread(ip->dev, b)) == NULL) {
		return -EIO;
	}
	r = either_copyin(bp->data + off % BSIZE, user_src, src, m);
	if (r < 0 && fresh)
		memset(bp->data, 0, BSIZE);
	/* Logged even after a fault: the buffer may hold part of the copy,
	 * and a fresh block must reach the disk zeroed, since its bitmap bit
	 * and its pointer are in this transaction already. */
	log_write(bp);
	brelse(bp);
	return r < 0 ? -EFAULT : 0;
}

/*
 * Copy n bytes from src (a user address when user_src) to offset off of
 * ip, growing the file as needed (a write past the end leaves a hole).
 * Returns the bytes written; or, when nothing was written, -EFBIG for a
 * range beyond the largest file, -ENOSPC for a full disk, -EFAULT for a
 * bad src, -EIO for a block the disk cannot read or a damaged block map.  Caller holds ip's lock, in an operation whose log room covers
 * the blocks n bytes can touch (filewrite's chunks do).
 */
int
writei(struct inode *ip, bool user_src, uint64 src, uint off, uint n)
{
	uint64 end = (uint64)off + n;
	uint done, m;
	int err = 0;

	assert_holdingsleep(&ip->lock);
	if (end > MAXFILESIZE || end > MAXFILE * BSIZE)
		return -EFBIG;
	if (n == 0)
		return 0;
	for (done = 0; done < n; done += m, off += m, src += m) {
		m = umin(n - done, BSIZE - off % BSIZE);
		if ((err = write_piece(ip, user_src, src, off, m)) < 0)
			break;
	}
	if (off > ip->size)
		ip->size = off;
	iupdate(ip);
	return done > 0 ? (int)done : err;
}

/* ---- directories -------------------------------------------------------- */

/*
 * Find an entry of directory dp: the one named name, or with name NULL
 * the first free slot.  On success *poff gets its offset and *pinum its
 * inode number.  Returns 0, -ENOENT, or -EIO (an unreadable block, or an
 * entry naming an inode beyond the inode table).  Scans a whole block per
 * buffer lookup.  Caller holds dp's lock.
 */
static int
dir_find(struct inode *dp, const char *name, uint *poff, uint *pinum)
{
	struct buf *bp;
	struct dirent *de;
	uint off, b, i, count;
	int r;

	for (off = 0; off < dp->size; off += BSIZE) {
		count = umin(BSIZE, dp->size - off) / sizeof(struct dirent);
		if ((r = bmap(dp, off / BSIZE, false, &b)) < 0)
			return r;
		if (b == 0) {
			if (name != NULL)
				continue;
			*poff = off;
			*pinum = 0;
			return 0;
		}
		if ((bp = bread(dp->dev, b)) == NULL)
			return -EIO;
		de = (struct dirent *)bp->data;
		for (i = 0; i < count; i++) {
			if (de[i].inum >= sb.ninodes) {
				brelse(bp);
				return fs_damaged("directory %u: an entry names inode %u, "
					       "beyond the inode table", dp->inum, de[i].inum);
			}
			if (name == NULL ? de[i].inum == 0 :
			    de[i].inum != 0 && path_namecmp(name, de[i].name) == 0) {
				*poff = off + i * sizeof(struct dirent);
				*pinum = de[i].inum;
				brelse(bp);
				return 0;
			}
		}
		brelse(bp);
	}
	return -ENOENT;
}

/*
 * The inode named name in directory dp: 0 and *ipp (referenced, unlocked),
 * -ENOENT, or -EIO.  When poff is not NULL it gets the entry's offset.
 * Caller holds dp's lock.
 */
int
dirlookup(struct inode *dp, const char *name, uint *poff, struct inode **ipp)
{
	uint off, inum;
	int r;

	assert_holdingsleep(&dp->lock);
	if (dp->type != T_DIR)
		panic("dirlookup: inode %u is not a directory", dp->inum);
	if ((r = dir_find(dp, name, &off, &inum)) < 0)
		return r;
	if (poff != NULL)
		*poff = off;
	*ipp = iget(dp->dev, inum);
	return 0;
}

/*
 * Add the entry (name, inum) to directory dp, in a free slot or at the end.
 * Returns 0, -EEXIST when name is taken, -ENOSPC, or -EIO.  Caller holds
 * dp's lock, in an operation.
 */
int
dirlink(struct inode *dp, const char *name, uint inum)
{
	struct dirent de;
	struct inode *ip;
	uint off, unused;
	int r;

	assert_holdingsleep(&dp->lock);
	r = dirlookup(dp, name, NULL, &ip);
	if (r == 0) {
		iput(ip);
		return -EEXIST;
	}
	if (r != -ENOENT)
		return r;
	r = dir_find(dp, NULL, &off, &unused);
	if (r == -ENOENT)
		off = dp->size;
	else if (r < 0)
		return r;

	memset(&de, 0, sizeof(de));
	strncpy(de.name, name, DIRSIZ);
	de.inum = inum;
	r = writei(dp, false, (uint64)&de, off, sizeof(de));
	if (r < 0)
		return r;
	if (r != sizeof(de))
		return -ENOSPC;
	return 0;
}

/* ---- path names --------------------------------------------------------- */

/*
 * Walk path from the root (when it starts with '/') or the current
 * directory.  With parent set, stop one element early: *ipp gets the
 * directory holding the last element and name gets that element.
 * Returns 0 with *ipp referenced and unlocked, or -ENOENT, -ENOTDIR,
 * -ENAMETOOLONG, -EIO.  Dropping references may free an unlinked inode, so the
 * caller runs inside an operation.
 */
static int
namex(const char *path, bool parent, char name[DIRSIZ], struct inode **ipp)
{
	struct inode *ip, *next;
	const char *rest;
	bool too_long;
	int r;

	if (*path == 0)
		return -ENOENT;
	if (*path == '/')
		ip = iget(ROOTDEV, ROOTINO);
	else
		ip = idup(myproc()->cwd);

	while ((rest = path_element(path, name, &too_long)) != NULL) {
		if (too_long) {
			iput(ip);
			return -ENAMETOOLONG;
		}
		if ((r = ilock(ip)) < 0) {
			iput(ip);
			return r;
		}
		if (ip->type != T_DIR) {
			iunlockput(ip);
			return -ENOTDIR;
		}
		if (parent && *rest == 0) {
			iunlock(ip);
			*ipp = ip;
			return 0;
		}
		r = dirlookup(ip, name, NULL, &next);
		iunlockput(ip);
		if (r < 0)
			return r;
		ip = next;
		path = rest;
	}
	if (parent) {
		/* The path names no element ("/"): there is no parent to give. */
		iput(ip);
		return -ENOENT;
	}
	*ipp = ip;
	return 0;
}

/* The inode path names.  See namex; inside an operation. */
int
namei(const char *path, struct inode **ipp)
{
	char name[DIRSIZ];

	return namex(path, false, name, ipp);
}

/* The directory holding path's last element, which goes to name. */
int
nameiparent(const char *path, char name[DIRSIZ], struct inode **ipp)
{
	return namex(path, true, name, ipp);
}
