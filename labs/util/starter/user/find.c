/*
 * user/find.c: find the files with a given name in a directory tree.
 *
 * usage: find dir name
 *
 * Prints the path of every file or directory below dir whose last
 * component is name, walking into every subdirectory except "." and
 * "..".
 *
 * This is the starter: it compiles and runs, but does none of the work.
 * labs/util/README.md says what the program must do and how it is graded.
 */
#include "user/user.h"

int
main(int argc, char **argv)
{
	fprintf(2, "find: not implemented\n");
	return 1;
}
