/*
 * labs/thread/user/threadtest.c: checks kernel threads: thread_create and
 * thread_join, and the address space they share.
 *
 * usage: threadtest [case ...]      (no case: all of them)
 *
 *   create    a thread runs fn(arg) on the stack it was given, shares the
 *             creator's memory, and thread_join returns its id and status
 *   parallel  three threads run at once, on several harts, in one memory
 *   sbrk      memory one thread adds with sbrk is there for the others;
 *             threads growing and touching the heap at once lose nothing;
 *             shrinking shared memory is refused (EBUSY)
 *   many      rounds of threads created and joined free everything they
 *             took; a process holds at most ASPACE_THREADS-1 extra threads
 *   join      wait() is for child processes and thread_join for threads;
 *             bad arguments get EINVAL and ESRCH
 *   fault     a thread that faults is killed alone: its creator joins it
 *             with status -1 and goes on
 *
 * Each case prints "threadtest: CASE: ok" or "threadtest: CASE: FAILED:
 * why"; the grader reads those lines.
 */
#include "user/user.h"

#define PROBE_NAME "threadtest"
#include "labs/thread/user/probe.h"

#define NSTACK     16
#define STACKSIZE  8192
#define MAX_EXTRA  15             /* ASPACE_THREADS - 1: kernel/proc/aspace.h */

static char stacks[NSTACK][STACKSIZE] __attribute__((aligned(16)));

static void *
stack_top(int i)
{
	return stacks[i] + STACKSIZE;
}

static int
start(int i, void (*fn)(void *), void *arg)
{
	int tid = thread_create(fn, arg, stack_top(i));

	if (tid < 0)
		fail("thread_create (thread %d) failed: %s", i, strerror(errno));
	return tid;
}

/* Join tid, expecting status want; 0 if all was as expected. */
static int
join(int tid, int want)
{
	int status = -12345, r = thread_join(tid, &status);

	if (r != tid) {
		fail("thread_join(%d) returned %d (%s), expected %d", tid, r,
		     r < 0 ? strerror(errno) : "a wrong id", tid);
		return -1;
	}
	if (status != want) {
		fail("thread_join(%d) gave status %d, expected %d", tid, status,
		     want);
		return -1;
	}
	return 0;
}

static uint64
free_pages(void)
{
	struct sysinfo info;

	sysinfo(&info);
	return info.freepages;
}

/* ---- create ----------------------------------------------------------------- */

static volatile int create_seen_arg;
static volatile uint64 create_sp;
static volatile int *create_target;

static void
create_thread(void *arg)
{
	int local = 0;

	create_seen_arg = (int)(uint64)arg;
	create_sp = (uint64)&local;
	*create_target = 4242;            /* the creator's stack variable */
	exit(7);
}

static void
case_create(void)
{
	volatile int on_my_stack = 0;
	int tid;

	create_target = &on_my_stack;
	if ((tid = start(0, create_thread, (void *)1234)) < 0)
		return;
	if (join(tid, 7) != 0)
		return;
	if (create_seen_arg != 1234)
		return fail("the thread saw argument %d, expected 1234 (a0 = arg)",
			    create_seen_arg);
	if (create_sp < (uint64)stacks[0] || create_sp >= (uint64)stack_top(0))
		return fail("the thread's variables were at %p, not on the stack "
			    "it was given [%p, %p)", (void *)create_sp,
			    (void *)stacks[0], stack_top(0));
	if (on_my_stack != 4242)
		return fail("the thread's store to the creator's memory was not "
			    "seen (the creator read %d): the threads must share "
			    "one address space", on_my_stack);
	if (tid == getpid())
		fail("the thread's id is the creator's pid %d", tid);
}

/* ---- parallel --------------------------------------------------------------- */

#define PAR_THREADS 3

static int par_started, par_go;
static uint64 par_spins[PAR_THREADS];

static void
par_thread(void *arg)
{
	int me = (int)(uint64)arg;

	__atomic_add_fetch(&par_started, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&par_go, __ATOMIC_SEQ_CST))
		par_spins[me]++;
	exit(me);
}

static void
case_parallel(void)
{
	int tids[PAR_THREADS], start_time = uptime();

	for (int i = 0; i < PAR_THREADS; i++)
		if ((tids[i] = start(i, par_thread, (void *)(uint64)i)) < 0)
			return;
	while (__atomic_load_n(&par_started, __ATOMIC_SEQ_CST) < PAR_THREADS &&
	       uptime() - start_time < 1000)
		;
	if (par_started < PAR_THREADS)
		fail("only %d of %d threads started in 10 seconds", par_started,
		     PAR_THREADS);
	__atomic_store_n(&par_go, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < PAR_THREADS; i++)
		if (join(tids[i], i) != 0)
			return;
}

/* ---- sbrk ------------------------------------------------------------------- */

#define SBRK_BYTES   (64 * 4096)
#define SBRK_THREADS 3
#define SBRK_ROUNDS  8

static char *sbrk_region;

static void
sbrk_grow_thread(void *arg)
{
	char *p = sbrk(SBRK_BYTES);

	if (p == (char *)-1)
		exit(1);
	for (int i = 0; i < SBRK_BYTES; i += 4096)
		p[i] = (char)(i / 4096 + 1);
	sbrk_region = p;
	exit(0);
}

static void
sbrk_read_thread(void *arg)
{
	char *p = arg;

	for (int i = 0; i < SBRK_BYTES; i += 4096)
		if (p[i] != (char)(i / 4096 + 2))
			exit(2);
	exit(0);
}

/* Grow the heap and fill the new pages with a pattern of this thread's,
 * many times over, while other threads do the same; check it all. */
static void
sbrk_race_thread(void *arg)
{
	int me = (int)(uint64)arg;
	char *mine[SBRK_ROUNDS];

	for (int r = 0; r < SBRK_ROUNDS; r++) {
		if ((mine[r] = sbrk(SBRK_BYTES / 4)) == (char *)-1)
			exit(10);
		for (int i = 0; i < SBRK_BYTES / 4; i += 512)
			mine[r][i] = (char)(me * 31 + r + i / 512);
	}
	for (int r = 0; r < SBRK_ROUNDS; r++)
		for (int i = 0; i < SBRK_BYTES / 4; i += 512)
			if (mine[r][i] != (char)(me * 31 + r + i / 512))
				exit(20 + r);
	exit(0);
}

static void
case_sbrk(void)
{
	int tid, tids[SBRK_THREADS];
	char *p;

	/* A thread's sbrk, seen by its creator. */
	if ((tid = start(0, sbrk_grow_thread, 0)) < 0 || join(tid, 0) != 0)
		return fail("a thread could not sbrk and fill %d bytes",
			    SBRK_BYTES);
	for (int i = 0; i < SBRK_BYTES; i += 4096)
		if (sbrk_region[i] != (char)(i / 4096 + 1))
			return fail("memory a thread added with sbrk and wrote did "
				    "not hold its bytes when its creator read it");
	/* The creator's sbrk, touched first by a thread. */
	if ((p = sbrk(SBRK_BYTES)) == (char *)-1)
		return fail("sbrk(%d) failed: %s", SBRK_BYTES, strerror(errno));
	for (int i = 0; i < SBRK_BYTES; i += 4096)
		p[i] = (char)(i / 4096 + 2);
	if ((tid = start(1, sbrk_read_thread, p)) < 0)
		return;
	if (join(tid, 0) != 0)
		return fail("a thread did not see the bytes its creator wrote in "
			    "memory the creator added with sbrk");
	/* Shrinking while another thread runs is refused. */
	if ((tid = start(2, sbrk_read_thread, p)) < 0)
		return;
	if (sbrk(-4096) != (char *)-1 || errno != EBUSY)
		fail("sbrk(-4096) with another thread in the process did not fail "
		     "with EBUSY");
	join(tid, 0);
	/* Several threads growing and touching at once. */
	for (int i = 0; i < SBRK_THREADS; i++)
		if ((tids[i] = start(i, sbrk_race_thread, (void *)(uint64)i)) < 0)
			return;
	for (int i = 0; i < SBRK_THREADS; i++) {
		int status = -1;
		if (thread_join(tids[i], &status) != tids[i] || status != 0)
			return fail("a thread that grew the heap %d times while %d "
				    "others did too exited with %d (0: all its bytes "
				    "were there; 10: sbrk failed; 20+r: round r's "
				    "bytes were lost)", SBRK_ROUNDS, SBRK_THREADS - 1,
				    status);
	}
	if (sbrk(-4096) == (char *)-1)
		fail("sbrk(-4096) failed after every thread was joined: %s",
		     strerror(errno));
}

/* ---- many ------------------------------------------------------------------- */

#define MANY_ROUNDS  30
#define MANY_THREADS 6

static int many_count;

static void
many_thread(void *arg)
{
	__atomic_add_fetch(&many_count, 1, __ATOMIC_SEQ_CST);
	exit((int)(uint64)arg);
}

static int hold_go;

static void
hold_thread(void *arg)
{
	while (!__atomic_load_n(&hold_go, __ATOMIC_SEQ_CST))
		sleep(1);
	exit(0);
}

static void
case_many(void)
{
	uint64 before;
	int tids[NSTACK], n = 0, r;

	/* Warm up: the first rounds may grow tables that stay. */
	for (int i = 0; i < MANY_THREADS; i++)
		if ((tids[i] = start(i, many_thread, (void *)(uint64)i)) < 0)
			return;
	for (int i = 0; i < MANY_THREADS; i++)
		if (join(tids[i], i) != 0)
			return;
	before = free_pages();
	for (int round = 0; round < MANY_ROUNDS; round++) {
		for (int i = 0; i < MANY_THREADS; i++)
			if ((tids[i] = start(i, many_thread, (void *)(uint64)i)) < 0)
				return;
		for (int i = 0; i < MANY_THREADS; i++)
			if (join(tids[i], i) != 0)
				return;
	}
	if (many_count != (MANY_ROUNDS + 1) * MANY_THREADS)
		return fail("%d threads ran, expected %d", many_count,
			    (MANY_ROUNDS + 1) * MANY_THREADS);
	if (free_pages() != before)
		return fail("%d rounds of %d threads created and joined left %ld "
			    "pages fewer free (%ld before, %ld after): a thread's "
			    "trapframe or kernel state is not freed when it is "
			    "joined", MANY_ROUNDS, MANY_THREADS,
			    (long)(before - free_pages()), (long)before,
			    (long)free_pages());
	/* As many threads at once as there are trapframe slots, then one more. */
	for (n = 0; n < MAX_EXTRA; n++)
		if ((tids[n] = thread_create(hold_thread, 0, stack_top(n))) < 0)
			break;
	if (n < MAX_EXTRA)
		fail("thread_create of extra thread %d of %d failed: %s", n + 1,
		     MAX_EXTRA, strerror(errno));
	else if ((r = thread_create(hold_thread, 0, stack_top(NSTACK - 1))) >= 0 ||
		 errno != EAGAIN)
		fail("thread_create with %d threads running returned %d (%s), "
		     "expected -1 with EAGAIN: every trapframe slot is taken",
		     MAX_EXTRA + 1, r, r < 0 ? strerror(errno) : "a thread");
	__atomic_store_n(&hold_go, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < n; i++)
		join(tids[i], 0);
}

/* ---- join ------------------------------------------------------------------- */

static void
slow_thread(void *arg)
{
	sleep(10);
	exit(3);
}

static void
case_join(void)
{
	int tid, child, pid, status = -1;

	if ((tid = start(0, slow_thread, 0)) < 0)
		return;
	if ((child = fork()) == 0)
		exit(5);
	if (child < 0)
		return fail("fork failed: %s", strerror(errno));
	pid = wait(&status);
	if (pid != child || status != 5)
		return fail("wait() returned %d with status %d, expected the "
			    "child process %d with 5 (wait must not reap "
			    "threads)", pid, status, child);
	if ((pid = wait(&status)) != -1 || errno != ECHILD)
		return fail("a second wait() returned %d (%s), expected -1 with "
			    "ECHILD: threads are not child processes", pid,
			    pid < 0 ? strerror(errno) : "a pid");
	if ((child = fork()) == 0)
		exit(6);
	if (thread_join(child, &status) != -1 || errno != ESRCH)
		fail("thread_join of child process %d did not fail with ESRCH",
		     child);
	wait(0);
	if (join(tid, 3) != 0)
		return;
	if (thread_join(tid, &status) != -1 || errno != ESRCH)
		fail("a second thread_join(%d) of a joined thread did not fail "
		     "with ESRCH", tid);
	if (thread_join(getpid(), &status) != -1 || errno != ESRCH)
		fail("thread_join of the caller itself did not fail with ESRCH");
	if (thread_create(slow_thread, 0, stacks[0] + 8) != -1 || errno != EINVAL)
		fail("thread_create with a stack not a multiple of 16 did not "
		     "fail with EINVAL");
	if (thread_create(0, 0, stack_top(0)) != -1 || errno != EINVAL)
		fail("thread_create of a null function did not fail with EINVAL");
}

/* ---- fault ------------------------------------------------------------------ */

static void
returning_thread(void *arg)
{
	/* Returns to address 0: the fault kills this thread only. */
}

static void
case_fault(void)
{
	int tid;

	printf("threadtest: fault: a thread now returns from its function "
	       "and is killed:\n");
	if ((tid = start(0, returning_thread, 0)) < 0)
		return;
	if (join(tid, -1) != 0)
		return;
	if ((tid = start(0, many_thread, (void *)9)) < 0)
		return;
	join(tid, 9);
}

/* ---- main ------------------------------------------------------------------- */

static const struct probe_case cases[] = {
	{ "create", case_create },
	{ "parallel", case_parallel },
	{ "sbrk", case_sbrk },
	{ "many", case_many },
	{ "join", case_join },
	{ "fault", case_fault },
};

int
main(int argc, char **argv)
{
	return probe_main(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
}
