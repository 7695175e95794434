/*
 * labs/fs/user/mv.c: give a file or directory a new name (rename).
 *
 * usage: mv old new
 *
 * One rename() call: the file keeps its inode, and a crash leaves it
 * under one of the two names, never both or neither.  When new is an
 * existing directory the file is not moved into it (as some mv's do):
 * rename's rules apply, and an empty directory is replaced.
 */
#include "user/user.h"

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(2, "usage: mv old new\n");
		return 2;
	}
	if (rename(argv[1], argv[2]) < 0) {
		fprintf(2, "mv: %s -> %s: %s\n", argv[1], argv[2],
		        strerror(errno));
		return 1;
	}
	return 0;
}
