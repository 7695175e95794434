/*
 * user/ls.c: list directories and describe files.
 *
 * usage: ls [path...]
 *
 * For a directory, prints one line per entry, "." and ".." included:
 * the name padded to DIRSIZ characters, the type (dir, file or dev), the
 * inode number and the size in bytes.  For any other file, prints the
 * same line about the file itself.  With no path, lists ".".  With
 * several paths, each directory's listing follows a "path:" heading.
 */
#include "user/user.h"
#include "include/fs_format.h"

static const char *
type_name(int type)
{
	if (type == T_DIR)
		return "dir";
	if (type == T_FILE)
		return "file";
	if (type == T_DEVICE)
		return "dev";
	return "?";
}

static void
print_entry(const char *name, const struct stat *st)
{
	printf("%-*s %-4s %5u %lu\n", DIRSIZ, name, type_name(st->type),
	       st->ino, (unsigned long)st->size);
}

/* List the entries of the directory open as fd, whose path is dir. */
static int
list_dir(int fd, const char *dir)
{
	char path[MAXPATH], name[DIRSIZ + 1];
	struct dirent de;
	struct stat st;
	int n, status = 0;

	while ((n = read(fd, &de, sizeof(de))) == sizeof(de)) {
		if (de.inum == 0)
			continue;
		memmove(name, de.name, DIRSIZ);
		name[DIRSIZ] = 0;
		if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
		    (int)sizeof(path)) {
			fprintf(2, "ls: %s/%s: %s\n", dir, name,
			        strerror(ENAMETOOLONG));
			status = 1;
		} else if (stat(path, &st) < 0) {
			fprintf(2, "ls: %s: %s\n", path, strerror(errno));
			status = 1;
		} else {
			print_entry(name, &st);
		}
	}
	if (n < 0) {
		fprintf(2, "ls: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	return status;
}

/* List path; heading says whether to put its name above a listing. */
static int
ls(const char *path, bool heading)
{
	struct stat st;
	int fd, status;

	if ((fd = open(path, O_RDONLY)) < 0) {
		fprintf(2, "ls: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (fstat(fd, &st) < 0) {
		fprintf(2, "ls: %s: %s\n", path, strerror(errno));
		close(fd);
		return 1;
	}
	if (st.type != T_DIR) {
		print_entry(path, &st);
		status = 0;
	} else {
		if (heading)
			printf("%s:\n", path);
		status = list_dir(fd, path);
	}
	close(fd);
	return status;
}

int
main(int argc, char **argv)
{
	int i, status = 0;

	if (argc < 2)
		return ls(".", false);
	for (i = 1; i < argc; i++)
		status |= ls(argv[i], argc > 2);
	return status;
}
