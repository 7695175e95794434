/*
 * user/lib/uthread_switch.S: switch user-level threads (user/uthread.h).
 *
 *   void uthread_switch(struct uthread_context *old,
 *                       struct uthread_context *new);
 *
 * a0 = old, a1 = new.  Stores ra, sp and s0..s11 at their offsets in
 * *old, loads them from *new, and returns: to wherever *new last called
 * uthread_switch, or, for a thread that has never run, to the ra that
 * uthread_create put in its context.  The other registers need no saving:
 * the caller of a function already expects them to be clobbered.
 */
	.text
	.globl	uthread_switch
uthread_switch:
	sd	ra, 0(a0)
	sd	sp, 8(a0)
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11
	sd	s\n, (16 + 8 * \n)(a0)
	.endr

	ld	ra, 0(a1)
	ld	sp, 8(a1)
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11
	ld	s\n, (16 + 8 * \n)(a1)
	.endr
	ret
