/*
 * kernel/lock/sleeplock.c: locks that put their waiters to sleep.
 *
 * A sleep lock is a flag guarded by a spinlock; a process that finds it
 * taken sleeps on the lock's address until the holder releases it.  The
 * holder may block (for disk I/O, say) while holding it, which a spinlock
 * forbids.
 *
 * The lock counts its sleepers, so that releasing a lock nobody waits for
 * (nearly always) skips wakeup(), which would take proc_lock and search a
 * sleep queue for nobody (6% of make bench's file write).
 */
#include "kernel/lock/sleeplock.h"
#include "kernel/proc/proc.h"
#include "kernel/lib/printf.h"

void
initsleeplock(struct sleeplock *lk, const char *name)
{
	initlock(&lk->lk, "sleep lock");
	lk->name = name;
	lk->locked = false;
	lk->pid = 0;
	lk->waiters = 0;
}

void
acquiresleep(struct sleeplock *lk)
{
	acquire(&lk->lk);
	while (lk->locked) {
		lk->waiters++;
		sleep(lk, &lk->lk);
		lk->waiters--;
	}
	__atomic_store_n(&lk->locked, true, __ATOMIC_RELAXED);
	__atomic_store_n(&lk->pid, myproc()->pid, __ATOMIC_RELAXED);
	release(&lk->lk);
}

void
releasesleep(struct sleeplock *lk)
{
	acquire(&lk->lk);
	__atomic_store_n(&lk->pid, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&lk->locked, false, __ATOMIC_RELAXED);
	if (lk->waiters > 0)
		wakeup(lk);
	release(&lk->lk);
}

/*
 * Does the current process hold lk?  No need to take lk->lk: only the
 * holder writes its own pid into lk->pid, and it clears it (and locked)
 * before letting go.  So the holder always reads back its own values, and
 * any other process, whatever it reads mid-change, never sees locked set
 * together with its own pid.
 */
bool
holdingsleep(struct sleeplock *lk)
{
	return __atomic_load_n(&lk->locked, __ATOMIC_RELAXED) &&
	       __atomic_load_n(&lk->pid, __ATOMIC_RELAXED) == myproc()->pid;
}

void
assert_holdingsleep(struct sleeplock *lk)
{
	if (!holdingsleep(lk))
		panic("sleep lock %s is not held by this process, but must be here",
		      lk->name);
}
