/*
 * include/fmt_test.c: host unit tests for the formatter (include/fmt.c).
 *
 * Most tests format through F(), which calls fmt_snprintf directly so
 * that the compiler checks each format against its arguments.  Calls it
 * would reject (unknown conversions, a trailing '%', a NULL %s, flags C
 * leaves undefined, an int too wide for %hh) go through unchecked(),
 * which has no format attribute.
 *
 *   cc -O2 -g -Wall -Werror -std=gnu11 -I. -o /tmp/fmt_test \
 *      include/fmt_test.c include/fmt.c
 */
#include <string.h>
#include "include/unittest.h"
#include "include/fmt.h"

static char out[256];

/* Format into out and yield out. */
#define F(...) (fmt_snprintf(out, sizeof(out), __VA_ARGS__), out)

static const char *
unchecked(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(out, sizeof(out), fmt, ap);
	va_end(ap);
	return out;
}

TEST(plain_text_and_percent)
{
	EXPECT_STR(F("hello"), "hello");
	EXPECT_STR(F("%s", ""), "");
	EXPECT_STR(F("100%%"), "100%");
	EXPECT_STR(F("%%%d%%", 5), "%5%");
}

TEST(signed_decimal)
{
	EXPECT_STR(F("%d", 0), "0");
	EXPECT_STR(F("%d", 42), "42");
	EXPECT_STR(F("%d", -42), "-42");
	EXPECT_STR(F("%i", 7), "7");
	EXPECT_STR(F("%d", INT32_MAX), "2147483647");
	EXPECT_STR(F("%d", INT32_MIN), "-2147483648");
}

TEST(unsigned_and_hex)
{
	EXPECT_STR(F("%u", 0u), "0");
	EXPECT_STR(F("%u", UINT32_MAX), "4294967295");
	EXPECT_STR(F("%x", 0xdeadbeefu), "deadbeef");
	EXPECT_STR(F("%X", 0xdeadbeefu), "DEADBEEF");
	EXPECT_STR(F("%x", 0u), "0");
	EXPECT_STR(F("%u", -1), "4294967295");
}

TEST(long_and_long_long)
{
	EXPECT_STR(F("%ld", (long)INT64_MIN), "-9223372036854775808");
	EXPECT_STR(F("%ld", (long)INT64_MAX), "9223372036854775807");
	EXPECT_STR(F("%lld", (long long)INT64_MIN), "-9223372036854775808");
	EXPECT_STR(F("%lu", (unsigned long)UINT64_MAX), "18446744073709551615");
	EXPECT_STR(F("%llu", (unsigned long long)UINT64_MAX),
		   "18446744073709551615");
	EXPECT_STR(F("%llx", (unsigned long long)UINT64_MAX),
		   "ffffffffffffffff");
	EXPECT_STR(F("%lX", 0xabcdef0123456789ul), "ABCDEF0123456789");
	EXPECT_STR(F("%lli", -1ll), "-1");
}

TEST(short_lengths_narrow)
{
	EXPECT_STR(F("%hhd", (signed char)-5), "-5");
	EXPECT_STR(F("%hu", (unsigned short)65535), "65535");
	EXPECT_STR(unchecked("%hhd", 300), "44");
	EXPECT_STR(unchecked("%hhd", 255), "-1");
	EXPECT_STR(unchecked("%hhu", 511), "255");
	EXPECT_STR(unchecked("%hd", 65535), "-1");
	EXPECT_STR(unchecked("%hx", 0x12345), "2345");
}

TEST(characters)
{
	EXPECT_STR(F("%c", 'x'), "x");
	EXPECT_STR(F("[%3c]", 'x'), "[  x]");
	EXPECT_STR(F("[%-3c]", 'x'), "[x  ]");
	EXPECT_STR(F("%c%c%c", 'a', 'b', 'c'), "abc");
}

TEST(nul_character_is_counted)
{
	char buf[8];

	memset(buf, 'z', sizeof(buf));
	EXPECT_EQ(fmt_snprintf(buf, sizeof(buf), "a%cb", 0), 3);
	EXPECT(buf[0] == 'a' && buf[1] == '\0' && buf[2] == 'b' &&
	       buf[3] == '\0');
}

TEST(strings)
{
	EXPECT_STR(F("%s", "abc"), "abc");
	EXPECT_STR(F("[%5s]", "abc"), "[  abc]");
	EXPECT_STR(F("[%-5s]", "abc"), "[abc  ]");
	EXPECT_STR(F("[%2s]", "abcdef"), "[abcdef]");
	EXPECT_STR(unchecked("[%05s]", "ab"), "[   ab]");
}

TEST(string_precision)
{
	EXPECT_STR(F("%.3s", "abcdef"), "abc");
	EXPECT_STR(F("%.10s", "abc"), "abc");
	EXPECT_STR(F("[%.0s]", "abc"), "[]");
	EXPECT_STR(F("[%.s]", "abc"), "[]");
	EXPECT_STR(F("%.*s", 2, "abcdef"), "ab");
	EXPECT_STR(F("%.*s", -1, "abcdef"), "abcdef");
	EXPECT_STR(F("[%5.2s]", "abcdef"), "[   ab]");
	EXPECT_STR(F("[%-5.2s]", "abcdef"), "[ab   ]");
}

TEST(precision_stops_reading_unterminated_array)
{
	char raw[3] = { 'x', 'y', 'z' };    /* no NUL */

	EXPECT_STR(F("%.3s", raw), "xyz");
}

TEST(null_string)
{
	EXPECT_STR(unchecked("%s", (char *)NULL), "(null)");
	EXPECT_STR(unchecked("[%8s]", (char *)NULL), "[  (null)]");
	EXPECT_STR(unchecked("%.3s", (char *)NULL), "(nu");
}

TEST(width)
{
	EXPECT_STR(F("[%5d]", 42), "[   42]");
	EXPECT_STR(F("[%5d]", -42), "[  -42]");
	EXPECT_STR(F("[%1d]", 12345), "[12345]");
	EXPECT_STR(F("[%8x]", 0xabcu), "[     abc]");
	EXPECT_STR(F("[%*d]", 6, 42), "[    42]");
	EXPECT_STR(F("[%*d]", 0, 42), "[42]");
}

TEST(zero_pad)
{
	EXPECT_STR(F("%05d", 42), "00042");
	EXPECT_STR(F("%05d", -42), "-0042");
	EXPECT_STR(F("%08x", 0xbeefu), "0000beef");
	EXPECT_STR(F("%03d", 12345), "12345");
	EXPECT_STR(F("%0*d", 4, 7), "0007");
	EXPECT_STR(F("%020lld", (long long)INT64_MIN),
		   "-9223372036854775808");
	EXPECT_STR(F("%021lld", (long long)INT64_MIN),
		   "-09223372036854775808");
}

TEST(left_justify)
{
	EXPECT_STR(F("[%-5d]", 42), "[42   ]");
	EXPECT_STR(F("[%-5d]", -42), "[-42  ]");
	EXPECT_STR(unchecked("[%-05d]", 42), "[42   ]");
	EXPECT_STR(unchecked("[%0-5d]", 42), "[42   ]");
	EXPECT_STR(F("[%-*d]", 4, 1), "[1   ]");
}

TEST(negative_star_width_left_justifies)
{
	EXPECT_STR(F("[%*d]", -4, 1), "[1   ]");
	EXPECT_STR(F("[%*s]", -4, "ab"), "[ab  ]");
}

TEST(pointer)
{
	EXPECT_STR(F("%p", (void *)0), "0x0000000000000000");
	EXPECT_STR(F("%p", (void *)0x80001234ul), "0x0000000080001234");
	EXPECT_STR(F("%p", (void *)UINTPTR_MAX), "0xffffffffffffffff");
	EXPECT_STR(F("[%20p]", (void *)0x1ul), "[  0x0000000000000001]");
	EXPECT_STR(F("[%-20p]", (void *)0x1ul), "[0x0000000000000001  ]");
}

TEST(unknown_conversion_printed_as_written)
{
	EXPECT_STR(unchecked("%q"), "%q");
	EXPECT_STR(unchecked("a%-08lqb"), "a%-08lqb");
	EXPECT_STR(unchecked("%y%d", 3), "%y3");
}

TEST(format_ending_inside_a_specification)
{
	EXPECT_STR(unchecked("abc%"), "abc%");
	EXPECT_STR(unchecked("abc%-5"), "abc%-5");
	EXPECT_STR(unchecked("abc%l"), "abc%l");
}

TEST(mixed)
{
	EXPECT_STR(F("pid %d: %s at %p (%u%%)", 3, "sh", (void *)0x1000, 99u),
		   "pid 3: sh at 0x0000000000001000 (99%)");
}

TEST(snprintf_returns_full_length)
{
	char buf[64];

	EXPECT_EQ(fmt_snprintf(buf, sizeof(buf), "hello"), 5);
	EXPECT_EQ(fmt_snprintf(buf, sizeof(buf), "%d", -12345), 6);
	EXPECT_EQ(fmt_snprintf(buf, sizeof(buf), "%10s", "a"), 10);
	EXPECT_EQ(fmt_snprintf(buf, sizeof(buf), "%s", ""), 0);
	EXPECT_STR(buf, "");
}

TEST(snprintf_truncates_and_terminates)
{
	char buf[8];

	memset(buf, 'z', sizeof(buf));
	EXPECT_EQ(fmt_snprintf(buf, sizeof(buf), "hello, world"), 12);
	EXPECT_STR(buf, "hello, ");

	EXPECT_EQ(fmt_snprintf(buf, sizeof(buf), "%s", "1234567"), 7);
	EXPECT_STR(buf, "1234567");

	EXPECT_EQ(fmt_snprintf(buf, sizeof(buf), "%s", "12345678"), 8);
	EXPECT_STR(buf, "1234567");

	EXPECT_EQ(fmt_snprintf(buf, 1, "abc"), 3);
	EXPECT_STR(buf, "");
}

TEST(snprintf_size_zero_writes_nothing)
{
	char buf[4] = { 'a', 'b', 'c', 'd' };

	EXPECT_EQ(fmt_snprintf(buf, 0, "%d", 123456), 6);
	EXPECT(buf[0] == 'a' && buf[3] == 'd');
	EXPECT_EQ(fmt_snprintf(NULL, 0, "%s", "xyz"), 3);
}

TEST(snprintf_does_not_write_past_size)
{
	char buf[16];

	memset(buf, 'z', sizeof(buf));
	fmt_snprintf(buf, 4, "%d", 123456);
	EXPECT_STR(buf, "123");
	EXPECT(buf[4] == 'z' && buf[15] == 'z');
}

/* An output function that counts its calls, for fmt_vformat directly. */
struct counter {
	int calls;
	char last;
};

static void
count_putc(void *arg, char c)
{
	struct counter *k = arg;

	k->calls++;
	k->last = c;
}

static int
vformat_count(struct counter *k, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vformat(count_putc, k, fmt, ap);
	va_end(ap);
	return n;
}

TEST(vformat_calls_out_once_per_character)
{
	struct counter k = { 0, 0 };

	EXPECT_EQ(vformat_count(&k, "%5d|%s", 12, "ab"), 8);
	EXPECT_EQ(k.calls, 8);
	EXPECT_EQ(k.last, 'b');
}

int
main(void)
{
	return RUN_TESTS();
}
