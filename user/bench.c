/*
 * bench: measure kernel paths in instructions, for `make bench`.
 *
 *   bench [name...]
 *
 * Each benchmark reads the hart's instruction counter (rdinstret) before
 * and after a loop of operations and prints instructions per operation.
 * Under `make bench` QEMU counts instructions exactly (-icount) on a
 * single hart, so the count includes everything the operation costs: user
 * code, the trap path, the kernel, the other processes it wakes; all but
 * what the hart does while it has no process to run (below).  The disk
 * benchmarks count write requests through sysinfo() instead.
 *
 * Two things keep the figures the same from run to run.  Every loop runs
 * a few times before it is timed (warm-up), so that the blocks it reads
 * are in the buffer cache and its pages exist.  And under -icount the
 * instruction counter is virtual time: a hart idle in wfi, waiting for
 * the disk, counts too, by however long the host's disk took.  The kernel
 * keeps that count (sysinfo's idleinstret: from the moment a hart finds
 * nothing to run until it picks a process, the interrupts it handles
 * meanwhile included: a disk's completion interrupt, for one, when it
 * finds the hart idle), and every window subtracts it; a report says how
 * much idle time was taken out, when there was any.  What is left repeats
 * to within a clock tick, a few thousand instructions.  Each window also opens
 * just after a clock tick, so the ticks inside it are the same in every
 * run, wherever the run started.
 */
#include "user/user.h"

#define KIB 1024
#define MIB (1024 * KIB)

static char buf[64 * KIB];

static void
die(const char *what)
{
	fprintf(2, "bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The system's counters now (sysinfo). */
static struct sysinfo
counters(void)
{
	struct sysinfo info;

	if (sysinfo(&info) < 0)
		die("sysinfo");
	return info;
}

/* A timed window: the instruction counter and the idle count at its start. */
struct window {
	uint64 start, idle;
};

static struct window
window_open(void)
{
	struct window w;

	counters();    /* sysinfo reads the disk's bitmap and inodes: cache */
	               /* them, so the call below does not wait for the disk */
	               /* after it has read the idle count */
	sleep(1);      /* start just after a clock tick, so that every run */
	               /* takes the same number of ticks inside the window */
	w.idle = counters().idleinstret;
	w.start = rdinstret();
	return w;
}

/* Report instructions per operation since w opened, less idle time. */
static void
report(const char *name, struct window w, uint64 ops, const char *unit,
       uint64 target)
{
	uint64 end = rdinstret();
	uint64 idle = counters().idleinstret - w.idle;
	uint64 instructions = end - w.start - idle;
	uint64 whole = instructions / ops;
	uint64 tenths = (instructions * 10 / ops) % 10;

	printf("%-22s %8lu.%lu instructions/%s   (target <= %lu)", name,
	       (unsigned long)whole, (unsigned long)tenths, unit, (unsigned long)target);
	if (idle > 0)
		printf("   [%lu idle taken out]", (unsigned long)idle);
	printf("\n");
}

static void
bench_getpid(void)
{
	int n = 20000;
	struct window w;

	for (int i = 0; i < 100; i++)      /* warm-up */
		getpid();
	w = window_open();
	for (int i = 0; i < n; i++)
		getpid();
	report("getpid", w, n, "call", 300);
}

/* Parent and child bounce one byte back and forth over two pipes. */
static void
bench_pipe_roundtrip(void)
{
	int n = 2000, warm = 100, to_child[2], to_parent[2];
	char c = 'x';
	struct window w = { 0, 0 };

	if (pipe(to_child) < 0 || pipe(to_parent) < 0)
		die("pipe");
	if (fork() == 0) {
		for (int i = 0; i < warm + n; i++)
			if (read(to_child[0], &c, 1) != 1 || write(to_parent[1], &c, 1) != 1)
				die("child pipe");
		exit(0);
	}
	for (int i = -warm; i < n; i++) {
		if (i == 0)
			w = window_open();
		if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1)
			die("parent pipe");
	}
	report("pipe round trip", w, n, "trip", 5000);
	wait(0);
	close(to_child[0]); close(to_child[1]);
	close(to_parent[0]); close(to_parent[1]);
}

/* A child writes 8 MiB into a pipe in 64 KiB writes; the parent reads it. */
static void
bench_pipe_throughput(void)
{
	int total = 8 * MIB, fds[2], got = 0, n;
	struct window w;

	if (pipe(fds) < 0)
		die("pipe");
	w = window_open();     /* the first bench warmed fork and pipes up */
	if (fork() == 0) {
		close(fds[0]);
		for (int sent = 0; sent < total; sent += sizeof(buf))
			if (write(fds[1], buf, sizeof(buf)) != sizeof(buf))
				die("pipe write");
		exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof(buf))) > 0)
		got += n;
	wait(0);
	close(fds[0]);
	if (got != total)
		die("pipe lost data");
	report("pipe throughput", w, total, "byte", 5);
}

static void
fork_exit_wait(void)
{
	int pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0)
		exit(0);
	wait(0);
}

static void
bench_fork(void)
{
	int n = 200;
	struct window w;

	for (int i = 0; i < 10; i++)
		fork_exit_wait();
	w = window_open();
	for (int i = 0; i < n; i++)
		fork_exit_wait();
	report("fork+exit+wait", w, n, "op", 150000);
}

static void
fork_exec_wait(void)
{
	char *argv[] = { "true", 0 };
	int pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		exec("/bin/true", argv);
		die("exec /bin/true");
	}
	wait(0);
}

/* The warm-up reads /bin/true into the buffer cache. */
static void
bench_exec(void)
{
	int n = 100;
	struct window w;

	for (int i = 0; i < 10; i++)
		fork_exec_wait();
	w = window_open();
	for (int i = 0; i < n; i++)
		fork_exec_wait();
	report("fork+exec+wait", w, n, "op", 500000);
}

/*
 * The cost of a lazy heap page's first touch: the page fault, allocating
 * and zeroing the page, mapping it (and, once per 2 MiB, a page-table
 * page), and the return.  Each round grows the heap by 8 MiB, stores one
 * byte in every page, and gives it back; only the stores are timed per
 * page, but the window holds the sbrk calls too (two per 2,048 pages).
 */
static void
touch_8mib(void)
{
	char *p = sbrk(8 * MIB);

	if (p == (char *)-1)
		die("sbrk 8 MiB");
	for (int i = 0; i < 8 * MIB; i += 4096)
		p[i] = 1;
	if (sbrk(-8 * MIB) == (char *)-1)
		die("sbrk -8 MiB");
}

static void
bench_pagefault(void)
{
	int rounds = 4;
	struct window w;

	touch_8mib();                       /* warm-up */
	w = window_open();
	for (int i = 0; i < rounds; i++)
		touch_8mib();
	report("page fault (1st touch)", w, (uint64)rounds * 8 * MIB / 4096, "page", 2500);
}

/* Growing the heap by 8 MiB and shrinking it back, nothing touched: with
 * lazy allocation, two system calls that move a number. */
static void
bench_sbrk(void)
{
	int n = 1000;
	struct window w;

	for (int i = 0; i < 10; i++) {      /* warm-up */
		sbrk(8 * MIB);
		sbrk(-8 * MIB);
	}
	w = window_open();
	for (int i = 0; i < n; i++) {
		if (sbrk(8 * MIB) == (char *)-1 || sbrk(-8 * MIB) == (char *)-1)
			die("sbrk 8 MiB");
	}
	report("sbrk 8 MiB and back", w, n, "op", 6000);
}

/* Read a 256 KiB file (it fits the buffer cache) once to warm the cache,
 * then measure re-reading it. */
static void
bench_reread(void)
{
	int size = 256 * KIB, rounds = 16, fd;
	struct window w = { 0, 0 };

	if ((fd = open("bench.tmp", O_CREATE | O_TRUNC | O_RDWR)) < 0)
		die("bench.tmp");
	for (int done = 0; done < size; done += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			die("write bench.tmp");
	close(fd);
	for (int r = -1; r < rounds; r++) {
		if (r == 0)
			w = window_open();
		if ((fd = open("bench.tmp", O_RDONLY)) < 0)
			die("bench.tmp");
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	report("cached file re-read", w, (uint64)size * rounds, "byte", 1);
	unlink("bench.tmp");
}

/*
 * Write a 1 MiB file from the start in 64 KiB writes: the instructions per
 * byte, and the disk write requests.  A warm-up pass writes it first, so
 * the measured pass finds the inode, the bitmap and the indirect blocks
 * cached (O_TRUNC frees the data blocks before the window opens).  The
 * writes wait for the disk, and the time the hart spends idle meanwhile
 * is taken out (see the top of this file): the figure repeats to within a
 * clock tick, a few thousand instructions in two million.
 */
static void
bench_filewrite(void)
{
	int size = MIB, fd;
	uint64 writes = 0;
	struct window w = { 0, 0 };

	for (int pass = 0; pass < 2; pass++) {
		if ((fd = open("bench.w", O_CREATE | O_TRUNC | O_WRONLY)) < 0)
			die("bench.w");
		if (pass == 1) {
			writes = counters().diskwrites;
			w = window_open();
		}
		for (int done = 0; done < size; done += sizeof(buf))
			if (write(fd, buf, sizeof(buf)) != sizeof(buf))
				die("write bench.w");
		close(fd);
	}
	report("file write", w, size, "byte", 2);
	printf("%-22s %8lu writes/MiB  (a 1 MiB file in 64 KiB writes)\n",
	       "disk writes: file", (unsigned long)(counters().diskwrites - writes));
	unlink("bench.w");
}

/* Disk write requests per file-system operation. */
static void
bench_disk_writes(void)
{
	int n = 20, fd;
	uint64 before;
	char name[16];

	before = counters().diskwrites;
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "bw%d", i);
		if ((fd = open(name, O_CREATE | O_WRONLY)) < 0)
			die(name);
		close(fd);
	}
	printf("%-22s %8lu writes/op  (create an empty file)\n", "disk writes: create",
	       (unsigned long)((counters().diskwrites - before) / n));
	before = counters().diskwrites;
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "bw%d", i);
		if ((fd = open(name, O_WRONLY)) < 0 || write(fd, buf, 4096) != 4096)
			die(name);
		close(fd);
	}
	printf("%-22s %8lu writes/op  (first 4 KiB block of a file)\n", "disk writes: write",
	       (unsigned long)((counters().diskwrites - before) / n));
	before = counters().diskwrites;
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "bw%d", i);
		if (unlink(name) < 0)
			die(name);
	}
	printf("%-22s %8lu writes/op  (remove a one-block file)\n", "disk writes: unlink",
	       (unsigned long)((counters().diskwrites - before) / n));
}

/*
 * Instructions since the machine was switched on, less idle time: under
 * make bench's -icount, what the firmware and the kernel took to boot to
 * the shell (plus the shell's reading of this command and this program's
 * start, a few thousand).  Not run by default: make bench runs it at two
 * memory sizes, since the cost of boot depends on the size of RAM.
 */
static void
bench_boot(void)
{
	uint64 now = rdinstret();

	printf("%-22s %8lu instructions   (%lu MiB of RAM to manage)\n", "boot to the prompt",
	       (unsigned long)(now - counters().idleinstret),
	       (unsigned long)(counters().totalpages * 4096 >> 20));
}

static const struct {
	const char *name;
	void (*fn)(void);
} benchmarks[] = {
	{ "getpid", bench_getpid },
	{ "pipe", bench_pipe_roundtrip },
	{ "pipethroughput", bench_pipe_throughput },
	{ "fork", bench_fork },
	{ "exec", bench_exec },
	{ "pagefault", bench_pagefault },
	{ "sbrk", bench_sbrk },
	{ "reread", bench_reread },
	{ "filewrite", bench_filewrite },
	{ "diskwrites", bench_disk_writes },
	{ "boot", bench_boot },          /* only when named */
};

#define NBENCH (sizeof(benchmarks) / sizeof(benchmarks[0]))

int
main(int argc, char *argv[])
{
	for (int i = 0; i < NBENCH; i++) {
		bool wanted = argc == 1 && benchmarks[i].fn != bench_boot;
		for (int a = 1; a < argc; a++)
			if (strcmp(argv[a], benchmarks[i].name) == 0)
				wanted = true;
		if (wanted)
			benchmarks[i].fn();
	}
	return 0;
}
