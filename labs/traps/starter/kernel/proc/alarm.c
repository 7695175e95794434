/*
 * kernel/proc/alarm.c: sigalarm and sigreturn, a periodic handler in user
 * mode (the traps lab, labs/traps/README.md).
 *
 * sigalarm(ticks, handler) asks the kernel to run handler, in user mode,
 * after every `ticks` timer ticks that the process spends running; the
 * handler ends with sigreturn(), which resumes the code it interrupted
 * with every register exactly as it was.
 *
 * Both calls are stubs for now: write them here, and change the timer
 * interrupt's path (kernel/riscv/trap.c:usertrap) to count ticks.
 */
#include "kernel/proc/proc.h"
#include "kernel/proc/syscall.h"
#include "include/errno.h"

/* sigalarm(int ticks, void (*handler)(void)): 0, or -EINVAL / -EFAULT. */
uint64
sys_sigalarm(void)
{
	return -ENOSYS;
}

/* sigreturn(void): resume the code the handler interrupted. */
uint64
sys_sigreturn(void)
{
	return -ENOSYS;
}
