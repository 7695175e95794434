/*
 * kernel/riscv/trap.c: traps from user mode and from the kernel, and the clock.
 *
 * A trap is a system call (ecall), an exception (a fault, an illegal
 * instruction), or an interrupt (timer, device, inter-processor).
 *
 * From user mode the path is
 *
 *   user code --trap--> uservec (trampoline.S): save registers, switch page table
 *             --------> usertrap(): dispatch on scause
 *             --------> usertrapret(): set up the next trap, call userret
 *             --------> userret (trampoline.S): restore registers, sret
 *
 * From kernel mode, kernelvec (kernelvec.S) saves registers on the current
 * kernel stack and calls kerneltrap().  The kernel itself never takes
 * exceptions on purpose: one there is a bug, and it panics.
 *
 * A faulting user program is killed with one line naming the process, the
 * cause, the faulting address and the pc.  User programs never run with
 * the FPU on (sstatus.FS = off): they are built for soft float, so an FPU
 * instruction is an illegal instruction and kills only that process.
 */
#include <stddef.h>
#include "kernel/riscv/trap.h"
#include "kernel/proc/proc.h"
#include "kernel/riscv/riscv.h"
#include "kernel/riscv/memlayout.h"
#include "kernel/lib/printf.h"
#include "kernel/proc/syscall.h"
#include "kernel/riscv/plic.h"
#include "kernel/riscv/uart.h"
#include "kernel/dev/disk.h"
#include "kernel/riscv/sbi.h"
#include "kernel/riscv/fdt.h"
#include "kernel/riscv/entry.h"
#include "kernel/mem/vm.h"
#include "include/errno.h"

_Static_assert(offsetof(struct trapframe, kernel_satp) == TF_KERNEL_SATP, "trapframe");
_Static_assert(offsetof(struct trapframe, kernel_sp) == TF_KERNEL_SP, "trapframe");
_Static_assert(offsetof(struct trapframe, kernel_trap) == TF_KERNEL_TRAP, "trapframe");
_Static_assert(offsetof(struct trapframe, epc) == TF_EPC, "trapframe");
_Static_assert(offsetof(struct trapframe, kernel_tp) == TF_KERNEL_TP, "trapframe");
_Static_assert(offsetof(struct trapframe, kernel_gp) == TF_KERNEL_GP, "trapframe");
_Static_assert(offsetof(struct trapframe, ra) == TF_X(1), "trapframe: x1");
_Static_assert(offsetof(struct trapframe, sp) == TF_X(2), "trapframe: x2");
_Static_assert(offsetof(struct trapframe, s0) == TF_X(8), "trapframe: x8");
_Static_assert(offsetof(struct trapframe, a0) == TF_X(10), "trapframe: x10");
_Static_assert(offsetof(struct trapframe, a7) == TF_X(17), "trapframe: x17");
_Static_assert(offsetof(struct trapframe, s2) == TF_X(18), "trapframe: x18");
_Static_assert(offsetof(struct trapframe, t3) == TF_X(28), "trapframe: x28");
_Static_assert(offsetof(struct trapframe, t6) == TF_X(31), "trapframe: x31");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "trapframe size");

struct spinlock tickslock;
uint64 ticks;
uint tick_sleepers;
static uint64 boot_time;                  /* the time CSR at trap_init */
static bool clock_stopped[NCPU];          /* [own hart] slowed: clock_idle */

extern char trampoline[], uservec[], userret[];
void kernelvec(void);

/* uservec and userret at their addresses in the trampoline page, where
 * user page tables map them: every return to user mode needs both, so
 * trap_init works them out once. */
static uint64 uservec_va, userret_va;

/* What devintr() found. */
enum intr_kind { INTR_NONE, INTR_DEVICE, INTR_TIMER };

void
trap_init(void)
{
	initlock(&tickslock, "ticks");
	boot_time = r_time();
	uservec_va = TRAMPOLINE + (uservec - trampoline);
	userret_va = TRAMPOLINE + (userret - trampoline);
}

/* Ask for a timer interrupt on this hart at time `when` (never: ~0). */
static void
timer_set(uint64 when)
{
	if (bootinfo.sstc)
		w_stimecmp(when);
	else
		sbi_set_timer(when);
}

/* Arrange the next timer interrupt on this hart, one tick from now. */
static void
timer_set_next(void)
{
	timer_set(r_time() + bootinfo.timebase / TICK_HZ);
}

/*
 * Ticks (1/TICK_HZ s) since boot, read from the time CSR.  Time is not
 * counted by interrupts, so it stays right however many ticks an idle
 * hart sleeps through.
 */
uint64
clock_ticks(void)
{
	return (r_time() - boot_time) / (bootinfo.timebase / TICK_HZ);
}

/*
 * Tickless idle.  The clock interrupt exists to preempt a running
 * process and to wake processes in sleep(n).  A hart with nothing to run
 * has nothing to preempt, so before it waits in wfi it slows its clock to
 * one interrupt a second (IDLE_TICK_HZ), unless some process is in
 * sleep(n): then it keeps ticking, for them.  (A process entering
 * sleep(n) counts itself in tick_sleepers before its own hart goes idle,
 * so that hart at least keeps ticking.)  An idle guest then takes a
 * handful of interrupts a second instead of hundreds.  Why not stop the
 * timer altogether: under QEMU's -icount (make bench) a machine with no
 * timer pending on any hart stalls, even for its disk.  clock_wake
 * restarts the full-speed tick before the hart runs a process again.
 */
#define IDLE_TICK_HZ 1

void
clock_idle(void)
{
	int me = cpuid();

	if (__atomic_load_n(&tick_sleepers, __ATOMIC_RELAXED) == 0) {
		timer_set(r_time() + bootinfo.timebase / IDLE_TICK_HZ);
		clock_stopped[me] = true;
	}
}

void
clock_wake(void)
{
	int me = cpuid();

	/* Not when it was left ticking: re-arming would swallow a pending tick.
	 * (A slowed clock's interrupt may be pending: re-arming drops it, and
	 * it had nothing to do.) */
	if (clock_stopped[me]) {
		clock_stopped[me] = false;
		timer_set_next();
	}
}

/* Per hart: take kernel traps, enable interrupts, start the clock, and
 * let user code read the cycle, time and instruction counters. */
void
trap_init_hart(void)
{
	w_stvec((uint64)kernelvec);
	w_sie(r_sie() | SIE_SEIE | SIE_STIE | SIE_SSIE);
	w_scounteren(SCOUNTEREN_CY | SCOUNTEREN_TM | SCOUNTEREN_IR);
	timer_set_next();
}

static const char *const exception_names[] = {
	[EXC_INST_MISALIGNED]  = "misaligned instruction fetch",
	[EXC_INST_ACCESS]      = "instruction access fault",
	[EXC_ILLEGAL_INST]     = "illegal instruction",
	[EXC_BREAKPOINT]       = "breakpoint",
	[EXC_LOAD_MISALIGNED]  = "misaligned load",
	[EXC_LOAD_ACCESS]      = "load access fault",
	[EXC_STORE_MISALIGNED] = "misaligned store",
	[EXC_STORE_ACCESS]     = "store access fault",
	[EXC_ECALL_U]          = "system call",
	[EXC_INST_PAGE_FAULT]  = "instruction page fault",
	[EXC_LOAD_PAGE_FAULT]  = "load page fault",
	[EXC_STORE_PAGE_FAULT] = "store page fault",
};

const char *
trap_cause_name(uint64 scause)
{
	if (scause & SCAUSE_INTERRUPT)
		return "interrupt";
	if (scause < sizeof(exception_names) / sizeof(exception_names[0]) &&
	    exception_names[scause])
		return exception_names[scause];
	return "unknown exception";
}

/*
 * One clock tick on this hart: the first hart to see a new tick records
 * it and wakes the processes in sleep(n); every hart re-arms its timer.
 */
static void
clock_intr(void)
{
	uint64 now = clock_ticks();

	if (now != __atomic_load_n(&ticks, __ATOMIC_RELAXED)) {
		acquire(&tickslock);
		if (now > ticks) {
			ticks = now;
			if (tick_sleepers > 0)
				wakeup(&ticks);
		}
		release(&tickslock);
	}
	timer_set_next();
}

/* An inter-processor interrupt: a wake-up from wfi, or a panic elsewhere. */
static void
soft_intr(void)
{
	w_sip(r_sip() & ~SIP_SSIP);
	if (panicked) {
		intr_off();
		for (;;)
			wfi();
	}
}

static void
external_intr(void)
{
	int irq = plic_claim();

	if (irq == UART0_IRQ)
		uart_intr();
	else if (irq == VIRTIO0_IRQ)
		disk_intr();
	else if (irq != 0)
		printf("unexpected interrupt irq=%d\n", irq);
	if (irq != 0)
		plic_complete(irq);
}

static enum intr_kind
devintr(uint64 scause)
{
	if ((scause & SCAUSE_INTERRUPT) == 0)
		return INTR_NONE;
	switch (scause & ~SCAUSE_INTERRUPT) {
	case IRQ_S_TIMER:
		clock_intr();
		return INTR_TIMER;
	case IRQ_S_EXTERNAL:
		external_intr();
		return INTR_DEVICE;
	case IRQ_S_SOFT:
		soft_intr();
		return INTR_DEVICE;
	default:
		return INTR_NONE;
	}
}

/* Does stval hold the faulting address for this exception? */
static bool
stval_is_address(uint64 scause)
{
	switch (scause) {
	case EXC_INST_MISALIGNED:
	case EXC_INST_ACCESS:
	case EXC_LOAD_MISALIGNED:
	case EXC_LOAD_ACCESS:
	case EXC_STORE_MISALIGNED:
	case EXC_STORE_ACCESS:
	case EXC_INST_PAGE_FAULT:
	case EXC_LOAD_PAGE_FAULT:
	case EXC_STORE_PAGE_FAULT:
		return true;
	default:
		return false;
	}
}

/*
 * Kill the current process for a fault, saying why in one line.  What
 * stval holds depends on the cause, and the line names it: the address
 * for a memory fault, the instruction's bits for an illegal instruction.
 * (The caller reads stval: an interrupt taken since would have changed it.)
 */
static void
kill_for_fault(struct proc *p, uint64 scause, uint64 stval)
{
	const char *cause = trap_cause_name(scause);
	uint64 pc = p->trapframe->epc;

	if (stval_is_address(scause))
		printf("pid %d %s: %s at address %p, pc %p: killed\n", p->pid,
		       p->name, cause, (void *)stval, (void *)pc);
	else if (scause == EXC_ILLEGAL_INST)
		printf("pid %d %s: %s 0x%08lx, pc %p: killed\n", p->pid, p->name,
		       cause, (unsigned long)stval, (void *)pc);
	else
		printf("pid %d %s: %s, pc %p: killed\n", p->pid, p->name, cause,
		       (void *)pc);
	setkilled(p);
}

/* The access a page-fault cause was for, as a PTE permission; 0 if scause
 * is not a page fault. */
static pte_t
page_fault_access(uint64 scause)
{
	switch (scause) {
	case EXC_LOAD_PAGE_FAULT:  return PTE_R;
	case EXC_STORE_PAGE_FAULT: return PTE_W;
	case EXC_INST_PAGE_FAULT:  return PTE_X;
	default:                   return 0;
	}
}

/*
 * A page fault at va from user mode: the virtual-memory code resolves it
 * (a heap page's first touch) or refuses it, and a refusal kills the
 * process as any other fault does.  Running out of memory kills it too,
 * with a line that says so: the program did nothing wrong.  Interrupts go
 * on, as for a system call: resolving a fault takes a while (zeroing a
 * page here; reading one from a file, where files can be mapped) and may
 * sleep.
 */
static void
user_page_fault(struct proc *p, uint64 scause, uint64 va)
{
	int err;

	intr_on();
	err = uvm_fault(p, va, page_fault_access(scause));
	if (err == -ENOMEM) {
		printf("pid %d %s: out of memory for a page at address %p, pc %p: killed\n",
		       p->pid, p->name, (void *)va, (void *)p->trapframe->epc);
		setkilled(p);
	} else if (err != 0) {
		kill_for_fault(p, scause, va);
	}
}

/* Entered from uservec with the kernel page table and stack, and gp set
 * to the current process (myproc) from the trapframe. */
void
usertrap(void)
{
	struct proc *p = myproc();
	uint64 scause = r_scause();
	enum intr_kind kind = INTR_NONE;

	w_stvec((uint64)kernelvec);
	p->trapframe->epc = r_sepc();
	if (scause == EXC_ECALL_U) {
		p->trapframe->epc += 4;   /* return past the ecall */
		intr_on();
		syscall();
	} else if (page_fault_access(scause) != 0) {
		user_page_fault(p, scause, r_stval());
	} else if ((kind = devintr(scause)) == INTR_NONE) {
		kill_for_fault(p, scause, r_stval());
	}
	if (killed(p))
		exit(killed_status(p));
	if (kind == INTR_TIMER)
		yield();
	usertrapret();
}

/*
 * The trapframe fields uservec loads that are the same for every
 * process, whenever it runs: the kernel's page table and usertrap's
 * address.  Set once when the process is made (allocproc), not on every
 * return; a trapframe copied from another process (fork) has them right.
 */
void
usertrap_init(struct proc *p)
{
	p->trapframe->kernel_satp = MAKE_SATP(kernel_pagetable);
	p->trapframe->kernel_trap = (uint64)usertrap;
}

/* Return to user mode: prepare the trapframe and sstatus, then userret. */
void
usertrapret(void)
{
	struct proc *p = myproc();
	struct trapframe *tf = p->trapframe;
	uint64 sstatus;
	void (*to_user)(uint64 satp);

	intr_off();   /* until sret: a trap now would find stvec = uservec */
	w_stvec(uservec_va);
	/* For uservec: this process's kernel stack and struct proc (the
	 * trapframe may have been copied from another process, by fork), and
	 * this hart (a process may move between harts). */
	tf->kernel_sp = p->kstack + KSTACKPAGES * PGSIZE;
	tf->kernel_gp = (uint64)p;
	tf->kernel_tp = r_tp();

	sstatus = r_sstatus();
	sstatus &= ~(SSTATUS_SPP | SSTATUS_FS);   /* to user mode, FPU off */
	sstatus |= SSTATUS_SPIE;                  /* interrupts on there */
	w_sstatus(sstatus);
	w_sepc(tf->epc);

	to_user = (void (*)(uint64))userret_va;
	to_user(MAKE_SATP(p->pagetable));
	__builtin_unreachable();
}

/* Entered from kernelvec, on the current kernel stack. */
void
kerneltrap(void)
{
	uint64 sepc = r_sepc();
	uint64 sstatus = r_sstatus();
	uint64 scause = r_scause();
	enum intr_kind kind;

	if ((sstatus & SSTATUS_SPP) == 0)
		panic("kerneltrap: trap did not come from supervisor mode");
	if (intr_get())
		panic("kerneltrap: interrupts enabled");
	kind = devintr(scause);
	if (kind == INTR_NONE)
		panic("kernel trap: %s at address %p, pc %p (scause %p)",
		      trap_cause_name(scause), (void *)r_stval(), (void *)sepc,
		      (void *)scause);
	if (kind == INTR_TIMER && myproc() != 0)
		yield();
	/* yield() may have run other code whose traps changed these. */
	w_sepc(sepc);
	w_sstatus(sstatus);
}
