/*
 * user/stressfs.c: exercise the file system from several processes at once.
 *
 * usage: stressfs
 *
 * NCHILD children each write their own file, stressfs.N, in CHUNK-byte
 * writes whose bytes depend on the child and the offset, then read it
 * back and compare, then remove it.  The writes of all children run
 * concurrently through the log and the buffer cache.  Prints "stressfs OK"
 * when every child found its data intact.
 */
#include "user/user.h"

#define NCHILD   4
#define NCHUNK  40       /* chunks per file */
#define CHUNK  1000      /* bytes per write: not a divisor of BSIZE */

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
write_file(const char *name, int c)
{
	int fd, i;

	if ((fd = open(name, O_CREATE | O_TRUNC | O_WRONLY)) < 0) {
		fprintf(2, "stressfs: create %s: %s\n", name, strerror(errno));
		return -1;
	}
	for (i = 0; i < NCHUNK; i++) {
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
check_file(const char *name, int c)
{
	static char want[CHUNK];
	int fd, i, n;

	if ((fd = open(name, O_RDONLY)) < 0) {
		fprintf(2, "stressfs: open %s: %s\n", name, strerror(errno));
		return -1;
	}
	for (i = 0; i < NCHUNK; i++) {
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

/* The work of child c; returns its exit status. */
static int
child(int c)
{
	char name[16];

	snprintf(name, sizeof(name), "stressfs.%d", c);
	if (write_file(name, c) < 0 || check_file(name, c) < 0)
		return 1;
	if (unlink(name) < 0) {
		fprintf(2, "stressfs: unlink %s: %s\n", name, strerror(errno));
		return 1;
	}
	return 0;
}

int
main(void)
{
	int c, pid, status, started = 0, failed = 0;

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
	if (failed) {
		fprintf(2, "stressfs: FAILED\n");
		return 1;
	}
	printf("stressfs OK\n");
	return 0;
}
