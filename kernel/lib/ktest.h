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
 */
#ifndef KERNEL_LIB_KTEST_H
#define KERNEL_LIB_KTEST_H

#ifdef KTEST
/* Called with every character typed on the console. */
void ktest_console_key(int c);
#else
static inline void
ktest_console_key(int c)
{
	(void)c;
}
#endif

#endif /* KERNEL_LIB_KTEST_H */
