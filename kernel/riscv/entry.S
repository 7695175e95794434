/*
 * kernel/riscv/entry.S: where each hart enters the kernel from OpenSBI.
 *
 * The firmware picks one hart to boot (a race among the harts, on QEMU)
 * and jumps to _entry with a0 = its hart id and a1 = the physical address
 * of the device tree; paging is off and interrupts are disabled.  The
 * first hart to arrive claims the boot: it becomes cpu 0 (tp = 0) and runs
 * kmain on boot_stacks[0].
 *
 * The other harts normally stay in the firmware until kmain starts them
 * with the SBI HSM extension at _entry_secondary, passing their cpu index
 * as the "opaque" argument, which arrives in a1.  Each runs kmain_secondary
 * on its own boot stack, which later becomes its scheduler's stack.
 *
 * Some firmware versions instead send every hart to _entry when the race
 * is not won by hart 0.  A hart that finds the boot already claimed parks
 * here, spinning on its slot of hart_release[] (indexed by hart id) until
 * kmain writes its cpu index + 1 there, and then goes on as if started at
 * _entry_secondary.
 */
#include "kernel/riscv/memlayout.h"

.section .text.entry
.globl _entry
_entry:
	la	t0, boot_claimed
	li	t1, 1
	amoswap.w.aq t1, t1, (t0)
	bnez	t1, park
	li	tp, 0
	j	1f

.globl _entry_secondary
_entry_secondary:
	mv	tp, a1

	/* sp = boot_stacks + (tp + 1) * BOOT_STACK_SIZE */
1:	la	sp, boot_stacks
	addi	t0, tp, 1
	li	t1, BOOT_STACK_SIZE
	mul	t0, t0, t1
	add	sp, sp, t0
	mv	fp, zero		/* ends backtraces here */
	mv	gp, zero		/* no current process: myproc() */
	bnez	tp, 2f
	call	kmain
2:	call	kmain_secondary
3:	wfi				/* neither returns */
	j	3b

/* A hart the firmware sent here although another one is booting. */
park:
	li	t0, MAX_PARKED_HART
	bgeu	a0, t0, 3b		/* no slot for this hart id: stay out */
	la	t0, hart_release
	slli	t1, a0, 3
	add	t0, t0, t1
4:	ld	t1, 0(t0)
	beqz	t1, 4b
	fence	r, rw			/* see everything kmain wrote before */
	addi	a1, t1, -1		/* the cpu index kmain gave us */
	j	_entry_secondary

.section .bss
.align 3
boot_claimed:
	.word	0
