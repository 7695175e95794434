/*
 * kernel/proc/proc.h: processes, harts, and the scheduler's interface.
 *
 * Locking.  One lock, proc_lock (kernel/proc/proc.c), guards the scheduler's
 * state: the fields marked [proc_lock] below, the run queue, the sleep
 * queues and the free list.  A process takes it before it switches away
 * (sched), and the thread it switches to (the next process, or the hart's
 * scheduler) releases it, so no other hart can pick up a process whose
 * registers are still being saved.  Lock order: a caller's condition lock
 * (passed to sleep) comes before proc_lock.
 *
 * Fields marked [own] are touched only by the process itself (or by its
 * parent while the process cannot run: in fork before it is runnable, and
 * in wait after it has become a zombie), so they need no lock.
 */
#ifndef KERNEL_PROC_PROC_H
#define KERNEL_PROC_PROC_H

#include "include/types.h"
#include "include/param.h"
#include "kernel/riscv/machine.h"
#include "kernel/lock/spinlock.h"
#include "kernel/riscv/trapframe.h"

/* Callee-saved registers, saved by swtch (kernel/riscv/swtch.S). */
struct context {
	uint64 ra;
	uint64 sp;
	uint64 s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
	uint64 gp;                /* the thread's process: myproc() */
};

#define NHELD 8                 /* spinlocks one hart may hold at once */

/* Per-hart state. tp holds the hart's index into cpus[]. */
struct cpu {
	struct proc *proc;        /* process running here, or NULL */
	struct context context;   /* swtch() here to enter the scheduler */
	int noff;                 /* depth of push_off() nesting */
	bool intena;              /* were interrupts enabled before push_off()? */
	bool idle;                /* [proc_lock] waiting in wfi for work */
	uint64 hartid;            /* the hart's id, as SBI and the PLIC know it */
	uint64 idle_instret;      /* [own hart] instret counted while idle */
	uint64 idle_since;        /* [own hart] instret when it last found no
	                             work, or 0 while it has some */
	/* [own hart] the spinlocks this hart holds, oldest first: kept in
	 * LOCKDEP builds (kernel/lock/lockdep.c), to check their order and
	 * name a lock held where none may be */
	struct spinlock *held[NHELD];
	int nheld;
};

extern struct cpu cpus[NCPU];
extern int ncpu;              /* harts in use */

enum procstate { UNUSED, USED, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

/* Why a process was killed (p->killed): it exits with EXIT_KILLED or
 * EXIT_INTERRUPTED (include/param.h). */
#define KILLED      1         /* kill(), or a fault */
#define INTERRUPTED 2         /* Ctrl-C at the console */

struct proc {
	/* [proc_lock] */
	enum procstate state;
	void *chan;               /* sleeping on this, when SLEEPING */
	struct spinlock *waitlock;  /* ... the lock sleep() was given, which
	                               names the wait for procdump */
	struct proc *qnext;       /* next on the run queue or a sleep queue */
	int killed;               /* KILLED or INTERRUPTED, or 0; read
	                             without the lock */
	int xstatus;              /* exit status, for the parent's wait() */
	int pid;
	int pgid;                 /* process group: Ctrl-C stops a whole one */
	struct proc *parent;
	int hart;                 /* cpu index while RUNNING, for Ctrl-P */

	/* [own] */
	int slot;                 /* index in the process table */
	uint64 kstack;            /* bottom of the kernel stack (KSTACK(slot)) */
	uint64 sz;                /* top of user memory: the heap's end */
	uint64 heap_start;        /* where the heap begins (sbrk can't go below) */
	pagetable_t pagetable;
	struct trapframe *trapframe;
	struct context context;   /* swtch() here to run the process */
	struct file *ofile[NOFILE];
	struct inode *cwd;
	char name[16];            /* program name, for messages */
};

/* The current hart: tp holds its index.  A timer interrupt may move a
 * process to another hart, so callers must have interrupts off. */
static inline int
cpuid(void)
{
	return r_tp();
}

/* (Indexing with tp's 64 bits, not cpuid's int, saves the sign extension
 * on a path every spinlock takes.) */
static inline struct cpu *
mycpu(void)
{
	return &cpus[r_tp()];
}

/*
 * The current process, or NULL in a scheduler thread.  In the kernel the
 * gp register holds it: the C compiler never uses gp (the RISC-V ABI
 * leaves it to the linker, and the kernel is not linked to use it), so
 * it can carry one value of our own.  It is the thread's, not the hart's:
 * swtch saves and loads it with the other registers of a kernel thread,
 * allocproc gives a new process's thread its own value, and a scheduler
 * thread's is NULL from boot (entry.S).  User code may use gp as it
 * likes, so uservec (kernel/riscv/trampoline.S) sets it again on every
 * entry, from the trapframe, where usertrapret left it.  One
 * instruction, and no interrupts to mask: a process moved to another
 * hart takes its gp along.  It is on every system call's path, several
 * times.
 */
static inline struct proc *
myproc(void)
{
	return (struct proc *)r_gp();
}

/* Has p been killed (KILLED or INTERRUPTED, or 0)?  Lock-free, and
 * inline: every return to user mode asks, and so does every wait that a
 * kill may cut short. */
static inline int
killed(struct proc *p)
{
	return __atomic_load_n(&p->killed, __ATOMIC_RELAXED);
}

void proc_init(void);
void user_init(void);
__attribute__((noreturn)) void scheduler(void);
void sched(void);
void yield(void);

int  fork(void);
__attribute__((noreturn)) void exit(int status);
int  wait(uint64 status_addr);
int  kill(int pid);
void setkilled(struct proc *p);
int  killed_status(struct proc *p);
int  setpgid(int pid, int pgid);
bool pgroup_exists(int pgid);
void interrupt_pgroup(int pgid);
int  growproc(int n);
void procdump(void);
int  proc_count(void);
uint64 idle_instret_total(void);

/* Wait for wakeup(chan), releasing lk while asleep and re-taking it after. */
void sleep(void *chan, struct spinlock *lk);
void wakeup(void *chan);

/* Copy to/from a user address (user = true) or a kernel address. */
int either_copyout(bool user_dst, uint64 dst, const void *src, uint64 len);
int either_copyin(void *dst, bool user_src, uint64 src, uint64 len);

/* Build and free a process's address space skeleton (trampoline + trapframe). */
pagetable_t proc_pagetable(struct proc *p);
void proc_freepagetable(pagetable_t pagetable, uint64 sz);

#endif /* KERNEL_PROC_PROC_H */
