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
 * This is done ROUNDS times: every round must make the same number of
 * children (a slot that leaked would show as one fewer), and afterwards
 * the process count and free memory must be what they were at the start.
 * Prints "fork test OK" when all of that holds.
 */
#include "user/user.h"

#define MAXFORKS 1000   /* give up: fork should have failed long before */
#define ROUNDS      3

static int fork_error;  /* errno of the fork that failed */

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
	fork_error = errno;
	if (errno != EAGAIN && errno != ENOMEM) {
		fprintf(2, "forktest: fork failed with odd error: %s\n",
		        strerror(errno));
		return -1;
	}
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

/* Free pages and processes now; exits on failure. */
static struct sysinfo
snapshot(void)
{
	struct sysinfo info;

	if (sysinfo(&info) < 0) {
		fprintf(2, "forktest: sysinfo: %s\n", strerror(errno));
		exit(1);
	}
	return info;
}

int
main(void)
{
	struct sysinfo before = snapshot(), after;
	int n, first = 0, round;

	for (round = 0; round < ROUNDS; round++) {
		if ((n = fork_all()) < 0)
			return 1;
		if (wait_all(n) < 0)
			return 1;
		if (round == 0) {
			first = n;
			printf("forktest: %d children, then fork failed: %s\n",
			       n, strerror(fork_error));
		} else if (n != first) {
			fprintf(2, "forktest: round %d made %d children, round 0 %d\n",
			        round, n, first);
			return 1;
		}
	}
	after = snapshot();
	if (after.nproc != before.nproc || after.freepages != before.freepages) {
		fprintf(2, "forktest: %u processes and %lu free pages after, "
		        "%u and %lu before\n", after.nproc,
		        (unsigned long)after.freepages, before.nproc,
		        (unsigned long)before.freepages);
		return 1;
	}
	printf("fork test OK\n");
	return 0;
}
