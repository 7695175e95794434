/*
 * user/showargs.c: print the argument count and each argument on a line
 * of its own, so that a test can see exactly what exec passed.
 *
 * usage: showargs [arg...]
 *
 * Output, for "showargs a '' b c":
 *
 *   argc=5
 *   showargs
 *   a
 *
 *   b c
 *
 * Unlike echo, an empty argument or one holding spaces stays visible.
 * Exits with status 0.
 */
#include "user/user.h"

int
main(int argc, char *argv[])
{
	int i;

	printf("argc=%d\n", argc);
	for (i = 0; i < argc; i++) {
		write(1, argv[i], strlen(argv[i]));
		write(1, "\n", 1);
	}
	if (argv[argc] != NULL) {
		fprintf(2, "showargs: argv[%d] is not NULL\n", argc);
		return 1;
	}
	return 0;
}
