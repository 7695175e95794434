/*
 * kernel/lib/ksym.c: the kernel's table of its own functions.
 *
 * A panic's backtrace is a list of return addresses.  To print each as
 * "usertrap+0x4c" instead of a bare number, the kernel carries a table of
 * its functions: start address and name, sorted by address.
 *
 * The table cannot be written before the kernel is linked, since linking
 * decides the addresses, so the Makefile links the kernel twice:
 *
 *   1. link without a table (ksymtab_start == ksymtab_end here);
 *   2. list that kernel's functions with nm; kernel/lib/ksymtab.awk turns the
 *      list into build/kernel/ksymtab.S (sections .ksymtab and .ksymstr);
 *   3. link again with the table added.
 *
 * kernel/riscv/kernel.ld puts the table after all the code, so adding it moves
 * no function, and the Makefile checks that the final kernel's functions
 * are exactly those the table lists.  On the host, kernel/lib/backtrace.py
 * turns the same names and offsets into file:line.
 */
#include "kernel/lib/ksym.h"

struct ksym {
	uint64 addr;           /* the function's first byte */
	const char *name;
};

/* Placed by kernel/riscv/kernel.ld around the section .ksymtab. */
extern const struct ksym ksymtab_start[], ksymtab_end[];
extern char etext[];

const char *
ksym_lookup(uint64 addr, uint64 *offset)
{
	const struct ksym *lo = ksymtab_start;
	const struct ksym *hi = ksymtab_end;

	if (lo == hi || addr < lo->addr || addr >= (uint64)etext)
		return NULL;
	/* Binary search.  Invariant: lo->addr <= addr, and hi is either the
	 * end of the table or an entry above addr. */
	while (hi - lo > 1) {
		const struct ksym *mid = lo + (hi - lo) / 2;
		if (mid->addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - lo->addr;
	return lo->name;
}
