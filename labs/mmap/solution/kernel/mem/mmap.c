/*
 * kernel/mem/mmap.c: memory-mapped files: mmap, munmap, and the page
 * faults, forks and exits of processes that have mappings.
 *
 * A mapping is a struct vma (kernel/mem/mmap.h) in the process's fixed
 * table p->vmas: a page-aligned range of addresses, the file (a reference
 * of its own, so closing the descriptor leaves the mapping working), the
 * offset the range starts at, and its prot and flags.  mmap only records
 * it; nothing is read and no page is allocated.
 *
 * Where mappings go.  The heap grows up from heap_start towards the
 * trapframe; mappings are placed down from just below the trapframe, each
 * in the highest free range that fits (find_room), so the two grow
 * towards each other.  sbrk refuses to grow the heap past the lowest
 * mapping (mmap_floor, in growproc), and mmap refuses a range that would
 * reach down into the heap: -ENOMEM either way.  Everything above p->sz
 * that is mapped belongs to a mapping, which is how uvm_fault tells a
 * heap fault from a mapping fault.
 *
 * Page faults.  The first touch of a page faults (uvm_fault ->
 * mmap_fault); the page is allocated, filled from the file (zeros past
 * its end), and mapped R|U, plus W for a writable private mapping.  A
 * writable shared mapping gets W only for a store: its PTE_W means "this
 * process has stored to the page", the page is dirty.  A store to a clean
 * shared page faults once more and just sets W (mark_dirty).  (mappages
 * sets the hardware's D bit on every page, so D cannot say it.)  The
 * kernel's copies fault the same way (copyin and copyout call uvm_fault),
 * so read() into a mapping and write() out of one work on untouched pages.
 *
 * Write-back.  munmap, exit and exec write the dirty pages of shared
 * mappings back to the file, each page in a log operation of its own:
 * a page is one block (BSIZE == PGSIZE), and writei of one block logs at
 * most the block, the inode, indirect and bitmap blocks (file.c's
 * CHUNK_LOG_BLOCKS(1) = 9), within a plain begin_op's MAXOPBLOCKS.  Only
 * the part of a page inside the file is written: a mapping never grows
 * its file.  Private pages are never written.  There is no page cache:
 * a mapping holds its own copies of the file's pages, so read() and
 * write() on the file do not see a mapping's stores before write-back,
 * nor a mapping the file's changes after its pages came in.
 *
 * munmap removes any page-aligned range: from a mapping's start, from
 * its end, or from its middle, which splits it in two (and so needs a
 * free slot, else -ENOMEM).  Pages in the range that are not mapped are
 * skipped, as POSIX says.
 *
 * fork copies each mapping, with a new reference to its file, and copies
 * the pages the parent has (uvmcopy_range), as it copies the heap: after
 * fork parent and child do not see each other's stores, even to a
 * MAP_SHARED mapping, and each writes its own dirty pages back; when both
 * store to the same page, the last to write it back wins.  exec and exit
 * remove every mapping (mmap_unmap_all), before the page table goes.
 *
 * Locks.  The mappings are the process's own ([own] in proc.h).  Reading
 * a page in takes the file's inode lock, unless the process holds it
 * already: a read() or write() of a file into or out of its own mapping
 * faults inside readi/writei, which hold it.
 */
#include "include/types.h"
#include "include/param.h"
#include "include/errno.h"
#include "include/stat.h"
#include "include/string.h"
#include "include/addrspace.h"
#include "include/fs_format.h"
#include "include/mman.h"
#include "kernel/mem/mmap.h"
#include "kernel/mem/vm.h"
#include "kernel/mem/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/syscall.h"
#include "kernel/fs/file.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/log.h"
#include "kernel/lock/sleeplock.h"

_Static_assert(BSIZE == PGSIZE, "write-back logs one block per page");

/* File offsets are 32 bits: a mapping may not start beyond them. */
#define MMAP_MAX_OFFSET (1UL << 32)

static bool
vma_in_use(const struct vma *v)
{
	return v->start != 0;
}

/* p's mapping that holds va, or NULL. */
static struct vma *
vma_at(struct proc *p, uint64 va)
{
	for (struct vma *v = p->vmas; v < &p->vmas[NVMA]; v++)
		if (vma_in_use(v) && va >= v->start && va < v->end)
			return v;
	return NULL;
}

/* A mapping of p that overlaps [lo, hi), or NULL. */
static struct vma *
vma_overlapping(struct proc *p, uint64 lo, uint64 hi)
{
	for (struct vma *v = p->vmas; v < &p->vmas[NVMA]; v++)
		if (vma_in_use(v) && v->start < hi && lo < v->end)
			return v;
	return NULL;
}

static struct vma *
vma_free_slot(struct proc *p)
{
	for (struct vma *v = p->vmas; v < &p->vmas[NVMA]; v++)
		if (!vma_in_use(v))
			return v;
	return NULL;
}

uint64
mmap_floor(struct proc *p)
{
	uint64 floor = TRAPFRAME;

	for (struct vma *v = p->vmas; v < &p->vmas[NVMA]; v++)
		if (vma_in_use(v) && v->start < floor)
			floor = v->start;
	return floor;
}

/* The start of the highest free range of len bytes (page-aligned)
 * between the heap's end and TRAPFRAME, or 0 when there is none. */
static uint64
find_room(struct proc *p, uint64 len)
{
	uint64 top = TRAPFRAME, heap_end = PGROUNDUP(p->sz);
	struct vma *v;

	while (top - heap_end >= len) {
		if ((v = vma_overlapping(p, top - len, top)) == NULL)
			return top - len;
		top = v->start;         /* below it, then; mappings lie above
		                           the heap, so top stays >= heap_end */
	}
	return 0;
}

/* ---- page faults ------------------------------------------------------- */

/* The file offset that page va of v shows. */
static uint64
file_offset(const struct vma *v, uint64 va)
{
	return v->offset + (va - v->start);
}

/* Fill mem with the page of the file that va of v shows: what the file
 * holds there, zeros past its end.  0 or -EIO. */
static int
read_page(struct vma *v, uint64 va, char *mem)
{
	struct inode *ip = v->file->ip;
	uint64 off = file_offset(v, va);
	bool held = holdingsleep(&ip->lock);   /* a read()/write() of this file */
	int r = 0;

	memset(mem, 0, PGSIZE);
	if (!held && (r = ilock(ip)) < 0)
		return r;
	if (off < ip->size)
		r = readi(ip, false, (uint64)mem, off,
			  ip->size - off < PGSIZE ? ip->size - off : PGSIZE);
	if (!held)
		iunlock(ip);
	return r < 0 ? r : 0;
}

/* Is a page of v that faulted for `access` mapped writable at once?
 * Private writable pages are; shared ones only for a store, so that W
 * marks the pages to write back. */
static bool
map_writable(const struct vma *v, pte_t access)
{
	if (!(v->prot & PROT_WRITE))
		return false;
	return (v->flags & MAP_PRIVATE) || (access & PTE_W);
}

/* The first touch of page va of v: allocate, read, map. */
static int
page_in(struct proc *p, struct vma *v, uint64 va, pte_t access)
{
	int perm = PTE_R | PTE_U | (map_writable(v, access) ? PTE_W : 0);
	char *mem = kalloc();
	int err;

	if (mem == NULL)
		return -ENOMEM;
	if ((err = read_page(v, va, mem)) != 0 ||
	    (err = mappages(p->pagetable, va, PGSIZE, (uint64)mem, perm)) != 0) {
		kfree(mem);
		return err;
	}
	return 0;
}

/* A fault on a page of v that is there: only the first store to a clean
 * page of a writable shared mapping, which makes it dirty. */
static int
mark_dirty(struct vma *v, pte_t *pte, pte_t access)
{
	if (!(access & PTE_W) || (*pte & PTE_W) || !(v->flags & MAP_SHARED))
		return -EFAULT;
	*pte |= PTE_W;          /* userret's sfence.vma drops the old entry */
	return 0;
}

int
mmap_fault(struct proc *p, uint64 va, pte_t access)
{
	struct vma *v = vma_at(p, va);
	pte_t *pte;

	if (v == NULL || (access & PTE_X))
		return -EFAULT;                 /* no mapping, or executing it */
	if ((access & PTE_W) && !(v->prot & PROT_WRITE))
		return -EFAULT;                 /* a store to a PROT_READ page */
	pte = walk(p->pagetable, va, false);
	if (pte != NULL && (*pte & PTE_V))
		return mark_dirty(v, pte, access);
	return page_in(p, v, va, access);
}

/* ---- write-back and unmapping ------------------------------------------ */

/* Write page va of v, at physical address pa, back to the file: the part
 * inside the file.  One log operation (see the top).  0 or -errno. */
static int
write_back_page(struct vma *v, uint64 va, uint64 pa)
{
	struct inode *ip = v->file->ip;
	uint64 off = file_offset(v, va);
	int r, e;

	begin_op();
	if ((r = ilock(ip)) == 0) {
		if (off < ip->size)
			r = writei(ip, false, pa, off,
				   ip->size - off < PGSIZE ? ip->size - off : PGSIZE);
		iunlock(ip);
	}
	e = end_op();
	return r < 0 ? r : e;
}

/* uvm_each_page's step: write a dirty page of the shared mapping arg. */
static int
write_back_step(uint64 va, uint64 pa, int perm, void *arg)
{
	if (!(perm & PTE_W))
		return 0;               /* clean: the file has it already */
	return write_back_page(arg, va, pa);
}

/* Unmap and free the pages of v in [lo, hi), writing the dirty ones back
 * first if v is shared and write_back.  The first write-back error, or 0;
 * the pages go either way. */
static int
unmap_pages(struct proc *p, struct vma *v, uint64 lo, uint64 hi,
	    bool write_back)
{
	int err = 0;

	if (write_back && (v->flags & MAP_SHARED))
		err = uvm_each_page(p->pagetable, lo, hi, write_back_step, v);
	uvmunmap(p->pagetable, lo, (hi - lo) / PGSIZE, true);
	return err;
}

/* Forget v: its pages are gone already. */
static void
vma_release(struct vma *v)
{
	struct file *f = v->file;

	*v = (struct vma){ 0 };
	fileclose(f);
}

/* Remove [lo, hi) from v, which it overlaps: v shrinks from either end,
 * is split in two, or goes.  0, -ENOMEM (a split with no free slot:
 * nothing changed), or a write-back error (the range is gone anyway). */
static int
vma_cut(struct proc *p, struct vma *v, uint64 lo, uint64 hi)
{
	struct vma *upper = NULL;
	int err;

	lo = lo > v->start ? lo : v->start;
	hi = hi < v->end ? hi : v->end;
	if (lo > v->start && hi < v->end && (upper = vma_free_slot(p)) == NULL)
		return -ENOMEM;
	err = unmap_pages(p, v, lo, hi, true);
	if (upper != NULL) {                    /* the middle */
		*upper = *v;
		upper->start = hi;
		upper->offset = file_offset(v, hi);
		upper->file = filedup(v->file);
		v->end = lo;
	} else if (lo == v->start && hi == v->end) {
		vma_release(v);
	} else if (lo == v->start) {            /* the first pages */
		v->offset = file_offset(v, hi);
		v->start = hi;
	} else {                                /* the last pages */
		v->end = lo;
	}
	return err;
}

void
mmap_unmap_all(struct proc *p, bool write_back)
{
	for (struct vma *v = p->vmas; v < &p->vmas[NVMA]; v++) {
		if (!vma_in_use(v))
			continue;
		unmap_pages(p, v, v->start, v->end, write_back);
		vma_release(v);
	}
}

int
mmap_fork(struct proc *parent, struct proc *child)
{
	for (int i = 0; i < NVMA; i++) {
		struct vma *v = &parent->vmas[i];
		if (!vma_in_use(v))
			continue;
		child->vmas[i] = *v;
		child->vmas[i].file = filedup(v->file);
		if (uvmcopy_range(parent->pagetable, child->pagetable, v->start,
				  v->end) != 0) {
			mmap_unmap_all(child, false);
			return -ENOMEM;
		}
	}
	return 0;
}

/* ---- the system calls -------------------------------------------------- */

/* The checks that need no file: EINVAL for a bad shape of request. */
static int
check_request(uint64 length, int prot, int flags, uint64 offset)
{
	if (length == 0)
		return -EINVAL;
	if (prot != PROT_READ && prot != (PROT_READ | PROT_WRITE))
		return -EINVAL;
	if (flags != MAP_SHARED && flags != MAP_PRIVATE)
		return -EINVAL;
	if (offset % PGSIZE != 0 || offset >= MMAP_MAX_OFFSET)
		return -EINVAL;
	return 0;
}

/* The open file fd names: 0 and *pf, -EBADF, -ENODEV (not a regular
 * file) or -EIO. */
static int
mappable_file(int fd, struct file **pf)
{
	struct file *f;
	short type;

	if (fd < 0 || fd >= NOFILE || (f = myproc()->ofile[fd]) == NULL)
		return -EBADF;
	if (f->type != FD_INODE)
		return -ENODEV;                 /* a pipe or a device */
	if (ilock(f->ip) < 0)
		return -EIO;
	type = f->ip->type;
	iunlock(f->ip);
	if (type != T_FILE)
		return -ENODEV;                 /* a directory */
	*pf = f;
	return 0;
}

/* May f be mapped so?  Every mapping reads the file; a shared writable
 * one writes it too.  0 or -EACCES. */
static int
check_access(const struct file *f, int prot, int flags)
{
	if (!f->readable)
		return -EACCES;
	if ((flags & MAP_SHARED) && (prot & PROT_WRITE) && !f->writable)
		return -EACCES;
	return 0;
}

/* Record a mapping of length bytes of f: its address, or -ENOMEM when
 * there is no free slot or no room below the trapframe. */
static uint64
mmap_file(struct proc *p, struct file *f, uint64 length, int prot,
	  int flags, uint64 offset)
{
	struct vma *v = vma_free_slot(p);
	uint64 start;

	if (v == NULL || length > TRAPFRAME)
		return -ENOMEM;
	if ((start = find_room(p, PGROUNDUP(length))) == 0)
		return -ENOMEM;
	*v = (struct vma){
		.start = start, .end = start + PGROUNDUP(length), .prot = prot,
		.flags = flags, .file = filedup(f), .offset = offset,
	};
	return start;
}

/* void *mmap(void *addr, size_t length, int prot, int flags, int fd,
 *            uint64 offset): addr is a hint rivet does not use. */
uint64
sys_mmap(void)
{
	uint64 length, offset;
	int prot, flags, fd, err;
	struct file *f;

	argaddr(1, &length);
	argint(2, &prot);
	argint(3, &flags);
	argint(4, &fd);
	argaddr(5, &offset);
	if ((err = check_request(length, prot, flags, offset)) != 0 ||
	    (err = mappable_file(fd, &f)) != 0 ||
	    (err = check_access(f, prot, flags)) != 0)
		return err;
	return mmap_file(myproc(), f, length, prot, flags, offset);
}

/* int munmap(void *addr, size_t length): remove the pages of
 * [addr, addr + length) from whatever mappings hold them. */
uint64
sys_munmap(void)
{
	struct proc *p = myproc();
	uint64 addr, length, end;
	int err = 0, r;

	argaddr(0, &addr);
	argaddr(1, &length);
	if (addr % PGSIZE != 0 || length == 0 || addr >= TRAPFRAME ||
	    length > TRAPFRAME - addr)
		return -EINVAL;
	end = addr + PGROUNDUP(length);
	for (struct vma *v = p->vmas; v < &p->vmas[NVMA]; v++) {
		if (!vma_in_use(v) || v->start >= end || addr >= v->end)
			continue;
		if ((r = vma_cut(p, v, addr, end)) != 0 && err == 0)
			err = r;
	}
	return err;
}
