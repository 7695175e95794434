/*
 * labs/thread/user/uthreadtest.c: checks user-level threads (user/uthread.h).
 *
 * usage: uthreadtest [case ...]      (no case: all of them)
 *
 *   order   three threads that yield take turns round robin, each
 *           starting in its function with its argument
 *   sregs   every one of s0..s11 keeps its value across uthread_yield
 *           while other threads run (checked in assembly, one register
 *           at a time, so that a switch that forgets one is named)
 *   locals  a C function whose many variables live across yields (in s
 *           registers, as the compiler allots them) still computes right
 *   reuse   UTHREAD_MAX threads at once, no more; slots come back when
 *           threads exit, by uthread_exit or by returning
 *
 * Each case prints "uthreadtest: CASE: ok" or "uthreadtest: CASE: FAILED:
 * why"; the grader reads those lines.
 */
#include "user/user.h"
#include "user/uthread.h"

#define PROBE_NAME "uthreadtest"
#include "labs/thread/user/probe.h"

/* ---- order ---------------------------------------------------------------- */

#define ORDER_THREADS 3
#define ORDER_TURNS   4

static int order_log[ORDER_THREADS * ORDER_TURNS + 8];
static int order_n;

static void
order_thread(void *arg)
{
	int me = (int)(uint64)arg;

	for (int turn = 0; turn < ORDER_TURNS; turn++) {
		if (order_n < (int)(sizeof(order_log) / sizeof(order_log[0])))
			order_log[order_n++] = me;
		uthread_yield();
	}
}

static void
case_order(void)
{
	char got[64], want[64];
	int g = 0, w = 0;

	for (int i = 0; i < ORDER_THREADS; i++)
		if (uthread_create(order_thread, (void *)(uint64)(10 + i)) < 0)
			return fail("uthread_create of thread %d returned -1", i);
	uthread_run();
	for (int i = 0; i < order_n && g < 60; i++)
		g += snprintf(got + g, sizeof(got) - g, "%d ", order_log[i] - 10);
	for (int t = 0; t < ORDER_TURNS; t++)
		for (int i = 0; i < ORDER_THREADS; i++)
			w += snprintf(want + w, sizeof(want) - w, "%d ", i);
	got[g] = 0;
	if (order_n == 0)
		return fail("no thread ran: uthread_run returned without running "
			    "any (does uthread_create give the thread a context that "
			    "starts it, and does uthread_switch load it?)");
	if (strcmp(got, want) != 0)
		return fail("the threads ran in the order [ %s], expected [ %s] "
			    "(each runs until it yields, then the next in turn)",
			    got, want);
}

/* ---- sregs ----------------------------------------------------------------- */

/*
 * uint64 sregs_across_yield(uint64 seed): put seed+0 .. seed+11 in s0 ..
 * s11, call uthread_yield, and return a mask with bit i set if si no
 * longer holds seed+i.  Written in assembly so that the values certainly
 * live in the s registers; it saves and restores them itself, as any
 * function must.
 */
uint64 sregs_across_yield(uint64 seed);
asm(
"	.text\n"
"	.globl sregs_across_yield\n"
"sregs_across_yield:\n"
"	addi	sp, sp, -112\n"
"	sd	ra, 0(sp)\n"
"	sd	a0, 104(sp)\n"
"	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11\n"
"	sd	s\\n, (8 + 8 * \\n)(sp)\n"
"	addi	s\\n, a0, \\n\n"
"	.endr\n"
"	call	uthread_yield\n"
"	ld	t0, 104(sp)\n"
"	li	a0, 0\n"
"	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11\n"
"	addi	t1, t0, \\n\n"
"	beq	s\\n, t1, 1f\n"
"	li	t2, 1 << \\n\n"
"	or	a0, a0, t2\n"
"1:\n"
"	ld	s\\n, (8 + 8 * \\n)(sp)\n"
"	.endr\n"
"	ld	ra, 0(sp)\n"
"	addi	sp, sp, 112\n"
"	ret\n"
);

#define SREGS_THREADS 3
#define SREGS_ROUNDS  10

static uint64 sregs_lost[SREGS_THREADS];   /* registers each thread lost */
static int sregs_rounds[SREGS_THREADS];

static void
sregs_thread(void *arg)
{
	int me = (int)(uint64)arg;

	for (int round = 0; round < SREGS_ROUNDS; round++) {
		sregs_lost[me] |= sregs_across_yield(0x1000 * (me + 1) + 16 * round);
		sregs_rounds[me]++;
	}
}

static void
case_sregs(void)
{
	uint64 lost = 0;

	for (int i = 0; i < SREGS_THREADS; i++)
		if (uthread_create(sregs_thread, (void *)(uint64)i) < 0)
			return fail("uthread_create of thread %d returned -1", i);
	uthread_run();
	for (int i = 0; i < SREGS_THREADS; i++) {
		if (sregs_rounds[i] != SREGS_ROUNDS)
			return fail("thread %d finished %d of %d rounds", i,
				    sregs_rounds[i], SREGS_ROUNDS);
		lost |= sregs_lost[i];
	}
	if (lost != 0) {
		char names[64];
		int n = 0;
		for (int r = 0; r < 12; r++)
			if (lost & (1 << r))
				n += snprintf(names + n, sizeof(names) - n, " s%d", r);
		fail("after uthread_yield these registers held another thread's "
		     "values:%s (uthread_switch must save and load every one of "
		     "s0..s11)", names);
	}
}

/* ---- locals ---------------------------------------------------------------- */

#define LOCALS_THREADS 2
#define LOCALS_ROUNDS  8

static uint64 locals_result[LOCALS_THREADS];

/* Fourteen values live across each yield: the compiler keeps them in the
 * callee-saved s registers (uthreadtest's disassembly shows s1..s11 in
 * use here), since uthread_yield is a call. */
static void __attribute__((noinline))
locals_thread(void *arg)
{
	uint64 k = (uint64)arg;
	uint64 a = k, b = k * 3, c = k * 5, d = k * 7, e = k * 11, f = k * 13;
	uint64 g = k * 17, h = k * 19, i = k * 23, j = k * 29, l = k * 31;
	uint64 m = k * 37, n = k * 41;

	for (int round = 0; round < LOCALS_ROUNDS; round++) {
		uthread_yield();
		a += b; b += c; c += d; d += e; e += f; f += g; g += h;
		h += i; i += j; j += l; l += m; m += n; n += a;
	}
	locals_result[k & 1] = a ^ b ^ c ^ d ^ e ^ f ^ g ^ h ^ i ^ j ^ l ^ m ^ n;
}

/* The same computation without threads, for the expected result. */
static uint64
locals_expected(uint64 k)
{
	uint64 a = k, b = k * 3, c = k * 5, d = k * 7, e = k * 11, f = k * 13;
	uint64 g = k * 17, h = k * 19, i = k * 23, j = k * 29, l = k * 31;
	uint64 m = k * 37, n = k * 41;

	for (int round = 0; round < LOCALS_ROUNDS; round++) {
		a += b; b += c; c += d; d += e; e += f; f += g; g += h;
		h += i; i += j; j += l; l += m; m += n; n += a;
	}
	return a ^ b ^ c ^ d ^ e ^ f ^ g ^ h ^ i ^ j ^ l ^ m ^ n;
}

static void
case_locals(void)
{
	uint64 keys[LOCALS_THREADS] = { 1000, 2001 };

	for (int t = 0; t < LOCALS_THREADS; t++)
		if (uthread_create(locals_thread, (void *)keys[t]) < 0)
			return fail("uthread_create of thread %d returned -1", t);
	uthread_run();
	for (int t = 0; t < LOCALS_THREADS; t++)
		if (locals_result[t] != locals_expected(keys[t]))
			return fail("thread %d computed %p, expected %p: its "
				    "variables, kept in s registers, changed while "
				    "the other thread ran", t,
				    (void *)locals_result[t],
				    (void *)locals_expected(keys[t]));
}

/* ---- reuse ----------------------------------------------------------------- */

static int reuse_ran[2 * UTHREAD_MAX];

static void
reuse_thread(void *arg)
{
	int me = (int)(uint64)arg;

	uthread_yield();
	reuse_ran[me]++;
	if (me % 2)
		uthread_exit();
	/* even ones return from their function instead */
}

static void
case_reuse(void)
{
	for (int batch = 0; batch < 2; batch++) {
		for (int i = 0; i < UTHREAD_MAX; i++)
			if (uthread_create(reuse_thread,
					   (void *)(uint64)(batch * UTHREAD_MAX + i)) < 0)
				return fail("batch %d: uthread_create of thread %d "
					    "returned -1 (exited threads must free "
					    "their slots)", batch, i);
		if (uthread_create(reuse_thread, 0) >= 0)
			return fail("a thread beyond UTHREAD_MAX was created");
		uthread_run();
	}
	for (int i = 0; i < 2 * UTHREAD_MAX; i++)
		if (reuse_ran[i] != 1)
			return fail("thread %d ran its function to the end %d times, "
				    "expected once", i, reuse_ran[i]);
}

/* ---- main ------------------------------------------------------------------ */

static const struct probe_case cases[] = {
	{ "order", case_order },
	{ "sregs", case_sregs },
	{ "locals", case_locals },
	{ "reuse", case_reuse },
};

int
main(int argc, char **argv)
{
	return probe_main(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
}
