/*
 * kernel/entry.S: where each hart enters the kernel from OpenSBI.
 *
 * The boot hart arrives at _entry with a0 = its hart id and a1 = the
 * physical address of the device tree; paging is off and interrupts are
 * disabled.  It becomes cpu 0 (tp = 0) and runs kmain on boot_stacks[0].
 *
 * The other harts stay parked in the firmware until kmain starts them with
 * the SBI HSM extension at _entry_secondary, passing their cpu index as the
 * "opaque" argument, which arrives in a1.  Each runs kmain_secondary on its
 * own boot stack, which later becomes its scheduler's stack.
 */
#include "kernel/memlayout.h"

.section .text.entry
.globl _entry
_entry:
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
	bnez	tp, 2f
	call	kmain
2:	call	kmain_secondary
3:	wfi				/* neither returns */
	j	3b
