/*
 * user/lockstat.c: print the kernel's lock statistics.
 *
 * usage: lockstat [NAME...]
 *
 * Prints one line per lock name (include/lockstat.h): how often locks of
 * that name were taken since boot, how many of those acquisitions found
 * the lock held and had to spin, and how many failed tries the spinning
 * made.  The most contended lock comes first; names never contended come
 * after, the busiest first.  With NAMEs, prints only their rows, and
 * fails (exit status 1) if one of them has none.
 *
 *   $ lockstat
 *   lock                       acquires   contended       spins
 *   proc                          41234         310       18204
 *   kmem                          20511          97        4410
 *   ...
 */
#include "user/user.h"

/* The rows, fetched whole: lockstat() says how many there are, and a
 * lock initialised between two calls only makes the second one bigger. */
static struct lockstat *
fetch_rows(int *nrows)
{
	struct lockstat *rows = NULL;
	int n = 0, have;

	for (;;) {
		have = lockstat(rows, n);
		if (have < 0) {
			fprintf(2, "lockstat: lockstat: %s\n", strerror(errno));
			exit(1);
		}
		if (have <= n)
			break;
		free(rows);
		n = have + 4;
		rows = malloc(n * sizeof(*rows));
		if (rows == NULL) {
			fprintf(2, "lockstat: out of memory\n");
			exit(1);
		}
	}
	*nrows = have;
	return rows;
}

/* Does row a come before row b: more contended, or as contended and busier? */
static bool
before(const struct lockstat *a, const struct lockstat *b)
{
	if (a->contended != b->contended)
		return a->contended > b->contended;
	return a->acquires > b->acquires;
}

/* Insertion sort: there are a few dozen rows at most. */
static void
sort_rows(struct lockstat *rows, int n)
{
	for (int i = 1; i < n; i++) {
		struct lockstat row = rows[i];
		int j = i;

		for (; j > 0 && before(&row, &rows[j - 1]); j--)
			rows[j] = rows[j - 1];
		rows[j] = row;
	}
}

static void
print_row(const struct lockstat *row)
{
	printf("%-24s %11lu %11lu %11lu\n", row->name,
	       (unsigned long)row->acquires, (unsigned long)row->contended,
	       (unsigned long)row->spins);
}

/* The row named name, or NULL. */
static const struct lockstat *
find_row(const struct lockstat *rows, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(rows[i].name, name) == 0)
			return &rows[i];
	return NULL;
}

int
main(int argc, char *argv[])
{
	struct lockstat *rows;
	int n, status = 0;

	rows = fetch_rows(&n);
	sort_rows(rows, n);
	printf("%-24s %11s %11s %11s\n", "lock", "acquires", "contended", "spins");
	if (argc == 1) {
		for (int i = 0; i < n; i++)
			print_row(&rows[i]);
		exit(0);
	}
	for (int i = 1; i < argc; i++) {
		const struct lockstat *row = find_row(rows, n, argv[i]);

		if (row) {
			print_row(row);
		} else {
			fprintf(2, "lockstat: no lock named %s\n", argv[i]);
			status = 1;
		}
	}
	exit(status);
}
