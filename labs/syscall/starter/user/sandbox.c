/*
 * user/sandbox.c: run a command that may not make some system calls.
 *
 * usage: sandbox mask command [arg...]
 *
 * mask is a decimal number with bit n set for each system call n to
 * forbid (the numbers are those of include/syscalls.h): 1048576 is
 * 1 << 20, mkdir.  sandbox asks the kernel to forbid those calls to this
 * process, then execs the command.  From then on each forbidden call
 * fails with EPERM ("operation not permitted"), in the command and in
 * every process it starts, and nothing they do can lift the ban.
 *
 * Forbidding exec itself makes the exec below fail: the ban starts at
 * once, not with the next program.
 *
 * Given ready-made with the syscall lab: the lab is the kernel's side.
 */
#include "user/user.h"

static int
usage(void)
{
	fprintf(2, "usage: sandbox mask command [arg...]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	char path[MAXPATH];

	if (argc < 3 || !is_number(argv[1]))
		return usage();
	if (sandbox(atoi(argv[1])) < 0) {
		fprintf(2, "sandbox: sandbox %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* A name without a '/' is looked for in /bin, as the shell does. */
	if (strchr(argv[2], '/') == NULL)
		snprintf(path, sizeof(path), "/bin/%s", argv[2]);
	else
		snprintf(path, sizeof(path), "%s", argv[2]);
	exec(path, argv + 2);
	fprintf(2, "sandbox: exec %s: %s\n", argv[2], strerror(errno));
	return 1;
}
