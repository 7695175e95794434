/*
 * include/addrspace.h: the page size and the layout of a user address
 * space, as the kernel builds it and as user programs (and the tests that
 * probe its edges) see it.
 *
 *   MAXVA      ->  one past the highest usable virtual address
 *   TRAMPOLINE ->  trampoline page (R-X, not user): the trap entry and exit
 *   TRAPFRAME  ->  trapframe page (RW-, not user): saved user registers
 *                  ... unused ...
 *                  heap, grows up with sbrk
 *                  user stack (USTACKPAGES pages), guard page below it
 *                  data and bss (RW-U), text (R-XU)
 *   USER_BASE  ->  first byte of a program (user/user.ld links here)
 *   0          ->  page 0, never mapped: NULL dereferences fault
 *
 * KERNBASE is where the kernel's own image starts; it is listed here only
 * so that tests can check that no user pointer reaches it.
 */
#ifndef INCLUDE_ADDRSPACE_H
#define INCLUDE_ADDRSPACE_H

#define PGSHIFT 12
#define PGSIZE  4096                  /* bytes per page */
#define PGROUNDUP(a)   (((a) + PGSIZE - 1) & ~(uint64)(PGSIZE - 1))
#define PGROUNDDOWN(a) ((a) & ~(uint64)(PGSIZE - 1))

/*
 * Sv39 translates 39-bit virtual addresses; only the lower half is used,
 * so that no address needs sign extension.
 */
#define MAXVA (1L << (9 + 9 + 9 + PGSHIFT - 1))

#define TRAMPOLINE (MAXVA - PGSIZE)
#define TRAPFRAME  (TRAMPOLINE - PGSIZE)
#define USER_BASE  0x1000L

#define KERNBASE   0x80200000L        /* where the kernel image is loaded */

#endif /* INCLUDE_ADDRSPACE_H */
