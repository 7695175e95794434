/*
 * user/ln.c: give a file a second name (a hard link).
 *
 * usage: ln old new
 *
 * Both names then refer to the same inode; directories cannot be linked.
 */
#include "user/user.h"

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(2, "usage: ln old new\n");
		return 2;
	}
	if (link(argv[1], argv[2]) < 0) {
		fprintf(2, "ln: %s -> %s: %s\n", argv[2], argv[1],
		        strerror(errno));
		return 1;
	}
	return 0;
}
