/*
 * crash: fault on purpose, to show how the kernel handles a bad program.
 *
 *   crash [null|text|kernel|illegal|fpu|csr|stack|oom]
 *
 * Each way of crashing should kill only this process, with a one-line
 * message from the kernel naming the pid, the program, the cause, the
 * faulting address and the pc.  Default: null.  (oom is the one way that
 * is not the program's bug: it reserves more heap than there is memory,
 * which sbrk allows, and touches it until a page cannot be had.)
 */
#include "user/user.h"

/* Recurse until the stack runs into its guard page. */
static int
recurse(volatile int depth)
{
	volatile char pad[512];

	pad[0] = depth;
	if (depth >= 0)
		return recurse(depth + 1) + pad[0];
	return 0;
}

/* Reserve twice the memory there is, then touch it a page at a time. */
static void
touch_too_much(void)
{
	struct sysinfo info;
	uint64 reserved = 0;
	char *p = sbrk(0);

	if (sysinfo(&info) < 0)
		exit(1);
	while (reserved < 2 * info.totalpages * 4096 && sbrk(1 << 30) != (char *)-1)
		reserved += 1 << 30;
	for (;;) {
		*(volatile char *)p = 1;
		p += 4096;
	}
}

static void
usage(void)
{
	fprintf(2, "usage: crash [null|text|kernel|illegal|fpu|csr|stack|oom]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char *how = argc > 1 ? argv[1] : "null";

	if (argc > 2)
		usage();
	if (strcmp(how, "null") == 0)
		printf("%d\n", *(volatile int *)0);
	else if (strcmp(how, "text") == 0)
		*(volatile int *)main = 0;
	else if (strcmp(how, "kernel") == 0)
		printf("%d\n", *(volatile int *)0x80200000L);
	else if (strcmp(how, "illegal") == 0)
		asm volatile(".word 0");
	else if (strcmp(how, "fpu") == 0)
		asm volatile(".word 0x00000053");   /* fadd.s ft0, ft0, ft0 */
	else if (strcmp(how, "csr") == 0)
		asm volatile("csrr a0, sstatus" ::: "a0");
	else if (strcmp(how, "stack") == 0)
		recurse(0);
	else if (strcmp(how, "oom") == 0)
		touch_too_much();
	else
		usage();
	printf("crash: still alive after '%s'\n", how);
	return 1;
}
