/*
 * kernel/proc/futex.h: sleeping on a word of user memory, the one kernel
 * service that user-space mutexes and barriers need (kernel/proc/futex.c).
 *
 * futex_wait(addr, expected): if the int at user address addr holds
 *   expected, sleep until a futex_wake(addr); else return at once.
 *   0 after a wake-up (or a spurious return: callers check their condition
 *   again), -EAGAIN if *addr was not expected, -EINVAL for an address not
 *   aligned to an int, -EFAULT for one the process cannot read, -EINTR if
 *   killed.
 * futex_wake(addr): wake every thread in futex_wait(addr).  0, or -EINVAL
 *   / -EFAULT as above.
 */
#ifndef KERNEL_PROC_FUTEX_H
#define KERNEL_PROC_FUTEX_H

#include "include/types.h"

void futex_init(void);
int futex_wait(uint64 addr, int expected);
int futex_wake(uint64 addr);

#endif /* KERNEL_PROC_FUTEX_H */
