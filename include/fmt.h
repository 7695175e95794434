/*
 * include/fmt.h: the printf formatter shared by the kernel's printf and the
 * user library's printf/fprintf/snprintf.
 *
 * Conversions: %d %i %u %x %X %p %s %c %%, with the length modifiers l and
 * ll, a field width (digits or *), the flags 0 (zero-pad) and - (left-
 * justify), and a precision for %s (".N" or ".*").  %p prints 0x and 16 hex
 * digits.  A NULL %s prints "(null)".  An unknown conversion is printed as
 * it was written.
 */
#ifndef INCLUDE_FMT_H
#define INCLUDE_FMT_H

#include <stdarg.h>
#include "include/types.h"

/* Receives each output character; arg is the caller's. */
typedef void (*fmt_putc_fn)(void *arg, char c);

/* Format into out; returns the number of characters produced. */
int fmt_vformat(fmt_putc_fn out, void *arg, const char *fmt, va_list ap);

/*
 * Format into buf, which holds size bytes; the result is always NUL-
 * terminated when size > 0.  Returns the length the full result would have
 * had, as C's snprintf does.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* INCLUDE_FMT_H */
