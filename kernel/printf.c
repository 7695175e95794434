/*
 * kernel/printf.c: the kernel's formatted output, and panic.
 *
 * Formatting is the shared formatter (include/fmt.c); each character goes
 * to the console synchronously, so kernel messages appear even with
 * interrupts off.  A lock keeps lines from different harts apart.  After a
 * panic the lock is ignored, so the panicking hart can always speak.
 */
#include <stdarg.h>
#include "include/fmt.h"
#include "kernel/printf.h"
#include "kernel/console.h"
#include "kernel/spinlock.h"
#include "kernel/proc.h"
#include "kernel/sbi.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"

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
 * Walk the frame-pointer chain.  With -fno-omit-frame-pointer every RISC-V
 * frame keeps the return address at fp-8 and the caller's fp at fp-16;
 * callers' frames lie at higher addresses, on the same stack.
 */
void
backtrace_from(uint64 fp)
{
	printf("backtrace:\n");
	for (int depth = 0; depth < 32 && fp != 0 && (fp & 7) == 0; depth++) {
		uint64 ra = *(uint64 *)(fp - 8);
		uint64 caller_fp = *(uint64 *)(fp - 16);
		if (ra < KERNBASE)
			break;
		printf("  %p\n", (void *)(ra - 4));
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
	backtrace_from(r_fp());
	for (;;)
		wfi();
}
