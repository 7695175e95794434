/*
 * user/forktest.c: check that fork fails cleanly when processes run out.
 *
 * usage: forktest
 *
 * Forks children that exit at once until fork fails.  Exited children
 * keep their process slots until they are waited for, so the table fills
 * up: fork must then return -1 with errno saying why, after more than
 * zero and fewer than NPROC children.  Then every child must be waited for
 * exactly once, with status 0, after which wait must fail with ECHILD.
 * Prints "fork test OK" when all of that holds.
 */
#include "user/user.h"

#define MAXFORKS 1000   /* give up: fork should have failed long before */

/* Fork until fork fails; returns the number of children made, or -1. */
static int
fork_all(void)
{
	int n, pid;

	for (n = 0; n < MAXFORKS; n++) {
		if ((pid = fork()) < 0)
			break;
		if (pid == 0)
			exit(0);
	}
	if (n == MAXFORKS) {
		fprintf(2, "forktest: %d forks and none failed\n", n);
		return -1;
	}
	if (errno != EAGAIN && errno != ENOMEM) {
		fprintf(2, "forktest: fork failed with odd error: %s\n",
		        strerror(errno));
		return -1;
	}
	printf("forktest: %d children, then fork failed: %s\n", n,
	       strerror(errno));
	if (n == 0 || n >= NPROC) {
		fprintf(2, "forktest: %d children is not sensible\n", n);
		return -1;
	}
	return n;
}

/* Wait for n children; then there must be no more.  Returns 0 or -1. */
static int
wait_all(int n)
{
	int i, status;

	for (i = 0; i < n; i++) {
		if (wait(&status) < 0) {
			fprintf(2, "forktest: wait for child %d of %d: %s\n",
			        i + 1, n, strerror(errno));
			return -1;
		}
		if (status != 0) {
			fprintf(2, "forktest: child exited with %d\n", status);
			return -1;
		}
	}
	if (wait(&status) >= 0) {
		fprintf(2, "forktest: wait found an extra child\n");
		return -1;
	}
	if (errno != ECHILD) {
		fprintf(2, "forktest: last wait: %s, not ECHILD\n",
		        strerror(errno));
		return -1;
	}
	return 0;
}

int
main(void)
{
	int n;

	if ((n = fork_all()) < 0)
		return 1;
	if (wait_all(n) < 0)
		return 1;
	printf("fork test OK\n");
	return 0;
}
