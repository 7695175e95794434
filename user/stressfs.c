/*
 * user/stressfs.c: exercise the file system from several processes at once.
 *
 * usage: stressfs
 *
 * NCHILD children run at the same time.  Each writes its own file,
 * stressfs.N, in CHUNK-byte writes whose bytes depend on the child and
 * the offset (the file is big enough to need its indirect block), reads
 * it back and compares, and removes it.  Meanwhile each also creates,
 * writes, checks and removes NSMALL small files in one directory that all
 * children share, so their directory updates and inode allocations
 * interleave.  All of it runs concurrently through the log and the buffer
 * cache.
 *
 * Afterwards every disk block and inode the children used must be free
 * again.  Prints "stressfs OK" when every child found its data intact and
 * nothing leaked; otherwise a message saying what went wrong.
 */
#include "user/user.h"

#define NCHILD   6
#define NCHUNK 100       /* chunks per big file: 100 KB, past the direct blocks */
#define CHUNK  1000      /* bytes per write: not a divisor of BSIZE */
#define NSMALL  20       /* small files per child in the shared directory */
#define SHARED  "stressfs.d"

static char buf[CHUNK];

/* The expected contents of chunk i of child c's file. */
static void
fill(char *b, int c, int i)
{
	int j;

	for (j = 0; j < CHUNK; j++)
		b[j] = 'a' + (c * 7 + i * 3 + j) % 26;
}

static int
write_file(const char *name, int c, int nchunk)
{
	int fd, i;

	if ((fd = open(name, O_CREATE | O_TRUNC | O_WRONLY)) < 0) {
		fprintf(2, "stressfs: create %s: %s\n", name, strerror(errno));
		return -1;
	}
	for (i = 0; i < nchunk; i++) {
		fill(buf, c, i);
		if (write(fd, buf, CHUNK) != CHUNK) {
			fprintf(2, "stressfs: write %s: %s\n", name,
			        strerror(errno));
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

static int
check_file(const char *name, int c, int nchunk)
{
	static char want[CHUNK];
	int fd, i, n;

	if ((fd = open(name, O_RDONLY)) < 0) {
		fprintf(2, "stressfs: open %s: %s\n", name, strerror(errno));
		return -1;
	}
	for (i = 0; i < nchunk; i++) {
		fill(want, c, i);
		if ((n = read(fd, buf, CHUNK)) != CHUNK ||
		    memcmp(buf, want, CHUNK) != 0) {
			fprintf(2, "stressfs: %s: chunk %d is wrong\n", name,
			        i);
			close(fd);
			return -1;
		}
	}
	n = read(fd, buf, 1);
	close(fd);
	if (n != 0) {
		fprintf(2, "stressfs: %s: longer than written\n", name);
		return -1;
	}
	return 0;
}

/* Write, check and remove a file of nchunk chunks. */
static int
round_trip(const char *name, int c, int nchunk)
{
	if (write_file(name, c, nchunk) < 0 || check_file(name, c, nchunk) < 0)
		return -1;
	if (unlink(name) < 0) {
		fprintf(2, "stressfs: unlink %s: %s\n", name, strerror(errno));
		return -1;
	}
	return 0;
}

/* The work of child c; returns its exit status. */
static int
child(int c)
{
	char name[32];
	int i;

	snprintf(name, sizeof(name), "stressfs.%d", c);
	if (write_file(name, c, NCHUNK) < 0)
		return 1;
	for (i = 0; i < NSMALL; i++) {
		snprintf(name, sizeof(name), SHARED "/%d.%d", c, i);
		if (round_trip(name, c + i, 1) < 0)
			return 1;
	}
	snprintf(name, sizeof(name), "stressfs.%d", c);
	if (check_file(name, c, NCHUNK) < 0)
		return 1;
	if (unlink(name) < 0) {
		fprintf(2, "stressfs: unlink %s: %s\n", name, strerror(errno));
		return 1;
	}
	return 0;
}

static struct sysinfo
usage_now(void)
{
	struct sysinfo info;

	if (sysinfo(&info) < 0) {
		fprintf(2, "stressfs: sysinfo: %s\n", strerror(errno));
		exit(1);
	}
	return info;
}

int
main(void)
{
	struct sysinfo before = usage_now(), after;
	int c, pid, status, started = 0, failed = 0;

	if (mkdir(SHARED) < 0) {
		fprintf(2, "stressfs: mkdir %s: %s\n", SHARED, strerror(errno));
		return 1;
	}
	for (c = 0; c < NCHILD; c++) {
		if ((pid = fork()) < 0) {
			fprintf(2, "stressfs: fork: %s\n", strerror(errno));
			failed = 1;
			break;
		}
		if (pid == 0)
			exit(child(c));
		started++;
	}
	for (; started > 0; started--) {
		if (wait(&status) < 0 || status != 0)
			failed = 1;
	}
	if (unlink(SHARED) < 0) {
		fprintf(2, "stressfs: unlink %s: %s\n", SHARED, strerror(errno));
		failed = 1;
	}
	after = usage_now();
	if (after.freeblocks != before.freeblocks ||
	    after.freeinodes != before.freeinodes) {
		fprintf(2, "stressfs: %u blocks and %u inodes free after, "
		        "%u and %u before\n", after.freeblocks, after.freeinodes,
		        before.freeblocks, before.freeinodes);
		failed = 1;
	}
	if (failed) {
		fprintf(2, "stressfs: FAILED\n");
		return 1;
	}
	printf("stressfs OK\n");
	return 0;
}
