/*
 * user/lib/ugetpid.c: ugetpid(), the caller's pid without a system call,
 * read from the page the kernel maps read-only at USYSCALL
 * (include/usyscall.h).
 */
#include "user/user.h"
#include "include/usyscall.h"

int
ugetpid(void)
{
	const struct usyscall *shared = (const struct usyscall *)USYSCALL;

	return shared->pid;
}
