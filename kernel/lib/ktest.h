/*
 * kernel/lib/ktest.h: ways to break the kernel on purpose, in test kernels only.
 *
 * Some tests must see the kernel fail: that a panic prints a backtrace
 * with function names, for instance.  The triggers for such failures must
 * not exist in the kernel people run, where anyone at the console could
 * use them, and an "off" switch inside the kernel could be turned on by
 * mistake.  So they are compiled in only by `make KTEST=1` (the Makefile
 * then defines KTEST); the tests build that kernel in a scratch copy of
 * the tree.  In every other kernel each hook below is an empty inline
 * function, and the compiler removes the call.
 *
 * The triggers:
 *   Ctrl-\ on the console   panic (the key Unix terminals use for "quit
 *                           and dump core")
 *   bootargs ktest.lostlock  hart 0 takes a lock at boot and gets stuck
 *                           holding it; hart 1 then asks for it, spins, and
 *                           after 10 s reports the deadlock
 *                           (kernel/lock/spinlock.c)
 *   bootargs ktest.sleepheld the sleep system call takes a lock before it
 *                           sleeps: sleep() reports it
 *   bootargs ktest.lockagain hart 0 asks at boot for a lock it holds
 *   bootargs ktest.lockorder hart 0 takes two locks in one order, then in
 *                           the other: in a LOCKDEP build the lock-order
 *                           checker reports it (kernel/lock/lockdep.c)
 *
 * And one recorder, for the crash tests (grading/crash_test.py):
 *   bootargs ktest.writelog  print every block the disk driver writes and
 *                           every cache flush it asks for, as it queues
 *                           them, so that the host can rebuild the disk as
 *                           a power failure could leave it at any point
 *                           (kernel/lib/ktest.c describes the lines)
 */
#ifndef KERNEL_LIB_KTEST_H
#define KERNEL_LIB_KTEST_H

struct buf;

#ifdef KTEST
/* Called with every character typed on the console. */
void ktest_console_key(int c);
/* Called by each hart at the end of its boot, before its scheduler. */
void ktest_hart_booted(void);
/* Called by the sleep system call before it takes tickslock. */
void ktest_syscall_sleep(void);
/* Called by the disk driver, holding its lock, as it queues a request to
 * write the run bufs[0..n-1] (consecutive blocks), or a cache flush. */
void ktest_disk_write(struct buf **bufs, int n);
void ktest_disk_flush(void);
#else
static inline void
ktest_console_key(int c)
{
	(void)c;
}

static inline void
ktest_hart_booted(void)
{
}

static inline void
ktest_syscall_sleep(void)
{
}

static inline void
ktest_disk_write(struct buf **bufs, int n)
{
	(void)bufs;
	(void)n;
}

static inline void
ktest_disk_flush(void)
{
}
#endif

#endif /* KERNEL_LIB_KTEST_H */
