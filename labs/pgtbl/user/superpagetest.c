/*
 * superpagetest: check that the first touch of a whole, aligned 2 MiB
 * range of the heap maps a superpage, that other touches still get 4 KiB
 * pages, and that everything else still works with superpages.  sbrk
 * itself allocates nothing: each test grows the heap, then touches it.
 *
 *   superpagetest lazy      a large sbrk costs nothing; one byte touched
 *                           in an aligned 2 MiB range costs 512 pages; a
 *                           range only partly inside the heap, or one
 *                           that already holds pages, gets 4 KiB pages
 *   superpagetest map       touch three superpages (the third through
 *                           read()) and the pages around them; show them
 *                           with pgdump; write and read them back, also
 *                           through read() and write() on a pipe
 *   superpagetest fork      a child sees the parent's data in its own copy
 *   superpagetest shrink    shrink the heap into the middle of a superpage:
 *                           the lower half stays, the upper half is gone
 *   superpagetest free      exit and exec give the superpages back
 *   superpagetest fallback  with no 2 MiB block left, a touch still gets a
 *                           4 KiB page while memory lasts
 *   superpagetest           all of them, each in a child of its own
 *
 * Every check prints what it saw and a line "superpagetest NAME: OK" or
 * "superpagetest NAME: FAILED: why".  The lines "superpage expected at"
 * and "page expected at" name addresses the grader looks up in the dumps.
 */
#include "user/user.h"
#include "include/addrspace.h"

#define SUPERPGROUNDUP(a) (((a) + SUPERPGSIZE - 1) & ~(uint64)(SUPERPGSIZE - 1))
#define PAGES_PER_SUPERPAGE (SUPERPGSIZE / PGSIZE)

/* Page-table pages one touch may add: a level-1 and a level-0 table. */
#define TABLE_PAGES 2

static const char *test_name;

static int
fail(const char *why)
{
	printf("superpagetest %s: FAILED: %s\n", test_name, why);
	return 1;
}

static int
passed(void)
{
	printf("superpagetest %s: OK\n", test_name);
	return 0;
}

static uint64
free_pages(void)
{
	struct sysinfo info;

	if (sysinfo(&info) < 0)
		return 0;
	return info.freepages;
}

/* Move the heap's end to addr, at most 1 GiB an sbrk; false if sbrk fails. */
static bool
heap_end_at(uint64 addr)
{
	uint64 end;

	while ((end = (uint64)sbrk(0)) != addr) {
		int64 n = (int64)(addr - end);
		if (n > (1L << 30))
			n = 1L << 30;
		if (n < -(1L << 30))
			n = -(1L << 30);
		if (sbrk((int)n) == (char *)-1)
			return false;
	}
	return true;
}

/*
 * Grow the heap past the next 2 MiB boundary (leaving at least a page
 * of heap below it) by n superpages and three pages more, touching
 * nothing; return the first superpage's address, or 0 if sbrk failed.
 */
static uint64
grow_superpages(int n)
{
	uint64 start = (uint64)sbrk(0);
	uint64 first = SUPERPGROUNDUP(start + PGSIZE);
	uint64 end = first + n * SUPERPGSIZE + 3 * PGSIZE;

	if (!heap_end_at(end))
		return 0;
	printf("superpagetest: heap 0x%lx-0x%lx, superpages expected at 0x%lx-0x%lx\n",
	       (unsigned long)start, (unsigned long)end, (unsigned long)first,
	       (unsigned long)(first + n * SUPERPGSIZE));
	return first;
}

/* Store one byte at addr; the pages that cost. */
static uint64
touch(uint64 addr)
{
	uint64 was = free_pages();

	*(volatile char *)addr = 1;
	return was - free_pages();
}

/* Was a cost of `used` pages between lo and lo + TABLE_PAGES?  Says so. */
static bool
cost_is(const char *what, uint64 used, uint64 lo)
{
	printf("superpagetest: %s used %lu pages\n", what, (unsigned long)used);
	return used >= lo && used <= lo + TABLE_PAGES;
}

/* The word the tests store at addr. */
static uint64
pattern(uint64 addr, uint64 seed)
{
	return (addr * 0x9e3779b97f4a7c15UL) ^ seed;
}

static void
fill(uint64 start, uint64 len, uint64 seed)
{
	for (uint64 a = start; a < start + len; a += 8)
		*(uint64 *)a = pattern(a, seed);
}

/* The first address in [start, start+len) whose word is wrong, or 0. */
static uint64
find_wrong(uint64 start, uint64 len, uint64 seed)
{
	for (uint64 a = start; a < start + len; a += 8)
		if (*(uint64 *)a != pattern(a, seed))
			return a;
	return 0;
}

static bool
check_data(uint64 start, uint64 len, uint64 seed)
{
	uint64 bad = find_wrong(start, len, seed);

	if (bad != 0)
		printf("superpagetest: wrong data at 0x%lx\n", (unsigned long)bad);
	return bad == 0;
}

static bool
dump(uint64 start, uint64 end)
{
	if (pgdump(start, end) == 0)
		return true;
	printf("superpagetest: pgdump: %s\n", strerror(errno));
	return false;
}

/* Wait for a child; its exit status, or -1000 if there is none. */
static int
child_status(void)
{
	int status;

	if (wait(&status) < 0)
		return -1000;
	return status;
}

/* Write n bytes from a pipe into dst: the kernel's copyout touches dst. */
static bool
read_from_pipe(char *dst, int n)
{
	char buf[64];
	int fds[2];
	bool ok;

	memset(buf, 'p', sizeof(buf));
	if (n > (int)sizeof(buf) || pipe(fds) < 0)
		return false;
	ok = write(fds[1], buf, n) == n && read(fds[0], dst, n) == n;
	close(fds[0]);
	close(fds[1]);
	return ok && memcmp(dst, buf, n) == 0;
}

/*
 * Copy 4 KiB that straddles the two superpages at first into a pipe
 * (copyin) and back into another place (copyout), and compare.
 */
static bool
pipe_round_trip(uint64 first)
{
	char *from = (char *)(first + SUPERPGSIZE - 2048);
	char *to = (char *)(first + 5 * PGSIZE + 100);
	int fds[2];

	if (pipe(fds) < 0)
		return false;
	if (write(fds[1], from, PGSIZE) != PGSIZE || read(fds[0], to, PGSIZE) != PGSIZE) {
		printf("superpagetest: pipe: %s\n", strerror(errno));
		return false;
	}
	close(fds[0]);
	close(fds[1]);
	return memcmp(from, to, PGSIZE) == 0;
}

/*
 * 32 superpages' worth of heap and half a range more, untouched: free
 * memory must not move.  Then one byte in the sixth range: a superpage.
 * Then the range at the heap's end, only half inside the heap: a page.
 * Then grow the heap over the rest of that range and touch its middle:
 * still a page, since the range holds a page already.
 */
static int
test_lazy(void)
{
	uint64 before = free_pages(), start = (uint64)sbrk(0);
	uint64 first = SUPERPGROUNDUP(start + PGSIZE);
	uint64 whole = first + 5 * SUPERPGSIZE + 12345;
	uint64 part = first + 32 * SUPERPGSIZE, end = part + SUPERPGSIZE / 2;
	bool ok = true;

	if (!heap_end_at(end))
		return fail("sbrk failed");
	printf("superpagetest: heap 0x%lx-0x%lx untouched\n", (unsigned long)start,
	       (unsigned long)end);
	ok = cost_is("an sbrk of 66 MiB", before - free_pages(), 0) && ok;
	if (!dump(start, end))
		return fail("pgdump failed");
	printf("superpagetest: superpage expected at 0x%lx\n",
	       (unsigned long)(whole & ~(uint64)(SUPERPGSIZE - 1)));
	ok = cost_is("touching a byte in a whole range", touch(whole),
		     PAGES_PER_SUPERPAGE) && ok;
	printf("superpagetest: page expected at 0x%lx\n", (unsigned long)part);
	ok = cost_is("touching the range at the heap's end", touch(part), 1) && ok;
	if (!heap_end_at(part + SUPERPGSIZE + PGSIZE))
		return fail("sbrk failed");
	printf("superpagetest: page expected at 0x%lx\n",
	       (unsigned long)(part + SUPERPGSIZE / 2));
	ok = cost_is("touching that range again, now whole", touch(part + SUPERPGSIZE / 2 + 8),
		     1) && ok;
	if (!dump(start, (uint64)sbrk(0)))
		return fail("pgdump failed");
	heap_end_at(start);
	printf("superpagetest: free pages before %lu after %lu\n",
	       (unsigned long)before, (unsigned long)free_pages());
	if (!ok)
		return fail("a touch cost the wrong number of pages");
	if (free_pages() != before)
		return fail("pages were lost");
	return passed();
}

/*
 * Three superpages: the first two touched by stores in their middle, the
 * third by read() (the kernel's copyout), and the pages just below and
 * above them; then data through all of it.
 */
static int
test_map(void)
{
	uint64 before = free_pages(), first = grow_superpages(3), used;

	if (first == 0)
		return fail("sbrk failed");
	if (!cost_is("growing the heap", before - free_pages(), 0))
		return fail("sbrk allocated memory: it must only reserve");
	before = free_pages();
	touch(first + SUPERPGSIZE / 2 + 77);
	touch(first + SUPERPGSIZE + 4 * PGSIZE);
	if (!read_from_pipe((char *)(first + 2 * SUPERPGSIZE + 999), 50))
		return fail("read() into untouched heap failed");
	touch(first - PGSIZE);
	touch(first + 3 * SUPERPGSIZE);
	used = before - free_pages();
	if (!cost_is("touching three superpages and two pages", used,
		     3 * PAGES_PER_SUPERPAGE + 2))
		return fail("the touches did not cost three superpages and two pages");
	if (!dump(first - PGSIZE, first + 3 * SUPERPGSIZE + PGSIZE))
		return fail("pgdump failed");
	fill(first, 3 * SUPERPGSIZE, 1);
	if (!check_data(first, 3 * SUPERPGSIZE, 1))
		return fail("data written was not read back");
	if (!pipe_round_trip(first))
		return fail("data through a pipe came back wrong");
	return passed();
}

static int
test_fork(void)
{
	uint64 first = grow_superpages(2);
	int pid;

	if (first == 0)
		return fail("sbrk failed");
	fill(first, 2 * SUPERPGSIZE, 2);
	if ((pid = fork()) < 0)
		return fail("fork failed");
	if (pid == 0) {
		if (!check_data(first, 2 * SUPERPGSIZE, 2))
			exit(1);
		dump(first, first + 2 * SUPERPGSIZE);
		fill(first, 2 * SUPERPGSIZE, 3);
		exit(check_data(first, 2 * SUPERPGSIZE, 3) ? 0 : 1);
	}
	if (child_status() != 0)
		return fail("the child did not see its parent's data");
	if (!check_data(first, 2 * SUPERPGSIZE, 2))
		return fail("the child's writes changed the parent's memory");
	return passed();
}

static int
test_shrink(void)
{
	uint64 before = free_pages(), start = (uint64)sbrk(0);
	uint64 first = grow_superpages(2), cut;
	int pid;

	if (first == 0)
		return fail("sbrk failed");
	fill(first, 2 * SUPERPGSIZE, 4);
	cut = first + SUPERPGSIZE + SUPERPGSIZE / 2;
	printf("superpagetest: shrinking the heap to 0x%lx\n", (unsigned long)cut);
	if (!heap_end_at(cut))
		return fail("sbrk to shrink failed");
	if (!dump(first, first + PGSIZE) || !dump(cut - 2 * PGSIZE, cut + 2 * PGSIZE))
		return fail("pgdump failed");
	if (!check_data(first, cut - first, 4))
		return fail("the part kept lost its data");
	if ((pid = fork()) < 0)
		return fail("fork failed");
	if (pid == 0) {
		printf("superpagetest: loading from 0x%lx, past the end\n",
		       (unsigned long)cut);
		exit(*(volatile int *)cut == 12345 ? 3 : 4);
	}
	if (child_status() != -1)
		return fail("a load past the new end was not killed");
	/* Back to the start, and up again: new memory is zeroed. */
	heap_end_at(start);
	if (grow_superpages(2) != first)
		return fail("growing again failed");
	for (uint64 a = first; a < first + 2 * SUPERPGSIZE; a += 8)
		if (*(uint64 *)a != 0)
			return fail("memory given again is not zeroed");
	heap_end_at(start);
	printf("superpagetest: free pages before %lu after %lu\n",
	       (unsigned long)before, (unsigned long)free_pages());
	if (free_pages() != before)
		return fail("pages were lost");
	return passed();
}

static int
test_free(void)
{
	uint64 before, after_exit, after_exec;

	before = free_pages();
	if (fork() == 0) {
		uint64 first = grow_superpages(4);
		if (first != 0)
			fill(first, 4 * SUPERPGSIZE, 5);
		exit(first != 0 && dump(first, first + 4 * SUPERPGSIZE) ? 0 : 1);
	}
	if (child_status() != 0)
		return fail("the child could not grow its heap or dump it");
	after_exit = free_pages();
	if (fork() == 0) {
		char *argv[] = { "true", NULL };
		uint64 first = grow_superpages(2);
		if (first == 0)
			exit(1);
		fill(first, 2 * SUPERPGSIZE, 6);
		if (!dump(first, first + 2 * SUPERPGSIZE))
			exit(1);
		exec("/bin/true", argv);
		exit(1);
	}
	if (child_status() != 0)
		return fail("the child could not grow its heap, dump it and exec");
	after_exec = free_pages();
	printf("superpagetest: free pages before %lu, after exit %lu, after exec %lu\n",
	       (unsigned long)before, (unsigned long)after_exit,
	       (unsigned long)after_exec);
	if (after_exit != before)
		return fail("exit lost pages");
	if (after_exec != before)
		return fail("exec lost pages");
	return passed();
}

/* Stop touching when fewer pages than this are free: leave the kernel some. */
#define LOW_PAGES 64

/* Touch one byte in each range from *next on while at least `low` pages
 * are free; count superpage-sized and smaller costs. */
static void
touch_ranges(uint64 *next, uint64 low, int *superpages, int *pages)
{
	while (free_pages() >= low) {
		if (touch(*next + 100) >= PAGES_PER_SUPERPAGE)
			(*superpages)++;
		else
			(*pages)++;
		*next += SUPERPGSIZE;
	}
}

/*
 * In a child: reserve more ranges of heap than the touches below can
 * use, and touch one byte a range until under 1024 pages are free.  Then shrink the heap into the
 * middle of the last superpage: its upper 256 pages come free, but not as
 * a 2 MiB block (the lower half is still in use).  Grow again and touch
 * on: once the last 2 MiB block is gone, each touch must still get a
 * 4 KiB page, until memory is nearly gone.
 */
static int
fallback_child(void)
{
	uint64 start = (uint64)sbrk(0), first = SUPERPGROUNDUP(start + PGSIZE);
	uint64 reserve = (free_pages() / PAGES_PER_SUPERPAGE + 1400) * SUPERPGSIZE;
	uint64 next = first;
	int superpages = 0, pages = 0;

	if (!heap_end_at(first + reserve))
		return fail("sbrk failed");
	touch_ranges(&next, 1024, &superpages, &pages);
	if (!heap_end_at(next - SUPERPGSIZE / 2) || !heap_end_at(first + reserve))
		return fail("sbrk failed");
	printf("superpagetest: %d superpages and %d pages touched, %lu pages free; "
	       "shrinking into the last\n", superpages, pages,
	       (unsigned long)free_pages());
	touch_ranges(&next, LOW_PAGES, &superpages, &pages);
	printf("superpagetest: %d touches took a superpage, %d a 4 KiB page; "
	       "%lu pages free\n", superpages, pages, (unsigned long)free_pages());
	if (superpages == 0)
		return fail("no touch took a superpage");
	if (pages == 0)
		return fail("no touch fell back to a 4 KiB page");
	return 0;
}

static int
test_fallback(void)
{
	uint64 before = free_pages(), after;
	int pid = fork(), status;

	if (pid < 0)
		return fail("fork failed");
	if (pid == 0)
		exit(fallback_child());
	status = child_status();
	after = free_pages();
	printf("superpagetest: free pages before %lu after %lu\n",
	       (unsigned long)before, (unsigned long)after);
	if (status == -1)
		return fail("the child was killed: with pages still free, a touch "
			    "must fall back to a 4 KiB page");
	if (status != 0)
		return fail("the child failed");
	if (after != before)
		return fail("pages were lost");
	return passed();
}

static const struct {
	const char *name;
	int (*run)(void);
} tests[] = {
	{ "lazy", test_lazy },
	{ "map", test_map },
	{ "fork", test_fork },
	{ "shrink", test_shrink },
	{ "free", test_free },
	{ "fallback", test_fallback },
};

#define NTESTS (int)(sizeof(tests) / sizeof(tests[0]))

/* Run every test in a child of its own, so that each starts from a small
 * heap; the number that failed. */
static int
run_all(void)
{
	int failed = 0;

	for (int i = 0; i < NTESTS; i++) {
		if (fork() == 0) {
			test_name = tests[i].name;
			exit(tests[i].run());
		}
		if (child_status() != 0)
			failed++;
	}
	return failed;
}

int
main(int argc, char *argv[])
{
	if (argc == 1)
		return run_all() == 0 ? 0 : 1;
	for (int i = 0; argc == 2 && i < NTESTS; i++) {
		if (strcmp(argv[1], tests[i].name) == 0) {
			test_name = tests[i].name;
			return tests[i].run();
		}
	}
	fprintf(2, "usage: superpagetest [lazy | map | fork | shrink | free | fallback]\n");
	return 2;
}
