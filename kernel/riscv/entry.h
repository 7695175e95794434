/*
 * kernel/riscv/entry.h: the C functions that only assembly calls.
 *
 * No C code calls these; each is the target of a jump or call from the
 * machine's assembly, named here so that the compiler checks the
 * definitions against one declaration.
 */
#ifndef KERNEL_RISCV_ENTRY_H
#define KERNEL_RISCV_ENTRY_H

#include "include/types.h"

/* kernel/main.c, from _entry (kernel/riscv/entry.S) on the boot hart, with
 * the firmware's device-tree pointer. */
__attribute__((noreturn)) void kmain(uint64 hartid, const void *fdt);
/* kernel/main.c, from _entry_secondary on every other hart. */
__attribute__((noreturn)) void kmain_secondary(uint64 hartid, uint64 cpu);

/* kernel/riscv/trap.c, from uservec (kernel/riscv/trampoline.S) on a trap
 * from user mode, on the process's kernel stack and page table. */
__attribute__((noreturn)) void usertrap(void);
/* kernel/riscv/trap.c, from kernelvec (kernel/riscv/kernelvec.S) on a trap
 * from the kernel; returns to kernelvec, which resumes the kernel. */
void kerneltrap(void);

#endif /* KERNEL_RISCV_ENTRY_H */
