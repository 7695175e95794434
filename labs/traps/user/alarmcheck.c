/*
 * alarmcheck: tests of sigalarm and sigreturn, for the traps lab
 * (labs/traps/README.md).
 *
 *   alarmcheck CASE...     run the cases named, in order
 *   alarmcheck             run them all
 *
 * Each case prints one line, "alarmcheck: CASE: ok ..." or
 * "alarmcheck: CASE: FAILED: why".  Every wait has a time limit, so a
 * kernel that never calls the handler makes a case fail, not hang; a
 * case that finds the handler re-entered or sigreturn returning exits at
 * once, since nothing after that can be trusted.
 */
#include "user/user.h"

#define TIME_LIMIT 300        /* ticks any one wait may take (3 s) */
#define TIMEBASE   10000000   /* rdtime counts per second on QEMU's virt */

typedef void (*handler_fn)(void);

volatile int calls;                 /* handler runs so far (also read by
                                     * scribble_handler, below) */
static volatile int depth;          /* handlers running right now */
static volatile int deepest;        /* the largest depth seen */
static const char *current = "";    /* the case running, for messages */

/* The current case's verdict lines (user/lib/verdict.c). */
#define ok(...)     verdict("alarmcheck", current, "ok, ", __VA_ARGS__)
#define failed(...) verdict("alarmcheck", current, "FAILED: ", __VA_ARGS__)

/* Burn some CPU time in user mode. */
__attribute__((noipa)) static void
spin(void)
{
	for (volatile int i = 0; i < 20000; i++)
		;
}

/* Spin until *counter reaches want or limit ticks have passed; false if
 * the time ran out. */
static bool
spin_until(volatile int *counter, int want, int limit)
{
	int start = uptime();

	while (*counter < want)
		if (uptime() - start >= limit)
			return false;
		else
			spin();
	return true;
}

static void
spin_for(int ticks)
{
	int start = uptime();

	while (uptime() - start < ticks)
		spin();
}

/* Called from a handler whose sigreturn came back: there is nowhere
 * sensible to go, so say so and stop. */
void sigreturn_returned(void);
void
sigreturn_returned(void)
{
	failed("sigreturn returned to the handler (%s)", strerror(errno));
	exit(1);
}

/* The plain handler: count, and go back. */
static void
count_handler(void)
{
	calls++;
	sigreturn();
	sigreturn_returned();
}

/* A handler that takes 5 ticks, and notices if it is entered again. */
static void
slow_handler(void)
{
	int start = uptime();

	depth++;
	if (depth > deepest)
		deepest = depth;
	if (depth > 1) {
		failed("the handler was entered again while it was running");
		exit(1);
	}
	while (uptime() - start < 5)
		spin();
	depth--;
	calls++;
	sigreturn();
	sigreturn_returned();
}

/*
 * Two routines in assembly, for the registers case.
 *
 * hold_registers(calls, want, deadline) puts a known value in every
 * register but sp, a0 and a1 (which keep their arguments) and loops,
 * comparing each with its value, until *calls reaches want or the time
 * counter reaches deadline.  It returns 0 when all went well, N when
 * register xN changed, or -1 when the deadline came first.  t5 and t6
 * are its scratch registers: t6 is still checked, since an alarm that
 * falls between loading a value into it and the comparison that uses it
 * changes the comparison if t6 is not restored.
 *
 * scribble_handler counts the call, puts garbage in every register but
 * sp, and calls sigreturn, which must bring all of them back.
 */
long hold_registers(volatile int *calls, long want, uint64 deadline);
void scribble_handler(void);

asm(
"	.macro	set reg, n\n"
"	li	\\reg, -(0x1001 * \\n + 0x55)\n"
"	.endm\n"
"	.macro	check reg, n\n"
"	li	t6, -(0x1001 * \\n + 0x55)\n"
"	bne	\\reg, t6, .Lchanged\\n\n"
"	.endm\n"
"	.macro	changed n\n"
".Lchanged\\n:\n"
"	li	a0, \\n\n"
"	j	.Lhold_out\n"
"	.endm\n"
"\n"
"	.pushsection .text\n"
"	.globl	hold_registers\n"
"hold_registers:\n"
"	addi	sp, sp, -144\n"
"	sd	a2, 0(sp)\n"     /* the deadline */
"	sd	a0, 8(sp)\n"
"	sd	a1, 16(sp)\n"
"	sd	ra, 24(sp)\n"
"	sd	gp, 32(sp)\n"
"	sd	tp, 40(sp)\n"
"	sd	s0, 48(sp)\n"
"	sd	s1, 56(sp)\n"
"	sd	s2, 64(sp)\n"
"	sd	s3, 72(sp)\n"
"	sd	s4, 80(sp)\n"
"	sd	s5, 88(sp)\n"
"	sd	s6, 96(sp)\n"
"	sd	s7, 104(sp)\n"
"	sd	s8, 112(sp)\n"
"	sd	s9, 120(sp)\n"
"	sd	s10, 128(sp)\n"
"	sd	s11, 136(sp)\n"
"	set	ra, 1\n"
"	set	gp, 3\n"
"	set	tp, 4\n"
"	set	t0, 5\n"
"	set	t1, 6\n"
"	set	t2, 7\n"
"	set	s0, 8\n"
"	set	s1, 9\n"
"	set	a2, 12\n"
"	set	a3, 13\n"
"	set	a4, 14\n"
"	set	a5, 15\n"
"	set	a6, 16\n"
"	set	a7, 17\n"
"	set	s2, 18\n"
"	set	s3, 19\n"
"	set	s4, 20\n"
"	set	s5, 21\n"
"	set	s6, 22\n"
"	set	s7, 23\n"
"	set	s8, 24\n"
"	set	s9, 25\n"
"	set	s10, 26\n"
"	set	s11, 27\n"
"	set	t3, 28\n"
"	set	t4, 29\n"
".Lhold_loop:\n"
"	check	ra, 1\n"
"	check	gp, 3\n"
"	check	tp, 4\n"
"	check	t0, 5\n"
"	check	t1, 6\n"
"	check	t2, 7\n"
"	check	s0, 8\n"
"	check	s1, 9\n"
"	check	a2, 12\n"
"	check	a3, 13\n"
"	check	a4, 14\n"
"	check	a5, 15\n"
"	check	a6, 16\n"
"	check	a7, 17\n"
"	check	s2, 18\n"
"	check	s3, 19\n"
"	check	s4, 20\n"
"	check	s5, 21\n"
"	check	s6, 22\n"
"	check	s7, 23\n"
"	check	s8, 24\n"
"	check	s9, 25\n"
"	check	s10, 26\n"
"	check	s11, 27\n"
"	check	t3, 28\n"
"	check	t4, 29\n"
"	ld	t6, 8(sp)\n"
"	bne	a0, t6, .Lchanged10\n"
"	ld	t6, 16(sp)\n"
"	bne	a1, t6, .Lchanged11\n"
"	lw	t6, 0(a0)\n"
"	bge	t6, a1, .Lhold_done\n"
"	rdtime	t5\n"
"	ld	t6, 0(sp)\n"
"	bltu	t5, t6, .Lhold_loop\n"
"	li	a0, -1\n"
"	j	.Lhold_out\n"
".Lhold_done:\n"
"	li	a0, 0\n"
"	j	.Lhold_out\n"
"	changed	1\n"
"	changed	3\n"
"	changed	4\n"
"	changed	5\n"
"	changed	6\n"
"	changed	7\n"
"	changed	8\n"
"	changed	9\n"
"	changed	10\n"
"	changed	11\n"
"	changed	12\n"
"	changed	13\n"
"	changed	14\n"
"	changed	15\n"
"	changed	16\n"
"	changed	17\n"
"	changed	18\n"
"	changed	19\n"
"	changed	20\n"
"	changed	21\n"
"	changed	22\n"
"	changed	23\n"
"	changed	24\n"
"	changed	25\n"
"	changed	26\n"
"	changed	27\n"
"	changed	28\n"
"	changed	29\n"
".Lhold_out:\n"
"	ld	ra, 24(sp)\n"
"	ld	gp, 32(sp)\n"
"	ld	tp, 40(sp)\n"
"	ld	s0, 48(sp)\n"
"	ld	s1, 56(sp)\n"
"	ld	s2, 64(sp)\n"
"	ld	s3, 72(sp)\n"
"	ld	s4, 80(sp)\n"
"	ld	s5, 88(sp)\n"
"	ld	s6, 96(sp)\n"
"	ld	s7, 104(sp)\n"
"	ld	s8, 112(sp)\n"
"	ld	s9, 120(sp)\n"
"	ld	s10, 128(sp)\n"
"	ld	s11, 136(sp)\n"
"	addi	sp, sp, 144\n"
"	ret\n"
"\n"
"	.globl	scribble_handler\n"
"scribble_handler:\n"
"	la	t0, calls\n"
"	lw	t1, 0(t0)\n"
"	addi	t1, t1, 1\n"
"	sw	t1, 0(t0)\n"
"	li	ra, 0x0bad01\n"
"	li	gp, 0x0bad03\n"
"	li	tp, 0x0bad04\n"
"	li	t0, 0x0bad05\n"
"	li	t1, 0x0bad06\n"
"	li	t2, 0x0bad07\n"
"	li	s0, 0x0bad08\n"
"	li	s1, 0x0bad09\n"
"	li	a0, 0x0bad10\n"
"	li	a1, 0x0bad11\n"
"	li	a2, 0x0bad12\n"
"	li	a3, 0x0bad13\n"
"	li	a4, 0x0bad14\n"
"	li	a5, 0x0bad15\n"
"	li	a6, 0x0bad16\n"
"	li	a7, 0x0bad17\n"
"	li	s2, 0x0bad18\n"
"	li	s3, 0x0bad19\n"
"	li	s4, 0x0bad20\n"
"	li	s5, 0x0bad21\n"
"	li	s6, 0x0bad22\n"
"	li	s7, 0x0bad23\n"
"	li	s8, 0x0bad24\n"
"	li	s9, 0x0bad25\n"
"	li	s10, 0x0bad26\n"
"	li	s11, 0x0bad27\n"
"	li	t3, 0x0bad28\n"
"	li	t4, 0x0bad29\n"
"	li	t5, 0x0bad30\n"
"	li	t6, 0x0bad31\n"
"	call	sigreturn\n"
"	call	sigreturn_returned\n"
"	.popsection\n"
"	.purgem	set\n"
"	.purgem	check\n"
"	.purgem	changed\n"
);

/* The time counter, which user code may read (book chapter 6). */
static uint64
time_now(void)
{
	uint64 t;

	asm volatile("rdtime %0" : "=r"(t));
	return t;
}

/* Arm an alarm; false (after saying so) if sigalarm refused. */
static bool
arm(int ticks, handler_fn handler)
{
	if (sigalarm(ticks, handler) == 0)
		return true;
	failed("sigalarm(%d, handler) returned -1 (%s)", ticks,
	       strerror(errno));
	return false;
}

static const char *const register_names[32] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1",
	"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4",
	"s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

/* ---- the cases ---------------------------------------------------------- */

static void
case_periodic(void)
{
	int start, elapsed;

	calls = 0;
	if (!arm(2, count_handler))
		return;
	start = uptime();
	spin_until(&calls, 6, TIME_LIMIT);
	elapsed = uptime() - start;
	sigalarm(0, 0);
	if (calls < 6)
		failed("the handler ran %d times in %d ticks; expected 6, one "
		       "every 2 ticks", calls, elapsed);
	else if (elapsed < 2 * 6 - 3)
		failed("6 calls came in only %d ticks: with sigalarm(2, ...) "
		       "they need about 12", elapsed);
	else
		ok("6 calls in %d ticks", elapsed);
}

static void
case_registers(void)
{
	uint64 deadline = time_now() + (uint64)TIMEBASE * TIME_LIMIT / 100;
	long result;

	calls = 0;
	if (!arm(1, scribble_handler))
		return;
	result = hold_registers(&calls, 5, deadline);
	sigalarm(0, 0);
	if (result == 0)
		ok("all registers intact across %d alarms", calls);
	else if (result > 0)
		failed("register x%ld (%s) changed across an alarm",
		       result, register_names[result]);
	else
		failed("the handler ran %d times in 3 s, expected 5", calls);
}

static void
case_slow(void)
{
	calls = depth = deepest = 0;
	if (!arm(1, slow_handler))
		return;
	spin_until(&calls, 3, TIME_LIMIT);
	sigalarm(0, 0);
	if (calls < 3)
		failed("the slow handler finished only %d times in 3 s, "
		       "expected 3", calls);
	else
		ok("3 slow calls, never more than %d at once", deepest);
}

static void
case_stop(void)
{
	int seen;

	calls = 0;
	if (!arm(1, count_handler))
		return;
	if (!spin_until(&calls, 3, TIME_LIMIT)) {
		sigalarm(0, 0);
		failed("the handler ran %d times in 3 s, expected 3", calls);
		return;
	}
	if (sigalarm(0, 0) != 0) {
		failed("sigalarm(0, 0) returned -1 (%s)", strerror(errno));
		return;
	}
	seen = calls;
	spin_for(20);
	if (calls != seen)
		failed("%d more calls after sigalarm(0, 0)", calls - seen);
	else
		ok("no call in the 20 ticks after sigalarm(0, 0)");
}

/* sigreturn when no handler is running changes nothing and fails. */
static void
case_noalarm(void)
{
	int r;

	errno = 0;
	r = sigreturn();
	if (r != -1 || errno != EINVAL) {
		failed("sigreturn() with no handler running returned %d (%s), "
		       "expected -1 with EINVAL", r, errno_name(errno));
		return;
	}
	calls = 0;
	if (!arm(5, count_handler))
		return;
	errno = 0;
	r = sigreturn();
	sigalarm(0, 0);
	if (r != -1 || errno != EINVAL)
		failed("sigreturn() with an alarm armed but no handler "
		       "running returned %d (%s), expected -1 with EINVAL",
		       r, errno_name(errno));
	else
		ok("sigreturn() fails with EINVAL");
}

/* One bad call: sigalarm(ticks, handler) must fail with want. */
static bool
refused(int ticks, handler_fn handler, int want, const char *what)
{
	int r;

	errno = 0;
	r = sigalarm(ticks, handler);
	if (r == -1 && errno == want)
		return true;
	sigalarm(0, 0);
	failed("sigalarm(%d, %s) returned %d (%s), expected -1 with %s",
	       ticks, what, r, r == 0 ? "success" : errno_name(errno),
	       errno_name(want));
	return false;
}

static void
case_badargs(void)
{
	calls = 0;
	if (!refused(-1, count_handler, EINVAL, "handler") ||
	    !refused(2, (handler_fn)0, EFAULT, "a null pointer") ||
	    !refused(2, (handler_fn)(void *)&calls, EFAULT,
		     "the address of a variable") ||
	    !refused(2, (handler_fn)0x3000000000, EFAULT,
		     "an unmapped address") ||
	    !refused(2, (handler_fn)0x3fffffe000, EFAULT,
		     "the trapframe's address"))
		return;
	spin_for(10);
	if (calls != 0) {
		failed("the handler ran after every sigalarm call had failed");
		return;
	}
	if (sigalarm(0, 0) != 0) {
		failed("sigalarm(0, 0) returned -1 (%s)", strerror(errno));
		return;
	}
	ok("EINVAL and EFAULT as expected");
}

/* fork's child starts with no alarm; the parent keeps its own. */
static void
case_fork(void)
{
	int pid, status = -1;

	calls = 0;
	if (!arm(1, count_handler))
		return;
	pid = fork();
	if (pid < 0) {
		sigalarm(0, 0);
		failed("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		calls = 0;
		spin_for(20);
		exit(calls == 0 ? 0 : 1);
	}
	spin_until(&calls, 3, TIME_LIMIT);
	sigalarm(0, 0);
	wait(&status);
	if (status != 0)
		failed("the child of fork ran its parent's handler "
		       "(its exit status: %d)", status);
	else if (calls < 3)
		failed("after fork the parent's handler ran only %d times",
		       calls);
	else
		ok("the child has no alarm, the parent keeps its own");
}

/* exec starts the new program with no alarm: this program runs itself
 * as "exec-child", whose handler, at the same address, would count. */
static void
case_exec(void)
{
	char *argv[] = { "alarmcheck", "exec-child", 0 };

	if (!arm(1, count_handler))
		return;
	exec("/bin/alarmcheck", argv);
	sigalarm(0, 0);
	failed("exec /bin/alarmcheck: %s", strerror(errno));
}

static void
case_exec_child(void)
{
	current = "exec";
	calls = 0;
	spin_for(20);
	if (calls != 0)
		failed("the handler ran %d times in the new program: exec "
		       "must turn the alarm off", calls);
	else
		ok("the new program has no alarm");
}

static const struct {
	const char *name;
	void (*run)(void);
} cases[] = {
	{ "periodic", case_periodic },
	{ "registers", case_registers },
	{ "slow", case_slow },
	{ "stop", case_stop },
	{ "noalarm", case_noalarm },
	{ "badargs", case_badargs },
	{ "fork", case_fork },
	{ "exec", case_exec },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void
run_case(const char *name)
{
	if (strcmp(name, "exec-child") == 0) {
		case_exec_child();
		return;
	}
	for (unsigned i = 0; i < NCASES; i++)
		if (strcmp(name, cases[i].name) == 0) {
			current = name;
			cases[i].run();
			return;
		}
	fprintf(2, "alarmcheck: no case %s\n", name);
	exit(2);
}

int
main(int argc, char *argv[])
{
	if (argc == 1)
		for (unsigned i = 0; i < NCASES; i++)
			run_case(cases[i].name);
	for (int i = 1; i < argc; i++)
		run_case(argv[i]);
	return 0;
}
