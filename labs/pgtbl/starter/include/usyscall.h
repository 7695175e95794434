/*
 * include/usyscall.h: the page the kernel shares read-only with every
 * process, at USYSCALL (include/addrspace.h).
 *
 * Some system calls only read a value the kernel already knows and that
 * never changes while the process runs.  The kernel writes such values
 * into this page when it makes the process, and maps the page readable by
 * user code but not writable, so that a library function reads them with
 * one load instead of a trap: ugetpid() in user/lib/ugetpid.c.
 */
#ifndef INCLUDE_USYSCALL_H
#define INCLUDE_USYSCALL_H

#include "include/addrspace.h"

struct usyscall {
	int pid;              /* the process's id, as getpid() returns it */
};

_Static_assert(sizeof(struct usyscall) <= PGSIZE, "struct usyscall fits its page");

#endif /* INCLUDE_USYSCALL_H */
