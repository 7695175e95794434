/*
 * kernel/mem/buddy_test.c: host unit tests for the buddy algorithm
 * (kernel/mem/buddy.c), run against ordinary host memory.
 *
 * Each test sets up a zone over memory from aligned_alloc, releases some
 * of it and checks what the allocator hands out.  check_zone() walks the
 * free lists after every interesting step and checks the invariants the
 * kernel relies on: list lengths and the free page count agree, free
 * blocks lie in the zone, are aligned and disjoint, and no two free
 * buddies of the same order are left unmerged.  The randomized test keeps
 * an ownership map of its own to prove that no page is handed out twice.
 */
#include <stdlib.h>
#include <string.h>
#include "include/unittest.h"
#include "kernel/mem/buddy.h"

#define PG        BUDDY_PAGE_SIZE
#define MAXBLOCK  ((uint64)1 << BUDDY_MAX_ORDER)          /* pages */
#define BIG_PAGES 2048                                    /* 8 MiB */

/* The zone under test.  Static: a zone must not move after buddy_init. */
static struct buddy_zone zone;
static void *zone_mem;
static uint8 *zone_meta;
static uint64 zone_base;

/*
 * A zone of npages pages whose base is `skew` pages past a 4 MiB boundary,
 * with nothing released yet.  The memory is big enough for the whole zone.
 */
static void
setup(uint64 npages, uint64 skew)
{
	uint64 align = MAXBLOCK * PG;
	uint64 bytes = ((npages + skew) * PG + align - 1) / align * align;

	zone_mem = aligned_alloc(align, bytes);
	zone_meta = malloc(npages ? npages : 1);
	if (zone_mem == NULL || zone_meta == NULL) {
		printf("buddy_test: out of host memory\n");
		exit(2);
	}
	zone_base = (uint64)(uintptr_t)zone_mem + skew * PG;
	buddy_init(&zone, zone_base, npages, zone_meta);
}

static void
teardown(void)
{
	free(zone_mem);
	free(zone_meta);
	zone_mem = NULL;
	zone_meta = NULL;
}

static uint64
page_addr(uint64 idx)
{
	return zone_base + idx * PG;
}

static uint64
page_index(uint64 addr)
{
	return (addr - zone_base) / PG;
}

/* Set up and release a whole zone. */
static void
setup_released(uint64 npages, uint64 skew)
{
	setup(npages, skew);
	if (!buddy_free_range(&zone, page_addr(0), page_addr(npages))) {
		printf("buddy_test: could not release the zone\n");
		exit(2);
	}
}

/*
 * Walk every free list and check the zone's invariants; returns the number
 * of violations found (each is also reported by EXPECT).
 */
static int
check_zone(void)
{
	int bad = 0;
	uint64 pages = 0;
	signed char *head_order = malloc(zone.npages ? zone.npages : 1);
	uint8 *covered = calloc(zone.npages ? zone.npages : 1, 1);

	memset(head_order, -1, zone.npages ? zone.npages : 1);
	for (int k = 0; k <= BUDDY_MAX_ORDER; k++) {
		uint64 n = 0;
		struct buddy_link *head = &zone.free[k];

		for (struct buddy_link *b = head->next; b != head; b = b->next) {
			uint64 addr = (uint64)(uintptr_t)b;
			uint64 idx = page_index(addr);

			n++;
			if (!buddy_contains(&zone, addr, k) || b->next->prev != b) {
				bad++;
				break;
			}
			head_order[idx] = k;
			for (uint64 p = idx; p < idx + ((uint64)1 << k); p++) {
				if (covered[p])
					bad++;
				covered[p] = 1;
			}
			if (n > zone.npages) {
				bad++;
				break;
			}
		}
		if (n != zone.nblocks[k])
			bad++;
		pages += n << k;
	}
	if (pages != zone.free_pages)
		bad++;
	for (uint64 idx = 0; idx < zone.npages; idx++) {
		int k = head_order[idx];
		uint64 size, buddy;

		if (k < 0 || k == BUDDY_MAX_ORDER)
			continue;
		size = (uint64)1 << k;
		buddy = idx ^ size;
		if (buddy + size <= zone.npages && head_order[buddy] == k)
			bad++;
	}
	free(head_order);
	free(covered);
	EXPECT_EQ(bad, 0);
	return bad;
}

/*
 * The free lists a fully free range [0, npages) must settle into: greedy
 * aligned blocks, largest first.  Fills expect[0..BUDDY_MAX_ORDER].
 */
static void
expected_blocks(uint64 npages, uint64 expect[])
{
	for (int k = 0; k <= BUDDY_MAX_ORDER; k++)
		expect[k] = 0;
	for (uint64 i = 0; i < npages; ) {
		int k = BUDDY_MAX_ORDER;

		while (i % ((uint64)1 << k) != 0 || i + ((uint64)1 << k) > npages)
			k--;
		expect[k]++;
		i += (uint64)1 << k;
	}
}

/* Does the zone hold exactly the fully coalesced blocks of [0, npages)? */
static void
expect_fully_free(uint64 npages)
{
	uint64 expect[BUDDY_MAX_ORDER + 1];

	expected_blocks(npages, expect);
	for (int k = 0; k <= BUDDY_MAX_ORDER; k++)
		EXPECT_EQ(zone.nblocks[k], expect[k]);
	EXPECT_EQ(zone.free_pages, npages);
	check_zone();
}

/* Allocate every single page; fills pages[] in order and returns the count. */
static uint64
alloc_all_single(uint64 *pages, uint64 max)
{
	uint64 n = 0, a;

	while (n < max && (a = buddy_alloc(&zone, 0)) != 0)
		pages[n++] = a;
	return n;
}

TEST(init_starts_with_nothing_free)
{
	setup(BIG_PAGES, 0);
	EXPECT_EQ(zone.free_pages, 0);
	EXPECT_EQ(zone.released_pages, 0);
	EXPECT_EQ(buddy_alloc(&zone, 0), 0);
	EXPECT(!buddy_free(&zone, page_addr(0), 0));
	check_zone();
	teardown();
}

TEST(release_makes_max_order_blocks)
{
	setup_released(BIG_PAGES, 0);
	EXPECT_EQ(zone.nblocks[BUDDY_MAX_ORDER], BIG_PAGES / MAXBLOCK);
	EXPECT_EQ(zone.released_pages, BIG_PAGES);
	expect_fully_free(BIG_PAGES);
	teardown();
}

TEST(split_lists_one_upper_half_per_order)
{
	uint64 a;

	setup_released(MAXBLOCK, 0);
	a = buddy_alloc(&zone, 0);
	EXPECT_EQ(a, page_addr(0));
	for (int k = 0; k < BUDDY_MAX_ORDER; k++)
		EXPECT_EQ(zone.nblocks[k], 1);
	EXPECT_EQ(zone.nblocks[BUDDY_MAX_ORDER], 0);
	EXPECT_EQ(zone.free_pages, MAXBLOCK - 1);
	check_zone();
	EXPECT(buddy_free(&zone, a, 0));
	expect_fully_free(MAXBLOCK);
	teardown();
}

TEST(all_single_pages_then_coalesce)
{
	static uint64 pages[BIG_PAGES + 1];
	uint8 seen[BIG_PAGES] = { 0 };
	uint64 n;

	setup_released(BIG_PAGES, 0);
	n = alloc_all_single(pages, BIG_PAGES + 1);
	EXPECT_EQ(n, BIG_PAGES);
	EXPECT_EQ(zone.free_pages, 0);
	for (uint64 i = 0; i < n; i++) {
		uint64 idx = page_index(pages[i]);

		EXPECT(pages[i] >= zone_base && idx < BIG_PAGES);
		EXPECT((pages[i] - zone_base) % PG == 0);
		if (idx < BIG_PAGES) {
			EXPECT(!seen[idx]);
			seen[idx] = 1;
		}
	}
	EXPECT_EQ(buddy_alloc(&zone, 0), 0);
	for (uint64 i = 0; i < n; i++)
		EXPECT(buddy_free(&zone, pages[i], 0));
	expect_fully_free(BIG_PAGES);
	teardown();
}

/* Free pages 0..n-1, one residue class mod stride at a time. */
static void
free_by_phase(uint64 n, uint64 stride, bool reverse_phases)
{
	for (uint64 p = 0; p < stride; p++) {
		uint64 phase = reverse_phases ? stride - 1 - p : p;

		for (uint64 i = phase; i < n; i += stride)
			EXPECT(buddy_free(&zone, page_addr(i), 0));
		check_zone();
	}
}

TEST(alternating_free_orders_coalesce)
{
	static uint64 pages[BIG_PAGES];
	uint64 n;

	setup_released(BIG_PAGES, 0);

	n = alloc_all_single(pages, BIG_PAGES);
	EXPECT_EQ(n, BIG_PAGES);
	free_by_phase(n, 2, false);      /* evens, then odds */
	expect_fully_free(BIG_PAGES);

	n = alloc_all_single(pages, BIG_PAGES);
	EXPECT_EQ(n, BIG_PAGES);
	free_by_phase(n, 2, true);       /* odds, then evens */
	expect_fully_free(BIG_PAGES);

	n = alloc_all_single(pages, BIG_PAGES);
	EXPECT_EQ(n, BIG_PAGES);
	free_by_phase(n, 7, false);      /* a stride that is no power of two */
	expect_fully_free(BIG_PAGES);

	n = alloc_all_single(pages, BIG_PAGES);
	EXPECT_EQ(n, BIG_PAGES);
	for (uint64 i = n; i-- > 0; )           /* highest address first */
		EXPECT(buddy_free(&zone, page_addr(i), 0));
	expect_fully_free(BIG_PAGES);
	teardown();
}

TEST(blocks_are_aligned_and_disjoint)
{
	static uint64 blocks[BIG_PAGES];

	for (int k = 0; k <= BUDDY_MAX_ORDER; k++) {
		uint8 owner[BIG_PAGES] = { 0 };
		uint64 size = (uint64)1 << k, n = 0, a;

		setup_released(BIG_PAGES, 0);
		while ((a = buddy_alloc(&zone, k)) != 0) {
			uint64 idx = page_index(a);

			EXPECT_EQ((a - zone_base) % (size * PG), 0);
			EXPECT(idx + size <= BIG_PAGES);
			for (uint64 p = idx; p < idx + size && p < BIG_PAGES; p++) {
				EXPECT(!owner[p]);
				owner[p] = 1;
			}
			blocks[n++] = a;
		}
		EXPECT_EQ(n, BIG_PAGES / size);
		EXPECT_EQ(zone.free_pages, 0);
		for (uint64 i = 0; i < n; i++)
			EXPECT(buddy_free(&zone, blocks[i], k));
		expect_fully_free(BIG_PAGES);
		teardown();
	}
}

TEST(mixed_orders_are_aligned_and_disjoint)
{
	uint8 owner[BIG_PAGES] = { 0 };
	uint64 addr[64];
	int order[64], n = 0;

	setup_released(BIG_PAGES, 0);
	for (int round = 0; round < 4; round++) {
		for (int k = BUDDY_MAX_ORDER - 2; k >= 0; k -= 3) {
			uint64 a = buddy_alloc(&zone, k);
			uint64 size = (uint64)1 << k, idx;

			EXPECT(a != 0);
			if (a == 0)
				continue;
			idx = page_index(a);
			EXPECT_EQ((a - zone_base) % (size * PG), 0);
			for (uint64 p = idx; p < idx + size; p++) {
				EXPECT(!owner[p]);
				owner[p] = 1;
			}
			addr[n] = a;
			order[n++] = k;
		}
		check_zone();
	}
	for (int i = 0; i < n; i++)
		EXPECT(buddy_free(&zone, addr[i], order[i]));
	expect_fully_free(BIG_PAGES);
	teardown();
}

TEST(exhaustion_returns_zero_and_recovers)
{
	uint64 a, b, c;

	setup_released(BIG_PAGES, 0);
	a = buddy_alloc(&zone, BUDDY_MAX_ORDER);
	b = buddy_alloc(&zone, BUDDY_MAX_ORDER);
	EXPECT(a != 0 && b != 0 && a != b);
	EXPECT_EQ(buddy_alloc(&zone, BUDDY_MAX_ORDER), 0);
	EXPECT_EQ(buddy_alloc(&zone, 0), 0);
	EXPECT_EQ(zone.free_pages, 0);

	EXPECT(buddy_free(&zone, b, BUDDY_MAX_ORDER));
	c = buddy_alloc(&zone, 0);
	EXPECT_EQ(c, b);
	EXPECT_EQ(zone.free_pages, MAXBLOCK - 1);
	EXPECT_EQ(buddy_alloc(&zone, BUDDY_MAX_ORDER), 0);
	EXPECT(buddy_free(&zone, c, 0));
	EXPECT_EQ(buddy_alloc(&zone, BUDDY_MAX_ORDER), b);
	EXPECT(buddy_free(&zone, a, BUDDY_MAX_ORDER));
	EXPECT(buddy_free(&zone, b, BUDDY_MAX_ORDER));
	expect_fully_free(BIG_PAGES);
	teardown();
}

TEST(order_out_of_range_is_refused)
{
	setup_released(BIG_PAGES, 0);
	EXPECT_EQ(buddy_alloc(&zone, -1), 0);
	EXPECT_EQ(buddy_alloc(&zone, BUDDY_MAX_ORDER + 1), 0);
	EXPECT(!buddy_free(&zone, page_addr(0), -1));
	EXPECT(!buddy_free(&zone, page_addr(0), BUDDY_MAX_ORDER + 1));
	expect_fully_free(BIG_PAGES);
	teardown();
}

TEST(counters_stay_exact)
{
	uint64 a[BUDDY_MAX_ORDER + 1];
	uint64 used = 0;

	setup_released(BIG_PAGES, 0);
	for (int k = 0; k <= BUDDY_MAX_ORDER; k++) {
		a[k] = buddy_alloc(&zone, k);
		EXPECT(a[k] != 0);
		used += (uint64)1 << k;
		EXPECT_EQ(zone.free_pages, BIG_PAGES - used);
		check_zone();
	}
	for (int k = 0; k <= BUDDY_MAX_ORDER; k += 2) {
		EXPECT(buddy_free(&zone, a[k], k));
		used -= (uint64)1 << k;
		EXPECT_EQ(zone.free_pages, BIG_PAGES - used);
		check_zone();
	}
	for (int k = 1; k <= BUDDY_MAX_ORDER; k += 2) {
		EXPECT(buddy_free(&zone, a[k], k));
		used -= (uint64)1 << k;
		EXPECT_EQ(zone.free_pages, BIG_PAGES - used);
		check_zone();
	}
	EXPECT_EQ(zone.released_pages, BIG_PAGES);
	expect_fully_free(BIG_PAGES);
	teardown();
}

TEST(odd_sizes_and_unaligned_bases)
{
	static const uint64 sizes[] = { 1, 3, 5, 1000, 1023, 1025, 1537, 3071 };
	static const uint64 skews[] = { 0, 1, 3, 517 };
	static uint64 pages[3071];

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (size_t w = 0; w < sizeof(skews) / sizeof(skews[0]); w++) {
			uint64 npages = sizes[s], n;

			setup_released(npages, skews[w]);
			expect_fully_free(npages);
			n = alloc_all_single(pages, npages);
			EXPECT_EQ(n, npages);
			EXPECT_EQ(buddy_alloc(&zone, 0), 0);
			for (uint64 i = 0; i < n; i += 2)
				EXPECT(buddy_free(&zone, pages[i], 0));
			for (uint64 i = 1; i < n; i += 2)
				EXPECT(buddy_free(&zone, pages[i], 0));
			expect_fully_free(npages);
			teardown();
		}
	}
}

TEST(blocks_never_cross_the_zone_end)
{
	uint64 a;

	setup_released(1000, 5);     /* 512 + 256 + 128 + 64 + 32 + 8 */
	EXPECT_EQ(buddy_alloc(&zone, BUDDY_MAX_ORDER), 0);
	a = buddy_alloc(&zone, 9);
	EXPECT_EQ(a, page_addr(0));
	EXPECT_EQ(buddy_alloc(&zone, 9), 0);
	EXPECT(buddy_free(&zone, a, 9));
	expect_fully_free(1000);
	teardown();
}

TEST(hole_is_never_handed_out)
{
	static uint64 pages[BIG_PAGES];
	const uint64 hole_start = 700, hole_end = 761;
	uint64 n;

	setup(BIG_PAGES, 0);
	EXPECT(buddy_free_range(&zone, page_addr(0), page_addr(hole_start)));
	EXPECT(buddy_free_range(&zone, page_addr(hole_end), page_addr(BIG_PAGES)));
	EXPECT_EQ(zone.released_pages, BIG_PAGES - (hole_end - hole_start));
	EXPECT_EQ(zone.free_pages, BIG_PAGES - (hole_end - hole_start));
	check_zone();

	n = alloc_all_single(pages, BIG_PAGES);
	EXPECT_EQ(n, BIG_PAGES - (hole_end - hole_start));
	for (uint64 i = 0; i < n; i++) {
		uint64 idx = page_index(pages[i]);

		EXPECT(idx < hole_start || idx >= hole_end);
	}
	EXPECT(!buddy_free(&zone, page_addr(hole_start), 0));
	EXPECT(!buddy_free(&zone, page_addr(hole_end - 1), 0));
	for (uint64 i = 0; i < n; i++)
		EXPECT(buddy_free(&zone, pages[i], 0));
	EXPECT_EQ(zone.free_pages, BIG_PAGES - (hole_end - hole_start));
	check_zone();

	/* Nothing larger than what fits beside the hole is ever made. */
	EXPECT_EQ(zone.nblocks[BUDDY_MAX_ORDER], 1);   /* pages 1024..2047 */
	EXPECT(buddy_alloc(&zone, BUDDY_MAX_ORDER) == page_addr(MAXBLOCK));
	EXPECT_EQ(buddy_alloc(&zone, BUDDY_MAX_ORDER), 0);
	EXPECT_EQ(buddy_alloc(&zone, BUDDY_MAX_ORDER - 1), page_addr(0));
	EXPECT_EQ(buddy_alloc(&zone, BUDDY_MAX_ORDER - 1), 0);
	teardown();
}

TEST(bad_ranges_are_refused)
{
	setup(BIG_PAGES, 0);
	EXPECT(!buddy_free_range(&zone, page_addr(0) + 1, page_addr(4)));
	EXPECT(!buddy_free_range(&zone, page_addr(0), page_addr(4) - 8));
	EXPECT(!buddy_free_range(&zone, page_addr(4), page_addr(2)));
	EXPECT(!buddy_free_range(&zone, page_addr(0) - PG, page_addr(4)));
	EXPECT(!buddy_free_range(&zone, page_addr(BIG_PAGES - 2), page_addr(BIG_PAGES + 1)));
	EXPECT(buddy_free_range(&zone, page_addr(5), page_addr(5)));
	EXPECT_EQ(zone.free_pages, 0);

	EXPECT(buddy_free_range(&zone, page_addr(10), page_addr(20)));
	EXPECT(!buddy_free_range(&zone, page_addr(10), page_addr(20)));
	EXPECT(!buddy_free_range(&zone, page_addr(0), page_addr(11)));
	EXPECT(!buddy_free_range(&zone, page_addr(19), page_addr(30)));
	EXPECT_EQ(zone.free_pages, 10);
	EXPECT_EQ(zone.released_pages, 10);

	/* Adjacent ranges released separately still merge. */
	EXPECT(buddy_free_range(&zone, page_addr(0), page_addr(10)));
	EXPECT(buddy_free_range(&zone, page_addr(20), page_addr(BIG_PAGES)));
	expect_fully_free(BIG_PAGES);
	teardown();
}

TEST(double_free_is_refused)
{
	uint64 a, b;

	setup_released(BIG_PAGES, 0);
	a = buddy_alloc(&zone, 0);
	b = buddy_alloc(&zone, 0);
	EXPECT(buddy_free(&zone, a, 0));
	EXPECT(!buddy_free(&zone, a, 0));          /* a's block is free, unmerged */
	EXPECT_EQ(zone.free_pages, BIG_PAGES - 1);
	EXPECT(buddy_free(&zone, b, 0));
	EXPECT(!buddy_free(&zone, b, 0));          /* now inside a merged block */
	EXPECT(!buddy_free(&zone, a, 0));
	expect_fully_free(BIG_PAGES);

	a = buddy_alloc(&zone, 3);
	EXPECT(buddy_free(&zone, a, 3));
	EXPECT(!buddy_free(&zone, a, 3));
	expect_fully_free(BIG_PAGES);
	teardown();
}

TEST(misaligned_and_foreign_frees_are_refused)
{
	uint64 a, b;

	setup_released(BIG_PAGES, 0);
	a = buddy_alloc(&zone, 2);
	b = buddy_alloc(&zone, 0);
	EXPECT(!buddy_free(&zone, a + 1, 2));             /* not page-aligned */
	EXPECT(!buddy_free(&zone, a + PG, 0));            /* a page inside a block */
	EXPECT(!buddy_free(&zone, a + 2 * PG, 1));        /* half a block */
	EXPECT(!buddy_free(&zone, a, 1));                 /* wrong order, smaller */
	EXPECT(!buddy_free(&zone, a, 3));                 /* wrong order, larger */
	EXPECT(!buddy_free(&zone, b, 1));                 /* misaligned for order 1 */
	EXPECT(!buddy_free(&zone, zone_base - PG, 0));    /* below the zone */
	EXPECT(!buddy_free(&zone, page_addr(BIG_PAGES), 0));  /* past its end */
	EXPECT(!buddy_free(&zone, page_addr(BIG_PAGES - 1), 1));
	EXPECT(!buddy_free(&zone, 0, 0));
	EXPECT_EQ(zone.free_pages, BIG_PAGES - 5);
	check_zone();
	EXPECT(buddy_free(&zone, a, 2));
	EXPECT(buddy_free(&zone, b, 0));
	expect_fully_free(BIG_PAGES);
	teardown();
}

TEST(unreleased_pages_cannot_be_freed)
{
	setup(BIG_PAGES, 0);
	EXPECT(buddy_free_range(&zone, page_addr(8), page_addr(BIG_PAGES)));
	EXPECT(!buddy_free(&zone, page_addr(0), 0));
	EXPECT(!buddy_free(&zone, page_addr(0), 3));
	EXPECT_EQ(zone.free_pages, BIG_PAGES - 8);
	check_zone();
	teardown();
}

/* xorshift64: the same sequence on every host and libc. */
static uint64 rng_state;

static uint64
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct live {
	uint64 addr;
	int order;
};

/*
 * Thousands of random allocations (mostly small) and frees over the zone
 * set up by the caller, which released `usable` pages.  An allocated
 * block's pages are marked in owner[] and tagged with their index; a
 * clash or a changed tag means the allocator handed a page out twice or
 * wrote into an allocated block.
 */
static void
random_workout(uint64 seed, uint64 usable, int steps)
{
	struct live *live = calloc(zone.npages, sizeof(*live));
	uint8 *owner = calloc(zone.npages, 1);
	uint64 nlive = 0, used = 0, failures = 0;

	rng_state = seed;
	for (int step = 0; step < steps; step++) {
		bool do_alloc = nlive == 0 || rng() % 100 < 55;

		if (do_alloc) {
			uint64 r = rng() % 100;
			int k = r < 60 ? 0 : r < 80 ? 1 : r < 95 ? (int)(rng() % 5) :
				(int)(rng() % (BUDDY_MAX_ORDER + 1));
			uint64 a = buddy_alloc(&zone, k), idx;

			if (a == 0) {
				failures++;
				EXPECT(zone.free_pages < usable);
				continue;
			}
			idx = page_index(a);
			EXPECT_EQ((a - zone_base) % (PG << k), 0);
			for (uint64 p = idx; p < idx + ((uint64)1 << k); p++) {
				EXPECT(!owner[p]);
				owner[p] = 1;
				*(uint64 *)(uintptr_t)page_addr(p) = p;
				((uint64 *)(uintptr_t)page_addr(p))[1] = ~p;
			}
			live[nlive].addr = a;
			live[nlive++].order = k;
			used += (uint64)1 << k;
		} else {
			uint64 i = rng() % nlive;
			struct live l = live[i];
			uint64 idx = page_index(l.addr);

			for (uint64 p = idx; p < idx + ((uint64)1 << l.order); p++) {
				EXPECT(owner[p]);
				EXPECT_EQ(*(uint64 *)(uintptr_t)page_addr(p), p);
				EXPECT_EQ(((uint64 *)(uintptr_t)page_addr(p))[1], ~p);
				owner[p] = 0;
			}
			EXPECT(buddy_free(&zone, l.addr, l.order));
			live[i] = live[--nlive];
			used -= (uint64)1 << l.order;
		}
		EXPECT_EQ(zone.free_pages, usable - used);
		if (step % 1000 == 0 && check_zone() != 0)
			break;
	}
	EXPECT(failures > 0 || steps < 1000);    /* the workout reached exhaustion */
	while (nlive > 0) {
		nlive--;
		EXPECT(buddy_free(&zone, live[nlive].addr, live[nlive].order));
	}
	EXPECT_EQ(zone.free_pages, usable);
	free(live);
	free(owner);
}

TEST(random_allocs_and_frees)
{
	setup_released(BIG_PAGES, 0);
	random_workout(0x9e3779b97f4a7c15ULL, BIG_PAGES, 20000);
	expect_fully_free(BIG_PAGES);
	teardown();
}

TEST(random_allocs_and_frees_odd_zone_with_hole)
{
	const uint64 npages = 1789, hole_start = 301, hole_end = 333;
	uint64 expect[BUDDY_MAX_ORDER + 1];

	setup(npages, 13);
	EXPECT(buddy_free_range(&zone, page_addr(0), page_addr(hole_start)));
	EXPECT(buddy_free_range(&zone, page_addr(hole_end), page_addr(npages)));
	for (int k = 0; k <= BUDDY_MAX_ORDER; k++)
		expect[k] = zone.nblocks[k];
	random_workout(12345, npages - (hole_end - hole_start), 20000);
	for (int k = 0; k <= BUDDY_MAX_ORDER; k++)
		EXPECT_EQ(zone.nblocks[k], expect[k]);
	check_zone();
	teardown();
}

int
main(void)
{
	return RUN_TESTS();
}
