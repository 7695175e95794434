/*
 * kernel/proc/syscall.h: system-call dispatch and argument fetching.
 *
 * Handlers are named sys_NAME after the rows of include/syscalls.h and
 * return the value for a0: a result, or -errno.  Their prototypes are
 * generated below from that table; the handlers themselves live with their
 * subsystem (kernel/proc/sysproc.c, kernel/fs/sysfile.c).  They fetch their
 * own arguments from the trapframe with the helpers below, which keep
 * xv6's signatures so that lab code written for it ports unchanged.
 */
#ifndef KERNEL_PROC_SYSCALL_H
#define KERNEL_PROC_SYSCALL_H

#include <stddef.h>
#include "include/types.h"
#include "include/syscalls.h"
#include "kernel/proc/proc.h"

/* uint64 sys_fork(void); uint64 sys_exit(void); ... one per table row. */
#define SYSCALL_HANDLER_PROTOTYPE(number, name, ret, params) uint64 sys_##name(void);
SYSCALL_TABLE(SYSCALL_HANDLER_PROTOTYPE)
#undef SYSCALL_HANDLER_PROTOTYPE

/* Run the call the current process asked for (a7) and set its result (a0). */
void syscall(void);

/*
 * Fetch argument n (0..5) of the current call: the raw saved register
 * (argraw), as an int (argint) or as an address (argaddr).  Inline:
 * most calls fetch two or three, and out of line each fetch cost a call,
 * a stack frame and a store and a load of its result, some fifteen
 * instructions for what is one load.
 */
static inline uint64
argraw(int n)
{
	const uint64 *args = &myproc()->trapframe->a0;

	return n >= 0 && n <= 5 ? args[n] : 0;
}
_Static_assert(offsetof(struct trapframe, a5) == offsetof(struct trapframe, a0) + 5 * 8,
	       "argraw: a0..a5 lie in order");

static inline void
argint(int n, int *ip)
{
	*ip = argraw(n);
}

/* Addresses are not checked here: copyin/copyout check them when used. */
static inline void
argaddr(int n, uint64 *ip)
{
	*ip = argraw(n);
}

/* Fetch string argument n into buf; its length, or -EFAULT / -ENAMETOOLONG. */
int  argstr(int n, char *buf, int max);
/* Fetch a uint64 / a string at a user address: 0 or length, else -EFAULT. */
int  fetchaddr(uint64 addr, uint64 *ip);
int  fetchstr(uint64 addr, char *buf, int max);

#endif /* KERNEL_PROC_SYSCALL_H */
