/*
 * kernel/lock/sleeplock.c: locks that put their waiters to sleep.
 *
 * A sleep lock is a flag guarded by a spinlock; a process that finds it
 * taken sleeps on the lock's address until the holder releases it.  The
 * holder may block (for disk I/O, say) while holding it, which a spinlock
 * forbids.
 */
#include "kernel/lock/sleeplock.h"
#include "kernel/proc/proc.h"

void
initsleeplock(struct sleeplock *lk, const char *name)
{
	initlock(&lk->lk, "sleep lock");
	lk->name = name;
	lk->locked = false;
	lk->pid = 0;
}

void
acquiresleep(struct sleeplock *lk)
{
	acquire(&lk->lk);
	while (lk->locked)
		sleep(lk, &lk->lk);
	lk->locked = true;
	lk->pid = myproc()->pid;
	release(&lk->lk);
}

void
releasesleep(struct sleeplock *lk)
{
	acquire(&lk->lk);
	lk->locked = false;
	lk->pid = 0;
	wakeup(lk);
	release(&lk->lk);
}

/* Does the current process hold lk? */
bool
holdingsleep(struct sleeplock *lk)
{
	bool mine;

	acquire(&lk->lk);
	mine = lk->locked && lk->pid == myproc()->pid;
	release(&lk->lk);
	return mine;
}
