/*
 * include/lockstat.h: what the lockstat() system call reports.
 *
 * One row per lock name: every spinlock that initlock() gave the same
 * name counts in the same row (all pipes' locks are one row, "pipe"), as
 * the lock-order checker groups them.  The counts run from boot and only
 * grow, so a program measures a piece of work by reading the rows before
 * and after it and subtracting.
 *
 *   int lockstat(struct lockstat *stats, int n);
 *
 * copies the first min(n, rows) rows to stats and returns how many rows
 * the kernel has (more than n means some were left out: ask again with a
 * bigger array).  lockstat(NULL, 0) only counts.  n < 0 fails with
 * EINVAL, a stats array the process cannot write with EFAULT.
 */
#ifndef INCLUDE_LOCKSTAT_H
#define INCLUDE_LOCKSTAT_H

#include "include/types.h"

#define LOCKSTAT_NAME 24        /* bytes of a name, with its NUL */

struct lockstat {
	char name[LOCKSTAT_NAME];   /* the name initlock() gave: NUL-terminated,
	                               cut short if it is longer */
	uint64 acquires;            /* acquire() calls that took the lock */
	uint64 contended;           /* ... of those, the ones that found it
	                               held and had to spin */
	uint64 spins;               /* failed tries, over all contended ones */
};

#endif /* INCLUDE_LOCKSTAT_H */
