/*
 * user/pingpong.c: a parent and its child pass one byte back and forth
 * over two pipes.
 *
 * usage: pingpong
 *
 * The parent sends a byte to the child through one pipe; the child
 * prints "<pid>: received ping" and sends it back through the other; the
 * parent prints "<pid>: received pong" and waits for the child.
 *
 * This is the starter: it compiles and runs, but does none of the work.
 * labs/util/README.md says what the program must do and how it is graded.
 */
#include "user/user.h"

int
main(int argc, char **argv)
{
	fprintf(2, "pingpong: not implemented\n");
	return 1;
}
