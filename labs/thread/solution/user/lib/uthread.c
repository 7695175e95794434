/*
 * user/lib/uthread.c: user-level threads (the interface and the rules are
 * in user/uthread.h).
 *
 * A table of UTHREAD_MAX threads, each with a context and a stack of its
 * own.  uthread_run is the scheduler: it keeps its own context in
 * `scheduler` and loops over the table, switching to each runnable thread
 * in turn; a thread comes back to it by switching to `scheduler`
 * (uthread_yield, uthread_exit).  So every switch is between the
 * scheduler and one thread, as in the kernel (kernel/proc/proc.c).
 *
 * A new thread's context is made by hand so that the scheduler's first
 * switch to it "returns" into thread_start, on the thread's own stack;
 * thread_start calls the thread's function and then uthread_exit.
 */
#include "user/user.h"
#include "user/uthread.h"

enum uthread_state { FREE, RUNNABLE, RUNNING };

struct uthread {
	enum uthread_state state;
	struct uthread_context context;
	void (*fn)(void *);
	void *arg;
	/* The stack: the highest address is where it starts (sp), and the
	 * calling convention wants sp a multiple of 16. */
	char stack[UTHREAD_STACK] __attribute__((aligned(16)));
};

static struct uthread threads[UTHREAD_MAX];
static struct uthread_context scheduler;     /* uthread_run's registers */
static struct uthread *current;              /* running thread, or NULL */

/* The first code a new thread runs, on its own stack. */
static void
thread_start(void)
{
	current->fn(current->arg);
	uthread_exit();
}

int
uthread_create(void (*fn)(void *), void *arg)
{
	for (int id = 0; id < UTHREAD_MAX; id++) {
		struct uthread *t = &threads[id];
		if (t->state != FREE)
			continue;
		t->fn = fn;
		t->arg = arg;
		memset(&t->context, 0, sizeof(t->context));
		t->context.ra = (uint64)thread_start;
		t->context.sp = (uint64)(t->stack + UTHREAD_STACK);
		t->state = RUNNABLE;
		return id;
	}
	return -1;
}

void
uthread_run(void)
{
	bool ran;

	do {
		ran = false;
		for (struct uthread *t = threads; t < &threads[UTHREAD_MAX]; t++) {
			if (t->state != RUNNABLE)
				continue;
			t->state = RUNNING;
			current = t;
			uthread_switch(&scheduler, &t->context);
			current = NULL;
			ran = true;
		}
	} while (ran);
}

void
uthread_yield(void)
{
	current->state = RUNNABLE;
	uthread_switch(&current->context, &scheduler);
}

void
uthread_exit(void)
{
	current->state = FREE;
	uthread_switch(&current->context, &scheduler);
	for (;;)
		;                   /* a freed thread is never switched to */
}

int
uthread_self(void)
{
	return current - threads;
}
