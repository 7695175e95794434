/*
 * user/wc.c: count lines, words and bytes.
 *
 * usage: wc [file...]
 *
 * Prints "lines words bytes name" for each file (no name for standard
 * input), and a "total" line when there are several files.  A word is a
 * run of characters other than blanks.
 */
#include "user/user.h"

struct counts {
	unsigned long lines;
	unsigned long words;
	unsigned long bytes;
};

static char buf[4096];

/* Count the file open as fd into *c.  Returns 0, or -1 on a read error. */
static int
count_fd(int fd, const char *name, struct counts *c)
{
	bool in_word = false;
	int n, i;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		c->bytes += n;
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n')
				c->lines++;
			if (isspace(buf[i])) {
				in_word = false;
			} else if (!in_word) {
				in_word = true;
				c->words++;
			}
		}
	}
	if (n < 0) {
		fprintf(2, "wc: %s: %s\n", name, strerror(errno));
		return -1;
	}
	return 0;
}

static void
print_counts(const struct counts *c, const char *name)
{
	printf("%lu %lu %lu%s%s\n", c->lines, c->words, c->bytes,
	       name != NULL ? " " : "", name != NULL ? name : "");
}

int
main(int argc, char **argv)
{
	struct counts total = { 0, 0, 0 }, c;
	int i, fd, status = 0;

	if (argc < 2) {
		if (count_fd(0, "standard input", &total) < 0)
			return 1;
		print_counts(&total, NULL);
		return 0;
	}
	for (i = 1; i < argc; i++) {
		if ((fd = open(argv[i], O_RDONLY)) < 0) {
			fprintf(2, "wc: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		c = (struct counts){ 0, 0, 0 };
		if (count_fd(fd, argv[i], &c) < 0)
			status = 1;
		else
			print_counts(&c, argv[i]);
		close(fd);
		total.lines += c.lines;
		total.words += c.words;
		total.bytes += c.bytes;
	}
	if (argc > 2)
		print_counts(&total, "total");
	return status;
}
