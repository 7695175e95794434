/*
 * callconv: a small program to read as machine code, for the traps lab's
 * questions on the RISC-V calling convention (labs/traps/README.md).
 *
 *   make user/bin/callconv.asm    its listing: source and instructions
 *
 * Nothing here is clever; each line exists to make one thing visible in
 * the listing: how arguments travel, which calls the compiler keeps and
 * which it folds into the caller, how a frame is laid out, what a format
 * string does when an argument is missing, and in which order a word's
 * bytes sit in memory.
 */
#include "user/user.h"

/* Short and static: the compiler may copy its body into each caller. */
static int
scale(int x, int factor)
{
	return x * factor + 3;
}

int mix(int a, int b, int c, int d);

/* Kept out of line (noipa: never inlined, cloned or specialised), so that
 * main has a real call to read. */
__attribute__((noipa)) int
mix(int a, int b, int c, int d)
{
	int sum = scale(a, b) + scale(c, d);

	printf("mix(%d, %d, %d, %d) = %d\n", a, b, c, d, sum);
	return sum ^ (a + d);
}

int
main(void)
{
	unsigned int word = 0x00216968;
	int total = mix(7, 11, 13, 17);

	printf("total %d\n", total);

	/*
	 * The format asks for two numbers, the call passes one.  The compiler
	 * would refuse this (-Wformat, an error under -Werror), so the check
	 * is turned off for these lines only.  Never do this for real.
	 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
	printf("total %d, limit %d\n", total);
#pragma GCC diagnostic pop

	/* The four bytes of word, read as a string. */
	printf("%s\n", (char *)&word);
	return 0;
}
