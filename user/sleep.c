/*
 * user/sleep.c: do nothing for a while.
 *
 * usage: sleep ticks
 *
 * A tick is one timer interrupt: 10 ms (TICK_HZ is 100), so "sleep 100"
 * waits a second.
 */
#include "user/user.h"

static int
usage(void)
{
	fprintf(2, "usage: sleep ticks (a tick is 10 ms)\n");
	return 2;
}

int
main(int argc, char **argv)
{
	const char *s;

	if (argc != 2 || argv[1][0] == 0)
		return usage();
	for (s = argv[1]; *s != 0; s++)
		if (!isdigit(*s))
			return usage();
	if (sleep(atoi(argv[1])) < 0) {
		fprintf(2, "sleep: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
