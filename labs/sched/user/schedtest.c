/*
 * schedtest: tests of setshare and of the stride scheduler, for the sched
 * lab (labs/sched/README.md).
 *
 *   schedtest CASE...     run the cases named, in order
 *   schedtest             run them all
 *
 * The cases that check the call (setshare, badshare, inherit) print one
 * line, "schedtest: CASE: ok ..." or "schedtest: CASE: FAILED: why".
 *
 * The cases that measure (ratio, starve, newcomer, sleeper, interactive)
 * print what they measured and leave the judging to the grader
 * (labs/sched/grade.py), which says what it expected:
 *
 *   schedtest: ratio: shares 1 2 3 ticks 50 101 149
 *   schedtest: interactive: sleep(1) took 2 1 2 ... ticks
 *
 * CPU time is what the kernel counts: cputicks() is the number of timer
 * ticks that found the caller running, so a loaded host that runs the
 * guest slowly changes how much a tick computes, not whose tick it is.
 * Each measuring process (a "hog": it computes and never waits) reads
 * cputicks() when the clock reaches the start of a window and again when
 * it reaches the end; all hogs share the window.  A setshare that fails
 * is reported on a line of its own, and the case measures anyway.
 */
#include "user/user.h"
#include "include/share.h"

#define NHOG       3          /* hogs in a measuring case */
#define SETTLE     20         /* ticks for the hogs to start before a window */
#define NEVER      0x7fffffff /* a window's end that never comes */
#define NSAMPLE    20         /* sleeps the interactive case times */
#define PING_LIMIT 1000       /* ticks the interactive case may take */

static const char *current = "";    /* the case running, for messages */

/* The current case's verdict lines (user/lib/verdict.c). */
#define ok(...)     verdict("schedtest", current, "ok, ", __VA_ARGS__)
#define failed(...) verdict("schedtest", current, "FAILED: ", __VA_ARGS__)

/* ---- the call -------------------------------------------------------------- */

/* setshare(share) must return want; false (after saying so) if not. */
static bool
expect_share(int share, int want, const char *why)
{
	int got = setshare(share);

	if (got == want)
		return true;
	if (got < 0)
		failed("setshare(%d) returned -1 (%s); expected %d, %s", share,
		       strerror(errno), want, why);
	else
		failed("setshare(%d) returned %d; expected %d, %s", share, got,
		       want, why);
	return false;
}

static void
case_setshare(void)
{
	if (expect_share(5, SHARE_DEFAULT, "the share every process starts "
			 "with (SHARE_DEFAULT)") &&
	    expect_share(1, 5, "the share set before") &&
	    expect_share(SHARE_MAX, 1, "the share set before") &&
	    expect_share(SHARE_DEFAULT, SHARE_MAX, "the share set before"))
		ok("setshare returns the old share; 1 and %d are accepted",
		   SHARE_MAX);
}

static void
case_badshare(void)
{
	static const int bad[] = { 0, -1, SHARE_MAX + 1, 1000000,
				   -2147483647 - 1 };

	if (!expect_share(7, SHARE_DEFAULT, "the share every process starts "
			  "with (SHARE_DEFAULT)"))
		return;
	for (int i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
		int got;

		errno = 0;
		got = setshare(bad[i]);
		if (got == -1 && errno != EINVAL) {
			failed("setshare(%d) failed with %s; expected EINVAL: "
			       "shares are 1 to %d", bad[i], strerror(errno),
			       SHARE_MAX);
			return;
		}
		if (got != -1) {
			failed("setshare(%d) returned %d; expected -1 with "
			       "EINVAL: shares are 1 to %d", bad[i], got,
			       SHARE_MAX);
			return;
		}
	}
	if (expect_share(7, 7, "the share before the refused calls: a "
			 "refused call changes nothing"))
		ok("0, -1, %d, 1000000 and INT_MIN get EINVAL and change "
		   "nothing", SHARE_MAX + 1);
}

/* Wait for one child; its exit status, or -1 if there was none. */
static int
child_status(void)
{
	int status;

	if (wait(&status) < 0)
		return -1;
	return status;
}

static void
case_inherit(void)
{
	char *argv[] = { "schedtest", "--exit-with-share", NULL };
	int pid, status;

	if (!expect_share(7, SHARE_DEFAULT, "the share every process starts "
			  "with (SHARE_DEFAULT)"))
		return;
	if ((pid = fork()) == 0)
		exit(setshare(3));      /* its old share, 7 if inherited */
	status = child_status();
	if (pid < 0 || status != 7) {
		failed("fork's child found share %d; expected the parent's, 7",
		       status);
		return;
	}
	if (!expect_share(9, 7, "the parent's own share: the child's "
			  "setshare changes only the child's"))
		return;
	if ((pid = fork()) == 0) {
		exec("/bin/schedtest", argv);
		exit(-2);
	}
	status = child_status();
	if (pid < 0 || status != 9)
		failed("a program run by exec found share %d%s; expected the "
		       "share of the process that called exec, 9", status,
		       status == -2 ? " (exec failed)" : "");
	else
		ok("fork's child and exec's program keep the share");
}

/* ---- measuring --------------------------------------------------------------- */

/* What a hog tells its parent, through a pipe, at the end of the window. */
struct report {
	int index;     /* which hog */
	int err;       /* errno of a failed setshare, else 0 */
	int ticks;     /* cputicks() gained in the window */
};

static void
compute_until(int tick)
{
	while (uptime() < tick)
		;
}

/*
 * A hog's life: take its share, sleep until tick `wake` (0: do not
 * sleep), compute until tick `from`, count the CPU it gets from then to
 * tick `until`, and report on fd.
 */
static __attribute__((noreturn)) void
hog(int fd, int index, int share, int wake, int from, int until)
{
	struct report r = { index, 0, 0 };
	int before;

	if (setshare(share) < 0)
		r.err = errno;
	if (wake > uptime())
		sleep(wake - uptime());
	compute_until(from);
	before = cputicks();
	compute_until(until);
	r.ticks = cputicks() - before;
	write(fd, &r, sizeof(r));
	exit(0);
}

static int
start_hog(int fd, int index, int share, int wake, int from, int until)
{
	int pid = fork();

	if (pid == 0)
		hog(fd, index, share, wake, from, until);
	if (pid < 0)
		failed("fork: %s", strerror(errno));
	return pid;
}

/*
 * Collect the reports of n hogs on fd, wait for them, and print the
 * measurement line.
 */
static void
report_hogs(int fd, int n, const int share[])
{
	struct report r, all[NHOG];

	for (int i = 0; i < n; i++) {
		if (read(fd, &r, sizeof(r)) != sizeof(r) || r.index < 0 ||
		    r.index >= n) {
			failed("a hog's report went missing");
			return;
		}
		all[r.index] = r;
	}
	for (int i = 0; i < n; i++)
		child_status();
	for (int i = 0; i < n; i++)
		if (all[i].err != 0)
			printf("schedtest: %s: setshare(%d) failed: %s\n",
			       current, share[i], strerror(all[i].err));
	printf("schedtest: %s: shares", current);
	for (int i = 0; i < n; i++)
		printf(" %d", share[i]);
	printf(" ticks");
	for (int i = 0; i < n; i++)
		printf(" %d", all[i].ticks);
	printf("\n");
}

static bool
open_pipe(int fds[2])
{
	if (pipe(fds) == 0)
		return true;
	failed("pipe: %s", strerror(errno));
	return false;
}

/* Three hogs with these shares, all there from the start of a window of
 * `length` ticks. */
static void
measure_together(const int share[NHOG], int length)
{
	int fds[2], from = uptime() + SETTLE;

	if (!open_pipe(fds))
		return;
	for (int i = 0; i < NHOG; i++)
		if (start_hog(fds[1], i, share[i], 0, from, from + length) < 0)
			exit(1);
	report_hogs(fds[0], NHOG, share);
	close(fds[0]);
	close(fds[1]);
}

static void
case_ratio(void)
{
	static const int share[NHOG] = { 1, 2, 3 };

	measure_together(share, 300);
}

static void
case_starve(void)
{
	static const int share[NHOG] = { 50, 50, 1 };

	measure_together(share, 400);
}

/*
 * Two hogs compute for `warmup` ticks; then a third joins, forked then
 * (late_fork) or waking from a sleep it began at the start, and all three
 * are measured for `length` ticks from the moment it joins.
 */
static void
measure_latecomer(bool late_fork, int warmup, int length)
{
	static const int share[NHOG] = { 2, 2, 4 };
	int fds[2], from = uptime() + warmup, until = from + length;

	if (!open_pipe(fds))
		return;
	for (int i = 0; i < NHOG - 1; i++)
		if (start_hog(fds[1], i, share[i], 0, from, until) < 0)
			exit(1);
	if (late_fork)
		sleep(from - uptime());
	if (start_hog(fds[1], NHOG - 1, share[NHOG - 1], late_fork ? 0 : from,
		      from, until) < 0)
		exit(1);
	report_hogs(fds[0], NHOG, share);
	close(fds[0]);
	close(fds[1]);
}

static void
case_newcomer(void)
{
	measure_latecomer(true, 200, 150);
}

static void
case_sleeper(void)
{
	measure_latecomer(false, 200, 150);
}

/*
 * The interactive process: share 1, it sleeps while the hogs settle, then
 * times NSAMPLE sleep(1)s, each from just before the call to just after
 * it returns, in ticks: 1 or 2 when it runs as soon as it wakes.
 */
static __attribute__((noreturn)) void
pinger(void)
{
	int took[NSAMPLE], n = 0, start = uptime();

	if (setshare(1) < 0)
		printf("schedtest: %s: setshare(1) failed: %s\n", current,
		       strerror(errno));
	sleep(SETTLE);
	while (n < NSAMPLE && uptime() - start < PING_LIMIT) {
		int before = uptime();
		sleep(1);
		took[n++] = uptime() - before;
	}
	printf("schedtest: %s: sleep(1) took", current);
	for (int i = 0; i < n; i++)
		printf(" %d", took[i]);
	printf(" ticks\n");
	exit(0);
}

static void
case_interactive(void)
{
	static const int share[NHOG] = { 10, 10, 10 };
	int hogs[NHOG], fds[2], pid;

	if (!open_pipe(fds))
		return;
	for (int i = 0; i < NHOG; i++)
		if ((hogs[i] = start_hog(fds[1], i, share[i], 0, 0, NEVER)) < 0)
			exit(1);
	if ((pid = fork()) == 0)
		pinger();
	while (pid > 0 && wait(NULL) != pid)
		;
	for (int i = 0; i < NHOG; i++) {
		kill(hogs[i]);
		child_status();
	}
	close(fds[0]);
	close(fds[1]);
}

/* ---- the driver --------------------------------------------------------------- */

static const struct {
	const char *name;
	void (*run)(void);
} cases[] = {
	{ "setshare", case_setshare },
	{ "badshare", case_badshare },
	{ "inherit", case_inherit },
	{ "ratio", case_ratio },
	{ "starve", case_starve },
	{ "newcomer", case_newcomer },
	{ "sleeper", case_sleeper },
	{ "interactive", case_interactive },
};
#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

/* Run the case called name; false if there is none. */
static bool
run_case(const char *name)
{
	for (int i = 0; i < NCASES; i++) {
		if (strcmp(cases[i].name, name) == 0) {
			current = cases[i].name;
			cases[i].run();
			return true;
		}
	}
	return false;
}

int
main(int argc, char *argv[])
{
	/* The program the inherit case runs through exec. */
	if (argc == 2 && strcmp(argv[1], "--exit-with-share") == 0)
		exit(setshare(1));
	if (argc == 1) {
		for (int i = 0; i < NCASES; i++)
			run_case(cases[i].name);
		exit(0);
	}
	for (int i = 1; i < argc; i++) {
		if (!run_case(argv[i])) {
			fprintf(2, "schedtest: no case %s; the cases:", argv[i]);
			for (int j = 0; j < NCASES; j++)
				fprintf(2, " %s", cases[j].name);
			fprintf(2, "\n");
			exit(1);
		}
	}
	exit(0);
}
