/*
 * spin: use the CPU until stopped, to try Ctrl-C, Ctrl-P and kill on.
 *
 *   spin        spin until killed or interrupted
 *   spin -w     run a spinning child as a job of this program's own: in a
 *               process group of its own, with the console (setpgid,
 *               tcsetpgrp), wait for it, and say how it ended, from the
 *               status wait() reports
 */
#include "user/user.h"

static void __attribute__((noreturn))
spin_forever(void)
{
	volatile uint64 n = 0;

	for (;;)
		n++;
}

/* Run spin_forever in a child that has the console; report its end. */
static int
spin_as_job(void)
{
	int pid = fork(), status;

	if (pid < 0) {
		fprintf(2, "spin: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		tcsetpgrp(0, getpid());
		spin_forever();
	}
	setpgid(pid, pid);               /* whichever runs first */
	if (tcsetpgrp(0, pid) < 0) {
		fprintf(2, "spin: tcsetpgrp: %s\n", strerror(errno));
		kill(pid);
	}
	printf("spin: child %d spins; Ctrl-C stops it\n", pid);
	wait(&status);
	tcsetpgrp(0, 0);
	if (status == EXIT_INTERRUPTED)
		printf("spin: child %d was interrupted (exit status %d)\n", pid, status);
	else
		printf("spin: child %d ended with exit status %d\n", pid, status);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc == 1)
		spin_forever();
	if (argc == 2 && strcmp(argv[1], "-w") == 0)
		return spin_as_job();
	fprintf(2, "usage: spin [-w]\n");
	return 2;
}
