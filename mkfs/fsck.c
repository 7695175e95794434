/*
 * mkfs/fsck.c: check a file-system image on the host, and repair what is
 * safe to repair.
 *
 *   fsck [-n] fs.img
 *
 * fsck reads the image into memory, checks it in the order below, and
 * prints each problem as one line on standard output naming the inode,
 * block or directory entry.  Each stage relies on what the ones before it
 * found:
 *
 *   1. The superblock: fs_superblock_check() against the image file's size,
 *      and the limits the kernel adds when it mounts (kernel/fs/inode.c:
 *      mount_problem).  Without a sane superblock nothing else can be
 *      found, so a bad one ends the check.
 *   2. The log.  The header's count and block numbers must be ones the
 *      kernel's recovery accepts.  A committed transaction (every slot
 *      matches its checksum) that is not yet all home is replayed as the
 *      kernel would replay it at boot, and the rest of the check sees the
 *      image as replayed.
 *   3. Inodes.  Each allocated inode has a known type and a size its block
 *      map can hold; every block pointer (direct, indirect, double-indirect
 *      and those in the indirect blocks) names a data block; no block is
 *      used twice.  This pass records which inode uses each block.
 *   4. Directories.  The size is whole entries; "." naming the directory
 *      comes first and ".." second; names are non-empty, have no '/' and
 *      are unique; each entry names an allocated inode.  This pass counts
 *      the entries naming each inode, and takes a directory's parent to be
 *      the directory holding the first entry that names it.
 *   5. The tree.  No directory has two parents and no entry names the
 *      root; ".." names the parent; following parents from every directory
 *      leads to the root, which finds both cycles and detached subtrees.
 *   6. Orphans (allocated inodes that no entry names, such as a file
 *      unlinked while open when the system stopped) and link counts, by the
 *      rule written beside struct dinode in include/fs_format.h.
 *   7. The bitmap against the blocks in use, both ways: the metadata
 *      blocks (boot block to bitmap, all of which mkfs marks) and the
 *      blocks stage 3 found must be marked, and nothing else.
 *
 * Repair.  Without -n, fsck fixes what it can fix without guessing, and
 * prints "repaired: ..." after each problem it fixed: it replays a
 * committed log transaction and clears the log header, removes entries
 * naming a free inode or none, cuts a directory's size to whole entries
 * (the kernel never reads the partial one), frees orphans with their
 * blocks (a directory only when it is empty), sets wrong link counts,
 * marks used blocks used and clears the bits of leaked blocks.  The rest
 * is reported and left, because only a person can tell which side is
 * right: a block pointer outside the data region, a block two inodes use,
 * a bad "." or "..", a directory with two parents or in a cycle.  While a
 * bad pointer or a shared block stands, leaked blocks and orphans are left
 * too: they may be what the bad pointer lost.  With -n nothing is written;
 * the log is replayed in memory only.
 *
 * Output.  A clean image prints nothing.  Otherwise each problem is a
 * line, each repair a line after it, and a last line counts them.
 *
 * Exit status: 0 the image is clean; 1 problems were found and all were
 * repaired; 4 problems are left (under -n: problems were found); 8 the
 * image could not be read or written; 2 bad arguments.
 *
 * The whole image is read into memory at once: it is at most FS_MAXBLOCKS
 * blocks (1.6 GiB) and by default 32 MiB, and the checks visit blocks in
 * no useful order (an indirect block, then the bitmap bit of each block it
 * names), so one read keeps the code free of any caching.  A repair
 * changes blocks in memory and marks them dirty; at the end only those are
 * written back, the log header last, so that if fsck is stopped part way
 * the transaction is still there to be replayed again.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "include/types.h"
#include "include/param.h"
#include "include/fs_format.h"
#include "include/path.h"
#include "include/stat.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "fsck reads structures as they are: it needs a little-endian host");

/* Exit statuses: the values fsck programs customarily use. */
enum {
	EXIT_CLEAN    = 0,
	EXIT_REPAIRED = 1,
	EXIT_USAGE    = 2,
	EXIT_LEFT     = 4,
	EXIT_IO       = 8,
};

#define OWNER_META  UINT32_MAX   /* owner[] of the metadata blocks */

/* Whether following parents from a directory leads to the root. */
enum reach { REACH_UNKNOWN, REACH_VISITING, REACH_YES, REACH_NO };

/* What the passes learn about one inode. */
struct inode_info {
	uint32 nrefs;       /* entries naming it, other than "." and ".." */
	uint32 parent;      /* directory: holder of the first entry naming it */
	uint32 dotdot;      /* directory: what its ".." names (0: no "..") */
	uint32 nsubdirs;    /* directory: directories whose parent it is */
	uint32 nentries;    /* directory: its entries other than "." and ".." */
	bool in_doubt;      /* a bad pointer, a shared block or an unknown type */
	bool in_cycle;      /* directory: on a cycle of parents */
	uint8 reach;        /* directory: enum reach */
};

struct fsck {
	const char *path;
	bool repair;                /* false under -n */
	FILE *file;
	uint64 file_blocks;         /* whole blocks in the image file */
	struct superblock sb;
	uint8 *data;                /* the image: sb.size blocks */
	bool *dirty;                /* per block: changed here, to write back */
	uint32 *owner;              /* per block: inode using it, OWNER_META, 0 */
	struct inode_info *info;    /* per inode */
	bool blocks_in_doubt;       /* some inode's pointers are in doubt */
	int found;                  /* problems found */
	int fixed;                  /* of which repaired */
};

static void
usage(void)
{
	fprintf(stderr,
		"usage: fsck [-n] fs.img\n"
		"  Check a rivet file-system image and repair what is safe;\n"
		"  -n only reports, and never writes the image.\n"
		"  Exit status: 0 clean, 1 all problems repaired, 4 problems left\n"
		"  (or found, under -n), 8 the image could not be read or written,\n"
		"  2 bad arguments.\n");
}

/* ---- reporting ---------------------------------------------------------- */

/* Report a problem: one line on standard output. */
static void __attribute__((format(printf, 2, 3)))
problem(struct fsck *fs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fs->found++;
}

/* Report the repair of the problem just reported. */
static void __attribute__((format(printf, 2, 3)))
repaired(struct fsck *fs, const char *fmt, ...)
{
	va_list ap;

	printf("repaired: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fs->fixed++;
}

/* A directory-entry name (at most DIRSIZ bytes) as printable text in out,
 * with any other byte as \ooo. */
static const char *
printable(const char *name, char out[4 * DIRSIZ + 1])
{
	char *p = out;
	int i;

	for (i = 0; i < DIRSIZ && name[i] != 0; i++) {
		if (name[i] >= ' ' && name[i] <= '~')
			*p++ = name[i];
		else
			p += sprintf(p, "\\%03o", (uint8)name[i]);
	}
	*p = 0;
	return out;
}

/* ---- the image in memory ------------------------------------------------ */

static uint8 *
block(struct fsck *fs, uint32 b)
{
	return fs->data + (uint64)b * BSIZE;
}

/* Mark block b changed, to be written back (under -n it never is). */
static void
touch(struct fsck *fs, uint32 b)
{
	fs->dirty[b] = true;
}

static struct dinode *
dinode(struct fsck *fs, uint32 inum)
{
	return (struct dinode *)block(fs, fs_inode_block(&fs->sb, inum)) + inum % IPB;
}

static void
inode_touch(struct fsck *fs, uint32 inum)
{
	touch(fs, fs_inode_block(&fs->sb, inum));
}

static bool
bit_get(struct fsck *fs, uint32 b)
{
	return block(fs, fs_bitmap_block(&fs->sb, b))[(b % BPB) / 8] >> (b % 8) & 1;
}

static void
bit_set(struct fsck *fs, uint32 b, bool used)
{
	uint8 *byte = &block(fs, fs_bitmap_block(&fs->sb, b))[(b % BPB) / 8];

	if (used)
		*byte |= 1 << (b % 8);
	else
		*byte &= ~(1 << (b % 8));
	touch(fs, fs_bitmap_block(&fs->sb, b));
}

static bool
in_data_region(struct fsck *fs, uint32 b)
{
	return b >= fs_data_start(&fs->sb) && b < fs->sb.size;
}

/* Which region block b is in, for messages. */
static const char *
region_of(struct fsck *fs, uint32 b)
{
	const struct superblock *sb = &fs->sb;

	if (b == 0)
		return "the boot block";
	if (b == 1)
		return "the superblock";
	if (b < sb->inodestart)
		return "in the log";
	if (b < sb->bmapstart)
		return "in the inode table";
	if (b < fs_data_start(sb))
		return "in the bitmap";
	if (b >= sb->size)
		return "past the end of the file system";
	return "in the data region";
}

/* Read or write n bytes at offset off of the image file.  0 or -1. */
static int
file_io(struct fsck *fs, void *buf, uint64 n, uint64 off, bool write)
{
	size_t done;

	if (fseeko(fs->file, off, SEEK_SET) != 0)
		return -1;
	if (write)
		done = fwrite(buf, 1, n, fs->file);
	else
		done = fread(buf, 1, n, fs->file);
	return done == n ? 0 : -1;
}

/* Say that the image could not be read or written; EXIT_IO. */
static int
io_failed(struct fsck *fs, const char *what)
{
	fprintf(stderr, "fsck: %s: cannot %s the image: %s\n", fs->path, what,
		errno != 0 ? strerror(errno) : "short read");
	return EXIT_IO;
}

/* ---- 1. the superblock -------------------------------------------------- */

/* Open the image and read its superblock into fs->sb.  0, or EXIT_IO. */
static int
image_open(struct fsck *fs)
{
	off_t size;

	errno = 0;
	fs->file = fopen(fs->path, fs->repair ? "r+b" : "rb");
	if (fs->file == NULL)
		return io_failed(fs, "open");
	if (fseeko(fs->file, 0, SEEK_END) != 0 || (size = ftello(fs->file)) < 0)
		return io_failed(fs, "measure");
	fs->file_blocks = size / BSIZE;
	if (fs->file_blocks < 2)
		return 0;   /* check_superblock says so */
	if (file_io(fs, &fs->sb, sizeof fs->sb, BSIZE, false) < 0)
		return io_failed(fs, "read");
	return 0;
}

/*
 * Check the superblock, as the kernel's mount would.  Returns whether the
 * rest of the image can be found from it (the kernel's own limits beyond
 * a sane layout do not stop the check).
 */
static bool
check_superblock(struct fsck *fs)
{
	const struct superblock *sb = &fs->sb;
	const char *why;

	if (fs->file_blocks < 2) {
		problem(fs, "superblock: the image is shorter than two blocks");
		return false;
	}
	why = fs_superblock_check(sb, fs->file_blocks);
	if (why != NULL) {
		problem(fs, "superblock: %s", why);
		return false;
	}
	if (sb->size > FS_MAXBLOCKS)
		problem(fs, "superblock: %u blocks, more than the kernel mounts (%u)",
			sb->size, FS_MAXBLOCKS);
	if (sb->ninodes > FS_MAXINODES)
		problem(fs, "superblock: %u inodes, more than a directory entry can "
			"name (%u)", sb->ninodes, FS_MAXINODES);
	if (sb->nlog - 1 < MAXOPBLOCKS)
		problem(fs, "superblock: a log of %u blocks cannot hold one "
			"operation (%d blocks)", sb->nlog - 1, MAXOPBLOCKS);
	return true;
}

/* Read the whole file system and make the per-block and per-inode tables.
 * 0, or EXIT_IO. */
static int
image_read(struct fsck *fs)
{
	uint32 b;

	fs->data = malloc((uint64)fs->sb.size * BSIZE);
	fs->dirty = calloc(fs->sb.size, sizeof *fs->dirty);
	fs->owner = calloc(fs->sb.size, sizeof *fs->owner);
	fs->info = calloc(fs->sb.ninodes, sizeof *fs->info);
	if (fs->data == NULL || fs->dirty == NULL || fs->owner == NULL ||
	    fs->info == NULL) {
		errno = ENOMEM;
		return io_failed(fs, "hold");
	}
	errno = 0;
	if (file_io(fs, fs->data, (uint64)fs->sb.size * BSIZE, 0, false) < 0)
		return io_failed(fs, "read");
	for (b = 0; b < fs_data_start(&fs->sb); b++)
		fs->owner[b] = OWNER_META;
	return 0;
}

/* ---- 2. the log --------------------------------------------------------- */

/* Whether the kernel's recovery would accept log header lh. */
static bool
log_header_ok(struct fsck *fs, const struct logheader *lh)
{
	bool ok = true;
	uint32 i;

	if (lh->n > fs->sb.nlog - 1) {
		problem(fs, "log: the header lists %u blocks, but the log holds %u; "
			"not replayed", lh->n, fs->sb.nlog - 1);
		return false;
	}
	for (i = 0; i < lh->n; i++) {
		if (lh->block[i] < fs->sb.inodestart || lh->block[i] >= fs->sb.size) {
			problem(fs, "log: header entry %u names block %u, %s; not "
				"replayed", i, lh->block[i], region_of(fs, lh->block[i]));
			ok = false;
		}
	}
	return ok;
}

/* Whether every slot of lh matches its checksum: whether the commit that
 * wrote lh finished. */
static bool
log_commit_finished(struct fsck *fs, const struct logheader *lh)
{
	for (uint32 i = 0; i < lh->n; i++)
		if (log_checksum(block(fs, fs->sb.logstart + 1 + i)) != lh->sum[i])
			return false;
	return true;
}

/* Whether some slot of lh differs from its home block: whether its
 * installs may not have finished. */
static bool
log_installs_pending(struct fsck *fs, const struct logheader *lh)
{
	for (uint32 i = 0; i < lh->n; i++)
		if (memcmp(block(fs, lh->block[i]),
			   block(fs, fs->sb.logstart + 1 + i), BSIZE) != 0)
			return true;
	return false;
}

/*
 * Replay a committed transaction whose installs did not finish: copy slot
 * i to its home block, as kernel/fs/log.c:recover does, and clear the
 * header.  A header whose commit did not finish, or whose installs did, is
 * no problem: the kernel leaves it there and recovery does nothing with
 * it.  A repair run clears it all the same, because its repairs may change
 * the blocks it names, and a later boot must not take the old slots for
 * unfinished installs.
 */
static void
check_log(struct fsck *fs)
{
	struct logheader *lh = (struct logheader *)block(fs, fs->sb.logstart);
	uint32 i, n = lh->n;

	if (n == 0 || !log_header_ok(fs, lh))
		return;
	if (!log_commit_finished(fs, lh) || !log_installs_pending(fs, lh)) {
		if (fs->repair) {
			lh->n = 0;
			touch(fs, fs->sb.logstart);
		}
		return;
	}
	for (i = 0; i < n; i++) {
		memcpy(block(fs, lh->block[i]), block(fs, fs->sb.logstart + 1 + i), BSIZE);
		touch(fs, lh->block[i]);
	}
	lh->n = 0;
	touch(fs, fs->sb.logstart);
	if (!fs->repair) {
		problem(fs, "log: holds a committed transaction of %u blocks; "
			"checked as replayed, in memory only (-n)", n);
		return;
	}
	problem(fs, "log: holds a committed transaction of %u blocks", n);
	repaired(fs, "replayed the log's transaction (%u blocks)", n);
}

/* ---- 3. inodes and their blocks ----------------------------------------- */

/* Mark inode inum's blocks as in doubt: not to be freed, nor anything
 * that may be lost data. */
static void
set_in_doubt(struct fsck *fs, uint32 inum)
{
	fs->info[inum].in_doubt = true;
	fs->blocks_in_doubt = true;
}

/* Whether b, named by entry index of indirect block holder (by addrs[index]
 * when holder is 0) of inode inum, is a data block; reports it if not. */
static bool
pointer_ok(struct fsck *fs, uint32 inum, uint32 b, uint32 holder, uint32 index)
{
	if (in_data_region(fs, b))
		return true;
	if (holder == 0)
		problem(fs, "inode %u: addrs[%u] names block %u, %s, outside the "
			"data region", inum, index, b, region_of(fs, b));
	else
		problem(fs, "inode %u: entry %u of indirect block %u names block %u, "
			"%s, outside the data region", inum, index, holder, b,
			region_of(fs, b));
	set_in_doubt(fs, inum);
	return false;
}

/* Record that inode inum uses data block b.  False, after reporting it, if
 * some inode (perhaps inum itself) already does. */
static bool
claim(struct fsck *fs, uint32 inum, uint32 b)
{
	uint32 other = fs->owner[b];

	if (other == 0) {
		fs->owner[b] = inum;
		return true;
	}
	if (other == inum)
		problem(fs, "inode %u: uses block %u twice", inum, b);
	else
		problem(fs, "block %u: used by both inode %u and inode %u", b, other, inum);
	set_in_doubt(fs, inum);
	set_in_doubt(fs, other);
	return false;
}

/*
 * Check and claim block b of inode inum, named as in pointer_ok; when b is
 * an indirect block depth levels above the data, do the same for every
 * block it names.  A block not claimed is not looked into.
 */
static void
use_tree(struct fsck *fs, uint32 inum, uint32 b, int depth, uint32 holder,
	 uint32 index)
{
	uint32 *a, i;

	if (b == 0)
		return;
	if (!pointer_ok(fs, inum, b, holder, index) || !claim(fs, inum, b))
		return;
	if (depth == 0)
		return;
	a = (uint32 *)block(fs, b);
	for (i = 0; i < NINDIRECT; i++)
		use_tree(fs, inum, a[i], depth - 1, b, i);
}

/* Levels of indirect blocks below addrs[slot]. */
static int
slot_depth(int slot)
{
	return slot < NDIRECT ? 0 : slot == INDIRECT_SLOT ? 1 : 2;
}

/* The most bytes a file can hold: its block map and its 32-bit size field
 * both bound it (as in kernel/fs/inode.c:writei). */
static uint64
max_file_bytes(void)
{
	return MAXFILE * BSIZE < MAXFILESIZE ? MAXFILE * BSIZE : MAXFILESIZE;
}

static void
check_inode(struct fsck *fs, uint32 inum)
{
	struct dinode *ip = dinode(fs, inum);
	int i;

	if (ip->type != T_DIR && ip->type != T_FILE && ip->type != T_DEVICE) {
		problem(fs, "inode %u: unknown type %d", inum, ip->type);
		set_in_doubt(fs, inum);
	}
	if (ip->size > max_file_bytes())
		problem(fs, "inode %u: size %u is more than a file can hold (%llu)",
			inum, ip->size, (unsigned long long)max_file_bytes());
	for (i = 0; i < NADDRS; i++)
		use_tree(fs, inum, ip->addrs[i], slot_depth(i), 0, i);
}

/* Check every allocated inode (inode 0 is never used). */
static void
check_inodes(struct fsck *fs)
{
	uint32 inum;

	for (inum = 1; inum < fs->sb.ninodes; inum++)
		if (dinode(fs, inum)->type != 0)
			check_inode(fs, inum);
}

/* Whether the root is a directory, which the tree checks start from. */
static bool
check_root(struct fsck *fs)
{
	int16 type = dinode(fs, ROOTINO)->type;

	if (type == T_DIR)
		return true;
	problem(fs, "inode %u: the root directory is %s", ROOTINO,
		type == 0 ? "free" : "not a directory");
	return false;
}

/* ---- 4. directories ----------------------------------------------------- */

/* Data block b if it is one, else 0. */
static uint32
data_block(struct fsck *fs, uint32 b)
{
	return in_data_region(fs, b) ? b : 0;
}

/* Data block named by entry i of indirect block ind (0: none), or 0. */
static uint32
indirect_entry(struct fsck *fs, uint32 ind, uint64 i)
{
	return ind == 0 ? 0 : data_block(fs, ((uint32 *)block(fs, ind))[i]);
}

/* The data block holding block bn of ip, or 0 for a hole or a pointer
 * outside the data region (stage 3 reported it). */
static uint32
file_block(struct fsck *fs, const struct dinode *ip, uint64 bn)
{
	uint64 index;
	uint32 ind;

	switch (fs_block_level(bn, &index)) {
	case 0:
		return data_block(fs, ip->addrs[index]);
	case 1:
		ind = data_block(fs, ip->addrs[INDIRECT_SLOT]);
		return indirect_entry(fs, ind, index);
	case 2:
		ind = data_block(fs, ip->addrs[DINDIRECT_SLOT]);
		ind = indirect_entry(fs, ind, index / NINDIRECT);
		return indirect_entry(fs, ind, index % NINDIRECT);
	}
	return 0;
}

/* Entry i of directory dp, or NULL when it lies in a hole; *b gets the
 * block holding it. */
static struct dirent *
dir_entry(struct fsck *fs, const struct dinode *dp, uint32 i, uint32 *b)
{
	uint64 off = (uint64)i * sizeof(struct dirent);

	*b = file_block(fs, dp, off / BSIZE);
	return *b == 0 ? NULL : (struct dirent *)(block(fs, *b) + off % BSIZE);
}

static void
check_dir_size(struct fsck *fs, uint32 d)
{
	struct dinode *dp = dinode(fs, d);
	uint32 whole = dp->size - dp->size % sizeof(struct dirent);

	if (whole == dp->size)
		return;
	problem(fs, "directory inode %u: size %u is not a multiple of the entry "
		"size (%zu)", d, dp->size, sizeof(struct dirent));
	if (!fs->repair)
		return;
	repaired(fs, "set directory inode %u size %u -> %u", d, dp->size, whole);
	dp->size = whole;
	inode_touch(fs, d);
}

/* Check that directory d's first entry is "." naming d and its second is
 * "..", and note what ".." names. */
static void
check_dots(struct fsck *fs, uint32 d, uint32 n)
{
	const struct dinode *dp = dinode(fs, d);
	struct dirent *de;
	uint32 b;

	de = n > 0 ? dir_entry(fs, dp, 0, &b) : NULL;
	if (de == NULL || de->inum != d || path_namecmp(de->name, ".") != 0)
		problem(fs, "directory inode %u: the first entry is not \".\" "
			"naming the directory itself", d);
	de = n > 1 ? dir_entry(fs, dp, 1, &b) : NULL;
	if (de == NULL || de->inum == 0 || path_namecmp(de->name, "..") != 0)
		problem(fs, "directory inode %u: the second entry is not \"..\"", d);
	else
		fs->info[d].dotdot = de->inum;
}

/* Note that entry de of directory d names directory c: the first such
 * entry makes d c's parent. */
static void
note_parent(struct fsck *fs, uint32 d, const struct dirent *de)
{
	struct inode_info *c = &fs->info[de->inum];
	char name[4 * DIRSIZ + 1];

	if (de->inum == ROOTINO) {
		problem(fs, "directory inode %u: entry \"%s\" names the root "
			"directory, making a cycle", d, printable(de->name, name));
		return;
	}
	if (c->parent == 0) {
		c->parent = d;
		return;
	}
	problem(fs, "directory inode %u has two parents: entry \"%s\" in "
		"directory inode %u names it, and so does one in directory inode %u",
		de->inum, printable(de->name, name), d, c->parent);
}

/* Whether entry de of directory d (in block b) names an allocated inode;
 * if not, report it and, when repairing, clear it. */
static bool
entry_target_ok(struct fsck *fs, uint32 d, struct dirent *de, uint32 b)
{
	char name[4 * DIRSIZ + 1];
	bool exists = de->inum < fs->sb.ninodes;

	if (exists && dinode(fs, de->inum)->type != 0)
		return true;
	problem(fs, "directory inode %u: entry \"%s\" names %s inode %u", d,
		printable(de->name, name), exists ? "free" : "nonexistent", de->inum);
	if (fs->repair) {
		repaired(fs, "removed entry \"%s\" from directory inode %u", name, d);
		memset(de, 0, sizeof *de);
		touch(fs, b);
	}
	return false;
}

/* Check entry i of directory d, de (in use, in block b), and count the
 * inode it names.  "." and ".." count for nothing; check_dots looks at
 * them in their places. */
static void
check_entry(struct fsck *fs, uint32 d, uint32 i, struct dirent *de, uint32 b)
{
	char name[4 * DIRSIZ + 1];
	bool dot = path_namecmp(de->name, ".") == 0;
	bool dotdot = path_namecmp(de->name, "..") == 0;

	printable(de->name, name);
	if (dot || dotdot) {
		if (i != (dot ? 0u : 1u))
			problem(fs, "directory inode %u: entry %u is named \"%s\"", d,
				i, name);
		return;
	}
	if (de->name[0] == 0)
		problem(fs, "directory inode %u: entry %u has an empty name", d, i);
	if (memchr(de->name, '/', strnlen(de->name, DIRSIZ)) != NULL)
		problem(fs, "directory inode %u: entry \"%s\" has a '/' in its name",
			d, name);
	if (!entry_target_ok(fs, d, de, b))
		return;
	fs->info[d].nentries++;
	fs->info[de->inum].nrefs++;
	if (dinode(fs, de->inum)->type == T_DIR)
		note_parent(fs, d, de);
}

static int
entry_name_cmp(const void *a, const void *b)
{
	return path_namecmp(((const struct dirent *)a)->name,
			    ((const struct dirent *)b)->name);
}

/* Report each name that more than one of directory d's n entries has. */
static void
check_names_unique(struct fsck *fs, uint32 d, uint32 n)
{
	struct dirent *names = malloc((n ? n : 1) * sizeof *names), *de;
	char name[4 * DIRSIZ + 1];
	uint32 i, count = 0, b;

	if (names == NULL) {
		fprintf(stderr, "fsck: no memory for the %u entries of directory "
			"inode %u\n", n, d);
		exit(EXIT_IO);
	}
	for (i = 0; i < n; i++) {
		de = dir_entry(fs, dinode(fs, d), i, &b);
		if (de != NULL && de->inum != 0)
			names[count++] = *de;
	}
	qsort(names, count, sizeof *names, entry_name_cmp);
	for (i = 1; i < count; i++) {
		if (entry_name_cmp(&names[i - 1], &names[i]) != 0)
			continue;
		if (i >= 2 && entry_name_cmp(&names[i - 2], &names[i]) == 0)
			continue;   /* reported already */
		problem(fs, "directory inode %u: more than one entry is named \"%s\"",
			d, printable(names[i].name, name));
	}
	free(names);
}

static void
check_directory(struct fsck *fs, uint32 d)
{
	struct dirent *de;
	uint32 i, n, b;

	check_dir_size(fs, d);
	n = dinode(fs, d)->size / sizeof(struct dirent);
	check_dots(fs, d, n);
	for (i = 0; i < n; i++) {
		de = dir_entry(fs, dinode(fs, d), i, &b);
		if (de != NULL && de->inum != 0)
			check_entry(fs, d, i, de, b);
	}
	check_names_unique(fs, d, n);
}

static void
check_directories(struct fsck *fs)
{
	uint32 inum;

	for (inum = 1; inum < fs->sb.ninodes; inum++)
		if (dinode(fs, inum)->type == T_DIR)
			check_directory(fs, inum);
}

/* ---- 5. the tree -------------------------------------------------------- */

static bool
is_dir(struct fsck *fs, uint32 inum)
{
	return dinode(fs, inum)->type == T_DIR;
}

/* Report the cycle of parents through directory first, and mark it. */
static void
report_cycle(struct fsck *fs, uint32 first)
{
	char list[160] = "";
	size_t len = 0;
	uint32 x = first;

	do {
		if (len < sizeof list)
			len += snprintf(list + len, sizeof list - len, " %u", x);
		fs->info[x].in_cycle = true;
		x = fs->info[x].parent;
	} while (x != first);
	problem(fs, "directories form a cycle, none reachable from the root: "
		"inodes%s", list);
}

/*
 * Follow parents from directory d until the root, a directory with no
 * parent, or one seen before; mark every directory on the way with the
 * answer (enum reach).  Coming back to a directory of this same walk is a
 * cycle, reported once.
 */
static void
trace_to_root(struct fsck *fs, uint32 d)
{
	uint32 x = d;
	uint8 result;

	while (fs->info[x].reach == REACH_UNKNOWN) {
		fs->info[x].reach = REACH_VISITING;
		if (fs->info[x].parent == 0)
			break;
		x = fs->info[x].parent;
	}
	result = fs->info[x].reach;
	if (result == REACH_VISITING) {
		if (fs->info[x].parent != 0)
			report_cycle(fs, x);
		result = REACH_NO;
	}
	for (x = d; fs->info[x].reach == REACH_VISITING; x = fs->info[x].parent)
		fs->info[x].reach = result;
}

/* Check that ".." of directory d names its parent (the root's: itself). */
static void
check_dotdot(struct fsck *fs, uint32 d)
{
	uint32 parent = d == ROOTINO ? ROOTINO : fs->info[d].parent;
	uint32 dotdot = fs->info[d].dotdot;

	if (parent == 0 || dotdot == 0 || dotdot == parent)
		return;   /* an orphan, or no ".." (reported) */
	problem(fs, "directory inode %u: \"..\" names inode %u, not its parent, "
		"inode %u", d, dotdot, parent);
}

static void
check_tree(struct fsck *fs)
{
	uint32 d, p;

	fs->info[ROOTINO].reach = REACH_YES;
	for (d = 1; d < fs->sb.ninodes; d++) {
		if (!is_dir(fs, d))
			continue;
		check_dotdot(fs, d);
		p = fs->info[d].parent;
		if (p == 0)
			continue;   /* the root, or an orphan (stage 6) */
		fs->info[p].nsubdirs++;
		trace_to_root(fs, d);
	}
	for (d = 1; d < fs->sb.ninodes; d++) {
		p = fs->info[d].parent;
		if (is_dir(fs, d) && p != 0 && fs->info[d].reach == REACH_NO &&
		    !fs->info[d].in_cycle)
			problem(fs, "directory inode %u is not reachable from the root: "
				"nor is its parent, inode %u", d, p);
	}
}

/* ---- 6. orphans and link counts ----------------------------------------- */

/* Free block b of an orphan and, for an indirect block depth levels above
 * the data, every block it names.  Returns the number freed.  The orphan
 * is not in doubt, so every pointer names a data block it alone uses. */
static uint32
free_tree(struct fsck *fs, uint32 b, int depth)
{
	uint32 *a, i, n = 1;

	if (b == 0)
		return 0;
	if (depth > 0) {
		a = (uint32 *)block(fs, b);
		for (i = 0; i < NINDIRECT; i++)
			n += free_tree(fs, a[i], depth - 1);
	}
	fs->owner[b] = 0;
	bit_set(fs, b, false);
	return n;
}

/* Why orphan inum cannot safely be freed, or NULL. */
static const char *
orphan_kept_because(struct fsck *fs, uint32 inum)
{
	if (fs->info[inum].in_doubt)
		return "its blocks are in doubt";
	if (fs->blocks_in_doubt)
		return "block pointers elsewhere are in doubt";
	if (is_dir(fs, inum) && fs->info[inum].nentries > 0)
		return "a directory that still holds entries";
	return NULL;
}

static void
check_orphan(struct fsck *fs, uint32 inum)
{
	struct dinode *ip = dinode(fs, inum);
	const char *kept = orphan_kept_because(fs, inum);
	uint32 n = 0;
	int i;

	problem(fs, "inode %u: an orphan (type %d, nlink %d, size %u): no "
		"directory entry names it%s%s", inum, ip->type, ip->nlink, ip->size,
		kept ? "; left: " : "", kept ? kept : "");
	if (!fs->repair || kept != NULL)
		return;
	for (i = 0; i < NADDRS; i++)
		n += free_tree(fs, ip->addrs[i], slot_depth(i));
	memset(ip, 0, sizeof *ip);
	inode_touch(fs, inum);
	repaired(fs, "freed orphan inode %u (%u blocks)", inum, n);
}

/* Check inode inum's link count against the rule beside struct dinode. */
static void
check_nlink(struct fsck *fs, uint32 inum)
{
	struct dinode *ip = dinode(fs, inum);
	const struct inode_info *in = &fs->info[inum];
	uint32 want = ip->type == T_DIR ? 1 + in->nsubdirs : in->nrefs;

	if (ip->nlink == (int32)want)
		return;
	if (ip->type == T_DIR)
		problem(fs, "inode %u: nlink is %d, but the directory has %u "
			"subdirector%s, so it should be %u", inum, ip->nlink,
			in->nsubdirs, in->nsubdirs == 1 ? "y" : "ies", want);
	else
		problem(fs, "inode %u: nlink is %d, but it is named by %u entr%s",
			inum, ip->nlink, want, want == 1 ? "y" : "ies");
	if (!fs->repair)
		return;
	repaired(fs, "set inode %u nlink %d -> %u", inum, ip->nlink, want);
	ip->nlink = want;
	inode_touch(fs, inum);
}

static void
check_links(struct fsck *fs)
{
	int16 type;
	uint32 inum;

	for (inum = 1; inum < fs->sb.ninodes; inum++) {
		type = dinode(fs, inum)->type;
		if (type != T_DIR && type != T_FILE && type != T_DEVICE)
			continue;   /* free, or unknown (reported) */
		if (inum != ROOTINO && fs->info[inum].nrefs == 0)
			check_orphan(fs, inum);
		else
			check_nlink(fs, inum);
	}
}

/* ---- 7. the bitmap ------------------------------------------------------ */

/* Block b is in use but marked free. */
static void
report_unmarked(struct fsck *fs, uint32 b)
{
	if (fs->owner[b] == OWNER_META)
		problem(fs, "block %u: metadata (%s), but marked free", b, region_of(fs, b));
	else
		problem(fs, "block %u: used by inode %u, but marked free", b, fs->owner[b]);
	if (!fs->repair)
		return;
	bit_set(fs, b, true);
	repaired(fs, "marked block %u used", b);
}

/* Block b is marked used but nothing uses it. */
static void
report_leaked(struct fsck *fs, uint32 b)
{
	problem(fs, "block %u: marked used, but nothing uses it (leaked)%s", b,
		fs->blocks_in_doubt ? "; left: block pointers are in doubt" : "");
	if (!fs->repair || fs->blocks_in_doubt)
		return;
	bit_set(fs, b, false);
	repaired(fs, "cleared bitmap bit of leaked block %u", b);
}

static void
check_bitmap(struct fsck *fs)
{
	uint32 b;
	bool used;

	for (b = 0; b < fs->sb.size; b++) {
		used = fs->owner[b] != 0;
		if (used && !bit_get(fs, b))
			report_unmarked(fs, b);
		else if (!used && bit_get(fs, b))
			report_leaked(fs, b);
	}
}

/* ---- writing back and finishing ----------------------------------------- */

static int
write_block(struct fsck *fs, uint32 b)
{
	return file_io(fs, block(fs, b), BSIZE, (uint64)b * BSIZE, true);
}

/* Write the changed blocks back, the log header last.  0, or EXIT_IO. */
static int
image_write(struct fsck *fs)
{
	uint32 b, header = fs->sb.logstart;

	if (!fs->repair)
		return 0;
	errno = 0;
	for (b = 0; b < fs->sb.size; b++)
		if (fs->dirty[b] && b != header && write_block(fs, b) < 0)
			return io_failed(fs, "write");
	if (fflush(fs->file) != 0 || fsync(fileno(fs->file)) != 0)
		return io_failed(fs, "write");
	if (fs->dirty[header] && write_block(fs, header) < 0)
		return io_failed(fs, "write");
	if (fflush(fs->file) != 0 || fsync(fileno(fs->file)) != 0)
		return io_failed(fs, "write");
	return 0;
}

/* Print the summary line (when anything was found); the exit status. */
static int
finish(struct fsck *fs)
{
	if (fs->found == 0)
		return EXIT_CLEAN;
	printf("%s: %d problem%s found, %d repaired, %d left\n", fs->path,
	       fs->found, fs->found == 1 ? "" : "s", fs->fixed,
	       fs->found - fs->fixed);
	return fs->fixed == fs->found ? EXIT_REPAIRED : EXIT_LEFT;
}

/* Run stages 2 to 7 and write the repairs.  0, or EXIT_IO. */
static int
check_image(struct fsck *fs)
{
	int err;

	err = image_read(fs);
	if (err != 0)
		return err;
	check_log(fs);
	check_inodes(fs);
	if (check_root(fs)) {
		check_directories(fs);
		check_tree(fs);
		check_links(fs);
	}
	check_bitmap(fs);
	return image_write(fs);
}

/* Fill *fs from the command line.  0, or -1 for a usage error. */
static int
parse_args(int argc, char **argv, struct fsck *fs)
{
	int c;

	memset(fs, 0, sizeof *fs);
	fs->repair = true;
	while ((c = getopt(argc, argv, "n")) != -1) {
		if (c != 'n')
			return -1;
		fs->repair = false;
	}
	if (argc - optind != 1)
		return -1;
	fs->path = argv[optind];
	return 0;
}

int
main(int argc, char **argv)
{
	struct fsck fs;
	int err;

	if (parse_args(argc, argv, &fs) < 0) {
		usage();
		return EXIT_USAGE;
	}
	err = image_open(&fs);
	if (err == 0 && check_superblock(&fs))
		err = check_image(&fs);
	if (fs.file != NULL && fclose(fs.file) != 0 && err == 0)
		err = io_failed(&fs, "close");
	free(fs.data);
	free(fs.dirty);
	free(fs.owner);
	free(fs.info);
	return err != 0 ? err : finish(&fs);
}
