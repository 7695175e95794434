/*
 * kernel/proc/exec.c: replacing a process's program with one read from a file.
 *
 * kexec builds the new address space completely before touching the old
 * one, so a failure at any step leaves the caller running its old program
 * with an error code:
 *
 *   1. read and check the ELF header           (-ENOENT, -ENOEXEC)
 *   2. map each PT_LOAD segment with its own permissions: text R-X, data
 *      RW-; a segment asking for W+X is refused (-ENOEXEC)
 *   3. a guard page, then USTACKPAGES of stack
 *   4. copy the argument strings and the argv array onto the stack (-E2BIG)
 *   5. commit: switch page tables, free the old one, set pc and sp
 *
 * The new stack, from high addresses down:
 *
 *   stack top ->  argument strings
 *                 argv[argc] = 0
 *                 argv[argc-1] ... argv[0]    <- a1, sp (16-byte aligned)
 */
#include "kernel/proc/exec.h"
#include "include/elf.h"
#include "kernel/proc/proc.h"
#include "kernel/mem/vm.h"
#include "kernel/riscv/memlayout.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/log.h"
#include "kernel/mem/kalloc.h"
#include "kernel/proc/syscall.h"
#include "include/errno.h"
#include "include/stat.h"
#include "include/string.h"

/*
 * Do len bytes at file offset off lie inside the file?  ELF offsets are
 * 64 bits and file offsets 32: checking here, before any offset is used,
 * keeps an offset of 4 GiB + x from being read as x.
 */
static bool
in_file(struct inode *ip, uint64 off, uint64 len)
{
	return off <= ip->size && len <= ip->size - off;
}

/* Read exactly n bytes at off: 0, -EIO, or -ENOEXEC for a short file. */
static int
read_exact(struct inode *ip, void *dst, uint off, uint n)
{
	int r = readi(ip, false, (uint64)dst, off, n);

	if (r < 0)
		return r == -EIO ? -EIO : -ENOEXEC;
	return (uint)r == n ? 0 : -ENOEXEC;
}

static int
read_elf_header(struct inode *ip, struct elfhdr *eh)
{
	int r;

	if ((r = read_exact(ip, eh, 0, sizeof(*eh))) < 0)
		return r;
	if (eh->magic != ELF_MAGIC || eh->ident[0] != ELFCLASS64 ||
	    eh->ident[1] != ELFDATA2LSB || eh->type != ET_EXEC ||
	    eh->machine != EM_RISCV || eh->phentsize != sizeof(struct proghdr) ||
	    !in_file(ip, eh->phoff, (uint64)eh->phnum * sizeof(struct proghdr)))
		return -ENOEXEC;
	return 0;
}

static int
segment_perm(const struct proghdr *ph)
{
	int perm = 0;

	if (ph->flags & PF_W)
		perm |= PTE_W;
	if (ph->flags & PF_X)
		perm |= PTE_X;
	return perm;
}

/* Copy filesz bytes at file offset off into the (mapped) pages at va. */
static int
load_segment(pagetable_t pagetable, uint64 va, struct inode *ip, uint off, uint filesz)
{
	int r;

	for (uint done = 0; done < filesz; done += PGSIZE) {
		uint64 pa = walkaddr(pagetable, va + done);
		uint n = filesz - done < PGSIZE ? filesz - done : PGSIZE;
		if (pa == 0)
			return -ENOEXEC;
		if ((r = read_exact(ip, (void *)pa, off + done, n)) < 0)
			return r;
	}
	return 0;
}

/*
 * Map and load every PT_LOAD segment.  Segments must be page-aligned, in
 * ascending order, above page 0 and within user space; gaps between them
 * stay unmapped.  *szp is the end of the last segment.
 */
static int
load_segments(pagetable_t pagetable, struct inode *ip, const struct elfhdr *eh,
	      uint64 *szp)
{
	uint64 sz = 0;
	struct proghdr ph;
	int r;

	for (int i = 0; i < eh->phnum; i++) {
		uint off = eh->phoff + i * sizeof(ph);
		if ((r = read_exact(ip, &ph, off, sizeof(ph))) < 0)
			return r;
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		if (ph.memsz < ph.filesz || ph.vaddr + ph.memsz < ph.vaddr ||
		    !in_file(ip, ph.off, ph.filesz) ||
		    ph.vaddr % PGSIZE != 0 || ph.vaddr < USER_BASE ||
		    ph.vaddr < PGROUNDUP(sz) || ph.vaddr + ph.memsz > TRAPFRAME / 2 ||
		    (ph.flags & (PF_W | PF_X)) == (PF_W | PF_X))
			return -ENOEXEC;
		if (uvmalloc(pagetable, ph.vaddr, ph.vaddr + ph.memsz,
			     segment_perm(&ph)) == 0) {
			*szp = sz;
			return -ENOMEM;
		}
		sz = ph.vaddr + ph.memsz;
		*szp = sz;
		if ((r = load_segment(pagetable, ph.vaddr, ip, ph.off, ph.filesz)) < 0)
			return r;
	}
	return sz == 0 ? -ENOEXEC : 0;
}

/* Push the strings and the argv array; returns the new sp or 0 (-E2BIG). */
static uint64
push_arguments(pagetable_t pagetable, uint64 sp, uint64 stack_base, char **argv,
	       int *argcp)
{
	uint64 ustack[MAXARG + 1];
	int argc;

	for (argc = 0; argv[argc]; argc++) {
		uint64 len = strlen(argv[argc]) + 1;
		if (argc >= MAXARG || sp - stack_base < len)
			return 0;
		sp -= len;
		if (copyout(pagetable, sp, argv[argc], len) != 0)
			return 0;
		ustack[argc] = sp;
	}
	ustack[argc] = 0;
	sp = (sp - (argc + 1) * sizeof(uint64)) & ~15UL;
	if (sp < stack_base ||
	    copyout(pagetable, sp, ustack, (argc + 1) * sizeof(uint64)) != 0)
		return 0;
	*argcp = argc;
	return sp;
}

/* The last element of path, for messages and Ctrl-P. */
static const char *
last_element(const char *path)
{
	const char *last = path;

	for (const char *s = path; *s; s++)
		if (*s == '/' && s[1] != 0)
			last = s + 1;
	return last;
}

int
kexec(const char *path, char **argv)
{
	struct proc *p = myproc();
	struct inode *ip;
	struct elfhdr eh;
	pagetable_t pagetable, oldpagetable;
	uint64 sz = 0, oldsz, stack_base, sp;
	int argc = 0, err;

	begin_op();
	if ((err = namei(path, &ip)) != 0) {
		end_op();
		return err;
	}
	if ((err = ilock(ip)) < 0) {
		iput(ip);
		end_op();
		return err;
	}
	if (ip->type != T_FILE) {
		err = ip->type == T_DIR ? -EACCES : -ENOEXEC;
		goto out_unlock;
	}
	if ((err = read_elf_header(ip, &eh)) != 0)
		goto out_unlock;
	if ((pagetable = proc_pagetable(p)) == NULL) {
		err = -ENOMEM;
		goto out_unlock;
	}
	if ((err = load_segments(pagetable, ip, &eh, &sz)) != 0)
		goto out_free_pagetable;
	iunlockput(ip);
	end_op();
	ip = NULL;

	/* A guard page (no user access), then the stack. */
	sz = PGROUNDUP(sz);
	if (uvmalloc(pagetable, sz, sz + (USTACKPAGES + 1) * PGSIZE, PTE_W) == 0) {
		err = -ENOMEM;
		goto out_free_pagetable;
	}
	uvmclear(pagetable, sz);
	stack_base = sz + PGSIZE;
	sz += (USTACKPAGES + 1) * PGSIZE;
	if ((sp = push_arguments(pagetable, sz, stack_base, argv, &argc)) == 0) {
		err = -E2BIG;
		goto out_free_pagetable;
	}

	safestrcpy(p->name, last_element(path), sizeof(p->name));
	oldpagetable = p->pagetable;
	oldsz = p->sz;
	p->pagetable = pagetable;
	p->sz = sz;
	p->heap_start = sz;
	p->trapframe->epc = eh.entry;
	p->trapframe->sp = sp;
	p->trapframe->a1 = sp;   /* argv */
	proc_freepagetable(oldpagetable, oldsz);
	return argc;   /* becomes a0: main(argc, argv) */

out_free_pagetable:
	proc_freepagetable(pagetable, sz);
out_unlock:
	if (ip) {
		iunlockput(ip);
		end_op();
	}
	return err;
}

/* Free the kernel copies of the arguments. */
static void
free_arguments(char **argv)
{
	for (int i = 0; argv[i]; i++)
		kfree(argv[i]);
}

/* Copy the user's argv array and strings into kernel pages. */
static int
fetch_arguments(uint64 uargv, char **argv)
{
	for (int i = 0; ; i++) {
		uint64 uarg;
		int len;
		if (i > MAXARG)
			return -E2BIG;
		if (fetchaddr(uargv + i * sizeof(uint64), &uarg) != 0)
			return -EFAULT;
		if (uarg == 0) {
			argv[i] = 0;
			return 0;
		}
		if ((argv[i] = kalloc()) == NULL)
			return -ENOMEM;
		argv[i + 1] = 0;
		len = fetchstr(uarg, argv[i], MAXARGLEN);
		if (len < 0)
			return len == -ENAMETOOLONG ? -E2BIG : len;
	}
}

uint64
sys_exec(void)
{
	char path[MAXPATH];
	char *argv[MAXARG + 2] = { 0 };
	uint64 uargv;
	int err;

	if ((err = argstr(0, path, MAXPATH)) < 0)
		return err;
	argaddr(1, &uargv);
	err = fetch_arguments(uargv, argv);
	if (err == 0)
		err = kexec(path, argv);
	free_arguments(argv);
	return err;
}
