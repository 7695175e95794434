/*
 * kernel/mem/kalloc.h: the physical page allocator (a buddy allocator).
 *
 * Memory is handed out in blocks of 2^order pages, order 0..KALLOC_MAX_ORDER.
 * A freed block merges with its free "buddy" (the block it was split from)
 * into a block one order larger, so contiguous memory is recovered.  The
 * algorithm lives in kernel/mem/buddy.c, free of kernel dependencies so that the
 * host unit tests exercise it; this layer adds the lock and the boot setup.
 * Page contents are undefined on allocation (filled with junk to catch use
 * of uninitialised memory).
 */
#ifndef KERNEL_MEM_KALLOC_H
#define KERNEL_MEM_KALLOC_H

#include "include/types.h"

#define KALLOC_MAX_ORDER 10   /* largest block: 1024 pages, 4 MiB */

/* Manage the physical pages of [start, end), except [hole_start, hole_end)
 * (the device tree).  All addresses are page-aligned by the caller. */
void kalloc_init(uint64 start, uint64 end, uint64 hole_start, uint64 hole_end);

void *kalloc(void);                     /* one page, or NULL */
void  kfree(void *pa);
void *kalloc_pages(int order);          /* 2^order contiguous pages, or NULL */
void  kfree_pages(void *pa, int order);

uint64 kalloc_free_pages(void);         /* pages free now */
uint64 kalloc_total_pages(void);        /* pages managed */

#endif /* KERNEL_MEM_KALLOC_H */
