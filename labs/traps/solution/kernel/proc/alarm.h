/*
 * kernel/proc/alarm.h: a process's alarm, set by sigalarm
 * (kernel/proc/alarm.c).
 */
#ifndef KERNEL_PROC_ALARM_H
#define KERNEL_PROC_ALARM_H

#include "include/types.h"
#include "kernel/riscv/trapframe.h"

struct proc;

/* One per process, touched only by the process itself. */
struct alarm {
	int interval;             /* ticks between calls; 0: no alarm */
	int elapsed;              /* ticks counted towards the next call */
	uint64 handler;           /* the handler's user address */
	bool running;             /* the handler runs: no sigreturn yet */
	struct trapframe saved;   /* the interrupted registers, while running */
};

/* No alarm: for a new process (fork) and a new program (exec). */
void alarm_clear(struct proc *p);
/* One timer tick spent by p in user mode; may divert p to its handler. */
void alarm_tick(struct proc *p);

#endif /* KERNEL_PROC_ALARM_H */
