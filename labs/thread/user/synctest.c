/*
 * labs/thread/user/synctest.c: checks futex_wait/futex_wake, and the mutex
 * and barrier of user/thread.h, with kernel threads on several harts.
 *
 * usage: synctest [case ...]      (no case: all of them)
 *
 *   futex    futex_wait returns at once (EAGAIN) when the word has changed,
 *            EINVAL for a misaligned word; a waiter sleeps until woken
 *   mutex    four threads add to one counter: without the mutex updates
 *            are lost (the race, shown), with it none are, and no two
 *            threads are ever inside at once
 *   barrier  four threads meet at one barrier for many rounds: nobody
 *            passes before all have arrived, and nobody sleeps through
 *            the last arrival (a lost wake-up)
 *
 * A watchdog ends a case whose threads make no progress for a while (a
 * lost wake-up leaves a thread asleep for ever): it kills them and says
 * where they were.  Each case prints "synctest: CASE: ok" or "synctest:
 * CASE: FAILED: why"; the grader reads those lines.
 */
#include "user/user.h"
#include "user/thread.h"

#define PROBE_NAME "synctest"
#include "labs/thread/user/probe.h"

#define NTHREADS        4
#define STACKSIZE       8192
#define WATCHDOG_TICKS  500         /* 5 s without progress: stuck */

static char stacks[NTHREADS][STACKSIZE] __attribute__((aligned(16)));
static int progress;                /* bumped by the threads as they go */

/*
 * Run fn(0) .. fn(n-1) in n threads and join them.  If `progress` stands
 * still for WATCHDOG_TICKS, kill them all and return -1 (the caller says
 * what that means); -2 if a thread could not be created (said here);
 * else 0, with each thread's exit status in status[].
 */
static int
run_threads(int n, void (*fn)(void *), int *status)
{
	int tids[NTHREADS], last = 0, still = 0, now;

	progress = 0;
	for (int i = 0; i < n; i++) {
		tids[i] = thread_create(fn, (void *)(uint64)i,
					stacks[i] + STACKSIZE);
		if (tids[i] < 0) {
			fail("thread_create failed: %s", strerror(errno));
			for (int j = 0; j < i; j++)
				kill(tids[j]);
			for (int j = 0; j < i; j++)
				thread_join(tids[j], &status[j]);
			return -2;
		}
	}
	/* finished() sets progress to -1 when the last thread is done. */
	while ((now = __atomic_load_n(&progress, __ATOMIC_SEQ_CST)) != -1 &&
	       still < WATCHDOG_TICKS) {
		still = now == last ? still + 1 : 0;
		last = now;
		sleep(1);
	}
	if (still >= WATCHDOG_TICKS)
		for (int i = 0; i < n; i++)
			kill(tids[i]);
	for (int i = 0; i < n; i++)
		thread_join(tids[i], &status[i]);
	return still >= WATCHDOG_TICKS ? -1 : 0;
}

/* Mark the end of a thread's work, for run_threads. */
static void
finished(int *count, int n)
{
	if (__atomic_add_fetch(count, 1, __ATOMIC_SEQ_CST) == n)
		__atomic_store_n(&progress, -1, __ATOMIC_SEQ_CST);
	else
		__atomic_add_fetch(&progress, 1, __ATOMIC_SEQ_CST);
}

/* ---- futex ------------------------------------------------------------------ */

static int futex_word, futex_waiting, futex_finished;

static void
futex_thread(void *arg)
{
	__atomic_store_n(&futex_waiting, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&futex_word, __ATOMIC_SEQ_CST) == 0)
		futex_wait(&futex_word, 0);
	finished(&futex_finished, 1);
	exit(0);
}

static void
case_futex(void)
{
	int word = 7, status[1], tid, r;

	if ((r = futex_wait(&word, 8)) != -1 || errno != EAGAIN)
		return fail("futex_wait(&w, 8) with w == 7 returned %d (%s), "
			    "expected -1 with EAGAIN at once", r,
			    r < 0 ? strerror(errno) : "no error");
	if ((r = futex_wait((int *)((char *)&word + 1), 7)) != -1 ||
	    errno != EINVAL)
		return fail("futex_wait of a misaligned address returned %d, "
			    "expected -1 with EINVAL", r);
	if ((r = futex_wake(&word)) != 0)
		return fail("futex_wake with nobody waiting returned %d (%s), "
			    "expected 0", r, r < 0 ? strerror(errno) : "");
	/* One waiter, woken by hand: a wake must reach a sleeper. */
	tid = thread_create(futex_thread, 0, stacks[0] + STACKSIZE);
	if (tid < 0)
		return fail("thread_create failed: %s", strerror(errno));
	while (!__atomic_load_n(&futex_waiting, __ATOMIC_SEQ_CST))
		sleep(1);
	sleep(5);                         /* let it reach futex_wait */
	__atomic_store_n(&futex_word, 1, __ATOMIC_SEQ_CST);
	futex_wake(&futex_word);
	for (int t = 0; t < WATCHDOG_TICKS && !futex_finished; t++)
		sleep(1);
	if (!futex_finished) {
		kill(tid);
		thread_join(tid, status);
		return fail("a thread in futex_wait(&w, 0) still slept %d ticks "
			    "after w = 1 and futex_wake(&w)", WATCHDOG_TICKS);
	}
	thread_join(tid, status);
}

/* ---- mutex ------------------------------------------------------------------ */

#define MUTEX_ADDS 20000

static struct mutex mutex = MUTEX_INITIALIZER;
static volatile int counter;
static int inside, most_inside, mutex_finished, use_mutex, mutex_started;

static void
mutex_thread(void *arg)
{
	/* Start together, so that the threads overlap. */
	__atomic_add_fetch(&mutex_started, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&mutex_started, __ATOMIC_SEQ_CST) % NTHREADS != 0)
		;
	for (int i = 0; i < MUTEX_ADDS; i++) {
		if (use_mutex)
			mutex_lock(&mutex);
		int n = __atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST);
		if (n > most_inside)
			most_inside = n;
		int c = counter;          /* read, work a little, write back */
		for (volatile int spin = 0; spin < 20; spin++)
			;
		counter = c + 1;
		__atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
		if (use_mutex)
			mutex_unlock(&mutex);
		if (i % 64 == 0)
			__atomic_add_fetch(&progress, 1, __ATOMIC_SEQ_CST);
	}
	finished(&mutex_finished, NTHREADS);
	exit(0);
}

static void
case_mutex(void)
{
	int status[NTHREADS], want = NTHREADS * MUTEX_ADDS, r;

	use_mutex = 0;
	counter = 0;
	mutex_finished = 0;
	if (run_threads(NTHREADS, mutex_thread, status) == -2)
		return;
	printf("synctest: mutex: without the mutex, %d of %d additions counted "
	       "(the race)\n", counter, want);

	use_mutex = 1;
	counter = 0;
	most_inside = 0;
	mutex_finished = 0;
	if ((r = run_threads(NTHREADS, mutex_thread, status)) == -2)
		return;
	if (r != 0)
		return fail("the threads made no progress for %d ticks with the "
			    "mutex (counter at %d of %d): a thread sleeps in "
			    "mutex_lock though the mutex is free, a lost wake-up "
			    "(does mutex_unlock wake a waiter, and does "
			    "futex_wait check the word and sleep as one step?)",
			    WATCHDOG_TICKS, counter, want);
	if (most_inside > 1)
		fail("%d threads were inside the critical section at once: "
		     "mutex_lock let a second thread in", most_inside);
	if (counter != want)
		fail("with the mutex, %d of %d additions counted: updates were "
		     "lost, so the mutex did not exclude", counter, want);
}

/* ---- barrier ---------------------------------------------------------------- */

#define BARRIER_ROUNDS 1000

static struct barrier barrier;
static int reached[NTHREADS];        /* the round each thread has reached */
static int early_round = -1, early_who, early_saw, barrier_finished;

static void
barrier_thread(void *arg)
{
	int me = (int)(uint64)arg;

	for (int round = 1; round <= BARRIER_ROUNDS; round++) {
		__atomic_store_n(&reached[me], round, __ATOMIC_SEQ_CST);
		barrier_wait(&barrier);
		for (int other = 0; other < NTHREADS; other++) {
			int r = __atomic_load_n(&reached[other], __ATOMIC_SEQ_CST);
			if (r < round && early_round < 0) {
				early_round = round;
				early_who = other;
				early_saw = r;
			}
		}
		__atomic_add_fetch(&progress, 1, __ATOMIC_SEQ_CST);
	}
	finished(&barrier_finished, NTHREADS);
	exit(0);
}

static void
case_barrier(void)
{
	int status[NTHREADS], r;
	char where[80];
	int n = 0;

	barrier_init(&barrier, NTHREADS);
	if ((r = run_threads(NTHREADS, barrier_thread, status)) == -2)
		return;
	if (r != 0) {
		for (int i = 0; i < NTHREADS; i++)
			n += snprintf(where + n, sizeof(where) - n, " %d",
				      reached[i]);
		return fail("the threads made no progress for %d ticks: rounds "
			    "reached:%s of %d.  All arrived, yet some slept on: a "
			    "lost wake-up (is the round read before arriving?  "
			    "does futex_wait check the word and sleep as one "
			    "step against futex_wake?)", WATCHDOG_TICKS, where,
			    BARRIER_ROUNDS);
	}
	if (early_round >= 0)
		fail("a thread left the barrier of round %d while thread %d had "
		     "only reached round %d: barrier_wait returned before every "
		     "thread arrived", early_round, early_who, early_saw);
}

/* ---- main ------------------------------------------------------------------- */

static const struct probe_case cases[] = {
	{ "futex", case_futex },
	{ "mutex", case_mutex },
	{ "barrier", case_barrier },
};

int
main(int argc, char **argv)
{
	return probe_main(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
}
