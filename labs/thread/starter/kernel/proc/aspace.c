/*
 * kernel/proc/aspace.c: user address spaces, shared by the threads of a
 * process.  The design, the trapframe slots and the lock rules are in
 * kernel/proc/aspace.h.
 *
 * The structs come from a table of NPROC (a process has at least one
 * thread, so there are never more address spaces than slots in the
 * process table), kept on a free list under aspace_pool_lock.
 */
#include "kernel/proc/aspace.h"
#include "kernel/mem/vm.h"
#include "kernel/lib/printf.h"
#include "include/param.h"
#include "include/errno.h"

static struct aspace aspaces[NPROC];
static struct spinlock aspace_pool_lock;
static struct aspace *aspace_free;        /* [aspace_pool_lock] */

void
aspace_init(void)
{
	initlock(&aspace_pool_lock, "aspace pool");
	for (int i = NPROC - 1; i >= 0; i--) {
		initlock(&aspaces[i].lock, "aspace");
		aspaces[i].next_free = aspace_free;
		aspace_free = &aspaces[i];
	}
}

static struct aspace *
pool_take(void)
{
	struct aspace *as;

	acquire(&aspace_pool_lock);
	if ((as = aspace_free) != NULL)
		aspace_free = as->next_free;
	release(&aspace_pool_lock);
	return as;
}

static void
pool_give(struct aspace *as)
{
	acquire(&aspace_pool_lock);
	as->next_free = aspace_free;
	aspace_free = as;
	release(&aspace_pool_lock);
}

struct aspace *
aspace_create(void)
{
	struct aspace *as = pool_take();
	extern char trampoline[];

	if (as == NULL)
		panic("aspace_create: more address spaces than processes");
	if ((as->pagetable = uvmcreate()) == NULL)
		goto out_give;
	if (mappages(as->pagetable, TRAMPOLINE, PGSIZE, (uint64)trampoline,
		     PTE_R | PTE_X) != 0)
		goto out_free_pagetable;
	as->refs = 1;
	as->sz = 0;
	as->heap_start = 0;
	as->slots = 0;
	return as;

out_free_pagetable:
	uvmfree(as->pagetable, 0);
out_give:
	pool_give(as);
	return NULL;
}

struct aspace *
aspace_share(struct aspace *as)
{
	acquire(&as->lock);
	as->refs++;
	release(&as->lock);
	return as;
}

void
aspace_put(struct aspace *as)
{
	bool last;

	acquire(&as->lock);
	if (as->slots != 0 && as->refs == 1)
		panic("aspace_put: the last thread left a trapframe mapped");
	last = --as->refs == 0;
	release(&as->lock);
	if (!last)
		return;
	uvmfree(as->pagetable, as->sz);    /* nobody else can reach it now */
	as->pagetable = NULL;
	pool_give(as);
}

bool
aspace_shared(struct aspace *as)
{
	bool shared;

	acquire(&as->lock);
	shared = as->refs > 1;
	release(&as->lock);
	return shared;
}

int
aspace_map_trapframe(struct aspace *as, struct trapframe *tf, uint64 *va)
{
	int slot, err;

	acquire(&as->lock);
	for (slot = 0; slot < ASPACE_THREADS; slot++)
		if ((as->slots & (1u << slot)) == 0)
			break;
	if (slot == ASPACE_THREADS) {
		release(&as->lock);
		return -EAGAIN;
	}
	err = mappages(as->pagetable, TRAPFRAME_SLOT(slot), PGSIZE, (uint64)tf,
		       PTE_R | PTE_W);
	if (err == 0) {
		as->slots |= 1u << slot;
		*va = TRAPFRAME_SLOT(slot);
	}
	release(&as->lock);
	return err == 0 ? 0 : -ENOMEM;
}

void
aspace_unmap_trapframe(struct aspace *as, uint64 va)
{
	int slot = (TRAPFRAME - va) / PGSIZE;
	pte_t *pte;

	acquire(&as->lock);
	if (va > TRAPFRAME || slot >= ASPACE_THREADS ||
	    (as->slots & (1u << slot)) == 0 ||
	    (pte = walk(as->pagetable, va, false)) == NULL)
		panic("aspace_unmap_trapframe: no trapframe mapped at %p",
		      (void *)va);
	*pte = 0;        /* the table page stays until the space is freed */
	as->slots &= ~(1u << slot);
	release(&as->lock);
}
