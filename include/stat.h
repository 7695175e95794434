/*
 * include/stat.h: what fstat() reports about a file, and the file types.
 * The same type values are stored in on-disk inodes (include/fs_format.h).
 */
#ifndef INCLUDE_STAT_H
#define INCLUDE_STAT_H

#include "include/types.h"

#define T_DIR     1   /* directory */
#define T_FILE    2   /* regular file */
#define T_DEVICE  3   /* device file: major and minor pick the driver */

struct stat {
	int    dev;     /* file system's disk device */
	uint   ino;     /* inode number */
	short  type;    /* T_DIR, T_FILE or T_DEVICE */
	short  nlink;   /* number of directory entries naming the file */
	uint64 size;    /* size of file in bytes */
};

#endif /* INCLUDE_STAT_H */
