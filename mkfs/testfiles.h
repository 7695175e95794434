/*
 * mkfs/testfiles.h: what the host tests of mkfs and fsck (mkfs_test.c,
 * fsck_test.c) share: a private scratch directory, paths and files in it,
 * the exit status of a shell command, and a main body that runs the tests
 * in that directory and removes it afterwards.
 */
#ifndef MKFS_TESTFILES_H
#define MKFS_TESTFILES_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "include/unittest.h"

/* The scratch directory, made by run_tests_in_tmpdir. */
static char tmpdir[] = "/tmp/mkfs_tests.XXXXXX";

/* tmpdir/name, in a rotating set of static buffers. */
static inline const char *
tmp(const char *name)
{
	static char bufs[8][256];
	static int next;
	char *p = bufs[next++ % 8];

	snprintf(p, sizeof bufs[0], "%s/%s", tmpdir, name);
	return p;
}

/* Write n bytes of data to path, or give up on the whole run. */
static inline void
write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* Run a shell command: its exit status, or 256 when it did not exit. */
static inline int
shell_status(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : 256;
}

/* Make tmpdir, run every TEST of the suite (the test file's name),
 * remove tmpdir: main's return value. */
static inline int
run_tests_in_tmpdir(const char *suite)
{
	char cmd[512];
	int status;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	status = unittest_run_all(suite);
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", tmpdir);
	return status;
}

#endif /* MKFS_TESTFILES_H */
