/*
 * include/path.h: splitting path names into elements, shared by the
 * kernel's path lookup and by mkfs.
 */
#ifndef INCLUDE_PATH_H
#define INCLUDE_PATH_H

#include "include/types.h"
#include "include/fs_format.h"

/*
 * Copy the first element of path into name (DIRSIZ bytes, NUL-padded) and
 * return the rest of the path with leading slashes skipped, so that the
 * caller can check *rest == 0 to see whether this was the last element.
 * Returns NULL when there is no element left ("" or "///"), and sets
 * *too_long when the element is longer than DIRSIZ (the name is then
 * not usable).
 *
 *   path_element("a/bb/c", name)  ->  "bb/c", name "a"
 *   path_element("///a//bb", name) -> "bb",  name "a"
 *   path_element("a", name)       ->  "",    name "a"
 *   path_element("", name)        ->  NULL
 */
static inline const char *
path_element(const char *path, char name[DIRSIZ], bool *too_long)
{
	const char *start;
	size_t len, i;

	*too_long = false;
	while (*path == '/')
		path++;
	if (*path == 0)
		return NULL;
	start = path;
	while (*path != '/' && *path != 0)
		path++;
	len = path - start;
	if (len > DIRSIZ)
		*too_long = true;
	for (i = 0; i < DIRSIZ; i++)
		name[i] = i < len ? start[i] : 0;
	while (*path == '/')
		path++;
	return path;
}

/* Compare two directory-entry names of at most DIRSIZ bytes. */
static inline int
path_namecmp(const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < DIRSIZ; i++) {
		if (a[i] != b[i])
			return (unsigned char)a[i] - (unsigned char)b[i];
		if (a[i] == 0)
			return 0;
	}
	return 0;
}

#endif /* INCLUDE_PATH_H */
