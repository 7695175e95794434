/*
 * include/mman.h: the constants of mmap() and munmap(), the mmap lab's
 * system calls (labs/mmap/README.md), shared by the kernel and programs.
 *
 *   void *mmap(void *addr, size_t length, int prot, int flags, int fd,
 *              uint64 offset);
 *   int munmap(void *addr, size_t length);
 *
 * mmap maps length bytes of the file open on fd, from offset on, at an
 * address the kernel chooses (addr is a hint rivet ignores), and returns
 * it, or MAP_FAILED with errno set.
 */
#ifndef INCLUDE_MMAN_H
#define INCLUDE_MMAN_H

/* prot: what the program may do with the pages.  PROT_READ is required
 * (RISC-V has no write-only pages); pages are never executable. */
#define PROT_READ   0x1
#define PROT_WRITE  0x2

/* flags: exactly one of these. */
#define MAP_SHARED  0x01    /* stores go back to the file (munmap, exit) */
#define MAP_PRIVATE 0x02    /* stores stay in this process's copy */

#define MAP_FAILED  ((void *)-1)   /* what a failing mmap returns */

#define NVMA        16      /* mappings one process may have at once */

#endif /* INCLUDE_MMAN_H */
