/*
 * kernel/fs/log.c: the write-ahead log, which makes each file-system operation
 * atomic with respect to crashes.
 *
 * An operation (creating a file, writing a chunk of one, ...) changes
 * several blocks; a crash between two of those writes would leave the disk
 * inconsistent.  So an operation never writes its blocks home directly.  It
 * runs between begin_op() and end_op() and calls log_write() for each
 * block it changed, which only records the block number and pins the
 * buffer in the cache.  The blocks reach the disk in a commit:
 *
 *   1. copy each logged block into its slot in the log region, putting
 *      the slot's checksum in the header, and write the header and all
 *      the slots in one request (they are consecutive blocks);
 *   2. install: write each block to its home location, straight from its
 *      pinned cache buffer, sorted by block number so that neighbours merge
 *      into one request; unpin the buffers.
 *
 * A disk may keep completed writes in a volatile cache and, at a power
 * failure, lose any of them, in any order.  So after each step the log
 * flushes the disk's cache (disk_flush): the log write is durable before
 * any home block is overwritten, and the installs before the next commit
 * overwrites the slots.
 *
 *      block:  logstart   logstart+1 ...              home blocks
 *             +--------+---------+---------+--     +-----+   +-----+
 *             | header | slot 0  | slot 1  | ..    |  A  |   |  B  |
 *             | n, A,B | copy A  | copy B  |       +-----+   +-----+
 *             | sum 0,1|         |         |
 *             +--------+---------+---------+--
 *
 * Why it is crash-safe.  The commit point is the moment the last block of
 * step 1 reaches the disk: from then on the header and every slot agree,
 * each slot matching the checksum the header holds for it.  Before that
 * moment, a crash leaves some of step 1's blocks old and some new, and
 * some slot fails its checksum (or the old header is whole, and names the
 * transaction before, whose installs finished: harmless to redo).  No home
 * block has been touched, so recovery (log_init, at the next boot) ignores
 * the log and the disk holds the state from before the transaction.  After
 * that moment, a crash during the installs leaves a header whose slots all
 * match: recovery copies them home again, which is harmless for blocks
 * already installed.  Either every block of a transaction reaches home or
 * none does.  Commits run one at a time, so the installs are done before
 * the next commit overwrites the slots.
 *
 * Nothing clears the header after the installs (it would cost two disk
 * writes and two flushes a commit), so at boot it names the last
 * transaction, committed or not; recovery compares the slots with their
 * home blocks and installs only when some differ.  A clean power-off
 * (log_shutdown) writes an empty header.
 *
 * Group commit.  Several operations may run at once; their blocks gather in
 * one transaction, which commits when the last running operation ends.  A
 * block written by several operations is logged once (absorption).  Each
 * operation reserves slots at its start: MAXOPBLOCKS at begin_op(), or as
 * many as it asks for, up to the whole log, at begin_op_blocks() (a large
 * file write, which then commits once per log-full instead of once per
 * MAXOPBLOCKS).  The start waits while a commit is under way or while the
 * reservation, on top of those of the running operations and the blocks
 * already logged, could overflow the log.  An operation that logs more new
 * blocks than it reserved is a kernel bug, and log_write panics.
 *
 * Cost.  An operation logging k blocks, committed alone, takes
 *   1 request for the header and the slots + k install requests (fewer
 *   when home blocks are consecutive) = k + 1
 * disk writes and two flushes, where writing each block twice, one at a
 * time, takes 2k: fewer for every k > 1.  The checksums are summed while
 * the blocks are copied into the slots: about 0.6 instructions a byte for
 * the copy and the sum together.
 *
 * Durability.  A call that changed the disk has, when it returns, put its
 * blocks in the transaction, and with other operations still running the
 * transaction commits later, when the last of them ends.  A crash before
 * then loses the call, whole, although it had returned.  fsync() waits for
 * the commit (log_sync).  (The driver splits a run longer than its
 * largest request, so a very large group commit needs a few requests.)
 *
 * Buffers.  The log region is never read or written through the cache: the
 * log owns a staging buffer per slot and one for the header.  Borrowing up
 * to LOGBLOCKS cache buffers for the slots at commit time, on top of the up
 * to LOGBLOCKS pinned ones, would leave the cache empty for everyone else.
 *
 * Locking.  log.lock guards the fields marked [lock].  The committer (the
 * process that set committing) alone uses the staging buffers and home[],
 * and writes lh outside the lock; begin_op keeps everyone else away until
 * committing is cleared.  Lock order: log.lock before bcache.lock.
 */
#include "include/types.h"
#include "include/param.h"
#include "include/fs_format.h"
#include "include/string.h"
#include "kernel/lock/spinlock.h"
#include "kernel/lock/sleeplock.h"
#include "kernel/fs/buf.h"
#include "kernel/fs/bio.h"
#include "kernel/dev/disk.h"
#include "kernel/fs/log.h"
#include "include/errno.h"
#include "kernel/proc/proc.h"
#include "kernel/lib/printf.h"

_Static_assert(LOGBLOCKS >= MAXOPBLOCKS, "the log must hold one operation");

static struct {
	struct spinlock lock;
	int dev;
	uint start;               /* block number of the header */
	uint size;                /* slots in the log, <= LOGBLOCKS */
	int outstanding;          /* [lock] operations between begin and end */
	uint reserved;            /* [lock] slots they reserved, in all */
	bool committing;          /* [lock] a commit is under way */
	uint64 txn;               /* [lock] number of the transaction gathering
	                             blocks, or committing; the first is 1 */
	uint64 done;              /* [lock] number of the last one committed */
	bool readonly;            /* [lock] a write failed: nothing more is */
	struct logheader lh;      /* [lock] blocks logged by this transaction */
	int opblocks[NPROC];      /* [lock] new blocks logged by the running
	                             operation of each process-table slot */
	int opreserve[NPROC];     /* [lock] ... the slots it reserved */
	bool opwrote[NPROC];      /* [lock] ... and whether it logged any */
	struct buf *home[LOGBLOCKS];   /* committer: locked home buffers */
	struct buf *region[1 + LOGBLOCKS];   /* &headbuf, then &slotbuf[i]: the
	                                        log region in disk order, the
	                                        form disk I/O takes */
} log;

static struct buf slotbuf[LOGBLOCKS];   /* staging for slot i, at start+1+i */
static struct buf headbuf;              /* staging for the header */

static void
staging_init(struct buf *b, uint blockno)
{
	initsleeplock(&b->lock, "log staging");
	b->dev = log.dev;
	b->blockno = blockno;
	b->valid = false;
}

/*
 * A write the log needed has failed: from now on the file system is
 * read-only, until the next boot recovers what the disk holds.  Whatever
 * step failed, the disk is recoverable: before the commit point (a torn
 * log write) the old state stands, after it recovery replays the log.
 */
void
log_fail(const char *step)
{
	acquire(&log.lock);
	log.readonly = true;
	release(&log.lock);
	printf("fs: %s failed: the file system is read-only until reboot\n", step);
}

/*
 * Copy block src to dst and return log_checksum() of it, in one pass over
 * the words, so a commit reads each logged block once.  Four words a
 * turn: the loop's own instructions (two pointer steps and a branch),
 * paid once per 32 bytes instead of once per 8, were nearly half of it.
 */
static uint64
copy_summing(void *dst, const void *src)
{
	const uint64 *from = src, *end = from + BSIZE / 8;
	uint64 *to = dst;
	uint64 sum = LOG_SUM_START;

	_Static_assert(BSIZE % 32 == 0, "copy_summing takes 32 bytes a turn");
	for (; from < end; from += 4, to += 4) {
		uint64 w0 = from[0], w1 = from[1], w2 = from[2], w3 = from[3];

		to[0] = w0;
		to[1] = w1;
		to[2] = w2;
		to[3] = w3;
		sum = log_sum_word(log_sum_word(sum, w0), w1);
		sum = log_sum_word(log_sum_word(sum, w2), w3);
	}
	return sum;
}

/*
 * Write the header and the n slots in one call (they are consecutive
 * blocks, so one request): each home buffer is copied into its slot, and
 * its checksum into the header.
 */
static int
write_log(struct buf **home, uint n)
{
	uint i;
	int r;

	for (i = 0; i < n; i++) {
		acquiresleep(&slotbuf[i].lock);
		log.lh.sum[i] = copy_summing(slotbuf[i].data, home[i]->data);
	}
	acquiresleep(&headbuf.lock);
	memmove(headbuf.data, &log.lh, sizeof(log.lh));
	r = bwrite_many(log.region, n + 1);
	releasesleep(&headbuf.lock);
	for (i = 0; i < n; i++)
		releasesleep(&slotbuf[i].lock);
	return r;
}

/* Write the locked buffers home[0..n-1] home, sorted by block number. */
static int
install(struct buf **home, uint n)
{
	struct buf *b;
	uint i, j;

	for (i = 1; i < n; i++) {
		b = home[i];
		for (j = i; j > 0 && home[j - 1]->blockno > b->blockno; j--)
			home[j] = home[j - 1];
		home[j] = b;
	}
	return bwrite_many(home, n);
}

/*
 * The two steps of a commit, each made durable before the next: 0, or
 * -EIO after naming the step that failed.  The flush after the installs
 * keeps the next commit from overwriting these slots while a home block
 * may still be only in the disk's cache.
 */
static int
write_transaction(uint n)
{
	if (write_log(log.home, n) < 0 || disk_flush() < 0) {
		log_fail("writing the log");
		return -EIO;
	}
	if (install(log.home, n) < 0 || disk_flush() < 0) {
		log_fail("installing a transaction");
		return -EIO;
	}
	return 0;
}

/*
 * Put the transaction in log.lh on the disk: 0, or -EIO.  Called by the
 * process that set committing, without log.lock, while no operation runs.
 * The logged blocks are pinned in the cache, so bread finds each of them
 * there.  When the transaction is not written (the file system is
 * read-only, or a write fails), its blocks are dropped from the cache, so
 * that readers see what the disk holds, not changes that never reached
 * it.  (An inode already loaded in the inode cache may show such a change
 * too: ilock reloads it once the file system is read-only.)
 */
static int
commit(void)
{
	uint n = log.lh.n;
	uint i;
	int r = 0;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if ((log.home[i] = bread(log.dev, log.lh.block[i])) == NULL)
			panic("commit: logged block %u is not in the cache",
			      log.lh.block[i]);
	if (log.readonly)
		r = -EIO;
	else
		r = write_transaction(n);
	for (i = 0; i < n; i++) {
		if (r < 0)
			log.home[i]->valid = false;   /* reread what the disk holds */
		log.home[i]->logged = false;
		bunpin(log.home[i]);
		brelse(log.home[i]);
	}
	log.lh.n = 0;
	return r;
}

/*
 * Read the header into log.lh and check it against the file system:
 * NULL, or what is wrong with it.  A header naming blocks outside the
 * file system is damage, and replaying it would spread the damage; one
 * naming a block twice would have recovery lock that block's buffer twice.
 */
static const char *
read_header(const struct superblock *sb)
{
	uint i;
	int r;

	acquiresleep(&headbuf.lock);
	r = disk_rw(log.region, 1, false);
	memmove(&log.lh, headbuf.data, sizeof(log.lh));
	releasesleep(&headbuf.lock);
	if (r < 0)
		return "the disk cannot read the log header";
	if (log.lh.n > log.size)
		return "the log header lists more blocks than the log holds";
	for (i = 0; i < log.lh.n; i++) {
		if (log.lh.block[i] < sb->inodestart || log.lh.block[i] >= sb->size)
			return "the log header names a block outside the file system";
		for (uint j = 0; j < i; j++)
			if (log.lh.block[j] == log.lh.block[i])
				return "the log header names a block twice";
	}
	return NULL;
}

/* Read the n slots into the staging buffers, locked: 0 or -EIO. */
static int
read_slots(uint n)
{
	for (uint i = 0; i < n; i++)
		acquiresleep(&slotbuf[i].lock);
	return disk_rw(&log.region[1], n, false);
}

static void
release_slots(uint n)
{
	for (uint i = 0; i < n; i++)
		releasesleep(&slotbuf[i].lock);
}

/* The first of the n slots that does not match its checksum, or n. */
static uint
first_torn_slot(uint n)
{
	uint i;

	for (i = 0; i < n; i++)
		if (log_checksum(slotbuf[i].data) != log.lh.sum[i])
			break;
	return i;
}

/*
 * Copy the n slots into their home buffers in the cache, locked in
 * log.home[]: how many of them it changed, or -EIO (then nothing is
 * changed and nothing stays cached).
 */
static int
load_home(uint n)
{
	int changed = 0;
	uint i;

	for (i = 0; i < n; i++) {
		if ((log.home[i] = bread(log.dev, log.lh.block[i])) == NULL)
			break;
		if (memcmp(log.home[i]->data, slotbuf[i].data, BSIZE) != 0) {
			memmove(log.home[i]->data, slotbuf[i].data, BSIZE);
			changed++;
		}
	}
	if (i == n)
		return changed;
	while (i > 0) {
		log.home[--i]->valid = false;
		brelse(log.home[i]);
	}
	return -EIO;
}

/*
 * At boot: the header names the last transaction whose commit started,
 * since nothing clears it after the installs.  If any slot fails its
 * checksum, that commit did not finish, and its blocks never reached
 * home: the disk holds the state from before it.  If every slot matches,
 * the transaction is committed; when a home block still differs from its
 * slot the installs did not finish, so recovery does them again (through
 * the cache, so the cache agrees with the disk).  A log that cannot be
 * read or is damaged is left as it is, and the file system is mounted
 * read-only.
 */
static void
recover(const struct superblock *sb)
{
	const char *why;
	uint i, n, torn;
	int changed;

	if ((why = read_header(sb)) != NULL) {
		log.lh.n = 0;
		printf("fs: damaged: %s; it is not replayed\n", why);
		log_fail("recovering the log");
		return;
	}
	n = log.lh.n;
	log.lh.n = 0;
	if (n == 0)
		return;
	if (read_slots(n) < 0) {
		release_slots(n);
		log_fail("reading the log");
		return;
	}
	if ((torn = first_torn_slot(n)) < n) {
		release_slots(n);
		printf("log: a commit that did not finish is ignored (slot %u "
		       "does not match its checksum)\n", torn);
		return;
	}
	changed = load_home(n);
	release_slots(n);
	if (changed < 0) {
		log_fail("reading the log");
		return;
	}
	if (changed > 0) {
		if (install(log.home, n) < 0 || disk_flush() < 0)
			log_fail("replaying the log");
		else
			printf("log: recovered a transaction of %u blocks\n", n);
	}
	for (i = 0; i < n; i++)
		brelse(log.home[i]);
}

/*
 * Set up the log described by sb (already checked by fs_init, with room
 * for at least one operation) and replay any committed transaction.
 * Called once, in process context, before any operation.
 */
void
log_init(int dev, const struct superblock *sb)
{
	uint i;

	initlock(&log.lock, "log");
	log.dev = dev;
	log.txn = 1;
	log.start = sb->logstart;
	log.size = sb->nlog - 1;
	if (log.size > LOGBLOCKS || log.size < MAXOPBLOCKS)
		panic("log_init: %u log slots, need %d..%d", log.size,
		      MAXOPBLOCKS, LOGBLOCKS);
	staging_init(&headbuf, log.start);
	log.region[0] = &headbuf;
	for (i = 0; i < log.size; i++) {
		staging_init(&slotbuf[i], log.start + 1 + i);
		log.region[1 + i] = &slotbuf[i];
	}
	recover(sb);
}

/*
 * Before the machine powers off: wait for the running operations to end
 * and their commit to finish, then write an empty header, so that the
 * next boot has no transaction to check.  No operation starts afterwards.
 */
void
log_shutdown(void)
{
	acquire(&log.lock);
	while (log.committing || log.outstanding > 0)
		sleep(&log, &log.lock);
	log.committing = true;     /* for good: begin_op waits from now on */
	release(&log.lock);
	if (log_readonly())
		return;
	acquiresleep(&headbuf.lock);
	memset(headbuf.data, 0, BSIZE);
	if (bwrite(&headbuf) < 0 || disk_flush() < 0)
		log_fail("clearing the log header");
	releasesleep(&headbuf.lock);
}

/* Start an operation: wait until the log can take MAXOPBLOCKS more blocks. */
void
begin_op(void)
{
	begin_op_blocks(MAXOPBLOCKS);
}

/* The most blocks one operation may reserve: the whole log. */
int
log_capacity(void)
{
	return log.size;
}

/* Start an operation that will log at most nblocks new blocks (at most
 * log_capacity()): wait until the log can take them. */
void
begin_op_blocks(int nblocks)
{
	int slot = myproc()->slot;

	if (nblocks < 1 || nblocks > (int)log.size)
		panic("begin_op_blocks: %d blocks, the log holds %u", nblocks,
		      log.size);
	acquire(&log.lock);
	while (log.committing || log.lh.n + log.reserved + nblocks > log.size)
		sleep(&log, &log.lock);
	log.outstanding++;
	log.reserved += nblocks;
	log.opreserve[slot] = nblocks;
	log.opblocks[slot] = 0;
	log.opwrote[slot] = false;
	release(&log.lock);
}

/*
 * End an operation; the last one to end commits the transaction.  Returns
 * 0, or -EIO when the operation changed something but the file system has
 * become read-only (a write failed), so that its changes may never reach
 * the disk.  An operation that changed nothing always gets 0.
 */
int
end_op(void)
{
	int slot = myproc()->slot;
	bool do_commit = false, wrote;
	int r;

	acquire(&log.lock);
	if (log.outstanding < 1 || log.committing)
		panic("end_op: no operation running (outstanding %d, committing %d)",
		      log.outstanding, log.committing);
	log.outstanding--;
	log.reserved -= log.opreserve[slot];
	wrote = log.opwrote[slot];
	if (log.outstanding == 0) {
		do_commit = true;
		log.committing = true;
	} else {
		/* This operation's unused reservation may admit a waiter. */
		wakeup(&log);
	}
	release(&log.lock);

	if (!do_commit)
		return wrote && log_readonly() ? -EIO : 0;
	r = commit();
	acquire(&log.lock);
	log.committing = false;
	log.done = log.txn++;
	wakeup(&log);
	release(&log.lock);
	return wrote ? r : 0;
}

/* Has a failed write made the file system read-only? */
bool
log_readonly(void)
{
	return __atomic_load_n(&log.readonly, __ATOMIC_RELAXED);
}

/*
 * Wait until every block logged before this call is on the disk for good.
 * A system call returns when its own end_op does, which, while other
 * operations run, is before its transaction commits; fsync() calls this
 * to wait for that commit.  With no blocks gathered and no commit under
 * way, everything logged is already committed.  Returns 0, or -EIO when
 * the file system is read-only after a failed write.
 */
int
log_sync(void)
{
	uint64 target;
	bool readonly;

	acquire(&log.lock);
	target = log.committing || log.lh.n > 0 ? log.txn : log.done;
	while (log.done < target)
		sleep(&log, &log.lock);
	readonly = log.readonly;
	release(&log.lock);
	return readonly ? -EIO : 0;
}

/*
 * Record that the locked buffer b was changed by the current operation, in
 * place of bwrite(b).  The block joins the transaction (once, however often
 * it is written: b->logged says whether it has, without a search of the
 * header's list) and its buffer stays pinned in the cache until installed.
 */
void
log_write(struct buf *b)
{
	int slot = myproc()->slot;

	acquire(&log.lock);
	if (log.outstanding < 1)
		panic("log_write: block %u written outside an operation", b->blockno);
	log.opwrote[slot] = true;
	if (!b->logged) {
		if (log.lh.n >= log.size)
			panic("log_write: transaction overflows the %u-slot log",
			      log.size);
		if (++log.opblocks[slot] > log.opreserve[slot])
			panic("log_write: operation logs over its %d blocks",
			      log.opreserve[slot]);
		log.lh.block[log.lh.n++] = b->blockno;
		b->logged = true;
		bpin(b);
	}
	release(&log.lock);
}
