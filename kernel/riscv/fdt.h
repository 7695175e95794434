/*
 * kernel/riscv/fdt.h: what the kernel learns from the flattened device tree that
 * the firmware passes in a1 at boot.
 */
#ifndef KERNEL_RISCV_FDT_H
#define KERNEL_RISCV_FDT_H

#include "include/types.h"
#include "include/param.h"

#define BOOTARGS_MAX 128   /* bytes of /chosen/bootargs kept, NUL included */

struct bootinfo {
	uint64 mem_start;           /* RAM: first byte */
	uint64 mem_end;             /* RAM: one past the last byte */
	uint64 fdt_start;           /* the device tree blob itself */
	uint64 fdt_end;
	uint64 timebase;            /* timer ticks per second */
	int nharts;                 /* usable harts found (at most NCPU) */
	uint64 hartids[NCPU];
	bool sstc;                  /* harts implement the Sstc extension */
	char bootargs[BOOTARGS_MAX];   /* /chosen/bootargs (QEMU's -append),
	                                  cut to fit; "" when there are none */
};

extern struct bootinfo bootinfo;

/* Fill bootinfo from the blob at fdt; 0, or -EINVAL for a bad blob. */
int fdt_parse(const void *fdt);

#endif /* KERNEL_RISCV_FDT_H */
