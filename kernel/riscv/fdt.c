/*
 * kernel/riscv/fdt.c: reading the flattened device tree.
 *
 * The firmware describes the machine in a device-tree blob (the "FDT"): a
 * header, then a structure block of tokens (BEGIN_NODE name, PROP len
 * nameoff value, END_NODE, ... END) and a strings block holding property
 * names.  All numbers in it are big-endian.  We walk the structure once
 * and keep only what the kernel needs:
 *
 *   /memory@...   reg                  -> RAM start and size
 *   /cpus         timebase-frequency   -> timer ticks per second
 *   /cpus/cpu@N   reg, status, riscv,isa -> the usable harts, and Sstc
 *   /chosen       bootargs             -> the command line (QEMU's -append),
 *                                         which only test kernels read
 *
 * Node names are matched up to their '@' (the unit address).
 */
#include "kernel/riscv/fdt.h"
#include "include/errno.h"
#include "include/string.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9
#define FDT_MAX_DEPTH  8

struct fdt_header {
	uint32 magic, totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap;
	uint32 version, last_comp_version, boot_cpuid_phys, size_dt_strings;
	uint32 size_dt_struct;
};

struct bootinfo bootinfo;

static uint32
be32(const void *p)
{
	const uchar *b = p;

	return (uint32)b[0] << 24 | (uint32)b[1] << 16 | (uint32)b[2] << 8 | b[3];
}

/* Read a number of `cells` 32-bit cells (1 or 2). */
static uint64
read_cells(const uchar *p, int cells)
{
	return cells == 2 ? (uint64)be32(p) << 32 | be32(p + 4) : be32(p);
}

/* Does node name (e.g. "cpu@1") have base name base ("cpu")? */
static bool
node_is(const char *name, const char *base)
{
	size_t n = strlen(base);

	return strncmp(name, base, n) == 0 && (name[n] == 0 || name[n] == '@');
}

/* Whether a "riscv,isa" string lists the Sstc extension. */
static bool
isa_has_sstc(const char *isa, uint32 len)
{
	for (uint32 i = 0; i + 5 <= len; i++)
		if (strncmp(isa + i, "_sstc", 5) == 0)
			return true;
	return false;
}

/* Copy the string property val (len bytes, its NUL included) into dst,
 * cut to fit size bytes and always NUL-terminated. */
static void
copy_string(char *dst, size_t size, const char *val, uint32 len)
{
	size_t n = 0;

	while (n + 1 < size && n < len && val[n] != 0) {
		dst[n] = val[n];
		n++;
	}
	dst[n] = 0;
}

/* What we have learned so far about the cpu node being walked. */
struct cpu_node {
	uint64 hartid;
	bool has_reg;
	bool okay;
	bool sstc;
};

/* The parser's position: the node path and the cells of each parent. */
struct walk {
	const char *path[FDT_MAX_DEPTH];
	int depth;
	int root_addr_cells, root_size_cells;
	struct cpu_node cpu;
	bool any_cpu_without_sstc;
};

static void
take_property(struct walk *w, const char *name, const uchar *val, uint32 len)
{
	const char *node = w->path[w->depth - 1];

	if (w->depth == 1 && strcmp(name, "#address-cells") == 0)
		w->root_addr_cells = be32(val);
	else if (w->depth == 1 && strcmp(name, "#size-cells") == 0)
		w->root_size_cells = be32(val);
	else if (w->depth == 2 && node_is(node, "memory") && strcmp(name, "reg") == 0 &&
		 bootinfo.mem_end == 0) {
		bootinfo.mem_start = read_cells(val, w->root_addr_cells);
		bootinfo.mem_end = bootinfo.mem_start +
			read_cells(val + 4 * w->root_addr_cells, w->root_size_cells);
	} else if (w->depth == 2 && node_is(node, "cpus") &&
		   strcmp(name, "timebase-frequency") == 0)
		bootinfo.timebase = read_cells(val, len >= 8 ? 2 : 1);
	else if (w->depth == 3 && node_is(node, "cpu")) {
		if (strcmp(name, "reg") == 0) {
			w->cpu.hartid = read_cells(val, len >= 8 ? 2 : 1);
			w->cpu.has_reg = true;
		} else if (strcmp(name, "status") == 0)
			w->cpu.okay = strcmp((const char *)val, "okay") == 0;
		else if (strcmp(name, "riscv,isa") == 0)
			w->cpu.sstc = isa_has_sstc((const char *)val, len);
	} else if (w->depth == 2 && node_is(node, "chosen") &&
		   strcmp(name, "bootargs") == 0)
		copy_string(bootinfo.bootargs, sizeof(bootinfo.bootargs),
			    (const char *)val, len);
}

/* A cpu node ended: record the hart if it is usable. */
static void
finish_cpu(struct walk *w)
{
	if (!w->cpu.has_reg || !w->cpu.okay || bootinfo.nharts == NCPU)
		return;
	bootinfo.hartids[bootinfo.nharts++] = w->cpu.hartid;
	if (!w->cpu.sstc)
		w->any_cpu_without_sstc = true;
}

int
fdt_parse(const void *fdt)
{
	const struct fdt_header *h = fdt;
	const uchar *base = fdt;
	const uchar *p, *end;
	const char *strings;
	struct walk w = { .root_addr_cells = 2, .root_size_cells = 1 };

	if (be32(&h->magic) != FDT_MAGIC)
		return -EINVAL;
	bootinfo.fdt_start = (uint64)fdt;
	bootinfo.fdt_end = (uint64)fdt + be32(&h->totalsize);
	p = base + be32(&h->off_dt_struct);
	end = p + be32(&h->size_dt_struct);
	strings = (const char *)base + be32(&h->off_dt_strings);

	while (p < end) {
		uint32 token = be32(p);
		p += 4;
		if (token == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;
			if (w.depth == FDT_MAX_DEPTH)
				return -EINVAL;
			w.path[w.depth++] = name;
			if (w.depth == 3 && node_is(name, "cpu"))
				w.cpu = (struct cpu_node){ .okay = true };
			p += (strlen(name) + 1 + 3) & ~3UL;
		} else if (token == FDT_END_NODE) {
			if (w.depth == 0)
				return -EINVAL;
			if (w.depth == 3 && node_is(w.path[2], "cpu"))
				finish_cpu(&w);
			w.depth--;
		} else if (token == FDT_PROP) {
			uint32 len = be32(p), nameoff = be32(p + 4);
			if (w.depth > 0)
				take_property(&w, strings + nameoff, p + 8, len);
			p += 8 + ((len + 3) & ~3UL);
		} else if (token == FDT_END) {
			break;
		} else if (token != FDT_NOP) {
			return -EINVAL;
		}
	}
	bootinfo.sstc = bootinfo.nharts > 0 && !w.any_cpu_without_sstc;
	if (bootinfo.mem_end == 0 || bootinfo.nharts == 0 || bootinfo.timebase == 0)
		return -EINVAL;
	return 0;
}
