/*
 * user/lib/usys.S: the system-call stubs, generated from
 * include/syscalls.h; add calls there, not here.
 *
 * The C preprocessor expands every row of SYSCALL_TABLE into a function
 *
 *     name:   li    a7, number
 *             ecall
 *             tail  __syscall_result
 *
 * The caller has already put the arguments in a0..a5, which is where the
 * kernel looks for them, so a stub only adds the call number.  The kernel
 * answers in a0.  __syscall_result (user/lib/errno.c) turns an answer in
 * [-ERRNO_MAX, -1] into -1 with errno set and passes anything else
 * through; since `tail` is a plain jump that leaves ra alone, it returns
 * straight to the stub's caller.  That check is C because it uses
 * IS_ERR_RESULT from include/errno.h, which assembly cannot include.
 *
 * The whole table expands onto a single line, so the macro separates its
 * statements with ';', which GNU as for RISC-V accepts as a statement
 * separator.  It must not contain '#', which the preprocessor would take
 * as its stringizing operator.
 */
#include "include/syscalls.h"

#define SYSCALL_STUB(number, name, ret, params)                 \
	.globl name; .type name, @function;                     \
	name: li a7, number; ecall; tail __syscall_result;      \
	.size name, . - name;

	.text
SYSCALL_TABLE(SYSCALL_STUB)
