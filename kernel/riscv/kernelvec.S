/*
 * kernel/riscv/kernelvec.S: trap entry while running in the kernel.
 *
 * stvec points here whenever the kernel runs (usertrap sets it at entry).
 * A trap here interrupts kernel code on its own stack, so we save the
 * caller-saved registers on that stack, call kerneltrap() (kernel/riscv/trap.c),
 * restore them and `sret` back to the interrupted instruction.  The callee-
 * saved registers are preserved by kerneltrap itself, as by any C function.
 * sepc and sstatus are saved by kerneltrap in C, because it may yield to
 * another process, whose own traps would overwrite them.
 */
.globl kernelvec
.align 4
kernelvec:
	addi	sp, sp, -160
	sd	ra, 0(sp)
	sd	s0, 8(sp)		/* the interrupted frame pointer, for backtraces */
	sd	gp, 16(sp)
	sd	tp, 24(sp)
	sd	t0, 32(sp)
	sd	t1, 40(sp)
	sd	t2, 48(sp)
	sd	a0, 56(sp)
	sd	a1, 64(sp)
	sd	a2, 72(sp)
	sd	a3, 80(sp)
	sd	a4, 88(sp)
	sd	a5, 96(sp)
	sd	a6, 104(sp)
	sd	a7, 112(sp)
	sd	t3, 120(sp)
	sd	t4, 128(sp)
	sd	t5, 136(sp)
	sd	t6, 144(sp)		/* 160 bytes keep sp 16-byte aligned */

	call	kerneltrap

	ld	ra, 0(sp)
	ld	s0, 8(sp)
	ld	gp, 16(sp)
	/* not tp: this hart's index must survive a move to another hart */
	ld	t0, 32(sp)
	ld	t1, 40(sp)
	ld	t2, 48(sp)
	ld	a0, 56(sp)
	ld	a1, 64(sp)
	ld	a2, 72(sp)
	ld	a3, 80(sp)
	ld	a4, 88(sp)
	ld	a5, 96(sp)
	ld	a6, 104(sp)
	ld	a7, 112(sp)
	ld	t3, 120(sp)
	ld	t4, 128(sp)
	ld	t5, 136(sp)
	ld	t6, 144(sp)
	addi	sp, sp, 160
	sret
