/*
 * cowbench: what a fork of a large process costs, for the cow lab
 * (labs/cow/README.md).
 *
 *   cowbench [MiB]      the heap to touch before forking, 32 MiB if not given
 *
 * It grows its heap by MiB, stores to every page of it (so each page
 * exists), then forks NFORK times.  For each fork it reads the hart's
 * instruction counter (rdinstret) just before fork() and just after it
 * returns in the parent, and sysinfo()'s free pages likewise; the child
 * waits on a pipe until the parent has measured, then exits.  It prints
 * the smallest instruction count (a fork the timer did not interrupt)
 * and the most pages one fork consumed:
 *
 *   cowbench: fork of a process with 32 MiB of heap (8192 pages touched):
 *   cowbench: per fork: 21843210 instructions, 8230 pages
 *
 * The instruction count is the hart's: run it with one hart
 * (make qemu CPUS=1) for steady figures, since a fork that moves to
 * another hart midway reads another counter.  The pages are what fork
 * took from the allocator and had not given back when it returned: the
 * child's page tables, its trapframe, and its copy of whatever it was
 * given a copy of.  The grader reads the pages.
 */
#include "user/user.h"
#include "include/addrspace.h"     /* PGSIZE */

#define MIB (1024 * 1024)
#define NFORK 5

static uint64
free_pages(void)
{
	struct sysinfo info;

	if (sysinfo(&info) < 0) {
		fprintf(2, "cowbench: sysinfo: %s\n", strerror(errno));
		exit(1);
	}
	return info.freepages;
}

/* One fork, measured: its instructions and the free pages it took. */
static void
measure_fork(uint64 *instructions, uint64 *pages)
{
	int release[2], pid;
	uint64 free0, start;
	char c;

	if (pipe(release) < 0) {
		fprintf(2, "cowbench: pipe: %s\n", strerror(errno));
		exit(1);
	}
	free0 = free_pages();
	start = rdinstret();
	pid = fork();
	if (pid == 0) {
		close(release[1]);
		read(release[0], &c, 1);   /* returns when the parent closes */
		exit(0);
	}
	*instructions = rdinstret() - start;
	*pages = free0 - free_pages();
	if (pid < 0) {
		fprintf(2, "cowbench: fork: %s\n", strerror(errno));
		exit(1);
	}
	close(release[0]);
	close(release[1]);     /* the child's read returns: it exits */
	wait(0);
}

int
main(int argc, char *argv[])
{
	int mib = argc > 1 ? atoi(argv[1]) : 32;
	uint64 best = ~0UL, most = 0, instructions, pages;
	char *heap;

	if (argc > 2 || mib <= 0 || mib > 1024) {
		fprintf(2, "usage: cowbench [MiB, 1 to 1024]\n");
		exit(2);
	}
	if ((heap = sbrk(mib * MIB)) == (char *)-1) {
		fprintf(2, "cowbench: sbrk(%d MiB): %s\n", mib, strerror(errno));
		exit(1);
	}
	for (int i = 0; i < mib * MIB; i += PGSIZE)
		heap[i] = 1;
	for (int i = 0; i < NFORK; i++) {
		measure_fork(&instructions, &pages);
		if (instructions < best)
			best = instructions;
		if (pages > most)
			most = pages;
	}
	printf("cowbench: fork of a process with %d MiB of heap (%d pages "
	       "touched):\n", mib, mib * MIB / PGSIZE);
	printf("cowbench: per fork: %lu instructions, %lu pages\n", (unsigned long)best,
	       (unsigned long)most);
	exit(0);
}
