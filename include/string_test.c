/*
 * include/string_test.c: host unit tests for include/string.c.
 *
 * The functions under test have the names of the host C library's, so
 * this file renames them (memset becomes k_memset, ...) before including
 * string.c, then undoes the renaming and checks each k_ function against
 * the host's over many sizes, alignments and overlaps.  Every buffer has
 * guard bytes around the region under test, to catch stray writes.
 *
 *   cc -O2 -g -Wall -Werror -std=gnu11 -I. -fno-builtin \
 *      -o /tmp/string_test include/string_test.c
 */
#include <string.h>

#define memset     k_memset
#define memmove    k_memmove
#define memcpy     k_memcpy
#define memcmp     k_memcmp
#define memchr     k_memchr
#define strlen     k_strlen
#define strnlen    k_strnlen
#define strcmp     k_strcmp
#define strncmp    k_strncmp
#define strcpy     k_strcpy
#define strncpy    k_strncpy
#define strcat     k_strcat
#define strchr     k_strchr
#define strrchr    k_strrchr
#define strstr     k_strstr
#define safestrcpy k_safestrcpy

/*
 * Keep gcc from replacing string.c's loops with calls to the host's
 * memset and memcpy, which would leave those loops untested (the kernel
 * and user builds pass -fno-tree-loop-distribute-patterns for the same
 * reason).  clang has no such pragma; -fno-builtin stops it instead.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-loop-distribute-patterns")
#endif
#include "include/string.c"
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC reset_options
#endif

#undef memset
#undef memmove
#undef memcpy
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strcpy
#undef strncpy
#undef strcat
#undef strchr
#undef strrchr
#undef strstr
#undef safestrcpy

#include "include/unittest.h"

#define AREA   640    /* bytes in each test buffer */
#define MAXLEN 300    /* largest region moved */
#define MAXOFF 17     /* region offsets tried: 0 .. MAXOFF-1 */

/* Distinct, reproducible, non-zero-heavy contents. */
static void
fill_pattern(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

static int
sign(int x)
{
	return (x > 0) - (x < 0);
}

TEST(memset_matches_host)
{
	static unsigned char mine[AREA], host[AREA];

	for (size_t off = 0; off < MAXOFF; off++) {
		for (size_t n = 0; n <= MAXLEN; n++) {
			fill_pattern(mine, AREA, n);
			fill_pattern(host, AREA, n);
			EXPECT(k_memset(mine + off, 0xa5 + (int)n, n) ==
			       mine + off);
			memset(host + off, 0xa5 + (int)n, n);
			EXPECT(memcmp(mine, host, AREA) == 0);
		}
	}
}

TEST(memset_uses_low_byte_of_c)
{
	unsigned char buf[32];

	k_memset(buf, 0x1234, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		EXPECT_EQ(buf[i], 0x34);
}

/* Copy n bytes from area offset from to offset to with fn, and compare. */
typedef void *(*copy_fn)(void *, const void *, size_t);

static void
check_copy_in_place(copy_fn fn, size_t from, size_t to, size_t n)
{
	static unsigned char mine[AREA], host[AREA];

	fill_pattern(mine, AREA, from * 1000 + to + n);
	memcpy(host, mine, AREA);
	EXPECT(fn(mine + to, mine + from, n) == mine + to);
	memmove(host + to, host + from, n);
	EXPECT(memcmp(mine, host, AREA) == 0);
}

TEST(memmove_overlapping_forward_and_backward)
{
	for (size_t from = 0; from < MAXOFF; from++) {
		for (size_t to = 0; to < MAXOFF; to++) {
			for (size_t n = 0; n <= MAXLEN; n++)
				check_copy_in_place(k_memmove, from, to, n);
		}
	}
}

TEST(memmove_distant_overlap)
{
	for (size_t n = 0; n <= MAXLEN; n += 7) {
		for (size_t gap = 1; gap < 80; gap++) {
			check_copy_in_place(k_memmove, 0, gap, n);
			check_copy_in_place(k_memmove, gap, 0, n);
			check_copy_in_place(k_memmove, 3, 3 + gap, n);
			check_copy_in_place(k_memmove, 5 + gap, 5, n);
		}
	}
}

TEST(memcpy_disjoint)
{
	static unsigned char src[AREA], mine[AREA], host[AREA];

	for (size_t soff = 0; soff < MAXOFF; soff++) {
		for (size_t doff = 0; doff < MAXOFF; doff++) {
			for (size_t n = 0; n <= MAXLEN; n++) {
				fill_pattern(src, AREA, soff + n);
				fill_pattern(mine, AREA, doff);
				memcpy(host, mine, AREA);
				EXPECT(k_memcpy(mine + doff, src + soff, n) ==
				       mine + doff);
				memcpy(host + doff, src + soff, n);
				EXPECT(memcmp(mine, host, AREA) == 0);
			}
		}
	}
}

TEST(memcpy_tolerates_overlap)
{
	for (size_t n = 0; n <= 100; n++) {
		check_copy_in_place(k_memcpy, 0, 9, n);
		check_copy_in_place(k_memcpy, 9, 0, n);
		check_copy_in_place(k_memcpy, 8, 16, n);
	}
}

TEST(memcmp_sign_matches_host)
{
	unsigned char a[64], b[64];

	for (size_t n = 0; n < sizeof(a); n++) {
		for (size_t diff = 0; diff < sizeof(a); diff += 5) {
			fill_pattern(a, sizeof(a), 7);
			memcpy(b, a, sizeof(b));
			b[diff] ^= 0x80;
			EXPECT_EQ(sign(k_memcmp(a, b, n)),
				  sign(memcmp(a, b, n)));
			EXPECT_EQ(sign(k_memcmp(b, a, n)),
				  sign(memcmp(b, a, n)));
		}
	}
}

TEST(memchr_finds_first)
{
	const char s[] = "abcabc\0xyz";

	EXPECT(k_memchr(s, 'c', sizeof(s)) == s + 2);
	EXPECT(k_memchr(s, 'x', sizeof(s)) == s + 7);
	EXPECT(k_memchr(s, 'x', 7) == NULL);
	EXPECT(k_memchr(s, 'a' + 256, sizeof(s)) == s);
	EXPECT(k_memchr(s, 'a', 0) == NULL);
}

TEST(strlen_and_strnlen)
{
	EXPECT_EQ(k_strlen(""), 0);
	EXPECT_EQ(k_strlen("hello"), 5);
	EXPECT_EQ(k_strnlen("hello", 3), 3);
	EXPECT_EQ(k_strnlen("hello", 10), 5);
	EXPECT_EQ(k_strnlen("hello", 0), 0);
}

TEST(strcmp_and_strncmp_match_host)
{
	static const char *words[] = {
		"", "a", "ab", "abc", "abd", "b", "\x80", "a\x80", "abcdef",
	};
	size_t count = sizeof(words) / sizeof(words[0]);

	for (size_t i = 0; i < count; i++) {
		for (size_t j = 0; j < count; j++) {
			const char *a = words[i], *b = words[j];

			EXPECT_EQ(sign(k_strcmp(a, b)), sign(strcmp(a, b)));
			for (size_t n = 0; n < 8; n++)
				EXPECT_EQ(sign(k_strncmp(a, b, n)),
					  sign(strncmp(a, b, n)));
		}
	}
}

TEST(strchr_and_strrchr)
{
	const char *s = "hello, world";

	EXPECT(k_strchr(s, 'o') == s + 4);
	EXPECT(k_strrchr(s, 'o') == s + 8);
	EXPECT(k_strchr(s, 'z') == NULL);
	EXPECT(k_strrchr(s, 'z') == NULL);
	EXPECT(k_strchr(s, '\0') == s + 12);
	EXPECT(k_strrchr(s, '\0') == s + 12);
	EXPECT(k_strchr(s, 'h') == s);
}

TEST(strstr_matches_host)
{
	static const char *hay[] = { "", "a", "aaab", "abcabcabd", "xyz" };
	static const char *needles[] = { "", "a", "ab", "abd", "aab", "z",
					 "xyz!", "abcabcabd" };

	for (size_t i = 0; i < sizeof(hay) / sizeof(hay[0]); i++) {
		for (size_t j = 0; j < sizeof(needles) / sizeof(needles[0]);
		     j++)
			EXPECT(k_strstr(hay[i], needles[j]) ==
			       strstr(hay[i], needles[j]));
	}
}

TEST(strcpy_and_strcat)
{
	char buf[32];

	memset(buf, 'z', sizeof(buf));
	EXPECT(k_strcpy(buf, "abc") == buf);
	EXPECT_STR(buf, "abc");
	EXPECT(k_strcat(buf, "def") == buf);
	EXPECT_STR(buf, "abcdef");
	EXPECT(k_strcat(buf, "") == buf);
	EXPECT_STR(buf, "abcdef");
	EXPECT_EQ(buf[7], 'z');
}

TEST(strncpy_matches_host)
{
	char mine[16], host[16];

	for (size_t n = 0; n < 12; n++) {
		memset(mine, 'z', sizeof(mine));
		memset(host, 'z', sizeof(host));
		EXPECT(k_strncpy(mine, "hello", n) == mine);
		strncpy(host, "hello", n);
		EXPECT(memcmp(mine, host, sizeof(mine)) == 0);
	}
}

TEST(safestrcpy_always_terminates)
{
	char buf[8];

	memset(buf, 'z', sizeof(buf));
	EXPECT(k_safestrcpy(buf, "hello, world", sizeof(buf)) == buf);
	EXPECT_STR(buf, "hello, ");

	k_safestrcpy(buf, "hi", sizeof(buf));
	EXPECT_STR(buf, "hi");

	k_safestrcpy(buf, "hi", 1);
	EXPECT_STR(buf, "");

	memset(buf, 'z', sizeof(buf));
	k_safestrcpy(buf, "hi", 0);
	EXPECT_EQ(buf[0], 'z');
}

int
main(void)
{
	return RUN_TESTS();
}
