/*
 * user/grep.c: print the lines that match a pattern.
 *
 * usage: grep [-c] [-n] [-v] pattern [file...]
 *
 *   -c   print only how many lines were selected
 *   -n   put each line's number before it
 *   -v   select the lines that do not match
 *
 * Patterns are a small part of regular expressions:
 *
 *   c    any other character matches itself
 *   .    matches any character
 *   x*   zero or more of x (a character or '.')
 *   ^    at the start of the pattern: the match must begin the line
 *   $    at the end of the pattern: the match must end the line
 *
 * A line matches when the pattern matches some part of it.  With several
 * files each output line starts with the file's name.  Lines longer than
 * the buffer are handled as several lines.  The exit status is 0 when a
 * line was selected, 1 when none was, 2 on an error.
 */
#include "user/user.h"

struct options {
	bool count;
	bool number;
	bool invert;
	bool names;     /* several files: show the name on each line */
};

static char buf[1024];

static bool match_at(const char *re, const char *text);

/* Does the pattern atom a match the character c (not the line's end)? */
static bool
atom_matches(char a, char c)
{
	return c != 0 && (a == '.' || a == c);
}

/*
 * The pattern is "a*" followed by rest: take as many a's from text as
 * there are, then give them back one by one until rest matches.
 */
static bool
match_repeat(char a, const char *rest, const char *text)
{
	const char *end = text;

	while (atom_matches(a, *end))
		end++;
	for (;;) {
		if (match_at(rest, end))
			return true;
		if (end == text)
			return false;
		end--;
	}
}

/* Does pattern re match text from its first character on? */
static bool
match_at(const char *re, const char *text)
{
	for (; *re != 0; re++, text++) {
		if (re[1] == '*')
			return match_repeat(re[0], re + 2, text);
		if (re[0] == '$' && re[1] == 0)
			return *text == 0;
		if (!atom_matches(re[0], *text))
			return false;
	}
	return true;
}

/* Does pattern re match some part of line? */
static bool
matches(const char *re, const char *line)
{
	if (re[0] == '^')
		return match_at(re + 1, line);
	for (;; line++) {
		if (match_at(re, line))
			return true;
		if (*line == 0)
			return false;
	}
}

/* Apply the pattern to one line; returns 1 when it is selected, else 0. */
static int
select_line(const char *re, char *line, int lineno, const char *name,
            struct options *o)
{
	if (matches(re, line) == o->invert)
		return 0;
	if (o->count)
		return 1;
	if (o->names)
		printf("%s:", name);
	if (o->number)
		printf("%d:", lineno);
	printf("%s\n", line);
	return 1;
}

/* Search the file open as fd.  Returns the lines selected, or -1. */
static int
grep_fd(const char *re, int fd, const char *name, struct options *o)
{
	int n, have = 0, lineno = 0, selected = 0;
	char *start, *nl;

	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		have += n;
		start = buf;
		while ((nl = memchr(start, '\n', buf + have - start)) != NULL) {
			*nl = 0;
			selected += select_line(re, start, ++lineno, name, o);
			start = nl + 1;
		}
		have -= start - buf;
		memmove(buf, start, have);
		if (have == sizeof(buf) - 1) {
			buf[have] = 0;
			selected += select_line(re, buf, ++lineno, name, o);
			have = 0;
		}
	}
	if (n < 0) {
		fprintf(2, "grep: %s: %s\n", name, strerror(errno));
		return -1;
	}
	if (have > 0) {
		buf[have] = 0;
		selected += select_line(re, buf, ++lineno, name, o);
	}
	if (o->count && o->names)
		printf("%s:%d\n", name, selected);
	else if (o->count)
		printf("%d\n", selected);
	return selected;
}

/* Set o from the option letters in arg ("-cn"); false on an unknown one. */
static bool
parse_options(const char *arg, struct options *o)
{
	for (arg++; *arg != 0; arg++) {
		if (*arg == 'c')
			o->count = true;
		else if (*arg == 'n')
			o->number = true;
		else if (*arg == 'v')
			o->invert = true;
		else
			return false;
	}
	return true;
}

static int
usage(void)
{
	fprintf(2, "usage: grep [-c] [-n] [-v] pattern [file...]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct options o = { false, false, false, false };
	int i = 1, fd, n, found = 0, failed = 0;
	const char *re;

	for (; i < argc && argv[i][0] == '-' && argv[i][1] != 0; i++) {
		if (!parse_options(argv[i], &o))
			return usage();
	}
	if (i == argc)
		return usage();
	re = argv[i++];
	o.names = argc - i > 1;
	if (i == argc) {
		n = grep_fd(re, 0, "standard input", &o);
		return n < 0 ? 2 : n > 0 ? 0 : 1;
	}
	for (; i < argc; i++) {
		if ((fd = open(argv[i], O_RDONLY)) < 0) {
			fprintf(2, "grep: %s: %s\n", argv[i], strerror(errno));
			failed = 1;
			continue;
		}
		if ((n = grep_fd(re, fd, argv[i], &o)) < 0)
			failed = 1;
		else
			found += n;
		close(fd);
	}
	return failed ? 2 : found > 0 ? 0 : 1;
}
