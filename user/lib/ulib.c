/*
 * user/lib/ulib.c: the odds and ends of the user library: atoi, is_number,
 * gets, stat, remove_tree, rand_below, and the ASCII character classes.
 */
#include "user/user.h"
#include "include/fs_format.h"   /* struct dirent */

/*
 * The decimal number at the start of s, after any spaces and an optional
 * sign, as C's atoi reads it; 0 if there is none.  Out-of-range values
 * wrap rather than trap.
 */
int
atoi(const char *s)
{
	unsigned int value = 0;
	bool negative = false;

	while (isspace((uchar)*s))
		s++;
	if (*s == '-' || *s == '+') {
		negative = *s == '-';
		s++;
	}
	for (; isdigit((uchar)*s); s++)
		value = value * 10 + (*s - '0');
	return (int)(negative ? 0u - value : value);
}

/* Is s a non-empty string of decimal digits (a count, a pid)? */
bool
is_number(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isdigit((uchar)*s))
			return false;
	return true;
}

/*
 * Read a line from fd 0 into buf, which holds max bytes: up to and
 * including the newline, or max-1 bytes, or what is there before end of
 * file or an error.  buf is always NUL-terminated (when max > 0); an empty
 * string means end of file.  Reads a byte at a time, so nothing past the
 * line is consumed.
 */
char *
gets(char *buf, int max)
{
	int i = 0;
	char c;

	if (max <= 0)
		return buf;
	while (i + 1 < max && read(0, &c, 1) == 1) {
		buf[i++] = c;
		if (c == '\n')
			break;
	}
	buf[i] = '\0';
	return buf;
}

/* Fill *st for the file at path; 0, or -1 with errno set. */
int
stat(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY);
	int r;

	if (fd < 0)
		return -1;
	r = fstat(fd, st);
	close(fd);
	return r;
}

/*
 * Is fd a terminal?  The console is rivet's only device, so any device
 * file is one.  1 or 0, as in Unix.
 */
int
isatty(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.type == T_DEVICE;
}

/*
 * Remove path and, for a directory, everything in it; 0, or -1 with errno
 * set when path is still there.  unlink comes first, and only a directory
 * that is not empty is opened and walked: opening a device without a
 * driver fails, but unlinking it works.
 */
int
remove_tree(const char *path)
{
	char child[MAXPATH];
	struct dirent de;
	int fd;

	if (unlink(path) == 0)
		return 0;
	if (errno != ENOTEMPTY || (fd = open(path, O_RDONLY)) < 0)
		return -1;
	while (read(fd, &de, sizeof(de)) == sizeof(de)) {
		if (de.inum == 0 || strcmp(de.name, ".") == 0 ||
		    strcmp(de.name, "..") == 0)
			continue;
		snprintf(child, sizeof(child), "%s/%.*s", path, DIRSIZ, de.name);
		remove_tree(child);
	}
	close(fd);
	return unlink(path);
}

/*
 * A pseudo-random number in [0, n), n > 0, advancing the xorshift state
 * *state (which must not be 0).  The same seed gives the same sequence,
 * so a test that fails can be run again exactly.
 */
uint
rand_below(uint64 *state, uint n)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (uint)(*state >> 11) % n;
}

/*
 * The character classes, for ASCII.  Any other value, EOF included,
 * belongs to no class, and toupper/tolower return it unchanged.
 */
int
isdigit(int c)
{
	return c >= '0' && c <= '9';
}

/* Space, \t, \n, \v, \f and \r. */
int
isspace(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

int
isupper(int c)
{
	return c >= 'A' && c <= 'Z';
}

int
islower(int c)
{
	return c >= 'a' && c <= 'z';
}

int
isalpha(int c)
{
	return isupper(c) || islower(c);
}

int
isalnum(int c)
{
	return isalpha(c) || isdigit(c);
}

/* Every ASCII character but the controls: space through '~'. */
int
isprint(int c)
{
	return c >= ' ' && c <= '~';
}

int
toupper(int c)
{
	return islower(c) ? c - 'a' + 'A' : c;
}

int
tolower(int c)
{
	return isupper(c) ? c - 'A' + 'a' : c;
}
