/*
 * kernel/mem/buddy.c: the buddy algorithm (see kernel/mem/buddy.h for the API and
 * kernel/mem/kalloc.c for the picture of a split).
 *
 * Pages are numbered from the zone base, and a block of order k always
 * starts at a page index that is a multiple of 2^k.  Its buddy is the other
 * half of the order k+1 block the two would form, found by flipping bit k
 * of the index: the buddy of index i at order k is i ^ 2^k.  The lower of
 * the two, i & ~2^k, starts the merged block.
 *
 * Each page has one byte of state in zone->meta:
 *
 *   META_FREE | k   the first page of a free block of order k, on free[k]
 *   META_USED | k   the first page of a block of order k that is allocated
 *   META_TAIL       any later page of a block, free or allocated
 *   META_RESERVED   never released to the zone (a hole, or not yet given)
 *
 * Only first pages change state on the common paths: a split writes the
 * first page of the upper half, a merge marks the upper half's first page
 * as a tail.  So allocating or freeing a block never touches the bytes of
 * its other pages, and buddy_free can still tell a legal free (a
 * META_USED byte of the right order) from a double free, a free of the
 * wrong order, or a free of a page inside some block.
 */
#include "kernel/mem/buddy.h"

#define META_ORDER    0x0f   /* the order, in a first page's byte */
#define META_FREE     0x10
#define META_USED     0x20
#define META_TAIL     0x40
#define META_RESERVED 0x80

_Static_assert(BUDDY_MAX_ORDER <= META_ORDER, "the order must fit in META_ORDER");

static struct buddy_link *
link_of(const struct buddy_zone *z, uint64 idx)
{
	return (struct buddy_link *)(uintptr_t)(z->base + (idx << BUDDY_PAGE_SHIFT));
}

static uint64
index_of(const struct buddy_zone *z, uint64 addr)
{
	return (addr - z->base) >> BUDDY_PAGE_SHIFT;
}

/* Put the block at page idx on free[order], at the front: the block freed
 * last is the one allocated next, while its cache lines are still warm. */
static void
push_free(struct buddy_zone *z, uint64 idx, int order)
{
	struct buddy_link *head = &z->free[order];
	struct buddy_link *b = link_of(z, idx);

	b->next = head->next;
	b->prev = head;
	head->next->prev = b;
	head->next = b;
	z->meta[idx] = META_FREE | order;
	z->nblocks[order]++;
}

/* Take the block at page idx off free[order]; the caller rewrites its byte. */
static void
unlink_free(struct buddy_zone *z, uint64 idx, int order)
{
	struct buddy_link *b = link_of(z, idx);

	b->prev->next = b->next;
	b->next->prev = b->prev;
	z->nblocks[order]--;
}

/*
 * The block of 2^order pages at idx has just become free (its byte is not
 * META_FREE).  Merge it with its buddy for as long as the buddy lies in
 * the zone and is a whole free block of the same order, then list it.
 */
static void
release_block(struct buddy_zone *z, uint64 idx, int order)
{
	z->free_pages += (uint64)1 << order;
	while (order < BUDDY_MAX_ORDER) {
		uint64 size = (uint64)1 << order;
		uint64 buddy = idx ^ size;

		if (buddy + size > z->npages || z->meta[buddy] != (META_FREE | order))
			break;
		unlink_free(z, buddy, order);
		z->meta[idx | size] = META_TAIL;
		idx &= ~size;
		order++;
	}
	push_free(z, idx, order);
}

void
buddy_init(struct buddy_zone *z, uint64 base, uint64 npages, uint8 *meta)
{
	z->base = base;
	z->npages = npages;
	z->meta = meta;
	for (int k = 0; k <= BUDDY_MAX_ORDER; k++) {
		z->free[k].next = z->free[k].prev = &z->free[k];
		z->nblocks[k] = 0;
	}
	z->free_pages = 0;
	z->released_pages = 0;
	for (uint64 i = 0; i < npages; i++)
		meta[i] = META_RESERVED;
}

bool
buddy_contains(const struct buddy_zone *z, uint64 addr, int order)
{
	uint64 size, off;

	if (order < 0 || order > BUDDY_MAX_ORDER || addr < z->base)
		return false;
	size = (uint64)1 << order;
	off = addr - z->base;
	if (off & ((size << BUDDY_PAGE_SHIFT) - 1))
		return false;
	return off >> BUDDY_PAGE_SHIFT < z->npages &&
	       size <= z->npages - (off >> BUDDY_PAGE_SHIFT);
}

/* The largest order of an aligned block at page idx that ends by page end. */
static int
fitting_order(uint64 idx, uint64 end)
{
	int k = 0;

	while (k < BUDDY_MAX_ORDER) {
		uint64 bigger = (uint64)1 << (k + 1);

		if ((idx & (bigger - 1)) != 0 || idx + bigger > end)
			break;
		k++;
	}
	return k;
}

bool
buddy_free_range(struct buddy_zone *z, uint64 start, uint64 end)
{
	uint64 first, last;

	if (start > end || ((start | end) & (BUDDY_PAGE_SIZE - 1)) != 0)
		return false;
	if (start == end)
		return true;
	if (!buddy_contains(z, start, 0) || !buddy_contains(z, end - BUDDY_PAGE_SIZE, 0))
		return false;
	first = index_of(z, start);
	last = index_of(z, end);
	for (uint64 i = first; i < last; i++)
		if (z->meta[i] != META_RESERVED)
			return false;

	for (uint64 i = first; i < last; ) {
		int k = fitting_order(i, last);
		uint64 size = (uint64)1 << k;

		for (uint64 t = i + 1; t < i + size; t++)
			z->meta[t] = META_TAIL;
		release_block(z, i, k);
		i += size;
	}
	z->released_pages += last - first;
	return true;
}

/*
 * Take the first free block of the smallest order that is large enough;
 * while it is bigger than asked for, split it and list the upper half.
 * A single page with a page on free[0] costs one list pop.
 */
uint64
buddy_alloc(struct buddy_zone *z, int order)
{
	struct buddy_link *b;
	uint64 idx;
	int k;

	if (order < 0 || order > BUDDY_MAX_ORDER)
		return 0;
	for (k = order; k <= BUDDY_MAX_ORDER; k++)
		if (z->free[k].next != &z->free[k])
			break;
	if (k > BUDDY_MAX_ORDER)
		return 0;

	b = z->free[k].next;
	idx = index_of(z, (uint64)(uintptr_t)b);
	unlink_free(z, idx, k);
	while (k > order) {
		k--;
		push_free(z, idx + ((uint64)1 << k), k);
	}
	z->meta[idx] = META_USED | order;
	z->free_pages -= (uint64)1 << order;
	return (uint64)(uintptr_t)b;
}

bool
buddy_free(struct buddy_zone *z, uint64 addr, int order)
{
	uint64 idx;

	if (!buddy_contains(z, addr, order))
		return false;
	idx = index_of(z, addr);
	if (z->meta[idx] != (META_USED | order))
		return false;

	release_block(z, idx, order);
	return true;
}
