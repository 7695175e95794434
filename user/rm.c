/*
 * user/rm.c: remove files, and directories that are empty.
 *
 * usage: rm path...
 *
 * Each path is unlinked in turn.  The kernel refuses a directory that
 * still holds entries (ENOTEMPTY), and "." and ".."; the reason is
 * reported and the rest are still tried.
 */
#include "user/user.h"

int
main(int argc, char **argv)
{
	int i, status = 0;

	if (argc < 2) {
		fprintf(2, "usage: rm path...\n");
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (unlink(argv[i]) < 0) {
			fprintf(2, "rm: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
