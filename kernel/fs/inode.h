/*
 * kernel/fs/inode.h: the inode layer: files and directories on disk, the
 * in-memory inode cache, and path-name lookup (kernel/fs/inode.c).
 *
 * Reference counting versus locking: iget()/idup() take a reference that
 * keeps the in-memory inode from being reused; ilock() reads the inode from
 * disk if needed and locks its contents.  Callers hold a reference whenever
 * they hold a pointer, and the lock whenever they read or change the
 * contents.  Anything that may free an inode (iput of the last link) must
 * run inside a log operation (begin_op/end_op).
 */
#ifndef KERNEL_FS_INODE_H
#define KERNEL_FS_INODE_H

#include "include/types.h"
#include "include/fs_format.h"
#include "kernel/lock/sleeplock.h"

struct stat;

struct inode {
	/* [itable.lock] identity in the inode cache (kernel/fs/inode.c) */
	uint dev;
	uint inum;
	int ref;

	/* [lock] a copy of the disk inode, valid once `valid` is set */
	struct sleeplock lock;
	bool valid;
	bool loaded_readonly;     /* loaded after a failed write made the file
	                             system read-only (ilock explains) */
	short type;
	short major;
	short minor;
	short nlink;
	uint size;
	uint addrs[NADDRS];
};

/* Read and check the superblock, recover the log, scan the inodes. */
void fs_init(int dev);
/* Name damage found on the disk on the console ("fs: damaged: ..."), for an
 * operation that then fails; returns -EIO. */
int fs_damaged(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Count the free data blocks and free inodes (reads the bitmap and inodes). */
void fs_usage(uint dev, uint *freeblocks, uint *totalblocks, uint *freeinodes,
	      uint *totalinodes);

/* Allocate a fresh on-disk inode of type: 0 and *ipp (referenced,
 * unlocked), -ENOSPC when there is none, or -EIO. */
int ialloc(uint dev, short type, struct inode **ipp);
struct inode *iget(uint dev, uint inum);
struct inode *idup(struct inode *ip);
/* Lock ip, loading it from disk: 0, or -EIO (left unlocked) when the disk
 * cannot read it or it is damaged. */
int ilock(struct inode *ip);
void iunlock(struct inode *ip);
void iput(struct inode *ip);
/* The number of the inode whose cache entry sl locks, or -1 when sl is no
 * inode's lock (procdump names waits with it). */
int  inode_number(const struct sleeplock *sl);
void iunlockput(struct inode *ip);
void iupdate(struct inode *ip);
void itrunc(struct inode *ip);
void stati(struct inode *ip, struct stat *st);

/* Read/write n bytes at off; dst/src is a user address when user is true.
 * Return the bytes moved, or -EFAULT, -EIO (-ENOSPC, -EFBIG for writes). */
int readi(struct inode *ip, bool user_dst, uint64 dst, uint off, uint n);
int writei(struct inode *ip, bool user_src, uint64 src, uint off, uint n);

/* Directories (dp locked).  dirlookup: 0 and *ipp (referenced, unlocked),
 * -ENOENT or -EIO; *poff, when not NULL, gets the entry's offset. */
int dirlookup(struct inode *dp, const char *name, uint *poff, struct inode **ipp);
int dirlink(struct inode *dp, const char *name, uint inum);   /* 0 or -E */

/* Path lookup: 0 and *ipp (referenced, unlocked), or -ENOENT, -ENOTDIR,
 * -ENAMETOOLONG, -EIO.  nameiparent stores the last element in name. */
int namei(const char *path, struct inode **ipp);
int nameiparent(const char *path, char name[DIRSIZ], struct inode **ipp);

#endif /* KERNEL_FS_INODE_H */
