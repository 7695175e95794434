/*
 * include/unittest.h: a tiny harness for the host unit tests (the *_test.c
 * files beside the code they test; `make unit` builds and runs them).
 *
 *   TEST(buddy_splits) { EXPECT(x == 1); EXPECT_EQ(a, b); }
 *   int main(void) { return RUN_TESTS(); }
 *
 * Each TEST registers itself; RUN_TESTS runs them all, prints a line per
 * failed expectation and ends with "N passed, M failed".
 */
#ifndef INCLUDE_UNITTEST_H
#define INCLUDE_UNITTEST_H

#include <stdio.h>

struct unittest {
	const char *name;
	void (*fn)(void);
};

#define UNITTEST_MAX 256
static struct unittest unittest_list[UNITTEST_MAX];
static int unittest_count;
static int unittest_failures_in_current;

#define TEST(name)                                                        \
	static void test_##name(void);                                    \
	__attribute__((constructor)) static void register_##name(void)    \
	{                                                                 \
		if (unittest_count < UNITTEST_MAX)                        \
			unittest_list[unittest_count++] =                 \
				(struct unittest){ #name, test_##name };  \
	}                                                                 \
	static void test_##name(void)

#define EXPECT(cond)                                                      \
	do {                                                              \
		if (!(cond)) {                                            \
			printf("  %s:%d: expected %s\n", __FILE__,        \
			       __LINE__, #cond);                          \
			unittest_failures_in_current++;                   \
		}                                                         \
	} while (0)

#define EXPECT_EQ(a, b)                                                   \
	do {                                                              \
		long long a_ = (long long)(a), b_ = (long long)(b);       \
		if (a_ != b_) {                                           \
			printf("  %s:%d: expected %s == %s (%lld != %lld)\n", \
			       __FILE__, __LINE__, #a, #b, a_, b_);       \
			unittest_failures_in_current++;                   \
		}                                                         \
	} while (0)

#define EXPECT_STR(a, b)                                                  \
	do {                                                              \
		const char *a_ = (a), *b_ = (b);                          \
		if (a_ == 0 || b_ == 0 || strcmp(a_, b_) != 0) {          \
			printf("  %s:%d: expected \"%s\", got \"%s\"\n",  \
			       __FILE__, __LINE__, b_ ? b_ : "(null)",    \
			       a_ ? a_ : "(null)");                       \
			unittest_failures_in_current++;                   \
		}                                                         \
	} while (0)

static inline int
unittest_run_all(const char *suite)
{
	int passed = 0, failed = 0;

	for (int i = 0; i < unittest_count; i++) {
		unittest_failures_in_current = 0;
		unittest_list[i].fn();
		if (unittest_failures_in_current == 0) {
			passed++;
		} else {
			failed++;
			printf("%s: test %s FAILED\n", suite, unittest_list[i].name);
		}
	}
	printf("%s: %d passed, %d failed\n", suite, passed, failed);
	return failed == 0 ? 0 : 1;
}

#define RUN_TESTS() unittest_run_all(__FILE__)

#endif /* INCLUDE_UNITTEST_H */
