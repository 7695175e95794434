/*
 * user/zombie.c: make a zombie for a moment.
 *
 * usage: zombie
 *
 * The child exits at once; the parent sleeps without waiting for it, so
 * for those ticks the child is a zombie: exited, but not yet reaped.  Then
 * the parent exits too, the child passes to init, and init reaps it.
 */
#include "user/user.h"

int
main(void)
{
	int pid;

	if ((pid = fork()) < 0) {
		fprintf(2, "zombie: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0)
		exit(0);
	sleep(5);
	return 0;
}
