/*
 * user/lib/malloc.c: malloc, free, calloc and realloc, over sbrk.
 *
 * The heap is memory obtained from sbrk, cut into blocks that lie end to
 * end.  Every block begins with a 16-byte header:
 *
 *     block                payload (what malloc returns)
 *     v                    v
 *     +---------+----------+-----------------------------+
 *     | size    | next     | size - HEADER bytes          |
 *     +---------+----------+-----------------------------+
 *
 * size counts the whole block, header included, and is a multiple of
 * ALIGN (16).  Blocks start on ALIGN boundaries, so payloads are ALIGN-
 * aligned too.  next links the block into the free list while it is free
 * and means nothing while it is allocated.
 *
 * Invariants of free_list:
 *   - it holds exactly the free blocks, sorted by address, NULL-ended;
 *   - no block on it ends where the next one begins (free merges such
 *     neighbours, so the list never holds two touching pieces).
 * An allocated block is on no list.
 *
 * malloc takes the first free block that is big enough (first fit).  If
 * the rest of that block could still be a block of its own, it cuts the
 * allocation from the block's high end, so the remainder stays where it
 * is on the list; otherwise it hands out the whole block.  When nothing
 * fits, it grows the heap with sbrk by at least HEAP_GROW bytes and frees
 * the new memory into the list, where it merges with a free block that
 * ended at the old break, and looks again.
 *
 * free puts the block back in address order and merges it with the
 * neighbours it touches.  Memory is never returned to the kernel.
 *
 * User processes have a single thread, so there is no locking.
 */
#include "user/user.h"

#define ALIGN      16                     /* payload alignment, bytes */
#define HEADER     sizeof(struct block)   /* bytes before each payload */
#define MIN_BLOCK  (HEADER + ALIGN)       /* smallest block worth keeping */
#define HEAP_GROW  (16 * 1024)            /* least sbrk growth, bytes */

/*
 * Largest request.  sbrk takes an int; the slack covers the header, the
 * rounding up to ALIGN and the padding that aligns the break.
 */
#define MALLOC_MAX ((size_t)INT32_MAX - 4 * ALIGN)

struct block {
	size_t size;            /* whole block in bytes, a multiple of ALIGN */
	struct block *next;     /* next free block by address; free only */
};

_Static_assert(sizeof(struct block) == ALIGN,
	       "the header must keep payloads ALIGN-aligned");

static struct block *free_list;   /* free blocks, by address */

static size_t
round_up(size_t n, size_t to)
{
	return (n + to - 1) & ~(to - 1);
}

static void *
payload(struct block *b)
{
	return (char *)b + HEADER;
}

static struct block *
header_of(void *p)
{
	return (struct block *)((char *)p - HEADER);
}

static char *
block_end(struct block *b)
{
	return (char *)b + b->size;
}

/* The block size that holds an n-byte payload; n <= MALLOC_MAX. */
static size_t
block_size_for(size_t n)
{
	return HEADER + round_up(n == 0 ? 1 : n, ALIGN);
}

/*
 * Put b on the free list in address order and merge it with the
 * neighbours it touches.  b must not overlap any block on the list.
 */
static void
insert_free(struct block *b)
{
	struct block *prev = NULL, *next = free_list;

	while (next != NULL && next < b) {
		prev = next;
		next = next->next;
	}

	b->next = next;
	if (prev != NULL)
		prev->next = b;
	else
		free_list = b;

	if (next != NULL && block_end(b) == (char *)next) {
		b->size += next->size;
		b->next = next->next;
	}
	if (prev != NULL && block_end(prev) == (char *)b) {
		prev->size += b->size;
		prev->next = b->next;
	}
}

/*
 * Take a block of exactly size bytes (or a little more, when the rest
 * would be too small to keep) off the free list; NULL if none is big
 * enough.
 */
static struct block *
take_free(size_t size)
{
	for (struct block **link = &free_list; *link != NULL;
	     link = &(*link)->next) {
		struct block *b = *link;
		struct block *cut;

		if (b->size < size)
			continue;
		if (b->size - size < MIN_BLOCK) {
			*link = b->next;
			return b;
		}
		b->size -= size;
		cut = (struct block *)block_end(b);
		cut->size = size;
		return cut;
	}
	return NULL;
}

/*
 * Grow the heap by at least size bytes, a result of block_size_for (so the
 * request still fits sbrk's int), and free the new memory into the list.
 * Returns false, with errno set by sbrk, if the kernel has no more memory.
 */
static bool
grow_heap(size_t size)
{
	size_t want = size < HEAP_GROW ? HEAP_GROW : size;
	char *brk = sbrk(0);
	size_t pad;
	char *p;
	struct block *b;

	if (brk == (char *)-1)
		return false;
	pad = -(uintptr_t)brk & (ALIGN - 1);
	p = sbrk(pad + want);
	if (p == (char *)-1)
		return false;

	b = (struct block *)(p + pad);
	b->size = want;
	insert_free(b);
	return true;
}

/*
 * n bytes aligned to ALIGN, or NULL with errno ENOMEM.  malloc(0) returns
 * a distinct pointer that may be passed to free.
 */
void *
malloc(size_t n)
{
	size_t size;
	struct block *b;

	if (n > MALLOC_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	size = block_size_for(n);
	b = take_free(size);
	if (b == NULL) {
		if (!grow_heap(size))
			return NULL;
		b = take_free(size);
	}
	return payload(b);
}

/* p must be NULL or a pointer from malloc, calloc or realloc. */
void
free(void *p)
{
	if (p == NULL)
		return;
	insert_free(header_of(p));
}

/* count * size zeroed bytes; NULL with errno ENOMEM if that overflows. */
void *
calloc(size_t count, size_t size)
{
	void *p;

	if (size != 0 && count > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	p = malloc(count * size);
	if (p != NULL)
		memset(p, 0, count * size);
	return p;
}

/*
 * Resize p's allocation to n bytes, keeping its contents up to the smaller
 * size.  realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns
 * NULL.  A block that already holds n bytes is returned as it is.  On
 * failure p is left untouched and NULL is returned with errno ENOMEM.
 */
void *
realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (p == NULL)
		return malloc(n);
	if (n == 0) {
		free(p);
		return NULL;
	}
	old = header_of(p)->size - HEADER;
	if (n <= old)
		return p;

	q = malloc(n);
	if (q == NULL)
		return NULL;
	memcpy(q, p, old);
	free(p);
	return q;
}
