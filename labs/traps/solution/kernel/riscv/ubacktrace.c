/*
 * kernel/riscv/ubacktrace.c: the call stack of a user program killed for
 * a fault, printed under the kernel's one-line message (the traps lab).
 *
 *   pid 4 faultchain: store page fault at address 0x0..., pc 0x...: killed
 *   user backtrace:
 *     #0 0x000000000000102a      the faulting pc
 *     #1 0x0000000000001064      return addresses, innermost first
 *     ...
 *
 * User code is built with -fno-omit-frame-pointer, like the kernel, so
 * each frame keeps its return address at fp - 8 and its caller's frame
 * pointer at fp - 16 (book chapter 13, "How the backtrace is found"), and
 * the fault left the program's fp in the trapframe's s0.  But the chain
 * lives in user memory, which the program owns: nothing in it is
 * trusted.  Every word is read with copyin, and the walk stops at the
 * first frame pointer that is not 16-byte aligned, not inside the user
 * stack, or not above the one before it, and after UBT_MAX_FRAMES lines.
 * A broken chain gives a short backtrace, never a kernel fault or an
 * endless loop.
 */
#include "kernel/riscv/trap.h"
#include "kernel/proc/proc.h"
#include "kernel/mem/vm.h"
#include "kernel/lib/printf.h"

#define UBT_MAX_FRAMES 32   /* lines printed at most, #0 included */

/* Is fp a frame pointer of p's stack: aligned as the ABI keeps sp, with
 * its two saved words inside the stack's pages?  exec puts the stack's
 * USTACKPAGES pages just below heap_start. */
static bool
frame_on_stack(struct proc *p, uint64 fp)
{
	uint64 top = p->heap_start;

	if (top < (USTACKPAGES + 1) * PGSIZE)
		return false;   /* no stack that exec built */
	return fp % 16 == 0 && fp >= top - USTACKPAGES * PGSIZE + 16 &&
	       fp <= top;
}

/* The word at user address va, or false if it cannot be read. */
static bool
user_word(struct proc *p, uint64 va, uint64 *word)
{
	return copyin(p->pagetable, word, va, sizeof(*word)) == 0;
}

/*
 * A function that calls nothing (a leaf) saves no return address: its
 * frame holds only the caller's fp, at fp - 8, and the return address is
 * still in ra.  A return address is code, below the stack, so a word at
 * fp - 8 that is a frame pointer further up the stack means a leaf.
 * Only the faulting function can be one: every other frame made a call.
 */
static bool
leaf_frame(struct proc *p, uint64 fp, uint64 *caller_fp)
{
	return frame_on_stack(p, fp) && user_word(p, fp - 8, caller_fp) &&
	       *caller_fp > fp && frame_on_stack(p, *caller_fp);
}

void
user_backtrace(struct proc *p)
{
	struct trapframe *tf = p->trapframe;
	uint64 fp = tf->s0, ra, caller_fp;
	int n = 0;

	printf("user backtrace:\n");
	printf("  #%d %p\n", n++, (void *)tf->epc);
	if (leaf_frame(p, fp, &caller_fp)) {
		printf("  #%d %p\n", n++, (void *)tf->ra);
		fp = caller_fp;
	}
	while (n < UBT_MAX_FRAMES && frame_on_stack(p, fp)) {
		if (!user_word(p, fp - 8, &ra) ||
		    !user_word(p, fp - 16, &caller_fp) || ra == 0)
			break;
		printf("  #%d %p\n", n++, (void *)ra);
		if (caller_fp <= fp)   /* 0 at main's frame (user/lib/crt0.S) */
			break;
		fp = caller_fp;
	}
}
