/*
 * kernel/proc/syscall.c: system-call dispatch and argument fetching.
 *
 * The dispatch table is generated from include/syscalls.h; the user stubs
 * are generated from the same table, so numbers can never disagree.  A
 * call's arguments arrive in a0..a5 of the saved user registers and its
 * result goes back in a0.
 *
 * The path for a call like getpid is deliberately short and lock-free:
 * uservec, usertrap, syscall, the handler, usertrapret, userret.
 */
#include <stddef.h>
#include "include/syscalls.h"
#include "include/errno.h"
#include "kernel/proc/syscall.h"
#include "kernel/proc/proc.h"
#include "kernel/mem/vm.h"

static uint64 (*const syscall_table[])(void) = {
#define SYSCALL_ENTRY(number, name, ret, params) [number] = sys_##name,
	SYSCALL_TABLE(SYSCALL_ENTRY)
#undef SYSCALL_ENTRY
};

#define NSYSCALL (sizeof(syscall_table) / sizeof(syscall_table[0]))

void
syscall(void)
{
	struct trapframe *tf = myproc()->trapframe;
	uint64 num = tf->a7;

	if (num < NSYSCALL && syscall_table[num])
		tf->a0 = syscall_table[num]();
	else
		tf->a0 = -ENOSYS;
}

int
argstr(int n, char *buf, int max)
{
	uint64 addr;

	argaddr(n, &addr);
	return fetchstr(addr, buf, max);
}

int
fetchaddr(uint64 addr, uint64 *ip)
{
	return copyin(myproc()->pagetable, ip, addr, sizeof(*ip));
}

int
fetchstr(uint64 addr, char *buf, int max)
{
	return copyinstr(myproc()->pagetable, buf, addr, max);
}
