/*
 * kernel/lock/spinlock.h: mutual exclusion between harts.
 *
 * A spinlock is held for short critical sections only; the holder must not
 * sleep.  Holding a spinlock disables interrupts on this hart (push_off),
 * so an interrupt handler that takes the same lock cannot deadlock with the
 * code it interrupted.  Acquiring a lock this hart already holds panics, and
 * so does spinning for one far longer than any legitimate hold: both name
 * the lock, its holder and where the holder took it.
 */
#ifndef KERNEL_LOCK_SPINLOCK_H
#define KERNEL_LOCK_SPINLOCK_H

#include "include/types.h"

struct cpu;

struct spinlock {
	uint locked;          /* 0 free, 1 held */
	const char *name;     /* for panics and debugging */
	struct cpu *cpu;      /* holder, when held */
	uint64 taken_at[2];   /* holder: where acquire was called, and where
	                         that function was called (deadlock reports) */
};

void initlock(struct spinlock *lk, const char *name);
void acquire(struct spinlock *lk);
void release(struct spinlock *lk);
bool holding(struct spinlock *lk);
/*
 * Panic unless this hart holds lk.  For functions whose contract says
 * "caller holds lk": it costs a few instructions, so it is on in every
 * build, and the panic's backtrace names the caller that broke the rule.
 */
void assert_holding(struct spinlock *lk);
/* Panic with the report: what, lk's name, its holder and where the holder
 * took it ("... lock "pipe", held by hart 1, taken in pipewrite+0x3c
 * called from filewrite+0x58"). */
__attribute__((noreturn)) void lock_panic(const char *what, struct spinlock *lk);

/* Interrupt disabling that nests: push_off twice needs pop_off twice. */
void push_off(void);
void pop_off(void);

#endif /* KERNEL_LOCK_SPINLOCK_H */
