/*
 * include/errno.c: the words and the name for an error number, from
 * ERRNO_TABLE.
 *
 * Compiled into the kernel (for its console messages) and into the user
 * library (behind strerror), so that each message is written down once,
 * in include/errno.h.
 */
#include "include/errno.h"

/*
 * The messages, indexed by error number; numbers the table skips stay
 * NULL.  A number of ERRNO_MAX or more in the table would not compile
 * (the designated index would lie outside the array).
 */
static const char *const messages[ERRNO_MAX] = {
#define ERRNO_MESSAGE(name, number, message) [number] = message,
	ERRNO_TABLE(ERRNO_MESSAGE)
#undef ERRNO_MESSAGE
};

/* The symbolic names, the same way: "ENOENT". */
static const char *const names[ERRNO_MAX] = {
#define ERRNO_NAME(name, number, message) [number] = #name,
	ERRNO_TABLE(ERRNO_NAME)
#undef ERRNO_NAME
};

const char *
errno_message(int err)
{
	if (err > 0 && err < ERRNO_MAX && messages[err] != 0)
		return messages[err];
	return 0;
}

const char *
errno_name(int err)
{
	if (err > 0 && err < ERRNO_MAX && names[err] != 0)
		return names[err];
	return 0;
}
