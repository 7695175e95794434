/*
 * user/init.c: the first user process.
 *
 * usage: none; the kernel starts it as process 1.
 *
 * Opens the console as descriptors 0, 1 and 2 (making /dev/console first
 * if the disk lacks it), then keeps a shell running forever: start
 * /bin/sh, wait, and start another when it exits.  A shell that cannot
 * be started says why and waits a second before the next try, so that a
 * broken disk does not flood the console.  Every process whose
 * parent exits becomes a child of init, so the same wait also reaps those
 * orphans; init just ignores them.
 */
#include "user/user.h"

static char *shell_argv[] = { "sh", NULL };

/* Open /dev/console as fd 0 and duplicate it to 1 and 2. */
static int
open_console(void)
{
	int fd;

	if ((fd = open("/dev/console", O_RDWR)) < 0) {
		mkdir("/dev");
		mknod("/dev/console", CONSOLE, 0);
		fd = open("/dev/console", O_RDWR);
	}
	if (fd != 0)
		return -1;
	dup(0);
	dup(0);
	return 0;
}

/* Fork a shell; returns its pid, or -1. */
static int
start_shell(void)
{
	int pid;

	printf("init: starting sh\n");
	if ((pid = fork()) < 0) {
		fprintf(2, "init: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		exec("/bin/sh", shell_argv);
		fprintf(2, "init: exec /bin/sh: %s\n", strerror(errno));
		sleep(100);
		exit(1);
	}
	return pid;
}

/* Reap children, orphans included, until the shell pid has exited. */
static void
wait_shell(int pid)
{
	int status, w;

	while ((w = wait(&status)) >= 0 && w != pid)
		;
}

int
main(void)
{
	int pid;

	if (open_console() < 0)
		return 1;
	for (;;) {
		if ((pid = start_shell()) < 0)
			sleep(100);
		else
			wait_shell(pid);
	}
}
