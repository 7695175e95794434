/*
 * user/find.c: find the files with a given name in a directory tree.
 *
 * usage: find dir name
 *
 * Prints, one a line, the path of every file, directory or device below
 * dir whose last component is name, as dir followed by the components
 * that lead to it ("find . b" prints "./b" and "./a/b").  It walks into
 * every subdirectory except "." and "..", which name the directory itself
 * and its parent: walking into them would never end.  The exit status is
 * 0, or 1 when some part of the tree could not be read (find says which
 * and goes on with the rest).
 *
 * Each directory stays open while find searches the ones below it, so a
 * tree deeper than about NOFILE levels ends in "too many open files".
 */
#include "user/user.h"
#include "include/fs_format.h"

static int find(const char *dir, const char *name);

/* Set *out to path/entry; false (and a message) when it is too long. */
static bool
join(char *out, const char *path, const char *entry)
{
	if (snprintf(out, MAXPATH, "%s/%s", path, entry) < MAXPATH)
		return true;
	fprintf(2, "find: %s/%s: %s\n", path, entry, strerror(ENAMETOOLONG));
	return false;
}

/* Visit entry, found in directory dir: print it if it is called name, and
 * search it if it is a directory.  Returns find's exit status. */
static int
visit(const char *dir, const char *entry, const char *name)
{
	char path[MAXPATH];
	struct stat st;

	if (strcmp(entry, ".") == 0 || strcmp(entry, "..") == 0)
		return 0;
	if (!join(path, dir, entry))
		return 1;
	if (strcmp(entry, name) == 0)
		printf("%s\n", path);
	if (stat(path, &st) < 0) {
		fprintf(2, "find: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (st.type == T_DIR)
		return find(path, name);
	return 0;
}

/* Open directory dir for reading; -1 (and a message) if it cannot be. */
static int
open_dir(const char *dir)
{
	struct stat st;
	int fd, err;

	if ((fd = open(dir, O_RDONLY)) < 0) {
		fprintf(2, "find: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0)
		err = errno;
	else if (st.type != T_DIR)
		err = ENOTDIR;
	else
		return fd;
	fprintf(2, "find: %s: %s\n", dir, strerror(err));
	close(fd);
	return -1;
}

/* Search directory dir, and every directory below it, for name. */
static int
find(const char *dir, const char *name)
{
	char entry[DIRSIZ + 1];
	struct dirent de;
	int fd, n, status = 0;

	if ((fd = open_dir(dir)) < 0)
		return 1;
	while ((n = read(fd, &de, sizeof(de))) == sizeof(de)) {
		if (de.inum == 0)
			continue;
		memmove(entry, de.name, DIRSIZ);
		entry[DIRSIZ] = 0;
		status |= visit(dir, entry, name);
	}
	if (n < 0) {
		fprintf(2, "find: %s: %s\n", dir, strerror(errno));
		status = 1;
	}
	close(fd);
	return status;
}

int
main(int argc, char **argv)
{
	if (argc != 3 || argv[2][0] == 0 || strchr(argv[2], '/') != NULL) {
		fprintf(2, "usage: find dir name\n");
		return 2;
	}
	return find(argv[1], argv[2]);
}
