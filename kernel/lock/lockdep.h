/*
 * kernel/lock/lockdep.h: the lock-order checker, in LOCKDEP builds
 * (`make LOCKDEP=1`, and every DEBUG=1 build).  kernel/lock/lockdep.c says
 * how it works.  In other builds the hooks are empty and cost nothing.
 */
#ifndef KERNEL_LOCK_LOCKDEP_H
#define KERNEL_LOCK_LOCKDEP_H

#include "kernel/lock/spinlock.h"

struct cpu;

#ifdef LOCKDEP
/* acquire() has just taken lk on hart c; release() is about to free it. */
void lockdep_acquired(struct cpu *c, struct spinlock *lk);
void lockdep_released(struct cpu *c, struct spinlock *lk);
/* A spinlock hart c holds other than lk, or NULL (always NULL without
 * LOCKDEP, which alone keeps the list). */
struct spinlock *lockdep_other_held(struct cpu *c, struct spinlock *lk);
#else
static inline void
lockdep_acquired(struct cpu *c, struct spinlock *lk)
{
	(void)c;
	(void)lk;
}

static inline void
lockdep_released(struct cpu *c, struct spinlock *lk)
{
	(void)c;
	(void)lk;
}

static inline struct spinlock *
lockdep_other_held(struct cpu *c, struct spinlock *lk)
{
	(void)c;
	(void)lk;
	return 0;
}
#endif

#endif /* KERNEL_LOCK_LOCKDEP_H */
