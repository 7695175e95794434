/*
 * user/head.c: print the first lines of files, or of standard input.
 *
 * usage: head [-n lines] [file...]
 *
 * Prints the first 10 lines, or as many as -n says.  With several files,
 * each one's lines follow a "==> name <==" heading.
 */
#include "user/user.h"

#define DEFAULT_LINES 10

static char buf[4096];

static int
usage(void)
{
	fprintf(2, "usage: head [-n lines] [file...]\n");
	return 2;
}

/* Report a failed write, unless the reader of a pipe has gone. */
static int
write_error(void)
{
	if (errno != EPIPE)
		fprintf(2, "head: write: %s\n", strerror(errno));
	return -1;
}

/* Copy the first nlines lines of fd to standard output.  Returns 0 or -1. */
static int
head_fd(int fd, const char *name, int nlines)
{
	int n = 0, len;
	char *nl;

	while (nlines > 0 && (n = read(fd, buf, sizeof(buf))) > 0) {
		for (len = 0; len < n && nlines > 0; len = nl - buf + 1) {
			if ((nl = memchr(buf + len, '\n', n - len)) == NULL) {
				len = n;
				break;
			}
			nlines--;
		}
		if (write(1, buf, len) != len)
			return write_error();
	}
	if (nlines > 0 && n < 0) {
		fprintf(2, "head: %s: %s\n", name, strerror(errno));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int first = 1, i, fd, nlines = DEFAULT_LINES, status = 0;

	if (argc > 1 && strcmp(argv[1], "-n") == 0) {
		if (argc < 3 || !is_number(argv[2]))
			return usage();
		nlines = atoi(argv[2]);
		first = 3;
	} else if (argc > 1 && argv[1][0] == '-' && argv[1][1] != 0) {
		return usage();
	}
	if (first == argc)
		return head_fd(0, "standard input", nlines) < 0;
	for (i = first; i < argc; i++) {
		if ((fd = open(argv[i], O_RDONLY)) < 0) {
			fprintf(2, "head: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		if (argc - first > 1)
			printf("%s==> %s <==\n", i > first ? "\n" : "",
			       argv[i]);
		if (head_fd(fd, argv[i], nlines) < 0)
			status = 1;
		close(fd);
	}
	return status;
}
