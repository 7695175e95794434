/*
 * kernel/riscv/trap.h: traps (system calls, exceptions, interrupts) and the clock.
 */
#ifndef KERNEL_RISCV_TRAP_H
#define KERNEL_RISCV_TRAP_H

#include "include/types.h"
#include "kernel/lock/spinlock.h"

extern struct spinlock tickslock;
extern uint64 ticks;           /* [tickslock] clock_ticks() at the latest tick */
extern uint tick_sleepers;     /* [tickslock] processes in sleep(n) */

void trap_init(void);
uint64 clock_ticks(void);
void clock_idle(void);
void clock_wake(void);
void trap_init_hart(void);
struct proc;
/* Fill in the trapframe fields that are the same for every process. */
void usertrap_init(struct proc *p);
__attribute__((noreturn)) void usertrapret(void);
/* Human-readable name of an exception cause. */
const char *trap_cause_name(uint64 scause);

#endif /* KERNEL_RISCV_TRAP_H */
