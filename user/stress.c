/*
 * user/stress.c: random system calls from parallel processes, checked.
 *
 * usage: stress SECONDS [PROCS]
 *
 * Starts PROCS workers (default: one more than the number of harts, at
 * least 3).  Until SECONDS have passed, each worker picks operations at
 * random and checks every result:
 *
 *   file    write a file of random size in its own directory, read it back
 *   unlink  remove one of its files
 *   shared  create, unlink, link, mkdir or read a name in a directory all
 *           workers share; races may lose, but only with the errors the
 *           names allow (ENOENT, EEXIST, ...)
 *   pipe    a child writes random data into a pipe; the worker reads it
 *   self    pid-stamped records round trip through a pipe of its own: each
 *           call must act for the process that made it, wherever the timer
 *           has moved it
 *   exit    a child exits with a random status; wait must report it
 *   exec    a child runs /bin/echo into a pipe; the worker checks the words
 *   sbrk    grow the heap, fill it, check it, shrink it back
 *   kill    kill a child that spins or sleeps; its status must be -1
 *   badptr  pass bad pointers to read, write, open and pipe: EFAULT
 *   dir     make a directory, chdir into it and back, remove it
 *   dup     duplicate and close descriptors
 *
 * A worker that sees anything wrong prints what and exits with status 1.
 * When all workers are done, stress removes its files and checks that
 * free memory, disk blocks and inodes are back where they started.  It
 * prints "stress: OK" (and the operation count) and exits 0, or
 * "stress: FAILED" and exits 1.  Workers are seeded by their number, so a
 * failing run can be repeated, give or take timing.
 */
#include "user/user.h"
#include "include/fs_format.h"
#include "include/addrspace.h"   /* addresses no user pointer may reach */

#define TOP      "/stress.d"
#define SHARED   TOP "/shared"
#define NNAMES   5            /* file names per directory */
#define MAXFILE_BYTES (3 * BSIZE + 500)
#define MAXPIPE_BYTES (3 * PIPESIZE)   /* a write that fills the ring thrice */
#define MAXPROCS 16
#define BUF_BYTES (MAXFILE_BYTES > MAXPIPE_BYTES ? MAXFILE_BYTES : MAXPIPE_BYTES)

static char wbuf[BUF_BYTES], rbuf[BUF_BYTES];
static int id;                /* this worker's number */
static uint64 rand_state;

static uint
rnd(uint n)
{
	return rand_below(&rand_state, n);
}

/* Report a failure of this worker and exit. */
static __attribute__((noreturn, format(printf, 1, 2))) void
die(const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(2, "stress: worker %d: %s\n", id, msg);
	exit(1);
}

static void
fill(char *p, int n, uint seed)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (char)((i * 2654435761u + seed) >> 24);
}

/* Read exactly n bytes from fd into p, or fewer at end of file. */
static int
read_all(int fd, char *p, int n)
{
	int got = 0, r;

	while (got < n && (r = read(fd, p + got, n - got)) > 0)
		got += r;
	return got;
}

/* ---- the operations ------------------------------------------------------ */

static void
op_file(void)
{
	char name[32];
	int n = rnd(MAXFILE_BYTES + 1), fd, got;
	uint seed = rnd(1 << 30);

	snprintf(name, sizeof(name), TOP "/w%d/f%d", id, rnd(NNAMES));
	fill(wbuf, n, seed);
	if ((fd = open(name, O_CREATE | O_TRUNC | O_WRONLY)) < 0)
		die("create %s: %s", name, strerror(errno));
	if (write(fd, wbuf, n) != n)
		die("write %s: %s", name, strerror(errno));
	close(fd);
	if ((fd = open(name, O_RDONLY)) < 0)
		die("open %s: %s", name, strerror(errno));
	got = read_all(fd, rbuf, sizeof(rbuf));
	close(fd);
	if (got != n || memcmp(wbuf, rbuf, n) != 0)
		die("%s: read back %d bytes, wrote %d, or they differ", name, got, n);
}

static void
op_unlink(void)
{
	char name[32];

	snprintf(name, sizeof(name), TOP "/w%d/f%d", id, rnd(NNAMES));
	if (unlink(name) < 0 && errno != ENOENT)
		die("unlink %s: %s", name, strerror(errno));
}

/* Fail unless the call failed with one of the errors races allow. */
static void
race_ok(int r, const char *what, const char *name)
{
	if (r >= 0)
		return;
	if (errno != ENOENT && errno != EEXIST && errno != EPERM &&
	    errno != ENOTEMPTY && errno != EISDIR)
		die("%s %s: %s", what, name, strerror(errno));
}

static void
op_shared(void)
{
	char a[32], b[32];
	int fd;

	snprintf(a, sizeof(a), SHARED "/n%d", rnd(NNAMES));
	snprintf(b, sizeof(b), SHARED "/n%d", rnd(NNAMES));
	switch (rnd(5)) {
	case 0:
		fd = open(a, O_CREATE | O_WRONLY);
		race_ok(fd, "create", a);
		if (fd >= 0) {
			if (write(fd, "x", 1) != 1)
				die("write %s: %s", a, strerror(errno));
			close(fd);
		}
		break;
	case 1:
		race_ok(unlink(a), "unlink", a);
		break;
	case 2:
		race_ok(link(a, b), "link", a);
		break;
	case 3:
		race_ok(mkdir(a), "mkdir", a);
		break;
	default:
		fd = open(a, O_RDONLY);
		race_ok(fd, "open", a);
		if (fd >= 0) {
			if (read(fd, rbuf, sizeof(rbuf)) < 0)
				die("read %s: %s", a, strerror(errno));
			close(fd);
		}
		break;
	}
}

/* Wait for child pid; it must exit with status want. */
static void
expect_status(int pid, int want, const char *what)
{
	int status;

	if (wait(&status) != pid)
		die("%s: wait: %s", what, strerror(errno));
	if (status != want)
		die("%s: status %d, want %d", what, status, want);
}

static void
op_pipe(void)
{
	int fds[2], pid, n = 1 + rnd(MAXPIPE_BYTES);
	uint seed = rnd(1 << 30);

	if (pipe(fds) < 0)
		die("pipe: %s", strerror(errno));
	if ((pid = fork()) < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		fill(wbuf, n, seed);
		exit(write(fds[1], wbuf, n) == n ? 0 : 1);
	}
	close(fds[1]);
	fill(wbuf, n, seed);
	if (read_all(fds[0], rbuf, n) != n || memcmp(wbuf, rbuf, n) != 0 ||
	    read(fds[0], rbuf, 1) != 0)
		die("pipe: %d bytes did not come through intact", n);
	close(fds[0]);
	expect_status(pid, 0, "pipe writer");
}

static void
op_self(void)
{
	int fds[2], rec[2], got[2], i, pid = getpid();

	if (pipe(fds) < 0)
		die("pipe: %s", strerror(errno));
	for (i = 0; i < 200; i++) {
		rec[0] = pid;
		rec[1] = i;
		if (write(fds[1], rec, sizeof(rec)) != sizeof(rec) ||
		    read(fds[0], got, sizeof(got)) != sizeof(got))
			die("own pipe: %s", strerror(errno));
		if (got[0] != pid || got[1] != i)
			die("own pipe: record %d of pid %d came back as pid %d's #%d",
			    i, pid, got[0], got[1]);
	}
	close(fds[0]);
	close(fds[1]);
}

static void
op_exit(void)
{
	int status = rnd(256) - 128, pid;

	if ((pid = fork()) < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		exit(status);
	expect_status(pid, status, "exit");
}

static void
op_exec(void)
{
	char w1[8], w2[8], want[20];
	char *argv[] = { "echo", w1, w2, NULL };
	int fds[2], pid, n;

	snprintf(w1, sizeof(w1), "%d", rnd(1000));
	snprintf(w2, sizeof(w2), "w%d", id);
	snprintf(want, sizeof(want), "%s %s\n", w1, w2);
	if (pipe(fds) < 0)
		die("pipe: %s", strerror(errno));
	if ((pid = fork()) < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(1);
		dup(fds[1]);
		close(fds[0]);
		close(fds[1]);
		exec("/bin/echo", argv);
		exit(127);
	}
	close(fds[1]);
	n = read_all(fds[0], rbuf, sizeof(rbuf) - 1);
	close(fds[0]);
	rbuf[n] = 0;
	if (strcmp(rbuf, want) != 0)
		die("exec echo: printed \"%s\"", rbuf);
	expect_status(pid, 0, "exec echo");
}

static void
op_sbrk(void)
{
	int n = (1 + rnd(64)) * PGSIZE;
	uchar *p = (uchar *)sbrk(n);
	int i;

	if (p == (uchar *)-1)
		return;   /* memory may be short with many workers: fine */
	for (i = 0; i < n; i += 512)
		p[i] = (uchar)(i / 512 + id);
	for (i = 0; i < n; i += 512)
		if (p[i] != (uchar)(i / 512 + id))
			die("sbrk: heap byte %d changed", i);
	if (sbrk(-n) == (char *)-1)
		die("sbrk -%d: %s", n, strerror(errno));
}

static void
op_kill(void)
{
	int pid, status;
	bool sleeper = rnd(2);

	if ((pid = fork()) < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (sleeper)
			sleep(100000);
		for (;;)
			asm volatile("");
	}
	if (kill(pid) < 0)
		die("kill %d: %s", pid, strerror(errno));
	if (wait(&status) != pid || status != -1)
		die("killed %s child: status %d", sleeper ? "sleeping" : "spinning",
		    status);
}

static void
op_badptr(void)
{
	static const uint64 bad[] = {
		0, KERNBASE, TRAPFRAME, TRAMPOLINE, MAXVA, 0xfffffffffffff000ULL,
	};
	uint64 a = bad[rnd(sizeof(bad) / sizeof(bad[0]))];
	int fds[2];

	if (pipe(fds) < 0)
		die("pipe: %s", strerror(errno));
	if (write(fds[1], (void *)a, 10) != -1 || errno != EFAULT)
		die("write from %p: not EFAULT", (void *)a);
	if (write(fds[1], "x", 1) != 1)
		die("write: %s", strerror(errno));
	if (read(fds[0], (void *)a, 1) != -1 || errno != EFAULT)
		die("read into %p: not EFAULT", (void *)a);
	close(fds[0]);
	close(fds[1]);
	if (open((char *)a, O_RDONLY) != -1 || errno != EFAULT)
		die("open(%p): not EFAULT", (void *)a);
	if (pipe((int *)a) != -1 || errno != EFAULT)
		die("pipe(%p): not EFAULT", (void *)a);
}

static void
op_dir(void)
{
	char name[32];
	int fd;

	snprintf(name, sizeof(name), TOP "/w%d/d", id);
	if (mkdir(name) < 0)
		die("mkdir %s: %s", name, strerror(errno));
	if (chdir(name) < 0)
		die("chdir %s: %s", name, strerror(errno));
	if ((fd = open("f", O_CREATE | O_RDWR)) < 0)
		die("create in %s: %s", name, strerror(errno));
	close(fd);
	if (unlink("f") < 0 || chdir("..") < 0)
		die("leaving %s: %s", name, strerror(errno));
	if (unlink(name) < 0)
		die("unlink %s: %s", name, strerror(errno));
}

static void
op_dup(void)
{
	int fds[NOFILE], n = 1 + rnd(8), i;

	for (i = 0; i < n; i++)
		if ((fds[i] = dup(1)) < 0)
			die("dup: %s", strerror(errno));
	for (i = 0; i < n; i++)
		if (close(fds[i]) < 0)
			die("close: %s", strerror(errno));
}

static const struct {
	const char *name;
	void (*fn)(void);
} ops[] = {
	{ "file", op_file }, { "unlink", op_unlink }, { "shared", op_shared },
	{ "pipe", op_pipe }, { "self", op_self }, { "exit", op_exit }, { "exec", op_exec },
	{ "sbrk", op_sbrk }, { "kill", op_kill }, { "badptr", op_badptr },
	{ "dir", op_dir }, { "dup", op_dup },
};

#define NOPS (int)(sizeof(ops) / sizeof(ops[0]))

/* A worker: random operations until the deadline; reports its count. */
static void
worker(int n, int deadline, int report)
{
	char dir[32];
	int count = 0;

	id = n;
	rand_state = 0x9e3779b97f4a7c15ULL * (n + 1);
	snprintf(dir, sizeof(dir), TOP "/w%d", id);
	if (mkdir(dir) < 0)
		die("mkdir %s: %s", dir, strerror(errno));
	while (uptime() < deadline) {
		ops[rnd(NOPS)].fn();
		count++;
	}
	write(report, &count, sizeof(count));
	exit(0);
}

/* ---- the parent ----------------------------------------------------------- */

static void
usage(void)
{
	fprintf(2, "usage: stress SECONDS [PROCS]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct sysinfo before, after;
	int seconds, nprocs, i, status, failed = 0, report[2], count, total = 0;
	int deadline;

	if (argc < 2 || argc > 3 || (seconds = atoi(argv[1])) <= 0)
		usage();
	if (sysinfo(&before) < 0) {
		fprintf(2, "stress: sysinfo: %s\n", strerror(errno));
		return 1;
	}
	nprocs = argc > 2 ? atoi(argv[2]) : (int)before.ncpu + 1;
	if (nprocs < 3 && argc == 2)
		nprocs = 3;
	if (nprocs < 1 || nprocs > MAXPROCS)
		usage();

	remove_tree(TOP);
	if (sysinfo(&before) < 0 || mkdir(TOP) < 0 || mkdir(SHARED) < 0 ||
	    pipe(report) < 0) {
		fprintf(2, "stress: setting up %s: %s\n", TOP, strerror(errno));
		return 1;
	}
	printf("stress: %d workers for %d seconds\n", nprocs, seconds);
	deadline = uptime() + seconds * TICK_HZ;
	for (i = 0; i < nprocs; i++) {
		int pid = fork();
		if (pid < 0) {
			fprintf(2, "stress: fork: %s\n", strerror(errno));
			failed = 1;
			break;
		}
		if (pid == 0)
			worker(i, deadline, report[1]);
	}
	close(report[1]);
	while (wait(&status) >= 0)
		if (status != 0)
			failed = 1;
	while (read(report[0], &count, sizeof(count)) == sizeof(count))
		total += count;
	close(report[0]);

	remove_tree(TOP);
	if (sysinfo(&after) < 0) {
		fprintf(2, "stress: sysinfo: %s\n", strerror(errno));
		return 1;
	}
	if (after.freepages != before.freepages || after.freeblocks != before.freeblocks ||
	    after.freeinodes != before.freeinodes) {
		fprintf(2, "stress: leaked %ld pages, %d blocks, %d inodes\n",
			(long)(before.freepages - after.freepages),
			(int)(before.freeblocks - after.freeblocks),
			(int)(before.freeinodes - after.freeinodes));
		failed = 1;
	}
	if (failed) {
		printf("stress: FAILED\n");
		return 1;
	}
	printf("stress: %d operations: OK\n", total);
	return 0;
}
