/*
 * user/trace.c: run a command with some of its system calls traced.
 *
 * usage: trace mask command [arg...]
 *
 * mask is a decimal number with bit n set for each system call n to
 * trace (the numbers are those of include/syscalls.h): 32 is 1 << 5,
 * read; 32800 is (1 << 5) | (1 << 15), read and open.  trace asks the
 * kernel to trace those calls in this process, then execs the command:
 * the kernel keeps the mask across exec and hands it to every child the
 * command forks, so the whole command is traced.  The kernel prints one
 * line per traced call, as it returns.
 *
 * Given ready-made with the syscall lab: the lab is the kernel's side.
 */
#include "user/user.h"

static int
usage(void)
{
	fprintf(2, "usage: trace mask command [arg...]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	char path[MAXPATH];

	if (argc < 3 || !is_number(argv[1]))
		return usage();
	if (trace(atoi(argv[1])) < 0) {
		fprintf(2, "trace: trace %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* A name without a '/' is looked for in /bin, as the shell does. */
	if (strchr(argv[2], '/') == NULL)
		snprintf(path, sizeof(path), "/bin/%s", argv[2]);
	else
		snprintf(path, sizeof(path), "%s", argv[2]);
	exec(path, argv + 2);
	fprintf(2, "trace: exec %s: %s\n", argv[2], strerror(errno));
	return 1;
}
