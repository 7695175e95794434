/*
 * kernel/lock/sleeplock.h: long-term locks whose waiters sleep instead of spin.
 *
 * Used where the holder may block, for example on disk I/O (buffers and
 * inodes).  Only process context may take one.
 */
#ifndef KERNEL_LOCK_SLEEPLOCK_H
#define KERNEL_LOCK_SLEEPLOCK_H

#include "kernel/lock/spinlock.h"

struct sleeplock {
	bool locked;          /* [lk] held?  Read without lk by holdingsleep */
	struct spinlock lk;   /* guards this structure */
	const char *name;
	int pid;              /* [lk] holder's pid; likewise */
	int waiters;          /* [lk] processes asleep in acquiresleep */
};

void initsleeplock(struct sleeplock *lk, const char *name);
void acquiresleep(struct sleeplock *lk);
void releasesleep(struct sleeplock *lk);
bool holdingsleep(struct sleeplock *lk);
/* Panic unless the current process holds lk ("caller holds lk"); cheap. */
void assert_holdingsleep(struct sleeplock *lk);

#endif /* KERNEL_LOCK_SLEEPLOCK_H */
