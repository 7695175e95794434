/*
 * kernel/fs/file.c: open files.
 *
 * A file descriptor indexes the process's ofile[] table, whose entries point
 * into the system-wide file table below.  A struct file is one open of
 * something: a pipe end, an inode (regular file or directory), or a device
 * file, with the access mode it was opened with and, for inodes, the offset
 * of the next read or write.  dup() and fork() share a struct file (ref
 * counts the sharers), so they share its offset too.
 *
 * fileread and filewrite dispatch on the type: pipes to pipe.c, devices to
 * the driver registered in devsw[] under the file's major number, inodes to
 * readi/writei under the inode lock.
 *
 * Locking.  ftable.lock guards every entry's ref and, while ref is 0, the
 * whole entry.  The other fields are set once by whoever allocated the
 * entry, before it is shared, except off, which is guarded by ip->lock.
 */
#include "include/types.h"
#include "include/param.h"
#include "include/fs_format.h"
#include "include/stat.h"
#include "include/errno.h"
#include "kernel/lock/spinlock.h"
#include "kernel/lock/sleeplock.h"
#include "kernel/fs/log.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/file.h"
#include "kernel/fs/pipe.h"
#include "kernel/proc/proc.h"
#include "kernel/mem/vm.h"
#include "kernel/lib/printf.h"

struct devsw devsw[NDEV];

static struct {
	struct spinlock lock;
	struct file file[NFILE];
} ftable;

/*
 * How much of a write to a file goes in one log operation.  A chunk that
 * covers at most c blocks of the file logs, in the worst case:
 *   1           the inode (size and addrs change)
 *   c           the data blocks
 *   3           indirect blocks: crossing from the single-indirect range
 *               into the double-indirect one touches the single-indirect
 *               block, the double-indirect root and one second-level
 *               block; inside the double-indirect range, the root and two
 *               second-level blocks
 *   c + 3       bitmap blocks, if every block allocated (data and
 *               indirect) has its bit in a different bitmap block
 * for CHUNK_LOG_BLOCKS(c) = 2c + 7 blocks.  Chunks end on block
 * boundaries, so one starting mid-block still covers at most c blocks.
 *
 * A chunk reserves exactly what it may log (begin_op_blocks), and may be
 * as large as the whole log allows: each chunk is a transaction of its own
 * when it runs alone, and a commit costs a few disk requests and flushes
 * however many blocks it carries, so a 1 MiB write in chunks of 4 blocks
 * (what MAXOPBLOCKS allows) made 445 disk requests, in chunks of 28 it
 * makes 79 (make bench).  A small write reserves little and so leaves room in the
 * log for other operations.
 */
#define CHUNK_LOG_BLOCKS(c) (2 * (c) + 7)
_Static_assert(CHUNK_LOG_BLOCKS(1) <= MAXOPBLOCKS,
               "MAXOPBLOCKS too small for a file write");

/* Blocks of the file the next chunk covers: those the n bytes left touch
 * from offset off, at most what fits in the log. */
static int
chunk_blocks(uint off, int n)
{
	uint64 need = (off % BSIZE + (uint64)n + BSIZE - 1) / BSIZE;
	uint64 most = (log_capacity() - 7) / 2;

	return need < most ? need : most;
}

void
file_init(void)
{
	initlock(&ftable.lock, "ftable");
}

/* A fresh file (type FD_NONE, ref 1), or NULL when the table is full. */
struct file *
filealloc(void)
{
	struct file *f;

	acquire(&ftable.lock);
	for (f = ftable.file; f < ftable.file + NFILE; f++) {
		if (f->ref == 0) {
			*f = (struct file){ .type = FD_NONE, .ref = 1 };
			release(&ftable.lock);
			return f;
		}
	}
	release(&ftable.lock);
	return NULL;
}

/* One more reference to f. */
struct file *
filedup(struct file *f)
{
	acquire(&ftable.lock);
	if (f->ref < 1)
		panic("filedup: file not open");
	f->ref++;
	release(&ftable.lock);
	return f;
}

/*
 * Drop a reference to f; the last one closes what it refers to.  May start
 * a log operation, so the caller must not be inside one.
 */
void
fileclose(struct file *f)
{
	struct file closed;

	acquire(&ftable.lock);
	if (f->ref < 1)
		panic("fileclose: file not open");
	if (--f->ref > 0) {
		release(&ftable.lock);
		return;
	}
	closed = *f;
	f->type = FD_NONE;
	release(&ftable.lock);

	if (closed.type == FD_PIPE) {
		pipeclose(closed.pipe, closed.writable);
	} else if (closed.type == FD_INODE || closed.type == FD_DEVICE) {
		begin_op();
		iput(closed.ip);
		end_op();
	}
}

/*
 * Copy f's metadata to the struct stat at user address addr.  Returns 0,
 * -EFAULT, or -EINVAL for a pipe (which has no inode to describe).
 */
int
filestat(struct file *f, uint64 addr)
{
	struct stat st;

	if (f->type != FD_INODE && f->type != FD_DEVICE)
		return -EINVAL;
	if (ilock(f->ip) < 0)
		return -EIO;
	stati(f->ip, &st);
	iunlock(f->ip);
	return copyout(myproc()->pagetable, addr, &st, sizeof(st));
}

/* The driver for a device file, or NULL when major has none. */
static struct devsw *
device(struct file *f)
{
	if (f->major < 0 || f->major >= NDEV)
		return NULL;
	return &devsw[f->major];
}

/*
 * Read up to n bytes from inode file f, at its offset, to user address
 * addr.  Kept out of line, as write_inode is, so that fileread saves no
 * registers for a pipe or a device.
 */
static __attribute__((noinline)) int
read_inode(struct file *f, uint64 addr, int n)
{
	int r;

	if (ilock(f->ip) < 0)
		return -EIO;
	r = readi(f->ip, true, addr, f->off, n);
	if (r > 0)
		f->off += r;
	iunlock(f->ip);
	return r;
}

/* Read up to n bytes from f to user address addr; bytes read or -errno. */
int
fileread(struct file *f, uint64 addr, int n)
{
	struct devsw *dev;

	if (!f->readable)
		return -EBADF;
	switch (f->type) {
	case FD_PIPE:
		return piperead(f->pipe, addr, n);
	case FD_DEVICE:
		dev = device(f);
		if (dev == NULL || dev->read == NULL)
			return -ENODEV;
		return dev->read(true, addr, n);
	case FD_INODE:
		return read_inode(f, addr, n);
	default:
		panic("fileread: file of type %d", f->type);
	}
}

/*
 * Write n bytes from user address addr to an inode file, one log operation
 * per chunk.  Returns the bytes written, or the first chunk's error
 * (-EROFS once a failed disk write has made the file system read-only,
 * -EIO for a chunk whose operation was under way when that happened).
 * Kept out of line: inlined, its loop made filewrite save ten registers
 * on every write, to a pipe or a device too.
 */
static __attribute__((noinline)) int
write_inode(struct file *f, uint64 addr, int n)
{
	int done = 0, chunk, blocks, r = 0, e;

	while (done < n) {
		if (killed(myproc())) {
			r = -EINTR;   /* a long write stops between chunks */
			break;
		}
		if (log_readonly()) {
			r = -EROFS;
			break;
		}
		/* An appending write learns its offset under the lock: plan
		 * for the worst, a chunk that starts mid-block. */
		blocks = chunk_blocks(f->append ? BSIZE - 1 : f->off, n - done);
		begin_op_blocks(CHUNK_LOG_BLOCKS(blocks));
		if ((r = ilock(f->ip)) < 0) {
			end_op();
			break;
		}
		if (f->append)
			f->off = f->ip->size;
		chunk = blocks * BSIZE - f->off % BSIZE;
		if (chunk > n - done)
			chunk = n - done;
		r = writei(f->ip, true, addr + done, f->off, chunk);
		if (r > 0)
			f->off += r;
		iunlock(f->ip);
		if ((e = end_op()) < 0 && r >= 0)
			r = e;    /* this chunk may never reach the disk */
		if (r < 0)
			break;
		done += r;
		if (r != chunk)
			break;
	}
	return done > 0 ? done : r;
}

/* Write n bytes from user address addr to f; bytes written or -errno. */
int
filewrite(struct file *f, uint64 addr, int n)
{
	struct devsw *dev;

	if (!f->writable)
		return -EBADF;
	switch (f->type) {
	case FD_PIPE:
		return pipewrite(f->pipe, addr, n);
	case FD_DEVICE:
		dev = device(f);
		if (dev == NULL || dev->write == NULL)
			return -ENODEV;
		return dev->write(true, addr, n);
	case FD_INODE:
		return write_inode(f, addr, n);
	default:
		panic("filewrite: file of type %d", f->type);
	}
}
