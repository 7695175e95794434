/*
 * kernel/riscv/trapframe.h: the per-process page where the trampoline saves user
 * registers on a trap, and the offsets the assembly uses to reach them.
 *
 * The trapframe sits at TRAPFRAME in the user page table (not user-
 * accessible) and at its physical address in the kernel's.  The first six
 * fields are written by the kernel before returning to user mode and read
 * by uservec on the next trap; the rest are the 31 general registers in
 * register-number order, so register xN lives at TF_X(N).
 *
 * The C struct is the definition; the TF_* numbers for the assembly are
 * derived by rule and pinned to it with _Static_assert in kernel/riscv/trap.c.
 */
#ifndef KERNEL_RISCV_TRAPFRAME_H
#define KERNEL_RISCV_TRAPFRAME_H

#define TF_KERNEL_SATP  0    /* kernel page table */
#define TF_KERNEL_SP    8    /* top of this process's kernel stack */
#define TF_KERNEL_TRAP  16   /* address of usertrap() */
#define TF_EPC          24   /* saved user pc */
#define TF_KERNEL_TP    32   /* this hart's cpu index, for tp */
#define TF_KERNEL_GP    40   /* this process's struct proc, for gp (myproc) */
#define TF_X(n)         (48 + 8 * ((n) - 1))   /* general register xN, N >= 1 */
#define TF_SIZE         TF_X(32)

#ifndef __ASSEMBLER__
#include "include/types.h"

struct trapframe {
	uint64 kernel_satp;
	uint64 kernel_sp;
	uint64 kernel_trap;
	uint64 epc;
	uint64 kernel_tp;
	uint64 kernel_gp;
	uint64 ra, sp, gp, tp;                      /* x1..x4 */
	uint64 t0, t1, t2;                          /* x5..x7 */
	uint64 s0, s1;                              /* x8, x9 */
	uint64 a0, a1, a2, a3, a4, a5, a6, a7;      /* x10..x17 */
	uint64 s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;  /* x18..x27 */
	uint64 t3, t4, t5, t6;                      /* x28..x31 */
};
#endif

#endif /* KERNEL_RISCV_TRAPFRAME_H */
