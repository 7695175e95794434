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
 * each subdirectory's "..".  mkfs gives every inode nlink 1, so a directory
 * built by mkfs may count fewer than that; the kernel never lowers a
 * directory's count below 1 on account of a ".." (see sysfile.c).
 */
#include "include/types.h"
#include "include/param.h"
#include "include/fs_format.h"
#include "include/path.h"
#include "include/stat.h"
#include "include/errno.h"
#include "include/string.h"
#include "kernel/lock/spinlock.h"
#include "kernel/lock/sleeplock.h"
#include "kernel/fs/buf.h"
#include "kernel/fs/bio.h"
#include "kernel/dev/disk.h"
#include "kernel/fs/log.h"
#include "kernel/fs/inode.h"
#include "kernel/proc/proc.h"
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

/* Is inode inum allocated, with no directory entry naming it? */
static bool
dinode_is_orphan(uint dev, uint inum)
{
	struct buf *bp = bread(dev, fs_inode_block(&sb, inum));
	struct dinode *dip = (struct dinode *)bp->data + inum % IPB;
	bool orphan = dip->type != 0 && dip->nlink == 0;

	brelse(bp);
	return orphan;
}

/*
 * Free the orphans: inodes still allocated with no directory entry left
 * (nlink 0).  unlink leaves such a file to the last iput of an open file,
 * and if the machine stopped while it was open, that iput never came: its
 * inode and blocks would stay allocated for good.  Nothing can name an
 * orphan, so at mount a scan of the inode table finds them all and frees
 * each exactly as that iput would have, one operation per orphan.  The
 * scan reads sb.ninodes / IPB blocks, a few dozen; an on-disk list of
 * orphans would avoid it, at the cost of an update at every unlink of an
 * open file and every last close.
 */
static void
reclaim_orphans(uint dev)
{
	struct inode *ip;
	int freed = 0;

	for (uint inum = 1; inum < sb.ninodes; inum++) {
		if (!dinode_is_orphan(dev, inum))
			continue;
		begin_op();
		ip = iget(dev, inum);
		ilock(ip);
		iunlockput(ip);   /* the last reference: iput frees it */
		end_op();
		freed++;
	}
	if (freed > 0)
		printf("fs: freed %d orphaned inode%s (unlinked while open at a crash)\n",
		       freed, freed == 1 ? "" : "s");
}

/*
 * Mount the file system on dev: read and check the superblock, set up the
 * inode cache, recover the log and free the orphans.  Called once, from the first process
 * (it sleeps on disk I/O).  Without a root file system the kernel cannot
 * go on, so a bad image is reported and the kernel panics.
 */
void
fs_init(int dev)
{
	struct buf *bp;
	const char *why;
	int i;

	bp = bread(dev, 1);
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
	reclaim_orphans(dev);
}

/* ---- blocks ------------------------------------------------------------- */

/* Zero block b through the log. */
static void
zero_block(uint dev, uint b)
{
	struct buf *bp = bread(dev, b);

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
 * Allocate a zeroed disk block.  Returns its number, or 0 when the disk is
 * full.  Only data blocks (from fs_data_start) are handed out, whatever the
 * bitmap says about the metadata.  Inside an operation.
 */
static uint
balloc(uint dev)
{
	uint first = fs_data_start(&sb);
	uint base, from, to;
	struct buf *bp;
	int bit;

	for (base = first - first % BPB; base < sb.size; base += BPB) {
		from = base < first ? first - base : 0;
		to = umin(BPB, sb.size - base);
		bp = bread(dev, fs_bitmap_block(&sb, base));
		bit = bitmap_find_clear(bp->data, from, to);
		if (bit >= 0) {
			bp->data[bit / 8] |= 1 << (bit % 8);
			log_write(bp);
			brelse(bp);
			zero_block(dev, base + bit);
			return base + bit;
		}
		brelse(bp);
	}
	return 0;
}

/* Mark block b free.  Inside an operation. */
static void
bfree(uint dev, uint b)
{
	struct buf *bp = bread(dev, fs_bitmap_block(&sb, b));
	uint bit = b % BPB;

	if ((bp->data[bit / 8] & (1 << (bit % 8))) == 0)
		panic("bfree: block %u is already free", b);
	bp->data[bit / 8] &= ~(1 << (bit % 8));
	log_write(bp);
	brelse(bp);
}

/* Free data blocks: clear bits from fs_data_start to the end of the disk. */
static uint
count_free_blocks(uint dev)
{
	uint free = 0, b = fs_data_start(&sb);

	while (b < sb.size) {
		struct buf *bp = bread(dev, fs_bitmap_block(&sb, b));
		uint end = umin(sb.size, b - b % BPB + BPB);
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
		struct dinode *dip = (struct dinode *)bp->data;
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
 * Allocate a free on-disk inode of the given type (nlink 0, no blocks) and
 * return it referenced and unlocked, or NULL when every inode is in use.
 * Inside an operation.
 */
struct inode *
ialloc(uint dev, short type)
{
	struct buf *bp;
	struct dinode *dip;
	uint first, i;

	for (first = 0; first < sb.ninodes; first += IPB) {
		bp = bread(dev, fs_inode_block(&sb, first));
		dip = (struct dinode *)bp->data;
		for (i = 0; i < IPB && first + i < sb.ninodes; i++) {
			if (first + i == 0 || dip[i].type != 0)
				continue;
			memset(&dip[i], 0, sizeof(dip[i]));
			dip[i].type = type;
			log_write(bp);
			brelse(bp);
			return iget(dev, first + i);
		}
		brelse(bp);
	}
	return NULL;
}

/* Copy ip's contents to its disk inode.  Caller holds ip's lock, in an op. */
void
iupdate(struct inode *ip)
{
	struct buf *bp;
	struct dinode *dip;

	assert_holdingsleep(&ip->lock);
	bp = bread(ip->dev, fs_inode_block(&sb, ip->inum));
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

/* Lock ip, reading its contents from disk if they are not loaded yet. */
void
ilock(struct inode *ip)
{
	struct buf *bp;
	struct dinode *dip;

	if (ip == NULL || ip->ref < 1)
		panic("ilock: inode not referenced");
	acquiresleep(&ip->lock);
	if (!ip->valid) {
		bp = bread(ip->dev, fs_inode_block(&sb, ip->inum));
		dip = (struct dinode *)bp->data + ip->inum % IPB;
		ip->type = dip->type;
		ip->major = dip->major;
		ip->minor = dip->minor;
		ip->nlink = dip->nlink;
		ip->size = dip->size;
		memmove(ip->addrs, dip->addrs, sizeof(ip->addrs));
		brelse(bp);
		ip->valid = true;
	}
	if (ip->type == 0)
		panic("ilock: inode %u is free", ip->inum);
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
	struct dinode *dip = (struct dinode *)bp->data + inum % IPB;

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
void
iput(struct inode *ip)
{
	bool last;
	uint dev, inum;

	acquire(&itable.lock);
	last = ip->ref == 1 && ip->valid && ip->nlink == 0;
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

/*
 * The block number in *slot, allocating a block for it when it is 0 and
 * alloc is set.  holder is the locked buffer *slot lives in (logged when
 * the slot changes), or NULL for ip->addrs.  Returns 0 for a hole, or when
 * the disk is full.
 */
static uint
map_slot(uint dev, uint32 *slot, struct buf *holder, bool alloc)
{
	uint b;

	if (*slot == 0 && alloc) {
		b = balloc(dev);
		if (b == 0)
			return 0;
		*slot = b;
		if (holder != NULL)
			log_write(holder);
	}
	return *slot;
}

/* Entry index of indirect block ind (0: there is none), as map_slot. */
static uint
map_indirect(uint dev, uint ind, uint index, bool alloc)
{
	struct buf *bp;
	uint b;

	if (ind == 0)
		return 0;
	bp = bread(dev, ind);
	b = map_slot(dev, (uint32 *)bp->data + index, bp, alloc);
	brelse(bp);
	return b;
}

/*
 * The disk block holding block bn of ip's data, or 0: a hole when alloc is
 * false, a full disk when it is true.  With alloc, missing data and
 * indirect blocks are allocated; ip->addrs may change in memory, so the
 * caller must iupdate(ip).  Caller holds ip's lock (and is in an operation
 * when alloc is set); bn is below MAXFILE.
 */
static uint
bmap(struct inode *ip, uint64 bn, bool alloc)
{
	uint64 index;
	uint ind;

	assert_holdingsleep(&ip->lock);
	switch (fs_block_level(bn, &index)) {
	case 0:
		return map_slot(ip->dev, &ip->addrs[index], NULL, alloc);
	case 1:
		ind = map_slot(ip->dev, &ip->addrs[INDIRECT_SLOT], NULL, alloc);
		return map_indirect(ip->dev, ind, index, alloc);
	case 2:
		ind = map_slot(ip->dev, &ip->addrs[DINDIRECT_SLOT], NULL, alloc);
		ind = map_indirect(ip->dev, ind, index / NINDIRECT, alloc);
		return map_indirect(ip->dev, ind, index % NINDIRECT, alloc);
	}
	panic("bmap: file block %lu beyond MAXFILE", (unsigned long)bn);
}

/* Free block b and, for an indirect block depth levels above the data,
 * every block it points to. */
static void
free_tree(uint dev, uint b, int depth)
{
	struct buf *bp;
	uint32 *a;
	uint i;

	if (depth > 0) {
		bp = bread(dev, b);
		a = (uint32 *)bp->data;
		for (i = 0; i < NINDIRECT; i++) {
			if (a[i] != 0)
				free_tree(dev, a[i], depth - 1);
		}
		brelse(bp);
	}
	bfree(dev, b);
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
	int i, depth;

	assert_holdingsleep(&ip->lock);
	for (i = 0; i < NADDRS; i++) {
		if (ip->addrs[i] == 0)
			continue;
		depth = i < NDIRECT ? 0 : i == INDIRECT_SLOT ? 1 : 2;
		free_tree(ip->dev, ip->addrs[i], depth);
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

/*
 * Copy up to n bytes from offset off of ip to dst (a user address when
 * user_dst).  Each step moves the rest of one block with a single copy.
 * Returns the bytes copied (0 at or past the end), or -EFAULT when dst is
 * bad before anything was copied.  Caller holds ip's lock.
 */
int
readi(struct inode *ip, bool user_dst, uint64 dst, uint off, uint n)
{
	struct buf *bp;
	uint done, m, b;
	int r;

	assert_holdingsleep(&ip->lock);
	if (off >= ip->size)
		return 0;
	n = umin(n, ip->size - off);
	for (done = 0; done < n; done += m, off += m, dst += m) {
		m = umin(n - done, BSIZE - off % BSIZE);
		b = bmap(ip, off / BSIZE, false);
		if (b == 0) {
			r = either_copyout(user_dst, dst, zeroes, m);
		} else {
			bp = bread(ip->dev, b);
			r = either_copyout(user_dst, dst, bp->data + off % BSIZE, m);
			brelse(bp);
		}
		if (r < 0)
			return done > 0 ? (int)done : -EFAULT;
	}
	return n;
}

/*
 * Copy n bytes from src (a user address when user_src) to offset off of
 * ip, growing the file as needed (a write past the end leaves a hole).
 * Returns the bytes written; or, when nothing was written, -EFBIG for a
 * range beyond the largest file, -ENOSPC for a full disk, -EFAULT for a
 * bad src.  Caller holds ip's lock, in an operation whose log room covers
 * the blocks n bytes can touch (filewrite's chunks do).
 */
int
writei(struct inode *ip, bool user_src, uint64 src, uint off, uint n)
{
	uint64 end = (uint64)off + n;
	struct buf *bp;
	uint done, m, b;
	int r, err = 0;

	assert_holdingsleep(&ip->lock);
	if (end > MAXFILESIZE || end > MAXFILE * BSIZE)
		return -EFBIG;
	if (n == 0)
		return 0;
	for (done = 0; done < n; done += m, off += m, src += m) {
		m = umin(n - done, BSIZE - off % BSIZE);
		b = bmap(ip, off / BSIZE, true);
		if (b == 0) {
			err = -ENOSPC;
			break;
		}
		bp = bread(ip->dev, b);
		r = either_copyin(bp->data + off % BSIZE, user_src, src, m);
		/* Logged even after a fault: the buffer may hold part of the copy. */
		log_write(bp);
		brelse(bp);
		if (r < 0) {
			err = -EFAULT;
			break;
		}
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
 * inode number.  Scans a whole block per buffer lookup.  Caller holds dp's
 * lock.
 */
static bool
dir_find(struct inode *dp, const char *name, uint *poff, uint *pinum)
{
	struct buf *bp;
	struct dirent *de;
	uint off, b, i, count;

	for (off = 0; off < dp->size; off += BSIZE) {
		count = umin(BSIZE, dp->size - off) / sizeof(struct dirent);
		b = bmap(dp, off / BSIZE, false);
		if (b == 0) {
			if (name != NULL)
				continue;
			*poff = off;
			*pinum = 0;
			return true;
		}
		bp = bread(dp->dev, b);
		de = (struct dirent *)bp->data;
		for (i = 0; i < count; i++) {
			if (name == NULL ? de[i].inum == 0 :
			    de[i].inum != 0 && path_namecmp(name, de[i].name) == 0) {
				*poff = off + i * sizeof(struct dirent);
				*pinum = de[i].inum;
				brelse(bp);
				return true;
			}
		}
		brelse(bp);
	}
	return false;
}

/*
 * The inode named name in directory dp (referenced, unlocked), or NULL.
 * When poff is not NULL it gets the entry's offset.  Caller holds dp's lock.
 */
struct inode *
dirlookup(struct inode *dp, const char *name, uint *poff)
{
	uint off, inum;

	assert_holdingsleep(&dp->lock);
	if (dp->type != T_DIR)
		panic("dirlookup: inode %u is not a directory", dp->inum);
	if (!dir_find(dp, name, &off, &inum))
		return NULL;
	if (poff != NULL)
		*poff = off;
	return iget(dp->dev, inum);
}

/*
 * Add the entry (name, inum) to directory dp, in a free slot or at the end.
 * Returns 0, -EEXIST when name is taken, or -ENOSPC.  Caller holds dp's
 * lock, in an operation.
 */
int
dirlink(struct inode *dp, const char *name, uint inum)
{
	struct dirent de;
	struct inode *ip;
	uint off, unused;
	int r;

	assert_holdingsleep(&dp->lock);
	ip = dirlookup(dp, name, NULL);
	if (ip != NULL) {
		iput(ip);
		return -EEXIST;
	}
	if (!dir_find(dp, NULL, &off, &unused))
		off = dp->size;

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
 * -ENAMETOOLONG.  Dropping references may free an unlinked inode, so the
 * caller runs inside an operation.
 */
static int
namex(const char *path, bool parent, char name[DIRSIZ], struct inode **ipp)
{
	struct inode *ip, *next;
	const char *rest;
	bool too_long;

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
		ilock(ip);
		if (ip->type != T_DIR) {
			iunlockput(ip);
			return -ENOTDIR;
		}
		if (parent && *rest == 0) {
			iunlock(ip);
			*ipp = ip;
			return 0;
		}
		next = dirlookup(ip, name, NULL);
		iunlockput(ip);
		if (next == NULL)
			return -ENOENT;
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
