/*
 * user/uthread.h: user-level threads, a library in one process (the
 * thread lab, part 1).
 *
 * The kernel knows nothing of these threads: one process runs them all,
 * one at a time, and a thread runs until it gives the CPU away itself
 * (uthread_yield or uthread_exit).  Giving it away is a call of
 * uthread_switch (user/lib/uthread_switch.S), which saves the registers a
 * called function must preserve into the old thread's context and loads
 * those of the new one.  The scheduler is uthread_run, called by main: it
 * runs the threads round robin, in the order they were created, and
 * returns when all have exited.
 *
 *   uthread_create(fn, arg)   a thread that will run fn(arg) on a stack of
 *                             its own; its id (0 .. UTHREAD_MAX-1), or -1
 *                             when UTHREAD_MAX threads exist
 *   uthread_run()             run the threads until every one has exited
 *   uthread_yield()           let the other threads run, then go on
 *   uthread_exit()            end the calling thread (returning from fn
 *                             does the same)
 *   uthread_self()            the calling thread's id
 */
#ifndef USER_UTHREAD_H
#define USER_UTHREAD_H

#include "include/types.h"

#define UTHREAD_MAX    8        /* threads at once */
#define UTHREAD_STACK  8192     /* bytes of stack per thread */

/* The registers uthread_switch saves: those the RISC-V calling convention
 * says a called function must give back as it found them.  The offsets
 * matter to the assembly: ra at 0, sp at 8, s0 at 16, ... s11 at 104. */
struct uthread_context {
	uint64 ra;
	uint64 sp;
	uint64 s[12];                 /* s0 .. s11 */
};

/* Save the current registers into *old, load *new's, and return into the
 * code *new was saved from (or to new->ra, for a thread never run). */
void uthread_switch(struct uthread_context *old, struct uthread_context *new);

int  uthread_create(void (*fn)(void *), void *arg);
void uthread_run(void);
void uthread_yield(void);
__attribute__((noreturn)) void uthread_exit(void);
int  uthread_self(void);

#endif /* USER_UTHREAD_H */
