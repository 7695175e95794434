/*
 * kernel/mem/mmap.c: memory-mapped files, the mmap lab's system calls.
 *
 * The mmap lab (labs/mmap/README.md): replace this comment with the
 * design of what you build here: what a mapping (a VMA) records and
 * where a process keeps them, where in the address space mappings go and
 * how sbrk is kept out of them, what a page fault in a mapping does, when
 * pages are written back and in how many log operations, what fork, exit
 * and exec do with mappings, and the lock rules of it all.
 *
 * Until then both calls fail with ENOSYS.
 */
#include "include/types.h"
#include "include/errno.h"
#include "include/mman.h"
#include "kernel/proc/syscall.h"

/* void *mmap(void *addr, size_t length, int prot, int flags, int fd,
 *            uint64 offset) */
uint64
sys_mmap(void)
{
	return -ENOSYS;
}

/* int munmap(void *addr, size_t length) */
uint64
sys_munmap(void)
{
	return -ENOSYS;
}
