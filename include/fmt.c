/*
 * include/fmt.c: the printf formatter behind the kernel's printf and the
 * user library's printf family (the conversions are listed in fmt.h).
 *
 * fmt_vformat walks the format string.  An ordinary character goes
 * straight to the caller's output function.  A '%' starts a conversion
 * specification,
 *
 *     %[flags][width][.precision][length]conversion
 *
 * which parse_spec reads into a struct fmt_spec.  The conversion then
 * fetches its argument and turns it into a field of three parts,
 *
 *     prefix   zeros   body        e.g.  "-"  "000"  "42"
 *
 * (the prefix is a sign or "0x"; only numbers have zeros), which
 * emit_field pads with spaces to the width, on the left or, with the '-'
 * flag, on the right.  Every character passes through emit, which counts
 * it, so the return value is counted in one place.
 *
 * The same file is compiled into the kernel, the user library and the
 * host tests, so it uses nothing but <stdarg.h> and include/.
 */
#include <stdarg.h>
#include "include/types.h"
#include "include/string.h"
#include "include/fmt.h"

/* Longest digit string a conversion produces: UINT64_MAX in decimal. */
#define FMT_MAX_DIGITS 20

/* Hex digits in a %p: enough for a 64-bit address. */
#define FMT_POINTER_DIGITS 16

/* Where the output goes, and how many characters have gone there. */
struct fmt_sink {
	fmt_putc_fn out;
	void *arg;
	int count;
};

/* The length modifiers: the size of the integer argument. */
enum fmt_length { LEN_HH, LEN_H, LEN_INT, LEN_L, LEN_LL };

/* One parsed conversion specification. */
struct fmt_spec {
	bool left;               /* '-' flag: pad on the right */
	bool zero;               /* '0' flag: pad numbers with zeros */
	int width;               /* minimum field width; 0 if none */
	int precision;           /* %s: most characters printed; -1 if none */
	enum fmt_length length;
	char conv;               /* conversion character; '\0' if fmt ended */
};

static void
emit(struct fmt_sink *sink, char c)
{
	sink->out(sink->arg, c);
	sink->count++;
}

static void
emit_repeat(struct fmt_sink *sink, char c, int n)
{
	for (; n > 0; n--)
		emit(sink, c);
}

static void
emit_text(struct fmt_sink *sink, const char *s, int n)
{
	for (int i = 0; i < n; i++)
		emit(sink, s[i]);
}

/*
 * Emit prefix (NUL-terminated), zeros '0's and the n bytes of body as one
 * field, padded with spaces to spec->width.
 */
static void
emit_field(struct fmt_sink *sink, const struct fmt_spec *spec,
	   const char *prefix, int zeros, const char *body, int n)
{
	int prefix_len = strlen(prefix);
	int pad = spec->width - (prefix_len + zeros + n);

	if (!spec->left)
		emit_repeat(sink, ' ', pad);
	emit_text(sink, prefix, prefix_len);
	emit_repeat(sink, '0', zeros);
	emit_text(sink, body, n);
	if (spec->left)
		emit_repeat(sink, ' ', pad);
}

/* ---- parsing a specification ------------------------------------------- */

static void
parse_flags(const char **fmtp, struct fmt_spec *spec)
{
	for (;; (*fmtp)++) {
		if (**fmtp == '-')
			spec->left = true;
		else if (**fmtp == '0')
			spec->zero = true;
		else
			return;
	}
}

/*
 * Parse a width or precision: '*' takes it from the next int argument,
 * digits give it directly (saturating rather than overflowing), and
 * anything else means 0.
 */
static int
parse_count(const char **fmtp, va_list *ap)
{
	int n = 0;

	if (**fmtp == '*') {
		(*fmtp)++;
		return va_arg(*ap, int);
	}
	for (; **fmtp >= '0' && **fmtp <= '9'; (*fmtp)++) {
		if (n <= (INT32_MAX - 9) / 10)
			n = n * 10 + (**fmtp - '0');
	}
	return n;
}

static enum fmt_length
parse_length(const char **fmtp)
{
	char c = **fmtp;
	bool twice = c != '\0' && (*fmtp)[1] == c;

	if (c == 'l') {
		*fmtp += twice ? 2 : 1;
		return twice ? LEN_LL : LEN_L;
	}
	if (c == 'h') {
		*fmtp += twice ? 2 : 1;
		return twice ? LEN_HH : LEN_H;
	}
	return LEN_INT;
}

/*
 * Parse the specification after a '%'; *fmtp points just past the '%' and
 * is left just past the conversion character (or at the NUL if the format
 * ends first).  '*' widths and precisions are taken from ap.  A negative
 * width means '-' and its magnitude; a negative precision means none.
 */
static void
parse_spec(const char **fmtp, va_list *ap, struct fmt_spec *spec)
{
	*spec = (struct fmt_spec){ .precision = -1, .length = LEN_INT };
	parse_flags(fmtp, spec);

	spec->width = parse_count(fmtp, ap);
	if (spec->width < 0) {
		spec->left = true;
		spec->width = spec->width < -INT32_MAX ? INT32_MAX : -spec->width;
	}
	if (**fmtp == '.') {
		(*fmtp)++;
		spec->precision = parse_count(fmtp, ap);
		if (spec->precision < 0)
			spec->precision = -1;
	}
	spec->length = parse_length(fmtp);

	spec->conv = **fmtp;
	if (spec->conv != '\0')
		(*fmtp)++;
}

/* ---- fetching arguments ------------------------------------------------- */

/* The next signed integer argument, narrowed as the length says. */
static int64
fetch_signed(va_list *ap, enum fmt_length length)
{
	switch (length) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	default:
		return va_arg(*ap, int);
	}
}

/* The next unsigned integer argument, narrowed as the length says. */
static uint64
fetch_unsigned(va_list *ap, enum fmt_length length)
{
	switch (length) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* ---- the conversions ---------------------------------------------------- */

/*
 * Write the digits of value in base into the FMT_MAX_DIGITS bytes that
 * end at end, most significant first; returns where they start.
 */
static char *
format_digits(char *end, uint64 value, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;

	do {
		*--p = digits[value % base];
		value /= base;
	} while (value != 0);
	return p;
}

/*
 * Emit a number given as a prefix and a magnitude, with at least
 * min_digits digits.  The '0' flag (without '-') widens the zeros to fill
 * the field; the zeros go after the prefix, as in "-0042" and "0x00ff".
 */
static void
emit_number(struct fmt_sink *sink, const struct fmt_spec *spec,
	    const char *prefix, uint64 magnitude, unsigned base, bool upper,
	    int min_digits)
{
	char buf[FMT_MAX_DIGITS];
	char *end = buf + sizeof(buf);
	char *digits = format_digits(end, magnitude, base, upper);
	int n = end - digits;
	int zeros = min_digits > n ? min_digits - n : 0;
	int used = strlen(prefix) + zeros + n;

	if (spec->zero && !spec->left && spec->width > used)
		zeros += spec->width - used;
	emit_field(sink, spec, prefix, zeros, digits, n);
}

/* %d and %i */
static void
convert_signed(struct fmt_sink *sink, const struct fmt_spec *spec,
	       va_list *ap)
{
	int64 value = fetch_signed(ap, spec->length);
	uint64 magnitude = value < 0 ? -(uint64)value : (uint64)value;

	emit_number(sink, spec, value < 0 ? "-" : "", magnitude, 10, false, 1);
}

/* %u, %x and %X */
static void
convert_unsigned(struct fmt_sink *sink, const struct fmt_spec *spec,
		 va_list *ap)
{
	uint64 value = fetch_unsigned(ap, spec->length);
	unsigned base = spec->conv == 'u' ? 10 : 16;

	emit_number(sink, spec, "", value, base, spec->conv == 'X', 1);
}

/* %p: "0x" and every hex digit of the address. */
static void
convert_pointer(struct fmt_sink *sink, const struct fmt_spec *spec,
		va_list *ap)
{
	uint64 value = (uint64)(uintptr_t)va_arg(*ap, void *);

	emit_number(sink, spec, "0x", value, 16, false, FMT_POINTER_DIGITS);
}

/* %s: at most precision bytes of the string, or "(null)". */
static void
convert_string(struct fmt_sink *sink, const struct fmt_spec *spec,
	       va_list *ap)
{
	const char *s = va_arg(*ap, const char *);
	size_t max = spec->precision < 0 ? SIZE_MAX : (size_t)spec->precision;

	if (s == NULL)
		s = "(null)";
	emit_field(sink, spec, "", 0, s, strnlen(s, max));
}

/* %c */
static void
convert_char(struct fmt_sink *sink, const struct fmt_spec *spec,
	     va_list *ap)
{
	char c = (char)va_arg(*ap, int);

	emit_field(sink, spec, "", 0, &c, 1);
}

/*
 * Carry out one parsed specification.  text and len are the specification
 * as written (from the '%'), printed unchanged when the conversion is
 * unknown or missing.
 */
static void
convert(struct fmt_sink *sink, const struct fmt_spec *spec, va_list *ap,
	const char *text, int len)
{
	switch (spec->conv) {
	case 'd':
	case 'i':
		convert_signed(sink, spec, ap);
		break;
	case 'u':
	case 'x':
	case 'X':
		convert_unsigned(sink, spec, ap);
		break;
	case 'p':
		convert_pointer(sink, spec, ap);
		break;
	case 's':
		convert_string(sink, spec, ap);
		break;
	case 'c':
		convert_char(sink, spec, ap);
		break;
	case '%':
		emit(sink, '%');
		break;
	default:
		emit_text(sink, text, len);
		break;
	}
}

/* ---- the interface ------------------------------------------------------ */

int
fmt_vformat(fmt_putc_fn out, void *arg, const char *fmt, va_list ap)
{
	struct fmt_sink sink = { .out = out, .arg = arg, .count = 0 };
	struct fmt_spec spec;
	va_list args;

	/* A copy the helpers can share by address; ap itself may be an array. */
	va_copy(args, ap);
	while (*fmt != '\0') {
		const char *start = fmt;

		if (*fmt != '%') {
			emit(&sink, *fmt++);
			continue;
		}
		fmt++;
		parse_spec(&fmt, &args, &spec);
		convert(&sink, &spec, &args, start, fmt - start);
	}
	va_end(args);
	return sink.count;
}

/*
 * The output function for fmt_vsnprintf: keeps what fits in size-1 bytes
 * (leaving room for the NUL) and counts everything.
 */
struct fmt_buffer {
	char *buf;
	size_t size;
	size_t len;              /* characters produced so far */
};

static void
buffer_putc(void *arg, char c)
{
	struct fmt_buffer *b = arg;

	if (b->len + 1 < b->size)
		b->buf[b->len] = c;
	b->len++;
}

int
fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_buffer b = { .buf = buf, .size = size, .len = 0 };
	int n = fmt_vformat(buffer_putc, &b, fmt, ap);

	if (size > 0)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return n;
}

int
fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
