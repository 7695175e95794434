/*
 * user/xargs.c: run a command once for each line of standard input.
 *
 * usage: xargs command [arg...]
 *
 * For each line read from standard input, xargs runs command with the
 * given args followed by the line, without its newline, as one more
 * argument: "(echo a b; echo c) | xargs echo x" runs "echo x 'a b'" and
 * then "echo x c".  Empty lines are skipped.  Each command runs to its
 * end before the next line is read, so their outputs never mix.  A
 * command without a '/' is looked for in /bin, then in the current
 * directory, as the shell does.
 *
 * The exit status is 0 when every command exited with 0, and 1 when one
 * did not, could not be run, or a line was longer than MAXARGLEN - 1.
 */
#include "user/user.h"

static char line[MAXARGLEN];

/*
 * Read one line of standard input into line[], without its newline.
 * Returns its length, or -1 at end of input.  A line too long for line[]
 * is reported and skipped: its length is then returned as 0.
 */
static int
read_line(void)
{
	int n = 0, got;
	bool too_long = false;
	char c;

	while ((got = read(0, &c, 1)) == 1 && c != '\n') {
		if (n + 1 < (int)sizeof(line))
			line[n++] = c;
		else
			too_long = true;
	}
	if (got < 0) {
		fprintf(2, "xargs: read: %s\n", strerror(errno));
		return -1;
	}
	if (got == 0 && n == 0 && !too_long)
		return -1;
	line[n] = 0;
	if (too_long) {
		fprintf(2, "xargs: skipping a line longer than %d bytes\n",
		        MAXARGLEN - 1);
		return 0;
	}
	return n;
}

/* Exec argv in this process, finding argv[0] as the shell would. */
static void __attribute__((noreturn))
exec_command(char **argv)
{
	char path[MAXPATH];
	int err = ENOENT;

	if (strchr(argv[0], '/') == NULL &&
	    snprintf(path, sizeof(path), "/bin/%s", argv[0]) < MAXPATH) {
		exec(path, argv);
		err = errno;
	}
	exec(argv[0], argv);
	if (err == ENOENT)
		err = errno;
	fprintf(2, "xargs: %s: %s\n", argv[0], strerror(err));
	exit(1);
}

/* Run argv in a child and wait for it; returns its exit status. */
static int
run(char **argv)
{
	int pid, status;

	if ((pid = fork()) < 0) {
		fprintf(2, "xargs: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0)
		exec_command(argv);
	if (wait(&status) != pid) {
		fprintf(2, "xargs: wait: %s\n", strerror(errno));
		return 1;
	}
	return status;
}

int
main(int argc, char **argv)
{
	char *args[MAXARG + 1];
	int i, n, status = 0;

	if (argc < 2) {
		fprintf(2, "usage: xargs command [arg...]\n");
		return 2;
	}
	if (argc > MAXARG) {
		fprintf(2, "xargs: more than %d arguments\n", MAXARG - 1);
		return 2;
	}
	for (i = 1; i < argc; i++)
		args[i - 1] = argv[i];
	args[argc - 1] = line;
	args[argc] = NULL;
	while ((n = read_line()) >= 0) {
		if (n == 0)
			continue;
		if (run(args) != 0)
			status = 1;
	}
	return status;
}
