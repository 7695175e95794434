/*
 * user/lib/crt0.S: where every user program starts.
 *
 * exec enters _start in user mode with
 *
 *     a0 = argc
 *     a1 = argv, argc pointers to the argument strings and then a null
 *     sp = the top of the user stack, just below the argument strings
 *
 * a0 and a1 are exactly where the calling convention puts main's first
 * two arguments, so _start calls main as it stands and then passes main's
 * return value, still in a0, to exit.  Returning from main is therefore
 * the same as calling exit with that value; exit does not return.
 *
 * Before the call, _start rounds sp down to the 16 bytes the RISC-V ABI
 * requires at a call (only unused stack lies below sp, so this is always
 * safe), and zeroes the frame pointer so that a backtrace walking the
 * chain of saved frame pointers stops at main.
 *
 * user/user.ld puts section .text.start first in the text segment, so
 * _start is also the program's first instruction.
 */
	.section .text.start, "ax", @progbits
	.globl _start
	.type _start, @function
_start:
	andi	sp, sp, -16
	li	fp, 0
	call	main
	call	exit
	.size _start, . - _start
