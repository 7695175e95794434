/*
 * kernel/proc/systhread.c: the system calls of threads: thread_create,
 * thread_join, futex_wait, futex_wake.  Each fetches its arguments and
 * hands them to the code that does the work: kernel/proc/proc.c for
 * threads, kernel/proc/futex.c for futexes.
 */
#include "kernel/proc/syscall.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/futex.h"

/* Start fn(arg) in a new thread of this process, on the stack whose top
 * is `stack`; returns the new thread's id (a pid). */
uint64
sys_thread_create(void)
{
	uint64 fn, arg, stack;

	argaddr(0, &fn);
	argaddr(1, &arg);
	argaddr(2, &stack);
	return thread_create(fn, arg, stack);
}

/* Wait for thread tid to exit; store its status at status (if not 0). */
uint64
sys_thread_join(void)
{
	uint64 status;
	int tid;

	argint(0, &tid);
	argaddr(1, &status);
	return thread_join(tid, status);
}

/* Sleep while the int at addr holds expected (until futex_wake). */
uint64
sys_futex_wait(void)
{
	uint64 addr;
	int expected;

	argaddr(0, &addr);
	argint(1, &expected);
	return futex_wait(addr, expected);
}

/* Wake every thread sleeping in futex_wait on addr. */
uint64
sys_futex_wake(void)
{
	uint64 addr;

	argaddr(0, &addr);
	return futex_wake(addr);
}
