/*
 * user/lib/errno.c: errno, and the words for it.
 *
 * A failing system call returns -E... (include/errno.h).  Every stub in
 * usys.S ends in __syscall_result, which turns that into the C convention:
 * errno = E..., return value -1.  strerror and perror find the words for
 * an errno in ERRNO_TABLE, so numbers and messages are written down once.
 */
#include "user/user.h"
#include "include/fmt.h"

int errno;

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

/*
 * The common tail of the system-call stubs: r is the kernel's a0.
 * Returns -1 with errno set for an error result, else r unchanged (a
 * count, a file descriptor, or an address from sbrk).
 */
long
__syscall_result(long r)
{
	if (IS_ERR_RESULT(r)) {
		errno = -r;
		return -1;
	}
	return r;
}

/*
 * The message for err.  An unknown number is described in a static
 * buffer that the next such call overwrites.
 */
const char *
strerror(int err)
{
	static char unknown[sizeof("unknown error -2147483648")];

	if (err > 0 && err < ERRNO_MAX && messages[err] != NULL)
		return messages[err];
	fmt_snprintf(unknown, sizeof(unknown), "unknown error %d", err);
	return unknown;
}

/* "prefix: message\n" for errno on fd 2, or just the message without one. */
void
perror(const char *prefix)
{
	const char *message = strerror(errno);

	if (prefix != NULL && prefix[0] != '\0')
		fprintf(2, "%s: %s\n", prefix, message);
	else
		fprintf(2, "%s\n", message);
}
