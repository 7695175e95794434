/*
 * kernel/proc/futex.c: futex_wait and futex_wake (the contract is in
 * kernel/proc/futex.h).
 *
 * A futex is any int of user memory.  The user-space lock or barrier
 * built on it keeps its state in that int, changes it with atomic
 * instructions, and enters the kernel only to sleep until the int changes
 * (futex_wait) or to wake the sleepers after changing it (futex_wake).
 *
 * Your design goes here: which channel the threads sleep on, and why no
 * wake-up can be lost between futex_wait's look at the word and its sleep.
 */
#include "kernel/proc/futex.h"
#include "kernel/proc/proc.h"
#include "kernel/mem/vm.h"
#include "include/errno.h"

static struct spinlock futex_lock;

void
futex_init(void)
{
	initlock(&futex_lock, "futex");
}

int
futex_wait(uint64 addr, int expected)
{
	return -ENOSYS;      /* your code here */
}

int
futex_wake(uint64 addr)
{
	return -ENOSYS;      /* your code here */
}
