/*
 * kernel/lock/spinlock.c: spinlocks, and the interrupt-disabling they rely on.
 *
 * acquire() spins on an atomic swap until it sets `locked` from 0 to 1.
 * The swap has acquire ordering and the release store has release
 * ordering, so everything written inside a critical section is visible to
 * the next holder.  Interrupts stay off on this hart while it holds any
 * spinlock: otherwise an interrupt handler that wanted the same lock would
 * spin forever on the hart that holds it.
 *
 * Deadlocks are reported, not suffered.  acquire() records, in the lock,
 * where it was called from and where that caller was called from (two
 * loads and two stores).  A hart that asks for a lock it already holds, or
 * spins SPIN_LIMIT_TICKS for one, panics with the lock's name, the holder
 * and those two call sites: the usual culprit, a path that forgot to
 * release, is then named instead of leaving a silent machine.
 */
#include "kernel/lock/spinlock.h"
#include "kernel/proc/proc.h"
#include "kernel/lib/printf.h"
#include "kernel/riscv/machine.h"
#include "kernel/riscv/trap.h"
#include "kernel/lib/ksym.h"
#include "kernel/lock/lockdep.h"
#include "include/param.h"

/*
 * No lock is legitimately held for more than a few microseconds (the
 * longest holds copy a pipe's ring or a console line), so a hart that has
 * spun this long is in a deadlock: with a hart of its own (each waits for
 * a lock the other holds) or with a holder that never releases.  The
 * clock is looked at every SPINS_PER_LOOK spins, to keep spinning cheap.
 */
#define SPIN_LIMIT_TICKS (10 * TICK_HZ)     /* 10 seconds */
#define SPINS_PER_LOOK   (1u << 16)

/*
 * push_off, returning this hart's struct cpu (found with interrupts off).
 * One csrrci both reads sstatus and turns interrupts off.
 */
static inline struct cpu *
interrupts_off(void)
{
	bool was_enabled = intr_save_off();
	struct cpu *c = mycpu();

	if (c->noff++ == 0)
		c->intena = was_enabled;
	return c;
}

/* pop_off, for this hart's struct cpu c. */
static inline void
interrupts_restore(struct cpu *c)
{
	if (intr_get())
		panic("pop_off: interrupts are enabled");
	if (c->noff < 1)
		panic("pop_off: not pushed");
	if (--c->noff == 0 && c->intena)
		intr_on();
}

/* Panic about lk, naming its holder and where the holder took it. */
void
lock_panic(const char *what, struct spinlock *lk)
{
	uint64 off0 = 0, off1 = 0;
	const char *in = ksym_lookup(lk->taken_at[0], &off0);
	const char *from = ksym_lookup(lk->taken_at[1], &off1);
	struct cpu *holder = lk->cpu;

	panic("%s lock \"%s\", held by hart %d, taken in %s+0x%lx called from %s+0x%lx",
	      what, lk->name, holder ? (int)(holder - cpus) : -1,
	      in ? in : "?", (unsigned long)off0, from ? from : "?",
	      (unsigned long)off1);
}

/* Is lk held by hart c? */
static inline bool
held_by(struct spinlock *lk, struct cpu *c)
{
	return lk->locked && lk->cpu == c;
}

/* Try to take lk once. */
static inline bool
try_take(struct spinlock *lk)
{
	return __atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

/* lk is ours: note the holder, and where it was taken (acquire's return
 * address, at, and its caller's, from). */
static inline void
note_holder(struct spinlock *lk, struct cpu *c, uint64 at, uint64 from)
{
	lk->cpu = c;
	lk->taken_at[0] = at;
	lk->taken_at[1] = from;
	lockdep_acquired(c, lk);
}

/* Spin until lk is ours (the first try failed), then note the holder as
 * note_holder does; panic if that takes SPIN_LIMIT_TICKS. */
static __attribute__((noinline)) void
spin(struct spinlock *lk, struct cpu *c, uint64 at, uint64 from)
{
	uint64 start = 0;
	bool timing = false;

	for (uint n = 1; !try_take(lk); n++) {
		if (n % SPINS_PER_LOOK != 0)
			continue;
		if (!timing) {
			start = clock_ticks();
			timing = true;
		} else if (clock_ticks() - start >= SPIN_LIMIT_TICKS) {
			lock_panic("deadlock: waited 10 s for", lk);
		}
	}
	note_holder(lk, c, at, from);
}

void
initlock(struct spinlock *lk, const char *name)
{
	lk->name = name;
	lk->locked = 0;
	lk->cpu = NULL;
	lk->taken_at[0] = lk->taken_at[1] = 0;
}

/*
 * acquire and release are on every path through the kernel (a 1-byte pipe
 * round trip takes about ten locks), so they are written for a short
 * common path.  Each finds this hart's struct cpu once (interrupts_off
 * returns it).  acquire tries the lock once, and only if that fails calls
 * the spinning loop, as its very last act: with no call to come back
 * from, the common path needs no registers saved on the stack.
 */
void
acquire(struct spinlock *lk)
{
	uint64 *fp = __builtin_frame_address(0);
	struct cpu *c = interrupts_off();
	/* Frame pointers (kernel/lib/printf.c:backtrace_from): our return
	 * address is at fp-8, our caller's frame pointer at fp-16, and our
	 * caller's return address just below that frame. */
	uint64 at = fp[-1], from = ((uint64 *)fp[-2])[-1];

	if (held_by(lk, c))
		lock_panic("deadlock: this hart already holds", lk);
	if (try_take(lk))
		note_holder(lk, c, at, from);
	else
		spin(lk, c, at, from);
}

void
release(struct spinlock *lk)
{
	struct cpu *c = mycpu();

	if (!held_by(lk, c))
		panic("release: lock %s is not held by this hart", lk->name);
	lockdep_released(c, lk);
	lk->cpu = NULL;
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
	interrupts_restore(c);
}

/* Does this hart hold lk?  Interrupts must be off. */
bool
holding(struct spinlock *lk)
{
	return held_by(lk, mycpu());
}

void
assert_holding(struct spinlock *lk)
{
	if (!holding(lk))
		panic("lock %s is not held by this hart, but must be here", lk->name);
}

/*
 * push_off/pop_off are intr_off/intr_on that nest: after two push_offs it
 * takes two pop_offs to undo them, and interrupts come back on only if
 * they were on before the first push_off.
 */
void
push_off(void)
{
	interrupts_off();
}

void
pop_off(void)
{
	interrupts_restore(mycpu());
}
