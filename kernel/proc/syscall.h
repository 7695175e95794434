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

#include "include/types.h"
#include "include/syscalls.h"

/* uint64 sys_fork(void); uint64 sys_exit(void); ... one per table row. */
#define SYSCALL_HANDLER_PROTOTYPE(number, name, ret, params) uint64 sys_##name(void);
SYSCALL_TABLE(SYSCALL_HANDLER_PROTOTYPE)
#undef SYSCALL_HANDLER_PROTOTYPE

/* Run the call the current process asked for (a7) and set its result (a0). */
void syscall(void);

void argint(int n, int *ip);
void argaddr(int n, uint64 *ip);
/* Fetch string argument n into buf; its length, or -EFAULT / -ENAMETOOLONG. */
int  argstr(int n, char *buf, int max);
/* Fetch a uint64 / a string at a user address: 0 or length, else -EFAULT. */
int  fetchaddr(uint64 addr, uint64 *ip);
int  fetchstr(uint64 addr, char *buf, int max);

#endif /* KERNEL_PROC_SYSCALL_H */
