/*
 * ptdump: show the caller's own page table with pgdump(), the pgtbl lab's
 * system call, next to the addresses it is made for.
 *
 *   ptdump          where main, a string constant, a global, a zeroed
 *                   global, a local variable and the heap are, then the
 *                   whole table: pgdump(0, MAXVA)
 *   ptdump top      only the entries on the way to the trampoline and the
 *                   trapframe: pgdump(TRAPFRAME, MAXVA)
 *   ptdump bad      ranges pgdump must refuse with EINVAL, one a line
 *
 * Each landmark is a line "ptdump: NAME 0xADDRESS"; the grader finds the
 * page of each in the table and checks its permissions.
 */
#include "user/user.h"
#include "include/addrspace.h"

static const char constant[] = "a string in read-only data";
static int global = 42;              /* initialised: in .data */
static char zeroed[2 * PGSIZE];      /* in .bss */

static void
landmark(const char *name, const void *addr)
{
	printf("ptdump: %s 0x%lx\n", name, (unsigned long)addr);
}

/* pgdump(start, end), reporting a failure on fd 2; 0 or 1. */
static int
dump(uint64 start, uint64 end)
{
	if (pgdump(start, end) < 0) {
		fprintf(2, "ptdump: pgdump(0x%lx, 0x%lx): %s\n", (unsigned long)start,
			(unsigned long)end, strerror(errno));
		return 1;
	}
	return 0;
}

static int
dump_all(void)
{
	int local = global + zeroed[0];

	printf("ptdump: pid %d\n", getpid());
	landmark("text", (const void *)dump_all);
	landmark("rodata", constant);
	landmark("data", &global);
	landmark("bss", zeroed);
	landmark("stack", &local);
	landmark("heap", sbrk(0));
	return dump(0, MAXVA);
}

/* Each range must be refused with EINVAL, and print nothing. */
static int
bad_ranges(void)
{
	static const uint64 ranges[][2] = {
		{ 0x5000, 0x5000 },           /* empty */
		{ 0x2000, 0x1000 },           /* backwards */
		{ 0, MAXVA + 1 },             /* past the last address */
		{ MAXVA, MAXVA + PGSIZE },    /* wholly past it */
		{ 0, ~0UL },
	};

	for (int i = 0; i < (int)(sizeof(ranges) / sizeof(ranges[0])); i++) {
		int r = pgdump(ranges[i][0], ranges[i][1]);
		printf("ptdump: pgdump(0x%lx, 0x%lx) = %d: %s\n",
		       (unsigned long)ranges[i][0], (unsigned long)ranges[i][1], r,
		       r < 0 ? strerror(errno) : "accepted");
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc == 1)
		return dump_all();
	if (argc == 2 && strcmp(argv[1], "top") == 0)
		return dump(TRAPFRAME, MAXVA);
	if (argc == 2 && strcmp(argv[1], "bad") == 0)
		return bad_ranges();
	fprintf(2, "usage: ptdump [top | bad]\n");
	return 2;
}
