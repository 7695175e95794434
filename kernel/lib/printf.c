/*
 * kernel/lib/printf.c: the kernel's formatted output, and panic.
 *
 * Formatting is the shared formatter (include/fmt.c); each character goes
 * to the console synchronously, so kernel messages appear even with
 * interrupts off.  A lock keeps lines from different harts apart.  After a
 * panic the lock is ignored, so the panicking hart can always speak.
 */
#include <stdarg.h>
#include "include/fmt.h"
#include "kernel/lib/printf.h"
#include "kernel/dev/console.h"
#include "kernel/lock/spinlock.h"
#include "kernel/proc/proc.h"
#include "kernel/riscv/sbi.h"
#include "kernel/riscv/machine.h"
#include "kernel/riscv/memlayout.h"
#include "kernel/lib/ksym.h"

extern char etext[];   /* end of the kernel's code (kernel/riscv/kernel.ld) */

volatile int panicked;

static struct spinlock print_lock;

void
printf_init(void)
{
	initlock(&print_lock, "printf");
}

static void
put_console(void *arg, char c)
{
	(void)arg;
	console_putc(c);
}

int
printf(const char *fmt, ...)
{
	va_list ap;
	bool locking = !panicked;
	int n;

	if (locking)
		acquire(&print_lock);
	va_start(ap, fmt);
	n = fmt_vformat(put_console, 0, fmt, ap);
	va_end(ap);
	if (locking)
		release(&print_lock);
	return n;
}

/*
 * The address of the call that will return to ra.  A call is a 4-byte
 * jal or jalr, or the 2-byte compressed c.jalr (an indirect call, such as
 * the system-call dispatch).  Naming the call rather than ra matters when
 * a call to a noreturn function is the last instruction of its function:
 * ra then points into the next function.  (Should the upper half of a
 * 4-byte call look like a c.jalr, ra-2 is still inside that call.)
 */
static uint64
call_site(uint64 ra)
{
	uint16 insn = *(uint16 *)(ra - 2);

	if ((insn & 0xf07f) == 0x9002 && (insn & 0x0f80) != 0)   /* c.jalr */
		return ra - 2;
	return ra - 4;
}

/* One line of a backtrace: "  0x... usertrap+0x4c", or just the address. */
static void
print_frame(uint64 pc)
{
	uint64 offset;
	const char *name = ksym_lookup(pc, &offset);

	if (name)
		printf("  %p %s+0x%lx\n", (void *)pc, name, (unsigned long)offset);
	else
		printf("  %p\n", (void *)pc);
}

/* Is addr in the kernel's code?  Return addresses are; saved fps are not. */
static bool
is_kernel_text(uint64 addr)
{
	return addr >= KERNBASE && addr < (uint64)etext;
}

/*
 * Walk the frame-pointer chain, printing each call that led here.  With
 * -fno-omit-frame-pointer every RISC-V function keeps fp (s0) pointing
 * just above its frame, and saves there, going down, the return address
 * (at fp-8) and the caller's fp (at fp-16).  A leaf function, which calls
 * nothing, saves no return address: its caller's fp is at fp-8.  A trap
 * can interrupt a leaf, so a value at fp-8 that is not kernel code is
 * taken for a leaf's saved fp.  Callers' frames lie at higher addresses
 * on the same stack; the chain ends at a zero fp (set by the boot code
 * and by uservec) or at anything that does not look like a frame.
 * kernel/lib/backtrace.py turns the output into file:line on the host.
 */
void
backtrace_from(uint64 fp)
{
	printf("backtrace:\n");
	for (int depth = 0; depth < 32 && fp != 0 && (fp & 7) == 0; depth++) {
		uint64 saved = *(uint64 *)(fp - 8);
		uint64 caller_fp = saved;
		if (is_kernel_text(saved)) {
			print_frame(call_site(saved));
			caller_fp = *(uint64 *)(fp - 16);
		}
		if (caller_fp <= fp || caller_fp - fp > KSTACKPAGES * PGSIZE)
			break;
		fp = caller_fp;
	}
}

/* Ask every other hart to stop: they see `panicked` in their IPI handler. */
static void
stop_other_harts(void)
{
	for (int i = 0; i < ncpu; i++)
		if (&cpus[i] != mycpu())
			sbi_send_ipi(1, cpus[i].hartid);
}

void
panic(const char *fmt, ...)
{
	va_list ap;

	intr_off();
	panicked = 1;
	stop_other_harts();
	printf("\npanic: ");
	va_start(ap, fmt);
	fmt_vformat(put_console, 0, fmt, ap);
	va_end(ap);
	printf("\nhart %d, %s\n", cpuid(), myproc() ? myproc()->name : "no process");
	backtrace_from((uint64)__builtin_frame_address(0));
	for (;;)
		wfi();
}
