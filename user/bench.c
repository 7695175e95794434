/*
 * bench: measure kernel paths in instructions, for `make bench`.
 *
 *   bench [name...]
 *
 * Each benchmark reads the hart's instruction counter (rdinstret) before
 * and after a loop of operations and prints instructions per operation.
 * Under `make bench` QEMU counts instructions exactly (-icount) on a
 * single hart, so the count includes everything the operation costs: user
 * code, the trap path, the kernel, the other processes it wakes.  The
 * disk benchmarks count write requests through sysinfo() instead.
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

static void
report(const char *name, uint64 instructions, uint64 ops, const char *unit,
       uint64 target)
{
	uint64 whole = instructions / ops;
	uint64 tenths = (instructions * 10 / ops) % 10;

	printf("%-22s %8lu.%lu instructions/%s   (target <= %lu)\n", name,
	       (unsigned long)whole, (unsigned long)tenths, unit, (unsigned long)target);
}

static void
bench_getpid(void)
{
	int n = 20000;
	uint64 start = rdinstret();

	for (int i = 0; i < n; i++)
		getpid();
	report("getpid", rdinstret() - start, n, "call", 300);
}

/* Parent and child bounce one byte back and forth over two pipes. */
static void
bench_pipe_roundtrip(void)
{
	int n = 2000, to_child[2], to_parent[2];
	char c = 'x';
	uint64 start;

	if (pipe(to_child) < 0 || pipe(to_parent) < 0)
		die("pipe");
	if (fork() == 0) {
		for (int i = 0; i < n; i++)
			if (read(to_child[0], &c, 1) != 1 || write(to_parent[1], &c, 1) != 1)
				die("child pipe");
		exit(0);
	}
	start = rdinstret();
	for (int i = 0; i < n; i++)
		if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1)
			die("parent pipe");
	report("pipe round trip", rdinstret() - start, n, "trip", 5000);
	wait(0);
	close(to_child[0]); close(to_child[1]);
	close(to_parent[0]); close(to_parent[1]);
}

/* A child writes 8 MiB into a pipe in 64 KiB writes; the parent reads it. */
static void
bench_pipe_throughput(void)
{
	int total = 8 * MIB, fds[2], got = 0, n;
	uint64 start;

	if (pipe(fds) < 0)
		die("pipe");
	start = rdinstret();
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
	report("pipe throughput", rdinstret() - start, total, "byte", 5);
}

static void
bench_fork(void)
{
	int n = 200;
	uint64 start = rdinstret();

	for (int i = 0; i < n; i++) {
		int pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0)
			exit(0);
		wait(0);
	}
	report("fork+exit+wait", rdinstret() - start, n, "op", 150000);
}

static void
bench_exec(void)
{
	int n = 100;
	char *argv[] = { "true", 0 };
	uint64 start = rdinstret();

	for (int i = 0; i < n; i++) {
		int pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			exec("/bin/true", argv);
			die("exec /bin/true");
		}
		wait(0);
	}
	report("fork+exec+wait", rdinstret() - start, n, "op", 500000);
}

/* Read a 256 KiB file (it fits the buffer cache) once to warm the cache,
 * then measure re-reading it. */
static void
bench_reread(void)
{
	int size = 256 * KIB, rounds = 16, fd;
	uint64 start;

	if ((fd = open("bench.tmp", O_CREATE | O_TRUNC | O_RDWR)) < 0)
		die("bench.tmp");
	for (int done = 0; done < size; done += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			die("write bench.tmp");
	close(fd);
	start = 0;
	for (int r = -1; r < rounds; r++) {
		if (r == 0)
			start = rdinstret();
		if ((fd = open("bench.tmp", O_RDONLY)) < 0)
			die("bench.tmp");
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	report("cached file re-read", rdinstret() - start, (uint64)size * rounds, "byte", 1);
	unlink("bench.tmp");
}

static uint64
disk_writes(void)
{
	struct sysinfo info;

	if (sysinfo(&info) < 0)
		die("sysinfo");
	return info.diskwrites;
}

/* Disk write requests per file-system operation. */
static void
bench_disk_writes(void)
{
	int n = 20, fd;
	uint64 before;
	char name[16];

	before = disk_writes();
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "bw%d", i);
		if ((fd = open(name, O_CREATE | O_WRONLY)) < 0)
			die(name);
		close(fd);
	}
	printf("%-22s %8lu writes/op  (create an empty file)\n", "disk writes: create",
	       (unsigned long)((disk_writes() - before) / n));
	before = disk_writes();
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "bw%d", i);
		if ((fd = open(name, O_WRONLY)) < 0 || write(fd, buf, 4096) != 4096)
			die(name);
		close(fd);
	}
	printf("%-22s %8lu writes/op  (first 4 KiB block of a file)\n", "disk writes: write",
	       (unsigned long)((disk_writes() - before) / n));
	before = disk_writes();
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "bw%d", i);
		if (unlink(name) < 0)
			die(name);
	}
	printf("%-22s %8lu writes/op  (remove a one-block file)\n", "disk writes: unlink",
	       (unsigned long)((disk_writes() - before) / n));
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
	{ "reread", bench_reread },
	{ "diskwrites", bench_disk_writes },
};

#define NBENCH (sizeof(benchmarks) / sizeof(benchmarks[0]))

int
main(int argc, char *argv[])
{
	for (int i = 0; i < NBENCH; i++) {
		bool wanted = argc == 1;
		for (int a = 1; a < argc; a++)
			if (strcmp(argv[a], benchmarks[i].name) == 0)
				wanted = true;
		if (wanted)
			benchmarks[i].fn();
	}
	return 0;
}
