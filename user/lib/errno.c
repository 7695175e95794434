/*
 * user/lib/errno.c: errno, and the words for it.
 *
 * A failing system call returns -E... (include/errno.h).  Every stub in
 * usys.S ends in __syscall_result, which turns that into the C convention:
 * errno = E..., return value -1.  strerror and perror find the words for
 * an errno with errno_message (include/errno.c), which the kernel shares,
 * so numbers and messages are written down once.
 */
#include "user/user.h"
#include "include/fmt.h"

int errno;

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
	const char *message = errno_message(err);

	if (message != NULL)
		return message;
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
