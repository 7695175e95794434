/*
 * kernel/lib/ktest.c: the failure triggers of test kernels (see kernel/lib/ktest.h).
 *
 * Compiled to nothing unless the kernel is built with `make KTEST=1`.
 */
#ifdef KTEST
#include "kernel/lib/ktest.h"
#include "kernel/lib/printf.h"

#define PANIC_KEY 0x1c   /* Ctrl-\ */

void
ktest_console_key(int c)
{
	if (c == PANIC_KEY)
		panic("test kernel: Ctrl-\\ typed on the console");
}
#endif /* KTEST */
