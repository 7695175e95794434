/*
 * user/mkdir.c: make directories.
 *
 * usage: mkdir dir...
 *
 * Each directory is made in turn; one that cannot be made is reported and
 * the rest are still tried.
 */
#include "user/user.h"

int
main(int argc, char **argv)
{
	int i, status = 0;

	if (argc < 2) {
		fprintf(2, "usage: mkdir dir...\n");
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (mkdir(argv[i]) < 0) {
			fprintf(2, "mkdir: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
