/*
 * kernel/lock/lockstat.h: counts of how often each lock is taken and how
 * often it is found held, for the lockstat() system call.
 *
 * Counts are kept per lock name (a "class"), as include/lockstat.h
 * reports them: every pipe's lock adds to the one row "pipe".  acquire()
 * adds to its lock's class; kernel/lock/lockstat.c says what that costs.
 */
#ifndef KERNEL_LOCK_LOCKSTAT_H
#define KERNEL_LOCK_LOCKSTAT_H

#include "include/types.h"

/* The counters of one lock name.  name is set once, before the class is
 * published; the counters only grow, by relaxed atomic adds, because
 * locks of one name are held by different harts at once. */
struct lock_class {
	const char *name;
	uint64 acquires;
	uint64 contended;
	uint64 spins;
};

/* The class of locks named name, made on first use.  Never NULL: when
 * the table is full, the extra names share one row, "(other)". */
struct lock_class *lockstat_class(const char *name);

/* An acquisition of a lock of class c that failed `spins` tries first
 * (0: it found the lock free). */
static inline void
lockstat_count(struct lock_class *c, uint64 spins)
{
	__atomic_fetch_add(&c->acquires, 1, __ATOMIC_RELAXED);
	if (spins == 0)
		return;
	__atomic_fetch_add(&c->contended, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->spins, spins, __ATOMIC_RELAXED);
}

/* The work of lockstat(stats, n): copy the first min(n, rows) rows to
 * the current process's address dst; the number of rows, or -EFAULT. */
int lockstat_copyout(uint64 dst, int n);

#endif /* KERNEL_LOCK_LOCKSTAT_H */
