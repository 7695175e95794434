/*
 * labs/thread/user/probe.h: what the thread lab's three test programs
 * (uthreadtest, threadtest, synctest) share.  Each is a list of named
 * cases; run with no arguments it runs them all, else those named, and
 * each case ends in one line, "PROG: CASE: ok" or "PROG: CASE: FAILED:
 * why" (from fail(), which a case may call more than once).  The exit
 * status is 0 only when every case passed.
 *
 * A program defines PROBE_NAME, includes this, and ends with
 *
 *   static const struct probe_case cases[] = { { "name", case_fn }, ... };
 *   int main(int argc, char **argv)
 *   { return probe_main(cases, sizeof(cases) / sizeof(cases[0]), argc, argv); }
 */
#ifndef LABS_THREAD_USER_PROBE_H
#define LABS_THREAD_USER_PROBE_H

#include "user/user.h"

struct probe_case {
	const char *name;
	void (*run)(void);
};

static const char *current_case;   /* the case running now */
static int failures;               /* fail() calls in it */

/* Report that the current case failed, and why (printf's format). */
static void
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vverdict(PROBE_NAME, current_case, "FAILED: ", fmt, ap);
	va_end(ap);
	failures++;
}

/* Run the case called name; its failures (1 for no such case). */
static int
run_case(const struct probe_case *cases, int n, const char *name)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(cases[i].name, name) != 0)
			continue;
		current_case = name;
		failures = 0;
		cases[i].run();
		if (failures == 0)
			printf("%s: %s: ok\n", PROBE_NAME, name);
		return failures;
	}
	fprintf(2, "%s: no case %s\n", PROBE_NAME, name);
	return 1;
}

/* Every case, or those argv names; 0 when all passed. */
static int
probe_main(const struct probe_case *cases, int n, int argc, char **argv)
{
	int bad = 0;

	if (argc == 1)
		for (int i = 0; i < n; i++)
			bad += run_case(cases, n, cases[i].name);
	for (int i = 1; i < argc; i++)
		bad += run_case(cases, n, argv[i]);
	return bad != 0;
}

#endif /* LABS_THREAD_USER_PROBE_H */
