/*
 * faultchain: fault at the end of a known chain of calls, for the traps
 * lab's user backtrace (labs/traps/README.md).
 *
 *   faultchain         main -> level_a -> level_b -> level_c, which
 *                      stores through a null pointer
 *   faultchain leaf    the same, but the fault is in level_leaf, which
 *                      calls nothing and so saves no return address
 *   faultchain loop    level_b first points its saved frame pointer at
 *                      its own frame, so the chain goes round in a circle
 *   faultchain wild    ... at a kernel address
 *   faultchain odd     ... at a misaligned address on the stack
 *   faultchain deep    dive calls itself 100 times, then faults
 *
 * The kernel kills the program; what is checked is what it prints.  The
 * corrupted frame pointers are never used by the program itself: level_b
 * does not return once level_c has faulted.
 */
#include "user/user.h"

#define DEEP 100

static const char *mode = "";

/*
 * Counted after each call of the chain.  A call that is the last thing a
 * function does becomes a plain jump at -O2 (a "sibling call"): the
 * caller's frame is gone before the callee runs, and so is its line in a
 * backtrace.  Work after the call keeps each call a real one.
 */
static volatile int returns;

/* A bad pointer, from a call the compiler cannot see through, so that
 * level_c is not a leaf: it saves a return address like most functions. */
__attribute__((noipa)) static volatile int *
bad_pointer(void)
{
	return (volatile int *)0;
}

__attribute__((noipa)) static void
level_leaf(void)
{
	*(volatile int *)0 = 3;   /* no call anywhere in this function */
}

__attribute__((noipa)) static void
level_c(void)
{
	*bad_pointer() = 1;
	returns++;
}

/* What to put in level_b's saved frame pointer (the caller's fp, at
 * fp - 16), or 0 to leave it alone. */
static uint64
corrupt_value(uint64 fp)
{
	if (strcmp(mode, "loop") == 0)
		return fp;
	if (strcmp(mode, "wild") == 0)
		return 0x80200000;
	if (strcmp(mode, "odd") == 0)
		return fp + 20;
	return 0;
}

__attribute__((noipa)) static void
level_b(void)
{
	uint64 *fp = __builtin_frame_address(0);
	uint64 bad = corrupt_value((uint64)fp);

	if (bad != 0)
		fp[-2] = bad;
	if (strcmp(mode, "leaf") == 0)
		level_leaf();
	else
		level_c();
	returns++;
}

__attribute__((noipa)) static void
level_a(void)
{
	level_b();
	returns++;
}

/* The volatile local, read after the call, keeps the compiler from
 * turning the recursion into a loop: every level keeps its frame. */
__attribute__((noipa)) static int
dive(int depth)
{
	volatile int here = depth;

	if (depth == 0) {
		*bad_pointer() = 2;
		return 0;
	}
	dive(depth - 1);
	return here;
}

int
main(int argc, char *argv[])
{
	if (argc > 1)
		mode = argv[1];
	if (strcmp(mode, "deep") == 0)
		dive(DEEP);
	else
		level_a();
	returns++;
	printf("faultchain: still running: the fault was not caught\n");
	return 1;
}
