/*
 * user/lib/printf.c: formatted output for user programs.
 *
 * The formatting is include/fmt.c's, shared with the kernel; this file
 * decides where the characters go.  printf and fprintf collect them in a
 * buffer on the stack and hand it to write() when it fills and once at the
 * end, so output shorter than the buffer reaches the kernel in a single
 * write.  Lines printed by several processes at once then interleave
 * whole, not character by character.
 *
 * Nothing is kept between calls: when printf returns, its output has been
 * written, and there is nothing to flush at exit.
 */
#include "user/user.h"
#include "include/fmt.h"

#define PRINTF_BUFSIZE 256      /* bytes gathered before a write() */

struct printf_buffer {
	int fd;
	int len;                /* bytes waiting in buf */
	bool failed;            /* a write() failed: output is incomplete */
	char buf[PRINTF_BUFSIZE];
};

/* Write out the bytes waiting in b, in as many write() calls as it takes. */
static void
flush(struct printf_buffer *b)
{
	int done = 0;

	while (done < b->len && !b->failed) {
		int n = write(b->fd, b->buf + done, b->len - done);

		if (n <= 0)
			b->failed = true;
		else
			done += n;
	}
	b->len = 0;
}

static void
buffer_putc(void *arg, char c)
{
	struct printf_buffer *b = arg;

	if (b->len == PRINTF_BUFSIZE)
		flush(b);
	b->buf[b->len++] = c;
}

/* Returns the number of characters printed, or -1 if a write failed. */
int
vfprintf(int fd, const char *fmt, va_list ap)
{
	struct printf_buffer b;
	int n;

	b.fd = fd;
	b.len = 0;
	b.failed = false;
	n = fmt_vformat(buffer_putc, &b, fmt, ap);
	flush(&b);
	return b.failed ? -1 : n;
}

int
vprintf(const char *fmt, va_list ap)
{
	return vfprintf(1, fmt, ap);
}

int
fprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(fd, fmt, ap);
	va_end(ap);
	return n;
}

int
printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(1, fmt, ap);
	va_end(ap);
	return n;
}

int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return fmt_vsnprintf(buf, size, fmt, ap);
}

int
snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
