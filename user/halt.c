/*
 * user/halt.c: power the machine off.
 *
 * usage: halt
 *
 * The kernel writes the file system's outstanding changes to disk, then
 * asks the firmware to switch the machine off; poweroff() never returns.
 */
#include "user/user.h"

int
main(int argc, char **argv)
{
	if (argc != 1) {
		fprintf(2, "usage: halt\n");
		return 2;
	}
	poweroff();
}
