/*
 * kernel/riscv/swtch.S: switch kernel threads.
 *
 *   void swtch(struct context *old, struct context *new);
 *
 * Saves the callee-saved registers (ra, sp, s0..s11) of the caller into
 * *old and loads those of *new, and gp with them: in the kernel gp holds
 * the thread's process (kernel/proc/proc.h:myproc), so it belongs to the
 * thread, not to the hart; the `ret` then continues wherever *new last
 * called swtch (or at the ra a new process was given: forkret).  The
 * caller-saved registers need no saving: the C compiler already assumes a
 * call clobbers them.  Offsets follow struct context in kernel/proc/proc.h, and
 * kernel/proc/proc.c pins them with _Static_assert.
 */
.globl swtch
swtch:
	sd	ra, 0(a0)
	sd	sp, 8(a0)
	sd	s0, 16(a0)
	sd	s1, 24(a0)
	sd	s2, 32(a0)
	sd	s3, 40(a0)
	sd	s4, 48(a0)
	sd	s5, 56(a0)
	sd	s6, 64(a0)
	sd	s7, 72(a0)
	sd	s8, 80(a0)
	sd	s9, 88(a0)
	sd	s10, 96(a0)
	sd	s11, 104(a0)
	sd	gp, 112(a0)

	ld	ra, 0(a1)
	ld	sp, 8(a1)
	ld	s0, 16(a1)
	ld	s1, 24(a1)
	ld	s2, 32(a1)
	ld	s3, 40(a1)
	ld	s4, 48(a1)
	ld	s5, 56(a1)
	ld	s6, 64(a1)
	ld	s7, 72(a1)
	ld	s8, 80(a1)
	ld	s9, 88(a1)
	ld	s10, 96(a1)
	ld	s11, 104(a1)
	ld	gp, 112(a1)
	ret
