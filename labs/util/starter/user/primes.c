/*
 * user/primes.c: print the primes up to n (35 if not given) with a
 * pipeline of processes, one process for each prime.
 *
 * usage: primes [n]
 *
 * Each stage reads numbers from its left neighbour through a pipe.  The
 * first is a prime p, which it prints as "prime p"; it passes on those
 * that p does not divide to a stage to its right.
 *
 * This is the starter: it compiles and runs, but does none of the work.
 * labs/util/README.md says what the program must do and how it is graded.
 */
#include "user/user.h"

int
main(int argc, char **argv)
{
	fprintf(2, "primes: not implemented\n");
	return 1;
}
