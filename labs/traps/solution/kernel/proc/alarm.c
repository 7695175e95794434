/*
 * kernel/proc/alarm.c: sigalarm and sigreturn, a periodic handler in user
 * mode (the traps lab, labs/traps/README.md).
 *
 * sigalarm(ticks, handler) asks the kernel to run handler, in user mode,
 * after every `ticks` timer ticks that the process spends running in user
 * mode; the handler ends with sigreturn(), which resumes the code it
 * interrupted with every register exactly as it was.
 *
 * The whole mechanism is a copy of the trapframe.  When a tick completes
 * an interval (alarm_tick, on the timer's path through usertrap), the
 * registers the trap saved are copied aside and the trapframe's pc is
 * pointed at the handler, so the return to user mode lands there, on the
 * interrupted code's own stack.  sigreturn copies the registers back, and
 * its return to user mode lands where the tick interrupted.  While the
 * handler runs, ticks are not counted and no new call starts, so the
 * copy is never overwritten.
 *
 * Decisions: fork's child and exec's new program start with no alarm (the
 * handler's address means nothing in another program, and a child has
 * not asked for one); sigreturn with no handler running fails with
 * EINVAL and changes nothing.
 */
#include "kernel/proc/alarm.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/syscall.h"
#include "kernel/mem/vm.h"
#include "include/errno.h"
#include "include/string.h"

void
alarm_clear(struct proc *p)
{
	memset(&p->alarm, 0, sizeof(p->alarm));
}

/* Could the process run code at va: mapped for user mode, executable,
 * and aligned as an instruction must be (2 bytes, with compressed ones)? */
static bool
user_code(pagetable_t pagetable, uint64 va)
{
	pte_t *pte;

	if (va >= MAXVA || va % 2 != 0)
		return false;
	pte = walk(pagetable, va, false);
	return pte && (*pte & (PTE_V | PTE_U | PTE_X)) == (PTE_V | PTE_U | PTE_X);
}

/* sigalarm(int ticks, void (*handler)(void)): 0, or -EINVAL for a
 * negative ticks, -EFAULT for a handler that is not user code.  Ticks 0
 * turns the alarm off, whatever the handler. */
uint64
sys_sigalarm(void)
{
	struct alarm *a = &myproc()->alarm;
	uint64 handler;
	int ticks;

	argint(0, &ticks);
	argaddr(1, &handler);
	if (ticks < 0)
		return -EINVAL;
	if (ticks > 0 && !user_code(myproc()->pagetable, handler))
		return -EFAULT;
	a->interval = ticks;
	a->handler = ticks > 0 ? handler : 0;
	a->elapsed = 0;
	return 0;
}

/* sigreturn(void): resume the code the handler interrupted.  Returns the
 * interrupted a0, since syscall() writes the result into a0; -EINVAL
 * when no handler is running. */
uint64
sys_sigreturn(void)
{
	struct proc *p = myproc();
	struct alarm *a = &p->alarm;

	if (!a->running)
		return -EINVAL;
	/* The kernel's fields come back stale, but usertrapret rewrites
	 * them before every return to user mode. */
	*p->trapframe = a->saved;
	a->running = false;
	return p->trapframe->a0;
}

void
alarm_tick(struct proc *p)
{
	struct alarm *a = &p->alarm;

	if (a->interval == 0 || a->running)
		return;
	if (++a->elapsed < a->interval)
		return;
	a->elapsed = 0;
	a->saved = *p->trapframe;
	a->running = true;
	p->trapframe->epc = a->handler;
	/* A handler that returns instead of calling sigreturn jumps to 0
	 * and is killed there, rather than wandering off. */
	p->trapframe->ra = 0;
}
