/*
 * user/pingpong.c: a parent and its child pass one byte back and forth
 * over two pipes.
 *
 * usage: pingpong
 *
 * The parent sends a byte to the child through the "ping" pipe.  The
 * child reads it, prints "<pid>: received ping" and sends the byte back
 * through the "pong" pipe; the parent reads it, prints
 * "<pid>: received pong" and waits for the child to exit.  A pipe carries
 * bytes one way only, which is why there are two of them.  Each process
 * closes the two ends it does not use, so that a process that dies early
 * shows up on the other side as end of file instead of a hang.
 */
#include "user/user.h"

/* Report what failed, with errno's reason, and exit with status 1. */
static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(2, "pingpong: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Read one byte from fd; a read that returns no byte is an error. */
static char
receive(int fd, const char *what)
{
	char c;
	int n;

	if ((n = read(fd, &c, 1)) != 1) {
		if (n == 0)
			fprintf(2, "pingpong: %s: end of file\n", what);
		else
			fprintf(2, "pingpong: %s: %s\n", what, strerror(errno));
		exit(1);
	}
	return c;
}

static void
send(int fd, char c, const char *what)
{
	if (write(fd, &c, 1) != 1)
		die(what);
}

/* The child: read the ping, answer with a pong.  Never returns. */
static void __attribute__((noreturn))
child(int ping[2], int pong[2])
{
	char c;

	close(ping[1]);
	close(pong[0]);
	c = receive(ping[0], "reading the ping");
	printf("%d: received ping\n", getpid());
	send(pong[1], c, "writing the pong");
	exit(0);
}

/* The parent: send the ping, wait for the pong, then for the child. */
static int
parent(int ping[2], int pong[2])
{
	int status;

	close(ping[0]);
	close(pong[1]);
	send(ping[1], 'x', "writing the ping");
	receive(pong[0], "reading the pong");
	printf("%d: received pong\n", getpid());
	if (wait(&status) < 0)
		die("wait");
	return status;
}

int
main(int argc, char **argv)
{
	int ping[2], pong[2];
	int pid;

	if (argc != 1) {
		fprintf(2, "usage: pingpong\n");
		return 2;
	}
	if (pipe(ping) < 0 || pipe(pong) < 0)
		die("pipe");
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0)
		child(ping, pong);
	return parent(ping, pong);
}
