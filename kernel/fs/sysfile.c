/*
 * kernel/fs/sysfile.c: the file-system system calls.
 *
 * Each handler fetches its arguments with argint/argaddr/argstr, checks
 * them, and calls the file layer (file.c, pipe.c) or the inode layer
 * (inode.c).  Results go back in a0: a value, or -errno.
 *
 * Every call that may change the disk runs its work between begin_op() and
 * end_op(), so that its changes are atomic, and that includes calls that
 * only look a path up: dropping the last reference to an unlinked inode
 * frees it.  Error paths undo in reverse order through labels named for
 * what they undo, and always reach end_op().
 *
 * Lock order when two inodes are locked at once: a directory before the
 * inode one of its entries names (as path lookup does, one at a time).
 */
#include "include/types.h"
#include "include/param.h"
#include "include/fs_format.h"
#include "include/path.h"
#include "include/stat.h"
#include "include/fcntl.h"
#include "include/errno.h"
#include "include/string.h"
#include "kernel/lock/spinlock.h"
#include "kernel/lock/sleeplock.h"
#include "kernel/fs/log.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/file.h"
#include "kernel/fs/pipe.h"
#include "kernel/proc/proc.h"
#include "kernel/mem/vm.h"
#include "kernel/proc/syscall.h"
#include "kernel/lib/printf.h"

#define OPEN_FLAGS (O_ACCMODE | O_CREATE | O_TRUNC | O_APPEND)

/* Fetch file-descriptor argument n: its number and open file, or -EBADF. */
static int
argfd(int n, int *pfd, struct file **pf)
{
	struct file *f;
	int fd;

	argint(n, &fd);
	if (fd < 0 || fd >= NOFILE)
		return -EBADF;
	f = myproc()->ofile[fd];
	if (f == NULL)
		return -EBADF;
	if (pfd != NULL)
		*pfd = fd;
	*pf = f;
	return 0;
}

/* Give f the lowest free descriptor of the current process, or -EMFILE. */
static int
fdalloc(struct file *f)
{
	struct proc *p = myproc();
	int fd;

	for (fd = 0; fd < NOFILE; fd++) {
		if (p->ofile[fd] == NULL) {
			p->ofile[fd] = f;
			return fd;
		}
	}
	return -EMFILE;
}

uint64
sys_dup(void)
{
	struct file *f;
	int r, fd;

	r = argfd(0, NULL, &f);
	if (r < 0)
		return r;
	fd = fdalloc(f);
	if (fd < 0)
		return fd;
	filedup(f);
	return fd;
}

uint64
sys_read(void)
{
	struct file *f;
	uint64 addr;
	int r, n;

	r = argfd(0, NULL, &f);
	if (r < 0)
		return r;
	argaddr(1, &addr);
	argint(2, &n);
	if (n < 0)
		return -EINVAL;
	return fileread(f, addr, n);
}

uint64
sys_write(void)
{
	struct file *f;
	uint64 addr;
	int r, n;

	r = argfd(0, NULL, &f);
	if (r < 0)
		return r;
	argaddr(1, &addr);
	argint(2, &n);
	if (n < 0)
		return -EINVAL;
	return filewrite(f, addr, n);
}

uint64
sys_close(void)
{
	struct file *f;
	int r, fd;

	r = argfd(0, &fd, &f);
	if (r < 0)
		return r;
	myproc()->ofile[fd] = NULL;
	fileclose(f);
	return 0;
}

uint64
sys_fstat(void)
{
	struct file *f;
	uint64 addr;
	int r;

	r = argfd(0, NULL, &f);
	if (r < 0)
		return r;
	argaddr(1, &addr);
	return filestat(f, addr);
}

/* link(old, new): a second directory entry for the file old names. */
uint64
sys_link(void)
{
	char old[MAXPATH], new[MAXPATH], name[DIRSIZ];
	struct inode *ip, *dp;
	int r;

	r = argstr(0, old, MAXPATH);
	if (r < 0)
		return r;
	r = argstr(1, new, MAXPATH);
	if (r < 0)
		return r;

	begin_op();
	r = namei(old, &ip);
	if (r < 0)
		goto out_end_op;
	/*
	 * Count the new link before it exists: between writing the entry and
	 * raising nlink, a concurrent unlink of `old` could otherwise drop
	 * nlink to 0 (and free the inode) while `new` still names it.
	 */
	ilock(ip);
	if (ip->type == T_DIR) {
		iunlockput(ip);
		r = -EPERM;
		goto out_end_op;
	}
	ip->nlink++;
	iupdate(ip);
	iunlock(ip);

	r = nameiparent(new, name, &dp);
	if (r < 0)
		goto out_uncount;
	ilock(dp);
	if (dp->dev != ip->dev) {
		r = -EXDEV;
		goto out_unlockput_dp;
	}
	r = dirlink(dp, name, ip->inum);
	if (r < 0)
		goto out_unlockput_dp;
	iunlockput(dp);
	iput(ip);
	end_op();
	return 0;

out_unlockput_dp:
	iunlockput(dp);
out_uncount:
	ilock(ip);
	ip->nlink--;
	iupdate(ip);
	iunlockput(ip);
out_end_op:
	end_op();
	return r;
}

/* Does directory dp hold entries besides "." and ".."?  dp locked. */
static bool
dir_is_empty(struct inode *dp)
{
	struct dirent de;
	uint off;

	for (off = 0; off < dp->size; off += sizeof(de)) {
		if (readi(dp, false, (uint64)&de, off, sizeof(de)) != sizeof(de))
			panic("dir_is_empty: cannot read directory %u", dp->inum);
		if (de.inum != 0 && path_namecmp(de.name, ".") != 0 &&
		    path_namecmp(de.name, "..") != 0)
			return false;
	}
	return true;
}

/*
 * unlink(path): remove a directory entry; the file goes when its last link
 * and its last open reference are gone.  A directory must be empty.
 */
uint64
sys_unlink(void)
{
	char path[MAXPATH], name[DIRSIZ];
	struct inode *dp, *ip;
	struct dirent de;
	uint off;
	int r;

	r = argstr(0, path, MAXPATH);
	if (r < 0)
		return r;

	begin_op();
	r = nameiparent(path, name, &dp);
	if (r < 0)
		goto out_end_op;
	ilock(dp);
	if (path_namecmp(name, ".") == 0 || path_namecmp(name, "..") == 0) {
		r = -EINVAL;
		goto out_unlockput_dp;
	}
	ip = dirlookup(dp, name, &off);
	if (ip == NULL) {
		r = -ENOENT;
		goto out_unlockput_dp;
	}
	ilock(ip);
	if (ip->nlink < 1)
		panic("unlink: inode %u has nlink %d but an entry names it",
		      ip->inum, ip->nlink);
	if (ip->type == T_DIR && !dir_is_empty(ip)) {
		r = -ENOTEMPTY;
		goto out_unlockput_ip;
	}

	memset(&de, 0, sizeof(de));
	if (writei(dp, false, (uint64)&de, off, sizeof(de)) != sizeof(de))
		panic("unlink: cannot clear the entry in directory %u", dp->inum);
	/* The child's ".." no longer names dp; mkfs's counts may be short. */
	if (ip->type == T_DIR && dp->nlink > 1) {
		dp->nlink--;
		iupdate(dp);
	}
	iunlockput(dp);
	ip->nlink--;
	iupdate(ip);
	iunlockput(ip);
	end_op();
	return 0;

out_unlockput_ip:
	iunlockput(ip);
out_unlockput_dp:
	iunlockput(dp);
out_end_op:
	end_op();
	return r;
}

/*
 * Make a new inode of the given type, named path; return it locked in *ipp.
 * When path exists: for type T_FILE an existing file or device is returned
 * instead (open with O_CREATE); otherwise -EEXIST.  A new directory gets
 * "." and "..", and its parent's link count grows by one for the "..".
 * Inside an operation.
 */
static int
create(const char *path, short type, short major, short minor,
       struct inode **ipp)
{
	char name[DIRSIZ];
	struct inode *dp, *ip;
	int r;

	r = nameiparent(path, name, &dp);
	if (r < 0)
		return r;
	ilock(dp);
	ip = dirlookup(dp, name, NULL);
	if (ip != NULL) {
		/* Unlock dp first: ip is dp itself for "." (and ".." at the root). */
		iunlockput(dp);
		ilock(ip);
		if (type == T_FILE && (ip->type == T_FILE || ip->type == T_DEVICE)) {
			*ipp = ip;
			return 0;
		}
		iunlockput(ip);
		return -EEXIST;
	}
	if (dp->nlink == 0) {
		/* dp was unlinked while someone held on to it. */
		r = -ENOENT;
		goto out_unlockput_dp;
	}
	ip = ialloc(dp->dev, type);
	if (ip == NULL) {
		r = -ENOSPC;
		goto out_unlockput_dp;
	}

	ilock(ip);
	ip->major = major;
	ip->minor = minor;
	ip->nlink = 1;
	iupdate(ip);
	if (type == T_DIR) {
		r = dirlink(ip, ".", ip->inum);
		if (r < 0)
			goto out_free_ip;
		r = dirlink(ip, "..", dp->inum);
		if (r < 0)
			goto out_free_ip;
	}
	r = dirlink(dp, name, ip->inum);
	if (r < 0)
		goto out_free_ip;
	if (type == T_DIR) {
		dp->nlink++;
		iupdate(dp);
	}
	iunlockput(dp);
	*ipp = ip;
	return 0;

out_free_ip:
	/* No entry names it: the last iput frees it and any blocks. */
	ip->nlink = 0;
	iupdate(ip);
	iunlockput(ip);
out_unlockput_dp:
	iunlockput(dp);
	return r;
}

/* Check open's flags; set *readable and *writable.  0 or -EINVAL. */
static int
open_mode(int flags, bool *readable, bool *writable)
{
	int mode = flags & O_ACCMODE;

	if ((flags & ~OPEN_FLAGS) != 0 || mode == O_ACCMODE)
		return -EINVAL;
	*readable = mode == O_RDONLY || mode == O_RDWR;
	*writable = mode == O_WRONLY || mode == O_RDWR;
	return 0;
}

uint64
sys_open(void)
{
	char path[MAXPATH];
	struct inode *ip;
	struct file *f;
	bool readable, writable;
	int flags, fd, r;

	r = argstr(0, path, MAXPATH);
	if (r < 0)
		return r;
	argint(1, &flags);
	r = open_mode(flags, &readable, &writable);
	if (r < 0)
		return r;

	begin_op();
	if (flags & O_CREATE) {
		r = create(path, T_FILE, 0, 0, &ip);
		if (r < 0)
			goto out_end_op;
	} else {
		r = namei(path, &ip);
		if (r < 0)
			goto out_end_op;
		ilock(ip);
	}
	if (ip->type == T_DIR && writable) {
		r = -EISDIR;
		goto out_unlockput_ip;
	}
	if (ip->type == T_DEVICE && (ip->major < 0 || ip->major >= NDEV)) {
		r = -ENODEV;
		goto out_unlockput_ip;
	}
	f = filealloc();
	if (f == NULL) {
		r = -ENFILE;
		goto out_unlockput_ip;
	}
	fd = fdalloc(f);
	if (fd < 0) {
		r = fd;
		goto out_close_file;
	}

	if (ip->type == T_DEVICE) {
		f->type = FD_DEVICE;
		f->major = ip->major;
	} else {
		f->type = FD_INODE;
		f->off = 0;
	}
	f->ip = ip;
	f->readable = readable;
	f->writable = writable;
	f->append = (flags & O_APPEND) != 0;
	if ((flags & O_TRUNC) && ip->type == T_FILE)
		itrunc(ip);
	iunlock(ip);
	end_op();
	return fd;

out_close_file:
	fileclose(f);   /* still FD_NONE: only returns the table entry */
out_unlockput_ip:
	iunlockput(ip);
out_end_op:
	end_op();
	return r;
}

uint64
sys_mkdir(void)
{
	char path[MAXPATH];
	struct inode *ip;
	int r;

	r = argstr(0, path, MAXPATH);
	if (r < 0)
		return r;
	begin_op();
	r = create(path, T_DIR, 0, 0, &ip);
	if (r == 0)
		iunlockput(ip);
	end_op();
	return r;
}

uint64
sys_mknod(void)
{
	char path[MAXPATH];
	struct inode *ip;
	int major, minor, r;

	r = argstr(0, path, MAXPATH);
	if (r < 0)
		return r;
	argint(1, &major);
	argint(2, &minor);
	if (major < 0 || major >= NDEV)
		return -EINVAL;
	begin_op();
	r = create(path, T_DEVICE, major, minor, &ip);
	if (r == 0)
		iunlockput(ip);
	end_op();
	return r;
}

uint64
sys_chdir(void)
{
	char path[MAXPATH];
	struct proc *p = myproc();
	struct inode *ip;
	int r;

	r = argstr(0, path, MAXPATH);
	if (r < 0)
		return r;
	begin_op();
	r = namei(path, &ip);
	if (r < 0)
		goto out_end_op;
	ilock(ip);
	if (ip->type != T_DIR) {
		r = -ENOTDIR;
		goto out_unlockput_ip;
	}
	iunlock(ip);
	iput(p->cwd);
	p->cwd = ip;
	end_op();
	return 0;

out_unlockput_ip:
	iunlockput(ip);
out_end_op:
	end_op();
	return r;
}

/* pipe(fds): fds[0] gets the read end, fds[1] the write end. */
uint64
sys_pipe(void)
{
	struct proc *p = myproc();
	struct file *rf, *wf;
	uint64 fdarray;
	int fds[2];
	int r;

	argaddr(0, &fdarray);
	r = pipealloc(&rf, &wf);
	if (r < 0)
		return r;
	fds[0] = fdalloc(rf);
	if (fds[0] < 0) {
		r = fds[0];
		goto out_close_files;
	}
	fds[1] = fdalloc(wf);
	if (fds[1] < 0) {
		r = fds[1];
		goto out_free_fd0;
	}
	r = copyout(p->pagetable, fdarray, fds, sizeof(fds));
	if (r < 0)
		goto out_free_fd1;
	return 0;

out_free_fd1:
	p->ofile[fds[1]] = NULL;
out_free_fd0:
	p->ofile[fds[0]] = NULL;
out_close_files:
	fileclose(rf);
	fileclose(wf);
	return r;
}
