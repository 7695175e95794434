/*
 * kernel/riscv/machine.h: what portable kernel code may ask of the machine.
 *
 * The kernel is split in two.  The folders kernel/mem, lock, proc, fs, dev
 * and lib, and kernel/main.c, are portable: they never name a control
 * register or an instruction.  kernel/riscv/ is the machine: RISC-V and
 * QEMU's virt board.  Portable code uses only this header and the
 * interfaces of the machine's subsystems:
 *
 *   this file                    pages, page-table entries, interrupts on
 *                                and off, waiting for an interrupt, the
 *                                current hart's index
 *   kernel/riscv/memlayout.h     physical devices and the kernel's stacks
 *   kernel/riscv/trapframe.h     the registers a trap saves
 *   kernel/riscv/trap.h          the clock, and the way back to user mode
 *   kernel/riscv/sbi.h           firmware: other harts, IPIs, power off
 *   kernel/riscv/fdt.h           what the device tree says about the machine
 *   kernel/riscv/plic.h, uart.h  interrupt controller and serial port
 *   kernel/dev/disk.h            the block device (kernel/riscv/virtio_disk.c)
 *   swtch(), in proc.h           the context switch (kernel/riscv/swtch.S)
 *
 * The one exception is kernel/mem/vm.c, which builds Sv39 page tables and
 * so includes kernel/riscv/riscv.h.  grading/tree_test.py checks all this.
 */
#ifndef KERNEL_RISCV_MACHINE_H
#define KERNEL_RISCV_MACHINE_H

#include "include/addrspace.h"   /* PGSIZE, PGROUNDUP, MAXVA, ... */

/* Page-table entry bits that callers of kernel/mem/vm.h pass as permissions. */
#define PTE_V (1L << 0)   /* valid */
#define PTE_R (1L << 1)   /* readable */
#define PTE_W (1L << 2)   /* writable */
#define PTE_X (1L << 3)   /* executable */
#define PTE_U (1L << 4)   /* user mode may access */

/* sstatus.SIE, the interrupt-enable bit the helpers below set and clear
 * (pinned to kernel/riscv/riscv.h's SSTATUS_SIE there). */
#define MACHINE_SSTATUS_SIE 2

#ifndef __ASSEMBLER__
#include "include/types.h"

typedef uint64 pte_t;
typedef uint64 *pagetable_t;   /* one page of 512 PTEs */

/*
 * Interrupts on this hart.  Each is one instruction, and each is a compiler
 * memory barriers ("memory"): no load or store may move across turning
 * interrupts on or off.
 */
static inline bool
intr_save_off(void)   /* turn them off; say whether they were on */
{
	uint64 old;

	asm volatile("csrrci %0, sstatus, %1" : "=r"(old) : "i"(MACHINE_SSTATUS_SIE) : "memory");
	return (old & MACHINE_SSTATUS_SIE) != 0;
}

static inline void
intr_on(void)
{
	asm volatile("csrsi sstatus, %0" : : "i"(MACHINE_SSTATUS_SIE) : "memory");
}

static inline void
intr_off(void)
{
	asm volatile("csrci sstatus, %0" : : "i"(MACHINE_SSTATUS_SIE) : "memory");
}

static inline bool
intr_get(void)
{
	uint64 x;

	asm volatile("csrr %0, sstatus" : "=r"(x));
	return (x & MACHINE_SSTATUS_SIE) != 0;
}

/* Sleep until an interrupt is pending (even one that is masked). */
static inline void
wfi(void)
{
	asm volatile("wfi");
}

/*
 * Instructions this hart has retired.  Under QEMU's -icount (make bench)
 * the count is virtual time, so a hart idle in wfi counts too.
 */
static inline uint64
instret(void)
{
	uint64 x;

	asm volatile("csrr %0, instret" : "=r"(x));
	return x;
}

/* The tp register holds this hart's index into cpus[] (kernel/proc/proc.h). */
static inline uint64
r_tp(void)
{
	uint64 x;

	asm volatile("mv %0, tp" : "=r"(x));
	return x;
}

/* The gp register: in the kernel, the current process (kernel/proc/proc.h:myproc). */
static inline uint64
r_gp(void)
{
	uint64 x;

	asm volatile("mv %0, gp" : "=r"(x));
	return x;
}

#endif /* __ASSEMBLER__ */

#endif /* KERNEL_RISCV_MACHINE_H */
