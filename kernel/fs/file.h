/*
 * kernel/fs/file.h: open files (the system-wide file table) and device drivers
 * reachable through device files.
 */
#ifndef KERNEL_FS_FILE_H
#define KERNEL_FS_FILE_H

#include "include/types.h"
#include "include/param.h"

struct stat;

struct file {
	enum { FD_NONE, FD_PIPE, FD_INODE, FD_DEVICE } type;
	int ref;                  /* [ftable.lock] references (dup, fork) */
	bool readable;
	bool writable;
	bool append;              /* O_APPEND: writes go to the end */
	struct pipe *pipe;        /* FD_PIPE */
	struct inode *ip;         /* FD_INODE and FD_DEVICE */
	uint off;                 /* FD_INODE: [ip->lock] current offset */
	short major;              /* FD_DEVICE */
};

/* A driver for device files with this major number. */
struct devsw {
	int (*read)(bool user_dst, uint64 dst, int n);
	int (*write)(bool user_src, uint64 src, int n);
};

extern struct devsw devsw[NDEV];

void file_init(void);
struct file *filealloc(void);           /* NULL when the table is full */
struct file *filedup(struct file *f);
void fileclose(struct file *f);
int  filestat(struct file *f, uint64 addr);     /* 0 or -EFAULT */
int  fileread(struct file *f, uint64 addr, int n);
int  filewrite(struct file *f, uint64 addr, int n);

#endif /* KERNEL_FS_FILE_H */
