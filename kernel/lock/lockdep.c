/*
 * kernel/lock/lockdep.c: the lock-order checker (LOCKDEP builds only).
 *
 * Two harts deadlock when each holds a lock the other wants: one took A
 * and then asks for B, the other took B and then asks for A.  The deadlock
 * itself needs unlucky timing and may show once a month; the two orders
 * that make it possible show every time the code runs.  So the checker
 * watches the orders instead of waiting for the deadlock:
 *
 *   - each hart keeps the spinlocks it holds, in the order it took them
 *     (struct cpu's held[]), which also lets sleep() and sched() name a
 *     lock held where none may be;
 *   - when it takes lock L while holding H, the pair "H before L" is
 *     recorded, the first time it is seen, with where each was taken;
 *   - if "L before H" was recorded earlier, the two orders can deadlock:
 *     the checker prints both, with their call sites, and panics.
 *
 * Locks are grouped in classes by name (every pipe's lock is "pipe"): a
 * rule such as "the log's lock before the buffer cache's" is about
 * classes, and one pipe's lock taken before another's is not reported.
 * Only pairs are compared, which finds every two-lock inversion, the
 * classic case; a cycle through three classes goes unreported.  The pair
 * table has room for MAX_ORDERS pairs, plenty for rivet's locks.
 *
 * The checker must not take a spinlock itself (it runs inside acquire), so
 * a bare atomic flag guards the table; interrupts are already off.
 */
#ifdef LOCKDEP
#include "include/types.h"
#include "kernel/lock/lockdep.h"
#include "kernel/proc/proc.h"
#include "kernel/lib/ksym.h"
#include "kernel/lib/printf.h"

#define MAX_ORDERS 256

/* "first" was held when "then" was taken: where each was taken. */
struct order {
	const char *first, *then;
	uint64 first_at, then_at;
};

static struct {
	int busy;                        /* the flag that guards the rest */
	int n;
	struct order pairs[MAX_ORDERS];
} orders;

static struct order *
find(const char *first, const char *then)
{
	for (int i = 0; i < orders.n; i++)
		if (orders.pairs[i].first == first && orders.pairs[i].then == then)
			return &orders.pairs[i];
	return NULL;
}

/* The function a code address is in ("?" if none): for the report. */
static const char *
fn(uint64 pc)
{
	uint64 off;
	const char *name = ksym_lookup(pc, &off);

	return name ? name : "?";
}

static void __attribute__((noreturn))
report(struct spinlock *held, struct spinlock *lk, const struct order *old)
{
	panic("lock order: \"%s\" taken in %s while holding \"%s\" (taken in %s),\n"
	      "but earlier \"%s\" was taken in %s while holding \"%s\" (taken in %s):\n"
	      "two harts taking them in these two orders can deadlock",
	      lk->name, fn(lk->taken_at[0]), held->name, fn(held->taken_at[0]),
	      old->then, fn(old->then_at), old->first, fn(old->first_at));
}

/* Record "held before lk"; report if "lk before held" was seen. */
static void
check_pair(struct spinlock *held, struct spinlock *lk)
{
	const struct order *reverse;
	struct order copy;

	while (__atomic_exchange_n(&orders.busy, 1, __ATOMIC_ACQUIRE) != 0)
		;
	reverse = find(lk->name, held->name);
	if (reverse != NULL) {
		copy = *reverse;
		__atomic_store_n(&orders.busy, 0, __ATOMIC_RELEASE);
		report(held, lk, &copy);
	}
	if (find(held->name, lk->name) == NULL && orders.n < MAX_ORDERS)
		orders.pairs[orders.n++] = (struct order){
			held->name, lk->name, held->taken_at[0], lk->taken_at[0] };
	__atomic_store_n(&orders.busy, 0, __ATOMIC_RELEASE);
}

void
lockdep_acquired(struct cpu *c, struct spinlock *lk)
{
	for (int i = 0; i < c->nheld; i++)
		if (c->held[i]->name != lk->name)
			check_pair(c->held[i], lk);
	if (c->nheld == NHELD)
		lock_panic("lockdep: a hart holds more than NHELD spinlocks, the last",
			   lk);
	c->held[c->nheld++] = lk;
}

void
lockdep_released(struct cpu *c, struct spinlock *lk)
{
	int i = c->nheld - 1;

	while (i >= 0 && c->held[i] != lk)
		i--;
	if (i < 0)
		lock_panic("lockdep: released but not listed as held:", lk);
	for (; i < c->nheld - 1; i++)
		c->held[i] = c->held[i + 1];
	c->nheld--;
}

struct spinlock *
lockdep_other_held(struct cpu *c, struct spinlock *lk)
{
	for (int i = 0; i < c->nheld; i++)
		if (c->held[i] != lk)
			return c->held[i];
	return NULL;
}
#endif
