/*
 * kernel/fs/bio.c: the buffer cache.
 *
 * The cache keeps NBUF disk blocks in memory.  It does two jobs: it saves
 * disk reads for blocks used again soon, and it makes a block's copy in
 * memory the one place where that block is changed, so two processes
 * touching the same block see each other's work and take turns (each buffer
 * has a sleep lock for its contents).
 *
 * Finding a block.  A hash table of NBUFHASH buckets, keyed on
 * (dev, blockno), chains the buffers through hash_next, so a lookup walks a
 * short chain instead of the whole cache.
 *
 * Choosing a buffer to recycle.  Every buffer is on one doubly linked LRU
 * list.  brelse() moves a buffer to the head when its last reference goes,
 * so the tail holds the buffer released longest ago; bget() walks from the
 * tail towards the head and takes the first one nobody references.
 *
 *   lru_head                                                     lru_tail
 *      |                                                            |
 *      v                                                            v
 *   [just released] <-> [ ... ] <-> [ ... ] <-> [released long ago]
 *                                          recycling starts here ---^
 *
 * Locking.  bcache.lock (a spinlock) guards every buffer's identity
 * (dev, blockno), refcnt, hash chain and LRU links.  A buffer's sleep lock
 * guards its valid flag and data.  A buffer with refcnt 0 has no holder of
 * its sleep lock, so bget() may rename it under bcache.lock alone.
 * Lock order: the log's lock before bcache.lock (log_write calls bpin).
 *
 * Running out.  Buffers are held briefly, except the ones the log pins until
 * their transaction is installed; the log admits no more operations than its
 * LOGBLOCKS slots hold, which leaves the rest of NBUF for everyone else.  So
 * finding every buffer referenced means an invariant broke, and bget panics.
 */
#include "include/types.h"
#include "include/param.h"
#include "include/fs_format.h"
#include "kernel/lock/spinlock.h"
#include "kernel/lock/sleeplock.h"
#include "kernel/fs/buf.h"
#include "kernel/fs/bio.h"
#include "kernel/dev/disk.h"
#include "kernel/lib/printf.h"

_Static_assert(NBUF > LOGBLOCKS, "the cache must hold more than the log pins");

static struct {
	struct spinlock lock;
	struct buf buf[NBUF];
	struct buf *hash[NBUFHASH];   /* [lock] chains through hash_next */
	struct buf *lru_head;         /* [lock] most recently released */
	struct buf *lru_tail;         /* [lock] least recently released */
} bcache;

static struct buf **
bucket(uint dev, uint blockno)
{
	return &bcache.hash[(dev * 31u + blockno) % NBUFHASH];
}

/* Unchain b from its bucket, if it is in one (a buffer never used is not). */
static void
hash_remove(struct buf *b)
{
	struct buf **pp;

	for (pp = bucket(b->dev, b->blockno); *pp != NULL; pp = &(*pp)->hash_next) {
		if (*pp == b) {
			*pp = b->hash_next;
			b->hash_next = NULL;
			return;
		}
	}
}

static void
hash_insert(struct buf *b)
{
	struct buf **pp = bucket(b->dev, b->blockno);

	b->hash_next = *pp;
	*pp = b;
}

static void
lru_remove(struct buf *b)
{
	if (b->lru_prev != NULL)
		b->lru_prev->lru_next = b->lru_next;
	else
		bcache.lru_head = b->lru_next;
	if (b->lru_next != NULL)
		b->lru_next->lru_prev = b->lru_prev;
	else
		bcache.lru_tail = b->lru_prev;
}

static void
lru_push_head(struct buf *b)
{
	b->lru_prev = NULL;
	b->lru_next = bcache.lru_head;
	if (bcache.lru_head != NULL)
		bcache.lru_head->lru_prev = b;
	else
		bcache.lru_tail = b;
	bcache.lru_head = b;
}

void
bio_init(void)
{
	struct buf *b;

	initlock(&bcache.lock, "bcache");
	for (b = bcache.buf; b < bcache.buf + NBUF; b++) {
		initsleeplock(&b->lock, "buffer");
		b->dev = 0;
		b->blockno = 0;
		b->refcnt = 0;
		b->valid = false;
		b->hash_next = NULL;
		lru_push_head(b);
	}
}

/*
 * The buffer for (dev, blockno), referenced and locked.  Its contents are
 * valid only if the cache already held the block; bread() fills them.
 */
static struct buf *
bget(uint dev, uint blockno)
{
	struct buf *b;

	acquire(&bcache.lock);
	for (b = *bucket(dev, blockno); b != NULL; b = b->hash_next) {
		if (b->dev == dev && b->blockno == blockno) {
			b->refcnt++;
			release(&bcache.lock);
			acquiresleep(&b->lock);
			return b;
		}
	}
	for (b = bcache.lru_tail; b != NULL; b = b->lru_prev) {
		if (b->refcnt == 0)
			break;
	}
	if (b == NULL)
		panic("bget: all %d buffers referenced (the log bounds pinned ones)",
		      NBUF);
	hash_remove(b);
	b->dev = dev;
	b->blockno = blockno;
	b->refcnt = 1;
	b->valid = false;
	hash_insert(b);
	release(&bcache.lock);
	acquiresleep(&b->lock);
	return b;
}

/*
 * A locked buffer holding block blockno of dev; release it with brelse().
 * NULL when the disk failed to read the block (the buffer stays invalid,
 * so the next bread tries the disk again).
 */
struct buf *
bread(uint dev, uint blockno)
{
	struct buf *b = bget(dev, blockno);

	if (!b->valid) {
		if (disk_rw(&b, 1, false) < 0) {
			brelse(b);
			return NULL;
		}
		b->valid = true;
	}
	return b;
}

/*
 * A locked buffer for block blockno of dev that the caller is about to fill
 * whole: a block the file system has just allocated, whose old contents
 * nobody will read.  So the disk is not read, and data holds whatever the
 * buffer held until the caller overwrites it (every byte, before brelse).
 */
struct buf *
bfresh(uint dev, uint blockno)
{
	struct buf *b = bget(dev, blockno);

	b->valid = true;
	return b;
}

/* Write b's contents to its block: 0 or -EIO.  The caller holds b's lock. */
int
bwrite(struct buf *b)
{
	return disk_rw(&b, 1, true);
}

/*
 * Write n buffers, all locked by the caller (disk_rw checks).  The driver
 * sends runs of consecutive block numbers (in array order) as single
 * requests, so callers that sort by block number get the fewest requests.
 */
int
bwrite_many(struct buf **bufs, int n)
{
	return n > 0 ? disk_rw(bufs, n, true) : 0;
}

/* Unlock b and drop the caller's reference to it. */
void
brelse(struct buf *b)
{
	if (!holdingsleep(&b->lock))
		panic("brelse: buffer for block %u not locked", b->blockno);
	releasesleep(&b->lock);

	acquire(&bcache.lock);
	b->refcnt--;
	if (b->refcnt == 0) {
		lru_remove(b);
		lru_push_head(b);
	}
	release(&bcache.lock);
}

/* Hold an extra reference so b stays cached while the log needs it. */
int
buffer_block(const struct sleeplock *sl)
{
	for (int i = 0; i < NBUF; i++)
		if (sl == &bcache.buf[i].lock)
			return bcache.buf[i].blockno;
	return -1;
}

void
bpin(struct buf *b)
{
	acquire(&bcache.lock);
	b->refcnt++;
	release(&bcache.lock);
}

void
bunpin(struct buf *b)
{
	acquire(&bcache.lock);
	if (b->refcnt == 0)
		panic("bunpin: block %u is not pinned", b->blockno);
	b->refcnt--;
	release(&bcache.lock);
}
