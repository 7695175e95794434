/*
 * user/timeout.c: run a command, but stop it if it runs too long.
 *
 * usage: timeout ticks command [arg...]
 *
 * Runs command with its args, as the shell would, and waits for it.  If
 * it is still running after ticks timer ticks (a tick is 10 ms), timeout
 * kills it and prints "timeout: killed command after N ticks" on the
 * error output.  The exit status is the command's, or 124 when it was
 * killed.
 *
 * There is no way to wait for a child with a time limit, so timeout
 * starts two children: the command and a timer, a child that only
 * sleeps.  Whichever exits first decides: timeout kills the other,
 * waits for it too, and so leaves no process behind.
 */
#include "user/user.h"

#define TIMED_OUT 124      /* the exit status after a kill */

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(2, "timeout: %s: %s\n", what, strerror(errno));
	exit(1);
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
	fprintf(2, "timeout: %s: %s\n", argv[0], strerror(err));
	exit(127);
}

/* Start a child that runs argv; returns its pid. */
static int
start_command(char **argv)
{
	int pid;

	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0)
		exec_command(argv);
	return pid;
}

/* Start a child that sleeps for ticks and exits; returns its pid. */
static int
start_timer(int ticks)
{
	int pid;

	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		sleep(ticks);
		exit(0);
	}
	return pid;
}

/* Wait until child pid exits; returns its exit status. */
static int
reap(int pid)
{
	int status, w;

	while ((w = wait(&status)) != pid)
		if (w < 0)
			die("wait");
	return status;
}

int
main(int argc, char **argv)
{
	int ticks, command, timer, status, first;

	if (argc < 3 || !is_number(argv[1])) {
		fprintf(2, "usage: timeout ticks command [arg...]\n");
		return 2;
	}
	ticks = atoi(argv[1]);
	command = start_command(argv + 2);
	timer = start_timer(ticks);
	if ((first = wait(&status)) < 0)
		die("wait");
	if (first == command) {
		kill(timer);
		reap(timer);
		return status;
	}
	kill(command);
	reap(command);
	fprintf(2, "timeout: killed %s after %d ticks\n", argv[2], ticks);
	return TIMED_OUT;
}
