/*
 * kernel/lib/printf.h: formatted output to the console, and panic.
 */
#ifndef KERNEL_LIB_PRINTF_H
#define KERNEL_LIB_PRINTF_H

#include "include/types.h"

void printf_init(void);
int  printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "panic: ...", a backtrace, stop every hart.  For broken invariants only. */
__attribute__((noreturn)) void panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Print the chain of calls from frame pointer fp, each as name+offset. */
void backtrace_from(uint64 fp);

extern volatile int panicked;   /* set once any hart panics */

#endif /* KERNEL_LIB_PRINTF_H */
