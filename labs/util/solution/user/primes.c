/*
 * user/primes.c: print the primes up to n with a pipeline of processes,
 * one process for each prime (Doug McIlroy's concurrent sieve).
 *
 * usage: primes [n]        2 <= n <= MAX_N; n is 35 when not given
 *
 * The first process writes the numbers 2..n into a pipe.  Every later
 * process is a stage of the sieve: the first number it reads from its
 * left neighbour is a prime p, which it prints as "prime p"; every number
 * after that which p does not divide, it passes on to its right
 * neighbour, a new stage it starts when the first such number arrives.
 * When its left pipe reaches end of file, a stage closes its right pipe,
 * waits for its right neighbour and exits.  So the first process exits
 * only once every stage has printed its prime and exited, in order.
 *
 * Numbers travel through the pipes as raw ints.  A stage holds open just
 * two pipe ends, its left and its right; anything more would be leaked
 * into every stage after it, and a stage that kept a write end of its own
 * left pipe would never see end of file.
 */
#include "user/user.h"

#define DEFAULT_N 35
#define MAX_N     200      /* 46 primes: 47 processes fit NPROC */

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(2, "primes: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Read one number from fd into *n; false at end of file. */
static bool
read_number(int fd, int *n)
{
	int got = read(fd, n, sizeof(*n));

	if (got < 0)
		die("read");
	if (got != 0 && got != sizeof(*n)) {
		fprintf(2, "primes: read: short read\n");
		exit(1);
	}
	return got == sizeof(*n);
}

static void
write_number(int fd, int n)
{
	if (write(fd, &n, sizeof(n)) != sizeof(n))
		die("write");
}

static void sieve(int left) __attribute__((noreturn));

/*
 * Start a stage reading from a new pipe; return the pipe's write end and
 * set *pid to the stage's pid.  left, unless it is -1, is the caller's
 * own left pipe, which the new stage must not inherit.
 */
static int
start_stage(int left, int *pid)
{
	int fds[2];

	if (pipe(fds) < 0)
		die("pipe");
	if ((*pid = fork()) < 0)
		die("fork");
	if (*pid == 0) {
		if (left >= 0)
			close(left);
		close(fds[1]);
		sieve(fds[0]);
	}
	close(fds[0]);
	return fds[1];
}

/* Close the write end right, then wait for the stage pid reading it. */
static void
finish_stage(int right, int pid)
{
	close(right);
	if (wait(NULL) != pid)
		die("wait");
}

/* One stage of the sieve, reading numbers from left. */
static void
sieve(int left)
{
	int p, n, right = -1, pid = -1;

	if (!read_number(left, &p))
		exit(0);
	printf("prime %d\n", p);
	while (read_number(left, &n)) {
		if (n % p == 0)
			continue;
		if (right < 0)
			right = start_stage(left, &pid);
		write_number(right, n);
	}
	close(left);
	if (right >= 0)
		finish_stage(right, pid);
	exit(0);
}

int
main(int argc, char **argv)
{
	int n = DEFAULT_N, i, right, pid;

	if (argc > 2 || (argc == 2 && !is_number(argv[1]))) {
		fprintf(2, "usage: primes [n]\n");
		return 2;
	}
	if (argc == 2)
		n = atoi(argv[1]);
	if (n < 2 || n > MAX_N) {
		fprintf(2, "primes: n must be between 2 and %d\n", MAX_N);
		return 2;
	}
	right = start_stage(-1, &pid);
	for (i = 2; i <= n; i++)
		write_number(right, i);
	finish_stage(right, pid);
	return 0;
}
