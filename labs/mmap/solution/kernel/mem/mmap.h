/*
 * kernel/mem/mmap.h: memory-mapped files (kernel/mem/mmap.c): the mappings
 * of a process, and what the rest of the kernel asks of them.
 */
#ifndef KERNEL_MEM_MMAP_H
#define KERNEL_MEM_MMAP_H

#include "include/types.h"
#include "kernel/riscv/machine.h"

struct proc;
struct file;

/*
 * One mapping (a "virtual memory area"): the pages [start, end) of a
 * process show the file from byte `offset` on.  A process keeps NVMA of
 * them in p->vmas (kernel/proc/proc.h); a slot with start == 0 is free.
 * Only the process's own thread reads or changes its mappings (and fork,
 * before the child can run), so they need no lock.
 */
struct vma {
	uint64 start;          /* page-aligned; 0 when the slot is free */
	uint64 end;            /* page-aligned, above start */
	int prot;              /* PROT_READ, and maybe PROT_WRITE */
	int flags;             /* MAP_SHARED or MAP_PRIVATE */
	struct file *file;     /* the mapping's own reference (filedup) */
	uint64 offset;         /* the file offset that start shows */
};

/* The lowest address any mapping of p uses, or TRAPFRAME when p has
 * none: the heap must end at or below it (growproc). */
uint64 mmap_floor(struct proc *p);

/* A page fault of p at page va, above the heap, that needed `access`
 * (PTE_R, PTE_W or PTE_X): read the page in from the file, or let a
 * shared page be written.  0, -EFAULT (no mapping allows it), -ENOMEM
 * or -EIO.  uvm_fault calls it. */
int mmap_fault(struct proc *p, uint64 va, pte_t access);

/* Give child copies of parent's mappings: the same files, and copies of
 * the pages parent has.  0, or -ENOMEM with child left without any. */
int mmap_fork(struct proc *parent, struct proc *child);

/* Remove all of p's mappings (exit, exec), writing shared pages p has
 * stored to back to their files when write_back.  Must not be called
 * inside a log operation. */
void mmap_unmap_all(struct proc *p, bool write_back);

#endif /* KERNEL_MEM_MMAP_H */
