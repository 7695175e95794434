/*
 * lockstattest: check the lockstat() system call (include/lockstat.h).
 *
 *   lockstattest calls     the rows themselves: a count, names, sane
 *                          numbers; a short array; bad arguments
 *   lockstattest grow      the counts grow with work that takes locks:
 *                          fork and wait ("proc"), writing a file
 *                          ("bcache", "log", "itable"), dup and close
 *                          ("ftable")
 *   lockstattest contend   one process per hart calls dup and close as
 *                          fast as it can, all at once: "ftable" must be
 *                          found held, and the spins counted
 *   lockstattest           all three
 *
 * Each check prints one line, "CHECK: ok" or "CHECK: FAILED: why"; the
 * last line of each part is "lockstattest PART: OK" or "... FAILED".
 */
#include "user/user.h"

#define MAX_ROWS 64
#define CONTEND_CALLS 3000        /* dup+close pairs per process */
#define MAX_PROCS 8
#define MAX_RACES 5                /* tries at making ftable contended */

static struct lockstat rows[MAX_ROWS + 2];
static int failures;

static void
check(bool ok, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("%s: ok\n", what);
		return;
	}
	failures++;
	printf("%s: FAILED: ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static int
part_result(const char *part)
{
	int failed = failures;

	printf("lockstattest %s: %s\n", part, failed ? "FAILED" : "OK");
	failures = 0;
	return failed ? 1 : 0;
}

/* The rows now, into rows[]; their number, or -1 after a failed check. */
static int
read_rows(void)
{
	int n = lockstat(rows, MAX_ROWS);

	if (n < 0) {
		check(false, "lockstat", "lockstat(rows, %d) failed: %s", MAX_ROWS,
		      strerror(errno));
		return -1;
	}
	return n < MAX_ROWS ? n : MAX_ROWS;
}

/* The row named name among the first n of rows[], or NULL. */
static struct lockstat *
find(const char *name, int n)
{
	for (int i = 0; i < n; i++)
		if (strncmp(rows[i].name, name, LOCKSTAT_NAME) == 0)
			return &rows[i];
	return NULL;
}

/* Is row i's name a NUL-terminated, non-empty string, unlike rows before? */
static bool
good_name(int i)
{
	if (memchr(rows[i].name, 0, LOCKSTAT_NAME) == NULL || rows[i].name[0] == 0)
		return false;
	for (int j = 0; j < i; j++)
		if (strcmp(rows[j].name, rows[i].name) == 0)
			return false;
	return true;
}

static void
check_rows(int n)
{
	static const char *names[] = { "proc", "kmem", "bcache", "ftable", "itable",
				       "log", "disk", "printf", "sleep lock" };
	int bad_name = -1, bad_count = -1;

	for (int i = 0; i < n; i++) {
		if (bad_name < 0 && !good_name(i))
			bad_name = i;
		if (bad_count < 0 && (rows[i].contended > rows[i].acquires ||
				      rows[i].spins < rows[i].contended))
			bad_count = i;
	}
	check(bad_name < 0, "names", "row %d has an empty name, a name without "
	      "its NUL, or the name of an earlier row", bad_name);
	check(bad_count < 0, "numbers", "row %d (%.24s): %lu acquires, %lu "
	      "contended, %lu spins: want contended <= acquires <= ... and "
	      "spins >= contended", bad_count, bad_count < 0 ? "" : rows[bad_count].name,
	      bad_count < 0 ? 0UL : (unsigned long)rows[bad_count].acquires,
	      bad_count < 0 ? 0UL : (unsigned long)rows[bad_count].contended,
	      bad_count < 0 ? 0UL : (unsigned long)rows[bad_count].spins);
	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++) {
		struct lockstat *row = find(names[i], n);
		char what[40];

		snprintf(what, sizeof(what), "row %s", names[i]);
		check(row != NULL && row->acquires > 0, what, row == NULL ?
		      "no row named \"%s\"" : "\"%s\" was never acquired", names[i]);
	}
}

/* A short array gets the first rows and not a byte more. */
static void
check_short(int n)
{
	struct lockstat first[2];
	int got;

	memset(rows, 0xab, sizeof(rows));
	got = lockstat(rows, 2);
	memcpy(first, rows, sizeof(first));
	check(got >= n, "short array returns the row count", "lockstat(rows, 2) "
	      "returned %d, want the number of rows (%d before)", got, n);
	bool untouched = true;
	for (uint i = 2 * sizeof(rows[0]); i < sizeof(rows); i++)
		if (((uchar *)rows)[i] != 0xab)
			untouched = false;
	check(untouched, "short array is not overrun",
	      "lockstat(rows, 2) wrote past rows[1]");
	check(memchr(first[0].name, 0, LOCKSTAT_NAME) && memchr(first[1].name, 0,
	      LOCKSTAT_NAME), "short array gets whole rows", "the two rows "
	      "lockstat(rows, 2) wrote do not hold NUL-terminated names");
}

static void
check_errors(void)
{
	int got;

	got = lockstat(rows, -1);
	check(got == -1 && errno == EINVAL, "n < 0 fails with EINVAL",
	      "lockstat(rows, -1) returned %d (%s)", got,
	      got < 0 ? strerror(errno) : "no error");
	got = lockstat((struct lockstat *)0x80000000UL, MAX_ROWS);
	check(got == -1 && errno == EFAULT, "an unmapped address fails with EFAULT",
	      "lockstat(0x80000000, %d) returned %d (%s)", MAX_ROWS, got,
	      got < 0 ? strerror(errno) : "no error");
	got = lockstat((struct lockstat *)0x80000000UL, 0);
	check(got > 0, "n = 0 only counts", "lockstat(0x80000000, 0) returned "
	      "%d (%s): with n = 0 nothing is copied, so any address will do",
	      got, got < 0 ? strerror(errno) : "no rows");
}

static int
part_calls(void)
{
	int n = lockstat(NULL, 0);

	check(n > 0, "lockstat(NULL, 0) counts the rows", "it returned %d (%s)",
	      n, n < 0 ? strerror(errno) : "no rows");
	printf("rows: %d\n", n);
	if (n > 0 && (n = read_rows()) > 0) {
		check_rows(n);
		check_short(n);
	}
	check_errors();
	return part_result("calls");
}

/* Acquisitions of the lock named name now (0 if there is no such row). */
static uint64
acquires_of(const char *name)
{
	int n = read_rows();
	struct lockstat *row = n > 0 ? find(name, n) : NULL;

	return row ? row->acquires : 0;
}

static void
fork_and_wait(void)
{
	for (int i = 0; i < 5; i++) {
		int pid = fork();
		if (pid == 0)
			exit(0);
		if (pid > 0)
			wait(NULL);
	}
}

static void
write_file(void)
{
	char buf[512];
	int fd = open("lst.tmp", O_CREATE | O_WRONLY | O_TRUNC);

	if (fd < 0)
		printf("lockstattest: open lst.tmp: %s\n", strerror(errno));
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; fd >= 0 && i < 8; i++)
		write(fd, buf, sizeof(buf));
	close(fd);
	unlink("lst.tmp");
}

static void
dup_and_close(int times)
{
	for (int i = 0; i < times; i++)
		close(dup(0));
}

/* Check that doing work makes each named lock's acquisitions grow. */
static void
check_grows(const char *name, void (*work)(void), const char *what)
{
	uint64 before = acquires_of(name), after;
	char label[48];

	work();
	after = acquires_of(name);
	snprintf(label, sizeof(label), "grow %s", name);
	check(after > before, label, "%s left \"%s\" at %lu acquires",
	      what, name, (unsigned long)before);
}

static void
dup_and_close_100(void)
{
	dup_and_close(100);
}

static int
part_grow(void)
{
	uint64 before = acquires_of("ftable");

	check_grows("proc", fork_and_wait, "5 forks and waits");
	check_grows("itable", write_file, "writing a 4 KiB file");
	check_grows("bcache", write_file, "writing a 4 KiB file");
	check_grows("log", write_file, "writing a 4 KiB file");
	check_grows("ftable", dup_and_close_100, "100 dups and closes");
	before = acquires_of("ftable") - before;
	/* 100 dups and 100 closes, at least, besides what the rest did. */
	check(before >= 200, "count every acquisition", "100 dups and 100 closes "
	      "(each takes \"ftable\" once) and the rest added only %lu acquires "
	      "to \"ftable\"", (unsigned long)before);
	return part_result("grow");
}

/* nprocs processes call dup and close CONTEND_CALLS times each, all at
 * once (they wait at a gate, a pipe, until all exist). */
static void
race_on_ftable(int nprocs)
{
	int gate[2], status;
	char c;

	if (pipe(gate) < 0)
		return;
	for (int i = 0; i < nprocs; i++) {
		if (fork() == 0) {
			close(gate[1]);
			if (read(gate[0], &c, 1) == 1)
				dup_and_close(CONTEND_CALLS);
			exit(0);
		}
	}
	close(gate[0]);
	for (int i = 0; i < nprocs; i++)
		write(gate[1], "g", 1);
	close(gate[1]);
	for (int i = 0; i < nprocs; i++)
		wait(&status);
}

/* The "ftable" row's contended and spins counts now. */
static void
ftable_counts(uint64 *contended, uint64 *spins)
{
	int n = read_rows();
	struct lockstat *row = n > 0 ? find("ftable", n) : NULL;

	*contended = row ? row->contended : 0;
	*spins = row ? row->spins : 0;
}

/* Race on "ftable" until it is found held, a few times at most (harts
 * that the host does not run at once rarely collide). */
static int
part_contend(void)
{
	struct sysinfo info;
	uint64 c0, s0, c1 = 0, s1 = 0;
	int nprocs, races = 0;

	if (sysinfo(&info) < 0)
		return part_result("contend");
	nprocs = info.ncpu < 2 ? 2 : info.ncpu > MAX_PROCS ? MAX_PROCS : info.ncpu;
	ftable_counts(&c0, &s0);
	while (races < MAX_RACES && c1 <= c0) {
		race_on_ftable(nprocs);
		races++;
		ftable_counts(&c1, &s1);
	}
	printf("ftable: %lu contended, %lu spins, %d x %d processes x %d dup+close\n",
	       (unsigned long)(c1 - c0), (unsigned long)(s1 - s0), races, nprocs,
	       CONTEND_CALLS);
	check(c1 > c0, "contention counted", "%d processes on %d harts took "
	      "\"ftable\" %d times each, %d times over, and not once was it "
	      "found held", nprocs, info.ncpu, 2 * CONTEND_CALLS, races);
	check(s1 - s0 >= c1 - c0, "spins counted", "%lu contended acquisitions "
	      "but only %lu spins", (unsigned long)(c1 - c0),
	      (unsigned long)(s1 - s0));
	return part_result("contend");
}

int
main(int argc, char *argv[])
{
	if (argc == 1)
		exit(part_calls() | part_grow() | part_contend());
	if (argc == 2 && strcmp(argv[1], "calls") == 0)
		exit(part_calls());
	if (argc == 2 && strcmp(argv[1], "grow") == 0)
		exit(part_grow());
	if (argc == 2 && strcmp(argv[1], "contend") == 0)
		exit(part_contend());
	fprintf(2, "usage: lockstattest [calls | grow | contend]\n");
	exit(2);
}
