/*
 * ugetpidtest: check ugetpid(), which reads the caller's pid from the
 * page the kernel maps read-only at USYSCALL, against getpid().
 *
 *   ugetpidtest pids     in this process, in children after fork, and in
 *                        a child after exec
 *   ugetpidtest memory   free pages before and after forking children
 *                        that exit: each process's page must be freed
 *   ugetpidtest speed    time many calls of each
 *   ugetpidtest dump     the page's entry, with pgdump
 *   ugetpidtest write    read() into the page, then a store into it:
 *                        both must fail, and the store kills the process
 *   ugetpidtest heap     a child grows its heap as far as sbrk allows: it
 *                        must end below the page, which still holds the
 *                        pid; its last page is usable; memory comes back
 *   ugetpidtest          pids, memory, speed, dump and heap, in that order
 *
 * Every check prints what it saw and a line "ugetpidtest NAME: OK" or
 * "ugetpidtest NAME: FAILED: why".
 */
#include "user/user.h"
#include "include/addrspace.h"

#define CHILDREN 4
#define CALLS    2000

static int
fail(const char *test, const char *why)
{
	printf("ugetpidtest %s: FAILED: %s\n", test, why);
	return 1;
}

/* Print both answers in this process; true if they agree. */
static bool
show_pids(const char *who)
{
	int pid = getpid(), upid = ugetpid();

	printf("ugetpidtest: %s getpid %d ugetpid %d\n", who, pid, upid);
	return pid == upid;
}

static int
wait_ok(void)
{
	int status;

	return wait(&status) > 0 && status == 0;
}

/* Run as "ugetpidtest exec-child" by test_pids, after exec. */
static int
exec_child(void)
{
	return show_pids("after exec") ? 0 : 1;
}

static int
test_pids(void)
{
	bool ok = show_pids("parent");

	for (int i = 0; i < CHILDREN; i++) {
		int pid = fork();
		if (pid < 0)
			return fail("pids", "fork failed");
		if (pid == 0)
			exit(show_pids("child") ? 0 : 1);
		ok = wait_ok() && ok;
	}
	int pid = fork();
	if (pid < 0)
		return fail("pids", "fork failed");
	if (pid == 0) {
		char *argv[] = { "ugetpidtest", "exec-child", NULL };
		exec("/bin/ugetpidtest", argv);
		printf("ugetpidtest: exec: %s\n", strerror(errno));
		exit(1);
	}
	printf("ugetpidtest: forked %d to exec\n", pid);
	ok = wait_ok() && ok;
	if (!ok)
		return fail("pids", "ugetpid and getpid disagree");
	printf("ugetpidtest pids: OK\n");
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

static int
test_memory(void)
{
	uint64 before, after;
	bool ok = true;

	/* A first child, so that anything made once is made already. */
	if (fork() == 0)
		exit(0);
	wait_ok();
	before = free_pages();
	for (int i = 0; i < CHILDREN; i++) {
		int pid = fork();
		if (pid < 0)
			return fail("memory", "fork failed");
		if (pid == 0)
			exit(ugetpid() == getpid() ? 0 : 1);
		ok = wait_ok() && ok;
	}
	after = free_pages();
	printf("ugetpidtest: free pages before %lu after %lu (%d children)\n",
	       (unsigned long)before, (unsigned long)after, CHILDREN);
	if (!ok)
		return fail("memory", "a child's ugetpid and getpid disagree");
	if (before != after)
		return fail("memory", "pages were lost");
	printf("ugetpidtest memory: OK\n");
	return 0;
}

static uint64
rdtime(void)
{
	uint64 t;

	asm volatile("rdtime %0" : "=r"(t));
	return t;
}

/* Time CALLS calls of f, the best of three rounds, in ticks of the
 * time counter. */
static uint64
time_calls(int (*f)(void))
{
	uint64 best = ~0UL;
	volatile int sink = 0;

	for (int round = 0; round < 3; round++) {
		uint64 start = rdtime();
		for (int i = 0; i < CALLS; i++)
			sink += f();
		if (rdtime() - start < best)
			best = rdtime() - start;
	}
	(void)sink;
	return best;
}

static int
test_speed(void)
{
	uint64 slow, fast;

	if (!show_pids("timer"))
		return fail("speed", "ugetpid and getpid disagree");
	slow = time_calls(getpid);
	fast = time_calls(ugetpid);
	printf("ugetpidtest: %d calls: getpid %lu, ugetpid %lu time units\n",
	       CALLS, (unsigned long)slow, (unsigned long)fast);
	if (fast * 5 > slow)
		return fail("speed", "ugetpid is not 5 times faster than getpid");
	printf("ugetpidtest speed: OK\n");
	return 0;
}

static int
test_dump(void)
{
	if (pgdump(USYSCALL, USYSCALL + PGSIZE) < 0) {
		printf("ugetpidtest: pgdump: %s\n", strerror(errno));
		return fail("dump", "pgdump failed");
	}
	printf("ugetpidtest dump: OK\n");
	return 0;
}

/* Ends with the kernel killing the process, if the page is read-only. */
static int
test_write(void)
{
	volatile int *page = (volatile int *)USYSCALL;
	int fd;

	if (!show_pids("writer"))
		return fail("write", "the page does not hold the pid");
	if ((fd = open("/README.md", O_RDONLY)) < 0)
		return fail("write", "cannot open /README.md");
	if (read(fd, (void *)page, 4) >= 0)
		return fail("write", "read() into the page succeeded");
	printf("ugetpidtest: read() into the page: %s\n", strerror(errno));
	close(fd);
	printf("ugetpidtest: storing into the page at 0x%lx\n", (unsigned long)page);
	*page = 12345;
	return fail("write", "the store did not fault");
}

/* Give the heap back down to start, at most 1 GiB an sbrk. */
static void
shrink_to(uint64 start)
{
	uint64 n;

	while ((n = (uint64)sbrk(0) - start) > 0)
		sbrk(-(int)(n > (1 << 30) ? 1 << 30 : n));
}

/*
 * In a child: grow the heap as far as sbrk allows, in steps that halve at
 * each ENOMEM.  Untouched heap costs nothing, so this reaches the top of
 * the address space, where the heap must stop below USYSCALL.
 */
static int
heap_child(void)
{
	uint64 start = (uint64)sbrk(0), end;

	for (int step = 1 << 30; step > 0; )
		if (sbrk(step) == (char *)-1)
			step /= 2;
	end = (uint64)sbrk(0);
	printf("ugetpidtest: the heap ends at 0x%lx, USYSCALL is 0x%lx\n",
	       (unsigned long)end, (unsigned long)USYSCALL);
	if (end > USYSCALL)
		return fail("heap", "the heap reaches into the usyscall page");
	if (!show_pids("grown"))
		return fail("heap", "the page no longer holds the pid");
	*(volatile char *)(end - 1) = 1;        /* the heap's last page */
	shrink_to(start);
	return show_pids("shrunk") ? 0 : fail("heap", "the pid is gone after shrinking");
}

static int
test_heap(void)
{
	uint64 before = free_pages(), after;
	int pid = fork();

	if (pid < 0)
		return fail("heap", "fork failed");
	if (pid == 0)
		exit(heap_child());
	if (!wait_ok())
		return fail("heap", "the child failed or was killed");
	after = free_pages();
	printf("ugetpidtest: free pages before %lu after %lu\n",
	       (unsigned long)before, (unsigned long)after);
	if (before != after)
		return fail("heap", "pages were lost");
	printf("ugetpidtest heap: OK\n");
	return 0;
}

int
main(int argc, char *argv[])
{
	const char *what = argc > 1 ? argv[1] : "all";

	if (argc > 2)
		what = "usage";
	if (strcmp(what, "exec-child") == 0)
		return exec_child();
	if (strcmp(what, "pids") == 0)
		return test_pids();
	if (strcmp(what, "memory") == 0)
		return test_memory();
	if (strcmp(what, "speed") == 0)
		return test_speed();
	if (strcmp(what, "dump") == 0)
		return test_dump();
	if (strcmp(what, "write") == 0)
		return test_write();
	if (strcmp(what, "heap") == 0)
		return test_heap();
	if (strcmp(what, "all") == 0)
		return test_pids() | test_memory() | test_speed() | test_dump() |
		       test_heap();
	fprintf(2, "usage: ugetpidtest [pids | memory | speed | dump | write | heap]\n");
	return 2;
}
