/*
 * user/lib/verdict.c: the one-line verdicts of test programs.
 *
 * A test program runs named cases and ends each with a line its grader
 * reads: "PROG: CASE: ok, ..." or "PROG: CASE: FAILED: ...", where the
 * rest is printf's format.  The labs' test programs (cowtest, schedtest,
 * alarmcheck, the thread lab's probes) all print this way.
 */
#include "user/user.h"

void
vverdict(const char *prog, const char *name, const char *word,
	 const char *fmt, va_list ap)
{
	printf("%s: %s: %s", prog, name, word);
	vprintf(fmt, ap);
	printf("\n");
}

void
verdict(const char *prog, const char *name, const char *word,
	const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vverdict(prog, name, word, fmt, ap);
	va_end(ap);
}
