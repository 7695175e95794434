/*
 * kernel/mem/kalloc.c: the physical page allocator.
 *
 * Free memory is kept as blocks of 2^order pages.  Asking for a block
 * takes the smallest free block that is big enough and, while it is too
 * big, splits it in half and keeps the upper half free.  The two halves of
 * a split are "buddies".  Here a request for one page (order 0) finds only
 * a free 4-page block (order 2) at page 0:
 *
 *   order 2   [0           1           2           3          ]  free
 *                                  split
 *   order 1   [0           1          ][2           3          ]
 *              split                    listed free, order 1
 *   order 0   [0          ][1          ]
 *              handed out   listed free, order 0
 *
 * Freeing runs the same picture upwards: page 0 comes back, its buddy
 * page 1 is free, so they merge into an order 1 block at 0; that block's
 * buddy at 2 is free too, so they merge into the order 2 block again.
 * A block's buddy is found by arithmetic on its page number, and merging
 * stops at the first buddy that is missing, allocated, or split.  So long
 * stretches of memory come back together, and multi-page requests (kernel
 * stacks, big buffers) keep finding contiguous pages.
 *
 * The algorithm itself lives in kernel/mem/buddy.c, which knows nothing of the
 * kernel so the host unit tests can run it.  This file owns the one zone,
 * lays it out at boot and guards it with a lock.
 *
 * Layout at boot, for the memory [start, end) that main hands us:
 *
 *   start                     zone base                                 end
 *   | metadata: 1 byte a page | pages released | device tree | released |
 *                                              (never released)
 *
 * Junk, a debugging aid: in a CHECKS=1 build (-DKALLOC_JUNK; DEBUG=1 turns
 * CHECKS on) freed pages
 * are filled with FREED_JUNK, so a use after free reads nonsense instead
 * of stale data that looks right.  With -DKALLOC_DEBUG new pages are
 * filled with NEW_JUNK as well, to catch code that relies on fresh pages
 * being zero.  Both are off in a normal build, where the fill was over a
 * quarter of fork+exit: every caller zeroes or overwrites its page anyway
 * (user pages are zeroed by uvmalloc or copied whole), so no stale data
 * reaches a user.
 */
#include "include/types.h"
#include "include/string.h"
#include "kernel/riscv/machine.h"
#include "kernel/lock/spinlock.h"
#include "kernel/lib/printf.h"
#include "kernel/mem/buddy.h"
#include "kernel/mem/kalloc.h"

_Static_assert(BUDDY_PAGE_SIZE == PGSIZE, "buddy pages are hardware pages");
_Static_assert(BUDDY_MAX_ORDER == KALLOC_MAX_ORDER, "one largest order");

#define FREED_JUNK 0x05
#define NEW_JUNK   0x0a

#ifdef KALLOC_DEBUG
#define FILL_NEW_PAGES 1
#define FILL_FREED_PAGES 1
#elif defined(KALLOC_JUNK)
#define FILL_NEW_PAGES 0
#define FILL_FREED_PAGES 1
#else
#define FILL_NEW_PAGES 0
#define FILL_FREED_PAGES 0
#endif

/*
 * zone.base, zone.npages and zone.released_pages never change after
 * kalloc_init, so they are read without the lock (buddy_contains,
 * kalloc_total_pages).  The rest of the zone, the metadata bytes and the
 * pages of every free block (they hold the free lists) are guarded by lock.
 */
static struct {
	struct spinlock lock;
	struct buddy_zone zone;
} kmem;

/* Boot only: give [start, end) to the zone; it must not have been given. */
static void
release_range(uint64 start, uint64 end)
{
	if (!buddy_free_range(&kmem.zone, start, end))
		panic("kalloc_init: cannot release [%p, %p)", (void *)start, (void *)end);
}

void
kalloc_init(uint64 start, uint64 end, uint64 hole_start, uint64 hole_end)
{
	uint64 npages, base, hs, he;

	start = PGROUNDUP(start);
	end = PGROUNDDOWN(end);
	hs = PGROUNDDOWN(hole_start);
	he = PGROUNDUP(hole_end);
	npages = start < end ? (end - start) / PGSIZE : 0;
	base = start + PGROUNDUP(npages);
	if (base >= end)
		panic("kalloc_init: no memory in [%p, %p)", (void *)start, (void *)end);
	if (hs < he && hs < base && he > start)
		panic("kalloc_init: device tree [%p, %p) overlaps the page metadata",
		      (void *)hs, (void *)he);
	if (hs < base)
		hs = base;
	if (he > end)
		he = end;
	if (hs >= he)
		hs = he = end;

	initlock(&kmem.lock, "kmem");
	buddy_init(&kmem.zone, base, (end - base) / PGSIZE, (uint8 *)start);
	release_range(base, hs);
	release_range(he, end);
}

/* 2^order contiguous pages, or NULL when no free block is large enough. */
void *
kalloc_pages(int order)
{
	void *pa;

	acquire(&kmem.lock);
	pa = (void *)buddy_alloc(&kmem.zone, order);
	release(&kmem.lock);
	if (FILL_NEW_PAGES && pa)
		memset(pa, NEW_JUNK, PGSIZE << order);
	return pa;
}

void *
kalloc(void)
{
	return kalloc_pages(0);
}

/*
 * Free a block that kalloc_pages(order) returned.  The junk fill (in
 * DEBUG=1 builds) runs before the lock is taken, to keep the critical section short, and only
 * after buddy_contains has made sure it writes inside the zone.  A free
 * that is bad in any other way (double free, wrong order, a page inside a
 * block) is refused by buddy_free and panics; the junk already written
 * then lies on pages the caller did not own, but the system stops at once.
 */
void
kfree_pages(void *pa, int order)
{
	bool ok;

	if (!buddy_contains(&kmem.zone, (uint64)pa, order))
		panic("kfree_pages: %p (order %d) is outside the allocator or misaligned",
		      pa, order);
	if (FILL_FREED_PAGES)
		memset(pa, FREED_JUNK, PGSIZE << order);

	acquire(&kmem.lock);
	ok = buddy_free(&kmem.zone, (uint64)pa, order);
	release(&kmem.lock);
	if (!ok)
		panic("kfree_pages: %p (order %d) is not an allocated block "
		      "(double free or wrong order)", pa, order);
}

void
kfree(void *pa)
{
	kfree_pages(pa, 0);
}

uint64
kalloc_free_pages(void)
{
	uint64 n;

	acquire(&kmem.lock);
	n = kmem.zone.free_pages;
	release(&kmem.lock);
	return n;
}

/* Pages given to the allocator at boot: memory minus metadata and hole. */
uint64
kalloc_total_pages(void)
{
	return kmem.zone.released_pages;
}
