/*
 * user/thread.h: synchronisation for kernel threads (the thread lab,
 * part 3): a mutex and a barrier, built in user space on atomic
 * instructions and the kernel's futex_wait and futex_wake.
 *
 * The system calls themselves are declared with the others in
 * user/user.h (from include/syscalls.h):
 *
 *   thread_create(fn, arg, stack)  run fn(arg) in a new thread of this
 *                                  process, its stack pointer starting at
 *                                  stack (the top of its stack, a multiple
 *                                  of 16); fn must end with exit(status).
 *                                  The new thread's id, or -1.
 *   thread_join(tid, &status)      wait for thread tid (one the caller
 *                                  created) to exit; tid, or -1.
 *   futex_wait(addr, expected)     sleep if *addr == expected, until a
 *                                  futex_wake(addr); 0, or -1 (EAGAIN:
 *                                  *addr was not expected)
 *   futex_wake(addr)               wake every thread waiting on addr
 *
 * mutex_lock(m)       wait until m is free and take it
 * mutex_unlock(m)     free m (the caller holds it), waking a waiter
 * barrier_init(b, n)  a barrier for n threads
 * barrier_wait(b)     wait until all n threads have called barrier_wait
 *                     for this round, then all go on; the barrier can be
 *                     used again at once for the next round
 */
#ifndef USER_THREAD_H
#define USER_THREAD_H

struct mutex {
	int state;            /* MUTEX_FREE, MUTEX_HELD or MUTEX_CONTENDED */
};

#define MUTEX_FREE       0
#define MUTEX_HELD       1    /* taken, and nobody waits for it */
#define MUTEX_CONTENDED  2    /* taken, and someone may wait in futex_wait */
#define MUTEX_INITIALIZER { MUTEX_FREE }

struct barrier {
	int nthreads;         /* threads that meet at the barrier */
	int arrived;          /* threads that have arrived this round */
	int round;            /* rounds completed: the futex word */
};

void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);

void barrier_init(struct barrier *b, int nthreads);
void barrier_wait(struct barrier *b);

#endif /* USER_THREAD_H */
