/*
 * user/lib/uthread_switch.S: switch user-level threads (user/uthread.h).
 *
 *   void uthread_switch(struct uthread_context *old,
 *                       struct uthread_context *new);
 *
 * a0 = old, a1 = new.  Store the registers of struct uthread_context at
 * their offsets in *old, load them from *new, and return: to wherever *new
 * last called uthread_switch, or, for a thread that has never run, to the
 * ra that uthread_create put in its context.
 */
	.text
	.globl	uthread_switch
uthread_switch:
	/* your code here */
	ret
