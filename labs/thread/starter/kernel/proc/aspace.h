/*
 * kernel/proc/aspace.h: a user address space, which the threads of one
 * process share.
 *
 * The page table, the top of user memory (sz) and the heap's start belong
 * to the address space, not to a thread: when one thread grows the heap,
 * the others must see the new sz at once, or their first touch of it
 * would be refused as a fault.  So they live here, and a struct proc
 * points to its address space (p->as).  fork and exec make a new one;
 * thread_create shares the creator's (aspace_share).  A thread lets go of
 * it when its slot is freed (aspace_put), and the last one frees the page
 * table and every page it maps.
 *
 * Trapframes.  Each thread needs a trapframe of its own, and uservec must
 * find it through the user page table it trapped with, which all the
 * threads share.  So the top pages below the trampoline are trapframe
 * slots, one per thread: slot i, at TRAPFRAME_SLOT(i), maps the trapframe
 * of the thread that holds it (slot 0 is TRAPFRAME, a lone process's).  A
 * thread keeps its slot's address in p->trapframe_va; usertrapret hands it
 * to userret, which leaves it in sscratch for the next uservec
 * (kernel/riscv/trampoline.S).  The heap ends below the lowest slot
 * (ASPACE_TOP).
 *
 * Locking.  as->lock guards refs, sz, the slot map, and the user mappings
 * of the page table, which growproc, uvm_fault, fork's copy and the copy
 * functions read and change.  It is a spinlock held briefly: nothing under
 * it sleeps.  Lock order: as->lock before the allocator's lock; never
 * take it holding proc_lock.  pagetable and heap_start are set before the
 * address space is shared and never change after.
 */
#ifndef KERNEL_PROC_ASPACE_H
#define KERNEL_PROC_ASPACE_H

#include "include/types.h"
#include "include/addrspace.h"
#include "kernel/riscv/machine.h"
#include "kernel/lock/spinlock.h"

#define ASPACE_THREADS 16     /* threads one address space can hold */

/* The user address of trapframe slot i. */
#define TRAPFRAME_SLOT(i)  (TRAPFRAME - (uint64)(i) * PGSIZE)
/* The heap may grow up to here: the lowest trapframe slot. */
#define ASPACE_TOP  TRAPFRAME_SLOT(ASPACE_THREADS - 1)

struct trapframe;

struct aspace {
	struct spinlock lock;
	int refs;                 /* [lock] threads using it */
	uint64 sz;                /* [lock] top of user memory: the heap's end */
	uint16 slots;             /* [lock] bit i: trapframe slot i is mapped */
	uint64 heap_start;        /* where the heap begins (sbrk can't go below) */
	pagetable_t pagetable;    /* user mappings: [lock] */
	struct aspace *next_free; /* on the free list, when refs is 0 */
};

_Static_assert(ASPACE_THREADS <= 16, "aspace: slots is a 16-bit map");

void aspace_init(void);

/* A new address space with the trampoline mapped and nothing else; refs 1.
 * NULL when out of memory. */
struct aspace *aspace_create(void);

/* Take another reference to as, for a new thread. */
struct aspace *aspace_share(struct aspace *as);

/* Drop a reference; the last one frees the page table and user memory.
 * The caller's trapframe slot must already be unmapped. */
void aspace_put(struct aspace *as);

/* Map trapframe tf in a free slot of as and set *va to its address.
 * 0, -EAGAIN (every slot taken: too many threads) or -ENOMEM. */
int aspace_map_trapframe(struct aspace *as, struct trapframe *tf, uint64 *va);

/* Unmap the trapframe slot at va (the page itself is the thread's). */
void aspace_unmap_trapframe(struct aspace *as, uint64 va);

/* Is the address space used by more than one thread? */
bool aspace_shared(struct aspace *as);

#endif /* KERNEL_PROC_ASPACE_H */
