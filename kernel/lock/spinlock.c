/*
 * kernel/lock/spinlock.c: spinlocks, and the interrupt-disabling they rely on.
 *
 * acquire() spins on an atomic swap until it sets `locked` from 0 to 1.
 * The swap has acquire ordering and the release store has release
 * ordering, so everything written inside a critical section is visible to
 * the next holder.  Interrupts stay off on this hart while it holds any
 * spinlock: otherwise an interrupt handler that wanted the same lock would
 * spin forever on the hart that holds it.
 */
#include "kernel/lock/spinlock.h"
#include "kernel/proc/proc.h"
#include "kernel/lib/printf.h"
#include "kernel/riscv/machine.h"

void
initlock(struct spinlock *lk, const char *name)
{
	lk->name = name;
	lk->locked = 0;
	lk->cpu = NULL;
}

void
acquire(struct spinlock *lk)
{
	push_off();
	if (holding(lk))
		panic("acquire: this hart already holds lock %s", lk->name);
	while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) != 0)
		;
	lk->cpu = mycpu();
}

void
release(struct spinlock *lk)
{
	if (!holding(lk))
		panic("release: lock %s is not held by this hart", lk->name);
	lk->cpu = NULL;
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
	pop_off();
}

/* Does this hart hold lk?  Interrupts must be off. */
bool
holding(struct spinlock *lk)
{
	return lk->locked && lk->cpu == mycpu();
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
	bool was_enabled = intr_get();
	struct cpu *c;

	intr_off();
	c = mycpu();
	if (c->noff == 0)
		c->intena = was_enabled;
	c->noff++;
}

void
pop_off(void)
{
	struct cpu *c = mycpu();

	if (intr_get())
		panic("pop_off: interrupts are enabled");
	if (c->noff < 1)
		panic("pop_off: not pushed");
	c->noff--;
	if (c->noff == 0 && c->intena)
		intr_on();
}
