/*
 * user/timeout.c: run a command, but stop it if it runs too long.
 *
 * usage: timeout ticks command [arg...]
 *
 * Runs command and waits for it.  If it is still running after ticks
 * timer ticks, kills it and prints "timeout: killed command after N
 * ticks"; exits with the command's status, or 124 after a kill.
 *
 * This is the starter: it compiles and runs, but does none of the work.
 * labs/util/README.md says what the program must do and how it is graded.
 */
#include "user/user.h"

int
main(int argc, char **argv)
{
	fprintf(2, "timeout: not implemented\n");
	return 1;
}
