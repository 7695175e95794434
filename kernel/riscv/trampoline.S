/*
 * kernel/riscv/trampoline.S: the crossing between user mode and the kernel.
 *
 * This page is mapped at TRAMPOLINE (include/addrspace.h) in every user page
 * table and in the kernel's, at the same virtual address, so execution can
 * continue across the instruction that switches satp.  It is never mapped
 * user-accessible.
 *
 * uservec: stvec points here while a process runs in user mode, so every
 *   trap from user mode (system call, exception, interrupt) lands here,
 *   still on the user page table and user stack.  It saves the 31 user
 *   registers into the process's trapframe (mapped at TRAPFRAME), loads the
 *   kernel stack pointer, hart index (tp), process (gp) and page table that
 *   the kernel left there, and jumps to usertrap() (kernel/riscv/trap.c).
 *
 * userret(satp): usertrapret calls this (at its TRAMPOLINE address) with
 *   the user page table.  It switches to it, restores the user registers
 *   from the trapframe and `sret`s to user mode at sepc.
 *
 * Offsets come from kernel/riscv/trapframe.h: register xN is saved at TF_X(N).
 */
#include "kernel/riscv/memlayout.h"
#include "kernel/riscv/trapframe.h"

.section trampsec
.globl uservec
.align 4
uservec:
	/* Free a0 for the trapframe address; keep user a0 in sscratch. */
	csrw	sscratch, a0
	li	a0, TRAPFRAME

	/* Save x1..x31 except a0 (x10). */
	.irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, TF_X(\n)(a0)
	.endr
	csrr	t0, sscratch
	sd	t0, TF_X(10)(a0)

	/* Kernel stack, hart index, process, handler, page table (set by
	 * usertrapret and usertrap_init). */
	ld	sp, TF_KERNEL_SP(a0)
	ld	tp, TF_KERNEL_TP(a0)
	ld	gp, TF_KERNEL_GP(a0)	/* myproc() from here on */
	ld	t0, TF_KERNEL_TRAP(a0)
	ld	t1, TF_KERNEL_SATP(a0)

	/* Switch to the kernel page table; no user translations may linger. */
	sfence.vma zero, zero
	csrw	satp, t1
	sfence.vma zero, zero
	mv	fp, zero		/* backtraces end at the trap */

	jr	t0			/* usertrap(); never returns here */

.globl userret
userret:
	/* a0: the user satp value. */
	sfence.vma zero, zero
	csrw	satp, a0
	sfence.vma zero, zero

	li	a0, TRAPFRAME
	.irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, TF_X(\n)(a0)
	.endr
	ld	a0, TF_X(10)(a0)

	sret				/* to user mode at sepc */
