/*
 * kernel/mem/vm.h: page tables, for the kernel's address space and for user
 * address spaces, and copying between user and kernel memory.
 *
 * User pointers are never dereferenced directly: copyin, copyout and
 * copyinstr translate each page through the process's page table and fail
 * with -EFAULT when any byte of the range is not a user page with the
 * needed permission (copyout needs PTE_W, so a read() into program text
 * fails instead of overwriting it).  A page of the current process's heap
 * not yet touched is allocated on the way (uvm_fault).
 */
#ifndef KERNEL_MEM_VM_H
#define KERNEL_MEM_VM_H

#include "include/types.h"
#include "kernel/riscv/machine.h"

struct proc;

extern pagetable_t kernel_pagetable;

void kvm_init(void);        /* build the kernel page table (boot hart) */
void kvm_init_hart(void);    /* turn on paging with it (every hart) */

/* The PTE for va; with alloc, create missing page-table pages. NULL if none. */
pte_t *walk(pagetable_t pagetable, uint64 va, bool alloc);
/* Physical address of user page va (PTE_V and PTE_U set), or 0. */
uint64 walkaddr(pagetable_t pagetable, uint64 va);
/* Map [va, va+size) to [pa, ...) with perm; 0 or -ENOMEM. Panics on a remap. */
int mappages(pagetable_t pagetable, uint64 va, uint64 size, uint64 pa, int perm);
void uvmunmap(pagetable_t pagetable, uint64 va, uint64 npages, bool do_free);

pagetable_t uvmcreate(void);
/* Grow user memory from oldsz to newsz with zeroed pages mapped PTE_U|PTE_R|perm.
 * Returns newsz, or 0 (with nothing left allocated) when memory runs out. */
uint64 uvmalloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz, int perm);
/* Shrink user memory from oldsz to newsz, freeing the pages. Returns newsz. */
uint64 uvmdealloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz);
/* Copy the user pages [USER_BASE, sz) of old into new; 0 or -ENOMEM. */
int uvmcopy(pagetable_t old, pagetable_t new, uint64 sz);
/* Free the user pages [USER_BASE, sz) and every page-table page; the
 * trampoline and trapframe pages are left to their owners. */
void uvmfree(pagetable_t pagetable, uint64 sz);
/* Take away user access to page va (stack guard pages). */
void uvmclear(pagetable_t pagetable, uint64 va);

/* Resolve a page fault of p at va that needed `access` (PTE_R, PTE_W or
 * PTE_X): map a zeroed page if va is in p's heap and not yet allocated.
 * 0, -EFAULT (not a page p may have that way) or -ENOMEM. */
int uvm_fault(struct proc *p, uint64 va, pte_t access);

/* 0 on success, -EFAULT if the user range is not accessible, -ENOMEM if
 * an untouched heap page in it cannot be allocated. */
int copyout(pagetable_t pagetable, uint64 dstva, const void *src, uint64 len);
int copyin(pagetable_t pagetable, void *dst, uint64 srcva, uint64 len);
/* Copy a NUL-terminated string of at most max bytes (NUL included).
 * Returns its length, -EFAULT, or -ENAMETOOLONG when no NUL is found. */
int copyinstr(pagetable_t pagetable, char *dst, uint64 srcva, uint64 max);

#endif /* KERNEL_MEM_VM_H */
