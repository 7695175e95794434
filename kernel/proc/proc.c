/*
 * kernel/proc/proc.c: processes and scheduling.
 *
 * Every hart runs a scheduler thread (scheduler(), on the hart's boot
 * stack).  To run a process it swtch()es to the process's kernel thread.
 * A process gives up its hart when it sleeps, exits, or is preempted by
 * the timer (yield()), by calling sched(): that swtch()es straight to the
 * next runnable process, or, when there is none, back to the scheduler
 * thread, which waits for one.
 *
 *          fork          scheduler picks it            exit
 *   USED ---------> RUNNABLE <-------------> RUNNING -------> ZOMBIE
 *                      ^        yield()         |               |
 *                      |                        | sleep()       | parent's wait()
 *                      +---- wakeup() ---- SLEEPING             v
 *                                                             UNUSED
 *
 * Queues, so that no path scans the whole table per wakeup or per
 * scheduling decision:
 *   - the run queue: RUNNABLE processes in FIFO order;
 *   - the sleep queues: SLEEPING processes, hashed by the channel (the
 *     address they wait on), so wakeup(chan) looks at one short chain;
 *   - the free list: UNUSED slots, for fork.
 * A process is on at most one of them at a time, linked through p->qnext.
 *
 * Locking: proc_lock guards all of this (see kernel/proc/proc.h).  A process
 * acquires it before switching away and the thread it switches to releases
 * it after the switch, so no other hart can pick up a process whose
 * registers are still being saved.
 *
 * Idle harts wait in `wfi` with interrupts off (it still wakes on a pending
 * interrupt); making a process runnable sends an IPI to one idle hart.
 */
#include <stddef.h>
#include "kernel/proc/proc.h"
#include "kernel/riscv/memlayout.h"
#include "kernel/mem/vm.h"
#include "kernel/mem/kalloc.h"
#include "kernel/lib/printf.h"
#include "kernel/riscv/trap.h"
#include "kernel/riscv/sbi.h"
#include "kernel/fs/file.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/log.h"
#include "kernel/fs/bio.h"
#include "kernel/lock/lockdep.h"
#include "kernel/proc/exec.h"
#include "include/errno.h"
#include "include/string.h"

_Static_assert(offsetof(struct context, ra) == 0, "swtch.S: context.ra");
_Static_assert(offsetof(struct context, sp) == 8, "swtch.S: context.sp");
_Static_assert(offsetof(struct context, s0) == 16, "swtch.S: context.s0");
_Static_assert(offsetof(struct context, s11) == 104, "swtch.S: context.s11");
_Static_assert(offsetof(struct context, gp) == 112, "swtch.S: context.gp");

struct cpu cpus[NCPU];
int ncpu;

static struct proc proc[NPROC];
static struct proc *initproc;

#define SLEEPQ_BUCKETS 64

/* The scheduler's state.  Lock rules: kernel/proc/proc.h. */
static struct spinlock proc_lock;
static struct proc *runq_head, *runq_tail;    /* [proc_lock] */
static struct proc *sleepq[SLEEPQ_BUCKETS];   /* [proc_lock] */
static struct proc *free_list;                /* [proc_lock] */
static int nextpid = 1;                       /* [proc_lock] */

void swtch(struct context *old, struct context *new);
static void forkret(void);

void
proc_init(void)
{
	initlock(&proc_lock, "proc");
	for (int i = NPROC - 1; i >= 0; i--) {
		proc[i].slot = i;
		proc[i].kstack = KSTACK(i);
		proc[i].state = UNUSED;
		proc[i].qnext = free_list;
		free_list = &proc[i];
	}
}

/* ---- the run queue and the sleep queues (proc_lock held) --------------- */

/* Make p runnable and, if some hart is idle, wake it to run p. */
static void
make_runnable(struct proc *p)
{
	p->state = RUNNABLE;
	p->qnext = NULL;
	if (runq_tail)
		runq_tail->qnext = p;
	else
		runq_head = p;
	runq_tail = p;
	for (int i = 0; i < ncpu; i++) {
		if (cpus[i].idle) {
			cpus[i].idle = false;
			sbi_send_ipi(1, cpus[i].hartid);
			break;
		}
	}
}

static struct proc *
runq_pop(void)
{
	struct proc *p = runq_head;

	if (p) {
		runq_head = p->qnext;
		if (runq_head == NULL)
			runq_tail = NULL;
		p->qnext = NULL;
	}
	return p;
}

static struct proc **
sleepq_bucket(void *chan)
{
	uint64 h = (uint64)chan;

	h ^= h >> 17;
	h ^= h >> 7;
	return &sleepq[h % SLEEPQ_BUCKETS];
}

/* Take p off the sleep queue of its channel. */
static void
sleepq_remove(struct proc *p)
{
	struct proc **pp = sleepq_bucket(p->chan);

	while (*pp != p) {
		if (*pp == NULL)
			panic("sleepq_remove: pid %d is not queued", p->pid);
		pp = &(*pp)->qnext;
	}
	*pp = p->qnext;
	p->qnext = NULL;
}

/* wakeup() with proc_lock already held. */
static void
wakeup_locked(void *chan)
{
	struct proc **pp = sleepq_bucket(chan);

	assert_holding(&proc_lock);
	while (*pp) {
		struct proc *p = *pp;
		if (p->chan == chan) {
			*pp = p->qnext;
			p->chan = NULL;
			make_runnable(p);
		} else {
			pp = &p->qnext;
		}
	}
}

/* ---- switching ----------------------------------------------------------- */

/*
 * This hart holds a spinlock besides lk where it may hold only lk (push_off
 * depth above 1): panic, naming the other lock in LOCKDEP builds, which
 * keep the list of locks each hart holds.
 */
static void __attribute__((noreturn))
extra_lock_panic(const char *what, struct spinlock *lk)
{
	struct spinlock *other = lockdep_other_held(mycpu(), lk);

	if (other != NULL)
		lock_panic(what, other);
	panic("%s a spinlock besides \"%s\" (a DEBUG=1 build names it)", what,
	      lk->name);
}

/*
 * Wait in wfi for an interrupt (interrupts are off, but a pending one
 * still ends wfi), with the clock stopped if nobody needs its ticks
 * (kernel/riscv/trap.c explains).
 */
static void
idle_wait(void)
{
	clock_idle();       /* no process to preempt: stop the tick if we can */
	wfi();
	clock_wake();
}

/*
 * Idle accounting, for make bench: under QEMU's -icount the instruction
 * counter is virtual time, and a hart waiting in wfi for the disk lets
 * the clock jump ahead by however long the host's disk took.  So a hart
 * counts as idle from the moment its scheduler finds no work until it
 * picks a process: the waits in wfi, and also the interrupts it handles
 * meanwhile (clock ticks whose number depends on the host, the disk's
 * completion and the wakeup it makes).  What a process does, and the
 * switches to and from it, count as work, and repeat exactly.
 */
static void
idle_begin(struct cpu *c)
{
	if (c->idle_since == 0)
		c->idle_since = instret();
}

static void
idle_end(struct cpu *c)
{
	if (c->idle_since != 0) {
		__atomic_store_n(&c->idle_instret,
				 c->idle_instret + instret() - c->idle_since,
				 __ATOMIC_RELAXED);   /* sysinfo reads it on any hart */
		c->idle_since = 0;
	}
}

/* Instructions all harts have counted while idle (see idle_begin); a
 * hart idle right now adds its current stretch only when it ends. */
uint64
idle_instret_total(void)
{
	uint64 sum = 0;

	for (int i = 0; i < ncpu; i++)
		sum += __atomic_load_n(&cpus[i].idle_instret, __ATOMIC_RELAXED);
	return sum;
}

/* Run p on this hart: mark it RUNNING and switch to it from the thread
 * whose context is *from.  proc_lock is held, and stays held across the
 * switch: p's thread releases it. */
static void
run(struct cpu *c, struct proc *p, struct context *from)
{
	p->state = RUNNING;
	p->hart = cpuid();
	c->proc = p;
	swtch(from, &p->context);
}

__attribute__((noreturn)) void
scheduler(void)
{
	struct cpu *c = mycpu();

	c->proc = NULL;
	for (;;) {
		struct proc *p;

		intr_off();
		acquire(&proc_lock);
		p = runq_pop();
		if (p == NULL) {
			idle_begin(c);
			c->idle = true;
			release(&proc_lock);
			idle_wait();
			c->idle = false;
			intr_on();   /* take whatever interrupt woke us */
			continue;
		}
		idle_end(c);
		run(c, p, &c->context);
		c->proc = NULL;
		release(&proc_lock);
	}
}

/*
 * Give this hart to another thread.  The caller holds proc_lock (and
 * nothing else) and has already changed p->state.  If a process is
 * waiting in the run queue, switch straight to it; only when there is
 * none, switch to this hart's scheduler thread, which waits for work.
 * Going through the scheduler thread every time would cost a second
 * switch and a second turn of proc_lock, for the same choice: the
 * scheduler would pop the same head of the same run queue.  (In the
 * 1-byte pipe round trip of make bench, where each process sleeps once
 * per trip, that was 200 of 3,700 instructions.)  Either way proc_lock
 * stays held across the switch, and the thread switched to releases it.
 *
 * Saves and restores intena, which belongs to this kernel thread, not to
 * the hart it happens to run on.
 */
void
sched(void)
{
	struct proc *p = myproc();
	struct cpu *c = mycpu();
	struct proc *next;
	bool intena;

	assert_holding(&proc_lock);
	if (c->noff != 1)
		extra_lock_panic("sched: switching away holding", &proc_lock);
	if (p->state == RUNNING)
		panic("sched: process still RUNNING");
	if (intr_get())
		panic("sched: interrupts enabled");
	intena = c->intena;
	next = runq_pop();
	if (next == p)          /* yield, and nobody else waits: go on */
		p->state = RUNNING;
	else if (next != NULL)
		run(c, next, &p->context);
	else
		swtch(&p->context, &c->context);
	/* Back, perhaps on another hart: c is stale. */
	mycpu()->intena = intena;
}

void
yield(void)
{
	acquire(&proc_lock);
	make_runnable(myproc());
	sched();
	release(&proc_lock);
}

/* Sleep on chan.  proc_lock is held on entry and again on return. */
static void
sleep_locked(void *chan, struct spinlock *lk)
{
	struct proc *p = myproc();
	struct proc **bucket = sleepq_bucket(chan);

	p->chan = chan;
	p->waitlock = lk;
	p->state = SLEEPING;
	p->qnext = *bucket;
	*bucket = p;
	sched();
}

void
sleep(void *chan, struct spinlock *lk)
{
	/* Sleeping with another spinlock held would leave it taken, with
	 * interrupts off, for as long as we sleep.  (lk is held, so
	 * interrupts are off and mycpu is safe.) */
	if (mycpu()->noff != 1)
		extra_lock_panic("sleep: would sleep holding", lk);
	/* Once we hold proc_lock, no wakeup(chan) can slip in unseen:
	 * wakeup takes proc_lock too.  So lk can go. */
	acquire(&proc_lock);
	release(lk);
	sleep_locked(chan, lk);
	release(&proc_lock);
	acquire(lk);
}

void
wakeup(void *chan)
{
	acquire(&proc_lock);
	wakeup_locked(chan);
	release(&proc_lock);
}

/* A new process's first scheduling lands here, holding proc_lock. */
static void
forkret(void)
{
	static bool first = true;

	release(&proc_lock);
	if (first) {
		/* The file system needs a process context: its reads sleep. */
		char *argv[] = { "init", NULL };
		int err;
		first = false;
		fs_init(ROOTDEV);
		if (namei("/", &myproc()->cwd) != 0)
			panic("the file system has no root directory");
		err = kexec("/bin/init", argv);
		if (err < 0)
			panic("cannot run /bin/init: %s", errno_message(-err));
		myproc()->trapframe->a0 = err;
	}
	usertrapret();
}

/* ---- creating and destroying processes ---------------------------------- */

pagetable_t
proc_pagetable(struct proc *p)
{
	pagetable_t pagetable = uvmcreate();
	extern char trampoline[];

	if (pagetable == NULL)
		return NULL;
	if (mappages(pagetable, TRAMPOLINE, PGSIZE, (uint64)trampoline,
		     PTE_R | PTE_X) != 0 ||
	    mappages(pagetable, TRAPFRAME, PGSIZE, (uint64)p->trapframe,
		     PTE_R | PTE_W) != 0)
		goto out_free;
	return pagetable;

out_free:
	uvmfree(pagetable, 0);   /* drops the trampoline, if it was mapped */
	return NULL;
}

/* Free an address space proc_pagetable built; the trampoline and the
 * trapframe pages themselves are not the address space's to free. */
void
proc_freepagetable(pagetable_t pagetable, uint64 sz)
{
	uvmfree(pagetable, sz);
}

/*
 * Free everything a slot holds and return it to the free list.  p cannot
 * run (it is USED and not yet runnable, or a zombie its parent has taken
 * out of the ZOMBIE state), and nobody else frees it.  Freeing the memory
 * is the long part, proportional to the address space, so it runs without
 * proc_lock: no hart waits on a global spinlock while a big process is
 * torn down.
 */
static void
freeproc(struct proc *p)
{
	if (p->pagetable)
		proc_freepagetable(p->pagetable, p->sz);
	if (p->trapframe)
		kfree(p->trapframe);
	p->pagetable = NULL;
	p->trapframe = NULL;
	p->sz = 0;
	p->heap_start = 0;

	acquire(&proc_lock);
	p->pid = 0;
	p->pgid = 0;
	p->parent = NULL;
	p->name[0] = 0;
	p->chan = NULL;
	p->killed = 0;
	p->xstatus = 0;
	p->state = UNUSED;
	p->qnext = free_list;
	free_list = p;
	release(&proc_lock);
}

/*
 * Take a free slot and give it a pid, a trapframe, an empty address space
 * and a kernel context that starts at forkret.  Sets *pp to it, in state
 * USED.  Returns 0, -EAGAIN when the process table is full, or -ENOMEM.
 */
static int
allocproc(struct proc **pp)
{
	struct proc *p;

	acquire(&proc_lock);
	p = free_list;
	if (p == NULL) {
		release(&proc_lock);
		return -EAGAIN;
	}
	free_list = p->qnext;
	p->qnext = NULL;
	p->pid = nextpid++;
	p->state = USED;
	release(&proc_lock);

	if ((p->trapframe = kalloc()) == NULL)
		goto out_free;
	usertrap_init(p);
	if ((p->pagetable = proc_pagetable(p)) == NULL)
		goto out_free;
	memset(&p->context, 0, sizeof(p->context));
	p->context.ra = (uint64)forkret;
	p->context.sp = p->kstack + KSTACKPAGES * PGSIZE;
	p->context.gp = (uint64)p;          /* its thread's myproc() */
	*pp = p;
	return 0;

out_free:
	freeproc(p);
	return -ENOMEM;
}

/* The first process: it execs /bin/init from forkret. */
void
user_init(void)
{
	struct proc *p;

	if (allocproc(&p) != 0)
		panic("user_init: no memory for the first process");
	initproc = p;
	p->pgid = p->pid;
	safestrcpy(p->name, "init", sizeof(p->name));
	p->cwd = NULL;   /* the root, once forkret has mounted the file system */
	acquire(&proc_lock);
	make_runnable(p);
	release(&proc_lock);
}

int
fork(void)
{
	struct proc *parent = myproc();
	struct proc *child;
	int err;

	if ((err = allocproc(&child)) != 0)
		return err;
	if (uvmcopy(parent->pagetable, child->pagetable, parent->sz) != 0) {
		freeproc(child);
		return -ENOMEM;
	}
	child->sz = parent->sz;
	child->heap_start = parent->heap_start;
	*child->trapframe = *parent->trapframe;
	child->trapframe->a0 = 0;   /* fork returns 0 in the child */
	for (int fd = 0; fd < NOFILE; fd++)
		if (parent->ofile[fd])
			child->ofile[fd] = filedup(parent->ofile[fd]);
	child->cwd = idup(parent->cwd);
	safestrcpy(child->name, parent->name, sizeof(child->name));

	acquire(&proc_lock);
	child->parent = parent;
	child->pgid = parent->pgid;
	make_runnable(child);
	release(&proc_lock);
	return child->pid;
}

/* Give p's children to init.  proc_lock held. */
static void
reparent(struct proc *p)
{
	assert_holding(&proc_lock);
	for (struct proc *c = proc; c < &proc[NPROC]; c++) {
		if (c->parent == p && c->state != UNUSED) {
			c->parent = initproc;
			if (c->state == ZOMBIE)
				wakeup_locked(initproc);
		}
	}
}

void
exit(int status)
{
	struct proc *p = myproc();

	if (p == initproc)
		panic("init exited (status %d)", status);
	for (int fd = 0; fd < NOFILE; fd++) {
		if (p->ofile[fd]) {
			fileclose(p->ofile[fd]);
			p->ofile[fd] = NULL;
		}
	}
	begin_op();
	iput(p->cwd);
	end_op();
	p->cwd = NULL;

	acquire(&proc_lock);
	reparent(p);
	wakeup_locked(p->parent);
	p->xstatus = status;
	p->state = ZOMBIE;
	sched();
	panic("exit: a zombie ran again");
}

/*
 * Look for p's children: sets *zombie to one that has exited (or NULL)
 * and returns whether p has any children at all.  proc_lock held.
 */
static bool
find_zombie_child(struct proc *p, struct proc **zombie)
{
	bool have_children = false;

	assert_holding(&proc_lock);
	*zombie = NULL;
	for (struct proc *c = proc; c < &proc[NPROC]; c++) {
		if (c->parent != p || c->state == UNUSED)
			continue;
		have_children = true;
		if (c->state == ZOMBIE) {
			*zombie = c;
			break;
		}
	}
	return have_children;
}

/*
 * Wait for a child to exit; copy its status to status_addr (if not 0) and
 * return its pid.  -ECHILD without children, -EINTR if killed while
 * waiting, -EFAULT for a bad status_addr (the child is then left to wait
 * for another call).
 */
int
wait(uint64 status_addr)
{
	struct proc *p = myproc();
	struct proc *c;
	int pid, xstatus;

	acquire(&proc_lock);
	for (;;) {
		if (!find_zombie_child(p, &c)) {
			release(&proc_lock);
			return -ECHILD;
		}
		if (c != NULL)
			break;
		if (killed(p)) {
			release(&proc_lock);
			return -EINTR;
		}
		sleep_locked(p, &proc_lock);   /* a child's exit: wakeup(parent) */
	}
	pid = c->pid;
	xstatus = c->xstatus;
	release(&proc_lock);

	/* Only its parent reaps a zombie, and the parent is here: c stays. */
	if (status_addr != 0 &&
	    copyout(p->pagetable, status_addr, &xstatus, sizeof(xstatus)) != 0)
		return -EFAULT;
	acquire(&proc_lock);
	c->state = USED;     /* reaped: no longer a child anyone can wait for */
	c->parent = NULL;
	release(&proc_lock);
	freeproc(c);
	return pid;
}

/*
 * Mark process pid killed; it exits the next time it returns to user mode
 * or checks killed() in a long wait.  Returns 0, -ESRCH, or -EPERM for
 * init (pid 1), which adopts every orphan and so must never exit.
 */
/* The live (not UNUSED, not ZOMBIE) process with this pid, or NULL.
 * proc_lock held. */
static struct proc *
find_live(int pid)
{
	for (struct proc *p = proc; p < &proc[NPROC]; p++)
		if (p->pid == pid && p->state != UNUSED && p->state != ZOMBIE)
			return p;
	return NULL;
}

/* Mark p killed for why (KILLED or INTERRUPTED), unless it already is,
 * and wake it if it sleeps, so that the call it waits in returns EINTR.
 * proc_lock held. */
static void
mark_killed(struct proc *p, int why)
{
	int none = 0;

	__atomic_compare_exchange_n(&p->killed, &none, why, false,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	if (p->state == SLEEPING) {
		sleepq_remove(p);
		p->chan = NULL;
		make_runnable(p);
	}
}

int
kill(int pid)
{
	struct proc *p;
	int err = 0;

	acquire(&proc_lock);
	if ((p = find_live(pid)) == NULL)
		err = -ESRCH;
	else if (p == initproc)
		err = -EPERM;
	else
		mark_killed(p, KILLED);
	release(&proc_lock);
	return err;
}

void
setkilled(struct proc *p)
{
	int none = 0;

	__atomic_compare_exchange_n(&p->killed, &none, KILLED, false,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/* The exit status a killed process ends with: wait() tells its parent why. */
int
killed_status(struct proc *p)
{
	return killed(p) == INTERRUPTED ? EXIT_INTERRUPTED : EXIT_KILLED;
}

/*
 * Process groups.  Every process is in one, named by a pid: fork puts the
 * child in its parent's, and setpgid moves a process into another or
 * starts a new one.  The console stops a whole group at Ctrl-C
 * (kernel/dev/console.c): an interactive shell puts each job in a group
 * of its own and gives the console to the one in the foreground
 * (tcsetpgrp), so that Ctrl-C stops that job, every process of it and
 * whatever they started, and nothing else: not the shell, not a
 * background job, not init.
 */

/* Is some live process in group pgid?  Takes proc_lock. */
bool
pgroup_exists(int pgid)
{
	bool found = false;

	acquire(&proc_lock);
	for (struct proc *p = proc; p < &proc[NPROC] && !found; p++)
		found = p->pgid == pgid && p->state != UNUSED && p->state != ZOMBIE;
	release(&proc_lock);
	return found;
}

/*
 * setpgid(pid, pgid): put process pid (0: the caller), which must be the
 * caller or a child of it, in group pgid (0: pid, a new group of its
 * own).  A group other than its own must already exist.  0, or -EINVAL,
 * -ESRCH (no such process of ours) or -EPERM (no such group).
 */
int
setpgid(int pid, int pgid)
{
	struct proc *me = myproc(), *p;
	int err = 0;

	if (pid < 0 || pgid < 0)
		return -EINVAL;
	if (pgid != 0 && pgid != (pid ? pid : me->pid) && !pgroup_exists(pgid))
		return -EPERM;
	acquire(&proc_lock);
	p = pid == 0 ? me : find_live(pid);
	if (p == NULL || (p != me && p->parent != me))
		err = -ESRCH;
	else
		p->pgid = pgid ? pgid : p->pid;
	release(&proc_lock);
	return err;
}

/* Ctrl-C: mark every process of group pgid interrupted (init excepted),
 * as kill() does. */
void
interrupt_pgroup(int pgid)
{
	acquire(&proc_lock);
	for (struct proc *p = proc; p < &proc[NPROC]; p++)
		if (p->pgid == pgid && p->state != UNUSED && p->state != ZOMBIE &&
		    p != initproc)
			mark_killed(p, INTERRUPTED);
	release(&proc_lock);
}

/*
 * Grow or shrink the heap by n bytes; 0, or -ENOMEM / -EINVAL.  Growing
 * only moves the end: memory is allocated page by page as the program
 * touches it (kernel/mem/vm.c:uvm_fault), so a large sbrk costs nothing
 * until used.  Shrinking frees the pages that were touched.
 */
int
growproc(int n)
{
	struct proc *p = myproc();
	uint64 sz = p->sz;

	if (n > 0) {
		if (sz + n > TRAPFRAME)
			return -ENOMEM;
		p->sz = sz + n;      /* pages come on first touch: uvm_fault */
	} else if (n < 0) {
		if ((uint64)-(int64)n > sz - p->heap_start)
			return -EINVAL;
		p->sz = uvmdealloc(p->pagetable, sz, sz + n);
	}
	return 0;
}

/* Processes in any state but UNUSED. */
int
proc_count(void)
{
	int n = 0;

	acquire(&proc_lock);
	for (struct proc *p = proc; p < &proc[NPROC]; p++)
		if (p->state != UNUSED)
			n++;
	release(&proc_lock);
	return n;
}

int
either_copyout(bool user_dst, uint64 dst, const void *src, uint64 len)
{
	if (user_dst)
		return copyout(myproc()->pagetable, dst, src, len);
	memmove((void *)dst, src, len);
	return 0;
}

int
either_copyin(void *dst, bool user_src, uint64 src, uint64 len)
{
	if (user_src)
		return copyin(myproc()->pagetable, dst, src, len);
	memmove(dst, (void *)src, len);
	return 0;
}

/*
 * What sleeping p waits for, in words, for procdump: from its channel and
 * the lock it gave sleep().  A sleep lock (acquiresleep sleeps on the
 * sleep lock itself, with its inner spinlock) is named with its holder, and
 * for a buffer or an inode with its block or inode number, so that two
 * processes waiting for each other show at a glance.  Other waits are named
 * by their condition lock ("pipe", "console", "log", "ticks", ...) and the
 * channel's address, which tells two pipes apart.
 */
static void
print_wait(struct proc *p)
{
	struct spinlock *lk = p->waitlock;
	struct sleeplock *sl = p->chan;

	if (p->chan == p) {
		printf("a child to exit (wait)");
	} else if (lk == &sl->lk) {
		int n;
		if ((n = buffer_block(sl)) >= 0)
			printf("buffer of block %d", n);
		else if ((n = inode_number(sl)) >= 0)
			printf("inode %d", n);
		else
			printf("%s", sl->name);
		printf(", held by pid %d", __atomic_load_n(&sl->pid, __ATOMIC_RELAXED));
	} else if (lk == &tickslock) {
		printf("time to pass (sleep)");
	} else {
		printf("%s %p", lk ? lk->name : "?", p->chan);
	}
}

/* Ctrl-P: list the processes, and what each sleeping one waits for.
 * Takes no lock, so it works even when the system is wedged; the picture
 * may be slightly inconsistent. */
void
procdump(void)
{
	static const char *const names[] = {
		[UNUSED] = "unused", [USED] = "used", [SLEEPING] = "sleep",
		[RUNNABLE] = "runble", [RUNNING] = "run", [ZOMBIE] = "zombie",
	};

	printf("\n  pid state  hart name             waits for\n");
	for (struct proc *p = proc; p < &proc[NPROC]; p++) {
		if (p->state == UNUSED)
			continue;
		if (p->state == RUNNING)
			printf("%5d %-6s %4d %s\n", p->pid, names[p->state], p->hart, p->name);
		else if (p->state != SLEEPING)
			printf("%5d %-6s    - %s\n", p->pid, names[p->state], p->name);
		else {
			printf("%5d %-6s    - %-16s ", p->pid, names[p->state], p->name);
			print_wait(p);
			printf("\n");
		}
	}
}
