/*
 * kernel/lib/ksym.h: names for kernel code addresses, for backtraces.
 */
#ifndef KERNEL_LIB_KSYM_H
#define KERNEL_LIB_KSYM_H

#include "include/types.h"

/*
 * The kernel function containing addr: returns its name and sets *offset
 * to addr's distance from the function's first byte.  Returns NULL (and
 * leaves *offset alone) when addr is not in the kernel's code.
 */
const char *ksym_lookup(uint64 addr, uint64 *offset);

#endif /* KERNEL_LIB_KSYM_H */
