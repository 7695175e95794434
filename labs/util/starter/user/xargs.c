/*
 * user/xargs.c: run a command once for each line of standard input.
 *
 * usage: xargs command [arg...]
 *
 * For each line of standard input, runs command with args and then the
 * line, without its newline, as one more argument, and waits for it to
 * end before reading the next line.
 *
 * This is the starter: it compiles and runs, but does none of the work.
 * labs/util/README.md says what the program must do and how it is graded.
 */
#include "user/user.h"

int
main(int argc, char **argv)
{
	fprintf(2, "xargs: not implemented\n");
	return 1;
}
