/*
 * superpagetest: check that sbrk backs whole, aligned 2 MiB ranges of the
 * heap with superpages, and that everything else still works with them.
 *
 *   superpagetest map       grow the heap over two superpages; show them
 *                           with pgdump; write and read them back, also
 *                           through read() and write() on a pipe
 *   superpagetest fork      a child sees the parent's data in its own copy
 *   superpagetest shrink    shrink the heap into the middle of a superpage:
 *                           the lower half stays, the upper half is gone
 *   superpagetest free      exit and exec give the superpages back
 *   superpagetest toolarge  an sbrk larger than memory fails and gives
 *                           back all it took
 *   superpagetest           all of them, each in a child of its own
 *
 * Every check prints what it saw and a line "superpagetest NAME: OK" or
 * "superpagetest NAME: FAILED: why".
 */
#include "user/user.h"
#include "include/addrspace.h"

#define SUPERPGROUNDUP(a) (((a) + SUPERPGSIZE - 1) & ~(uint64)(SUPERPGSIZE - 1))

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

/*
 * Grow the heap past the next 2 MiB boundary by n superpages and a few
 * pages more; return the first superpage's address, or 0 if sbrk failed.
 */
static uint64
grow_superpages(int n)
{
	uint64 start = (uint64)sbrk(0);
	uint64 first = SUPERPGROUNDUP(start);
	uint64 end = first + n * SUPERPGSIZE + 3 * PGSIZE;

	if (sbrk(end - start) == (char *)-1)
		return 0;
	printf("superpagetest: heap 0x%lx-0x%lx, superpages expected at 0x%lx-0x%lx\n",
	       (unsigned long)start, (unsigned long)end, (unsigned long)first,
	       (unsigned long)(first + n * SUPERPGSIZE));
	return first;
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

static int
test_map(void)
{
	uint64 first = grow_superpages(2);

	if (first == 0)
		return fail("sbrk failed");
	if (!dump(first - PGSIZE, first + 2 * SUPERPGSIZE + PGSIZE))
		return fail("pgdump failed");
	fill(first, 2 * SUPERPGSIZE, 1);
	if (!check_data(first, 2 * SUPERPGSIZE, 1))
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
	if (sbrk(cut - (uint64)sbrk(0)) == (char *)-1)
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
	sbrk(start - (uint64)sbrk(0));
	if (grow_superpages(2) != first)
		return fail("growing again failed");
	for (uint64 a = first; a < first + 2 * SUPERPGSIZE; a += 8)
		if (*(uint64 *)a != 0)
			return fail("memory given again is not zeroed");
	sbrk(start - (uint64)sbrk(0));
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
		exit(first != 0 && dump(first, first + 4 * SUPERPGSIZE) ? 0 : 1);
	}
	if (child_status() != 0)
		return fail("the child could not grow its heap or dump it");
	after_exit = free_pages();
	if (fork() == 0) {
		char *argv[] = { "true", NULL };
		uint64 first = grow_superpages(2);
		if (first == 0 || !dump(first, first + 2 * SUPERPGSIZE))
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

static int
test_toolarge(void)
{
	uint64 before = free_pages(), start = (uint64)sbrk(0);
	uint64 want = (before + 1024) * PGSIZE, first;
	char *r;

	printf("superpagetest: %lu pages free; asking for %lu bytes\n",
	       (unsigned long)before, (unsigned long)want);
	r = sbrk(want);
	if (r != (char *)-1)
		return fail("sbrk of more than the free memory succeeded");
	printf("superpagetest: sbrk: %s\n", strerror(errno));
	if ((uint64)sbrk(0) != start)
		return fail("the failed sbrk moved the heap's end");
	printf("superpagetest: free pages before %lu after %lu\n",
	       (unsigned long)before, (unsigned long)free_pages());
	if (free_pages() != before)
		return fail("the failed sbrk did not give back all it took");
	if ((first = grow_superpages(1)) == 0)
		return fail("sbrk failed after the failure");
	if (!dump(first, first + SUPERPGSIZE))
		return fail("pgdump failed");
	return passed();
}

static const struct {
	const char *name;
	int (*run)(void);
} tests[] = {
	{ "map", test_map },
	{ "fork", test_fork },
	{ "shrink", test_shrink },
	{ "free", test_free },
	{ "toolarge", test_toolarge },
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
	fprintf(2, "usage: superpagetest [map | fork | shrink | free | toolarge]\n");
	return 2;
}
