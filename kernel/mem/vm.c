/*
 * kernel/mem/vm.c: Sv39 page tables.
 *
 * An Sv39 virtual address has three 9-bit indexes and a 12-bit offset:
 *
 *   38        30 29       21 20       12 11          0
 *   +-----------+-----------+-----------+------------+
 *   |  level 2  |  level 1  |  level 0  |   offset   |
 *   +-----------+-----------+-----------+------------+
 *
 * Each page-table page holds 512 PTEs; walk() follows the three levels,
 * creating missing pages on request.  The kernel page table maps devices
 * and RAM at their physical addresses, with permissions per section so
 * that no kernel page is both writable and executable (RAM past the
 * kernel's image in 2 MiB megapages, kvmmap_ram), plus the trampoline and
 * the per-process kernel stacks high up.  User page tables map a
 * program's pages with PTE_U, the trampoline and the trapframe.
 *
 * Functions here that act on user memory take the page table explicitly
 * and trust nothing about user addresses: every byte copied to or from
 * user space is translated through user_page(), and a missing or
 * insufficiently permitted page makes the copy fail with -EFAULT.
 *
 * Page faults.  A process's heap, [heap_start, sz), is allocated lazily:
 * sbrk only moves sz, and a heap page gets memory the first time it is
 * touched.  That touch faults; usertrap hands the fault to uvm_fault(),
 * which allocates a zeroed page, maps it, and lets the instruction run
 * again.  The kernel touches user memory only through copyin, copyout
 * and copyinstr, and they call uvm_fault() too on a missing page, so a
 * read() into untouched heap behaves as a store by the program would.
 * Everywhere else (text, data, the stack, the guard page, beyond sz) a
 * fault is the program's bug, and uvm_fault() refuses it.
 */
#include "kernel/mem/vm.h"
#include "kernel/riscv/memlayout.h"
#include "kernel/riscv/riscv.h"       /* the Sv39 format */
#include "kernel/mem/kalloc.h"
#include "kernel/lib/printf.h"
#include "kernel/riscv/fdt.h"
#include "kernel/proc/proc.h"
#include "include/param.h"
#include "include/errno.h"
#include "include/string.h"

pagetable_t kernel_pagetable;

/* 1 in CHECKS=1 builds: run the checks too costly for every build. */
#ifndef DEBUG_CHECKS
#define DEBUG_CHECKS 0
#endif

extern char etext[], erodata[], trampoline[];

/* A zeroed page for a page table, or NULL. */
static pagetable_t
alloc_table(void)
{
	pagetable_t pt = kalloc();

	if (pt)
		memset(pt, 0, PGSIZE);
	return pt;
}

/* Map a range in the kernel page table; failure at boot is fatal. */
static void
kvmmap(uint64 va, uint64 pa, uint64 size, int perm)
{
	if (mappages(kernel_pagetable, va, size, pa, perm) != 0)
		panic("kvmmap: out of memory mapping %p", (void *)va);
}

/* Bytes one level-1 leaf maps: a 2 MiB "megapage" in the RISC-V spec. */
#define MEGAPAGE (1UL << PXSHIFT(1))

/* Map one megapage in the kernel page table: a leaf in a level-1 table. */
static void
kvmmap_megapage(uint64 va, uint64 pa, int perm)
{
	pte_t *top = &kernel_pagetable[PX(2, va)];
	pagetable_t mid;
	pte_t *pte;

	if (*top & PTE_V) {
		mid = (pagetable_t)PTE2PA(*top);
	} else {
		if ((mid = alloc_table()) == NULL)
			panic("kvmmap_megapage: out of memory");
		*top = PA2PTE(mid) | PTE_V;
	}
	pte = &mid[PX(1, va)];
	if (*pte & PTE_V)
		panic("kvmmap_megapage: %p is already mapped", (void *)va);
	*pte = PA2PTE(pa) | perm | PTE_V | PTE_A | PTE_D;
}

/*
 * Map RAM [start, end) at its own address: megapages for every whole,
 * aligned 2 MiB inside it, 4 KiB pages for the ends.  With 4 KiB pages
 * alone, mapping 2 GiB wrote half a million PTEs and was most of the
 * boot; this way it is about a thousand.  Nothing walks the kernel page
 * table below a megapage afterwards (walk() knows only 4 KiB leaves):
 * everything else the kernel maps lies outside RAM.
 */
static void
kvmmap_ram(uint64 start, uint64 end, int perm)
{
	uint64 mid_start = (start + MEGAPAGE - 1) & ~(MEGAPAGE - 1);
	uint64 mid_end = end & ~(MEGAPAGE - 1);

	if (mid_start >= mid_end) {
		kvmmap(start, start, end - start, perm);
		return;
	}
	if (start < mid_start)
		kvmmap(start, start, mid_start - start, perm);
	for (uint64 a = mid_start; a < mid_end; a += MEGAPAGE)
		kvmmap_megapage(a, a, perm);
	if (mid_end < end)
		kvmmap(mid_end, mid_end, end - mid_end, perm);
}

/* Each process slot's kernel stack, with an unmapped guard page below. */
static void
map_kernel_stacks(void)
{
	for (int i = 0; i < NPROC; i++) {
		void *stack = kalloc_pages(1);   /* KSTACKPAGES == 2 pages */
		if (stack == NULL)
			panic("map_kernel_stacks: out of memory");
		kvmmap(KSTACK(i), (uint64)stack, KSTACKPAGES * PGSIZE, PTE_R | PTE_W);
	}
}
_Static_assert(KSTACKPAGES == 2, "map_kernel_stacks allocates order-1 blocks");

void
kvm_init(void)
{
	kernel_pagetable = alloc_table();
	if (kernel_pagetable == NULL)
		panic("kvm_init: out of memory");
	kvmmap(UART0, UART0, PGSIZE, PTE_R | PTE_W);
	kvmmap(VIRTIO0, VIRTIO0, PGSIZE, PTE_R | PTE_W);
	kvmmap(PLIC, PLIC, PLIC_SIZE, PTE_R | PTE_W);
	kvmmap(KERNBASE, KERNBASE, (uint64)etext - KERNBASE, PTE_R | PTE_X);
	kvmmap((uint64)etext, (uint64)etext, (uint64)erodata - (uint64)etext, PTE_R);
	kvmmap_ram((uint64)erodata, bootinfo.mem_end, PTE_R | PTE_W);
	kvmmap(TRAMPOLINE, (uint64)trampoline, PGSIZE, PTE_R | PTE_X);
	map_kernel_stacks();
}

void
kvm_init_hart(void)
{
	sfence_vma();
	w_satp(MAKE_SATP(kernel_pagetable));
	sfence_vma();
}

/*
 * walk's slow path: the entry for va in the level-`level` table pagetable
 * is not valid.  Give it a new table and go on down, making any further
 * missing tables too.  The level-0 PTE for va, or NULL if out of memory.
 */
static __attribute__((noinline)) pte_t *
walk_alloc(pagetable_t pagetable, int level, uint64 va)
{
	for (; level > 0; level--) {
		pte_t *pte = &pagetable[PX(level, va)];
		if (*pte & PTE_V) {
			pagetable = (pagetable_t)PTE2PA(*pte);
		} else {
			if ((pagetable = alloc_table()) == NULL)
				return NULL;
			*pte = PA2PTE(pagetable) | PTE_V;
		}
	}
	return &pagetable[PX(0, va)];
}

/*
 * The level-0 PTE for va, or NULL if a table on the way is missing and
 * alloc is false (or no memory is left to make it).  Every copy to or
 * from user space walks here, so the common case, all tables present,
 * is a loop that calls nothing: making a missing table is left to
 * walk_alloc, called last, and this function saves no registers.
 */
pte_t *
walk(pagetable_t pagetable, uint64 va, bool alloc)
{
	if (va >= MAXVA)
		panic("walk: address %p beyond MAXVA", (void *)va);
	for (int level = 2; level > 0; level--) {
		pte_t pte = pagetable[PX(level, va)];
		if ((pte & PTE_V) == 0)
			return alloc ? walk_alloc(pagetable, level, va) : NULL;
		pagetable = (pagetable_t)PTE2PA(pte);
	}
	return &pagetable[PX(0, va)];
}

/* Physical address of user page va if its PTE has all of `need`, else 0. */
static uint64
user_page(pagetable_t pagetable, uint64 va, pte_t need)
{
	pte_t *pte;

	if (va >= MAXVA)
		return 0;
	pte = walk(pagetable, va, false);
	if (pte == NULL || (*pte & (PTE_V | PTE_U | need)) != (PTE_V | PTE_U | need))
		return 0;
	return PTE2PA(*pte);
}

uint64
walkaddr(pagetable_t pagetable, uint64 va)
{
	return user_page(pagetable, va, 0);
}

int
mappages(pagetable_t pagetable, uint64 va, uint64 size, uint64 pa, int perm)
{
	uint64 a, last;

	if (va % PGSIZE != 0 || size % PGSIZE != 0 || size == 0)
		panic("mappages: unaligned range %p+%p", (void *)va, (void *)size);
	if ((perm & PTE_W) && (perm & PTE_X))
		panic("mappages: W+X mapping at %p", (void *)va);
	last = va + size - PGSIZE;
	for (a = va; ; a += PGSIZE, pa += PGSIZE) {
		pte_t *pte = walk(pagetable, a, true);
		if (pte == NULL)
			return -ENOMEM;
		if (*pte & PTE_V)
			panic("mappages: %p is already mapped", (void *)a);
		*pte = PA2PTE(pa) | perm | PTE_V | PTE_A | PTE_D;
		if (a == last)
			return 0;
	}
}

/*
 * Walking a range of a user address space.  A range can be huge and
 * almost empty (a program may place a segment at 100 GiB), so the
 * functions below never step through it page by page: at each level they
 * visit only the entries that overlap the range, and descend only into
 * tables that exist.  Their cost follows what is mapped, not the size of
 * the range.  In each, pt is a table of the given level whose entry 0
 * maps address base, and [lo, hi) is the range, with lo < hi.
 */

/* Bytes of address space that one entry of a level-`level` table maps. */
#define LEVEL_SPAN(level) (1UL << PXSHIFT(level))

/* The first and last entries of pt that overlap [lo, hi). */
static void
entries_in_range(int level, uint64 base, uint64 lo, uint64 hi, int *first, int *last)
{
	uint64 span = LEVEL_SPAN(level);

	*first = lo > base ? (lo - base) / span : 0;
	*last = (hi - 1 - base) / span < 512 ? (hi - 1 - base) / span : 511;
}

/* The table an interior PTE points to; user address spaces have no
 * superpages, so a leaf above level 0 is a broken invariant. */
static pagetable_t
next_table(pte_t pte, uint64 va)
{
	if (pte & (PTE_R | PTE_W | PTE_X))
		panic("vm: unexpected superpage at %p", (void *)va);
	return (pagetable_t)PTE2PA(pte);
}

/*
 * The index of the first valid entry of pt in [i, end), or end.  A user
 * page table is mostly empty, and a scan of a whole table is 512 entries;
 * so the middle loop tests eight entries at once, ORed together, and
 * steps past eight empty ones in a few instructions.
 */
static int
next_valid(pagetable_t pt, int i, int end)
{
	for (; i < end && i % 8 != 0; i++)
		if (pt[i] & PTE_V)
			return i;
	for (; i + 8 <= end; i += 8)
		if ((pt[i] | pt[i + 1] | pt[i + 2] | pt[i + 3] | pt[i + 4] |
		     pt[i + 5] | pt[i + 6] | pt[i + 7]) & PTE_V)
			break;
	for (; i < end; i++)
		if (pt[i] & PTE_V)
			return i;
	return end;
}

static bool
table_is_empty(pagetable_t pt)
{
	return next_valid(pt, 0, 512) == 512;
}

/*
 * Unmap the pages of [lo, hi) under pt, freeing them if do_free, and
 * free every table below pt that this leaves empty.  Returns whether pt
 * itself is now empty (the caller decides whether to free it).
 */
static bool
unmap_range(pagetable_t pt, int level, uint64 base, uint64 lo, uint64 hi,
	    bool do_free)
{
	int first, last;

	entries_in_range(level, base, lo, hi, &first, &last);
	for (int i = first; i <= last; i++) {
		uint64 va = base + i * LEVEL_SPAN(level);
		pagetable_t child;
		if ((pt[i] & PTE_V) == 0)
			continue;
		if (level == 0) {
			if (do_free)
				kfree((void *)PTE2PA(pt[i]));
			pt[i] = 0;
			continue;
		}
		child = next_table(pt[i], va);
		if (unmap_range(child, level - 1, va, lo, hi, do_free)) {
			kfree(child);
			pt[i] = 0;
		}
	}
	return table_is_empty(pt);
}

/* Call fn(pte, va, arg) on each mapped page of [lo, hi) under pt, in
 * address order; stop at and return fn's first non-zero result. */
static int
for_each_page(pagetable_t pt, int level, uint64 base, uint64 lo, uint64 hi,
	      int (*fn)(pte_t *pte, uint64 va, void *arg), void *arg)
{
	int first, last, r;

	entries_in_range(level, base, lo, hi, &first, &last);
	for (int i = first; i <= last; i++) {
		uint64 va = base + i * LEVEL_SPAN(level);
		if ((pt[i] & PTE_V) == 0)
			continue;
		if (level == 0)
			r = fn(&pt[i], va, arg);
		else
			r = for_each_page(next_table(pt[i], va), level - 1, va, lo, hi,
					  fn, arg);
		if (r != 0)
			return r;
	}
	return 0;
}

/* Remove npages of mappings from va; free the pages if do_free.  Pages
 * that are not mapped (holes such as page 0) are skipped, and page-table
 * pages left empty are freed. */
void
uvmunmap(pagetable_t pagetable, uint64 va, uint64 npages, bool do_free)
{
	if (va % PGSIZE != 0)
		panic("uvmunmap: unaligned address %p", (void *)va);
	if (npages > (TRAPFRAME - va) / PGSIZE || va > TRAPFRAME)
		panic("uvmunmap: %lu pages from %p reach past user memory",
		      (unsigned long)npages, (void *)va);
	if (npages > 0)
		unmap_range(pagetable, 2, 0, va, va + npages * PGSIZE, do_free);
}

pagetable_t
uvmcreate(void)
{
	return alloc_table();
}

uint64
uvmalloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz, int perm)
{
	uint64 a;

	if (newsz <= oldsz)
		return oldsz;
	if (newsz > TRAPFRAME)
		return 0;
	for (a = PGROUNDUP(oldsz); a < newsz; a += PGSIZE) {
		void *mem = kalloc();
		if (mem == NULL)
			goto out_unmap;
		memset(mem, 0, PGSIZE);
		if (mappages(pagetable, a, PGSIZE, (uint64)mem, PTE_R | PTE_U | perm) != 0) {
			kfree(mem);
			goto out_unmap;
		}
	}
	return newsz;

out_unmap:
	uvmdealloc(pagetable, a, oldsz);
	return 0;
}

uint64
uvmdealloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz)
{
	uint64 first, last;

	if (newsz >= oldsz)
		return oldsz;
	first = PGROUNDUP(newsz);
	last = PGROUNDUP(oldsz);
	if (first < last)
		uvmunmap(pagetable, first, (last - first) / PGSIZE, true);
	return newsz;
}

static void free_pagetable_tree(pagetable_t pt, int level, uint64 base, uint64 sz);

/* free_pagetable_tree's work on the entries of pt that overlap [lo, hi):
 * free the pages of [USER_BASE, sz) and the tables below, and clear each
 * entry. */
static void
free_entries(pagetable_t pt, int level, uint64 base, uint64 lo, uint64 hi,
	     uint64 sz)
{
	int first, last;

	if (lo >= hi || hi <= base || lo >= base + 512 * LEVEL_SPAN(level))
		return;
	entries_in_range(level, base, lo, hi, &first, &last);
	for (int i = next_valid(pt, first, last + 1); i <= last;
	     i = next_valid(pt, i + 1, last + 1)) {
		uint64 va = base + i * LEVEL_SPAN(level);
		if (level > 0)
			free_pagetable_tree(next_table(pt[i], va), level - 1, va, sz);
		else if (va >= USER_BASE && va < sz)
			kfree((void *)PTE2PA(pt[i]));
		pt[i] = 0;
	}
}

/*
 * Free the tree under pt (a level-`level` table whose entry 0 maps base):
 * the user pages of [USER_BASE, sz), then every table.  Besides those
 * pages a user table maps only the trampoline and the trapframe, at the
 * very top, which are not the process's to free: they are dropped.  So
 * only the entries that overlap [0, sz) or [TRAPFRAME, MAXVA) are looked
 * at: exit costs what is mapped, not a scan of all 512 entries of every
 * table, which was a tenth of fork+exit+wait.  A CHECKS=1 build scans
 * anyway, for a page mapped anywhere else: some code forgot it, and the
 * panic names it where a leak would hide it.
 */
static void
free_pagetable_tree(pagetable_t pt, int level, uint64 base, uint64 sz)
{
	free_entries(pt, level, base, 0, sz, sz);
	free_entries(pt, level, base, TRAPFRAME, MAXVA, sz);
	if (DEBUG_CHECKS && !table_is_empty(pt))
		panic("uvmfree: %p is mapped outside the user range",
		      (void *)(base + next_valid(pt, 0, 512) * LEVEL_SPAN(level)));
	kfree(pt);
}

void
uvmfree(pagetable_t pagetable, uint64 sz)
{
	free_pagetable_tree(pagetable, 2, 0, PGROUNDUP(sz));
}

/* for_each_page's step for uvmcopy: copy one page into the table arg. */
static int
copy_page(pte_t *pte, uint64 va, void *arg)
{
	pagetable_t new = arg;
	void *mem = kalloc();

	if (mem == NULL)
		return -ENOMEM;
	memmove(mem, (void *)PTE2PA(*pte), PGSIZE);
	if (mappages(new, va, PGSIZE, (uint64)mem,
		     PTE_FLAGS(*pte) & ~(PTE_V | PTE_A | PTE_D)) != 0) {
		kfree(mem);
		return -ENOMEM;
	}
	return 0;
}

int
uvmcopy(pagetable_t old, pagetable_t new, uint64 sz)
{
	if (sz <= USER_BASE)
		return 0;
	if (for_each_page(old, 2, 0, USER_BASE, sz, copy_page, new) != 0) {
		uvmunmap(new, USER_BASE, (PGROUNDUP(sz) - USER_BASE) / PGSIZE, true);
		return -ENOMEM;
	}
	return 0;
}

void
uvmclear(pagetable_t pagetable, uint64 va)
{
	pte_t *pte = walk(pagetable, va, false);

	if (pte == NULL)
		panic("uvmclear: %p is not mapped", (void *)va);
	*pte &= ~PTE_U;
}

int
uvm_fault(struct proc *p, uint64 va, pte_t access)
{
	pte_t *pte;
	void *mem;

	va = PGROUNDDOWN(va);
	if (va < p->heap_start || va >= p->sz || (access & PTE_X))
		return -EFAULT;                 /* not heap, or executing it */
	pte = walk(p->pagetable, va, false);
	if (pte != NULL && (*pte & PTE_V))
		return -EFAULT;                 /* there, but not allowed */
	if ((mem = kalloc()) == NULL)
		return -ENOMEM;
	memset(mem, 0, PGSIZE);
	if (mappages(p->pagetable, va, PGSIZE, (uint64)mem,
		     PTE_R | PTE_W | PTE_U) != 0) {
		kfree(mem);
		return -ENOMEM;
	}
	return 0;
}

/*
 * user_page_for_copy's slow path: user page va is missing or lacks
 * `need`.  If it is a missing page of the current process's heap,
 * allocate it (uvm_fault), as the program's own touch would, and return
 * its physical address; else 0 with *err set.
 */
static __attribute__((noinline)) uint64
fault_in_for_copy(pagetable_t pagetable, uint64 va, pte_t need, int *err)
{
	struct proc *p = myproc();

	*err = -EFAULT;
	if (p == NULL || p->pagetable != pagetable ||
	    (*err = uvm_fault(p, va, need)) != 0)
		return 0;
	return user_page(pagetable, va, need);
}

/*
 * The physical address of user page va for a copy that needs `need`, or
 * 0 with *err set.  The page is almost always there, so the fault path
 * is a function of its own, called last: the common path saves no
 * registers.
 */
static uint64
user_page_for_copy(pagetable_t pagetable, uint64 va, pte_t need, int *err)
{
	uint64 pa = user_page(pagetable, va, need);

	if (pa != 0)
		return pa;
	return fault_in_for_copy(pagetable, va, need, err);
}

int
copyout(pagetable_t pagetable, uint64 dstva, const void *src, uint64 len)
{
	int err;

	while (len > 0) {
		uint64 va = PGROUNDDOWN(dstva);
		uint64 pa = user_page_for_copy(pagetable, va, PTE_W, &err);
		uint64 n = PGSIZE - (dstva - va);
		if (pa == 0)
			return err;
		if (n > len)
			n = len;
		memmove((void *)(pa + (dstva - va)), src, n);
		len -= n;
		src = (const char *)src + n;
		dstva += n;
	}
	return 0;
}

int
copyin(pagetable_t pagetable, void *dst, uint64 srcva, uint64 len)
{
	int err;

	while (len > 0) {
		uint64 va = PGROUNDDOWN(srcva);
		uint64 pa = user_page_for_copy(pagetable, va, PTE_R, &err);
		uint64 n = PGSIZE - (srcva - va);
		if (pa == 0)
			return err;
		if (n > len)
			n = len;
		memmove(dst, (void *)(pa + (srcva - va)), n);
		len -= n;
		dst = (char *)dst + n;
		srcva += n;
	}
	return 0;
}

int
copyinstr(pagetable_t pagetable, char *dst, uint64 srcva, uint64 max)
{
	uint64 copied = 0;
	int err;

	while (copied < max) {
		uint64 va = PGROUNDDOWN(srcva);
		uint64 pa = user_page_for_copy(pagetable, va, PTE_R, &err);
		const char *p;
		if (pa == 0)
			return err;
		p = (const char *)(pa + (srcva - va));
		for (uint64 n = PGSIZE - (srcva - va); n > 0 && copied < max; n--) {
			char c = *p++;
			dst[copied] = c;
			if (c == 0)
				return copied;
			copied++;
			srcva++;
		}
	}
	return -ENAMETOOLONG;
}
