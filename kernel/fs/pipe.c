/*
 * kernel/fs/pipe.c: pipes.
 *
 * A pipe is a PIPESIZE-byte ring buffer shared by two files: one the
 * reader's, one the writer's.  The struct pipe lives in one kalloc'd page
 * and the ring in a block of pages of its own, so the ring is exactly
 * PIPESIZE (a power of two) bytes and an index is a mask away.  The ring
 * is 16 KiB rather than one page because every time it fills, the writer
 * must sleep and the reader run: two context switches per ring's worth of
 * data, which with a 4 KiB ring cost as much as copying the bytes.
 *
 * nread and nwrite count the bytes read and written since the pipe was
 * made.  They run freely and wrap around as unsigned integers; the ring
 * holds nwrite - nread bytes, which is 0 when it is empty and PIPESIZE when
 * it is full, so the two states cannot be confused.  Byte i lives at
 * data[i % PIPESIZE].
 *
 *        nread % PIPESIZE          nwrite % PIPESIZE
 *              v                         v
 *   data: [....XXXXXXXXXXXXXXXXXXXXXXXXXX.......]      X = unread bytes
 *
 * The unread bytes, or the free space, are at most two contiguous pieces
 * (the second when they wrap past the end), so each transfer is at most two
 * bulk copies between the ring and user memory.
 *
 * Readers sleep on &nread waiting for bytes, writers on &nwrite waiting for
 * space, and each side says so (reader_waits, writer_waits), so that the
 * other calls wakeup only when someone sleeps: in a 1-byte ping-pong, half
 * of the wakeups used to find nobody.  The copies run with the pipe's
 * spinlock held: copyin and copyout never sleep.
 */
#include "include/types.h"
#include "include/param.h"
#include "include/errno.h"
#include "kernel/riscv/machine.h"
#include "kernel/lock/spinlock.h"
#include "kernel/fs/file.h"
#include "kernel/fs/pipe.h"
#include "kernel/proc/proc.h"
#include "kernel/mem/vm.h"
#include "kernel/mem/kalloc.h"

_Static_assert((PIPESIZE & (PIPESIZE - 1)) == 0 && PIPESIZE >= PGSIZE,
               "PIPESIZE: a power of 2, at least a page");

/* The kalloc_pages order of the ring: 2^RING_ORDER pages. */
#define RING_ORDER (__builtin_ctz(PIPESIZE) - __builtin_ctz(PGSIZE))

struct pipe {
	struct spinlock lock;
	uint nread;       /* [lock] bytes read so far */
	uint nwrite;      /* [lock] bytes written so far */
	bool readopen;    /* [lock] the read end is open */
	bool writeopen;   /* [lock] the write end is open */
	bool reader_waits;  /* [lock] a reader sleeps on &nread */
	bool writer_waits;  /* [lock] a writer sleeps on &nwrite */
	char *data;       /* the ring: PIPESIZE bytes, 2^RING_ORDER pages */
};

_Static_assert(sizeof(struct pipe) <= PGSIZE, "struct pipe must fit in a page");

/*
 * Make a pipe and its two files, *readf (read end) and *writef (write end).
 * Returns 0, or -ENFILE when the file table is full, -ENOMEM when there is
 * no free page; on failure nothing stays allocated.
 */
int
pipealloc(struct file **readf, struct file **writef)
{
	struct file *rf, *wf;
	struct pipe *pi;
	int err;

	rf = filealloc();
	if (rf == NULL)
		return -ENFILE;
	wf = filealloc();
	if (wf == NULL) {
		err = -ENFILE;
		goto out_close_rf;
	}
	pi = kalloc();
	if (pi == NULL) {
		err = -ENOMEM;
		goto out_close_wf;
	}
	pi->data = kalloc_pages(RING_ORDER);
	if (pi->data == NULL) {
		err = -ENOMEM;
		goto out_free_pipe;
	}

	initlock(&pi->lock, "pipe");
	pi->nread = 0;
	pi->nwrite = 0;
	pi->readopen = true;
	pi->writeopen = true;
	pi->reader_waits = false;
	pi->writer_waits = false;
	rf->type = FD_PIPE;
	rf->readable = true;
	rf->pipe = pi;
	wf->type = FD_PIPE;
	wf->writable = true;
	wf->pipe = pi;
	*readf = rf;
	*writef = wf;
	return 0;

out_free_pipe:
	kfree(pi);
out_close_wf:
	fileclose(wf);
out_close_rf:
	fileclose(rf);
	return err;
}

/* Wake the reader or the writer of pi, if one sleeps.  Caller holds
 * pi->lock. */
static void
wake_reader(struct pipe *pi)
{
	if (pi->reader_waits) {
		pi->reader_waits = false;
		wakeup(&pi->nread);
	}
}

static void
wake_writer(struct pipe *pi)
{
	if (pi->writer_waits) {
		pi->writer_waits = false;
		wakeup(&pi->nwrite);
	}
}

/* Close one end of pi; the pipe is freed when both ends are closed. */
void
pipeclose(struct pipe *pi, bool writable)
{
	bool both_closed;

	acquire(&pi->lock);
	if (writable) {
		pi->writeopen = false;
		wake_reader(pi);
	} else {
		pi->readopen = false;
		wake_writer(pi);
	}
	both_closed = !pi->readopen && !pi->writeopen;
	release(&pi->lock);

	if (both_closed) {
		kfree_pages(pi->data, RING_ORDER);
		kfree(pi);
	}
}

/*
 * Copy m bytes, m no more than the free space, from user address addr into
 * the ring at nwrite: the piece up to the end of the ring, then the rest at
 * its start.  0 or -EFAULT.  Caller holds pi->lock.
 */
static int
ring_copyin(struct pipe *pi, pagetable_t pt, uint64 addr, uint m)
{
	uint at = pi->nwrite % PIPESIZE;
	uint first = m < PIPESIZE - at ? m : PIPESIZE - at;

	assert_holding(&pi->lock);
	if (copyin(pt, pi->data + at, addr, first) < 0)
		return -EFAULT;
	if (m > first && copyin(pt, pi->data, addr + first, m - first) < 0)
		return -EFAULT;
	return 0;
}

/*
 * Copy m unread bytes, starting at nread, to user address addr, in at most
 * two pieces as above.  Returns the bytes copied (fewer when the second
 * piece faults), or -EFAULT.  Caller holds pi->lock.
 */
static int
ring_copyout(struct pipe *pi, pagetable_t pt, uint64 addr, uint m)
{
	uint at = pi->nread % PIPESIZE;
	uint first = m < PIPESIZE - at ? m : PIPESIZE - at;

	assert_holding(&pi->lock);
	if (copyout(pt, addr, pi->data + at, first) < 0)
		return -EFAULT;
	if (m > first && copyout(pt, addr + first, pi->data, m - first) < 0)
		return first;
	return m;
}

/*
 * Write n bytes from user address addr into pi, sleeping while the ring is
 * full.  Returns n; or, if the reader goes away, the process is killed
 * while waiting, or addr is bad partway, the bytes written so far, or when
 * there are none -EPIPE, -EINTR or -EFAULT.
 */
int
pipewrite(struct pipe *pi, uint64 addr, int n)
{
	struct proc *p = myproc();
	uint space, m;
	int done = 0, err = 0;

	acquire(&pi->lock);
	while (done < n) {
		if (!pi->readopen) {
			err = -EPIPE;
			break;
		}
		space = PIPESIZE - (pi->nwrite - pi->nread);
		if (space == 0) {
			if (killed(p)) {
				err = -EINTR;
				break;
			}
			pi->writer_waits = true;
			sleep(&pi->nwrite, &pi->lock);
			continue;
		}
		m = (uint)(n - done) < space ? (uint)(n - done) : space;
		err = ring_copyin(pi, p->pagetable, addr + done, m);
		if (err < 0)
			break;
		pi->nwrite += m;
		done += m;
		wake_reader(pi);
	}
	release(&pi->lock);
	return done > 0 ? done : err;
}

/*
 * Read up to n bytes from pi to user address addr, sleeping while the ring
 * is empty and the write end is open.  Returns the bytes read (0 at end of
 * file), or -EINTR when killed while waiting, -EFAULT for a bad addr.
 */
int
piperead(struct pipe *pi, uint64 addr, int n)
{
	struct proc *p = myproc();
	uint m;
	int r;

	if (n <= 0)
		return 0;
	acquire(&pi->lock);
	while (pi->nread == pi->nwrite && pi->writeopen) {
		if (killed(p)) {
			release(&pi->lock);
			return -EINTR;
		}
		pi->reader_waits = true;
		sleep(&pi->nread, &pi->lock);
	}
	m = pi->nwrite - pi->nread;
	if (m > (uint)n)
		m = n;
	r = ring_copyout(pi, p->pagetable, addr, m);
	if (r > 0) {
		pi->nread += r;
		wake_writer(pi);
	}
	release(&pi->lock);
	return r;
}
