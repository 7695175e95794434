/*
 * kernel/lock/lockstat.c: lock statistics, one row per lock name.
 *
 * Every spinlock points to the class of its name (struct lock_class),
 * found or made by initlock(), or by the first acquire() of a lock that
 * was set up without initlock().  acquire() adds 1 to the class's
 * acquisitions; when its first try finds the lock held, it also counts a
 * contended acquisition and, once it has the lock, the failed tries.
 *
 * The cost, on every acquisition: one relaxed atomic add (an amoadd) to a
 * counter outside the lock's own cache line.  Locks of one name may be
 * held by several harts at once (two pipes' locks), so a plain increment
 * could lose counts; no order is needed, only that no add is lost.  A
 * lock that is free on the first try pays nothing more, so the counts
 * can stay on in every build.  The contended path adds twice more, while
 * it waited anyway.
 *
 * The class table only grows.  A new class is filled in, then published
 * by a release store of nclasses; readers load nclasses with acquire
 * ordering and read only the classes below it, so they never take the
 * table's flag.  Making a class takes the flag, a bare atomic word (a
 * spinlock here would count itself while being made).
 */
#include "kernel/lock/lockstat.h"
#include "kernel/lock/spinlock.h"
#include "kernel/proc/proc.h"
#include "kernel/mem/vm.h"
#include "include/lockstat.h"
#include "include/string.h"
#include "include/errno.h"

#define MAX_LOCK_CLASSES 48   /* rivet has about 16 lock names */

static struct {
	int busy;                 /* the flag that guards making a class */
	int nclasses;             /* published classes: read with acquire */
	struct lock_class classes[MAX_LOCK_CLASSES];
	struct lock_class other;  /* names beyond the table share this row */
	bool other_used;          /* ... which is reported once it has one */
} table = { .other = { .name = "(other)" } };

static int
published(void)
{
	return __atomic_load_n(&table.nclasses, __ATOMIC_ACQUIRE);
}

/* The published class named name, or NULL. */
static struct lock_class *
find_class(const char *name)
{
	int n = published();

	for (int i = 0; i < n; i++)
		if (strcmp(table.classes[i].name, name) == 0)
			return &table.classes[i];
	return NULL;
}

/* Make the class of name, unless another hart just did.  Holds the flag. */
static struct lock_class *
make_class(const char *name)
{
	struct lock_class *c = find_class(name);

	if (c != NULL)
		return c;
	if (table.nclasses == MAX_LOCK_CLASSES) {
		__atomic_store_n(&table.other_used, true, __ATOMIC_RELAXED);
		return &table.other;
	}
	c = &table.classes[table.nclasses];
	c->name = name;
	__atomic_store_n(&table.nclasses, table.nclasses + 1, __ATOMIC_RELEASE);
	return c;
}

struct lock_class *
lockstat_class(const char *name)
{
	struct lock_class *c = find_class(name);

	if (c != NULL)
		return c;
	push_off();
	while (__atomic_exchange_n(&table.busy, 1, __ATOMIC_ACQUIRE) != 0)
		;
	c = make_class(name);
	__atomic_store_n(&table.busy, 0, __ATOMIC_RELEASE);
	pop_off();
	return c;
}

/* Class c as a row of include/lockstat.h, every byte set. */
static void
read_row(const struct lock_class *c, struct lockstat *row)
{
	memset(row, 0, sizeof(*row));
	safestrcpy(row->name, c->name, sizeof(row->name));
	row->acquires = __atomic_load_n(&c->acquires, __ATOMIC_RELAXED);
	row->contended = __atomic_load_n(&c->contended, __ATOMIC_RELAXED);
	row->spins = __atomic_load_n(&c->spins, __ATOMIC_RELAXED);
}

/* The class of row i (the published classes, then "(other)" if used). */
static const struct lock_class *
row_class(int i, int nclasses)
{
	return i < nclasses ? &table.classes[i] : &table.other;
}

int
lockstat_copyout(uint64 dst, int n)
{
	int nclasses = published();
	bool other = __atomic_load_n(&table.other_used, __ATOMIC_RELAXED);
	int nrows = nclasses + (other ? 1 : 0);
	struct lockstat row;

	for (int i = 0; i < n && i < nrows; i++) {
		read_row(row_class(i, nclasses), &row);
		if (copyout(myproc()->pagetable, dst + i * sizeof(row), &row,
			    sizeof(row)) < 0)
			return -EFAULT;
	}
	return nrows;
}
