/*
 * kernel/mem/buddy.h: the buddy algorithm behind the page allocator, on its own.
 *
 * A zone is a run of npages pages starting at a page-aligned base address.
 * It hands out blocks of 2^order pages (order 0..BUDDY_MAX_ORDER), each
 * aligned to its own size counted from the base.  Nothing here knows about
 * locks, panics or the kernel: kernel/mem/kalloc.c adds those, and the host
 * unit tests (kernel/mem/buddy_test.c) drive this code directly.
 *
 * The zone keeps its bookkeeping in two places:
 *   - a free list per order, doubly linked through the first bytes of the
 *     free blocks themselves, so a block can be unlinked in O(1) when its
 *     buddy is freed and the two merge;
 *   - one byte per page in an array the caller provides (npages bytes),
 *     saying whether the page starts a free block, starts an allocated
 *     block, lies inside a block, or was never released to the zone.
 *     That byte is what lets buddy_free refuse a double free.
 *
 * Locking: a zone has no lock.  The caller makes every call on one zone
 * mutually exclusive, except buddy_contains, which reads only fields that
 * never change after buddy_init.
 */
#ifndef KERNEL_MEM_BUDDY_H
#define KERNEL_MEM_BUDDY_H

#include "include/types.h"

#define BUDDY_PAGE_SHIFT 12                          /* 4096-byte pages */
#define BUDDY_PAGE_SIZE  ((uint64)1 << BUDDY_PAGE_SHIFT)
#define BUDDY_MAX_ORDER  10                          /* largest block: 1024 pages */

/* A free list node; it lives in the first bytes of a free block. */
struct buddy_link {
	struct buddy_link *next;
	struct buddy_link *prev;
};

/*
 * Callers may read the counters; only buddy.c writes any field.  The free
 * lists are circular with the array entry as sentinel, so a zone must not
 * be copied or moved after buddy_init.
 */
struct buddy_zone {
	uint64 base;                                /* address of page 0 */
	uint64 npages;                              /* pages in the zone */
	uint8 *meta;                                /* npages bytes, one a page */
	struct buddy_link free[BUDDY_MAX_ORDER + 1];  /* free blocks, by order */
	uint64 nblocks[BUDDY_MAX_ORDER + 1];        /* length of each free list */
	uint64 free_pages;                          /* pages in free blocks */
	uint64 released_pages;                      /* pages given by buddy_free_range */
};

/* Set up zone over npages pages from base (page-aligned, not 0), using
 * meta[0..npages-1].  Every page starts out unreleased: nothing is free. */
void buddy_init(struct buddy_zone *zone, uint64 base, uint64 npages, uint8 *meta);

/* Hand the pages of [start, end) to the zone, largest aligned blocks first.
 * false, changing nothing, if the range is misaligned, leaves the zone or
 * holds a page released before. */
bool buddy_free_range(struct buddy_zone *zone, uint64 start, uint64 end);

/* A block of 2^order pages, or 0 if no free block is large enough. */
uint64 buddy_alloc(struct buddy_zone *zone, int order);

/* Give back the block of 2^order pages at addr, merging it with free
 * buddies.  false, changing nothing, unless addr is exactly a block that
 * buddy_alloc returned for this order and that is not yet freed. */
bool buddy_free(struct buddy_zone *zone, uint64 addr, int order);

/* Is [addr, addr + 2^order pages) inside the zone and aligned for order?
 * Says nothing about whether the block is allocated; needs no lock. */
bool buddy_contains(const struct buddy_zone *zone, uint64 addr, int order);

#endif /* KERNEL_MEM_BUDDY_H */
