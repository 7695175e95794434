/*
 * user/usertests.c: the kernel's regression suite, run inside the guest.
 *
 * usage: usertests [-q] [-c] [-l] [name-or-prefix...]
 *
 *   -q   quick tests only (leaves out the ones that fill the disk or the
 *        inode table, or grow a directory past its direct blocks)
 *   -c   run the selected tests again and again until one fails
 *   -l   list the selected tests instead of running them
 *   name-or-prefix  run only the tests whose names start with one of these
 *                   ("pipe" runs every pipe test)
 *
 * Each test is a function named for the behaviour it checks, run in a
 * child process of its own, inside a fresh scratch directory.  A test
 * passes when its child exits with status 0.  A check that does not hold
 * calls fail(), which sends the reason to the runner over a pipe and exits
 * with FAIL_STATUS; the runner prints one line per test:
 *
 *   test pipe_eof_after_writers_close: OK
 *   test file_link_counts: FAILED: link f g: nlink is 1, want 2
 *
 * After each test the runner waits until the test's processes (orphans
 * included) are gone, removes the scratch directory, and compares free
 * memory pages, free disk blocks and free inodes with what they were
 * before the test: a difference fails that test, so a leak is blamed on
 * the test that caused it.  The whole run is checked the same way at the
 * end ("test leak_check").  Then comes the summary:
 *
 *   76 passed, 0 failed
 *   ALL TESTS PASSED          (or SOME TESTS FAILED)
 *
 * and the exit status is 0 only when every test passed.
 *
 * The tests are grouped by area, and a test's name starts with its area's
 * prefix: user pointers (uptr_), the user address space and memory (mem_,
 * sbrk_, lazy_, malloc_), processes (proc_), exec (exec_), pipes (pipe_), files
 * and directories and their limits (file_, dir_, fd_, fs_), console and
 * devices (console_, dev_), time (time_, sysinfo_).  The graders score
 * each area by these prefixes (grading/grade-base.py), so keep them.
 * Every loop is bounded by a count, never by a clock, so that a slow
 * emulator makes the suite slower but not flakier.
 */
#include "user/user.h"
#include "include/addrspace.h"     /* the address-space layout under test */
#include "include/elf.h"           /* to build broken executables */
#include "include/fs_format.h"     /* BSIZE, DIRSIZ, struct dirent */

#define FAIL_STATUS   99        /* exit status of a test that called fail() */
#define EXEC_FAILED  127        /* exit status of a child whose exec failed */
#define SCRATCH      "/usertests.tmp"
#define SETTLE_TICKS 3000       /* most ticks to wait for orphans to go */
#define BUFSIZE      (4 * BSIZE)

static char buf[BUFSIZE];       /* scratch for the tests' I/O */
static int report_fd = -1;      /* fail() writes its reason here */
static uint64 first_brk;        /* sbrk(0) at start: the stack's top */
static bool quick;              /* -q */

/* ---- reporting ------------------------------------------------------------ */

/* The symbolic name of an error number ("ENOENT"). */
static const char *
errname(int err)
{
	const char *name = errno_name(err);

	return name != NULL ? name : "unknown error";
}

/*
 * Give up on the current test: send the reason to the runner and exit.
 * May be called in any process a test started; the runner shows every
 * reason it receives.
 */
static __attribute__((noreturn, format(printf, 1, 2))) void
fail(const char *fmt, ...)
{
	char why[200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(why, sizeof(why) - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(why) - 2)
		n = sizeof(why) - 2;
	why[n++] = '\n';
	if (report_fd < 0 || write(report_fd, why, n) != n)
		write(2, why, n);
	exit(FAIL_STATUS);
}

/* A call that must succeed returned r: fail with errno if it is -1. */
static __attribute__((format(printf, 2, 3))) long
must(long r, const char *fmt, ...)
{
	char what[120];
	va_list ap;

	if (r != -1)
		return r;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fail("%s: %s", what, errname(errno));
}

/* A call that must fail with errno want returned r. */
static __attribute__((format(printf, 3, 4))) void
expect_error(long r, int want, const char *fmt, ...)
{
	char what[120];
	va_list ap;

	if (r == -1 && errno == want)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (r != -1)
		fail("%s: returned %ld, want %s", what, r, errname(want));
	fail("%s: failed with %s, want %s", what, errname(errno), errname(want));
}

/* ---- process helpers ------------------------------------------------------ */

static int
xfork(void)
{
	return must(fork(), "fork");
}

/* Wait for child pid and return its exit status; any other child fails. */
static int
wait_pid(int pid)
{
	int status, got;

	got = must(wait(&status), "wait for pid %d", pid);
	if (got != pid)
		fail("wait: got pid %d, want %d", got, pid);
	return status;
}

/* Wait for child pid, which must exit with status want. */
static void
expect_exit(int pid, int want, const char *what)
{
	int status = wait_pid(pid);

	if (status == FAIL_STATUS)
		fail("%s: a child failed (reason above)", what);
	if (status != want)
		fail("%s: exit status %d, want %d", what, status, want);
}

/* Wait for n children, each of which must exit with status 0. */
static void
reap_all(int n, const char *what)
{
	int status;

	while (n-- > 0) {
		must(wait(&status), "wait for %s", what);
		if (status == FAIL_STATUS)
			fail("%s failed (reason above)", what);
		if (status != 0)
			fail("%s exited with status %d", what, status);
	}
}

static struct sysinfo
xsysinfo(void)
{
	struct sysinfo info;

	must(sysinfo(&info), "sysinfo");
	return info;
}

static uint64
free_pages(void)
{
	return xsysinfo().freepages;
}

/* Fail unless free memory is back to before (a failed call leaked). */
static void
expect_no_leak(uint64 before, const char *what)
{
	uint64 after = free_pages();

	if (after != before)
		fail("%s: free pages %lu before, %lu after", what,
		     (unsigned long)before, (unsigned long)after);
}

/* Wait, a tick at a time, until no more than n processes exist. */
static bool
await_nproc(uint n)
{
	int i;

	for (i = 0; i < SETTLE_TICKS; i++) {
		if (xsysinfo().nproc <= n)
			return true;
		sleep(1);
	}
	return false;
}

/*
 * Run path with argv in a child whose standard output is a pipe; collect
 * up to max-1 bytes of what it prints into out (NUL-terminated).  Returns
 * the child's exit status (EXEC_FAILED when exec failed).
 */
static int
run_capture(const char *path, char **argv, char *out, int max)
{
	int fds[2], pid, n, total = 0;
	char sink[64];

	must(pipe(fds), "pipe");
	pid = xfork();
	if (pid == 0) {
		close(1);
		dup(fds[1]);
		close(fds[0]);
		close(fds[1]);
		exec(path, argv);
		exit(EXEC_FAILED);
	}
	close(fds[1]);
	while (total < max - 1 &&
	       (n = read(fds[0], out + total, max - 1 - total)) > 0)
		total += n;
	out[total] = 0;
	while (read(fds[0], sink, sizeof(sink)) > 0)
		;
	close(fds[0]);
	return wait_pid(pid);
}

#define EXEC_REFUSED 42   /* exit status: the exec failed as it should */

/*
 * exec(path, argv) must fail with errno err and give back every page it
 * took.  It is tried in a child: an exec that wrongly succeeds replaces
 * the child with the program, which cannot exit with EXEC_REFUSED.  Free
 * memory is compared in the parent, from before the fork to after the
 * child is reaped: a kernel whose fork shares pages copy-on-write copies
 * some of them at the child's first stores, so the child's own count
 * moves even when nothing leaks.
 */
static void
expect_exec_error(const char *path, char **argv, int err, const char *what)
{
	uint64 before = free_pages();
	int pid = xfork(), status;

	if (pid == 0) {
		expect_error(exec(path, argv), err, "exec %s", what);
		exit(EXEC_REFUSED);
	}
	status = wait_pid(pid);
	if (status == FAIL_STATUS)
		fail("exec %s: refused wrongly (reason above)", what);
	if (status != EXEC_REFUSED)
		fail("exec %s: it ran (exit status %d), want %s", what, status,
		     errname(err));
	expect_no_leak(before, what);
}

/* ---- file helpers --------------------------------------------------------- */

/* Byte i of the test pattern with the given seed. */
static inline uchar
pattern(uint seed, uint64 i)
{
	uint x = (uint)i * 2654435761u + seed * 40503u;

	return (x >> 24) ^ (uint)(i >> 12);
}

static void
fill(char *p, int n, uint seed, uint64 off)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = pattern(seed, off + i);
}

/* Index of the first byte of p that is not the pattern, or -1. */
static int
mismatch(const char *p, int n, uint seed, uint64 off)
{
	int i;

	for (i = 0; i < n; i++)
		if ((uchar)p[i] != pattern(seed, off + i))
			return i;
	return -1;
}

static int
xopen(const char *path, int flags)
{
	return must(open(path, flags), "open %s", path);
}

/* Write n bytes of pattern seed (starting at offset off) to fd. */
static void
write_pattern(int fd, uint seed, uint64 off, uint64 n, int chunk,
	      const char *name)
{
	uint64 done;
	int m, r;

	for (done = 0; done < n; done += m) {
		m = n - done < (uint64)chunk ? n - done : (uint64)chunk;
		fill(buf, m, seed, off + done);
		r = must(write(fd, buf, m), "write %s at %lu", name,
			 (unsigned long)(off + done));
		if (r != m)
			fail("write %s: wrote %d of %d", name, r, m);
	}
}

/* Read n bytes from fd, which must hold pattern seed from offset off. */
static void
check_pattern(int fd, uint seed, uint64 off, uint64 n, int chunk,
	      const char *name)
{
	uint64 done;
	int m, r, bad;

	for (done = 0; done < n; done += r) {
		m = n - done < (uint64)chunk ? n - done : (uint64)chunk;
		r = must(read(fd, buf, m), "read %s", name);
		if (r == 0)
			fail("%s: ends at %lu, want %lu bytes", name,
			     (unsigned long)(off + done),
			     (unsigned long)(off + n));
		if ((bad = mismatch(buf, r, seed, off + done)) >= 0)
			fail("%s: wrong byte at offset %lu", name,
			     (unsigned long)(off + done + bad));
	}
}

/* Create name holding n bytes of pattern seed. */
static void
make_file(const char *name, uint seed, uint64 n)
{
	int fd = xopen(name, O_CREATE | O_TRUNC | O_WRONLY);

	write_pattern(fd, seed, 0, n, BUFSIZE, name);
	close(fd);
}

/* name must hold exactly n bytes of pattern seed. */
static void
check_file(const char *name, uint seed, uint64 n)
{
	int fd = xopen(name, O_RDONLY);

	check_pattern(fd, seed, 0, n, BUFSIZE, name);
	if (must(read(fd, buf, 1), "read %s", name) != 0)
		fail("%s: longer than %lu bytes", name, (unsigned long)n);
	close(fd);
}

static struct stat
xstat(const char *path)
{
	struct stat st;

	must(stat(path, &st), "stat %s", path);
	return st;
}

static struct stat
xfstat(int fd)
{
	struct stat st;

	must(fstat(fd, &st), "fstat %d", fd);
	return st;
}

/* Is descriptor fd open? */
static bool
fd_open(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 || errno != EBADF;
}

/* ---- a small random-number generator (xorshift), for sizes ---------------- */

static uint64 rand_state = 0x2545f4914f6cdd1dULL;

static uint
rnd(uint n)
{
	return rand_below(&rand_state, n);
}

/* ==== user pointers ======================================================== */

/*
 * Addresses that a system call must refuse with EFAULT.  The first group
 * is bad for any access; the second is readable by the user but not
 * writable, so it is bad only where the kernel writes.
 */
struct badaddr {
	const char *what;
	uint64 addr;
};

static const char rodata_probe[] = "read-only";

/* Fill a[] with bad addresses; with for_write also read-only ones. */
static int
bad_addresses(struct badaddr *a, bool for_write)
{
	uint64 heap_end = PGROUNDUP((uint64)sbrk(0));
	uint64 guard = first_brk - (USTACKPAGES + 1) * PGSIZE;
	int n = 0;

	a[n++] = (struct badaddr){ "NULL", 0 };
	a[n++] = (struct badaddr){ "the end of page 0", PGSIZE - 8 };
	a[n++] = (struct badaddr){ "the kernel's text", KERNBASE };
	a[n++] = (struct badaddr){ "the kernel's data", KERNBASE + 0x200000 };
	a[n++] = (struct badaddr){ "the stack guard page", guard };
	a[n++] = (struct badaddr){ "a page above the heap", heap_end + PGSIZE };
	a[n++] = (struct badaddr){ "the middle of nowhere", 0x100000000ULL };
	a[n++] = (struct badaddr){ "the trapframe", TRAPFRAME };
	a[n++] = (struct badaddr){ "the trampoline", TRAMPOLINE };
	a[n++] = (struct badaddr){ "MAXVA", MAXVA };
	a[n++] = (struct badaddr){ "the last page of 2^64", 0xfffffffffffff000ULL };
	if (for_write) {
		a[n++] = (struct badaddr){ "the program's text", (uint64)bad_addresses };
		a[n++] = (struct badaddr){ "read-only data", (uint64)rodata_probe };
	}
	return n;
}

#define NBADADDR 16

/* Make the heap end on a page boundary; returns that end. */
static uint64
align_heap(void)
{
	uint64 end = (uint64)sbrk(0);

	must((long)sbrk(PGROUNDUP(end) - end), "sbrk");
	return PGROUNDUP(end);
}

/* read() into a bad buffer fails with EFAULT, from a file and a pipe. */
static void
uptr_read_buffer(void)
{
	struct badaddr bad[NBADADDR];
	int fds[2], fd, i, n = bad_addresses(bad, true);

	make_file("f", 1, 100);
	fd = xopen("f", O_RDONLY);
	must(pipe(fds), "pipe");
	must(write(fds[1], "0123456789", 10), "write pipe");
	for (i = 0; i < n; i++) {
		expect_error(read(fd, (void *)bad[i].addr, 16), EFAULT,
			     "read file into %s", bad[i].what);
		expect_error(read(fds[0], (void *)bad[i].addr, 16), EFAULT,
			     "read pipe into %s", bad[i].what);
	}
	/* Nothing was consumed by the failed reads. */
	if (read(fds[0], buf, sizeof(buf)) != 10 || memcmp(buf, "0123456789", 10))
		fail("pipe lost data to a failed read");
	check_pattern(fd, 1, 0, 100, 100, "f");
	close(fd);
	close(fds[0]);
	close(fds[1]);
	unlink("f");
}

/* write() from a bad buffer fails with EFAULT to a file, pipe, console. */
static void
uptr_write_buffer(void)
{
	struct badaddr bad[NBADADDR];
	int fds[2], fd, i, n = bad_addresses(bad, false);

	fd = xopen("f", O_CREATE | O_RDWR);
	must(pipe(fds), "pipe");
	for (i = 0; i < n; i++) {
		expect_error(write(fd, (void *)bad[i].addr, 16), EFAULT,
			     "write file from %s", bad[i].what);
		expect_error(write(fds[1], (void *)bad[i].addr, 16), EFAULT,
			     "write pipe from %s", bad[i].what);
		expect_error(write(1, (void *)bad[i].addr, 16), EFAULT,
			     "write console from %s", bad[i].what);
	}
	if (xfstat(fd).size != 0)
		fail("failed writes changed the file's size to %lu",
		     (unsigned long)xfstat(fd).size);
	close(fds[1]);
	if (read(fds[0], buf, 1) != 0)
		fail("failed writes put data in the pipe");
	close(fds[0]);
	close(fd);
	unlink("f");
}

/* Every call that takes a path refuses a bad one with EFAULT. */
static void
expect_path_efault(const char *path, const char *what)
{
	char *argv[] = { "echo", NULL };
	char exec_what[80];

	expect_error(open(path, O_RDONLY), EFAULT, "open(%s)", what);
	expect_error(open(path, O_CREATE | O_RDWR), EFAULT, "open(%s, O_CREATE)", what);
	expect_error(mkdir(path), EFAULT, "mkdir(%s)", what);
	expect_error(mknod(path, CONSOLE, 0), EFAULT, "mknod(%s)", what);
	expect_error(unlink(path), EFAULT, "unlink(%s)", what);
	expect_error(chdir(path), EFAULT, "chdir(%s)", what);
	expect_error(link(path, "new"), EFAULT, "link(%s, new)", what);
	expect_error(link("f", path), EFAULT, "link(f, %s)", what);
	snprintf(exec_what, sizeof(exec_what), "(%s)", what);
	expect_exec_error(path, argv, EFAULT, exec_what);
}

static void
uptr_path_args(void)
{
	struct badaddr bad[NBADADDR];
	int i, n = bad_addresses(bad, false);

	make_file("f", 2, 10);
	for (i = 0; i < n; i++)
		expect_path_efault((const char *)bad[i].addr, bad[i].what);
	if (xstat("f").nlink != 1)
		fail("failed links changed f's link count");
	unlink("f");
}

/* A path whose bytes run into the unmapped page after the heap. */
static void
uptr_unterminated_string(void)
{
	uint64 end = align_heap();
	char *last;

	must((long)sbrk(PGSIZE), "sbrk");
	last = (char *)end;
	memset(last, 'a', PGSIZE);   /* no NUL anywhere in the page */
	make_file("f", 2, 10);
	expect_path_efault(last + PGSIZE - 10, "10 bytes before the heap end, unterminated");
	expect_path_efault(last + PGSIZE - 1, "1 byte before the heap end, unterminated");
	/* A long unterminated string is too long before it is bad. */
	expect_error(open(last, O_RDONLY), ENAMETOOLONG, "open(page of 'a's)");
	unlink("f");
}

/* Calls that write a result to user memory refuse bad addresses. */
/* The bytes of a structure, as "0a 00 ...", for a failure message. */
static const char *
hex_bytes(const void *p, int n)
{
	static char out[3 * 64 + 1];
	const uchar *b = p;
	int i;

	for (i = 0; i < n && i < 64; i++)
		snprintf(out + 3 * i, 4, "%02x ", b[i]);
	out[3 * i] = '\0';
	return out;
}

/*
 * fstat and sysinfo write every byte they copy out, padding included, so
 * that no leftover kernel stack reaches the user.  The buffers start out
 * filled with a pattern; the result must equal a zeroed structure with
 * the same fields.
 */
static void
uptr_struct_out_every_byte_set(void)
{
	struct stat st, st_want;
	struct sysinfo si, si_want;
	char path[MAXPATH];
	int fd = xopen("/", O_RDONLY);

	/* Leave a pattern on the kernel stack (open copies the path there),
	 * so that bytes fstat fails to set show up as not zero. */
	memset(path, 0xa5, sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	open(path, O_RDONLY);
	memset(&st, 0xa5, sizeof(st));
	must(fstat(fd, &st), "fstat");
	close(fd);
	memset(&st_want, 0, sizeof(st_want));
	st_want.dev = st.dev;
	st_want.ino = st.ino;
	st_want.type = st.type;
	st_want.nlink = st.nlink;
	st_want.size = st.size;
	if (memcmp(&st, &st_want, sizeof(st)) != 0)
		fail("fstat wrote bytes outside its fields: %s",
		     hex_bytes(&st, sizeof(st)));

	memset(&si, 0xa5, sizeof(si));
	must(sysinfo(&si), "sysinfo");
	memset(&si_want, 0, sizeof(si_want));
	si_want.freepages = si.freepages;
	si_want.totalpages = si.totalpages;
	si_want.freeblocks = si.freeblocks;
	si_want.totalblocks = si.totalblocks;
	si_want.freeinodes = si.freeinodes;
	si_want.totalinodes = si.totalinodes;
	si_want.nproc = si.nproc;
	si_want.ncpu = si.ncpu;
	si_want.diskreads = si.diskreads;
	si_want.diskwrites = si.diskwrites;
	si_want.diskflushes = si.diskflushes;
	si_want.idleinstret = si.idleinstret;
	if (memcmp(&si, &si_want, sizeof(si)) != 0)
		fail("sysinfo wrote bytes outside its fields: %s",
		     hex_bytes(&si, sizeof(si)));
}

static void
uptr_struct_out(void)
{
	struct badaddr bad[NBADADDR];
	int i, fd, pid, lowest, n = bad_addresses(bad, true);

	fd = xopen("/", O_RDONLY);
	lowest = xopen("/", O_RDONLY);   /* the lowest free descriptor */
	close(lowest);
	for (i = 0; i < n; i++) {
		expect_error(fstat(fd, (void *)bad[i].addr), EFAULT,
			     "fstat into %s", bad[i].what);
		expect_error(sysinfo((void *)bad[i].addr), EFAULT,
			     "sysinfo into %s", bad[i].what);
		expect_error(pipe((void *)bad[i].addr), EFAULT,
			     "pipe into %s", bad[i].what);
	}
	/* The failed pipe() calls left no descriptors behind. */
	if ((i = xopen("/", O_RDONLY)) != lowest)
		fail("failed pipe() calls leaked descriptors (open gave %d, want %d)",
		     i, lowest);
	close(i);
	close(fd);

	/* wait() with a bad status pointer leaves the child to be reaped. */
	if ((pid = xfork()) == 0)
		exit(7);
	for (i = 1; i < n; i++)   /* bad[0] is NULL, which wait allows */
		expect_error(wait((void *)bad[i].addr), EFAULT,
			     "wait into %s", bad[i].what);
	expect_exit(pid, 7, "child after failed waits");
}

/* exec() refuses a bad argv array and bad argument strings. */
static void
uptr_exec_argv(void)
{
	struct badaddr bad[NBADADDR];
	char *argv[4], what[80];
	int i, n = bad_addresses(bad, false);

	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "with argv at %s", bad[i].what);
		expect_exec_error("/bin/echo", (char **)bad[i].addr, EFAULT, what);
		if (bad[i].addr == 0)
			continue;   /* a NULL argv[2] just ends the list */
		argv[0] = "echo";
		argv[1] = "ok";
		argv[2] = (char *)bad[i].addr;
		argv[3] = NULL;
		snprintf(what, sizeof(what), "with argv[2] at %s", bad[i].what);
		expect_exec_error("/bin/echo", argv, EFAULT, what);
	}
}

/* A buffer that starts in the heap and runs past its end is refused. */
static void
uptr_range_crosses_heap_end(void)
{
	uint64 end = align_heap();
	char *p = (char *)end - 8;
	int fds[2], fd;
	struct sysinfo *si = (struct sysinfo *)(end - 8);

	make_file("f", 3, 100);
	fd = xopen("f", O_RDWR);
	must(pipe(fds), "pipe");
	must(write(fds[1], "0123456789abcdef", 16), "write pipe");
	expect_error(read(fd, p, 16), EFAULT, "read file across the heap end");
	expect_error(read(fds[0], p, 16), EFAULT, "read pipe across the heap end");
	expect_error(write(fd, p, 16), EFAULT, "write file across the heap end");
	expect_error(sysinfo(si), EFAULT, "sysinfo across the heap end");
	/* The same calls work on the last bytes inside the heap. */
	must(read(fds[0], p, 8), "read pipe into the heap's last 8 bytes");
	must(write(fd, p, 8), "write file from the heap's last 8 bytes");
	close(fd);
	close(fds[0]);
	close(fds[1]);
	unlink("f");
}

/* ==== the user address space =============================================== */

static void
load_byte(uint64 a)
{
	(void)*(volatile char *)a;
}

static void
store_byte(uint64 a)
{
	*(volatile char *)a = 1;
}

static void
jump_to(uint64 a)
{
	((void (*)(void))a)();
}

/* Run access(addr) in a child, which the kernel must kill for it. */
static void
expect_fault(void (*access)(uint64), uint64 addr, const char *what)
{
	int pid = xfork(), status;

	if (pid == 0) {
		access(addr);
		exit(0);
	}
	status = wait_pid(pid);
	if (status != -1)
		fail("%s at %p: not killed (status %d)", what, (void *)addr, status);
}

static void
mem_user_cannot_read_kernel(void)
{
	expect_fault(load_byte, 0, "load from page 0");
	expect_fault(load_byte, PGSIZE - 1, "load from page 0");
	expect_fault(load_byte, KERNBASE, "load from the kernel");
	expect_fault(load_byte, KERNBASE + 0x100000, "load from the kernel");
	expect_fault(load_byte, TRAPFRAME, "load from the trapframe");
	expect_fault(load_byte, TRAMPOLINE, "load from the trampoline");
	expect_fault(jump_to, TRAMPOLINE, "jump to the trampoline");
	expect_fault(load_byte, MAXVA, "load from MAXVA");
	expect_fault(load_byte, PGROUNDUP((uint64)sbrk(0)) + PGSIZE,
		     "load above the heap");
}

static void
mem_user_cannot_write_protected(void)
{
	expect_fault(store_byte, 0, "store to page 0");
	expect_fault(store_byte, (uint64)mem_user_cannot_write_protected,
		     "store to the program's text");
	expect_fault(store_byte, (uint64)rodata_probe, "store to read-only data");
	expect_fault(store_byte, KERNBASE, "store to the kernel");
	expect_fault(store_byte, TRAPFRAME, "store to the trapframe");
	expect_fault(store_byte, TRAMPOLINE, "store to the trampoline");
}

/* Heap and stack are not executable. */
static void
mem_no_execute_data(void)
{
	static const uint32 ret = 0x00008067;   /* jalr x0, 0(ra) */
	uint32 on_stack[2];
	uint32 *heap = (uint32 *)sbrk(PGSIZE);

	must((long)heap, "sbrk");
	*heap = ret;
	on_stack[0] = ret;
	expect_fault(jump_to, (uint64)heap, "execute the heap");
	expect_fault(jump_to, (uint64)on_stack, "execute the stack");
	expect_fault(jump_to, (uint64)&ret, "execute read-only data");
}

static void
mem_stack_guard_page(void)
{
	uint64 stack = first_brk - USTACKPAGES * PGSIZE;
	uint64 guard = stack - PGSIZE;

	/* The lowest stack page is usable; the page below it is not. */
	load_byte(stack);
	store_byte(stack);
	expect_fault(load_byte, guard + PGSIZE - 1, "load from the guard page");
	expect_fault(store_byte, guard + PGSIZE - 1, "store to the guard page");
}

/* Recurse, using stack, until the guard page stops it. */
static int
dive(int depth)
{
	volatile char pad[200];

	pad[0] = depth;
	if (depth > 1000000)
		return 0;
	return dive(depth + 1) + pad[0];
}

static void
mem_stack_overflow_kills(void)
{
	int pid = xfork(), status;

	if (pid == 0) {
		dive(0);
		exit(0);
	}
	status = wait_pid(pid);
	if (status != -1)
		fail("runaway recursion: status %d, want -1 (killed)", status);
}

/* ==== memory ================================================================ */

static char bss_probe[3 * PGSIZE + 123];
static int data_probe[4] = { 1, 22, 333, 4444 };

static void
mem_bss_zero_data_initialised(void)
{
	uint i;

	for (i = 0; i < sizeof(bss_probe); i++)
		if (bss_probe[i] != 0)
			fail("bss byte %u is %d, not 0", i, bss_probe[i]);
	if (data_probe[0] != 1 || data_probe[1] != 22 || data_probe[2] != 333 ||
	    data_probe[3] != 4444)
		fail("initialised data is wrong");
}

static void
sbrk_grow_zeroed(void)
{
	char *start = sbrk(0), *p;
	int i;

	/* Many small steps: each returns the old break. */
	for (i = 0; i < 5000; i++) {
		p = sbrk(1);
		if (p != start + i)
			fail("sbrk(1) #%d returned %p, want %p", i, p, start + i);
		if (*p != 0)
			fail("new heap byte %d is not zero", i);
		*p = 1;
	}
	/* One big step: a megabyte, zeroed, every page usable. */
	p = (char *)must((long)sbrk(1 << 20), "sbrk 1 MiB");
	for (i = 0; i < (1 << 20); i += PGSIZE / 4)
		if (p[i] != 0)
			fail("new heap page at +%d is not zero", i);
	for (i = 0; i < (1 << 20); i += PGSIZE)
		p[i] = i;
	if (sbrk(0) != p + (1 << 20))
		fail("break is not where sbrk put it");
}

static void
sbrk_shrink_and_regrow(void)
{
	char *p = (char *)must((long)sbrk(10 * PGSIZE), "sbrk");
	int i;

	memset(p, 0x5a, 10 * PGSIZE);
	must((long)sbrk(-10 * PGSIZE), "sbrk -10 pages");
	if (sbrk(0) != p)
		fail("shrinking did not move the break back");
	/* Growing again gives fresh zeroed pages, not the old contents. */
	must((long)sbrk(10 * PGSIZE), "sbrk again");
	for (i = 0; i < 10 * PGSIZE; i++)
		if (p[i] != 0)
			fail("regrown heap byte %d is %d, not 0", i, p[i]);
	/* Shrinking by less than a page keeps the page. */
	must((long)sbrk(-100), "sbrk -100");
	p[10 * PGSIZE - 101] = 1;
	must((long)sbrk(-(10 * PGSIZE - 100)), "sbrk back");
}

/*
 * Shrinking the heap gives back the page-table pages it emptied, not only
 * the pages: grow by 8 MiB and touch it all (which needs new leaf tables,
 * one per 2 MiB), shrink back, and free memory is exactly what it was.
 */
static void
sbrk_shrink_frees_page_tables(void)
{
	const int n = 8 << 20;
	uint64 before = free_pages();
	char *p = (char *)must((long)sbrk(n), "sbrk 8 MiB");

	for (int i = 0; i < n; i += PGSIZE)
		p[i] = 1;                       /* allocate every page */
	if (free_pages() >= before - n / PGSIZE)
		fail("growing by %d pages took only %lu", n / PGSIZE,
		     (unsigned long)(before - free_pages()));
	must((long)sbrk(-n), "sbrk -8 MiB");
	if (free_pages() != before)
		fail("after shrinking back, %ld pages are missing (page tables kept)",
		     (long)(before - free_pages()));
}

static void
sbrk_below_heap_start(void)
{
	char *start = sbrk(0);
	long heap = (long)(start - (char *)first_brk);

	expect_error((long)sbrk(-(heap + 1)), EINVAL, "sbrk one byte below the heap start");
	expect_error((long)sbrk(-0x7fffffff), EINVAL, "sbrk(-INT_MAX)");
	expect_error((long)sbrk(-0x7fffffff - 1), EINVAL, "sbrk(INT_MIN)");
	if (sbrk(0) != start)
		fail("a refused sbrk moved the break");
	/* Exactly back to the start is allowed. */
	must((long)sbrk(-heap), "sbrk to the heap start");
	if ((uint64)sbrk(0) != first_brk)
		fail("break is not at the heap start");
	must((long)sbrk(heap), "sbrk back up");
}

/*
 * The heap is reserved lazily, so sbrk refuses only what the address space
 * cannot hold: sbrk(INT_MAX) succeeds and costs nothing, and growth fails
 * with ENOMEM only where the heap would reach the trapframe.  A refused
 * sbrk moves nothing, and shrinking back returns every page.
 */
static void
sbrk_huge_enomem(void)
{
	char *start = sbrk(0);
	uint64 before = free_pages();
	long got = 0;
	int i;

	must((long)sbrk(0x7fffffff), "sbrk(INT_MAX)");
	got += 0x7fffffff;
	expect_no_leak(before, "sbrk(INT_MAX), not touched");
	/* 2 GiB steps until the address space runs out (below 256 GiB). */
	for (i = 0; i < 200 && sbrk(0x7fffffff) != (char *)-1; i++)
		got += 0x7fffffff;
	if (i == 200)
		fail("400 GiB of sbrk and no ENOMEM");
	if (errno != ENOMEM)
		fail("sbrk failed with %s, want ENOMEM", errname(errno));
	if ((uint64)start + got > TRAPFRAME)
		fail("the heap reaches %p, past the trapframe", (void *)((uint64)start + got));
	expect_error((long)sbrk(0x7fffffff), ENOMEM, "sbrk(INT_MAX) at the end");
	while (got > 0) {
		int n = got > 0x7fffffff ? 0x7fffffff : got;
		must((long)sbrk(-n), "sbrk -%d", n);
		got -= n;
	}
	if (sbrk(0) != start)
		fail("break did not come back");
	expect_no_leak(before, "sbrk up to ENOMEM and back");
}

/*
 * Take every free page into the heap; returns the bytes taken, all of
 * them allocated.  sbrk alone would allocate nothing, and a store into a
 * page that cannot be had kills the process; so each new page is touched
 * by the kernel instead (sysinfo writes into it), which fails with
 * ENOMEM when memory runs out.  The page it could not have is given back.
 */
static uint64
eat_memory(void)
{
	uint64 total = 0;
	char *p;

	for (;;) {
		p = (char *)must((long)sbrk(PGSIZE), "sbrk");
		if (sysinfo((struct sysinfo *)p) < 0)
			break;
		total += PGSIZE;
	}
	if (errno != ENOMEM)
		fail("sysinfo into a new heap page: %s, want ENOMEM", errname(errno));
	must((long)sbrk(-PGSIZE), "sbrk -1 page");
	return total;
}

/* Give back bytes of heap taken by eat_memory, at most 1 GiB a call. */
static void
release_memory(uint64 bytes)
{
	while (bytes > 0) {
		int n = bytes > (1 << 30) ? 1 << 30 : bytes;
		must((long)sbrk(-n), "sbrk -%d", n);
		bytes -= n;
	}
}

static void
sbrk_all_memory_twice(void)
{
	uint64 first, second;

	first = eat_memory();
	if (free_pages() > 16)
		fail("%lu pages still free after memory ran out",
		     (unsigned long)free_pages());
	release_memory(first);
	second = eat_memory();
	release_memory(second);
	/* Page-table pages from the first round are reused in the second. */
	if (second < first)
		fail("second round got %lu bytes, first %lu",
		     (unsigned long)second, (unsigned long)first);
	if (first < (1 << 20))
		fail("only %lu bytes of memory at all", (unsigned long)first);
}

/* After sbrk shrinks the heap, neither user nor kernel can reach it. */
static void
sbrk_shrunk_heap_unreachable(void)
{
	char *p = (char *)must((long)sbrk(2 * PGSIZE), "sbrk");
	int fd;

	memset(p, 'x', 2 * PGSIZE);
	fd = xopen("f", O_CREATE | O_RDWR);
	must(write(fd, p, 10), "write from the heap");
	must((long)sbrk(-2 * PGSIZE), "sbrk shrink");
	expect_error(write(fd, p, 10), EFAULT, "write from a freed heap page");
	expect_error(write(fd, p + PGSIZE, 10), EFAULT, "write from a freed heap page");
	close(fd);
	fd = xopen("f", O_RDONLY);
	expect_error(read(fd, p, 10), EFAULT, "read into a freed heap page");
	close(fd);
	expect_fault(load_byte, (uint64)p, "load from a freed heap page");
	expect_fault(store_byte, (uint64)p + PGSIZE, "store to a freed heap page");
	unlink("f");
}

/* ---- lazy allocation: sbrk reserves, the first touch allocates ---------- */

/* Page-table pages one touched heap page may need: a level-1 and a level-0 table. */
#define TABLE_PAGES_PER_TOUCH 2

/* Fail unless free memory fell by between lo and hi pages since before. */
static void
expect_pages_used(uint64 before, uint64 lo, uint64 hi, const char *what)
{
	uint64 now = free_pages();
	long used = (long)(before - now);

	if (used < (long)lo || used > (long)hi)
		fail("%s: %ld pages used, want %lu..%lu", what, used,
		     (unsigned long)lo, (unsigned long)hi);
}

/* Growing by 1 GiB costs no memory until touched; each touch costs a page
 * (and the tables to map it); shrinking gives it all back. */
static void
lazy_gigabyte_costs_nothing(void)
{
	const int n = 1 << 30;
	uint64 before = free_pages();
	char *p = (char *)must((long)sbrk(n), "sbrk 1 GiB");

	expect_pages_used(before, 0, 0, "sbrk 1 GiB, nothing touched");
	if (p[n / 2] != 0 || p[n - 1] != 0)
		fail("untouched heap does not read as zero");
	expect_pages_used(before, 2, 2 + 2 * TABLE_PAGES_PER_TOUCH,
			  "two pages of the gigabyte touched");
	p[n / 2] = 'm';
	if (p[n / 2] != 'm')
		fail("a store to the heap did not stick");
	must((long)sbrk(-n), "sbrk -1 GiB");
	expect_no_leak(before, "1 GiB grown, two pages touched, shrunk");
}

/* Pages touched in a scattered order each get their own zeroed page. */
static void
lazy_touch_any_order(void)
{
	const int npages = 64;
	uint64 before = free_pages();
	char *p = (char *)must((long)sbrk(npages * PGSIZE), "sbrk");
	int i, page;

	for (i = 0; i < npages; i++) {
		page = (i * 37) % npages;               /* 37 is prime to 64 */
		if (p[page * PGSIZE + 100] != 0)
			fail("page %d is not zero at its first touch", page);
		p[page * PGSIZE + 100] = (char)page;
		p[page * PGSIZE + PGSIZE - 1] = (char)~page;
	}
	for (page = 0; page < npages; page++)
		if (p[page * PGSIZE + 100] != (char)page ||
		    p[page * PGSIZE + PGSIZE - 1] != (char)~page)
			fail("page %d does not hold what was stored in it", page);
	expect_pages_used(before, npages, npages + TABLE_PAGES_PER_TOUCH,
			  "64 pages touched");
	must((long)sbrk(-npages * PGSIZE), "sbrk back");
	expect_no_leak(before, "64 pages touched and given back");
}

/* Shrinking a partly touched heap frees the touched pages and keeps the
 * rest; growing again gives zeroed pages, not the old contents. */
static void
lazy_shrink_partly_touched(void)
{
	const int npages = 30;
	uint64 before = free_pages();
	char *p = (char *)must((long)sbrk(npages * PGSIZE), "sbrk");
	int page;

	for (page = 0; page < npages; page += 3)
		p[page * PGSIZE] = 'a' + page;
	must((long)sbrk(-20 * PGSIZE), "sbrk -20 pages");
	for (page = 0; page < 10; page++)
		if (p[page * PGSIZE] != (page % 3 ? 0 : 'a' + page))
			fail("page %d changed when the heap shrank above it", page);
	expect_fault(load_byte, (uint64)p + 10 * PGSIZE, "load from a page shrunk away");
	must((long)sbrk(20 * PGSIZE), "sbrk 20 pages again");
	for (page = 10; page < npages; page++)
		if (p[page * PGSIZE] != 0)
			fail("page %d, regrown, still holds its old contents", page);
	must((long)sbrk(-npages * PGSIZE), "sbrk back");
	expect_no_leak(before, "partly touched heap shrunk");
}

/* The kernel's copies into and out of untouched heap allocate it: read()
 * into it, write() from it (zeros), a pipe both ways. */
static void
lazy_kernel_copies_touch(void)
{
	const int n = 3 * PGSIZE;
	char *src = (char *)must((long)sbrk(n), "sbrk");
	char *dst = (char *)must((long)sbrk(n + PGSIZE), "sbrk") + 100;
	int fds[2], fd, i;

	fd = xopen("lazyf", O_CREATE | O_RDWR);
	must(write(fd, src, n), "write() from untouched heap");
	for (i = 0; i < n; i++)
		if (src[i] != 0)
			fail("untouched heap written out as %d, not zero", src[i]);
	close(fd);
	fill(src, n, 7, 0);
	fd = xopen("lazyf", O_CREATE | O_TRUNC | O_RDWR);
	must(write(fd, src, n), "write()");
	close(fd);
	fd = xopen("lazyf", O_RDONLY);
	if (must(read(fd, dst, n), "read() into untouched heap") != n)
		fail("read() into untouched heap came up short");
	if (mismatch(dst, n, 7, 0) >= 0)
		fail("read() into untouched heap: wrong data at byte %d",
		     mismatch(dst, n, 7, 0));
	close(fd);
	unlink("lazyf");

	dst = (char *)must((long)sbrk(n), "sbrk");
	must(pipe(fds), "pipe");
	must(write(fds[1], src, n), "write() to a pipe");
	if (must(read(fds[0], dst, n), "read() from a pipe into untouched heap") != n)
		fail("read() from a pipe into untouched heap came up short");
	if (mismatch(dst, n, 7, 0) >= 0)
		fail("pipe into untouched heap: wrong data");
	close(fds[0]);
	close(fds[1]);
}

/* fork of a partly touched heap: the child sees what was touched, zeros
 * elsewhere, and its own touches stay its own. */
static void
lazy_fork_partly_touched(void)
{
	const int npages = 16;
	char *p = (char *)must((long)sbrk(npages * PGSIZE), "sbrk");
	uint64 before;
	int pid, page;

	for (page = 0; page < npages; page += 2)
		p[page * PGSIZE] = 'A' + page;
	before = free_pages();
	if ((pid = xfork()) == 0) {
		for (page = 0; page < npages; page++)
			if (p[page * PGSIZE] != (page % 2 ? 0 : 'A' + page))
				exit(1);
		for (page = 0; page < npages; page++)
			p[page * PGSIZE] = 'c';
		exit(0);
	}
	expect_exit(pid, 0, "child reading and writing a partly touched heap");
	for (page = 0; page < npages; page++)
		if (p[page * PGSIZE] != (page % 2 ? 0 : 'A' + page))
			fail("the child's store to page %d showed in the parent", page);
	expect_pages_used(before, npages / 2, npages / 2,
			  "parent touching its untouched half after fork");
	must((long)sbrk(-npages * PGSIZE), "sbrk back");
}

/* A child that grew its heap lazily (and touched part of it) can exec,
 * and everything it had is freed. */
static void
lazy_exec_after_growth(void)
{
	char *argv[] = { "echo", "lazy", NULL };
	char out[32];
	uint64 before = free_pages();
	int pid = xfork();

	if (pid == 0) {
		char *p = sbrk(64 << 20);
		if (p == (char *)-1)
			exit(2);
		p[0] = p[32 << 20] = p[(64 << 20) - 1] = 1;
		close(1);
		exec("/bin/echo", argv);
		exit(3);
	}
	expect_exit(pid, 0, "exec after growing 64 MiB");
	if (run_capture("/bin/echo", argv, out, sizeof(out)) != 0 ||
	    strcmp(out, "lazy\n") != 0)
		fail("echo after lazy growth printed \"%s\"", out);
	expect_no_leak(before, "a process that grew, touched and exec'd");
}

/* Touching more heap than there is memory kills the process, and only it;
 * all its memory comes back. */
static void
lazy_exhaustion_by_touching(void)
{
	uint64 before = free_pages();
	int pid = xfork(), status;

	if (pid == 0) {
		uint64 n = (before + 1024) * PGSIZE;
		char *p = sbrk(0);
		while (n > 0) {             /* reserve it all, 1 GiB at a time */
			int step = n > (1 << 30) ? 1 << 30 : n;
			if (sbrk(step) == (char *)-1)
				exit(2);
			n -= step;
		}
		for (;;) {                  /* touch until the kernel says no */
			*p = 1;
			p += PGSIZE;
		}
	}
	status = wait_pid(pid);
	if (status != -1)
		fail("a process touching more memory than exists: exit status %d, "
		     "want -1 (killed)", status);
	expect_no_leak(before, "a process killed for touching too much");
}

/* A copy into untouched heap with no memory left fails with ENOMEM, and the
 * process lives on; executing untouched heap is a fault, and allocates nothing. */
static void
lazy_kernel_out_of_memory(void)
{
	uint64 taken = eat_memory(), before;
	char *p = (char *)must((long)sbrk(PGSIZE), "sbrk");

	before = free_pages();
	expect_error(sysinfo((struct sysinfo *)p), ENOMEM,
		     "sysinfo into untouched heap with memory exhausted");
	expect_no_leak(before, "a copy that ran out of memory");
	must((long)sbrk(-PGSIZE), "sbrk");
	release_memory(taken);
	p = (char *)must((long)sbrk(PGSIZE), "sbrk");
	before = free_pages();
	expect_fault(jump_to, (uint64)p, "jump to untouched heap");
	expect_no_leak(before, "jumping to untouched heap");
	must((long)sbrk(-PGSIZE), "sbrk");
}

static void
malloc_free_reuse(void)
{
	char *blocks[64];
	int i, round;

	for (round = 0; round < 4; round++) {
		for (i = 0; i < 64; i++) {
			int n = 1 + (i * 37 + round * 1000) % 9000;
			blocks[i] = malloc(n);
			if (blocks[i] == NULL)
				fail("malloc(%d): %s", n, errname(errno));
			memset(blocks[i], i, n);
		}
		for (i = 0; i < 64; i++) {
			int n = 1 + (i * 37 + round * 1000) % 9000;
			if (blocks[i][0] != i || blocks[i][n - 1] != i)
				fail("malloc block %d overwritten", i);
			free(blocks[i]);
		}
	}
}

/* ==== processes ============================================================= */

static void
proc_fork_exit_status(void)
{
	static const int codes[] = { 0, 1, 2, 42, 127, 255, 256, -2, 0x7fffffff };
	int pids[9], i, j, pid, status, n = 9;

	for (i = 0; i < n; i++) {
		if ((pids[i] = xfork()) == 0)
			exit(codes[i]);
	}
	for (i = 0; i < n; i++) {
		pid = must(wait(&status), "wait");
		for (j = 0; j < n && pids[j] != pid; j++)
			;
		if (j == n)
			fail("wait returned %d, not a child", pid);
		if (status != codes[j])
			fail("child %d exited %d, want %d", j, status, codes[j]);
		pids[j] = -1;
	}
	expect_error(wait(&status), ECHILD, "wait after reaping every child");
	/* A NULL status pointer is allowed. */
	if ((pid = xfork()) == 0)
		exit(3);
	if (must(wait(NULL), "wait(NULL)") != pid)
		fail("wait(NULL) returned the wrong pid");
}

static void
proc_wait_no_children(void)
{
	int status;

	expect_error(wait(&status), ECHILD, "wait without children");
	expect_error(wait(NULL), ECHILD, "wait(NULL) without children");
}

/* fork()s share nothing writable: memory is copied. */
static void
proc_fork_copies_memory(void)
{
	static int global = 5;
	char *heap = (char *)must((long)sbrk(PGSIZE), "sbrk");
	int local = 6, pid;

	heap[0] = 7;
	if ((pid = xfork()) == 0) {
		global = local = heap[0] = 9;
		exit(global == 9 && local == 9 && heap[0] == 9 ? 0 : 1);
	}
	expect_exit(pid, 0, "child writing its copy");
	if (global != 5 || local != 6 || heap[0] != 7)
		fail("child's writes showed up in the parent");
}

/* Start a child that runs fn, and return its pid. */
static int
spawn(void (*fn)(void))
{
	int pid = xfork();

	if (pid == 0) {
		fn();
		exit(0);
	}
	return pid;
}

static void
spin(void)
{
	for (;;)
		asm volatile("");
}

/* Kill pid, which must then exit with -1. */
static void
kill_and_reap(int pid, const char *what)
{
	int status;

	must(kill(pid), "kill %s", what);
	status = wait_pid(pid);
	if (status != -1)
		fail("killed %s: status %d, want -1", what, status);
}

static void
proc_kill_sleeping(void)
{
	int fds[2], pid;

	/* A sleep of 10000 seconds: if kill did not end it, the test hangs. */
	must(pipe(fds), "pipe");
	if ((pid = xfork()) == 0) {
		write(fds[1], "x", 1);
		sleep(1000000);
		exit(0);
	}
	must(read(fds[0], buf, 1), "read");   /* the child is about to sleep */
	kill_and_reap(pid, "a sleeping child");
	close(fds[0]);
	close(fds[1]);
}

static void
proc_kill_running(void)
{
	int pids[3], i;

	for (i = 0; i < 3; i++)
		pids[i] = spawn(spin);
	for (i = 0; i < 3; i++)
		kill_and_reap(pids[i], "a spinning child");
}

/* Children blocked in pipe reads, pipe writes and wait can be killed. */
static void
proc_kill_blocked(void)
{
	int in[2], out[2], pid, grandchild;

	must(pipe(in), "pipe");
	if ((pid = xfork()) == 0) {
		read(in[0], buf, 1);   /* nobody writes */
		exit(0);
	}
	kill_and_reap(pid, "a child reading an empty pipe");

	if ((pid = xfork()) == 0) {
		for (;;)
			write(in[1], buf, sizeof(buf));   /* nobody reads */
	}
	kill_and_reap(pid, "a child writing a full pipe");

	must(pipe(out), "pipe");
	if ((pid = xfork()) == 0) {
		if ((grandchild = fork()) == 0) {
			sleep(1000000);
			exit(0);
		}
		write(out[1], &grandchild, sizeof(grandchild));
		wait(NULL);
		exit(0);
	}
	if (read(out[0], &grandchild, sizeof(grandchild)) != sizeof(grandchild))
		fail("no grandchild pid");
	kill_and_reap(pid, "a child waiting for its child");
	must(kill(grandchild), "kill the orphaned grandchild");
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
}

static void
proc_kill_self_and_no_such_pid(void)
{
	int pid, status;

	if ((pid = xfork()) == 0) {
		kill(getpid());
		exit(0);   /* must not get here: the kill ends the call */
	}
	status = wait_pid(pid);
	if (status != -1)
		fail("kill(getpid()): status %d, want -1", status);
	expect_error(kill(pid), ESRCH, "kill a reaped pid");
	expect_error(kill(0), ESRCH, "kill(0)");
	expect_error(kill(-1), ESRCH, "kill(-1)");
	expect_error(kill(1000000), ESRCH, "kill(1000000)");
}

/* init adopts every orphan, so nobody may kill it: kill(1) is refused. */
static void
proc_kill_init_refused(void)
{
	expect_error(kill(1), EPERM, "kill(1)");
	expect_error(kill(1), EPERM, "kill(1), init still there");
}

/* A child's child outlives it, runs on, and is reaped by init. */
/* Process groups and the console's foreground group: every refusal.
 * (Ctrl-C itself is typed by the grader: grading/grade-base.py.) */
static void
proc_pgroup_errors(void)
{
	int fds[2], con, pid;

	expect_error(setpgid(-1, 0), EINVAL, "setpgid(-1, 0)");
	expect_error(setpgid(0, -1), EINVAL, "setpgid(0, -1)");
	expect_error(setpgid(99999, 0), ESRCH, "setpgid of no such process");
	expect_error(setpgid(1, 0), ESRCH, "setpgid of init, not our child");
	expect_error(setpgid(0, 99999), EPERM, "setpgid into no such group");
	pid = spawn(spin);
	must(setpgid(pid, 0), "setpgid of a child into a group of its own");
	must(setpgid(pid, pid), "setpgid of a child into its own group again");
	kill_and_reap(pid, "a child in a group of its own");
	must(pipe(fds), "pipe");
	expect_error(tcsetpgrp(fds[0], 0), ENOTTY, "tcsetpgrp on a pipe");
	expect_error(tcsetpgrp(NOFILE, 0), EBADF, "tcsetpgrp on a bad descriptor");
	close(fds[0]);
	close(fds[1]);
	con = must(open("/dev/console", O_RDWR), "open /dev/console");
	expect_error(tcsetpgrp(con, -1), EINVAL, "tcsetpgrp(console, -1)");
	expect_error(tcsetpgrp(con, 99999), ESRCH, "tcsetpgrp to no such group");
	close(con);
}

static void
proc_orphan_reparented(void)
{
	int alive[2], done[2], pid;
	uint nproc = xsysinfo().nproc;
	char c;

	must(pipe(alive), "pipe");
	must(pipe(done), "pipe");
	if ((pid = xfork()) == 0) {
		if (fork() == 0) {
			/* The grandchild: wait for its parent to be gone. */
			close(alive[1]);
			if (read(alive[0], &c, 1) != 0)
				exit(1);
			write(done[1], "orphan ok", 9);
			exit(0);
		}
		exit(0);
	}
	close(alive[0]);
	close(alive[1]);
	close(done[1]);
	expect_exit(pid, 0, "the orphan's parent");
	if (read(done[0], buf, sizeof(buf)) != 9 || memcmp(buf, "orphan ok", 9))
		fail("the orphan did not report in");
	close(done[0]);
	if (!await_nproc(nproc))
		fail("the orphan was never reaped");
}

/* Fork children, each blocked reading hold[0], until fork fails. */
static int
fork_until_full(int hold[2])
{
	int n, pid;

	for (n = 0; n < 2 * NPROC; n++) {
		if ((pid = fork()) < 0)
			break;
		if (pid == 0) {
			close(hold[1]);
			read(hold[0], buf, 1);   /* until the parent closes hold[1] */
			exit(0);
		}
	}
	if (n == 2 * NPROC)
		fail("%d forks and none failed", n);
	if (errno != EAGAIN)
		fail("fork with a full table: %s, want EAGAIN", errname(errno));
	return n;
}

static void
proc_fork_table_full(void)
{
	int hold[2], round, n, want;

	want = NPROC - xsysinfo().nproc;
	for (round = 0; round < 2; round++) {
		must(pipe(hold), "pipe");
		n = fork_until_full(hold);
		close(hold[1]);   /* the children read EOF and exit */
		close(hold[0]);
		reap_all(n, "a child");
		if (n != want)
			fail("round %d: %d children, want %d (NPROC %d)",
			     round, n, want, NPROC);
	}
}

/*
 * Fork with memory exhausted fails cleanly, also when it runs out partway
 * through copying a large parent; afterwards fork works again.  With no
 * page free at all it must fail.  With a few pages free, a kernel whose
 * fork shares pages copy-on-write needs only page tables and may succeed:
 * then the child must run and exit, and memory must come back all the same.
 */
static void
proc_fork_out_of_memory(void)
{
	static const int giveback[] = { 0, 1, 3, 8, 40, 200 };
	uint64 taken = eat_memory(), before;
	int i, pid;

	for (i = 0; i < 6; i++) {
		if (giveback[i] > 0) {
			must((long)sbrk(-giveback[i] * PGSIZE), "sbrk");
			taken -= giveback[i] * PGSIZE;
		}
		before = free_pages();
		if ((pid = fork()) == 0)
			exit(0);
		if (pid > 0 && giveback[i] == 0)
			fail("fork of a %lu-byte process succeeded with %lu pages free",
			     (unsigned long)taken, (unsigned long)before);
		if (pid > 0)
			expect_exit(pid, 0, "a fork with few pages free");
		else if (errno != ENOMEM)
			fail("fork without memory: %s, want ENOMEM", errname(errno));
		expect_no_leak(before, pid > 0 ? "a fork with few pages free, and "
			       "its child's exit" : "a failed fork");
	}
	release_memory(taken);
	if ((pid = xfork()) == 0)
		exit(0);
	expect_exit(pid, 0, "fork after memory came back");
}

/* A spinning process must not keep a waiting one from running. */
static void
proc_preempt_spinner(void)
{
	int fds[2], pids[3], i;

	must(pipe(fds), "pipe");
	for (i = 0; i < 3; i++) {
		if ((pids[i] = xfork()) == 0) {
			if (i == 2)
				write(fds[1], "x", 1);
			spin();
		}
	}
	/* The last child has run; on one hart we get the CPU back only by
	 * preemption. */
	if (read(fds[0], buf, 1) != 1)
		fail("no word from the spinning children");
	for (i = 0; i < 3; i++)
		kill_and_reap(pids[i], "a spinner");
	close(fds[0]);
	close(fds[1]);
}

/* The work of one of many concurrent children; exits 0 when all held. */
static void
busy_child(int id)
{
	int fds[2], i, pid, status;
	char *p;

	for (i = 0; i < 40; i++) {
		if (pipe(fds) < 0)
			fail("child %d: pipe: %s", id, errname(errno));
		fill(buf, 512, id, i);
		if (write(fds[1], buf, 512) != 512 || read(fds[0], buf, 512) != 512 ||
		    mismatch(buf, 512, id, i) >= 0)
			fail("child %d: pipe round trip %d", id, i);
		close(fds[0]);
		close(fds[1]);
		p = sbrk(PGSIZE);
		if (p == (char *)-1)
			fail("child %d: sbrk: %s", id, errname(errno));
		p[0] = id;
		if (p[0] != id || sbrk(-PGSIZE) == (char *)-1)
			fail("child %d: sbrk round trip", id);
		if (i % 10 == 0) {
			if ((pid = fork()) == 0)
				exit(id + i);
			if (pid < 0 || wait(&status) != pid || status != id + i)
				fail("child %d: fork/wait round %d", id, i);
		}
	}
	exit(0);
}

static void
proc_many_on_many_harts(void)
{
	int i, n = 24;

	for (i = 0; i < n; i++) {
		if (xfork() == 0)
			busy_child(i);
	}
	reap_all(n, "a busy child");
}

/*
 * Processes make system calls as fast as they can while the timer moves
 * them between harts: every call must act for the process that made it.
 * (A kernel that finds the current process carelessly, say with the
 * process able to move to another hart between reading the hart number
 * and reading that hart's process, now and then answers for another.)
 */
#define IDENTITY_TRIPS 5000

/* Round trips of pid-stamped records through a pipe of one's own. */
static void
identity_child(void)
{
	int fds[2], j, pid = getpid(), rec[2], got[2];

	must(pipe(fds), "pipe");
	for (j = 0; j < IDENTITY_TRIPS; j++) {
		rec[0] = pid;
		rec[1] = j;
		if (write(fds[1], rec, sizeof(rec)) != sizeof(rec) ||
		    read(fds[0], got, sizeof(got)) != sizeof(got))
			fail("pid %d: round trip %d: %s", pid, j, errname(errno));
		if (got[0] != pid || got[1] != j)
			fail("pid %d: round trip %d came back as pid %d's #%d",
			     pid, j, got[0], got[1]);
	}
	if (getpid() != pid)
		fail("pid %d: getpid now says %d", pid, getpid());
	exit(0);
}

static void
proc_identity_under_preemption(void)
{
	int i, n = 2 * xsysinfo().ncpu + 2;

	for (i = 0; i < n; i++)
		if (xfork() == 0)
			identity_child();
	reap_all(n, "a pipe user");
}

/* Every way /bin/crash faults kills it and nothing else. */
static void
proc_fault_kills_only_the_process(void)
{
	static char *const modes[] = {
		"null", "text", "kernel", "illegal", "fpu", "csr", "stack",
	};
	char *argv[3];
	int i, status;

	for (i = 0; i < 7; i++) {
		argv[0] = "crash";
		argv[1] = modes[i];
		argv[2] = NULL;
		status = run_capture("/bin/crash", argv, buf, sizeof(buf));
		if (status != -1)
			fail("crash %s: status %d, want -1 (killed)", modes[i], status);
		if (strstr(buf, "still alive") != NULL)
			fail("crash %s: kept running after its fault", modes[i]);
	}
}

/* Make system call num directly, with no stub. */
static long
raw_syscall(long num)
{
	register long a0 asm("a0") = 0;
	register long a7 asm("a7") = num;

	asm volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
	return a0;
}

static void
proc_bad_syscall_number(void)
{
#define SYSCALL_NUMBER(number, name, ret, params) number,
	static const int table[] = { SYSCALL_TABLE(SYSCALL_NUMBER) };
	long nums[] = { 0, 0, 255, 1000000, -1, -100 };
	int i;

	/* One past the highest number in use, however many calls a lab adds. */
	for (i = 0; i < (int)(sizeof(table) / sizeof(table[0])); i++)
		if (table[i] >= nums[1])
			nums[1] = table[i] + 1;
	for (i = 0; i < 6; i++)
		if (raw_syscall(nums[i]) != -ENOSYS)
			fail("system call %ld: returned %ld, want -ENOSYS",
			     nums[i], raw_syscall(nums[i]));
}

/* ==== exec ================================================================== */

static void
exec_missing_or_not_a_file(void)
{
	char *argv[] = { "x", NULL };

	expect_exec_error("/bin/nosuchprog", argv, ENOENT, "a missing file");
	expect_exec_error("", argv, ENOENT, "the empty path");
	expect_exec_error("/bin/echo/x", argv, ENOTDIR, "a path through a file");
	expect_exec_error("/bin", argv, EACCES, "a directory");
	expect_exec_error("/dev/console", argv, ENOEXEC, "a device");
}

static void
exec_args_passed(void)
{
	char *argv[] = { "showargs", "one", "", "two words", "x", NULL };
	const char *want = "argc=5\nshowargs\none\n\ntwo words\nx\n";
	char *none[] = { NULL };
	int status;

	status = run_capture("/bin/showargs", argv, buf, sizeof(buf));
	if (status != 0 || strcmp(buf, want) != 0)
		fail("showargs: status %d, output \"%s\"", status, buf);
	status = run_capture("/bin/showargs", none, buf, sizeof(buf));
	if (status != 0 || strcmp(buf, "argc=0\n") != 0)
		fail("showargs with no arguments: status %d, \"%s\"", status, buf);
}

/* Expect exec("/bin/showargs", argv) to succeed with argc args. */
static void
expect_exec_ok(char **argv, int argc, const char *what)
{
	char *out = malloc(20 * BSIZE);
	char want[16];
	int status;

	status = run_capture("/bin/showargs", argv, out, 20 * BSIZE);
	snprintf(want, sizeof(want), "argc=%d\n", argc);
	if (status != 0 || strncmp(out, want, strlen(want)) != 0)
		fail("%s: status %d, output starts \"%.20s\"", what, status, out);
	free(out);
}

static void
exec_argument_limits(void)
{
	enum { FIT = USTACKPAGES * PGSIZE / MAXARGLEN };   /* args that fit */
	char *argv[MAXARG + 2], *big[FIT + 2], *longarg;
	char names[MAXARG + 1][8];
	int i;

	for (i = 0; i <= MAXARG; i++) {
		snprintf(names[i], sizeof(names[i]), "a%d", i);
		argv[i] = names[i];
	}
	argv[MAXARG] = NULL;
	expect_exec_ok(argv, MAXARG, "MAXARG arguments");
	argv[MAXARG] = names[MAXARG];
	argv[MAXARG + 1] = NULL;
	expect_exec_error("/bin/showargs", argv, E2BIG, "with MAXARG+1 arguments");

	/* The longest argument, and one byte more. */
	longarg = malloc(MAXARGLEN + 1);
	memset(longarg, 'z', MAXARGLEN);
	longarg[MAXARGLEN - 1] = 0;
	argv[0] = "showargs";
	argv[1] = longarg;
	argv[2] = NULL;
	expect_exec_ok(argv, 2, "an argument of MAXARGLEN-1 bytes");
	longarg[MAXARGLEN - 1] = 'z';
	longarg[MAXARGLEN] = 0;
	expect_exec_error("/bin/showargs", argv, E2BIG,
			  "with an argument of MAXARGLEN bytes");

	/* Arguments that fit one by one but not together on the stack: FIT
	 * of them fill it exactly, so with argv[0] they cannot fit.  Two
	 * fewer leave the program room for its own stack. */
	longarg[MAXARGLEN - 1] = 0;
	big[0] = "showargs";
	for (i = 1; i <= FIT; i++)
		big[i] = longarg;
	big[FIT - 1] = NULL;
	expect_exec_ok(big, FIT - 1, "a nearly full stack");
	big[FIT - 1] = longarg;
	big[FIT + 1] = NULL;
	expect_exec_error("/bin/showargs", big, E2BIG,
			  "with arguments overflowing the stack");
	free(longarg);
}

/* Open descriptors survive exec. */
static void
exec_keeps_descriptors(void)
{
	char *argv[] = { "echo", "kept", NULL };
	int status;

	status = run_capture("/bin/echo", argv, buf, sizeof(buf));
	if (status != 0 || strcmp(buf, "kept\n") != 0)
		fail("echo into a pipe: status %d, \"%s\"", status, buf);
}

/* ---- broken executables ---- */

enum elf_damage {
	BROKEN_EMPTY, BROKEN_TEXT, BROKEN_TRUNCATED, BROKEN_MAGIC, BROKEN_CLASS32,
	BROKEN_BIG_ENDIAN, BROKEN_NOT_EXEC, BROKEN_MACHINE, BROKEN_PHENTSIZE,
	BROKEN_PH_PAST_END, BROKEN_NO_LOAD, BROKEN_WX, BROKEN_PAGE0, BROKEN_UNALIGNED,
	BROKEN_MEMSZ_LT_FILESZ, BROKEN_WRAPS, BROKEN_ABOVE_USER, BROKEN_OVERLAP,
	BROKEN_DATA_PAST_END, BROKEN_DATA_PAST_4G, BROKEN_PH_PAST_4G, BROKEN_HUGE,
	NBROKEN
};

static const struct {
	const char *what;
	int err;
} elf_cases[NBROKEN] = {
	[BROKEN_EMPTY]           = { "an empty file", ENOEXEC },
	[BROKEN_TEXT]            = { "a text file", ENOEXEC },
	[BROKEN_TRUNCATED]       = { "a truncated header", ENOEXEC },
	[BROKEN_MAGIC]           = { "a bad magic number", ENOEXEC },
	[BROKEN_CLASS32]         = { "a 32-bit ELF", ENOEXEC },
	[BROKEN_BIG_ENDIAN]      = { "a big-endian ELF", ENOEXEC },
	[BROKEN_NOT_EXEC]        = { "a shared object", ENOEXEC },
	[BROKEN_MACHINE]         = { "an x86-64 ELF", ENOEXEC },
	[BROKEN_PHENTSIZE]       = { "a bad program-header size", ENOEXEC },
	[BROKEN_PH_PAST_END]     = { "program headers past the end", ENOEXEC },
	[BROKEN_NO_LOAD]         = { "no loadable segment", ENOEXEC },
	[BROKEN_WX]              = { "a writable, executable segment", ENOEXEC },
	[BROKEN_PAGE0]           = { "a segment in page 0", ENOEXEC },
	[BROKEN_UNALIGNED]       = { "an unaligned segment", ENOEXEC },
	[BROKEN_MEMSZ_LT_FILESZ] = { "memsz below filesz", ENOEXEC },
	[BROKEN_WRAPS]           = { "a segment wrapping around", ENOEXEC },
	[BROKEN_ABOVE_USER]      = { "a segment above user memory", ENOEXEC },
	[BROKEN_OVERLAP]         = { "overlapping segments", ENOEXEC },
	[BROKEN_DATA_PAST_END]   = { "segment data past the end", ENOEXEC },
	[BROKEN_DATA_PAST_4G]    = { "segment data 4 GiB further on", ENOEXEC },
	[BROKEN_PH_PAST_4G]      = { "program headers 4 GiB further on", ENOEXEC },
	[BROKEN_HUGE]            = { "a 64 GiB segment", ENOMEM },
};

/* The i-th PT_LOAD program header of image, or NULL. */
static struct proghdr *
load_segment_of(char *image, int i)
{
	struct elfhdr *eh = (struct elfhdr *)image;
	struct proghdr *ph = (struct proghdr *)(image + eh->phoff);
	int j;

	for (j = 0; j < eh->phnum; j++)
		if (ph[j].type == PT_LOAD && i-- == 0)
			return &ph[j];
	return NULL;
}

/* Damage a copy of a good executable (len bytes) as kind says. */
static int
damage(char *image, int len, enum elf_damage kind)
{
	struct elfhdr *eh = (struct elfhdr *)image;
	struct proghdr *text = load_segment_of(image, 0);
	struct proghdr *last = load_segment_of(image, 2);
	int i;

	switch (kind) {
	case BROKEN_EMPTY:       return 0;
	case BROKEN_TEXT:        strcpy(image, "echo hello\n"); return 11;
	case BROKEN_TRUNCATED:   return 40;
	case BROKEN_MAGIC:       image[1] = 'e'; break;
	case BROKEN_CLASS32:     eh->ident[0] = 1; break;
	case BROKEN_BIG_ENDIAN:  eh->ident[1] = 2; break;
	case BROKEN_NOT_EXEC:    eh->type = 3; break;
	case BROKEN_MACHINE:     eh->machine = 62; break;
	case BROKEN_PHENTSIZE:   eh->phentsize = 32; break;
	case BROKEN_PH_PAST_END: eh->phoff = len + PGSIZE; break;
	case BROKEN_NO_LOAD:
		for (i = 0; i < eh->phnum; i++)
			((struct proghdr *)(image + eh->phoff))[i].type = 0;
		break;
	case BROKEN_WX:          text->flags |= PF_W; break;
	case BROKEN_PAGE0:       text->vaddr = 0; break;
	case BROKEN_UNALIGNED:   text->vaddr += 8; break;
	case BROKEN_MEMSZ_LT_FILESZ: text->memsz = text->filesz - 1; break;
	case BROKEN_WRAPS:
		text->vaddr = 0xfffffffffffff000ULL;
		text->memsz = 0x2000;
		break;
	case BROKEN_ABOVE_USER:  last->vaddr = TRAPFRAME; break;
	case BROKEN_OVERLAP:     last->vaddr = text->vaddr; break;
	case BROKEN_DATA_PAST_END: text->off = len; break;
	case BROKEN_DATA_PAST_4G: text->off += 1ULL << 32; break;
	case BROKEN_PH_PAST_4G:  eh->phoff += 1ULL << 32; break;
	case BROKEN_HUGE:        last->memsz = 64ULL << 30; break;
	default:              break;
	}
	return len;
}

/* Read the whole of path into a new buffer; *len gets its size. */
static char *
slurp(const char *path, int *len)
{
	int fd = xopen(path, O_RDONLY), n;
	int size = xfstat(fd).size;
	char *p = malloc(size + PGSIZE);

	if (p == NULL)
		fail("malloc %d", size);
	if ((n = read(fd, p, size)) != size)
		fail("read %s: %d of %d bytes", path, n, size);
	close(fd);
	*len = size;
	return p;
}

static void
write_whole(const char *name, const char *data, int len)
{
	int fd = xopen(name, O_CREATE | O_TRUNC | O_WRONLY);

	if (len > 0 && must(write(fd, data, len), "write %s", name) != len)
		fail("short write to %s", name);
	close(fd);
}

static void
exec_bad_elf(void)
{
	char *argv[] = { "bad", "ran", NULL };
	char *good, *image;
	int len, n, kind, status;

	good = slurp("/bin/showargs", &len);
	image = malloc(len + PGSIZE);
	if (load_segment_of(good, 2) == NULL)
		fail("/bin/showargs does not have three segments");
	for (kind = 0; kind < NBROKEN; kind++) {
		memcpy(image, good, len);
		n = damage(image, len, kind);
		write_whole("bad", image, n);
		expect_exec_error("bad", argv, elf_cases[kind].err,
				  elf_cases[kind].what);
	}
	/* An undamaged copy runs; one entered at address 0 faults. */
	write_whole("bad", good, len);
	status = run_capture("bad", argv, buf, sizeof(buf));
	if (status != 0 || strcmp(buf, "argc=2\nbad\nran\n") != 0)
		fail("a good copy of showargs: status %d, \"%s\"", status, buf);
	((struct elfhdr *)good)->entry = 0;
	write_whole("bad", good, len);
	status = run_capture("bad", argv, buf, sizeof(buf));
	if (status != -1)
		fail("a program entered at 0: status %d, want -1", status);
	unlink("bad");
	free(image);
	free(good);
}

/*
 * Give a copy of an executable one more segment: a page of zeroed data at
 * addr, far above the rest.  The program headers sit at the front of the
 * file with room after them before the first segment's bytes.
 */
static void
add_far_segment(char *image, uint64 addr)
{
	struct elfhdr *eh = (struct elfhdr *)image;
	struct proghdr *ph = (struct proghdr *)(image + eh->phoff) + eh->phnum;

	if (eh->phoff + (eh->phnum + 1) * sizeof(*ph) > load_segment_of(image, 0)->off)
		fail("no room for another program header");
	memset(ph, 0, sizeof(*ph));
	ph->type = PT_LOAD;
	ph->flags = PF_R | PF_W;
	ph->vaddr = ph->paddr = addr;
	ph->memsz = PGSIZE;
	ph->align = PGSIZE;
	eh->phnum++;
}

/*
 * A program may leave a gap of 120 GiB in its address space.  Copying,
 * freeing and reaping it must cost what is mapped, not what the gap
 * spans: forktest, given a page at 124 GiB, forks dozens of children
 * that exit and are reaped.  Walking the gap page by page took seconds per
 * fork and per reap, with every hart stopped.
 */
static void
exec_sparse_address_space(void)
{
	char *argv[] = { "forktest", NULL };
	char *image;
	int len, status;

	image = slurp("/bin/forktest", &len);
	add_far_segment(image, 124ULL << 30);
	write_whole("sparse", image, len);
	status = run_capture("sparse", argv, buf, sizeof(buf));
	if (status != 0)
		fail("forktest with a page at 124 GiB: status %d, output \"%s\"",
		     status, buf);
	unlink("sparse");
	free(image);
}

/* ==== pipes ================================================================= */

#define PIPE_TOTAL (2 << 20)

static void
pipe_megabytes_in_order(void)
{
	int fds[2], pid, n, m;
	uint64 done;
	char *rbuf = malloc(3 * PIPESIZE);

	must(pipe(fds), "pipe");
	if ((pid = xfork()) == 0) {
		close(fds[0]);
		rand_state = 7;
		for (done = 0; done < PIPE_TOTAL; done += n) {
			n = 1 + rnd(3 * PIPESIZE);
			if (n > PIPE_TOTAL - done)
				n = PIPE_TOTAL - done;
			fill(rbuf, n, 11, done);
			if (write(fds[1], rbuf, n) != n)
				fail("pipe writer: short write: %s", errname(errno));
		}
		exit(0);
	}
	close(fds[1]);
	rand_state = 99;
	for (done = 0; ; done += n) {
		m = 1 + rnd(2 * PIPESIZE);
		n = must(read(fds[0], rbuf, m), "read pipe");
		if (n == 0)
			break;
		if ((m = mismatch(rbuf, n, 11, done)) >= 0)
			fail("pipe byte %lu is wrong", (unsigned long)(done + m));
	}
	if (done != PIPE_TOTAL)
		fail("read %lu bytes, want %d", (unsigned long)done, PIPE_TOTAL);
	close(fds[0]);
	expect_exit(pid, 0, "the writer");
	free(rbuf);
}

static void
pipe_eof_after_writers_close(void)
{
	int fds[2], pid;

	must(pipe(fds), "pipe");
	must(write(fds[1], "abc", 3), "write");
	close(fds[1]);
	/* The data first, then end of file, again and again. */
	if (read(fds[0], buf, 10) != 3 || memcmp(buf, "abc", 3))
		fail("data written before close is lost");
	if (read(fds[0], buf, 10) != 0 || read(fds[0], buf, 10) != 0)
		fail("no end of file after the writer closed");
	close(fds[0]);

	/* With a second writer (a child), EOF waits for both to close. */
	must(pipe(fds), "pipe");
	if ((pid = xfork()) == 0) {
		close(fds[0]);
		sleep(2);
		write(fds[1], "late", 4);
		exit(0);
	}
	close(fds[1]);
	if (read(fds[0], buf, 10) != 4 || memcmp(buf, "late", 4))
		fail("EOF came while a writer still held the pipe");
	if (read(fds[0], buf, 10) != 0)
		fail("no EOF once the child exited");
	close(fds[0]);
	expect_exit(pid, 0, "the second writer");
	/* A read of 0 bytes returns 0 at once. */
	must(pipe(fds), "pipe");
	if (read(fds[0], buf, 0) != 0)
		fail("read of 0 bytes from an empty pipe");
	close(fds[0]);
	close(fds[1]);
}

static void
pipe_epipe_after_readers_close(void)
{
	int fds[2], full[2], pid, r;

	must(pipe(fds), "pipe");
	close(fds[0]);
	expect_error(write(fds[1], "x", 1), EPIPE, "write with no reader");
	close(fds[1]);

	/* A writer blocked on a full pipe wakes with EPIPE when the reader
	 * goes, whether that happens before or after it blocks.  The reader
	 * learns that the pipe is full over a second pipe, so that it reads
	 * nothing and the blocked write can never make progress. */
	must(pipe(fds), "pipe");
	must(pipe(full), "pipe");
	if ((pid = xfork()) == 0) {
		close(fds[0]);
		memset(buf, 'f', PIPESIZE);
		if (write(fds[1], buf, PIPESIZE) != PIPESIZE)
			fail("filling the pipe");
		write(full[1], "x", 1);
		r = write(fds[1], buf, 100);
		if (r != -1 || errno != EPIPE)
			fail("blocked writer: returned %d, want -1 (EPIPE)", r);
		exit(0);
	}
	close(fds[1]);
	close(full[1]);
	if (read(full[0], buf, 1) != 1)
		fail("the writer did not fill the pipe");
	close(fds[0]);
	expect_exit(pid, 0, "the writer");
	close(full[0]);
}

/*
 * Writers each write their own byte value; readers count what they get.
 * Writes of more than PIPESIZE may interleave, so only the totals per
 * value are checked.
 */
#define NWRITERS 4
#define NREADERS 3
#define PER_WRITER (64 * 1000)

static void
count_reader(int in, int results)
{
	int counts[NWRITERS] = { 0 }, i, n;

	while ((n = read(in, buf, 1 + rnd(3000))) > 0)
		for (i = 0; i < n; i++) {
			if (buf[i] < 'a' || buf[i] >= 'a' + NWRITERS)
				fail("reader got byte %d", buf[i]);
			counts[buf[i] - 'a']++;
		}
	if (n < 0)
		fail("reader: %s", errname(errno));
	if (write(results, counts, sizeof(counts)) != sizeof(counts))
		fail("reader: reporting counts");
	exit(0);
}

static void
pipe_many_readers_writers(void)
{
	int data[2], results[2], i, j, n, counts[NWRITERS], total[NWRITERS] = { 0 };

	must(pipe(data), "pipe");
	must(pipe(results), "pipe");
	for (i = 0; i < NREADERS; i++) {
		if (xfork() == 0) {
			close(data[1]);
			rand_state += i;
			count_reader(data[0], results[1]);
		}
	}
	for (i = 0; i < NWRITERS; i++) {
		if (xfork() == 0) {
			memset(buf, 'a' + i, sizeof(buf));
			for (n = 0; n < PER_WRITER; n += 1000)
				if (write(data[1], buf, 1000) != 1000)
					fail("writer %d: %s", i, errname(errno));
			exit(0);
		}
	}
	close(data[0]);
	close(data[1]);
	close(results[1]);
	for (i = 0; i < NREADERS; i++) {
		if (read(results[0], counts, sizeof(counts)) != sizeof(counts))
			fail("missing a reader's counts");
		for (j = 0; j < NWRITERS; j++)
			total[j] += counts[j];
	}
	reap_all(NREADERS + NWRITERS, "a reader or writer");
	for (j = 0; j < NWRITERS; j++)
		if (total[j] != PER_WRITER)
			fail("writer %d: %d bytes arrived, want %d; totals %d %d %d %d", j, total[j],
			     PER_WRITER, total[0], total[1], total[2], total[3]);
	close(results[0]);
}

/* Processes that exit holding full pipes free them. */
static void
pipe_full_at_exit(void)
{
	int fds[2], pid, i;

	for (i = 0; i < 10; i++) {
		if ((pid = xfork()) == 0) {
			must(pipe(fds), "pipe");
			memset(buf, 'p', PIPESIZE);
			if (write(fds[1], buf, PIPESIZE) != PIPESIZE)
				fail("filling a pipe");
			exit(0);
		}
		expect_exit(pid, 0, "a child leaving a full pipe");
	}
	/* Also a pipe whose writer exits while the reader stays. */
	must(pipe(fds), "pipe");
	if ((pid = xfork()) == 0) {
		memset(buf, 'q', PIPESIZE);
		write(fds[1], buf, PIPESIZE);
		exit(0);
	}
	close(fds[1]);
	expect_exit(pid, 0, "the writer");
	if (read(fds[0], buf, sizeof(buf)) != PIPESIZE || buf[PIPESIZE - 1] != 'q')
		fail("the full pipe's data did not outlive its writer");
	close(fds[0]);
}

static void
pipe_wrong_end_ebadf(void)
{
	int fds[2];
	struct stat st;

	must(pipe(fds), "pipe");
	expect_error(write(fds[0], "x", 1), EBADF, "write to the read end");
	expect_error(read(fds[1], buf, 1), EBADF, "read from the write end");
	expect_error(fstat(fds[0], &st), EINVAL, "fstat a pipe");
	close(fds[0]);
	close(fds[1]);
}

/* ==== files ================================================================= */

static void
file_write_read_back(void)
{
	int fd, n, chunk;
	uint64 size = 3 * BSIZE + 1234, done;

	/* Written in odd-sized pieces, read back in other odd sizes. */
	fd = xopen("f", O_CREATE | O_TRUNC | O_WRONLY);
	write_pattern(fd, 5, 0, size, 1000, "f");
	expect_error(read(fd, buf, 1), EBADF, "read a write-only file");
	close(fd);
	if (xstat("f").size != size || xstat("f").type != T_FILE)
		fail("f: size %lu, want %lu", (unsigned long)xstat("f").size,
		     (unsigned long)size);
	fd = xopen("f", O_RDONLY);
	for (done = 0; done < size; done += n) {
		chunk = 1 + (done * 7) % 777;
		n = must(read(fd, buf, chunk), "read f");
		if (n == 0 || mismatch(buf, n, 5, done) >= 0)
			fail("f: wrong data at %lu", (unsigned long)done);
	}
	if (read(fd, buf, 10) != 0)
		fail("no end of file");
	expect_error(write(fd, "x", 1), EBADF, "write a read-only file");
	close(fd);
	must(unlink("f"), "unlink f");
	expect_error(open("f", O_RDONLY), ENOENT, "open after unlink");
}

static void
file_overwrite_in_place(void)
{
	int fd;

	make_file("f", 6, 2 * BSIZE);
	/* Without O_TRUNC, writing starts at 0 and keeps the rest. */
	fd = xopen("f", O_WRONLY);
	must(write(fd, "0123456789", 10), "overwrite");
	close(fd);
	if (xstat("f").size != 2 * BSIZE)
		fail("overwriting changed the size");
	fd = xopen("f", O_RDONLY);
	if (read(fd, buf, 10) != 10 || memcmp(buf, "0123456789", 10))
		fail("overwritten bytes are wrong");
	check_pattern(fd, 6, 10, 2 * BSIZE - 10, BUFSIZE, "f");
	close(fd);
	/* O_RDWR reads and writes through one offset. */
	fd = xopen("f", O_RDWR);
	must(read(fd, buf, 5), "read");
	must(write(fd, "XY", 2), "write");
	close(fd);
	fd = xopen("f", O_RDONLY);
	if (read(fd, buf, 8) != 8 || memcmp(buf, "01234XY7", 8))
		fail("O_RDWR write did not land after the read");
	close(fd);
	unlink("f");
}

static void
file_trunc_frees_blocks(void)
{
	uint before = xsysinfo().freeblocks;
	int fd;

	make_file("f", 7, 20 * BSIZE);
	if (xsysinfo().freeblocks >= before - 20)
		fail("a 20-block file took %u blocks",
		     before - xsysinfo().freeblocks);
	fd = xopen("f", O_WRONLY | O_TRUNC);
	if (xfstat(fd).size != 0)
		fail("O_TRUNC left size %lu", (unsigned long)xfstat(fd).size);
	if (xsysinfo().freeblocks != before)
		fail("O_TRUNC left %u blocks allocated",
		     before - xsysinfo().freeblocks);
	must(write(fd, "new", 3), "write");
	close(fd);
	fd = xopen("f", O_RDONLY);
	if (read(fd, buf, sizeof(buf)) != 3 || memcmp(buf, "new", 3))
		fail("contents after O_TRUNC and a write");
	close(fd);
	unlink("f");
}

static void
file_append(void)
{
	int a, b;

	make_file("f", 8, 100);
	a = xopen("f", O_WRONLY | O_APPEND);
	b = xopen("f", O_WRONLY | O_APPEND);
	must(write(a, "A", 1), "write a");
	must(write(b, "B", 1), "write b");
	must(write(a, "C", 1), "write a");
	close(a);
	close(b);
	a = xopen("f", O_RDONLY);
	check_pattern(a, 8, 0, 100, 100, "f");
	if (read(a, buf, 10) != 3 || memcmp(buf, "ABC", 3))
		fail("appended bytes are not ABC");
	close(a);
	unlink("f");
}

/* fork and dup share an open file's offset; two opens do not. */
static void
file_offset_shared_by_fork_and_dup(void)
{
	int fd, fd2, pid;

	fd = xopen("f", O_CREATE | O_TRUNC | O_RDWR);
	if ((pid = xfork()) == 0) {
		write(fd, "child ", 6);
		exit(0);
	}
	expect_exit(pid, 0, "the writing child");
	must(write(fd, "parent ", 7), "write");
	fd2 = must(dup(fd), "dup");
	must(write(fd2, "dup", 3), "write dup");
	close(fd);
	close(fd2);
	fd = xopen("f", O_RDONLY);
	if (read(fd, buf, sizeof(buf)) != 16 || memcmp(buf, "child parent dup", 16))
		fail("shared offset: got \"%.16s\"", buf);
	close(fd);

	fd = xopen("f", O_WRONLY);
	fd2 = xopen("f", O_WRONLY);
	must(write(fd, "xx", 2), "write");
	must(write(fd2, "y", 1), "write");
	close(fd);
	close(fd2);
	fd = xopen("f", O_RDONLY);
	if (read(fd, buf, 3) != 3 || memcmp(buf, "yxi", 3))
		fail("separate opens share an offset: got \"%.3s\"", buf);
	close(fd);
	unlink("f");
}

static void
file_four_writers_concurrently(void)
{
	char name[8];
	int i;

	for (i = 0; i < 4; i++) {
		if (xfork() == 0) {
			snprintf(name, sizeof(name), "f%d", i);
			make_file(name, 20 + i, 50 * 1000 + i);
			check_file(name, 20 + i, 50 * 1000 + i);
			exit(0);
		}
	}
	reap_all(4, "a writer");
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		check_file(name, 20 + i, 50 * 1000 + i);
		must(unlink(name), "unlink %s", name);
	}
}

/*
 * Four processes create, write, link, unlink, make directories and open
 * the same few names at random.  Every call may lose a race, but only in
 * the ways the names allow.
 */
static void
churn(int id)
{
	char a[4] = "n0", b[4] = "n0";
	int i, fd;

	rand_state += id * 1000;
	for (i = 0; i < 300; i++) {
		a[1] = '0' + rnd(6);
		b[1] = '0' + rnd(6);
		switch (rnd(6)) {
		case 0:
			fd = open(a, O_CREATE | O_WRONLY);
			if (fd < 0 && errno != EISDIR && errno != ENOENT)
				fail("create %s: %s", a, errname(errno));
			if (fd >= 0) {
				if (write(fd, a, 2) != 2)
					fail("write %s: %s", a, errname(errno));
				close(fd);
			}
			break;
		case 1:
			if (unlink(a) < 0 && errno != ENOENT && errno != ENOTEMPTY)
				fail("unlink %s: %s", a, errname(errno));
			break;
		case 2:
			if (link(a, b) < 0 && errno != ENOENT && errno != EEXIST &&
			    errno != EPERM)
				fail("link %s %s: %s", a, b, errname(errno));
			break;
		case 3:
			if (mkdir(a) < 0 && errno != EEXIST)
				fail("mkdir %s: %s", a, errname(errno));
			break;
		default:
			fd = open(a, O_RDONLY);
			if (fd < 0 && errno != ENOENT)
				fail("open %s: %s", a, errname(errno));
			if (fd >= 0) {
				if (read(fd, buf, sizeof(buf)) < 0)
					fail("read %s: %s", a, errname(errno));
				close(fd);
			}
			break;
		}
	}
	exit(0);
}

static void
file_concurrent_create_unlink(void)
{
	char name[4] = "n0";
	int i;

	for (i = 0; i < 4; i++)
		if (xfork() == 0)
			churn(i);
	reap_all(4, "a churning child");
	for (i = 0; i < 6; i++) {
		name[1] = '0' + i;
		if (unlink(name) < 0 && errno != ENOENT)
			fail("cleaning up %s: %s", name, errname(errno));
	}
}

/*
 * kill stops a long write between chunks.  A child starts writing 16 MiB
 * to a file and is killed: it exits, and the file is far from 16 MiB
 * (a killed writer used to go on to the end, seconds later).
 */
static void
file_write_stops_when_killed(void)
{
	const int n = 16 << 20;
	int ready[2], pid, fd;
	char *big, c;

	must(pipe(ready), "pipe");
	if ((pid = xfork()) == 0) {
		if ((big = sbrk(n)) == (char *)-1)
			fail("sbrk %d", n);
		memset(big, 'k', n);
		fd = xopen("big", O_CREATE | O_WRONLY);
		write(ready[1], "r", 1);
		write(fd, big, n);
		exit(0);
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		fail("the writer did not start");
	close(ready[0]);
	must(kill(pid), "kill the writer");
	if (wait_pid(pid) != -1)
		fail("the killed writer did not exit with -1");
	if (xstat("big").size >= (uint64)n)
		fail("a killed write went on to the end (%lu bytes)",
		     (unsigned long)xstat("big").size);
	must(unlink("big"), "unlink big");
}

static void
file_unlinked_while_open(void)
{
	uint inodes = xsysinfo().freeinodes;
	int fd, fd2;

	make_file("f", 9, 3 * BSIZE);
	fd = xopen("f", O_RDONLY);
	must(unlink("f"), "unlink an open file");
	if (xfstat(fd).nlink != 0)
		fail("an unlinked open file has nlink %d", xfstat(fd).nlink);
	expect_error(open("f", O_RDONLY), ENOENT, "open an unlinked name");
	/* A new file of the same name is a different file. */
	fd2 = xopen("f", O_CREATE | O_RDWR);
	must(write(fd2, "new", 3), "write");
	check_pattern(fd, 9, 0, 3 * BSIZE, BUFSIZE, "the unlinked file");
	close(fd2);
	unlink("f");
	if (xsysinfo().freeinodes != inodes - 1)
		fail("the unlinked file's inode went before its last close");
	close(fd);
	if (xsysinfo().freeinodes != inodes)
		fail("the last close did not free the unlinked file");
}

static void
file_link_counts(void)
{
	int fd;

	make_file("f", 10, 500);
	must(link("f", "g"), "link f g");
	if (xstat("f").nlink != 2 || xstat("g").ino != xstat("f").ino)
		fail("link f g: nlink %d, want 2", xstat("f").nlink);
	expect_error(link("f", "g"), EEXIST, "link to an existing name");
	expect_error(link("nosuch", "h"), ENOENT, "link a missing file");
	expect_error(link("f", "nodir/h"), ENOENT, "link into a missing directory");
	must(mkdir("d"), "mkdir d");
	expect_error(link("d", "d2"), EPERM, "link a directory");
	must(link("f", "d/h"), "link into a subdirectory");
	if (xstat("g").nlink != 3)
		fail("three names, nlink %d", xstat("g").nlink);
	must(unlink("f"), "unlink f");
	must(unlink("d/h"), "unlink d/h");
	if (xstat("g").nlink != 1)
		fail("one name left, nlink %d", xstat("g").nlink);
	check_file("g", 10, 500);
	fd = xopen("g", O_RDONLY);
	must(unlink("g"), "unlink g");
	close(fd);
	must(unlink("d"), "unlink d");
}

/*
 * A file takes at most LINK_MAX names: the next link is refused with
 * EMLINK, nlink stays right, and a name freed makes room again.  (The
 * 16-bit count used to wrap to 0 and free a file still named.)
 */
static void
file_link_max(void)
{
	char name[16];
	int i;

	make_file("f", 3, 100);
	for (i = 1; i < LINK_MAX; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		must(link("f", name), "link number %d", i);
	}
	if (xstat("f").nlink != LINK_MAX)
		fail("%d names: nlink %d", LINK_MAX, xstat("f").nlink);
	expect_error(link("f", "over"), EMLINK, "link number LINK_MAX");
	if (xstat("f").nlink != LINK_MAX)
		fail("a refused link changed nlink to %d", xstat("f").nlink);
	must(unlink("l1"), "unlink l1");
	must(link("f", "again"), "link after one name went");
	for (i = 2; i < LINK_MAX; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		must(unlink(name), "unlink %s", name);
	}
	must(unlink("again"), "unlink again");
	if (xstat("f").nlink != 1)
		fail("one name left: nlink %d", xstat("f").nlink);
	check_file("f", 3, 100);
	must(unlink("f"), "unlink f");
}

/* A directory holds at most LINK_MAX - 1 subdirectories (each ".." counts). */
static void
dir_link_max(void)
{
	char name[16];
	int i;

	must(mkdir("d"), "mkdir d");
	for (i = 1; i < LINK_MAX; i++) {
		snprintf(name, sizeof(name), "d/s%d", i);
		must(mkdir(name), "mkdir number %d", i);
	}
	if (xstat("d").nlink != LINK_MAX)
		fail("%d subdirectories: nlink %d", LINK_MAX - 1, xstat("d").nlink);
	expect_error(mkdir("d/over"), EMLINK, "subdirectory number LINK_MAX");
	make_file("d/file", 4, 10);   /* a file adds no link to d */
	must(unlink("d/file"), "unlink d/file");
	for (i = 1; i < LINK_MAX; i++) {
		snprintf(name, sizeof(name), "d/s%d", i);
		must(unlink(name), "unlink %s", name);
	}
	must(unlink("d"), "unlink d");
}

static void
file_errors(void)
{
	int fd, fds[2];
	struct stat st;

	make_file("f", 11, 10);
	must(mkdir("d"), "mkdir");
	expect_error(open("nosuch", O_RDONLY), ENOENT, "open a missing file");
	expect_error(open("", O_RDONLY), ENOENT, "open the empty path");
	expect_error(open("nosuch/f", O_CREATE | O_RDWR), ENOENT, "create in a missing dir");
	expect_error(open("f/x", O_RDONLY), ENOTDIR, "open a path through a file");
	expect_error(open("f/x", O_CREATE | O_RDWR), ENOTDIR, "create under a file");
	expect_error(open("d", O_WRONLY), EISDIR, "open a directory to write");
	expect_error(open("d", O_RDWR), EISDIR, "open a directory to read and write");
	expect_error(open("d", O_CREATE | O_RDWR), EISDIR, "O_CREATE on a directory");
	expect_error(open("/", O_CREATE | O_RDWR), EISDIR, "O_CREATE on /");
	expect_error(open("f", O_ACCMODE), EINVAL, "open with both write modes");
	expect_error(open("f", 0x10000), EINVAL, "open with an unknown flag");
	expect_error(mkdir("d"), EEXIST, "mkdir an existing directory");
	expect_error(mkdir("f"), EEXIST, "mkdir over a file");
	expect_error(mkdir("/"), EEXIST, "mkdir /");
	expect_error(mkdir("//"), EEXIST, "mkdir //");
	expect_error(chdir("f"), ENOTDIR, "chdir to a file");
	expect_error(chdir("nosuch"), ENOENT, "chdir to a missing directory");
	expect_error(unlink("nosuch"), ENOENT, "unlink a missing file");
	expect_error(unlink("f/x"), ENOTDIR, "unlink under a file");
	expect_error(unlink("/"), EBUSY, "unlink /");

	fd = xopen("f", O_RDONLY);
	expect_error(read(fd, buf, -1), EINVAL, "read -1 bytes");
	expect_error(write(1, buf, -1), EINVAL, "write -1 bytes");
	if (read(fd, buf, 0) != 0 || write(1, buf, 0) != 0)
		fail("transfers of 0 bytes do not return 0");
	close(fd);
	expect_error(read(fd, buf, 1), EBADF, "read a closed descriptor");
	expect_error(close(fd), EBADF, "close a closed descriptor");
	expect_error(read(-1, buf, 1), EBADF, "read fd -1");
	expect_error(write(NOFILE, buf, 1), EBADF, "write fd NOFILE");
	expect_error(dup(-1), EBADF, "dup fd -1");
	expect_error(fstat(NOFILE + 5, &st), EBADF, "fstat a bad fd");
	expect_error(close(-1), EBADF, "close fd -1");
	must(pipe(fds), "pipe");
	close(fds[0]);
	close(fds[1]);

	/* A directory can be read: it is an array of entries. */
	fd = xopen("d", O_RDONLY);
	if (read(fd, buf, 2 * sizeof(struct dirent)) != 2 * sizeof(struct dirent) ||
	    strcmp(((struct dirent *)buf)[0].name, ".") != 0 ||
	    strcmp(((struct dirent *)buf)[1].name, "..") != 0)
		fail("a new directory does not start with . and ..");
	close(fd);
	unlink("d");
	unlink("f");
}

/* One write() bigger than the whole log still happens, all of it. */
static void
file_write_larger_than_log(void)
{
	int n = 2 * LOGBLOCKS * BSIZE + 100, fd;
	char *big = malloc(n);

	if (big == NULL)
		fail("malloc %d", n);
	fill(big, n, 12, 0);
	fd = xopen("f", O_CREATE | O_TRUNC | O_WRONLY);
	if (must(write(fd, big, n), "write %d bytes", n) != n)
		fail("a %d-byte write was short", n);
	close(fd);
	check_file("f", 12, n);
	unlink("f");
	free(big);
}

/* A file big enough to need the double-indirect block. */
static void
file_double_indirect(void)
{
	uint64 size = (NDIRECT + NINDIRECT + 40) * (uint64)BSIZE + 17;

	make_file("f", 13, size);
	check_file("f", 13, size);
	unlink("f");
}

/*
 * The largest file the disk can hold: write until it is full, read it all
 * back, check that a full disk refuses new data cleanly, then delete it
 * and get every block back.
 */
static void
file_largest_possible(void)
{
	struct sysinfo start = xsysinfo();
	uint64 size = 0;
	int fd, r, fd2;

	fd = xopen("big", O_CREATE | O_TRUNC | O_WRONLY);
	for (;;) {
		fill(buf, BUFSIZE, 14, size);
		r = write(fd, buf, BUFSIZE);
		if (r < 0)
			break;
		size += r;
		if (r < BUFSIZE) {
			expect_error(write(fd, buf, BUFSIZE), ENOSPC, "write to a full disk");
			break;
		}
	}
	if (r < 0 && errno != ENOSPC && errno != EFBIG)
		fail("write until the disk is full: %s", errname(errno));
	close(fd);
	if (xsysinfo().freeblocks > 0)
		fail("disk full, but %u blocks free", xsysinfo().freeblocks);
	if (size < (uint64)(start.freeblocks - 1100) * BSIZE)
		fail("only %lu bytes fit in %u free blocks",
		     (unsigned long)size, start.freeblocks);
	if (xstat("big").size != size)
		fail("size %lu after writing %lu", (unsigned long)xstat("big").size,
		     (unsigned long)size);

	/* Full: new data is refused, and failed creates leave no inodes. */
	expect_error(mkdir("dir"), ENOSPC, "mkdir on a full disk");
	fd2 = must(open("empty", O_CREATE | O_WRONLY), "create an empty file");
	expect_error(write(fd2, "x", 1), ENOSPC, "write 1 byte to a full disk");
	close(fd2);
	if (xstat("empty").size != 0)
		fail("a failed write changed the size");
	must(unlink("empty"), "unlink");
	if (xsysinfo().freeinodes != start.freeinodes - 1)
		fail("failed creates on a full disk leaked inodes");

	check_file("big", 14, size);
	must(unlink("big"), "unlink big");
	if (xsysinfo().freeblocks != start.freeblocks)
		fail("after deleting: %u blocks free, want %u",
		     xsysinfo().freeblocks, start.freeblocks);
	/* The file system still works. */
	make_file("after", 15, 10 * BSIZE);
	check_file("after", 15, 10 * BSIZE);
	unlink("after");
}

/* ==== directories ========================================================== */

static void
dir_dot_and_dotdot(void)
{
	uint here = xstat(".").ino, d;

	must(mkdir("d"), "mkdir d");
	d = xstat("d").ino;
	if (xstat("d").type != T_DIR || xstat("d").nlink != 1)
		fail("new directory: type %d nlink %d", xstat("d").type, xstat("d").nlink);
	must(mkdir("d/e"), "mkdir d/e");
	if (xstat("d").nlink != 2)
		fail("a subdirectory's .. did not count: nlink %d", xstat("d").nlink);
	if (xstat("d/.").ino != d || xstat("d/..").ino != here ||
	    xstat("d/e/..").ino != d || xstat("d/e/../..").ino != here)
		fail(". and .. name the wrong directories");
	if (xstat("/..").ino != ROOTINO || xstat("/.").ino != ROOTINO)
		fail("/.. is not the root");
	must(chdir("d/e"), "chdir d/e");
	if (xstat("..").ino != d)
		fail("chdir: .. is not d");
	expect_error(unlink("."), EINVAL, "unlink .");
	expect_error(unlink(".."), EINVAL, "unlink ..");
	expect_error(mkdir("."), EEXIST, "mkdir .");
	expect_error(open(".", O_CREATE | O_RDWR), EISDIR, "create .");
	must(chdir("../.."), "chdir ../..");
	if (xstat(".").ino != here)
		fail("chdir ../.. did not come back");
	must(unlink("d/e"), "unlink d/e");
	if (xstat("d").nlink != 1)
		fail("removing a subdirectory: nlink %d, want 1", xstat("d").nlink);
	must(unlink("d"), "unlink d");
}

static void
dir_remove_nonempty(void)
{
	must(mkdir("d"), "mkdir");
	make_file("d/f", 16, 1);
	expect_error(unlink("d"), ENOTEMPTY, "unlink a directory holding a file");
	must(mkdir("d/e"), "mkdir d/e");
	must(unlink("d/f"), "unlink d/f");
	expect_error(unlink("d"), ENOTEMPTY, "unlink a directory holding a directory");
	must(unlink("d/e"), "unlink d/e");
	/* Empty now, though its freed entries are still there. */
	must(unlink("d"), "unlink an emptied directory");
	expect_error(chdir("d"), ENOENT, "chdir to a removed directory");
}

/* Does directory dir hold an entry of exactly name (DIRSIZ bytes max)? */
static bool
dir_has(const char *dir, const char *name)
{
	struct dirent de;
	int fd = xopen(dir, O_RDONLY);
	bool found = false;

	while (!found && read(fd, &de, sizeof(de)) == sizeof(de))
		found = de.inum != 0 && strncmp(de.name, name, DIRSIZ) == 0 &&
		        (strlen(name) == DIRSIZ || de.name[strlen(name)] == 0);
	close(fd);
	return found;
}

static void
dir_name_length_limit(void)
{
	const char *max = "abcdefghijklmn";     /* DIRSIZ characters */
	const char *shorter = "abcdefghijklm";
	const char *longer = "abcdefghijklmno";
	char path[40];

	if (strlen(max) != DIRSIZ)
		fail("test bug: DIRSIZ is %d", DIRSIZ);
	make_file(max, 17, 30);
	make_file(shorter, 18, 20);
	check_file(max, 17, 30);
	check_file(shorter, 18, 20);
	if (!dir_has(".", max) || !dir_has(".", shorter))
		fail("names of DIRSIZ and DIRSIZ-1 bytes are not listed");
	expect_error(open(longer, O_CREATE | O_RDWR), ENAMETOOLONG, "create a 15-byte name");
	expect_error(open(longer, O_RDONLY), ENAMETOOLONG, "open a 15-byte name");
	expect_error(mkdir(longer), ENAMETOOLONG, "mkdir a 15-byte name");
	expect_error(unlink(longer), ENAMETOOLONG, "unlink a 15-byte name");
	expect_error(link(max, longer), ENAMETOOLONG, "link to a 15-byte name");
	snprintf(path, sizeof(path), "%s/x", longer);
	expect_error(open(path, O_CREATE | O_RDWR), ENAMETOOLONG, "a long name mid-path");
	must(mkdir("d"), "mkdir");
	snprintf(path, sizeof(path), "d/%s", max);
	must(link(max, path), "link to a DIRSIZ name in a subdirectory");
	check_file(path, 17, 30);
	must(unlink(path), "unlink %s", path);
	must(unlink("d"), "unlink d");
	must(unlink(max), "unlink");
	must(unlink(shorter), "unlink");
}

/* "./" repeated, then name, padded to len bytes in all. */
static void
long_path(char *path, int len, const char *name)
{
	int pad = len - strlen(name), i;

	for (i = 0; i + 1 < pad; i += 2)
		memcpy(path + i, "./", 2);
	if (i < pad)
		path[i++] = '/';   /* odd padding: "././/" is fine */
	strcpy(path + i, name);
}

static void
dir_path_length_limit(void)
{
	char path[MAXPATH + 16];
	int depth;

	long_path(path, MAXPATH - 1, "pathmax");
	if (strlen(path) != MAXPATH - 1)
		fail("test bug: path of %d bytes", (int)strlen(path));
	close(must(open(path, O_CREATE | O_RDWR),
		   "create with a path of MAXPATH-1 bytes"));
	if (xstat("pathmax").type != T_FILE)
		fail("a MAXPATH-1 path created the wrong thing");
	long_path(path, MAXPATH, "pathmax");
	expect_error(open(path, O_RDONLY), ENAMETOOLONG, "open with a path of MAXPATH bytes");
	expect_error(unlink(path), ENAMETOOLONG, "unlink with a path of MAXPATH bytes");
	unlink("pathmax");

	/* Deep directories: each level a short relative step. */
	for (depth = 0; depth < 30; depth++) {
		must(mkdir("dd"), "mkdir level %d", depth);
		must(chdir("dd"), "chdir level %d", depth);
	}
	make_file("bottom", 19, 10);
	must(unlink("bottom"), "unlink");
	for (depth = 0; depth < 30; depth++) {
		must(chdir(".."), "chdir ..");
		must(unlink("dd"), "unlink level %d", depth);
	}
}

/* Fill directory d with n names for one file, check and remove them. */
static void
grow_directory(int n)
{
	char name[24];
	int i;

	must(mkdir("d"), "mkdir");
	make_file("d/f", 20, 10);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "d/l%d", i);
		must(link("d/f", name), "link number %d", i);
	}
	if (xstat("d/f").nlink != n + 1)
		fail("%d links: nlink %d", n, xstat("d/f").nlink);
	if ((int)xstat("d").size < (n + 3) * (int)sizeof(struct dirent))
		fail("directory of %d entries is %lu bytes", n + 3,
		     (unsigned long)xstat("d").size);
	for (i = n - 1; i >= 0; i -= 7) {
		snprintf(name, sizeof(name), "d/l%d", i);
		if (xstat(name).ino != xstat("d/f").ino)
			fail("%s names the wrong file", name);
	}
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "d/l%d", i);
		must(unlink(name), "unlink %s", name);
	}
	must(unlink("d/f"), "unlink d/f");
	must(unlink("d"), "unlink d");
}

/* A directory of more than one block. */
static void
dir_grows(void)
{
	grow_directory(BSIZE / sizeof(struct dirent) + 50);
}

/* A directory larger than its direct blocks can hold. */
static void
dir_past_direct_blocks(void)
{
	grow_directory(NDIRECT * (BSIZE / sizeof(struct dirent)) + 100);
}

/* The current directory can be removed; nothing new appears in it. */
static void
dir_removed_cwd(void)
{
	make_file("kept", 1, 100);
	must(mkdir("gone"), "mkdir");
	must(chdir("gone"), "chdir");
	must(unlink("../gone"), "unlink the current directory");
	expect_error(open("f", O_CREATE | O_RDWR), ENOENT, "create in a removed directory");
	expect_error(mkdir("d"), ENOENT, "mkdir in a removed directory");
	/* A link there would keep kept's inode and blocks with no path to them. */
	expect_error(link("../kept", "f"), ENOENT, "link into a removed directory");
	if (xstat("../kept").nlink != 1)
		fail("a refused link changed nlink to %d", xstat("../kept").nlink);
	must(chdir(".."), "chdir .. from a removed directory");
	expect_error(chdir("gone"), ENOENT, "chdir back");
	must(unlink("kept"), "unlink kept");
}

/* ==== file-system limits ==================================================== */

static void
fd_table_full_emfile(void)
{
	int fds[NOFILE], fd, i, n, open_before = 0, p[2];

	for (fd = 0; fd < NOFILE; fd++)
		open_before += fd_open(fd);
	make_file("f", 21, 1);
	for (n = 0; n < NOFILE + 5; n++) {
		if ((fds[n % NOFILE] = open("f", O_RDONLY)) < 0)
			break;
	}
	if (n != NOFILE - open_before)
		fail("opened %d files with %d open, want %d", n, open_before,
		     NOFILE - open_before);
	expect_error(open("f", O_RDONLY), EMFILE, "open with a full table");
	expect_error(dup(0), EMFILE, "dup with a full table");
	expect_error(pipe(p), EMFILE, "pipe with a full table");
	close(fds[0]);
	/* One slot is not enough for a pipe, and the failure leaks nothing. */
	expect_error(pipe(p), EMFILE, "pipe with one free slot");
	fd = xopen("f", O_RDONLY);
	if (fd != fds[0])
		fail("the freed slot was not reused (%d, want %d)", fd, fds[0]);
	for (i = 0; i < n; i++)
		close(fds[i]);
	must(pipe(p), "pipe after closing");
	close(p[0]);
	close(p[1]);
	unlink("f");
}

/*
 * Many processes open distinct files until the system's file table is
 * full: someone must see ENFILE, and everything must recover.
 */
#define ENFILE_CHILDREN 12

static void
hold_files(int id, int report, int release)
{
	char name[16];
	int got = 0, err = 0;

	for (;;) {
		snprintf(name, sizeof(name), "f%d.%d", id, got);
		if (open(name, O_CREATE | O_RDWR) < 0) {
			err = errno;
			break;
		}
		got++;
	}
	if (err != EMFILE && err != ENFILE)
		fail("child %d: open: %s", id, errname(err));
	write(report, &err, sizeof(err));
	read(release, buf, 1);   /* hold the files until EOF */
	exit(0);
}

static void
file_table_full_enfile(void)
{
	int report[2], release[2], i, err, nenfile = 0, j, fd;
	char name[16];

	must(pipe(report), "pipe");
	must(pipe(release), "pipe");
	for (i = 0; i < ENFILE_CHILDREN; i++)
		if (xfork() == 0) {
			close(release[1]);
			hold_files(i, report[1], release[0]);
		}
	close(release[0]);
	for (i = 0; i < ENFILE_CHILDREN; i++) {
		if (read(report[0], &err, sizeof(err)) != sizeof(err))
			fail("a child did not report");
		nenfile += err == ENFILE;
	}
	if (nenfile == 0)
		fail("%d processes opened files, nobody saw ENFILE", ENFILE_CHILDREN);
	expect_error(pipe(release), ENFILE, "pipe with the file table full");
	close(release[1]);
	reap_all(ENFILE_CHILDREN, "a child holding files");
	close(report[0]);
	close(report[1]);
	fd = xopen("f0.0", O_RDONLY);
	close(fd);
	for (i = 0; i < ENFILE_CHILDREN; i++)
		for (j = 0; j < NOFILE; j++) {
			snprintf(name, sizeof(name), "f%d.%d", i, j);
			unlink(name);
		}
}

/* Create files until the inodes run out; then free them all. */
static void
fs_out_of_inodes(void)
{
	struct sysinfo start = xsysinfo();
	char name[16];
	int n, fd = 0, i;

	must(mkdir("d"), "mkdir");
	for (n = 0; n < (int)start.totalinodes + 10; n++) {
		snprintf(name, sizeof(name), "d/%d", n);
		if ((fd = open(name, O_CREATE | O_RDWR)) < 0)
			break;
		close(fd);
	}
	if (fd >= 0 || errno != ENOSPC)
		fail("creating %d files: %s, want ENOSPC", n,
		     fd >= 0 ? "no error" : errname(errno));
	if (xsysinfo().freeinodes != 0)
		fail("ENOSPC with %u inodes free", xsysinfo().freeinodes);
	if ((uint)n + 1 != start.freeinodes)
		fail("made %d files with %u inodes free", n, start.freeinodes);
	expect_error(mkdir("d2"), ENOSPC, "mkdir with no inodes");
	expect_error(mknod("dev", CONSOLE, 0), ENOSPC, "mknod with no inodes");
	/* Existing files still work. */
	must(link("d/0", "d/zero"), "link with no inodes");
	fd = xopen("d/0", O_RDWR);
	must(write(fd, "still", 5), "write with no inodes");
	close(fd);
	must(unlink("d/zero"), "unlink");
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "d/%d", i);
		must(unlink(name), "unlink %s", name);
	}
	must(unlink("d"), "unlink d");
	if (xsysinfo().freeinodes != start.freeinodes ||
	    xsysinfo().freeblocks != start.freeblocks)
		fail("after cleaning up: %u inodes and %u blocks free, want %u and %u",
		     xsysinfo().freeinodes, xsysinfo().freeblocks,
		     start.freeinodes, start.freeblocks);
}

/* ==== console and devices ================================================== */

static void
console_read_write(void)
{
	const char *msg = "usertests: a line written to /dev/console\n";
	int fd = xopen("/dev/console", O_RDWR);
	struct stat st = xfstat(fd);

	if (st.type != T_DEVICE)
		fail("/dev/console has type %d", st.type);
	if (must(write(fd, msg, strlen(msg)), "write") != (int)strlen(msg))
		fail("short console write");
	if (write(fd, msg, 0) != 0 || read(fd, buf, 0) != 0)
		fail("console transfers of 0 bytes");
	close(fd);
}

/* A process waiting for console input can be killed. */
static void
console_reader_killed(void)
{
	int pid, fd = xopen("/dev/console", O_RDONLY);

	if ((pid = xfork()) == 0) {
		read(fd, buf, 1);
		exit(0);
	}
	kill_and_reap(pid, "a child reading the console");
	close(fd);
}

/*
 * kill stops a long write to the console within a chunk.  A child starts
 * writing 1 MiB of dots to the console and is killed: it must be gone
 * long before the serial line could have taken the megabyte (about 15 s
 * under QEMU); a killed writer used to go on to the end.  The bound is
 * generous, 2 s, since the right answer takes milliseconds.
 */
static void
console_write_stops_when_killed(void)
{
	const int n = 1 << 20;
	int ready[2], pid, fd = xopen("/dev/console", O_WRONLY);
	uint start;
	char *dots, c;

	must(pipe(ready), "pipe");
	if ((pid = xfork()) == 0) {
		if ((dots = sbrk(n)) == (char *)-1)
			fail("sbrk %d", n);
		memset(dots, '.', n);
		write(ready[1], "r", 1);
		write(fd, dots, n);
		exit(0);
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		fail("the writer did not start");
	close(ready[0]);
	start = uptime();
	must(kill(pid), "kill the writer");
	if (wait_pid(pid) != -1)
		fail("the killed writer did not exit with -1");
	write(fd, "\n", 1);
	close(fd);
	if (uptime() - start > 2 * TICK_HZ)
		fail("a killed console write went on for %u ticks",
		     (uint)(uptime() - start));
}

static void
dev_mknod(void)
{
	const char *msg = "usertests: a line written through a new console node\n";
	int fd;

	must(mknod("cons", CONSOLE, 0), "mknod");
	if (xstat("cons").type != T_DEVICE)
		fail("mknod made type %d", xstat("cons").type);
	fd = xopen("cons", O_WRONLY);
	if (must(write(fd, msg, strlen(msg)), "write") != (int)strlen(msg))
		fail("short write to the new node");
	close(fd);
	/* O_CREATE on an existing device opens it. */
	fd = xopen("cons", O_CREATE | O_WRONLY);
	close(fd);
	expect_error(mknod("cons", CONSOLE, 0), EEXIST, "mknod an existing name");
	expect_error(mknod("bad", NDEV, 0), EINVAL, "mknod major NDEV");
	expect_error(mknod("bad", -1, 0), EINVAL, "mknod major -1");
	/* A node whose major has no driver opens, but cannot be used. */
	must(mknod("nodrv", NDEV - 1, 0), "mknod without a driver");
	fd = xopen("nodrv", O_RDWR);
	expect_error(read(fd, buf, 1), ENODEV, "read a device without a driver");
	expect_error(write(fd, buf, 1), ENODEV, "write a device without a driver");
	close(fd);
	must(unlink("nodrv"), "unlink");
	must(unlink("cons"), "unlink");
}

/* ==== time and system information ========================================== */

static void
time_sleep_ticks(void)
{
	int start, slept;

	start = uptime();
	must(sleep(10), "sleep 10");
	slept = uptime() - start;
	if (slept < 10)
		fail("sleep(10) returned after %d ticks", slept);
	must(sleep(0), "sleep 0");
	expect_error(sleep(-1), EINVAL, "sleep -1");
}

static void
time_uptime_advances(void)
{
	int t0 = uptime(), t1 = t0, i;

	if (t0 <= 0)
		fail("uptime is %d", t0);
	for (i = 0; i < 100 && (t1 = uptime()) == t0; i++)
		sleep(1);
	if (t1 <= t0)
		fail("uptime stuck at %d", t0);
}

static void
sysinfo_sane(void)
{
	struct sysinfo s = xsysinfo();

	if (s.ncpu < 1 || s.ncpu > NCPU)
		fail("ncpu %u", s.ncpu);
	if (s.nproc < 3 || s.nproc > NPROC)
		fail("nproc %u", s.nproc);
	if (s.freepages == 0 || s.freepages > s.totalpages)
		fail("freepages %lu of %lu", (unsigned long)s.freepages,
		     (unsigned long)s.totalpages);
	if (s.freeblocks > s.totalblocks || s.totalblocks >= FSBLOCKS ||
	    s.totalblocks < FSBLOCKS / 2)
		fail("freeblocks %u of %u", s.freeblocks, s.totalblocks);
	if (s.freeinodes >= s.totalinodes)
		fail("freeinodes %u of %u", s.freeinodes, s.totalinodes);
}

/*
 * A commit orders its writes with cache flushes (the disk caches writes),
 * and fsync waits for the commit: it returns 0 for any open descriptor,
 * EBADF for a bad one, and by then the file's blocks have been written.
 */
static void
fs_commit_flushes_and_fsync(void)
{
	struct sysinfo before, after;
	int fd;

	before = xsysinfo();
	make_file("f", 5, 3000);
	after = xsysinfo();
	if (after.diskflushes - before.diskflushes < 4)
		fail("creating a file flushed the disk cache %lu times, want 4 or more",
		     (unsigned long)(after.diskflushes - before.diskflushes));
	fd = xopen("f", O_RDWR);
	if (write(fd, "x", 1) != 1)
		fail("write: %s", errname(errno));
	before = xsysinfo();
	must(fsync(fd), "fsync");
	after = xsysinfo();
	if (after.diskwrites != before.diskwrites)
		fail("fsync with nothing pending wrote %lu times",
		     (unsigned long)(after.diskwrites - before.diskwrites));
	must(fsync(0), "fsync the console");
	expect_error(fsync(99), EBADF, "fsync(99)");
	expect_error(fsync(-1), EBADF, "fsync(-1)");
	close(fd);
	expect_error(fsync(fd), EBADF, "fsync of a closed descriptor");
	must(unlink("f"), "unlink f");
}

/* ==== the runner ============================================================ */

struct test {
	const char *name;
	void (*fn)(void);
	bool slow;   /* left out by -q */
};

#define QUICK(fn) { #fn, fn, false }
#define SLOW(fn)  { #fn, fn, true }

static const struct test tests[] = {
	/* user pointers and the user address space */
	QUICK(uptr_read_buffer),
	QUICK(uptr_write_buffer),
	QUICK(uptr_path_args),
	QUICK(uptr_unterminated_string),
	QUICK(uptr_struct_out),
	QUICK(uptr_struct_out_every_byte_set),
	QUICK(uptr_exec_argv),
	QUICK(uptr_range_crosses_heap_end),
	QUICK(mem_user_cannot_read_kernel),
	QUICK(mem_user_cannot_write_protected),
	QUICK(mem_no_execute_data),
	QUICK(mem_stack_guard_page),
	QUICK(mem_stack_overflow_kills),
	/* memory */
	QUICK(mem_bss_zero_data_initialised),
	QUICK(sbrk_grow_zeroed),
	QUICK(sbrk_shrink_and_regrow),
	QUICK(sbrk_shrink_frees_page_tables),
	QUICK(sbrk_below_heap_start),
	QUICK(sbrk_huge_enomem),
	QUICK(sbrk_all_memory_twice),
	QUICK(sbrk_shrunk_heap_unreachable),
	QUICK(lazy_gigabyte_costs_nothing),
	QUICK(lazy_touch_any_order),
	QUICK(lazy_shrink_partly_touched),
	QUICK(lazy_kernel_copies_touch),
	QUICK(lazy_fork_partly_touched),
	QUICK(lazy_exec_after_growth),
	QUICK(lazy_exhaustion_by_touching),
	QUICK(lazy_kernel_out_of_memory),
	QUICK(malloc_free_reuse),
	/* processes */
	QUICK(proc_fork_exit_status),
	QUICK(proc_wait_no_children),
	QUICK(proc_fork_copies_memory),
	QUICK(proc_kill_sleeping),
	QUICK(proc_kill_running),
	QUICK(proc_kill_blocked),
	QUICK(proc_kill_self_and_no_such_pid),
	QUICK(proc_kill_init_refused),
	QUICK(proc_pgroup_errors),
	QUICK(proc_orphan_reparented),
	QUICK(proc_fork_table_full),
	QUICK(proc_fork_out_of_memory),
	QUICK(proc_preempt_spinner),
	QUICK(proc_many_on_many_harts),
	QUICK(proc_identity_under_preemption),
	QUICK(proc_fault_kills_only_the_process),
	QUICK(proc_bad_syscall_number),
	/* exec */
	QUICK(exec_missing_or_not_a_file),
	QUICK(exec_args_passed),
	QUICK(exec_argument_limits),
	QUICK(exec_keeps_descriptors),
	QUICK(exec_bad_elf),
	QUICK(exec_sparse_address_space),
	/* pipes */
	QUICK(pipe_megabytes_in_order),
	QUICK(pipe_eof_after_writers_close),
	QUICK(pipe_epipe_after_readers_close),
	QUICK(pipe_many_readers_writers),
	QUICK(pipe_full_at_exit),
	QUICK(pipe_wrong_end_ebadf),
	/* files */
	QUICK(file_write_read_back),
	QUICK(file_overwrite_in_place),
	QUICK(file_trunc_frees_blocks),
	QUICK(file_append),
	QUICK(file_offset_shared_by_fork_and_dup),
	QUICK(file_four_writers_concurrently),
	QUICK(file_concurrent_create_unlink),
	QUICK(file_unlinked_while_open),
	QUICK(file_write_stops_when_killed),
	QUICK(file_link_counts),
	QUICK(file_link_max),
	QUICK(file_errors),
	QUICK(file_write_larger_than_log),
	QUICK(file_double_indirect),
	SLOW(file_largest_possible),
	/* directories */
	QUICK(dir_dot_and_dotdot),
	QUICK(dir_remove_nonempty),
	QUICK(dir_name_length_limit),
	QUICK(dir_path_length_limit),
	QUICK(dir_grows),
	SLOW(dir_past_direct_blocks),
	SLOW(dir_link_max),
	QUICK(dir_removed_cwd),
	/* file-system limits */
	QUICK(fd_table_full_emfile),
	QUICK(file_table_full_enfile),
	QUICK(fs_commit_flushes_and_fsync),
	SLOW(fs_out_of_inodes),
	/* console and devices */
	QUICK(console_read_write),
	QUICK(console_reader_killed),
	QUICK(console_write_stops_when_killed),
	QUICK(dev_mknod),
	/* time and system information */
	QUICK(time_sleep_ticks),
	QUICK(time_uptime_advances),
	QUICK(sysinfo_sane),
};

#define NTESTS (int)(sizeof(tests) / sizeof(tests[0]))

/* What the system had free, to compare before and after. */
struct usage {
	uint64 pages;
	uint blocks;
	uint inodes;
};

static struct usage
usage_now(void)
{
	struct sysinfo s;

	if (sysinfo(&s) < 0) {
		fprintf(2, "usertests: sysinfo: %s\n", strerror(errno));
		exit(1);
	}
	return (struct usage){ s.freepages, s.freeblocks, s.freeinodes };
}

/* Describe in why how after differs from before; false if it does not. */
static bool
usage_changed(struct usage before, struct usage after, char *why, int size)
{
	if (before.pages != after.pages)
		snprintf(why, size, "leaked %ld memory pages",
			 (long)(before.pages - after.pages));
	else if (before.blocks != after.blocks)
		snprintf(why, size, "leaked %d disk blocks",
			 (int)(before.blocks - after.blocks));
	else if (before.inodes != after.inodes)
		snprintf(why, size, "leaked %d inodes",
			 (int)(before.inodes - after.inodes));
	else
		return false;
	return true;
}

/* Does directory path hold anything besides . and ..? */
static bool
dir_nonempty(const char *path)
{
	struct dirent de;
	int fd = open(path, O_RDONLY);
	bool found = false;

	if (fd < 0)
		return false;
	while (!found && read(fd, &de, sizeof(de)) == sizeof(de))
		found = de.inum != 0 && strcmp(de.name, ".") != 0 &&
		        strcmp(de.name, "..") != 0;
	close(fd);
	return found;
}

/* Turn the reasons a test's processes reported into one line. */
static void
read_reasons(int fd, char *why, int size)
{
	int n = read(fd, why, size - 1), i;

	if (n <= 0) {
		snprintf(why, size, "no reason given");
		return;
	}
	while (n > 0 && why[n - 1] == '\n')
		n--;
	why[n] = 0;
	for (i = 0; i < n; i++)
		if (why[i] == '\n')
			why[i] = ';';
}

/* Run test t in a child; print its line; return true if it passed. */
static bool
run_test(const struct test *t, uint nproc)
{
	struct usage before, after;
	char why[300];
	int fds[2], pid, status;

	remove_tree(SCRATCH);
	before = usage_now();
	if (mkdir(SCRATCH) < 0 || pipe(fds) < 0 || (pid = fork()) < 0) {
		printf("test %s: FAILED: cannot start it: %s\n", t->name,
		       strerror(errno));
		return false;
	}
	if (pid == 0) {
		close(fds[0]);
		report_fd = fds[1];
		if (chdir(SCRATCH) < 0)
			fail("chdir %s: %s", SCRATCH, errname(errno));
		t->fn();
		exit(0);
	}
	close(fds[1]);
	while (wait(&status) != pid)
		;
	why[0] = 0;
	if (status == FAIL_STATUS)
		read_reasons(fds[0], why, sizeof(why));
	else if (status == -1)
		snprintf(why, sizeof(why), "killed");
	else if (status != 0)
		snprintf(why, sizeof(why), "exit status %d", status);
	close(fds[0]);

	if (!await_nproc(nproc) && why[0] == 0)
		snprintf(why, sizeof(why), "its processes did not all exit");
	if (dir_nonempty(SCRATCH) && why[0] == 0)
		snprintf(why, sizeof(why), "left files behind");
	remove_tree(SCRATCH);
	after = usage_now();
	if (why[0] == 0)
		usage_changed(before, after, why, sizeof(why));
	if (why[0] != 0) {
		printf("test %s: FAILED: %s\n", t->name, why);
		return false;
	}
	printf("test %s: OK\n", t->name);
	return true;
}

/* Is test t chosen by the options and the names or prefixes given? */
static bool
selected(const struct test *t, char **names, int nnames)
{
	int i;

	if (quick && t->slow)
		return false;
	if (nnames == 0)
		return true;
	for (i = 0; i < nnames; i++)
		if (strncmp(t->name, names[i], strlen(names[i])) == 0)
			return true;
	return false;
}

/* One pass over the selected tests; returns the number that failed. */
static int
run_all(char **names, int nnames, uint nproc, int *passed)
{
	int i, failed = 0;

	for (i = 0; i < NTESTS; i++) {
		if (!selected(&tests[i], names, nnames))
			continue;
		if (run_test(&tests[i], nproc))
			(*passed)++;
		else
			failed++;
	}
	return failed;
}

static void
usage(void)
{
	fprintf(2, "usage: usertests [-q] [-c] [-l] [name-or-prefix...]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	bool loop = false, list = false;
	struct usage start, end;
	char why[100];
	int i, passed = 0, failed, nsel = 0;
	uint nproc;

	first_brk = (uint64)sbrk(0);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-q") == 0)
			quick = true;
		else if (strcmp(argv[i], "-c") == 0)
			loop = true;
		else if (strcmp(argv[i], "-l") == 0)
			list = true;
		else
			usage();
	}
	for (int t = 0; t < NTESTS; t++) {
		if (!selected(&tests[t], argv + i, argc - i))
			continue;
		nsel++;
		if (list)
			printf("%s\n", tests[t].name);
	}
	if (list)
		return 0;
	if (nsel == 0) {
		fprintf(2, "usertests: no test matches\n");
		return 2;
	}

	nproc = xsysinfo().nproc;
	remove_tree(SCRATCH);
	start = usage_now();
	printf("usertests: %d tests\n", nsel);
	do {
		failed = run_all(argv + i, argc - i, nproc, &passed);
	} while (loop && failed == 0);

	end = usage_now();
	if (usage_changed(start, end, why, sizeof(why))) {
		printf("test leak_check: FAILED: the whole run %s\n", why);
		failed++;
	} else {
		printf("test leak_check: OK\n");
		passed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	printf(failed == 0 ? "ALL TESTS PASSED\n" : "SOME TESTS FAILED\n");
	return failed == 0 ? 0 : 1;
}
