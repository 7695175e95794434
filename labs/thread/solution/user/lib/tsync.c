/*
 * user/lib/tsync.c: a mutex and a barrier for kernel threads (the
 * interface is in user/thread.h).
 *
 * Both keep their state in ints that threads change only with atomic
 * instructions (the compiler's __atomic builtins become RISC-V's amo*
 * instructions and lr/sc), and call the kernel only to sleep and to wake:
 * futex_wait(addr, v) sleeps only if *addr still holds v when the kernel
 * looks, and the kernel looks and sleeps as one step against futex_wake.
 * So a thread that reads a value, decides to sleep, and calls futex_wait
 * with that value, cannot miss a change made after its read: the change
 * makes the kernel refuse the sleep, or the wake that follows the change
 * finds it asleep.
 *
 * The mutex has three states so that an unlock calls the kernel only when
 * someone may be waiting: MUTEX_HELD becomes MUTEX_CONTENDED when a thread
 * finds the mutex taken and is about to sleep.
 *
 * The barrier counts arrivals; the last to arrive of a round resets the
 * count, ends the round by incrementing `round`, and wakes the others,
 * who sleep while `round` is still the one they arrived in.
 */
#include "user/user.h"
#include "user/thread.h"

void
mutex_init(struct mutex *m)
{
	__atomic_store_n(&m->state, MUTEX_FREE, __ATOMIC_RELEASE);
}

void
mutex_lock(struct mutex *m)
{
	int seen = MUTEX_FREE;

	if (__atomic_compare_exchange_n(&m->state, &seen, MUTEX_HELD, false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;              /* it was free: ours, with nobody waiting */
	/* Taken.  Mark it contended while we wait: whoever frees it then
	 * wakes us.  Taking it from here on leaves it contended, since
	 * others may still sleep. */
	while (__atomic_exchange_n(&m->state, MUTEX_CONTENDED,
				   __ATOMIC_ACQUIRE) != MUTEX_FREE)
		futex_wait(&m->state, MUTEX_CONTENDED);
}

void
mutex_unlock(struct mutex *m)
{
	if (__atomic_exchange_n(&m->state, MUTEX_FREE, __ATOMIC_RELEASE) ==
	    MUTEX_CONTENDED)
		futex_wake(&m->state);
}

void
barrier_init(struct barrier *b, int nthreads)
{
	b->nthreads = nthreads;
	b->arrived = 0;
	__atomic_store_n(&b->round, 0, __ATOMIC_RELEASE);
}

void
barrier_wait(struct barrier *b)
{
	/* Read the round before arriving: once we have arrived, the last
	 * thread may end it at any moment. */
	int round = __atomic_load_n(&b->round, __ATOMIC_ACQUIRE);

	if (__atomic_add_fetch(&b->arrived, 1, __ATOMIC_ACQ_REL) == b->nthreads) {
		__atomic_store_n(&b->arrived, 0, __ATOMIC_RELAXED);
		__atomic_add_fetch(&b->round, 1, __ATOMIC_RELEASE);
		futex_wake(&b->round);
		return;
	}
	while (__atomic_load_n(&b->round, __ATOMIC_ACQUIRE) == round)
		futex_wait(&b->round, round);
}
