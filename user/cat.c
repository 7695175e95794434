/*
 * user/cat.c: copy files, or standard input, to standard output.
 *
 * usage: cat [file...]
 *
 * A file that cannot be opened or read is reported and skipped; the exit
 * status is then 1.  Writing stops quietly when the reader of a pipe has
 * gone (EPIPE), as there is nobody left to tell.
 */
#include "user/user.h"

static char buf[4096];

/* Copy fd to standard output; name is used in messages.  Returns 0 or -1. */
static int
copy(int fd, const char *name)
{
	int n, w;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if ((w = write(1, buf, n)) == n)
			continue;
		if (w >= 0)
			fprintf(2, "cat: write: short write\n");
		else if (errno != EPIPE)
			fprintf(2, "cat: write: %s\n", strerror(errno));
		return -1;
	}
	if (n < 0) {
		fprintf(2, "cat: %s: %s\n", name, strerror(errno));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int i, fd, status = 0;

	if (argc < 2)
		return copy(0, "standard input") < 0;
	for (i = 1; i < argc; i++) {
		if ((fd = open(argv[i], O_RDONLY)) < 0) {
			fprintf(2, "cat: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		if (copy(fd, argv[i]) < 0)
			status = 1;
		close(fd);
	}
	return status;
}
