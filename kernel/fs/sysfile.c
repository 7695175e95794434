/*
 * kernel/fs/sysfile.c: the file-system system calls.
 *
 * Each handler fetches its arguments with argint/argaddr/argstr, checks
 * them, and calls the file layer (file.c, pipe.c) or the inode layer
 * (inode.c).  Results go back in a0: a value, or -errno.
 *
 * The longer calls are split into phases, each a static function named
 * for its call (open_lookup, open_alloc, ...), in the order "validate, then
 * act": look up and check what the call needs, changing nothing, then make
 * the change.  Two calls change something before every check is done: link
 * counts the new link before it writes the entry (a race; see sys_link),
 * and open with O_CREATE makes the file while it looks the path up, so a
 * later failure (no free descriptor) leaves the file made.
 *
 * A file system made read-only by a failed disk write refuses the calls
 * that would change it (-EROFS), and a call whose operation was under way
 * when that happened fails with -EIO (end_op_result): its changes may
 * never reach the disk, and reporting success would be a lie.
 *
 * Every call that may change the disk runs its work between begin_op() and
 * end_op(), so that its changes are atomic, and that includes calls that
 * only look a path up: dropping the last reference to an unlinked inode
 * frees it.  Error paths undo in reverse order, through labels named for
 * what they undo where there are several steps, and always reach end_op().
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
#include "kernel/dev/console.h"
#include "kernel/lib/printf.h"

#define OPEN_FLAGS (O_ACCMODE | O_CREATE | O_TRUNC | O_APPEND)

/*
 * End the operation of a call whose result so far is r.  If the file
 * system has gone read-only meanwhile, a call that succeeded fails with
 * -EIO instead: its changes may never reach the disk.
 */
static int
end_op_result(int r)
{
	int e = end_op();

	return r >= 0 && e < 0 ? e : r;
}

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

/*
 * The body of read(fd, buf, n) and, when write is true, write(fd, buf, n).
 * Inlined into both handlers, so the test of write costs nothing.
 */
static inline int
file_io(bool write)
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
	return write ? filewrite(f, addr, n) : fileread(f, addr, n);
}

uint64
sys_read(void)
{
	return file_io(false);
}

uint64
sys_write(void)
{
	return file_io(true);
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

/*
 * fsync(fd): return once the file's changes, and everything else written
 * before the call, are committed to the disk and survive a crash.
 */
uint64
sys_fsync(void)
{
	struct file *f;
	int r;

	r = argfd(0, NULL, &f);
	if (r < 0)
		return r;
	return log_sync();
}

/*
 * tcsetpgrp(fd, pgid): the terminal fd refers to stops group pgid at
 * Ctrl-C (0: no group; Ctrl-C then only discards the line being typed).
 * The console is the only terminal: -ENOTTY for anything else, -ESRCH
 * when no process is in group pgid, -EINVAL for a negative one.
 */
uint64
sys_tcsetpgrp(void)
{
	struct file *f;
	int pgid, r;

	if ((r = argfd(0, NULL, &f)) < 0)
		return r;
	argint(1, &pgid);
	if (f->type != FD_DEVICE || f->major != CONSOLE)
		return -ENOTTY;
	if (pgid < 0)
		return -EINVAL;
	if (pgid != 0 && !pgroup_exists(pgid))
		return -ESRCH;
	console_set_foreground(pgid);
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

/*
 * link's first phase: look old up, refuse a directory (-EPERM) or a file
 * with LINK_MAX links already (-EMLINK), and count the link about to be
 * made.  0 and *ipp (referenced, unlocked), or -E with nothing held.
 */
static int
link_count(const char *old, struct inode **ipp)
{
	struct inode *ip;
	int r;

	r = namei(old, &ip);
	if (r < 0)
		return r;
	if ((r = ilock(ip)) < 0) {
		iput(ip);
		return r;
	}
	if (ip->type == T_DIR || ip->nlink >= LINK_MAX) {
		r = ip->type == T_DIR ? -EPERM : -EMLINK;
		iunlockput(ip);
		return r;
	}
	ip->nlink++;
	iupdate(ip);
	iunlock(ip);
	*ipp = ip;
	return 0;
}

/*
 * link's second phase: write the entry new, naming ip, in a directory on
 * ip's device (else -EXDEV) that has not been removed (else -ENOENT: an
 * entry there would keep the file alive with no path to it).  The check is
 * made under the directory's lock, which unlink holds to remove it.  0 or
 * -E; the directory is released either way.
 */
static int
link_enter(const char *new, struct inode *ip)
{
	char name[DIRSIZ];
	struct inode *dp;
	int r;

	r = nameiparent(new, name, &dp);
	if (r < 0)
		return r;
	if ((r = ilock(dp)) < 0) {
		iput(dp);
		return r;
	}
	if (dp->dev != ip->dev)
		r = -EXDEV;
	else if (dp->nlink == 0)
		r = -ENOENT;
	else
		r = dirlink(dp, name, ip->inum);
	iunlockput(dp);
	return r;
}

/*
 * Take back link_count's count when no entry was written.  ip unlocked,
 * and still loaded since link_count (we hold a reference), so ilock
 * cannot fail.
 */
static void
link_uncount(struct inode *ip)
{
	if (ilock(ip) < 0)
		panic("link_uncount: a referenced inode is no longer loaded");
	ip->nlink--;
	iupdate(ip);
	iunlock(ip);
}

/* link(old, new): a second directory entry for the file old names. */
uint64
sys_link(void)
{
	char old[MAXPATH], new[MAXPATH];
	struct inode *ip;
	int r;

	r = argstr(0, old, MAXPATH);
	if (r < 0)
		return r;
	r = argstr(1, new, MAXPATH);
	if (r < 0)
		return r;
	if (log_readonly())
		return -EROFS;

	/*
	 * Count the new link before it exists: between writing the entry and
	 * raising nlink, a concurrent unlink of `old` could otherwise drop
	 * nlink to 0 (and free the inode) while `new` still names it.
	 */
	begin_op();
	r = link_count(old, &ip);
	if (r == 0) {
		r = link_enter(new, ip);
		if (r < 0)
			link_uncount(ip);
		iput(ip);
	}
	return end_op_result(r);
}

/*
 * Does path name the root directory ("/", "//", ...)?  Such a path has no
 * last element for nameiparent to find, but the caller can say what
 * happened: the root exists and cannot be made or removed.
 */
static bool
names_root(const char *path)
{
	if (*path != '/')
		return false;
	while (*path == '/')
		path++;
	return *path == '\0';
}

/*
 * Does directory dp hold entries besides "." and ".."?  0 for empty,
 * -ENOTEMPTY, or -EIO when it cannot be read.  dp locked.
 */
static int
dir_check_empty(struct inode *dp)
{
	struct dirent de;
	uint off;
	int r;

	for (off = 0; off < dp->size; off += sizeof(de)) {
		r = readi(dp, false, (uint64)&de, off, sizeof(de));
		if (r != sizeof(de))
			return r < 0 ? r : -EIO;
		if (de.inum != 0 && path_namecmp(de.name, ".") != 0 &&
		    path_namecmp(de.name, "..") != 0)
			return -ENOTEMPTY;
	}
	return 0;
}

/*
 * Does directory ip's ".." name dp?  If not, two directories name ip (the
 * disk is damaged), and removing it from dp would free it while the other
 * still names it.  0 or -EIO.  ip locked (and dp, its entry's holder).
 */
static int
dir_check_parent(struct inode *dp, struct inode *ip)
{
	struct inode *parent;
	int r;

	r = dirlookup(ip, "..", NULL, &parent);
	if (r == -ENOENT)
		return fs_damaged("directory %u has no \"..\"", ip->inum);
	if (r < 0)
		return r;
	if (parent->inum != dp->inum)
		r = fs_damaged("directory %u is named in directory %u but its "
			       "\"..\" is %u", ip->inum, dp->inum, parent->inum);
	iput(parent);
	return r;
}

/*
 * May the entry naming ip in dp go?  0, -ENOTEMPTY for a directory with
 * entries, or -EIO: an inode an entry names must have a link, and a
 * directory must be where its ".." says.  dp and ip locked.
 */
static int
unlink_check(struct inode *dp, struct inode *ip)
{
	int r;

	if (ip->nlink < 1)
		return fs_damaged("inode %u is named in directory %u but has no links",
				  ip->inum, dp->inum);
	if (ip->type != T_DIR)
		return 0;
	if ((r = dir_check_parent(dp, ip)) < 0)
		return r;
	return dir_check_empty(ip);
}

/*
 * unlink's first phase: find the entry path names, refusing the root
 * (-EBUSY) and "." and ".." (-EINVAL).  0 with its directory *dpp and its inode *ipp both locked and
 * the entry's offset in *offp, or -E with nothing held.
 */
static int
unlink_lookup(const char *path, struct inode **dpp, struct inode **ipp,
	      uint *offp)
{
	char name[DIRSIZ];
	struct inode *dp, *ip;
	int r;

	if (names_root(path))
		return -EBUSY;   /* the root is always in use */
	r = nameiparent(path, name, &dp);
	if (r < 0)
		return r;
	if ((r = ilock(dp)) < 0) {
		iput(dp);
		return r;
	}
	if (path_namecmp(name, ".") == 0 || path_namecmp(name, "..") == 0) {
		r = -EINVAL;
		goto out_unlockput_dp;
	}
	r = dirlookup(dp, name, offp, &ip);
	if (r < 0)
		goto out_unlockput_dp;
	if (ip == dp) {   /* only a damaged entry names its own directory */
		iput(ip);
		r = fs_damaged("directory %u holds an entry naming itself", dp->inum);
		goto out_unlockput_dp;
	}
	if ((r = ilock(ip)) < 0) {
		iput(ip);
		goto out_unlockput_dp;
	}
	r = unlink_check(dp, ip);
	if (r < 0)
		goto out_unlockput_ip;
	*dpp = dp;
	*ipp = ip;
	return 0;

out_unlockput_ip:
	iunlockput(ip);
out_unlockput_dp:
	iunlockput(dp);
	return r;
}

/*
 * unlink's second phase: clear the entry at off in dp, then drop the link
 * it was.  dp and ip locked, as unlink_lookup returns them; releases both.
 * 0, or -EIO when the directory's block cannot be read (nothing changed).
 */
static int
unlink_remove(struct inode *dp, struct inode *ip, uint off)
{
	struct dirent de;
	int r;

	memset(&de, 0, sizeof(de));
	r = writei(dp, false, (uint64)&de, off, sizeof(de));
	if (r == sizeof(de)) {
		r = 0;
		if (ip->type == T_DIR) {   /* the child's ".." no longer names dp */
			dp->nlink--;
			iupdate(dp);
		}
		ip->nlink--;
		iupdate(ip);
	} else if (r >= 0) {
		panic("unlink: a write inside directory %u fell short", dp->inum);
	}
	iunlockput(dp);
	iunlockput(ip);
	return r;   /* -EIO when the directory block could not be read */
}

/*
 * unlink(path): remove a directory entry; the file goes when its last link
 * and its last open reference are gone.  A directory must be empty.
 */
uint64
sys_unlink(void)
{
	char path[MAXPATH];
	struct inode *dp = NULL, *ip = NULL;
	uint off;
	int r;

	r = argstr(0, path, MAXPATH);
	if (r < 0)
		return r;
	if (log_readonly())
		return -EROFS;

	begin_op();
	r = unlink_lookup(path, &dp, &ip, &off);
	if (r == 0)
		r = unlink_remove(dp, ip, off);
	return end_op_result(r);
}

/*
 * create's answer when the name is taken, by ip (referenced, unlocked): for
 * type T_FILE an existing file or device, 0 and *ipp locked; a directory
 * cannot be opened as a file to create (-EISDIR); else -EEXIST.
 */
static int
create_existing(struct inode *ip, short type, struct inode **ipp)
{
	int r;

	if ((r = ilock(ip)) < 0) {
		iput(ip);
		return r;
	}
	if (type == T_FILE && (ip->type == T_FILE || ip->type == T_DEVICE)) {
		*ipp = ip;
		return 0;
	}
	r = type == T_FILE && ip->type == T_DIR ? -EISDIR : -EEXIST;
	iunlockput(ip);
	return r;
}

/*
 * Fill in ip, new and locked: its device numbers, one link for the entry
 * about to name it (counted first, as in sys_link), and for a directory
 * "." and ".." (naming dp).  0 or -E.
 */
static int
create_init(struct inode *ip, struct inode *dp, short major, short minor)
{
	int r;

	ip->major = major;
	ip->minor = minor;
	ip->nlink = 1;
	iupdate(ip);
	if (ip->type != T_DIR)
		return 0;
	r = dirlink(ip, ".", ip->inum);
	if (r < 0)
		return r;
	return dirlink(ip, "..", dp->inum);
}

/*
 * create's change: a new inode of type, entered as name in dp (locked,
 * without that name); a new directory's ".." adds a link to dp.  0 and *ipp
 * locked, or -E with the new inode freed again.
 */
static int
create_new(struct inode *dp, const char *name, short type, short major,
	   short minor, struct inode **ipp)
{
	struct inode *ip;
	int r;

	if (type == T_DIR && dp->nlink >= LINK_MAX)
		return -EMLINK;   /* no room to count the new ".." */
	if ((r = ialloc(dp->dev, type, &ip)) < 0)
		return r;
	if (ilock(ip) < 0)
		panic("create_new: a new inode is not loaded (ialloc loads it)");
	r = create_init(ip, dp, major, minor);
	if (r < 0)
		goto out_free_ip;
	r = dirlink(dp, name, ip->inum);
	if (r < 0)
		goto out_free_ip;
	if (type == T_DIR) {
		dp->nlink++;
		iupdate(dp);
	}
	*ipp = ip;
	return 0;

out_free_ip:
	/* No entry names it: the last iput frees it and any blocks. */
	ip->nlink = 0;
	iupdate(ip);
	iunlockput(ip);
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

	if (names_root(path))   /* it exists, and is a directory */
		return type == T_FILE ? -EISDIR : -EEXIST;
	r = nameiparent(path, name, &dp);
	if (r < 0)
		return r;
	if ((r = ilock(dp)) < 0) {
		iput(dp);
		return r;
	}
	r = dirlookup(dp, name, NULL, &ip);
	if (r == 0) {
		/* Unlock dp first: ip is dp itself for "." (and ".." at the root). */
		iunlockput(dp);
		return create_existing(ip, type, ipp);
	}
	if (r == -ENOENT) {   /* else the directory is damaged or unreadable */
		if (log_readonly())
			r = -EROFS;
		else if (dp->nlink > 0)   /* 0: dp was unlinked while held */
			r = create_new(dp, name, type, major, minor, ipp);
	}
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

/*
 * open's lookup phase: find path, or create it for O_CREATE, and check that
 * it can be opened so.  0 and *ipp locked, or -E with nothing held.
 */
static int
open_lookup(const char *path, int flags, bool writable, struct inode **ipp)
{
	struct inode *ip;
	int r;

	if (flags & O_CREATE) {
		r = create(path, T_FILE, 0, 0, &ip);
		if (r < 0)
			return r;
	} else {
		r = namei(path, &ip);
		if (r < 0)
			return r;
		if ((r = ilock(ip)) < 0) {
			iput(ip);
			return r;
		}
	}
	if (ip->type == T_DIR && writable) {
		r = -EISDIR;
		goto out_unlockput_ip;
	}
	if (ip->type == T_FILE && (writable || (flags & O_TRUNC)) && log_readonly()) {
		r = -EROFS;
		goto out_unlockput_ip;
	}
	if (ip->type == T_DEVICE && (ip->major < 0 || ip->major >= NDEV)) {
		r = -ENODEV;
		goto out_unlockput_ip;
	}
	*ipp = ip;
	return 0;

out_unlockput_ip:
	iunlockput(ip);
	return r;
}

/* A file-table entry and a descriptor for it: 0, *fp and *fdp, or -E. */
static int
open_alloc(struct file **fp, int *fdp)
{
	struct file *f;
	int fd;

	f = filealloc();
	if (f == NULL)
		return -ENFILE;
	fd = fdalloc(f);
	if (fd < 0) {
		/* f is still FD_NONE: closing it only returns the table entry. */
		fileclose(f);
		return fd;
	}
	*fp = f;
	*fdp = fd;
	return 0;
}

/*
 * open's change: make the fresh file f an open of ip (locked) as flags ask,
 * and empty a file for O_TRUNC.
 */
static void
open_setup(struct file *f, struct inode *ip, int flags, bool readable,
	   bool writable)
{
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
}

/* open(path, flags): a descriptor for the file path names. */
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
	r = open_lookup(path, flags, writable, &ip);
	if (r < 0)
		goto out_end_op;
	r = open_alloc(&f, &fd);
	if (r < 0)
		goto out_unlockput_ip;
	open_setup(f, ip, flags, readable, writable);
	iunlock(ip);
	if ((r = end_op_result(fd)) < 0) {   /* made read-only meanwhile */
		myproc()->ofile[fd] = NULL;
		fileclose(f);
	}
	return r;

out_unlockput_ip:
	iunlockput(ip);
out_end_op:
	return end_op_result(r);
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
	return end_op_result(r);
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
	return end_op_result(r);
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
	if ((r = ilock(ip)) < 0) {
		iput(ip);
		goto out_end_op;
	}
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
